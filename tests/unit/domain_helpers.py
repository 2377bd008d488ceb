"""Given / when / then for the pure domain.

    given(standard_production(), taken(REVOLVER, by=HEAD))      # state from recorded events
        .when(ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=HEAD)
        .then(HandoffProposed(handoff="H0001", ...))             # exactly these events

    ....then_refused(Refused, "R-13")                            # or this refusal, this rule id

A history is built from events directly (never through ``decide``), so a test states the facts
it starts from. ``then_refused`` also checks that the refused command left the state as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from coldcheck.domain import events as ev
from coldcheck.domain.commands import Command, Context
from coldcheck.domain.decide import decide
from coldcheck.domain.errors import Refusal
from coldcheck.domain.state import ProductionState, Stamp, evolve
from coldcheck.domain.values import Permit, Role

PRODUCTION = "dust-road"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PERMIT_EXPIRES = date(2026, 12, 31)
AFTER_EXPIRY = datetime(2027, 1, 1, 8, 0, tzinfo=UTC)
HEAD_PERMIT = Permit(number="CA-0042", authority="California DOJ", expires=PERMIT_EXPIRES)

# the standard production's people, in registration order
HEAD = "P01"  # head armorer, permit on file until PERMIT_EXPIRES
TALENT = "P02"
FIRST_AD = "P03"
PRODUCER = "P04"
INVESTIGATOR = "P05"
ASSISTANT = "P06"  # assistant armorer, no permit on file
OTHER_TALENT = "P07"
SAFETY = "P08"  # safety advisor
NAMES = {
    HEAD: "Hannah Reed",
    TALENT: "Jack Colt",
    FIRST_AD: "Ann Marsh",
    PRODUCER: "Paul Price",
    INVESTIGATOR: "Ivy Stone",
    ASSISTANT: "Sam Hale",
    OTHER_TALENT: "Kit Lane",
    SAFETY: "Sara Vance",
}
ARMORERS = (HEAD, ASSISTANT)
TALENTS = (TALENT, OTHER_TALENT)
EVERYONE = (HEAD, TALENT, FIRST_AD, PRODUCER, INVESTIGATOR, ASSISTANT, OTHER_TALENT, SAFETY)

SAFE = "S01"  # "Main safe", unlocked
CART = "S02"  # "Prop cart", locked
REVOLVER = "F01"  # in the safe
PISTOL = "F02"  # in the safe
RIFLE = "F03"  # in the (locked) cart
FIREARMS = (REVOLVER, PISTOL, RIFLE)
STORES = (SAFE, CART)


def key_of(person: str, generation: int = 1) -> str:
    return f"k{person.lower()}g{generation}"


def public_key_of(person: str, generation: int = 1) -> str:
    return f"pk-{person}-{generation}"


# -- events a history is made of ----------------------------------------------------------------


def opened(production: str = PRODUCTION, name: str = "Dust Road") -> list[ev.Event]:
    return [
        ev.LedgerOpened(origin=f"coldcheck/node-a/{production}", node_key="node-a+0000"),
        ev.ProductionCreated(production=production, name=name),
    ]


def person(pid: str, name: str, *roles: Role, head_armorer: bool = False) -> list[ev.Event]:
    return [
        ev.PersonRegistered(
            person=pid,
            name=name,
            roles=tuple(sorted(r.value for r in roles)),
            head_armorer=head_armorer,
        ),
        ev.KeyCreated(person=pid, key=key_of(pid), public_key=public_key_of(pid)),
    ]


def permit(pid: str, expires: date = PERMIT_EXPIRES) -> list[ev.Event]:
    return [
        ev.PermitRecorded(
            person=pid, number=f"CA-{pid}", authority="California DOJ", expires=expires.isoformat()
        )
    ]


def store(sid: str, name: str, *, locked: bool, kind: str = "safe") -> list[ev.Event]:
    return [ev.StoreAdded(store=sid, name=name, kind=kind, locked=locked)]


def firearm(
    fid: str, serial: str, store: str, *, chambers: int = 6, magazine: int = 0
) -> list[ev.Event]:
    return [
        ev.FirearmRegistered(
            firearm=fid,
            serial=serial,
            make="Uberti",
            model="1873 Cattleman",
            action="revolver",
            calibre=".45 Colt",
            chambers=chambers,
            magazine=magazine,
            kind="blank_firing_real",
            owner="Hollywood Rentals",
            documents=(),
            store=store,
        )
    ]


def standard_production() -> list[ev.Event]:
    """Head armorer with a permit, two talents, a 1st AD, a producer, an investigator, an
    assistant armorer without a permit, a safety advisor; an unlocked safe holding a revolver
    and a pistol, and a locked cart holding a rifle."""
    return [
        *opened(),
        *person(HEAD, NAMES[HEAD], Role.ARMORER, head_armorer=True),
        *permit(HEAD),
        *person(TALENT, NAMES[TALENT], Role.TALENT),
        *person(FIRST_AD, NAMES[FIRST_AD], Role.FIRST_AD),
        *person(PRODUCER, NAMES[PRODUCER], Role.PRODUCER),
        *person(INVESTIGATOR, NAMES[INVESTIGATOR], Role.INVESTIGATOR),
        *person(ASSISTANT, NAMES[ASSISTANT], Role.ARMORER),
        *person(OTHER_TALENT, NAMES[OTHER_TALENT], Role.TALENT),
        *person(SAFETY, NAMES[SAFETY], Role.SAFETY_ADVISOR),
        *store(SAFE, "Main safe", locked=False),
        *store(CART, "Prop cart", locked=True, kind="cart"),
        *firearm(REVOLVER, "UB-1873-001", SAFE),
        *firearm(PISTOL, "BE-92-7781", SAFE, chambers=1, magazine=15),
        *firearm(RIFLE, "WI-1892-555", CART),
    ]


def taken(fid: str, *, by: str = HEAD, store: str = SAFE) -> list[ev.Event]:
    return [ev.FirearmTaken(firearm=fid, store=store, by=by)]


def proposed(hid: str, fid: str, giver: str, receiver: str) -> list[ev.Event]:
    return [ev.HandoffProposed(handoff=hid, firearm=fid, giver=giver, receiver=receiver)]


def accepted(hid: str, fid: str, giver: str, receiver: str) -> list[ev.Event]:
    return [ev.HandoffAccepted(handoff=hid, firearm=fid, giver=giver, receiver=receiver)]


def handed(hid: str, fid: str, giver: str, receiver: str) -> list[ev.Event]:
    """A completed hand-off: proposed, then accepted."""
    return proposed(hid, fid, giver, receiver) + accepted(hid, fid, giver, receiver)


def with_talent(fid: str = REVOLVER, talent: str = TALENT) -> list[ev.Event]:
    """The head armorer took ``fid`` out of the safe and handed it to ``talent`` (H0001)."""
    return taken(fid) + handed("H0001", fid, HEAD, talent)


# -- given / when / then -----------------------------------------------------------------------


def stamp(seq: int) -> Stamp:
    moment = NOW - timedelta(hours=1) + timedelta(seconds=seq)
    return Stamp(seq=seq, time=moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def snapshot(state: ProductionState) -> ProductionState:
    """A copy that a later in-place change to ``state`` cannot reach. The state's mappings are
    copied; what they hold (people, firearms, stores, locations) is frozen already."""
    mappings: dict[str, Any] = {
        f.name: dict(v) for f in fields(state) if isinstance(v := getattr(state, f.name), dict)
    }
    return replace(state, **mappings)


def replay(history: Sequence[ev.Event], state: ProductionState | None = None) -> ProductionState:
    current = state or ProductionState()
    for event in history:
        current = evolve(current, event, stamp(current.seq + 1))
    return current


def decided(
    state: ProductionState, command: Command, actor: str, now: datetime = NOW
) -> list[ev.Event] | Refusal:
    """What ``decide`` makes of a command: its events, or the refusal (returned, not raised).
    Any other exception propagates: the domain never crashes on a command."""
    try:
        return decide(state, command, Context(actor=actor, now=now))
    except Refusal as refusal:
        return refusal


@dataclass(frozen=True, slots=True)
class Scenario:
    history: tuple[ev.Event, ...]
    state: ProductionState

    def when(self, command: Command, *, by: str, at: datetime = NOW) -> Outcome:
        before = snapshot(self.state)
        result = decided(self.state, command, by, at)
        if isinstance(result, Refusal):
            return Outcome(self, before, None, result)
        return Outcome(self, before, result, None)

    def seq_of(self, event: ev.Event) -> int:
        """The ledger position at which ``event`` was recorded in this history."""
        return self.history.index(event) + 1


@dataclass(frozen=True, slots=True)
class Outcome:
    scenario: Scenario
    before: ProductionState
    produced: list[ev.Event] | None
    refusal: Refusal | None

    @property
    def events(self) -> list[ev.Event]:
        assert self.refusal is None, f"refused: {self.refusal.line()}"
        assert self.produced is not None
        return self.produced

    def then(self, *expected: ev.Event) -> Scenario:
        """Assert the command produced exactly ``expected``; return the scenario after them."""
        assert self.events == list(expected)
        return given(self.scenario.history, self.events)

    def accepted(self) -> Scenario:
        """The scenario after the produced events, whatever they were."""
        return given(self.scenario.history, self.events)

    def then_refused(self, kind: type[Refusal], rule: str | None) -> Refusal:
        """Assert a refusal of exactly this kind and rule id, that it tells the person what
        happened, and that deciding changed nothing."""
        assert self.refusal is not None, f"not refused; produced {self.produced}"
        assert type(self.refusal) is kind, self.refusal.line()
        assert self.refusal.rule == rule, self.refusal.line()
        assert self.refusal.message.strip()
        assert self.scenario.state == self.before
        return self.refusal


def given(*histories: Iterable[ev.Event]) -> Scenario:
    history = tuple(e for h in histories for e in h)
    return Scenario(history, replay(history))
