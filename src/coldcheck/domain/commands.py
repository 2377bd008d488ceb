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


# -- the day, training, plans, meetings --------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class OpenDay(Command):
    """R-03: the armorer's opening check: what was swept for live rounds; R-32: the schedule."""

    swept: tuple[str, ...]
    schedule: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordTraining(Command):
    person: str
    action: str  # the firearm action the person was trained on (values.Action)
    note: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanEntry:
    """One firearm in a scene plan: its load class and the most rounds it may hold."""

    firearm: str
    ammo_class: str  # empty, dummy or blank
    rounds: int = 0
    load: str = ""  # blanks: quarter, half, three_quarter, full

    def __str__(self) -> str:
        tail = f":{self.load}" if self.load else ""
        return f"{self.firearm}:{self.ammo_class}:{self.rounds}{tail}"


@dataclass(frozen=True, kw_only=True, slots=True)
class FilePlan(Command):
    scene: str
    mode: str  # rehearsal or take
    firearms: tuple[PlanEntry, ...]
    distance_ft: int
    close_range: bool = False
    shields: tuple[str, ...] = ()
    protection: tuple[str, ...] = ()
    pointing: str = "none"  # none, person, lens
    justification: str = ""
    risks: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class ApprovePlan(Command):
    scene: str


@dataclass(frozen=True, kw_only=True, slots=True)
class HoldMeeting(Command):
    scene: str
    attendees: frozenset[str]


@dataclass(frozen=True, kw_only=True, slots=True)
class AttendMeeting(Command):
    """Someone on a meeting's roll confirms, with their own PIN, that they were briefed."""

    meeting: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CallFirearm(Command):
    firearm: str
    scene: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CutTake(Command):
    scene: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CallBreak(Command):
    kind: str  # break, lunch or wrap


@dataclass(frozen=True, kw_only=True, slots=True)
class ResumeDay(Command):
    pass


# -- rounds ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class LoadRounds(Command):
    firearm: str
    lot: str
    count: int


@dataclass(frozen=True, kw_only=True, slots=True)
class UnloadFirearm(Command):
    firearm: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordDischarge(Command):
    firearm: str
    count: int
    note: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordMisfire(Command):
    firearm: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ClearMisfire(Command):
    firearm: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Reconcile(Command):
    """The armorer's own count after unloading: spent cases, rounds returned, misfires."""

    firearm: str
    fired: int
    returned: int
    misfired: int


# -- incidents, concerns, stop-work, reality ----------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class OpenIncident(Command):
    kind: str  # values.IncidentKind
    description: str
    firearms: tuple[str, ...] = ()
    lots: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class CloseIncident(Command):
    incident: str
    findings: str
    corrective_action: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RaiseConcern(Command):
    text: str
    stop: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class AnswerConcern(Command):
    concern: str
    answer: str


@dataclass(frozen=True, kw_only=True, slots=True)
class StopWork(Command):
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ResumeWork(Command):
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportCustody(Command):
    """Where a firearm actually is: with ``person`` or in ``store`` (exactly one)."""

    firearm: str
    person: str = ""
    store: str = ""
    note: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportMissing(Command):
    firearm: str
    note: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class ChangeSetting(Command):
    setting: str
    value: int


@dataclass(frozen=True, kw_only=True, slots=True)
class GrantWaiver(Command):
    setting: str
    value: int
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ApproveRangeSession(Command):
    location: str
    medical: str
    day: str  # ISO date


@dataclass(frozen=True, kw_only=True, slots=True)
class ReceiveRangeAmmunition(Command):
    session: str
    calibre: str
    count: int
    supplier: str
    provenance: str
