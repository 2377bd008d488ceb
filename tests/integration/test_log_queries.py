"""The ledger log read model (coldcheck.app.queries.log) on a real SQLite store: a timeline of
the newest entries reads the ledger backwards, as far as it needs, and gives exactly the
entries a full read would."""

from __future__ import annotations

from collections.abc import Iterator

from tests.conftest import PRODUCTION

from coldcheck.app import handlers as h
from coldcheck.app import queries
from coldcheck.app.service import App
from coldcheck.domain.values import IncidentKind
from coldcheck.store.port import Store, StoredRecord


class Counting:
    """The store, counting the records its streams hand out."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.read = 0

    def read_stream(self, production: str, after: int = 0) -> Iterator[StoredRecord]:
        for record in self.store.read_stream(production, after):
            self.read += 1
            yield record


def busy_day(app: App, rounds: int) -> None:
    """F02 taken out early, then the safe locked and unlocked ``rounds`` times, then F01 in an
    incident (named in a list) and F02 back."""
    h.take(app, PRODUCTION, "P01", "F02")
    for _ in range(rounds):
        h.set_lock(app, PRODUCTION, "P01", "S01", True)
        h.set_lock(app, PRODUCTION, "P01", "S01", False)
    h.open_incident(app, PRODUCTION, "P02", IncidentKind.MALFUNCTION, "Cylinder stuck.", ("F01",))
    h.put_back(app, PRODUCTION, "P01", "F02", "S01")


def test_the_newest_entries_are_those_of_a_full_read_and_cost_only_what_they_need(
    seeded: App,
) -> None:
    busy_day(seeded, rounds=queries.LOG_WINDOW)  # more than two windows of entries
    state = seeded.state(PRODUCTION)
    counting = Counting(seeded.store)
    where = queries.LogFilter(firearm="F02")

    everything = queries.log(counting, state, where)  # type: ignore[arg-type]
    full_cost, counting.read = counting.read, 0
    newest = queries.log(counting, state, where, newest=2)  # type: ignore[arg-type]

    assert full_cost == state.seq
    assert [e["type"] for e in newest] == ["custody.taken", "custody.returned"]
    assert newest == everything[-2:]
    assert counting.read == state.seq  # the take is in the first window: the walk got there

    counting.read = 0
    last = queries.log(counting, state, where, newest=1)  # type: ignore[arg-type]
    assert last == everything[-1:]
    assert counting.read == queries.LOG_WINDOW  # one window from the head was enough


def test_a_firearm_named_in_a_list_is_in_its_timeline(seeded: App) -> None:
    busy_day(seeded, rounds=1)
    state = seeded.state(PRODUCTION)

    timeline = queries.log(seeded.store, state, queries.LogFilter(firearm="F01"))

    assert "incident.opened" in [e["type"] for e in timeline]


def test_asking_for_more_than_there_is_gives_everything_once(seeded: App) -> None:
    state = seeded.state(PRODUCTION)
    everything = queries.log(seeded.store, state, queries.LogFilter())

    assert queries.log(seeded.store, state, queries.LogFilter(), newest=10_000) == everything
    assert [e["seq"] for e in everything] == list(range(1, state.seq + 1))
    assert queries.log(seeded.store, state, queries.LogFilter(), newest=0) == []
