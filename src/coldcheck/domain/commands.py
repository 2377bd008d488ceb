"""Commands: what someone asks for, in the imperative. Values are already parsed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coldcheck.domain.values import AmmoClass, BlankLoad, Capacity, DummyCheck, Permit, Role


@dataclass(frozen=True, kw_only=True, slots=True)
class Context:
    """Who asks, and when. The handler supplies it; the domain never reads a clock."""

    actor: str
    now: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class Command:
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class OpenProduction(Command):
    production: str
    name: str
    origin: str
    node_key: str
    founder: RegisterPerson


@dataclass(frozen=True, kw_only=True, slots=True)
class RegisterPerson(Command):
    name: str
    roles: frozenset[Role]
    key: str
    public_key: str
    head_armorer: bool = False
    permit: Permit | None = None
    # The id the new person gets; the handler chooses it when it seals their key. When None,
    # the next free id is used.
    person: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordPermit(Command):
    person: str
    permit: Permit


@dataclass(frozen=True, kw_only=True, slots=True)
class CorrectPerson(Command):
    person: str
    name: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RotateKey(Command):
    person: str
    key: str
    public_key: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CreateKey(Command):
    person: str
    key: str
    public_key: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RevokeKey(Command):
    person: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AddStore(Command):
    name: str
    kind: str
    locked: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class SetStoreLock(Command):
    store: str
    locked: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class RegisterFirearm(Command):
    serial: str
    make: str
    model: str
    action: str
    calibre: str
    capacity: Capacity
    kind: str
    owner: str
    store: str
    documents: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class CorrectFirearm(Command):
    firearm: str
    field: str
    value: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class TakeFirearm(Command):
    firearm: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ReturnFirearm(Command):
    firearm: str
    store: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ProposeHandoff(Command):
    firearm: str
    receiver: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AcceptHandoff(Command):
    handoff: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CancelHandoff(Command):
    handoff: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ReceiveAmmunition(Command):
    ammo_class: AmmoClass
    calibre: str
    count: int
    supplier: str
    provenance: str
    store: str
    load: BlankLoad | None = None
    close_range: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class InspectDummies(Command):
    lot: str
    inspected: int
    inert: int
    methods: frozenset[DummyCheck]


@dataclass(frozen=True, kw_only=True, slots=True)
class InspectFirearm(Command):
    firearm: str
    positions: tuple[str, ...]  # one per position: empty, spent, unknown, dummy:LOT, blank:LOT
    barrel_clear: bool
    phase: str = "pre_use"  # or "post_use"


@dataclass(frozen=True, kw_only=True, slots=True)
class WitnessCheck(Command):
    firearm: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Announce(Command):
    firearm: str
