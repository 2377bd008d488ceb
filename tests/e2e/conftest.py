"""The CLI runner every end-to-end test uses: a fresh store per test, no PIN in the environment."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner


@pytest.fixture(autouse=True, scope="session")
def _build_the_command_once() -> Iterator[None]:
    """Typer rebuilds the whole click command tree from the app on every ``invoke``, which is
    most of an in-process invocation's time; the tree never changes, so build it once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", cache(typer.main.get_command))
        yield


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COLDCHECK_DB", str(tmp_path / "set.db"))
    monkeypatch.setenv("COLDCHECK_INSECURE_TEST_KDF", "1")
    monkeypatch.delenv("COLDCHECK_PIN", raising=False)
    monkeypatch.delenv("COLDCHECK_NEW_PIN", raising=False)
    return CliRunner()
