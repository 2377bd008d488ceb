"""Regressions for the review's holes (fixed in "Review fixes: ..."): each test states the fixed
behaviour exactly, as the events a command produces or the refusal (kind and rule id).

    1  discharges by a talent after a custody report, after a void check, or under a plan filed
       but not approved are unplanned; two planned discharges in one take stay planned
    2  a discharge while firearms work is stopped is unplanned
    3  a live round found at inspection holds and quarantines the lots the firearm was loaded from
    4  a firearm brought back by a custody report needs a post-use inspection; one reported into a
       store blocks a break or wrap until the armorer takes it
    5  register corrections: capacity/calibre only in the store and unloaded (R-22), only with a
       permit (R-45), and a correction voids a standing check (R-29)
    6  the safety advisor is independent (R-49); no armorer is also 1st AD (R-16); nobody approves
       their own plan (R-31) or witnesses their own inspection (R-20)
    8  a hang-fire resolves the misfire
    9  a shoot day runs from the opening check to wrap (at most 20 h), not a UTC date
   10  a setting loosens only from its current value, by waiver
   11  a misfire on evidence hold is not cleared (R-54)
   12  nobody records their own permit (R-45)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from tests.unit.domain_helpers import (
    AFTER_EXPIRY,
    ASSISTANT,
    FIRST_AD,
    HEAD,
    OTHER_TALENT,
    PISTOL,
    PRODUCER,
    REVOLVER,
    SAFE,
    SAFETY,
    SCENE,
    SOON,
    TALENT,
    Scenario,
    blank_lot,
    break_called,
    called,
    cut,
    discharged,
    dummy_lot,
    given,
    handed,
    incident_closed,
    incident_opened,
    inspected,
    issued,
    loaded,
    locked,
    meeting,
    next_handoff,
    permit,
    person,
    plan_filed,
    planned,
    ready_to_issue,
    setting_changed,
    standard_production,
    taken,
    work_stopped,
)

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain import gates
from coldcheck.domain.errors import Conflict, Refused
from coldcheck.domain.state import ProductionState, Stamp, evolve
from coldcheck.domain.values import Permit, Role

ARMED_TALENT = "P09"  # an armorer who also performs (allowed: fix 6 forbids only armorer + 1st AD)
BLANKS_PLAN = (f"{REVOLVER}:blank:6:quarter",)
REASON = "Registered wrong from the rental sheet."


def armed_talent() -> list[ev.Event]:
    """P09: armorer and talent, with a permit on file."""
    return [*person(ARMED_TALENT, "Alex Grey", Role.ARMORER, Role.TALENT), *permit(ARMED_TALENT)]


def with_blanks() -> list[ev.Event]:
    """The talent holds the revolver with six quarter-load blanks from A01, checked and
    announced hot, under an approved plan for six."""
    before = [*standard_production(), *blank_lot()]
    return issued(before=before, load=("A01", 6), plan=BLANKS_PLAN)


def reported(
    fid: str = REVOLVER, *, by: str = FIRST_AD, to: str = "", store: str = ""
) -> list[ev.Event]:
    return [ev.CustodyReported(firearm=fid, by=by, person=to, store=store, note="")]


def unplanned(
    why: str, *, count: int, holder: str, by: str, incident: str = "I01"
) -> tuple[ev.FirearmDischarged, ev.IncidentOpened]:
    """The two events of an unplanned discharge of the revolver (no note)."""
    return (
        ev.FirearmDischarged(
            firearm=REVOLVER, count=count, planned=False, holder=holder, by=by, note=""
        ),
        ev.IncidentOpened(
            incident=incident,
            kind="unplanned_discharge",
            firearm="",
            firearms=(REVOLVER,),
            lots=(),
            by=by,
            description=f"Unplanned discharge of {REVOLVER}: {why}.",
        ),
    )


def planned_shot(count: int, *, holder: str = TALENT, by: str = HEAD) -> ev.FirearmDischarged:
    return ev.FirearmDischarged(
        firearm=REVOLVER, count=count, planned=True, holder=holder, by=by, note=""
    )


def last(scenario: Scenario, kind: type[ev.Event]) -> ev.Event:
    return next(e for e in reversed(scenario.history) if isinstance(e, kind))


# -- 1. unplanned: reported, void, unapproved; planned: two shots of one take ----------------------


def test_a_discharge_by_a_talent_the_firearm_was_reported_with_is_unplanned() -> None:
    (
        given(with_blanks(), reported(to=OTHER_TALENT))
        .when(c.RecordDischarge(firearm=REVOLVER, count=2), by=FIRST_AD, at=SOON)
        .then(
            *unplanned(
                "it had left the armorer-talent chain (reported with its holder)",
                count=2,
                holder=OTHER_TALENT,
                by=FIRST_AD,
            )
        )
    )


def test_a_discharge_after_the_check_went_void_by_loading_is_unplanned() -> None:
    # the talent is also an armorer: after the hand-off they load three more rounds themself
    history = issued(
        talent=ARMED_TALENT,
        before=[*standard_production(), *armed_talent(), *blank_lot()],
        load=("A01", 3),
        plan=BLANKS_PLAN,
    )
    reloaded = (
        given(history)
        .when(c.LoadRounds(firearm=REVOLVER, lot="A01", count=3), by=ARMED_TALENT, at=SOON)
        .then(ev.RoundsLoaded(firearm=REVOLVER, lot="A01", count=3, armorer=ARMED_TALENT))
    )
    assert reloaded.state.inspections[REVOLVER].void == "loaded since"

    reloaded.when(c.RecordDischarge(firearm=REVOLVER, count=2), by=FIRST_AD, at=SOON).then(
        *unplanned(
            "its check was void: it was loaded since", count=2, holder=ARMED_TALENT, by=FIRST_AD
        )
    )


def test_two_planned_discharges_in_one_take_are_both_planned() -> None:
    after = (
        given(with_blanks())
        .when(c.RecordDischarge(firearm=REVOLVER, count=2), by=HEAD, at=SOON)
        .then(planned_shot(2))
        .when(c.RecordDischarge(firearm=REVOLVER, count=4), by=HEAD, at=SOON)
        .then(planned_shot(4))
    )

    assert after.state.inspections[REVOLVER].void == "discharged since"
    assert after.state.rounds_in(REVOLVER).fired == 6
    assert after.state.incidents == {}


def test_shots_after_a_reload_that_followed_a_planned_shot_are_unplanned() -> None:
    history = issued(
        talent=ARMED_TALENT,
        before=[*standard_production(), *armed_talent(), *blank_lot()],
        load=("A01", 6),
        plan=BLANKS_PLAN,
    )
    reloaded = (
        given(history)
        .when(c.RecordDischarge(firearm=REVOLVER, count=2), by=FIRST_AD, at=SOON)
        .then(planned_shot(2, holder=ARMED_TALENT, by=FIRST_AD))
        .when(c.UnloadFirearm(firearm=REVOLVER), by=ARMED_TALENT, at=SOON)
        .then(ev.RoundsUnloaded(firearm=REVOLVER, armorer=ARMED_TALENT, rounds=("A01:4",), spent=2))
        .when(c.LoadRounds(firearm=REVOLVER, lot="A01", count=6), by=ARMED_TALENT, at=SOON)
        .then(ev.RoundsLoaded(firearm=REVOLVER, lot="A01", count=6, armorer=ARMED_TALENT))
    )

    # six rounds nobody checked or announced: the shots are not the planned ones
    events = reloaded.when(
        c.RecordDischarge(firearm=REVOLVER, count=4), by=FIRST_AD, at=SOON
    ).events
    assert [type(e) for e in events] == [ev.FirearmDischarged, ev.IncidentOpened]
    assert isinstance(events[0], ev.FirearmDischarged)
    assert events[0].planned is False


def test_a_discharge_under_a_plan_filed_again_and_not_approved_is_unplanned() -> None:
    (
        given(with_blanks(), plan_filed(SCENE, BLANKS_PLAN))
        .when(c.RecordDischarge(firearm=REVOLVER, count=1), by=HEAD, at=SOON)
        .then(
            *unplanned(
                "no approved plan for the current set-up has it fire blanks",
                count=1,
                holder=TALENT,
                by=HEAD,
            )
        )
    )


# -- 2. unplanned while firearms work is stopped ---------------------------------------------------


def test_a_discharge_while_the_armorer_stopped_work_is_unplanned() -> None:
    (
        given(with_blanks(), work_stopped())
        .when(c.RecordDischarge(firearm=REVOLVER, count=2), by=HEAD, at=SOON)
        .then(
            *unplanned(
                "firearms work was stopped (R-47: Hannah Reed stopped firearms work "
                "(Crew too close to the line of fire.))",
                count=2,
                holder=TALENT,
                by=HEAD,
            )
        )
    )


def test_a_discharge_while_a_malfunction_of_that_firearm_is_open_is_unplanned() -> None:
    malfunction = incident_opened(
        kind="malfunction",
        firearm=REVOLVER,
        firearms=(REVOLVER,),
        description="The cylinder binds on the third chamber.",
    )
    (
        given(with_blanks(), malfunction)
        .when(c.RecordDischarge(firearm=REVOLVER, count=2), by=HEAD, at=SOON)
        .then(
            *unplanned(
                "firearms work was stopped (R-51: incident I01 (malfunction) on F01 is open)",
                count=2,
                holder=TALENT,
                by=HEAD,
                incident="I02",
            )
        )
    )


# -- 3. a live round found: its lots held and quarantined ------------------------------------------


@pytest.mark.parametrize(
    ("lot", "item", "entries"),
    [
        (blank_lot(), "blank:A01", (f"{REVOLVER}:blank:6:quarter", f"{PISTOL}:blank:6:quarter")),
        (dummy_lot(), "dummy:A01", (f"{REVOLVER}:dummy:6", f"{PISTOL}:dummy:6")),
    ],
    ids=["blank-lot", "dummy-lot"],
)
def test_a_live_round_found_holds_and_quarantines_the_lot_it_was_loaded_from(
    lot: list[ev.Event], item: str, entries: tuple[str, ...]
) -> None:
    history = [
        *planned([*standard_production(), *lot], entries=entries),
        *called(REVOLVER),
        *taken(REVOLVER),
        *loaded(REVOLVER, "A01", 6),
    ]
    positions = (item,) * 5 + ("live",)
    found = (
        given(history)
        .when(c.InspectFirearm(firearm=REVOLVER, positions=positions, barrel_clear=True), by=HEAD)
        .then(
            ev.FirearmInspected(
                firearm=REVOLVER,
                armorer=HEAD,
                phase="pre_use",
                positions=positions,
                barrel="clear",
                result="OUT_OF_SERVICE",
                rounds=0,
                load="",
                reason="a live round (R-01)",
            ),
            ev.IncidentOpened(
                incident="I01",
                kind="live_round_found",
                firearm="",
                firearms=(REVOLVER,),
                lots=("A01",),
                by=HEAD,
                description="1 live round(s) found in F01 (serial UB-1873-001) at inspection, "
                "loaded from lot(s) A01. Stop all firearms work; preserve the firearm and "
                "rounds (R-54); those lots are quarantined (R-05).",
            ),
        )
    )
    held = found.state.on_hold(lot="A01")
    assert held is not None
    assert held.id == "I01"

    # reviewed, closed and re-briefed: the lot is still never loaded again
    after = given(found.history, incident_closed("I01"), meeting(), taken(PISTOL), called(PISTOL))
    assert after.state.on_hold(lot="A01") is None
    after.when(c.LoadRounds(firearm=PISTOL, lot="A01", count=6), by=HEAD).then_refused(
        Refused, "R-05"
    )


# -- 4. back by a custody report: post-use inspection; reported into a store: no break -------------


def test_a_firearm_reported_back_to_the_armorer_is_stored_only_after_a_post_use_inspection() -> (
    None
):
    history = [*with_blanks(), *discharged(REVOLVER, 6, planned=True), *cut()]
    counted = (
        given(history, reported(by=HEAD, to=HEAD))
        .when(c.UnloadFirearm(firearm=REVOLVER), by=HEAD, at=SOON)
        .then(ev.RoundsUnloaded(firearm=REVOLVER, armorer=HEAD, rounds=(), spent=6))
        .when(c.Reconcile(firearm=REVOLVER, fired=6, returned=0, misfired=0), by=HEAD, at=SOON)
        .accepted()
    )
    assert counted.state.rounds_in(REVOLVER).reconciled

    put_away = c.ReturnFirearm(firearm=REVOLVER, store=SAFE)
    counted.when(put_away, by=HEAD, at=SOON).then_refused(Refused, "R-19")

    given(counted.history, inspected(phase="post_use")).when(put_away, by=HEAD, at=SOON).then(
        ev.FirearmReturned(firearm=REVOLVER, store=SAFE, by=HEAD)
    )


@pytest.mark.parametrize("kind", ["lunch", "wrap"])
def test_a_firearm_reported_into_a_store_blocks_a_break_until_the_armorer_takes_it(
    kind: str,
) -> None:
    history = [*issued(), *reported(store=SAFE), *locked(SAFE)]
    refusal = (
        given(history)
        .when(c.CallBreak(kind=kind), by=FIRST_AD, at=SOON)
        .then_refused(Refused, "R-08")
    )
    assert "no post-use inspection since it was out" in refusal.message

    taken_back = [
        ev.StoreUnlocked(store=SAFE),
        *taken(REVOLVER),
        *inspected(phase="post_use"),
        ev.FirearmReturned(firearm=REVOLVER, store=SAFE, by=HEAD),
        *locked(SAFE),
    ]
    given(history, taken_back).when(c.CallBreak(kind=kind), by=FIRST_AD, at=SOON).then(
        ev.BreakCalled(kind=kind, by=FIRST_AD)
    )


def test_a_fired_firearm_reported_into_a_store_is_not_put_back_without_a_post_use_check() -> None:
    history = [
        *with_blanks(),
        *discharged(REVOLVER, 2, planned=True),
        *cut(),
        *reported(store=SAFE),  # the talent left it in the (unlocked) safe
        *taken(REVOLVER),
    ]
    counted = (
        given(history)
        .when(c.UnloadFirearm(firearm=REVOLVER), by=HEAD, at=SOON)
        .then(ev.RoundsUnloaded(firearm=REVOLVER, armorer=HEAD, rounds=("A01:4",), spent=2))
        .when(c.Reconcile(firearm=REVOLVER, fired=2, returned=4, misfired=0), by=HEAD, at=SOON)
        .accepted()
    )

    counted.when(c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD, at=SOON).then_refused(
        Refused, "R-19"
    )


# -- 5. register corrections -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "field", "value"),
    [
        (ready_to_issue(), "capacity", "15+1"),  # held by the armorer, checked for 6 chambers
        ([*with_blanks(), *reported(store=SAFE)], "calibre", ".44-40"),  # in a store, loaded
    ],
    ids=["out-of-its-store", "loaded-in-a-store"],
)
def test_capacity_or_calibre_is_corrected_only_in_the_store_and_unloaded(
    history: list[ev.Event], field: str, value: str
) -> None:
    given(history).when(
        c.CorrectFirearm(firearm=REVOLVER, field=field, value=value, reason=REASON),
        by=HEAD,
        at=SOON,
    ).then_refused(Refused, "R-22")


def test_capacity_is_corrected_in_the_store_when_unloaded() -> None:
    scenario = given(standard_production())
    scenario.when(
        c.CorrectFirearm(firearm=REVOLVER, field="capacity", value="15+1", reason=REASON),
        by=HEAD,
    ).then(
        ev.FirearmCorrected(
            firearm=REVOLVER,
            entry=scenario.state.firearms[REVOLVER].registered_seq,
            field="capacity",
            value="15+1",
            reason=REASON,
        )
    )


def test_an_armorer_without_a_permit_does_not_correct_the_register() -> None:
    given(standard_production()).when(
        c.CorrectFirearm(firearm=REVOLVER, field="calibre", value=".44-40", reason=REASON),
        by=ASSISTANT,
    ).then_refused(Refused, "R-45")


def test_a_register_correction_voids_a_standing_check() -> None:
    # In a store no check stands (putting it there voids it already), so the standing check is
    # of a firearm in the armorer's hands, corrected in a field allowed out of the store.
    history = ready_to_issue()
    announce = c.Announce(firearm=REVOLVER)
    assert given(history).when(announce, by=FIRST_AD, at=SOON).refusal is None

    scenario = given(history)
    corrected = scenario.when(
        c.CorrectFirearm(firearm=REVOLVER, field="serial", value="UB-1873-002", reason=REASON),
        by=HEAD,
        at=SOON,
    ).then(
        ev.FirearmCorrected(
            firearm=REVOLVER,
            entry=scenario.state.firearms[REVOLVER].registered_seq,
            field="serial",
            value="UB-1873-002",
            reason=REASON,
        )
    )

    assert corrected.state.inspections[REVOLVER].void == "corrected in the register since"
    corrected.when(announce, by=FIRST_AD, at=SOON).then_refused(Refused, "R-29")


# -- 6. one person, several roles ------------------------------------------------------------------


def register(*roles: Role) -> c.RegisterPerson:
    return c.RegisterPerson(
        name="Alex Grey", roles=frozenset(roles), key="kp09g1", public_key="pk-P09-1"
    )


@pytest.mark.parametrize(
    "other",
    [Role.ARMORER, Role.FIRST_AD, Role.TALENT, Role.PRODUCER, Role.CREW, Role.INVESTIGATOR],
)
def test_the_safety_advisor_holds_no_other_role(other: Role) -> None:
    given(standard_production()).when(
        register(Role.SAFETY_ADVISOR, other), by=PRODUCER
    ).then_refused(Refused, "R-49")


def test_an_armorer_is_not_also_the_1st_ad() -> None:
    given(standard_production()).when(
        register(Role.ARMORER, Role.FIRST_AD), by=PRODUCER
    ).then_refused(Refused, "R-16")


def test_an_armorer_may_also_be_talent() -> None:
    given(standard_production()).when(register(Role.ARMORER, Role.TALENT), by=PRODUCER).then(
        ev.PersonRegistered(
            person="P09", name="Alex Grey", roles=("armorer", "talent"), head_armorer=False
        ),
        ev.KeyCreated(person="P09", key="kp09g1", public_key="pk-P09-1"),
    )


def test_nobody_approves_the_plan_they_filed() -> None:
    # an armorer who is also a producer (allowed) files the plan, then tries to approve it
    filer = [*person(ARMED_TALENT, "Alex Grey", Role.ARMORER, Role.PRODUCER), *permit(ARMED_TALENT)]
    history = [*standard_production(), *filer, *plan_filed(armorer=ARMED_TALENT)]
    given(history).when(c.ApprovePlan(scene=SCENE), by=ARMED_TALENT).then_refused(Refused, "R-31")


def test_the_armorer_who_inspected_does_not_witness_the_check() -> None:
    history = [
        *standard_production(),
        *armed_talent(),
        *taken(REVOLVER, by=ARMED_TALENT),
        *inspected(armorer=ARMED_TALENT),
    ]
    given(history).when(c.WitnessCheck(firearm=REVOLVER), by=ARMED_TALENT, at=SOON).then_refused(
        Refused, "R-20"
    )


# -- 8. a hang-fire resolves the misfire -----------------------------------------------------------


def test_a_hang_fire_resolves_the_misfire_and_the_count_balances() -> None:
    misfired = (
        given(with_blanks(), discharged(REVOLVER, 3, planned=True))
        .when(c.RecordMisfire(firearm=REVOLVER), by=HEAD, at=SOON)
        .accepted()
    )
    assert misfired.state.rounds_in(REVOLVER).misfire_at

    # the misfired round goes off late: the hang-fire of a planned shot, under its own misfire's
    # malfunction incident, is recorded as planned and opens no second incident
    hang_fire = misfired.when(c.RecordDischarge(firearm=REVOLVER, count=1), by=HEAD, at=SOON)
    assert [type(e) for e in hang_fire.events] == [ev.FirearmDischarged]
    assert hang_fire.events[0] == ev.FirearmDischarged(
        firearm=REVOLVER, count=1, planned=True, holder=TALENT, by=HEAD, note=""
    )
    after = hang_fire.accepted()
    assert after.state.rounds_in(REVOLVER).misfire_at == ""

    # the talent hands it back (a malfunction is not evidence); nothing is left to clear
    back = given(after.history, handed(next_handoff(after.history), REVOLVER, TALENT, HEAD))
    later = back.time_of(last(back, ev.MisfireRecorded)) + timedelta(minutes=1)

    refusal = back.when(c.ClearMisfire(firearm=REVOLVER), by=HEAD, at=later).then_refused(
        Conflict, None
    )
    assert "no misfire waiting" in refusal.message

    (
        back.when(c.UnloadFirearm(firearm=REVOLVER), by=HEAD, at=later)
        .then(ev.RoundsUnloaded(firearm=REVOLVER, armorer=HEAD, rounds=("A01:2",), spent=4))
        .when(c.Reconcile(firearm=REVOLVER, fired=4, returned=2, misfired=0), by=HEAD, at=later)
        .then(
            ev.RoundsReconciled(
                firearm=REVOLVER,
                armorer=HEAD,
                issued=6,
                fired=4,
                returned=2,
                misfired=0,
                balanced=True,
            )
        )
    )


# -- 9. the shoot day: opening check to wrap -------------------------------------------------------

CHECK_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NEXT_UTC_DATE = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)  # 9.5 h after the opening check


def stamped(*parts: tuple[datetime, Sequence[ev.Event]]) -> Scenario:
    """A scenario whose events are recorded at chosen times: each part's events a second apart
    from its time (``given`` stamps every history an hour before NOW)."""
    state, history = ProductionState(), []
    for start, events in parts:
        for i, event in enumerate(events):
            at = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            state = evolve(state, event, Stamp(seq=state.seq + 1, time=at))
            history.append(event)
    return Scenario(tuple(history), state)


def across_midnight(*, wrap_at: datetime | None = None) -> Scenario:
    """The opening check at 15:00Z; the rest of the issue's records (meeting, call, load, check)
    just after midnight UTC; with ``wrap_at``, a wrap before those."""
    history = ready_to_issue()
    opening = next(i for i, e in enumerate(history) if isinstance(e, ev.DayOpened))
    parts: list[tuple[datetime, Sequence[ev.Event]]] = [
        (CHECK_AT - timedelta(minutes=5), history[:opening]),
        (CHECK_AT, history[opening : opening + 1]),
    ]
    if wrap_at is not None:
        parts.append((wrap_at, [*locked(SAFE), *break_called("wrap")]))
    parts.append((NEXT_UTC_DATE - timedelta(minutes=10), history[opening + 1 :]))
    return stamped(*parts)


def test_a_shoot_day_runs_from_its_opening_check_across_midnight_utc_for_20_hours() -> None:
    scenario = across_midnight()
    opened = scenario.state.day_seq

    assert opened
    assert gates.shoot_day(scenario.state, NEXT_UTC_DATE) == opened
    assert gates.shoot_day(scenario.state, CHECK_AT + timedelta(hours=20)) == opened
    assert gates.shoot_day(scenario.state, CHECK_AT + timedelta(hours=20, minutes=1)) == 0

    scenario.when(
        c.ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=HEAD, at=NEXT_UTC_DATE
    ).then(ev.HandoffProposed(handoff="H0001", firearm=REVOLVER, giver=HEAD, receiver=TALENT))
    scenario.when(
        c.OpenDay(swept=("Main safe",), schedule="Scene 12A"), by=HEAD, at=NEXT_UTC_DATE
    ).then_refused(Conflict, None)


def test_after_wrap_a_new_opening_check_is_needed() -> None:
    wrapped = across_midnight(wrap_at=datetime(2026, 3, 2, 23, 0, tzinfo=UTC))

    assert gates.shoot_day(wrapped.state, NEXT_UTC_DATE) == 0
    wrapped.when(
        c.OpenDay(swept=("Main safe",), schedule="Scene 12A"), by=HEAD, at=NEXT_UTC_DATE
    ).then(ev.DayOpened(armorer=HEAD, day="2026-03-03", swept=("Main safe",), schedule="Scene 12A"))


# -- 10. settings loosen only from the current value, by waiver ------------------------------------


def test_a_stricter_setting_is_loosened_back_only_by_the_safety_advisors_waiver() -> None:
    stricter = given(standard_production(), setting_changed("blank_distance_ft", 35))

    stricter.when(c.ChangeSetting(setting="blank_distance_ft", value=20), by=PRODUCER).then_refused(
        Refused, "R-38"
    )

    reason = "Wide exterior; the 35 ft stand-off was for the interior set."
    after = stricter.when(
        c.GrantWaiver(setting="blank_distance_ft", value=20, reason=reason), by=SAFETY
    ).then(
        ev.WaiverGranted(
            waiver="W01",
            rule="R-38",
            setting="blank_distance_ft",
            value=20,
            advisor=SAFETY,
            reason=reason,
        )
    )
    assert after.state.setting("blank_distance_ft") == 20


# -- 11. no clearing a misfire on evidence hold ----------------------------------------------------


def test_a_misfire_of_a_firearm_on_evidence_hold_is_not_cleared() -> None:
    history = [
        *planned([*standard_production(), *blank_lot()], entries=BLANKS_PLAN),
        *called(),
        *taken(REVOLVER),
        *loaded(REVOLVER, "A01", 6),
        *inspected(positions=("blank:A01",) * 6, result="BLANKS", rounds=6, load="quarter"),
    ]
    held = (
        given(history)
        .when(
            c.RecordDischarge(firearm=REVOLVER, count=1), by=HEAD, at=SOON
        )  # in the armorer's hands
        .accepted()
        .when(c.RecordMisfire(firearm=REVOLVER), by=HEAD, at=SOON)
        .accepted()
    )
    hold = held.state.on_hold(firearm=REVOLVER)
    assert hold is not None
    assert hold.kind == "unplanned_discharge"

    later = held.time_of(last(held, ev.MisfireRecorded)) + timedelta(seconds=30)
    held.when(c.ClearMisfire(firearm=REVOLVER), by=HEAD, at=later).then_refused(Refused, "R-54")


# -- 12. nobody records their own permit -----------------------------------------------------------


RENEWED = Permit(number="CA-0043", authority="California DOJ", expires=date(2027, 12, 31))


def test_the_head_armorer_does_not_record_their_own_permit() -> None:
    given(standard_production()).when(
        c.RecordPermit(person=HEAD, permit=RENEWED), by=HEAD, at=AFTER_EXPIRY
    ).then_refused(Refused, "R-45")


def test_the_safety_advisor_records_the_head_armorers_permit() -> None:
    given(standard_production()).when(
        c.RecordPermit(person=HEAD, permit=RENEWED), by=SAFETY, at=AFTER_EXPIRY
    ).then(
        ev.PermitRecorded(
            person=HEAD, number="CA-0043", authority="California DOJ", expires="2027-12-31"
        )
    )
