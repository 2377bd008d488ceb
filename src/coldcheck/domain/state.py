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
from coldcheck.domain.values import Capacity, Permit, Role


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

    @property
    def loadable(self) -> bool:
        """R-05: a dummy lot is loadable only when every round in it was shown inert."""
        if self.ammo_class == "dummy":
            return self.suspect == 0 and self.inert >= self.count
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

    @property
    def opened(self) -> bool:
        return bool(self.production)

    def holder(self, firearm: str) -> str | None:
        return self.location[firearm].person

    def pending_for(self, firearm: str) -> Handoff | None:
        return next((h for h in self.handoffs.values() if h.firearm == firearm), None)

    def head_armorer(self) -> Person | None:
        return next((p for p in self.people.values() if p.head_armorer), None)


@dataclass(frozen=True, kw_only=True, slots=True)
class Stamp:
    """Where and when an event was recorded: its sequence number and time."""

    seq: int
    time: str


_T = TypeVar("_T")
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
    return replace(s, firearms={**s.firearms, e.firearm: firearm})


def _move(s: ProductionState, firearm: str, loc: Location) -> ProductionState:
    return replace(s, location={**s.location, firearm: loc})


def _taken(s: ProductionState, e: ev.FirearmTaken, t: Stamp) -> ProductionState:
    moved = _move(s, e.firearm, Location(person=e.by, since=t.time, since_seq=t.seq))
    return _void(moved, e.firearm, "taken from a store since")


def _returned(s: ProductionState, e: ev.FirearmReturned, t: Stamp) -> ProductionState:
    moved = _move(s, e.firearm, Location(store=e.store, since=t.time, since_seq=t.seq))
    return _void(moved, e.firearm, "put into a store since")


def _void(s: ProductionState, firearm: str, why: str) -> ProductionState:
    """R-23: leaving the armorer-talent chain voids the verification (not the record of it)."""
    found = s.inspections.get(firearm)
    if found is None or found.void:
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
    )
    return replace(s, lots={**s.lots, e.lot: lot})


def _dummies(s: ProductionState, e: ev.DummyLotInspected, t: Stamp) -> ProductionState:
    lot = s.lots[e.lot]
    lot = replace(
        lot, inert=min(lot.count, lot.inert + e.inert), suspect=lot.suspect + e.inspected - e.inert
    )
    return replace(s, lots={**s.lots, e.lot: lot})


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
    return replace(s, inspections={**s.inspections, e.firearm: found})


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
}
