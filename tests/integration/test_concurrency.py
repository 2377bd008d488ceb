"""Two writers on one production: no gap, no fork, and no sequence number given out twice."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import PRODUCTION
from tests.integration.appender import Appender

from coldcheck.app import handlers as h
from coldcheck.app import ledgerops
from coldcheck.app.service import App, bootstrap
from coldcheck.app.settings import Settings
from coldcheck.domain.errors import Conflict
from coldcheck.domain.values import StoreKind
from coldcheck.ledger.entry import decode
from coldcheck.store.port import NewRecord, StaleAppend
from coldcheck.store.sqlite import SqliteStore

N = 100
TEST_ENV = {"COLDCHECK_INSECURE_TEST_KDF": "1"}


@dataclass(frozen=True)
class StoreFile:
    db: Path
    node_key: str
    head: int


def _open(db: Path) -> App:
    return bootstrap(Settings.load(str(db), env=TEST_ENV))


@pytest.fixture
def store_file(seeded: App) -> StoreFile:
    """The seeded production with a second store, S02, so each writer has its own to lock."""
    added = h.add_store(seeded, PRODUCTION, "P01", "Prop case", StoreKind.CASE, False)
    store_file = StoreFile(
        db=seeded.settings.db, node_key=seeded.node().verifier_key, head=added.last_seq
    )
    seeded.close()
    return store_file


@pytest.fixture
def two_apps(store_file: StoreFile) -> Iterator[tuple[App, App]]:
    first, second = _open(store_file.db), _open(store_file.db)
    yield first, second
    first.close()
    second.close()


def _race(db: Path) -> dict[str, list[int]]:
    """Two writer processes, started together, each appending N entries; their acks."""
    with (
        Appender(db, PRODUCTION, "S01", count=N, wait=True, pause=True) as one,
        Appender(db, PRODUCTION, "S02", count=N, wait=True, pause=True) as two,
    ):
        one.wait_ready()
        two.wait_ready()
        one.go()
        two.go()
        one.finish(timeout=120)
        two.finish(timeout=120)
        return {"S01": one.acknowledged(), "S02": two.acknowledged()}


def _interleaved(acks: dict[str, list[int]]) -> bool:
    return min(acks["S02"]) < max(acks["S01"]) and min(acks["S01"]) < max(acks["S02"])


def test_two_processes_appending_at_once_share_one_gapless_ledger(store_file: StoreFile) -> None:
    # On a starved machine one writer may finish before the other starts: such a round still
    # checks every safety property, and the race is run again (at most 3 rounds) until the
    # writers really overlap, which the last assertion demands.
    start = store_file.head
    for _ in range(3):
        acks = _race(store_file.db)
        # Every append was acknowledged once, in order, and no seq went to both writers.
        assert [len(a) for a in acks.values()] == [N, N]
        for acked in acks.values():
            assert acked == sorted(set(acked))
        assert not set(acks["S01"]) & set(acks["S02"])
        assert sorted(acks["S01"] + acks["S02"]) == list(range(start + 1, start + 2 * N + 1))
        start += 2 * N
        if _interleaved(acks):
            break
    expected_head = start
    # ... and the writers really ran at the same time: their entries interleave.
    assert _interleaved(acks)

    app = _open(store_file.db)
    try:
        report = ledgerops.verify(app, PRODUCTION, store_file.node_key)
        head = app.store.head(PRODUCTION)
        stored = list(app.store.read_stream(PRODUCTION))
    finally:
        app.close()
    assert report.size == expected_head
    assert head is not None
    assert head.seq == expected_head
    assert [r.seq for r in stored] == list(range(1, expected_head + 1))
    # Each acknowledged seq holds that writer's entry, and each store was locked and unlocked
    # in strict turn: no writer decided on a state the other had already changed.
    bodies = {r.seq: decode(r.data).body for r in stored}
    for store, acked in acks.items():
        assert {bodies[seq].payload["store"] for seq in acked} == {store}
        assert [bodies[seq].type for seq in acked] == ["store.locked", "store.unlocked"] * (N // 2)


def _record(seq: int, text: str) -> NewRecord:
    data = text.encode()
    return NewRecord(seq=seq, data=data, hash=hashlib.sha256(data).digest())


def test_a_second_connection_cannot_append_on_the_head_it_read(tmp_path: Path) -> None:
    path = tmp_path / "coldcheck.db"
    first = SqliteStore(path, create=True)
    second = SqliteStore(path)
    try:
        assert first.head(PRODUCTION) is None
        assert second.head(PRODUCTION) is None

        first.append(PRODUCTION, 0, [_record(1, "first writer")])
        with pytest.raises(StaleAppend) as caught:
            second.append(PRODUCTION, 0, [_record(1, "second writer")])

        assert (caught.value.expected, caught.value.actual) == (0, 1)
        assert [r.data for r in second.read_stream(PRODUCTION)] == [b"first writer"]
        # Having caught up, the second writer extends the new head.
        assert second.append(PRODUCTION, 1, [_record(2, "second writer")]).seq == 2
        assert [r.data for r in first.read_stream(PRODUCTION)] == [
            b"first writer",
            b"second writer",
        ]
    finally:
        first.close()
        second.close()


def test_a_writer_with_a_stale_view_appends_after_the_other_not_over_it(
    store_file: StoreFile, two_apps: tuple[App, App]
) -> None:
    first, second = two_apps
    first.state(PRODUCTION)
    second.state(PRODUCTION)

    mine = h.set_lock(first, PRODUCTION, "P01", "S01", True)
    theirs = h.set_lock(second, PRODUCTION, "P01", "S02", True)

    assert (mine.last_seq, theirs.last_seq) == (store_file.head + 1, store_file.head + 2)
    assert ledgerops.verify(first, PRODUCTION, store_file.node_key).size == store_file.head + 2


def test_a_writer_with_a_stale_view_is_refused_what_the_other_already_did(
    store_file: StoreFile, two_apps: tuple[App, App]
) -> None:
    first, second = two_apps
    assert not second.state(PRODUCTION).stores["S01"].locked

    h.set_lock(first, PRODUCTION, "P01", "S01", True)
    with pytest.raises(Conflict, match="already locked"):
        h.set_lock(second, PRODUCTION, "P01", "S01", True)

    head = second.store.head(PRODUCTION)
    assert head is not None
    assert head.seq == store_file.head + 1
    assert second.state(PRODUCTION).stores["S01"].locked
