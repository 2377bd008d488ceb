"""Given / when / then for the pure domain.

    given(standard_production(), taken(REVOLVER, by=HEAD))      # state from recorded events
        .when(ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=HEAD)
        .then(HandoffProposed(handoff="H0001", ...))             # exactly these events

    ....then_refused(Refused, "R-13")                            # or this refusal, this rule id

A history is built from events directly (never through ``decide``), so a test states the facts
it starts from. ``then_refused`` also checks that the refused command left the state as it was.

Events are stamped an hour before NOW, a second apart, all on TODAY: "today" for the opening
check and the meetings. A check on record is valid for 30 minutes, so commands that need one
run ``at=SOON`` (ten minutes after the history); ``Scenario.time_of(event)`` gives an event's
time, for waits such as the misfire's.

    given(ready_to_issue())                                   # every issue gate holds
        .when(ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=HEAD, at=SOON)
    given(ready_to_issue(training=False))...then_refused(Refused, "R-44")   # one gate fails
    given(issued(before=[*standard_production(), *blank_lot()], load=("A01", 6)))  # hot, issued
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
from coldcheck.domain.inspection import LoadState
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
    fid: str,
    serial: str,
    store: str,
    *,
    chambers: int = 6,
    magazine: int = 0,
    kind: str = "blank_firing_real",
    calibre: str = ".45 Colt",
) -> list[ev.Event]:
    return [
        ev.FirearmRegistered(
            firearm=fid,
            serial=serial,
            make="Uberti",
            model="1873 Cattleman",
            action="revolver",
            calibre=calibre,
            chambers=chambers,
            magazine=magazine,
            kind=kind,
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


# -- the shooting day: opening check, training, plans, meetings, calls ---------------------------

TODAY = NOW.date().isoformat()  # the day every stamped history event falls on
# Ten minutes after a history's events (stamped from NOW - 1h): checks on record are still valid
# (30 minutes by default) and it is still "today" for the opening check and the meetings.
SOON = NOW - timedelta(minutes=50)
SCENE = "12A"
SWEPT = ("Main safe", "Prop cart", "Gun belts")
JUSTIFICATION = "A real revolver is seen in close-up; a replica would read as fake."
CREW = "P09"  # a crew member, registered by ``crew_member()`` (not in the standard production)
ACTIONS = {REVOLVER: "revolver", PISTOL: "revolver", RIFLE: "revolver"}  # see ``firearm()``


def crew_member(pid: str = CREW, name: str = "Cam Reyes") -> list[ev.Event]:
    return person(pid, name, Role.CREW)


def day_opened(
    day: str = TODAY, *, armorer: str = HEAD, swept: tuple[str, ...] = SWEPT
) -> list[ev.Event]:
    return [ev.DayOpened(armorer=armorer, day=day, swept=swept, schedule=f"Scene {SCENE}")]


def trained(who: str, action: str = "revolver", *, trainer: str = HEAD) -> list[ev.Event]:
    return [ev.TrainingRecorded(person=who, action=action, trainer=trainer, note="")]


def plan_filed(
    scene: str = SCENE,
    entries: tuple[str, ...] = (f"{REVOLVER}:empty:0",),
    *,
    armorer: str = HEAD,
    mode: str = "take",
    distance_ft: int = 25,
    close_range: bool = False,
    shields: tuple[str, ...] = (),
    protection: tuple[str, ...] = (),
    pointing: str = "none",
    justification: str = JUSTIFICATION,
    risks: str = "",
) -> list[ev.Event]:
    """A scene plan; ``entries`` as recorded: ``FIREARM:CLASS:ROUNDS[:LOAD]``. Blank plans get
    a shield and protection unless given."""
    if any(":blank:" in e for e in entries):
        shields = shields or ("Lexan shield at camera",)
        protection = protection or ("Ear plugs", "Safety glasses")
    return [
        ev.PlanFiled(
            scene=scene,
            armorer=armorer,
            mode=mode,
            firearms=entries,
            distance_ft=distance_ft,
            close_range=close_range,
            shields=shields,
            protection=protection,
            pointing=pointing,
            justification=justification,
            risks=risks,
        )
    ]


def plan_approved(scene: str = SCENE, *, plan: int, approver: str = SAFETY) -> list[ev.Event]:
    """``plan``: the ledger position of the PlanFiled approved (Scenario.seq_of, or the length
    of the history up to and including it)."""
    return [ev.PlanApproved(scene=scene, approver=approver, plan=plan)]


def planned(
    before: Sequence[ev.Event] | None = None,
    scene: str = SCENE,
    entries: tuple[str, ...] = (f"{REVOLVER}:empty:0",),
    *,
    approver: str = SAFETY,
    **plan: Any,
) -> list[ev.Event]:
    """The whole history: ``before`` (the standard production by default), then the scene's
    plan (``plan_filed(scene, entries, **plan)``) filed and approved."""
    history = [*(standard_production() if before is None else before)]
    history += plan_filed(scene, entries, **plan)
    return history + plan_approved(scene, plan=len(history), approver=approver)


def meeting(
    scene: str = SCENE,
    attendees: tuple[str, ...] = (HEAD, FIRST_AD, TALENT),
    *,
    meeting_id: str = "M01",
    lead: str = FIRST_AD,
    confirmed: tuple[str, ...] | None = None,
) -> list[ev.Event]:
    """The meeting, then each person on the roll (``confirmed``: only these) confirming it."""
    roll = tuple(sorted({*attendees, lead}))
    held: list[ev.Event] = [
        ev.MeetingHeld(
            meeting=meeting_id,
            scene=scene,
            lead=lead,
            attendees=roll,
            briefing=(f"Scene {scene}, take.",),
        )
    ]
    who = [p for p in roll if p != lead] if confirmed is None else list(confirmed)
    return held + [ev.MeetingAttended(meeting=meeting_id, person=p) for p in who]


def called(fid: str = REVOLVER, scene: str = SCENE, *, by: str = FIRST_AD) -> list[ev.Event]:
    return [ev.FirearmCalled(firearm=fid, scene=scene, by=by)]


def cut(scene: str = SCENE, *, by: str = FIRST_AD) -> list[ev.Event]:
    return [ev.TakeCut(scene=scene, by=by)]


def break_called(kind: str = "lunch", *, by: str = FIRST_AD) -> list[ev.Event]:
    return [ev.BreakCalled(kind=kind, by=by)]


def locked(sid: str = SAFE) -> list[ev.Event]:
    return [ev.StoreLocked(store=sid)]


# -- ammunition and rounds ----------------------------------------------------------------------


def blank_lot(
    lot: str = "A01",
    *,
    count: int = 50,
    load: str = "quarter",
    calibre: str = ".45 Colt",
    close_range: bool = False,
    store: str = SAFE,
) -> list[ev.Event]:
    return [
        ev.AmmunitionReceived(
            lot=lot,
            ammo_class="blank",
            calibre=calibre,
            load=load,
            close_range=close_range,
            count=count,
            supplier="Hollywood Rentals",
            provenance=f"Lot HR-{lot}",
            store=store,
        )
    ]


def dummy_lot(
    lot: str = "A01",
    *,
    count: int = 50,
    calibre: str = ".45 Colt",
    inert: bool = True,
    store: str = SAFE,
) -> list[ev.Event]:
    """A dummy lot; with ``inert``, every round in it was shown inert (loadable, R-05)."""
    received = ev.AmmunitionReceived(
        lot=lot,
        ammo_class="dummy",
        calibre=calibre,
        load="",
        close_range=False,
        count=count,
        supplier="Hollywood Rentals",
        provenance=f"Lot HR-{lot}",
        store=store,
    )
    if not inert:
        return [received]
    return [
        received,
        ev.DummyLotInspected(lot=lot, inspected=count, inert=count, methods=("rattle",)),
    ]


def loaded(fid: str, lot: str, count: int, *, armorer: str = HEAD) -> list[ev.Event]:
    return [ev.RoundsLoaded(firearm=fid, lot=lot, count=count, armorer=armorer)]


def unloaded(
    fid: str, rounds: tuple[str, ...], spent: int = 0, *, armorer: str = HEAD
) -> list[ev.Event]:
    return [ev.RoundsUnloaded(firearm=fid, armorer=armorer, rounds=rounds, spent=spent)]


def discharged(
    fid: str, count: int, *, planned: bool, holder: str = TALENT, by: str = HEAD
) -> list[ev.Event]:
    return [
        ev.FirearmDischarged(
            firearm=fid, count=count, planned=planned, holder=holder, by=by, note=""
        )
    ]


def misfired(fid: str = REVOLVER, *, by: str = HEAD) -> list[ev.Event]:
    return [ev.MisfireRecorded(firearm=fid, by=by)]


# -- the check: inspection, witnesses, announcement ---------------------------------------------


def inspected(
    fid: str = REVOLVER,
    positions: tuple[str, ...] = ("empty",) * 6,
    *,
    result: str = "EMPTY",
    rounds: int = 0,
    load: str = "",
    reason: str = "",
    phase: str = "pre_use",
    barrel: str = "clear",
    armorer: str = HEAD,
) -> list[ev.Event]:
    return [
        ev.FirearmInspected(
            firearm=fid,
            armorer=armorer,
            phase=phase,
            positions=positions,
            barrel=barrel,
            result=result,
            rounds=rounds,
            load=load,
            reason=reason,
        )
    ]


def witnessed(
    fid: str, witness: str, *, inspection: int, role: str | None = None, shown: str = "EMPTY"
) -> list[ev.Event]:
    """``inspection``: the ledger position of the FirearmInspected shown."""
    role = role or ("first_ad" if witness == FIRST_AD else "talent")
    return [
        ev.CheckWitnessed(
            firearm=fid, witness=witness, role=role, inspection=inspection, shown=shown
        )
    ]


def announced(fid: str, call: str, *, inspection: int) -> list[ev.Event]:
    return [
        ev.FirearmAnnounced(
            firearm=fid,
            call=call,
            text=f"{call.capitalize()}: {fid} as checked.",
            inspection=inspection,
        )
    ]


# -- incidents, concerns, stop-work, settings ---------------------------------------------------


def incident_opened(
    incident: str = "I01",
    kind: str = "near_miss",
    *,
    firearm: str = "",
    firearms: tuple[str, ...] = (),
    lots: tuple[str, ...] = (),
    by: str = HEAD,
    description: str = "Muzzle swept across the camera crew.",
) -> list[ev.Event]:
    return [
        ev.IncidentOpened(
            incident=incident,
            kind=kind,
            firearm=firearm,
            firearms=firearms,
            lots=lots,
            by=by,
            description=description,
        )
    ]


def incident_closed(incident: str = "I01", *, reviewer: str = SAFETY) -> list[ev.Event]:
    return [
        ev.IncidentClosed(
            incident=incident,
            reviewer=reviewer,
            findings="Reviewed with the armorer and the 1st AD.",
            corrective_action="Re-briefed cast and crew on muzzle discipline.",
        )
    ]


def concern_raised(
    concern: str = "C01", *, by: str = TALENT, stop: bool = True, text: str = "No meeting today."
) -> list[ev.Event]:
    return [ev.ConcernRaised(concern=concern, by=by, text=text, stop=stop)]


def work_stopped(
    *, by: str = HEAD, reason: str = "Crew too close to the line of fire."
) -> list[ev.Event]:
    return [ev.WorkStopped(by=by, reason=reason)]


def setting_changed(setting: str, value: int, *, by: str = SAFETY) -> list[ev.Event]:
    return [ev.SettingChanged(setting=setting, value=value, by=by, waiver="")]


def waiver_granted(
    setting: str, value: int, rule: str, *, waiver: str = "W01", advisor: str = SAFETY
) -> list[ev.Event]:
    return [
        ev.WaiverGranted(
            waiver=waiver,
            rule=rule,
            setting=setting,
            value=value,
            advisor=advisor,
            reason="Long lighting set-ups; the armorer keeps the firearm in hand throughout.",
        )
    ]


# -- a firearm ready to be issued ---------------------------------------------------------------


def ready_to_issue(
    fid: str = REVOLVER,
    talent: str = TALENT,
    *,
    before: Sequence[ev.Event] | None = None,
    scene: str = SCENE,
    load: tuple[str, int] | None = None,
    plan: tuple[str, ...] | None = None,
    also: tuple[str, ...] = (),
    open_day: bool = True,
    training: bool = True,
    approved: bool = True,
    attendees: tuple[str, ...] | None = None,
    call: bool = True,
    witnesses: tuple[str, ...] | None = None,
    announce: bool | None = None,
) -> list[ev.Event]:
    """The whole history (``before``, the standard production by default, then the day) up to
    the moment the head armorer may hand ``fid`` to ``talent``: every gate of
    ``gates.issue_problems`` holds, at any time up to half an hour after the history (use
    ``at=SOON``).

    Today's opening check (R-03); the talent's training (R-44); the scene's plan naming ``fid``
    (empty, or as ``load`` says), approved by the safety advisor (R-31); the 1st AD's meeting
    with the head armorer and the talent present (R-30); the 1st AD's call (R-27); the head
    armorer takes it, loads ``load`` = (lot, rounds) if given (the lot must be in ``before``),
    inspects it before use (R-19) and shows it to the 1st AD and the talent (R-20, R-24); blanks
    are announced hot (R-41). ``also``: other talents trained, at the meeting and shown it too.
    The keyword switches leave one record out, to fail one gate.
    """
    history: list[ev.Event] = list(standard_production() if before is None else before)
    state = replay(history)
    positions = state.firearms[fid].capacity.positions
    talents = (talent, *also)
    items: tuple[str, ...] = ("empty",) * positions
    result, rounds, cls, blank_load = "EMPTY", 0, "empty", ""
    if load is not None:
        lot_id, rounds = load
        lot = state.lots[lot_id]
        cls, blank_load = lot.ammo_class, lot.load
        items = (f"{cls}:{lot_id}",) * rounds + ("empty",) * (positions - rounds)
        result = "BLANKS" if cls == "blank" else "DUMMIES"
    if plan is None:
        plan = (f"{fid}:{cls}:{rounds}" + (f":{blank_load}" if blank_load else ""),)
    if open_day:
        history += day_opened()
    if training:
        for who in talents:
            if (who, ACTIONS[fid]) not in state.training:
                history += trained(who, ACTIONS[fid])
    history += plan_filed(scene, plan)
    if approved:
        history += plan_approved(scene, plan=len(history))
    meeting_id = f"M{len(state.meetings) + 1:02d}"
    history += meeting(
        scene, (HEAD, *talents) if attendees is None else attendees, meeting_id=meeting_id
    )
    if call:
        history += called(fid, scene)
    history += taken(fid, store=state.location[fid].store or SAFE)
    if load is not None:
        history += loaded(fid, load[0], load[1])
    history += inspected(fid, items, result=result, rounds=rounds, load=blank_load)
    inspection = len(history)
    shown = str(LoadState(result=result, rounds=rounds, load=blank_load))
    for who in (FIRST_AD, *talents) if witnesses is None else witnesses:
        history += witnessed(fid, who, inspection=inspection, shown=shown)
    if announce or (announce is None and result == "BLANKS"):
        history += announced(fid, "hot" if result == "BLANKS" else "cold", inspection=inspection)
    return history


def next_handoff(history: Sequence[ev.Event]) -> str:
    return f"H{replay(history).handoffs_made + 1:04d}"


def issued(fid: str = REVOLVER, talent: str = TALENT, **ready: Any) -> list[ev.Event]:
    """``ready_to_issue(fid, talent, **ready)``, then the hand-off to the talent completed."""
    history = ready_to_issue(fid, talent, **ready)
    return history + handed(next_handoff(history), fid, HEAD, talent)


# -- given / when / then -----------------------------------------------------------------------


def moment(seq: int) -> datetime:
    """When the event at ledger position ``seq`` of a history was recorded."""
    return NOW - timedelta(hours=1) + timedelta(seconds=seq)


def stamp(seq: int) -> Stamp:
    return Stamp(seq=seq, time=moment(seq).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


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

    def time_of(self, event: ev.Event) -> datetime:
        """When ``event`` was recorded in this history."""
        return moment(self.seq_of(event))


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
