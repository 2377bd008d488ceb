"""The store port's contract: every backend must pass this suite unchanged.

A backend joins the suite by adding one entry to ``BACKENDS``: a context manager that, given
a fresh temporary directory, yields an ``open`` callable and cleans up afterwards. Each call of
``open`` connects to the *same* empty-at-first store (creating it the first time), so the suite
can close and reopen it (durability) or hold two connections at once (optimistic
concurrency). A PostgreSQL backend would create a schema named after the directory, yield
connections to it, and drop it on exit (or ``pytest.skip`` when no server is configured).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from coldcheck.ledger.keys import TEST_ONLY_MINIMUM, SealedKey, seal_new_key
from coldcheck.store.port import Head, NewRecord, StaleAppend, Store, StoredRecord, StoreError
from coldcheck.store.sqlite import SqliteStore

Opener = Callable[[], Store]


@contextmanager
def _sqlite(directory: Path) -> Iterator[Opener]:
    path = directory / "contract.db"
    yield lambda: SqliteStore(path, create=True)


BACKENDS: dict[str, Callable[[Path], AbstractContextManager[Opener]]] = {"sqlite": _sqlite}


class Stores:
    """Opens connections to one store and closes whatever a test left open."""

    def __init__(self, opener: Opener) -> None:
        self._opener = opener
        self._open: list[Store] = []

    def open(self) -> Store:
        store = self._opener()
        self._open.append(store)
        return store

    def reopen(self, store: Store) -> Store:
        """Close ``store`` (as a process exit would) and connect again."""
        self.close(store)
        return self.open()

    def close(self, store: Store) -> None:
        self._open.remove(store)
        store.close()

    def close_all(self) -> None:
        while self._open:
            self._open.pop().close()


@pytest.fixture(params=sorted(BACKENDS))
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    with BACKENDS[request.param](tmp_path) as opener:
        opened = Stores(opener)
        try:
            yield opened
        finally:
            opened.close_all()


@pytest.fixture
def store(stores: Stores) -> Store:
    return stores.open()


def rec(production: str, seq: int) -> NewRecord:
    """A record with content unique to (production, seq); the store never interprets it."""
    data = f'{{"production":"{production}","seq":{seq}}}'.encode()
    return NewRecord(seq=seq, data=data, hash=hashlib.sha256(data).digest())


def batch(production: str, first: int, count: int) -> list[NewRecord]:
    return [rec(production, seq) for seq in range(first, first + count)]


def seqs(store: Store, production: str, after: int = 0) -> list[int]:
    return [r.seq for r in store.read_stream(production, after)]


def key(production: str, person: str) -> SealedKey:
    return seal_new_key(production, person, "246810", TEST_ONLY_MINIMUM)


def snapshot(store: Store, production: str) -> tuple[object, ...]:
    """Everything a reader can see of one production."""
    return (
        store.head(production),
        list(store.read_stream(production)),
        store.checkpoints(production),
        store.read_all(),
        store.productions(),
    )


# -- an empty store ------------------------------------------------------------------------


def test_a_new_store_is_empty(store: Store) -> None:
    assert store.head("dust-road") is None
    assert list(store.read_stream("dust-road")) == []
    assert store.read_all() == []
    assert store.productions() == []
    assert store.checkpoints("dust-road") == []
    assert store.sealed_key("dust-road", "P01") is None


# -- append, head and reading back ---------------------------------------------------------


def test_append_returns_the_new_head_and_head_reports_it(store: Store) -> None:
    records = batch("dust-road", 1, 3)

    head = store.append("dust-road", 0, records)

    assert (head.seq, head.hash) == (3, records[-1].hash)
    assert store.head("dust-road") == head


def test_records_read_back_byte_for_byte_in_sequence_order(store: Store) -> None:
    store.append("dust-road", 0, batch("dust-road", 1, 2))
    store.append("dust-road", 2, batch("dust-road", 3, 3))

    stored = list(store.read_stream("dust-road"))

    assert [(r.production, r.seq, r.data, r.hash) for r in stored] == [
        ("dust-road", r.seq, r.data, r.hash) for r in batch("dust-road", 1, 5)
    ]
    assert seqs(store, "dust-road", after=3) == [4, 5]
    assert seqs(store, "dust-road", after=5) == []


def test_productions_are_separate_streams_in_one_global_order(store: Store) -> None:
    store.append("alpha", 0, batch("alpha", 1, 2))
    store.append("beta", 0, batch("beta", 1, 1))
    store.append("alpha", 2, batch("alpha", 3, 1))
    store.append("beta", 1, batch("beta", 2, 2))

    assert seqs(store, "alpha") == [1, 2, 3]
    assert seqs(store, "beta") == [1, 2, 3]
    assert store.head("alpha") == Head(seq=3, hash=rec("alpha", 3).hash)
    assert store.head("beta") == Head(seq=3, hash=rec("beta", 3).hash)
    everything = store.read_all()
    assert [(r.production, r.seq) for r in everything] == [
        ("alpha", 1),
        ("alpha", 2),
        ("beta", 1),
        ("alpha", 3),
        ("beta", 2),
        ("beta", 3),
    ]
    positions = [r.position for r in everything]
    assert positions == sorted(set(positions)), "positions must be unique and increasing"
    by_key = {(r.production, r.seq): r for r in everything}
    for production in ("alpha", "beta"):
        for stored in store.read_stream(production):
            assert by_key[(production, stored.seq)] == stored


def test_read_all_pages_through_every_record_after_a_position(store: Store) -> None:
    store.append("alpha", 0, batch("alpha", 1, 4))
    store.append("beta", 0, batch("beta", 1, 3))
    everything = store.read_all()

    pages: list[list[StoredRecord]] = []
    after = 0
    while page := store.read_all(after=after, limit=3):
        pages.append(page)
        after = page[-1].position

    assert [len(p) for p in pages] == [3, 3, 1]
    assert [r for p in pages for r in p] == everything
    assert store.read_all(after=everything[2].position) == everything[3:]
    assert store.read_all(after=everything[-1].position) == []


def test_productions_lists_each_production_with_records_once(store: Store) -> None:
    store.append("beta", 0, batch("beta", 1, 2))
    store.append("alpha", 0, batch("alpha", 1, 1))
    store.append("beta", 2, batch("beta", 3, 1))

    assert sorted(store.productions()) == ["alpha", "beta"]
    assert len(store.productions()) == 2


# -- refusals: optimistic concurrency and contiguity -----------------------------------------


def test_an_append_on_a_stale_head_is_refused_and_writes_nothing(store: Store) -> None:
    store.append("dust-road", 0, batch("dust-road", 1, 2))
    before = snapshot(store, "dust-road")

    with pytest.raises(StaleAppend) as caught:
        store.append("dust-road", 1, [rec("dust-road", 2)], sealed_keys=[key("dust-road", "P09")])

    assert (caught.value.expected, caught.value.actual) == (1, 2)
    assert snapshot(store, "dust-road") == before
    assert store.sealed_key("dust-road", "P09") is None


def test_an_append_expecting_a_head_beyond_the_real_one_is_refused(store: Store) -> None:
    store.append("dust-road", 0, batch("dust-road", 1, 1))

    with pytest.raises(StaleAppend) as caught:
        store.append("dust-road", 3, batch("dust-road", 4, 1))

    assert (caught.value.expected, caught.value.actual) == (3, 1)
    assert seqs(store, "dust-road") == [1]


def test_the_first_append_to_a_production_must_expect_an_empty_stream(store: Store) -> None:
    with pytest.raises(StaleAppend) as caught:
        store.append("dust-road", 2, batch("dust-road", 3, 1))

    assert (caught.value.expected, caught.value.actual) == (2, 0)
    assert store.head("dust-road") is None
    assert store.productions() == []


def test_a_writer_on_another_connection_cannot_extend_the_same_head(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    seen_by_first, seen_by_second = first.head("dust-road"), second.head("dust-road")
    assert seen_by_first is None
    assert seen_by_second is None

    first.append("dust-road", 0, [rec("dust-road", 1)])
    with pytest.raises(StaleAppend):
        second.append("dust-road", 0, [rec("dust-road", 1)])

    assert [r.data for r in second.read_stream("dust-road")] == [rec("dust-road", 1).data]


@pytest.mark.parametrize(
    ("expected", "batch_seqs"),
    [
        pytest.param(2, [4], id="gap-before-the-batch"),
        pytest.param(2, [2], id="overwrites-the-head"),
        pytest.param(2, [3, 5], id="gap-inside-the-batch"),
        pytest.param(2, [3, 3], id="second-record-repeats-the-first"),
        pytest.param(2, [4, 3], id="out-of-order"),
        pytest.param(2, [], id="empty-batch"),
    ],
)
def test_a_batch_that_does_not_continue_the_head_is_refused(
    store: Store, expected: int, batch_seqs: list[int]
) -> None:
    store.append("dust-road", 0, batch("dust-road", 1, 2))
    before = snapshot(store, "dust-road")

    with pytest.raises(StoreError) as caught:
        store.append("dust-road", expected, [rec("dust-road", s) for s in batch_seqs])

    # A caller bug, not a race: retrying (what callers do on StaleAppend) cannot fix it.
    assert not isinstance(caught.value, StaleAppend)
    assert snapshot(store, "dust-road") == before


# -- atomicity ---------------------------------------------------------------------------------


def test_a_batch_whose_second_sealed_key_collides_writes_nothing(store: Store) -> None:
    sealed = key("dust-road", "P01")

    with pytest.raises(StoreError):
        store.append("dust-road", 0, batch("dust-road", 1, 2), sealed_keys=[sealed, sealed])

    assert store.head("dust-road") is None
    assert list(store.read_stream("dust-road")) == []
    assert store.read_all() == []
    assert store.sealed_key("dust-road", "P01") is None
    # The store is still usable: the failed batch left no transaction open behind it.
    assert store.append("dust-road", 0, batch("dust-road", 1, 1), sealed_keys=[sealed]).seq == 1
    assert store.sealed_key("dust-road", "P01") == sealed


def test_a_batch_colliding_with_a_stored_key_keeps_neither_its_records_nor_its_keys(
    store: Store,
) -> None:
    p01 = key("dust-road", "P01")
    store.append("dust-road", 0, batch("dust-road", 1, 1), sealed_keys=[p01])
    before = snapshot(store, "dust-road")
    p02 = key("dust-road", "P02")

    with pytest.raises(StoreError):
        store.append("dust-road", 1, batch("dust-road", 2, 3), sealed_keys=[p02, p01])

    assert snapshot(store, "dust-road") == before
    assert store.sealed_key("dust-road", "P02") is None
    assert store.sealed_key("dust-road", "P01") == p01


# -- the key vault -------------------------------------------------------------------------


def test_sealed_key_returns_the_newest_key_of_each_person(store: Store) -> None:
    first, other, rotated = key("alpha", "P01"), key("alpha", "P02"), key("alpha", "P01")
    elsewhere = key("beta", "P01")
    store.append("alpha", 0, batch("alpha", 1, 1), sealed_keys=[first, other])
    store.append("beta", 0, batch("beta", 1, 1), sealed_keys=[elsewhere])
    assert store.sealed_key("alpha", "P01") == first

    store.append("alpha", 1, batch("alpha", 2, 1), sealed_keys=[rotated])

    assert store.sealed_key("alpha", "P01") == rotated
    assert store.sealed_key("alpha", "P02") == other
    assert store.sealed_key("beta", "P01") == elsewhere
    assert store.sealed_key("alpha", "P03") is None
    assert store.sealed_key("gamma", "P01") is None


# -- checkpoints ---------------------------------------------------------------------------


def test_checkpoints_are_listed_per_production_smallest_first(store: Store) -> None:
    # Neither the order of adding nor the creation times follow the sizes.
    store.add_checkpoint("alpha", 9, "note nine\n", "2026-01-01T00:00:00.000000Z")
    store.add_checkpoint("alpha", 2, "note two\n", "2026-01-03T00:00:00.000000Z")
    store.add_checkpoint("beta", 4, "beta note\n", "2026-01-02T00:00:00.000000Z")
    store.add_checkpoint("alpha", 5, "note five\n", "2026-01-02T00:00:00.000000Z")

    listed = store.checkpoints("alpha")

    assert [(c.production, c.size, c.note, c.created) for c in listed] == [
        ("alpha", 2, "note two\n", "2026-01-03T00:00:00.000000Z"),
        ("alpha", 5, "note five\n", "2026-01-02T00:00:00.000000Z"),
        ("alpha", 9, "note nine\n", "2026-01-01T00:00:00.000000Z"),
    ]
    assert [c.size for c in store.checkpoints("beta")] == [4]
    assert store.checkpoints("gamma") == []


# -- the change number ----------------------------------------------------------------------


def _version(store: Store) -> int:
    version = store.version()
    if version is None:
        pytest.skip("this backend cannot tell cheaply whether anything changed")
    return version


def test_version_stays_put_while_nothing_is_committed(stores: Stores) -> None:
    store, other = stores.open(), stores.open()
    store.append("dust-road", 0, batch("dust-road", 1, 2))
    before = _version(store)

    list(store.read_stream("dust-road"))
    store.head("dust-road")
    other.head("dust-road")
    list(other.read_stream("dust-road"))
    with pytest.raises(StaleAppend):
        store.append("dust-road", 1, [rec("dust-road", 2)])

    assert store.version() == before


def test_version_changes_when_another_connection_commits(stores: Stores) -> None:
    store, other = stores.open(), stores.open()
    store.append("dust-road", 0, batch("dust-road", 1, 1))
    before = _version(store)

    other.append("dust-road", 1, [rec("dust-road", 2)])
    after_append = _version(store)
    other.append("elsewhere", 0, batch("elsewhere", 1, 2), sealed_keys=[key("elsewhere", "P01")])
    after_batch = _version(store)
    other.add_checkpoint("dust-road", 2, "note\n", "2026-01-01T00:00:00.000000Z")
    after_checkpoint = _version(store)

    assert len({before, after_append, after_batch, after_checkpoint}) == 4
    assert seqs(store, "dust-road") == [1, 2]


def test_version_rises_by_one_per_own_commit_and_still_sees_other_commits(
    stores: Stores,
) -> None:
    store, other = stores.open(), stores.open()
    first = _version(store)

    store.append("dust-road", 0, [rec("dust-road", 1)])
    assert _version(store) == first + 1
    store.append("dust-road", 1, batch("dust-road", 2, 2), sealed_keys=[key("dust-road", "P01")])
    assert _version(store) == first + 2
    store.add_checkpoint("dust-road", 3, "note\n", "2026-01-01T00:00:00.000000Z")
    assert _version(store) == first + 3

    # another connection's commit right after this one's: "my append plus one" is then wrong
    store.append("dust-road", 3, [rec("dust-road", 4)])
    other.append("dust-road", 4, [rec("dust-road", 5)])
    assert _version(store) != first + 4


# -- durability ----------------------------------------------------------------------------


def test_everything_acknowledged_survives_closing_and_reopening(stores: Stores) -> None:
    store = stores.open()
    sealed = key("alpha", "P01")
    store.append("alpha", 0, batch("alpha", 1, 3), sealed_keys=[sealed])
    store.append("beta", 0, batch("beta", 1, 2))
    store.add_checkpoint("alpha", 3, "alpha at three\n", "2026-01-01T00:00:00.000000Z")
    before = {p: snapshot(store, p) for p in ("alpha", "beta")}

    store = stores.reopen(store)

    assert {p: snapshot(store, p) for p in ("alpha", "beta")} == before
    assert store.sealed_key("alpha", "P01") == sealed
    # Appending carries on from the reopened head, and the old head is stale.
    with pytest.raises(StaleAppend):
        store.append("alpha", 2, [rec("alpha", 3)])
    assert store.append("alpha", 3, [rec("alpha", 4)]).seq == 4
    assert seqs(store, "alpha") == [1, 2, 3, 4]
