"""The account store fixtures shared by the account contract suites: every backend of
test_account_store.py's ``BACKENDS``, each test on a fresh one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coldcheck.store.accounts import AccountStore
from tests.contract.test_account_store import BACKENDS, Stores


@pytest.fixture(params=sorted(BACKENDS))
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    with BACKENDS[request.param](tmp_path) as opener:
        opened = Stores(opener)
        try:
            yield opened
        finally:
            opened.close_all()


@pytest.fixture
def store(stores: Stores) -> AccountStore:
    return stores.open()
