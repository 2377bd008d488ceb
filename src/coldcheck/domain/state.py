"""The state of one production, and ``evolve``: state + event -> new state.

State is immutable; ``evolve`` returns a new value and never fails on an event the ledger holds
(events are facts). Where each firearm is lives in one mapping, ``location``: a firearm is in
exactly one store or with exactly one person, by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, TypeVar

from coldcheck.domain import events as ev
from coldcheck.domain.values import EVIDENCE_KINDS, SETTINGS, Capacity, Permit, Role


@dataclass(frozen=True, kw_only=True, slots=True)
class Person:
    id: str
    name: str
    roles: frozenset[Role]
    head_armorer: bool = False
    permit: Permit | None = None
    key: str | None = None
    registered_seq: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Firearm:
    id: str
    serial: str
    make: str
    model: str
    action: str
    calibre: str
    capacity: Capacity
    kind: str
    owner: str
    documents: tuple[str, ...]
    registered_seq: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Store:
    id: str
    name: str
    kind: str
    locked: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Location:
    """Where a firearm is: in a store (``store``) or with a person (``person``), since when."""

    store: str | None = None
    person: str | None = None
    since: str = ""
    since_seq: int = 0
    reported: bool = False  # put here by a report of reality, not by the protocol


@dataclass(frozen=True, kw_only=True, slots=True)
class Handoff:
    id: str
    firearm: str
    giver: str
    receiver: str
    proposed: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Lot:
    """An ammunition lot: one class, calibre (and load), one supplier, kept in one store."""

    id: str
    ammo_class: str
    calibre: str
    load: str
    close_range: bool
    count: int
    supplier: str
    provenance: str
    store: str
    inert: int = 0  # dummies shown inert so far
    suspect: int = 0  # dummies found NOT inert: the lot is quarantined
    received: int = 0  # rounds received; count + loaded + fired + misfired == received
    fired: int = 0
    misfired: int = 0

    @property
    def loadable(self) -> bool:
        """R-05: a dummy lot is loadable only when every round in it was shown inert."""
        if self.suspect:
            return False
        if self.ammo_class == "dummy":
            return self.inert >= self.received
        return self.ammo_class == "blank"


@dataclass(frozen=True, kw_only=True, slots=True)
class Inspection:
    """The newest inspection of a firearm: its verified load state."""

    result: str
    rounds: int
    load: str
    reason: str
    phase: str
    by: str
    time: str
    seq: int
    witnesses: tuple[tuple[str, str], ...] = ()  # (person, role) shown it, in order (R-20/21)
    void: str = ""  # why its verification no longer holds, or ""
    announced: str = ""  # "cold" or "hot" once the 1st AD announced this verification
    announced_text: str = ""  # the words the 1st AD announced


@dataclass(frozen=True, kw_only=True, slots=True)
class Rounds:
    """The rounds in one firearm, and its count since the last reconciliation (R-09)."""

    loaded: tuple[tuple[str, int], ...] = ()  # (lot, rounds) in the firearm, unfired
    spent: int = 0  # spent cases still in the firearm
    issued: int = 0  # loaded since the last reconciliation
    fired: int = 0
    returned: int = 0
    misfired: int = 0
    misfire_at: str = ""  # time of a misfire not yet cleared

    @property
    def in_firearm(self) -> int:
        return sum(n for _, n in self.loaded)

    @property
    def empty(self) -> bool:
        return not self.loaded and self.spent == 0 and not self.misfire_at

    @property
    def counted(self) -> bool:
        """Nothing issued, fired, returned or misfired since the last reconciliation."""
        return self.issued == self.fired == self.returned == self.misfired == 0

    @property
    def reconciled(self) -> bool:
        return self.counted and self.empty


@dataclass(frozen=True, kw_only=True, slots=True)
class Plan:
    scene: str
    mode: str
    entries: dict[str, tuple[str, int, str]]  # firearm -> (class, most rounds, blank load)
    distance_ft: int
    close_range: bool
    shields: tuple[str, ...]
    protection: tuple[str, ...]
    pointing: str
    justification: str
    risks: str
    by: str
    seq: int
    approved_by: str = ""
    approved_seq: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Meeting:
    id: str
    scene: str
    day: str
    lead: str
    attendees: frozenset[str]  # the lead's roll call
    seq: int
    confirmed: frozenset[str] = frozenset()  # the lead, and who confirmed with their PIN
    briefing: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Call:
    """The 1st AD's call for a firearm in the current set-up of a scene (R-27)."""

    scene: str
    seq: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Incident:
    id: str
    kind: str
    firearm: str  # "" = production-wide stop-work
    firearms: tuple[str, ...]
    lots: tuple[str, ...]
    by: str
    description: str
    time: str
    seq: int
    closed_by: str = ""
    closed_seq: int = 0
    findings: str = ""
    corrective_action: str = ""

    @property
    def open(self) -> bool:
        return not self.closed_seq


@dataclass(frozen=True, kw_only=True, slots=True)
class Concern:
    id: str
    by: str
    text: str
    stop: bool
    time: str
    seq: int
    answered_by: str = ""
    answer: str = ""
    answered_seq: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Waiver:
    id: str
    rule: str
    setting: str
    value: int
    advisor: str
    reason: str
    seq: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Stoppage:
    """R-47: the armorer's stop of all firearms work."""

    by: str
    reason: str
    seq: int


@dataclass(frozen=True, kw_only=True, slots=True)
class ProductionState:
    production: str = ""
    name: str = ""
    seq: int = 0
    people: dict[str, Person] = field(default_factory=dict)
    firearms: dict[str, Firearm] = field(default_factory=dict)
    stores: dict[str, Store] = field(default_factory=dict)
    location: dict[str, Location] = field(default_factory=dict)
    handoffs: dict[str, Handoff] = field(default_factory=dict)  # pending only
    handoffs_made: int = 0
    lots: dict[str, Lot] = field(default_factory=dict)
    inspections: dict[str, Inspection] = field(default_factory=dict)
    rounds: dict[str, Rounds] = field(default_factory=dict)  # firearms ever loaded
    days: dict[str, int] = field(default_factory=dict)  # opening check: ISO day -> seq
    day_seq: int = 0  # the newest opening check: the shoot day it opened (until wrap)
    day_time: str = ""
    training: dict[tuple[str, str], int] = field(default_factory=dict)  # (person, action)
    plans: dict[str, Plan] = field(default_factory=dict)  # by scene, the newest
    meetings: dict[str, Meeting] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)  # firearm -> its current call
    cuts: dict[str, int] = field(default_factory=dict)  # scene -> seq of its last "cut"
    issued: dict[str, int] = field(default_factory=dict)  # firearm -> seq handed to talent
    back: dict[str, int] = field(default_factory=dict)  # firearm -> seq back from talent
    # firearms that were out of the armorer's hands (issued, or reported elsewhere) and have
    # not had a post-use inspection since: firearm -> seq since when
    post_use_due: dict[str, int] = field(default_factory=dict)
    on_break: str = ""  # "", "break", "lunch" or "wrap"
    incidents: dict[str, Incident] = field(default_factory=dict)
    concerns: dict[str, Concern] = field(default_factory=dict)
    stoppage: Stoppage | None = None
    last_closure: int = 0  # seq of the newest incident closure
    missing: frozenset[str] = frozenset()
    settings: dict[str, int] = field(default_factory=dict)  # changed from the default only
    waivers: dict[str, Waiver] = field(default_factory=dict)
    range_sessions: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    range_lots: dict[str, tuple[str, str, int]] = field(default_factory=dict)

    @property
    def opened(self) -> bool:
        return bool(self.production)

    def holder(self, firearm: str) -> str | None:
        return self.location[firearm].person

    def pending_for(self, firearm: str) -> Handoff | None:
        return next((h for h in self.handoffs.values() if h.firearm == firearm), None)

    def head_armorer(self) -> Person | None:
        return next((p for p in self.people.values() if p.head_armorer), None)

    def rounds_in(self, firearm: str) -> Rounds:
        return self.rounds.get(firearm) or _NO_ROUNDS

    def setting(self, name: str) -> int:
        return self.settings.get(name, SETTINGS[name].default)

    @staticmethod
    def on_hold_kind(incident: Incident) -> bool:
        """True when this incident's firearms and rounds are evidence (R-54)."""
        return incident.kind in EVIDENCE_KINDS

    def on_hold(self, *, firearm: str = "", lot: str = "") -> Incident | None:
        """The open incident holding this firearm or lot as evidence (R-54), if any."""
        for incident in self.incidents.values():
            if not incident.open or incident.kind not in EVIDENCE_KINDS:
                continue
            if (firearm and firearm in incident.firearms) or (lot and lot in incident.lots):
                return incident
        return None


_NO_ROUNDS = Rounds()


@dataclass(frozen=True, kw_only=True, slots=True)
class Stamp:
    """Where and when an event was recorded: its sequence number and time."""

    seq: int
    time: str


_T = TypeVar("_T")
_V = TypeVar("_V")
_COPIERS: dict[type, tuple[Callable[[Any], Any], frozenset[str]]] = {}
_set = object.__setattr__


def _copier(cls: type) -> tuple[Callable[[Any], Any], frozenset[str]]:
    """A function returning a field-by-field copy of a ``cls`` (generated once per class: a
    straight run of slot stores, without the per-call introspection of dataclasses.replace)."""
    names = tuple(f.name for f in fields(cls))
    lines = ["def copy(obj):", "    new = new_object(cls)"]
    lines += [f"    set_(new, {name!r}, obj.{name})" for name in names]
    lines.append("    return new")
    scope: dict[str, Any] = {"new_object": object.__new__, "cls": cls, "set_": _set}
    exec("\n".join(lines), scope)  # noqa: S102 - field names of our own dataclasses only
    return scope["copy"], frozenset(names)


def replace(obj: _T, **changes: Any) -> _T:
    """``dataclasses.replace`` for the frozen, slotted state classes here (none has an
    ``__init__`` check or an ``InitVar``), several times cheaper: it runs for every command. The
    original is never modified; unknown field names are refused as by dataclasses.replace."""
    cls = type(obj)
    known = _COPIERS.get(cls)
    if known is None:
        known = _COPIERS[cls] = _copier(cls)
    copy, names = known
    new: _T = copy(obj)
    for name, value in changes.items():
        if name not in names:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        _set(new, name, value)
    return new


def evolve(state: ProductionState, event: ev.Event, stamp: Stamp) -> ProductionState:
    """Apply one recorded event."""
    handler = _EVOLVERS.get(type(event))
    if handler is None:
        return replace(state, seq=stamp.seq)
    new = handler(state, event, stamp)
    if new is state:
        return replace(state, seq=stamp.seq)
    _set(new, "seq", stamp.seq)  # ``new`` was made just now and nobody else holds it yet
    return new


def _opened(s: ProductionState, e: ev.ProductionCreated, t: Stamp) -> ProductionState:
    return replace(s, production=e.production, name=e.name)


def _person(s: ProductionState, e: ev.PersonRegistered, t: Stamp) -> ProductionState:
    person = Person(
        id=e.person,
        name=e.name,
        roles=frozenset(Role(r) for r in e.roles),
        head_armorer=e.head_armorer,
        registered_seq=t.seq,
    )
    return replace(s, people={**s.people, e.person: person})


def _set_person(s: ProductionState, person: Person) -> ProductionState:
    return replace(s, people={**s.people, person.id: person})


def _permit(s: ProductionState, e: ev.PermitRecorded, t: Stamp) -> ProductionState:
    permit = Permit(number=e.number, authority=e.authority, expires=date.fromisoformat(e.expires))
    return _set_person(s, replace(s.people[e.person], permit=permit))


def _person_corrected(s: ProductionState, e: ev.PersonCorrected, t: Stamp) -> ProductionState:
    return _set_person(s, replace(s.people[e.person], name=e.name))


def _key(s: ProductionState, e: ev.KeyCreated | ev.KeyRotated, t: Stamp) -> ProductionState:
    return _set_person(s, replace(s.people[e.person], key=e.key))


def _key_revoked(s: ProductionState, e: ev.KeyRevoked, t: Stamp) -> ProductionState:
    return _set_person(s, replace(s.people[e.person], key=None))


def _store(s: ProductionState, e: ev.StoreAdded, t: Stamp) -> ProductionState:
    store = Store(id=e.store, name=e.name, kind=e.kind, locked=e.locked)
    return replace(s, stores={**s.stores, e.store: store})


def _lock(s: ProductionState, e: ev.StoreLocked | ev.StoreUnlocked, t: Stamp) -> ProductionState:
    store = replace(s.stores[e.store], locked=isinstance(e, ev.StoreLocked))
    return replace(s, stores={**s.stores, e.store: store})


def _firearm(s: ProductionState, e: ev.FirearmRegistered, t: Stamp) -> ProductionState:
    firearm = Firearm(
        id=e.firearm,
        serial=e.serial,
        make=e.make,
        model=e.model,
        action=e.action,
        calibre=e.calibre,
        capacity=Capacity(chambers=e.chambers, magazine=e.magazine),
        kind=e.kind,
        owner=e.owner,
        documents=e.documents,
        registered_seq=t.seq,
    )
    return replace(
        s,
        firearms={**s.firearms, e.firearm: firearm},
        location={**s.location, e.firearm: Location(store=e.store, since=t.time, since_seq=t.seq)},
    )


def _firearm_corrected(s: ProductionState, e: ev.FirearmCorrected, t: Stamp) -> ProductionState:
    firearm = s.firearms[e.firearm]
    if e.field == "capacity":
        firearm = replace(firearm, capacity=Capacity.parse(e.value))
    elif e.field == "documents":
        firearm = replace(firearm, documents=(*firearm.documents, e.value))
    elif e.field == "serial":
        firearm = replace(firearm, serial=e.value)
    elif e.field == "make":
        firearm = replace(firearm, make=e.value)
    elif e.field == "model":
        firearm = replace(firearm, model=e.value)
    elif e.field == "calibre":
        firearm = replace(firearm, calibre=e.value)
    elif e.field == "owner":
        firearm = replace(firearm, owner=e.value)
    s = replace(s, firearms={**s.firearms, e.firearm: firearm})
    return _void(s, e.firearm, "corrected in the register since")


def _move(s: ProductionState, firearm: str, loc: Location) -> ProductionState:
    return replace(s, location={**s.location, firearm: loc})


def _taken(s: ProductionState, e: ev.FirearmTaken, t: Stamp) -> ProductionState:
    moved = _move(s, e.firearm, Location(person=e.by, since=t.time, since_seq=t.seq))
    moved = replace(moved, issued=_without(moved.issued, e.firearm))
    return _void(moved, e.firearm, "taken from a store since")


def _without(mapping: dict[str, _V], key: str) -> dict[str, _V]:
    if key not in mapping:
        return mapping
    return {k: v for k, v in mapping.items() if k != key}


def _returned(s: ProductionState, e: ev.FirearmReturned, t: Stamp) -> ProductionState:
    moved = _move(s, e.firearm, Location(store=e.store, since=t.time, since_seq=t.seq))
    return _void(moved, e.firearm, "put into a store since")


def _void(s: ProductionState, firearm: str, why: str) -> ProductionState:
    """R-23: leaving the armorer-talent chain voids the verification (not the record of it)."""
    found = s.inspections.get(firearm)
    if found is None:
        return s
    # the first reason stands, except that anything beyond a shot of the take (a reload, a
    # report, a store) replaces "discharged since": a check void only by the take's own shots
    # still tells what was verified; after anything else it tells nothing
    if found.void and (why.startswith("discharged") or not found.void.startswith("discharged")):
        return s
    return replace(s, inspections={**s.inspections, firearm: replace(found, void=why)})


def _witnessed(s: ProductionState, e: ev.CheckWitnessed, t: Stamp) -> ProductionState:
    found = s.inspections[e.firearm]
    shown = replace(found, witnesses=(*found.witnesses, (e.witness, e.role)))
    return replace(s, inspections={**s.inspections, e.firearm: shown})


def _proposed(s: ProductionState, e: ev.HandoffProposed, t: Stamp) -> ProductionState:
    handoff = Handoff(
        id=e.handoff, firearm=e.firearm, giver=e.giver, receiver=e.receiver, proposed=t.time
    )
    return replace(
        s, handoffs={**s.handoffs, e.handoff: handoff}, handoffs_made=s.handoffs_made + 1
    )


def _accepted(s: ProductionState, e: ev.HandoffAccepted, t: Stamp) -> ProductionState:
    pending = {k: v for k, v in s.handoffs.items() if k != e.handoff}
    moved = _move(s, e.firearm, Location(person=e.receiver, since=t.time, since_seq=t.seq))
    giver, receiver = s.people[e.giver], s.people[e.receiver]
    if Role.TALENT in receiver.roles and Role.ARMORER in giver.roles:
        due = {**s.post_use_due, e.firearm: s.post_use_due.get(e.firearm, t.seq)}
        return replace(
            moved, handoffs=pending, issued={**s.issued, e.firearm: t.seq}, post_use_due=due
        )
    if Role.ARMORER in receiver.roles:
        return replace(moved, handoffs=pending, back={**s.back, e.firearm: t.seq})
    return replace(moved, handoffs=pending)


def _cancelled(s: ProductionState, e: ev.HandoffCancelled, t: Stamp) -> ProductionState:
    return replace(s, handoffs={k: v for k, v in s.handoffs.items() if k != e.handoff})


def _received(s: ProductionState, e: ev.AmmunitionReceived, t: Stamp) -> ProductionState:
    lot = Lot(
        id=e.lot,
        ammo_class=e.ammo_class,
        calibre=e.calibre,
        load=e.load,
        close_range=e.close_range,
        count=e.count,
        supplier=e.supplier,
        provenance=e.provenance,
        store=e.store,
        received=e.count,
    )
    return replace(s, lots={**s.lots, e.lot: lot})


def _dummies(s: ProductionState, e: ev.DummyLotInspected, t: Stamp) -> ProductionState:
    lot = s.lots[e.lot]
    lot = replace(
        lot,
        inert=min(lot.received, lot.inert + e.inert),
        suspect=lot.suspect + e.inspected - e.inert,
    )
    return replace(s, lots={**s.lots, e.lot: lot})


def _announced(s: ProductionState, e: ev.FirearmAnnounced, t: Stamp) -> ProductionState:
    found = s.inspections[e.firearm]
    found = replace(found, announced=e.call, announced_text=e.text)
    return replace(s, inspections={**s.inspections, e.firearm: found})


def _day(s: ProductionState, e: ev.DayOpened, t: Stamp) -> ProductionState:
    return replace(s, days={**s.days, e.day: t.seq}, on_break="", day_seq=t.seq, day_time=t.time)


def _trained(s: ProductionState, e: ev.TrainingRecorded, t: Stamp) -> ProductionState:
    return replace(s, training={**s.training, (e.person, e.action): t.seq})


def _plan_entry(text: str) -> tuple[str, tuple[str, int, str]]:
    firearm, ammo_class, rounds, *load = text.split(":")
    return firearm, (ammo_class, int(rounds), load[0] if load else "")


def _plan(s: ProductionState, e: ev.PlanFiled, t: Stamp) -> ProductionState:
    plan = Plan(
        scene=e.scene,
        mode=e.mode,
        entries=dict(_plan_entry(x) for x in e.firearms),
        distance_ft=e.distance_ft,
        close_range=e.close_range,
        shields=e.shields,
        protection=e.protection,
        pointing=e.pointing,
        justification=e.justification,
        risks=e.risks,
        by=e.armorer,
        seq=t.seq,
    )
    return replace(s, plans={**s.plans, e.scene: plan})


def _plan_approved(s: ProductionState, e: ev.PlanApproved, t: Stamp) -> ProductionState:
    plan = replace(s.plans[e.scene], approved_by=e.approver, approved_seq=t.seq)
    return replace(s, plans={**s.plans, e.scene: plan})


def _meeting(s: ProductionState, e: ev.MeetingHeld, t: Stamp) -> ProductionState:
    meeting = Meeting(
        id=e.meeting,
        scene=e.scene,
        day=t.time[:10],
        lead=e.lead,
        attendees=frozenset(e.attendees),
        seq=t.seq,
        confirmed=frozenset({e.lead}),
        briefing=e.briefing,
    )
    return replace(s, meetings={**s.meetings, e.meeting: meeting})


def _attended(s: ProductionState, e: ev.MeetingAttended, t: Stamp) -> ProductionState:
    meeting = s.meetings[e.meeting]
    meeting = replace(meeting, confirmed=meeting.confirmed | {e.person})
    return replace(s, meetings={**s.meetings, e.meeting: meeting})


def _called(s: ProductionState, e: ev.FirearmCalled, t: Stamp) -> ProductionState:
    return replace(s, calls={**s.calls, e.firearm: Call(scene=e.scene, seq=t.seq)})


def _cut(s: ProductionState, e: ev.TakeCut, t: Stamp) -> ProductionState:
    calls = {k: v for k, v in s.calls.items() if v.scene != e.scene}
    return replace(s, calls=calls, cuts={**s.cuts, e.scene: t.seq})


def _break(s: ProductionState, e: ev.BreakCalled, t: Stamp) -> ProductionState:
    return replace(s, on_break=e.kind, calls={})


def _resumed(s: ProductionState, e: ev.DayResumed, t: Stamp) -> ProductionState:
    return replace(s, on_break="")


def _set_rounds(s: ProductionState, firearm: str, rounds: Rounds) -> ProductionState:
    return replace(s, rounds={**s.rounds, firearm: rounds})


def _set_lot(s: ProductionState, lot: Lot) -> ProductionState:
    return replace(s, lots={**s.lots, lot.id: lot})


def _loaded(s: ProductionState, e: ev.RoundsLoaded, t: Stamp) -> ProductionState:
    r = s.rounds_in(e.firearm)
    loaded = dict(r.loaded)
    loaded[e.lot] = loaded.get(e.lot, 0) + e.count
    lot = s.lots[e.lot]
    s = _set_lot(s, replace(lot, count=max(0, lot.count - e.count)))
    r = replace(r, loaded=tuple(sorted(loaded.items())), issued=r.issued + e.count)
    return _void(_set_rounds(s, e.firearm, r), e.firearm, "loaded since")


def _unloaded(s: ProductionState, e: ev.RoundsUnloaded, t: Stamp) -> ProductionState:
    r = s.rounds_in(e.firearm)
    back = 0
    for item in e.rounds:
        lot_id, _, count = item.partition(":")
        lot = s.lots[lot_id]
        s = _set_lot(s, replace(lot, count=lot.count + int(count)))
        back += int(count)
    r = replace(r, loaded=(), spent=0, returned=r.returned + back)
    return _void(_set_rounds(s, e.firearm, r), e.firearm, "unloaded since")


def _take_from(r: Rounds, count: int) -> tuple[Rounds, list[tuple[str, int]]]:
    """Remove ``count`` unfired rounds (lots in order); never below zero."""
    left, taken, loaded = count, [], []
    for lot, n in r.loaded:
        used = min(n, left)
        left -= used
        if used:
            taken.append((lot, used))
        if n - used:
            loaded.append((lot, n - used))
    return replace(r, loaded=tuple(loaded)), taken


def _discharged(s: ProductionState, e: ev.FirearmDischarged, t: Stamp) -> ProductionState:
    r, taken = _take_from(s.rounds_in(e.firearm), e.count)
    for lot_id, n in taken:
        lot = s.lots[lot_id]
        s = _set_lot(s, replace(lot, fired=lot.fired + n))
    # a discharge while a misfire waits is the hang-fire: the round fired late, nothing is left
    # to clear
    r = replace(r, spent=r.spent + e.count, fired=r.fired + e.count, misfire_at="")
    s = _set_rounds(s, e.firearm, r)
    return _void(s, e.firearm, "discharged since")


def _misfired(s: ProductionState, e: ev.MisfireRecorded, t: Stamp) -> ProductionState:
    s = _set_rounds(s, e.firearm, replace(s.rounds_in(e.firearm), misfire_at=t.time))
    return _void(s, e.firearm, "misfired since")


def _misfire_cleared(s: ProductionState, e: ev.MisfireCleared, t: Stamp) -> ProductionState:
    r, taken = _take_from(s.rounds_in(e.firearm), 1)
    for lot_id, n in taken:
        lot = s.lots[lot_id]
        s = _set_lot(s, replace(lot, misfired=lot.misfired + n))
    r = replace(r, misfire_at="", misfired=r.misfired + len(taken))
    return _set_rounds(s, e.firearm, r)


def _reconciled(s: ProductionState, e: ev.RoundsReconciled, t: Stamp) -> ProductionState:
    r = s.rounds_in(e.firearm)
    return _set_rounds(s, e.firearm, replace(r, issued=0, fired=0, returned=0, misfired=0))


def _incident(s: ProductionState, e: ev.IncidentOpened, t: Stamp) -> ProductionState:
    incident = Incident(
        id=e.incident,
        kind=e.kind,
        firearm=e.firearm,
        firearms=e.firearms,
        lots=e.lots,
        by=e.by,
        description=e.description,
        time=t.time,
        seq=t.seq,
    )
    missing = s.missing | set(e.firearms) if e.kind == "firearm_missing" else s.missing
    s = replace(s, incidents={**s.incidents, e.incident: incident}, missing=missing)
    if e.kind == "live_round_found":
        for lot_id in e.lots:  # a lot that held a live round is never loaded again
            lot = s.lots[lot_id]
            s = _set_lot(s, replace(lot, suspect=max(lot.suspect, 1)))
    return s


def _incident_closed(s: ProductionState, e: ev.IncidentClosed, t: Stamp) -> ProductionState:
    incident = replace(
        s.incidents[e.incident],
        closed_by=e.reviewer,
        closed_seq=t.seq,
        findings=e.findings,
        corrective_action=e.corrective_action,
    )
    return replace(s, incidents={**s.incidents, e.incident: incident}, last_closure=t.seq)


def _concern(s: ProductionState, e: ev.ConcernRaised, t: Stamp) -> ProductionState:
    concern = Concern(id=e.concern, by=e.by, text=e.text, stop=e.stop, time=t.time, seq=t.seq)
    return replace(s, concerns={**s.concerns, e.concern: concern})


def _answered(s: ProductionState, e: ev.ConcernAnswered, t: Stamp) -> ProductionState:
    concern = replace(
        s.concerns[e.concern], answered_by=e.answered_by, answer=e.answer, answered_seq=t.seq
    )
    return replace(s, concerns={**s.concerns, e.concern: concern})


def _stopped(s: ProductionState, e: ev.WorkStopped, t: Stamp) -> ProductionState:
    return replace(s, stoppage=Stoppage(by=e.by, reason=e.reason, seq=t.seq))


def _work_resumed(s: ProductionState, e: ev.WorkResumed, t: Stamp) -> ProductionState:
    return replace(s, stoppage=None)


def _reported(s: ProductionState, e: ev.CustodyReported, t: Stamp) -> ProductionState:
    """Reality wins: the firearm is where it was reported, and no longer missing."""
    loc = Location(
        person=e.person or None,
        store=e.store or None,
        since=t.time,
        since_seq=t.seq,
        reported=True,
    )
    handoffs = {k: v for k, v in s.handoffs.items() if v.firearm != e.firearm}
    due = {**s.post_use_due, e.firearm: s.post_use_due.get(e.firearm, t.seq)}
    moved = replace(
        _move(s, e.firearm, loc),
        handoffs=handoffs,
        missing=s.missing - {e.firearm},
        post_use_due=due,
    )
    return _void(moved, e.firearm, "out of the armorer-talent chain since")


def _setting(s: ProductionState, e: ev.SettingChanged, t: Stamp) -> ProductionState:
    return replace(s, settings={**s.settings, e.setting: e.value})


def _waiver(s: ProductionState, e: ev.WaiverGranted, t: Stamp) -> ProductionState:
    waiver = Waiver(
        id=e.waiver,
        rule=e.rule,
        setting=e.setting,
        value=e.value,
        advisor=e.advisor,
        reason=e.reason,
        seq=t.seq,
    )
    return replace(
        s,
        waivers={**s.waivers, e.waiver: waiver},
        settings={**s.settings, e.setting: e.value},
    )


def _range(s: ProductionState, e: ev.RangeSessionApproved, t: Stamp) -> ProductionState:
    session = (e.location, e.medical, e.day)
    return replace(s, range_sessions={**s.range_sessions, e.session: session})


def _range_lot(s: ProductionState, e: ev.RangeAmmunitionReceived, t: Stamp) -> ProductionState:
    return replace(s, range_lots={**s.range_lots, e.lot: (e.session, e.calibre, e.count)})


def _inspected(s: ProductionState, e: ev.FirearmInspected, t: Stamp) -> ProductionState:
    found = Inspection(
        result=e.result,
        rounds=e.rounds,
        load=e.load,
        reason=e.reason,
        phase=e.phase,
        by=e.armorer,
        time=t.time,
        seq=t.seq,
    )
    s = replace(s, inspections={**s.inspections, e.firearm: found})
    held = s.location[e.firearm].person == e.armorer  # back in the armorer's hands
    if e.phase == "post_use" and held and e.firearm in s.post_use_due:
        s = replace(s, post_use_due=_without(s.post_use_due, e.firearm))
    return s


_EVOLVERS: dict[type[ev.Event], Callable[[ProductionState, Any, Stamp], ProductionState]] = {
    ev.ProductionCreated: _opened,
    ev.PersonRegistered: _person,
    ev.PermitRecorded: _permit,
    ev.PersonCorrected: _person_corrected,
    ev.KeyCreated: _key,
    ev.KeyRotated: _key,
    ev.KeyRevoked: _key_revoked,
    ev.StoreAdded: _store,
    ev.StoreLocked: _lock,
    ev.StoreUnlocked: _lock,
    ev.FirearmRegistered: _firearm,
    ev.FirearmCorrected: _firearm_corrected,
    ev.FirearmTaken: _taken,
    ev.FirearmReturned: _returned,
    ev.HandoffProposed: _proposed,
    ev.HandoffAccepted: _accepted,
    ev.HandoffCancelled: _cancelled,
    ev.AmmunitionReceived: _received,
    ev.DummyLotInspected: _dummies,
    ev.FirearmInspected: _inspected,
    ev.CheckWitnessed: _witnessed,
    ev.FirearmAnnounced: _announced,
    ev.DayOpened: _day,
    ev.TrainingRecorded: _trained,
    ev.PlanFiled: _plan,
    ev.PlanApproved: _plan_approved,
    ev.MeetingHeld: _meeting,
    ev.MeetingAttended: _attended,
    ev.FirearmCalled: _called,
    ev.TakeCut: _cut,
    ev.BreakCalled: _break,
    ev.DayResumed: _resumed,
    ev.RoundsLoaded: _loaded,
    ev.RoundsUnloaded: _unloaded,
    ev.FirearmDischarged: _discharged,
    ev.MisfireRecorded: _misfired,
    ev.MisfireCleared: _misfire_cleared,
    ev.RoundsReconciled: _reconciled,
    ev.IncidentOpened: _incident,
    ev.IncidentClosed: _incident_closed,
    ev.ConcernRaised: _concern,
    ev.ConcernAnswered: _answered,
    ev.WorkStopped: _stopped,
    ev.WorkResumed: _work_resumed,
    ev.CustodyReported: _reported,
    ev.SettingChanged: _setting,
    ev.WaiverGranted: _waiver,
    ev.RangeSessionApproved: _range,
    ev.RangeAmmunitionReceived: _range_lot,
}
