"""Two writers on one store file: each decides on the newest state, never on a stale copy.

The journal keeps its state in memory and reads the store only when the store's change number
says another connection committed; these tests make sure that shortcut never lets a command be
refused, or accepted, on a state that another writer has already changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import PRODUCTION, seed

from coldcheck.app import handlers as h
from coldcheck.app import ledgerops
from coldcheck.app.service import App, bootstrap
from coldcheck.app.settings import Settings
from coldcheck.domain.errors import Conflict

ENV = {"COLDCHECK_INSECURE_TEST_KDF": "1"}


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[App, App]]:
    db = tmp_path / "set.db"
    first = bootstrap(Settings.load(str(db), env=ENV), create=True)
    seed(first)
    second = bootstrap(Settings.load(str(db), env=ENV))
    second.state(PRODUCTION)  # the second writer has a copy in memory from now on
    yield first, second
    first.close()
    second.close()


def test_a_writer_sees_the_other_writers_lock_before_deciding(two: tuple[App, App]) -> None:
    first, second = two
    h.set_lock(first, PRODUCTION, "P01", "S01", True)

    with pytest.raises(Conflict, match="already locked"):
        h.set_lock(second, PRODUCTION, "P01", "S01", True)
    done = h.set_lock(second, PRODUCTION, "P01", "S01", False)

    assert done.first_seq == first.state(PRODUCTION).seq == second.state(PRODUCTION).seq


def test_a_firearm_taken_by_one_writer_cannot_be_taken_again_by_the_other(
    two: tuple[App, App],
) -> None:
    first, second = two
    h.take(first, PRODUCTION, "P01", "F01")

    with pytest.raises(Conflict, match="not in a store"):
        h.take(second, PRODUCTION, "P01", "F01")
    assert second.state(PRODUCTION).location["F01"].person == "P01"


def test_interleaved_writers_leave_one_ledger_that_verifies(two: tuple[App, App]) -> None:
    first, second = two
    for n in range(10):
        writer = first if n % 2 else second
        h.set_lock(writer, PRODUCTION, "P01", "S01", n % 2 == 0)

    report = ledgerops.verify(first, PRODUCTION, first.node().verifier_key)
    assert report.size == first.state(PRODUCTION).seq == second.state(PRODUCTION).seq


def test_a_refusal_is_never_decided_on_a_stale_copy(two: tuple[App, App]) -> None:
    first, second = two
    h.set_lock(first, PRODUCTION, "P01", "S01", True)
    assert second.state(PRODUCTION).stores["S01"].locked  # the second writer saw it locked
    h.set_lock(first, PRODUCTION, "P01", "S01", False)  # ... and now it is open again

    done = h.take(second, PRODUCTION, "P01", "F01")  # not refused with R-12 "locked"

    assert done.events[0].TYPE == "custody.taken"
