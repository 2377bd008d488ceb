"""The CLI runner every end-to-end test uses: a fresh store per test, no PIN in the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COLDCHECK_DB", str(tmp_path / "set.db"))
    monkeypatch.setenv("COLDCHECK_INSECURE_TEST_KDF", "1")
    monkeypatch.delenv("COLDCHECK_PIN", raising=False)
    monkeypatch.delenv("COLDCHECK_NEW_PIN", raising=False)
    return CliRunner()
