"""Events: what happened, in the past tense, with a stable type name and schema version.

An event's stored form (its type name, schema and payload) never depends on where its class
lives; ``REGISTRY`` maps the stored name to the class explicitly. Payload fields are plain JSON
values (strings, integers, booleans, lists of strings), so that the ledger can hold them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from coldcheck.domain.errors import InvalidInput


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    TYPE: ClassVar[str] = ""
    SCHEMA: ClassVar[int] = 1
    # people whose personal signature the entry must carry (field names holding person ids)
    ATTESTED_BY: ClassVar[tuple[str, ...]] = ()
    # True when the person who records the event must sign it too (admin acts on people and
    # keys): an entry naming a producer as its actor then proves the producer's PIN was given
    ACTOR_SIGNS: ClassVar[bool] = False

    def payload(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def attesters(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in self.ATTESTED_BY)

    def corrects(self) -> int | None:
        """The sequence number of the entry this event corrects, if it is a correction."""
        return None


GENESIS_REGISTRATION = 3  # the founder registers at position 3, before any key exists


def required_attesters(event: Event, actor: str, seq: int) -> tuple[str, ...]:
    """Who must sign the entry holding ``event``, recorded by ``actor`` at position ``seq``.

    The event's own attesters, then the actor for events that act on people and keys, except
    the founder's own registration in the opening batch (no key exists yet; the founder's
    key.created, signed by that new key, follows at position 4).
    """
    signers = event.attesters()
    if not event.ACTOR_SIGNS or actor in signers:
        return signers
    if (
        isinstance(event, PersonRegistered)
        and seq == GENESIS_REGISTRATION
        and (event.person == actor)
    ):
        return signers
    return (*signers, actor)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


# -- the ledger's own events (interpreted by the audit as well) -----------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class LedgerOpened(Event):
    TYPE = "ledger.opened"
    origin: str
    node_key: str


@dataclass(frozen=True, kw_only=True, slots=True)
class KeyCreated(Event):
    TYPE = "key.created"
    ACTOR_SIGNS = True
    ATTESTED_BY = ("person",)
    person: str
    key: str
    public_key: str


@dataclass(frozen=True, kw_only=True, slots=True)
class KeyRotated(Event):
    TYPE = "key.rotated"
    ATTESTED_BY = ("person",)
    person: str
    old_key: str
    key: str
    public_key: str


@dataclass(frozen=True, kw_only=True, slots=True)
class KeyRevoked(Event):
    TYPE = "key.revoked"
    ACTOR_SIGNS = True
    person: str
    key: str
    reason: str


# -- production and people -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class ProductionCreated(Event):
    TYPE = "production.created"
    production: str
    name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class PersonRegistered(Event):
    TYPE = "person.registered"
    ACTOR_SIGNS = True
    person: str
    name: str
    roles: tuple[str, ...]
    head_armorer: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class PermitRecorded(Event):
    TYPE = "armorer.permit_recorded"
    ACTOR_SIGNS = True
    person: str
    number: str
    authority: str
    expires: str  # ISO date


@dataclass(frozen=True, kw_only=True, slots=True)
class PersonCorrected(Event):
    TYPE = "person.corrected"
    ACTOR_SIGNS = True
    person: str
    entry: int
    name: str
    reason: str

    def corrects(self) -> int | None:
        return self.entry


# -- firearms and stores ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class StoreAdded(Event):
    TYPE = "store.added"
    store: str
    name: str
    kind: str
    locked: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class StoreLocked(Event):
    TYPE = "store.locked"
    store: str


@dataclass(frozen=True, kw_only=True, slots=True)
class StoreUnlocked(Event):
    TYPE = "store.unlocked"
    store: str


@dataclass(frozen=True, kw_only=True, slots=True)
class FirearmRegistered(Event):
    TYPE = "firearm.registered"
    firearm: str
    serial: str
    make: str
    model: str
    action: str
    calibre: str
    chambers: int
    magazine: int
    kind: str
    owner: str
    documents: tuple[str, ...]
    store: str


@dataclass(frozen=True, kw_only=True, slots=True)
class FirearmCorrected(Event):
    TYPE = "firearm.corrected"
    firearm: str
    entry: int
    field: str
    value: str
    reason: str

    def corrects(self) -> int | None:
        return self.entry


# -- ammunition -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class AmmunitionReceived(Event):
    TYPE = "ammunition.received"
    ACTOR_SIGNS = True  # the armorer attests the count, supplier and provenance
    lot: str
    ammo_class: str
    calibre: str
    load: str  # blanks only; "" otherwise
    close_range: bool
    count: int
    supplier: str
    provenance: str
    store: str


@dataclass(frozen=True, kw_only=True, slots=True)
class DummyLotInspected(Event):
    TYPE = "ammunition.dummies_inspected"
    ACTOR_SIGNS = True  # the armorer attests each round shown inert
    lot: str
    inspected: int
    inert: int
    methods: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class FirearmInspected(Event):
    TYPE = "firearm.inspected"
    ATTESTED_BY = ("armorer",)
    firearm: str
    armorer: str
    phase: str
    positions: tuple[str, ...]
    barrel: str
    result: str
    rounds: int
    load: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckWitnessed(Event):
    TYPE = "check.witnessed"
    ATTESTED_BY = ("witness",)
    firearm: str
    witness: str
    role: str  # first_ad or talent
    inspection: int  # the sequence number of the inspection shown
    shown: str  # the load state shown, as announced


@dataclass(frozen=True, kw_only=True, slots=True)
class FirearmAnnounced(Event):
    TYPE = "firearm.announced"
    ACTOR_SIGNS = True  # the 1st AD's own call, resting on the check
    firearm: str
    call: str  # cold or hot
    text: str
    inspection: int


# -- custody ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class FirearmTaken(Event):
    TYPE = "custody.taken"
    firearm: str
    store: str
    by: str


@dataclass(frozen=True, kw_only=True, slots=True)
class FirearmReturned(Event):
    TYPE = "custody.returned"
    firearm: str
    store: str
    by: str


@dataclass(frozen=True, kw_only=True, slots=True)
class HandoffProposed(Event):
    TYPE = "custody.handoff_proposed"
    ATTESTED_BY = ("giver",)
    handoff: str
    firearm: str
    giver: str
    receiver: str


@dataclass(frozen=True, kw_only=True, slots=True)
class HandoffAccepted(Event):
    TYPE = "custody.handoff_accepted"
    ATTESTED_BY = ("receiver",)
    handoff: str
    firearm: str
    giver: str
    receiver: str


@dataclass(frozen=True, kw_only=True, slots=True)
class HandoffCancelled(Event):
    TYPE = "custody.handoff_cancelled"
    handoff: str
    firearm: str
    by: str


# -- the day, training, plans, meetings (R-03, R-30, R-31, R-32, R-44) -------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class DayOpened(Event):
    """R-03: the armorer's daily opening check (stores, carts and belts swept for live rounds)
    and R-32: the day's schedule of firearm use."""

    TYPE = "day.opened"
    ATTESTED_BY = ("armorer",)
    armorer: str
    day: str  # ISO date
    swept: tuple[str, ...]
    schedule: str


@dataclass(frozen=True, kw_only=True, slots=True)
class TrainingRecorded(Event):
    """R-44: a person is trained in the safe handling of one kind of firearm (its action)."""

    TYPE = "training.recorded"
    ATTESTED_BY = ("trainer",)
    person: str
    action: str
    trainer: str
    note: str


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanFiled(Event):
    """R-31: a scene's firearms plan and risk assessment, prepared by the armorer.

    ``firearms`` holds one ``FIREARM:CLASS:ROUNDS[:LOAD]`` per firearm (class empty, dummy or
    blank; ROUNDS the most that may be loaded, and the discharges planned per take)."""

    TYPE = "plan.filed"
    ATTESTED_BY = ("armorer",)
    scene: str
    armorer: str
    mode: str  # rehearsal or take
    firearms: tuple[str, ...]
    distance_ft: int
    close_range: bool
    shields: tuple[str, ...]
    protection: tuple[str, ...]
    pointing: str  # none, person or lens
    justification: str
    risks: str


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanApproved(Event):
    TYPE = "plan.approved"
    ATTESTED_BY = ("approver",)
    scene: str
    approver: str
    plan: int  # the sequence number of the plan approved


@dataclass(frozen=True, kw_only=True, slots=True)
class MeetingHeld(Event):
    """R-30: the day's safety meeting for a scene, with who was present and the briefing."""

    TYPE = "meeting.held"
    ATTESTED_BY = ("lead",)
    meeting: str
    scene: str
    lead: str
    attendees: tuple[str, ...]
    briefing: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class MeetingAttended(Event):
    """R-30: one person on a meeting's roll confirms, with their PIN, that they were there and
    heard the briefing. Only the lead (who signed the meeting) and those who confirmed count as
    present for the hand-off gate."""

    TYPE = "meeting.attended"
    ATTESTED_BY = ("person",)
    meeting: str
    person: str


@dataclass(frozen=True, kw_only=True, slots=True)
class FirearmCalled(Event):
    """R-27: the 1st AD calls for a firearm in the current set-up of a scene."""

    TYPE = "firearm.called"
    firearm: str
    scene: str
    by: str


@dataclass(frozen=True, kw_only=True, slots=True)
class TakeCut(Event):
    """'Cut': the take of a scene ends; its firearms go back to the armorer (R-15)."""

    TYPE = "take.cut"
    scene: str
    by: str


@dataclass(frozen=True, kw_only=True, slots=True)
class BreakCalled(Event):
    """A break (lunch) or wrap, called with every firearm and round locked away (R-08, R-17)."""

    TYPE = "day.break"
    ATTESTED_BY = ("by",)  # who attests everything is back, counted and locked away
    kind: str  # break, lunch or wrap
    by: str


@dataclass(frozen=True, kw_only=True, slots=True)
class DayResumed(Event):
    TYPE = "day.resumed"
    by: str


# -- rounds: loading, discharges, misfires, reconciliation (R-07, R-09, R-26, R-27, R-42) ---


@dataclass(frozen=True, kw_only=True, slots=True)
class RoundsLoaded(Event):
    TYPE = "rounds.loaded"
    ATTESTED_BY = ("armorer",)
    firearm: str
    lot: str
    count: int
    armorer: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RoundsUnloaded(Event):
    """Unfired rounds go back to their lots (``LOT:COUNT`` each); spent cases are removed."""

    TYPE = "rounds.unloaded"
    ATTESTED_BY = ("armorer",)
    firearm: str
    armorer: str
    rounds: tuple[str, ...]
    spent: int


@dataclass(frozen=True, kw_only=True, slots=True)
class FirearmDischarged(Event):
    TYPE = "firearm.discharged"
    firearm: str
    count: int
    planned: bool
    holder: str
    by: str
    note: str


@dataclass(frozen=True, kw_only=True, slots=True)
class MisfireRecorded(Event):
    TYPE = "firearm.misfired"
    firearm: str
    by: str


@dataclass(frozen=True, kw_only=True, slots=True)
class MisfireCleared(Event):
    """R-42: after the wait, the armorer removes the misfired round and sets it aside."""

    TYPE = "firearm.misfire_cleared"
    ATTESTED_BY = ("armorer",)
    firearm: str
    armorer: str
    lot: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RoundsReconciled(Event):
    """R-09: after a take, the armorer's count: issued = fired + returned + misfired."""

    TYPE = "rounds.reconciled"
    ATTESTED_BY = ("armorer",)
    firearm: str
    armorer: str
    issued: int
    fired: int
    returned: int
    misfired: int
    balanced: bool


# -- incidents, concerns, stop-work, reality reports (R-13, R-47, R-51 to R-54) --------------


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentOpened(Event):
    """An incident: stop-work for the production (or, for a malfunction, one firearm)."""

    TYPE = "incident.opened"
    incident: str
    kind: str
    firearm: str  # the one firearm stopped, for a malfunction; "" = the whole production
    firearms: tuple[str, ...]  # on evidence hold
    lots: tuple[str, ...]  # on evidence hold
    by: str
    description: str


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentClosed(Event):
    TYPE = "incident.closed"
    ATTESTED_BY = ("reviewer",)
    incident: str
    reviewer: str
    findings: str
    corrective_action: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ConcernRaised(Event):
    TYPE = "concern.raised"
    concern: str
    by: str
    text: str
    stop: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class ConcernAnswered(Event):
    TYPE = "concern.answered"
    ATTESTED_BY = ("answered_by",)
    concern: str
    answered_by: str
    answer: str


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkStopped(Event):
    """R-47: the armorer stops all firearms work."""

    TYPE = "work.stopped"
    by: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkResumed(Event):
    TYPE = "work.resumed"
    ATTESTED_BY = ("by",)
    by: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CustodyReported(Event):
    """Reality: someone reports where a firearm actually is (a person or a store). Recorded as
    it is, even when it breaks the protocol; a wrong holder raises an alarm (R-13)."""

    TYPE = "custody.reported"
    firearm: str
    by: str
    person: str
    store: str
    note: str


@dataclass(frozen=True, kw_only=True, slots=True)
class SettingChanged(Event):
    """A production setting made stricter than the default (or loosened under a waiver)."""

    TYPE = "production.setting_changed"
    ATTESTED_BY = ("by",)
    setting: str
    value: int
    by: str
    waiver: str  # the waiver that allows a looser value, or ""


@dataclass(frozen=True, kw_only=True, slots=True)
class WaiverGranted(Event):
    """The safety advisor's signed waiver loosening one setting; shown in every report."""

    TYPE = "waiver.granted"
    ATTESTED_BY = ("advisor",)
    waiver: str
    rule: str
    setting: str
    value: int
    advisor: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RangeSessionApproved(Event):
    """R-02: a live-fire range session approved by the safety advisor (off set)."""

    TYPE = "range.approved"
    ATTESTED_BY = ("advisor",)
    session: str
    advisor: str
    location: str
    medical: str
    day: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RangeAmmunitionReceived(Event):
    """Live ammunition for an approved range session: its own inventory, never the set's."""

    TYPE = "range.ammunition_received"
    session: str
    lot: str
    calibre: str
    count: int
    supplier: str
    provenance: str


REGISTRY: dict[str, type[Event]] = {
    cls.TYPE: cls
    for cls in (
        LedgerOpened,
        KeyCreated,
        KeyRotated,
        KeyRevoked,
        ProductionCreated,
        PersonRegistered,
        PermitRecorded,
        PersonCorrected,
        StoreAdded,
        StoreLocked,
        StoreUnlocked,
        FirearmRegistered,
        FirearmCorrected,
        FirearmTaken,
        FirearmReturned,
        HandoffProposed,
        HandoffAccepted,
        HandoffCancelled,
        AmmunitionReceived,
        DummyLotInspected,
        FirearmInspected,
        CheckWitnessed,
        FirearmAnnounced,
        DayOpened,
        TrainingRecorded,
        PlanFiled,
        PlanApproved,
        MeetingHeld,
        MeetingAttended,
        FirearmCalled,
        TakeCut,
        BreakCalled,
        DayResumed,
        RoundsLoaded,
        RoundsUnloaded,
        FirearmDischarged,
        MisfireRecorded,
        MisfireCleared,
        RoundsReconciled,
        IncidentOpened,
        IncidentClosed,
        ConcernRaised,
        ConcernAnswered,
        WorkStopped,
        WorkResumed,
        CustodyReported,
        SettingChanged,
        WaiverGranted,
        RangeSessionApproved,
        RangeAmmunitionReceived,
    )
}


def _fits(annotation: str, value: Any) -> bool:
    """Payload values are JSON: str, int, bool, or a list of strings (tuple[str, ...])."""
    if annotation == "str":
        return isinstance(value, str)
    if annotation == "bool":
        return isinstance(value, bool)
    if annotation == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation == "tuple[str, ...]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return False


def from_payload(type_name: str, schema: int, payload: dict[str, Any]) -> Event:
    """Rebuild an event from its stored form; refuse unknown types and bad payloads."""
    cls = REGISTRY.get(type_name)
    if cls is None or schema != cls.SCHEMA:
        raise InvalidInput(
            f"Unknown event type {type_name} (schema {schema}).",
            "Upgrade coldcheck to read this ledger.",
        )
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if set(payload) - set(fields):
        raise InvalidInput(f"Event {type_name} has unexpected fields.", "")
    for name, value in payload.items():
        if not _fits(str(fields[name].type), value):
            raise InvalidInput(
                f"Event {type_name} field {name!r} holds {value!r}, not a {fields[name].type}.", ""
            )
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in payload.items()}
    try:
        return cls(**values)
    except TypeError as exc:
        raise InvalidInput(f"Event {type_name} is missing fields: {exc}.", "") from exc
