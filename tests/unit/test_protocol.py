"""The shooting day's records and gates: the opening check (R-03), training (R-44), scene plans
(R-31, R-35, R-38, R-40), safety meetings (R-30), calls and cuts (R-27, R-15), breaks and wrap
(R-08, R-17), settings and waivers (R-49), and live fire only at an approved range (R-01, R-02)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from tests.unit.domain_helpers import (
    AFTER_EXPIRY,
    ASSISTANT,
    FIRST_AD,
    HEAD,
    INVESTIGATOR,
    JUSTIFICATION,
    NOW,
    OTHER_TALENT,
    PISTOL,
    PRODUCER,
    REVOLVER,
    RIFLE,
    SAFE,
    SAFETY,
    SCENE,
    TALENT,
    TODAY,
    blank_lot,
    break_called,
    called,
    concern_raised,
    day_opened,
    firearm,
    given,
    incident_closed,
    incident_opened,
    loaded,
    locked,
    meeting,
    plan_filed,
    planned,
    setting_changed,
    standard_production,
    store,
    taken,
    trained,
    unloaded,
    waiver_granted,
    work_stopped,
)

from coldcheck.app import ledgerops
from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain.errors import Conflict, InvalidInput, NotAuthorised, NotFound, Refused
from coldcheck.domain.protocol import BRIEF_RULES
from coldcheck.domain.values import AmmoClass

REPLICA = "F04"


def open_day(*swept: str, schedule: str = "12A after lunch") -> c.OpenDay:
    return c.OpenDay(swept=swept or ("Main safe", "Prop cart"), schedule=schedule)


# -- the opening check (R-03, R-32) -------------------------------------------------------------


def test_the_armorer_records_todays_opening_check_with_what_was_swept() -> None:
    after = (
        given(standard_production())
        .when(open_day("Main  safe", "  ", "Prop cart", schedule=" 12A  after lunch"), by=HEAD)
        .then(
            ev.DayOpened(
                armorer=HEAD,
                day="2026-03-02",
                swept=("Main safe", "Prop cart"),
                schedule="12A after lunch",
            )
        )
    )

    assert after.history[-1].attesters() == (HEAD,)
    assert TODAY in after.state.days


@pytest.mark.parametrize("actor", [TALENT, FIRST_AD, PRODUCER, SAFETY])
def test_only_an_armorer_records_the_opening_check(actor: str) -> None:
    given(standard_production()).when(open_day(), by=actor).then_refused(NotAuthorised, "R-03")


def test_an_armorer_without_a_permit_on_file_cannot_open_the_day() -> None:
    given(standard_production()).when(open_day(), by=ASSISTANT).then_refused(Refused, "R-45")


def test_an_armorer_whose_permit_expired_cannot_open_the_day() -> None:
    given(standard_production()).when(open_day(), by=HEAD, at=AFTER_EXPIRY).then_refused(
        Refused, "R-45"
    )


def test_the_opening_check_is_recorded_once_a_day() -> None:
    given(standard_production(), day_opened()).when(open_day(), by=HEAD).then_refused(
        Conflict, None
    )


def test_an_opening_check_more_than_a_shoot_day_old_is_followed_by_a_new_one() -> None:
    later = NOW + timedelta(hours=20)
    given(standard_production(), day_opened()).when(open_day(), by=HEAD, at=later).then(
        ev.DayOpened(
            armorer=HEAD,
            day=later.date().isoformat(),
            swept=("Main safe", "Prop cart"),
            schedule="12A after lunch",
        )
    )


def test_after_wrap_a_new_opening_check_opens_the_day_again() -> None:
    after = (
        given(standard_production(), day_opened(), locked(SAFE), break_called("wrap"))
        .when(open_day(), by=HEAD)
        .accepted()
    )

    assert after.state.on_break == ""


def test_an_opening_check_that_swept_nothing_is_refused() -> None:
    given(standard_production()).when(open_day(" ", ""), by=HEAD).then_refused(InvalidInput, None)


# -- training (R-44) ------------------------------------------------------------------------------


def test_the_armorer_records_a_talents_training_on_a_kind_of_firearm() -> None:
    after = (
        given(standard_production())
        .when(c.RecordTraining(person=TALENT, action="Revolver", note=" quick  draw "), by=HEAD)
        .then(
            ev.TrainingRecorded(person=TALENT, action="revolver", trainer=HEAD, note="quick draw")
        )
    )

    assert after.history[-1].attesters() == (HEAD,)


def test_only_an_armorer_records_training() -> None:
    given(standard_production()).when(
        c.RecordTraining(person=TALENT, action="revolver"), by=FIRST_AD
    ).then_refused(NotAuthorised, "R-44")


def test_an_armorer_without_a_permit_cannot_record_training() -> None:
    given(standard_production()).when(
        c.RecordTraining(person=TALENT, action="revolver"), by=ASSISTANT
    ).then_refused(Refused, "R-45")


def test_training_on_an_unknown_kind_of_firearm_is_refused() -> None:
    given(standard_production()).when(
        c.RecordTraining(person=TALENT, action="flintlock"), by=HEAD
    ).then_refused(InvalidInput, None)


def test_training_for_someone_outside_the_production_is_refused() -> None:
    given(standard_production()).when(
        c.RecordTraining(person="P99", action="revolver"), by=HEAD
    ).then_refused(NotFound, None)


def test_the_same_training_is_recorded_once() -> None:
    given(standard_production(), trained(TALENT)).when(
        c.RecordTraining(person=TALENT, action="revolver"), by=HEAD
    ).then_refused(Conflict, None)


# -- scene plans (R-31, R-35, R-38, R-40) ---------------------------------------------------------

BLANKS_6 = c.PlanEntry(firearm=REVOLVER, ammo_class="blank", rounds=6, load="quarter")
BLANK_PLAN = c.FilePlan(
    scene="12A",
    mode="take",
    firearms=(BLANKS_6,),
    distance_ft=25,
    shields=("Lexan shield at camera",),
    protection=("Ear plugs", "Safety glasses"),
    justification=JUSTIFICATION,
    risks="Muzzle flash near dry brush.",
)


def filed(**changes: object) -> ev.PlanFiled:
    """The PlanFiled event for BLANK_PLAN, with ``changes``."""
    values: dict[str, object] = {
        "scene": "12A",
        "armorer": HEAD,
        "mode": "take",
        "firearms": ("F01:blank:6:quarter",),
        "distance_ft": 25,
        "close_range": False,
        "shields": ("Lexan shield at camera",),
        "protection": ("Ear plugs", "Safety glasses"),
        "pointing": "none",
        "justification": JUSTIFICATION,
        "risks": "Muzzle flash near dry brush.",
    }
    values.update(changes)
    return ev.PlanFiled(**values)  # type: ignore[arg-type]


def test_the_armorer_files_a_blank_firing_plan_with_its_risk_assessment() -> None:
    after = given(standard_production()).when(BLANK_PLAN, by=HEAD).then(filed())

    assert after.history[-1].attesters() == (HEAD,)
    assert after.state.plans["12A"].entries == {REVOLVER: ("blank", 6, "quarter")}
    assert not after.state.plans["12A"].approved_seq


def test_plan_entries_are_recorded_as_firearm_class_rounds_and_load() -> None:
    entries = (
        c.PlanEntry(firearm=REVOLVER, ammo_class="blank", rounds=6, load="Three-quarter"),
        c.PlanEntry(firearm=PISTOL, ammo_class="dummy", rounds=16),
        c.PlanEntry(firearm=RIFLE, ammo_class="empty"),
    )
    given(standard_production()).when(
        dataclasses.replace(BLANK_PLAN, firearms=entries), by=HEAD
    ).then(filed(firearms=("F01:blank:6:three_quarter", "F02:dummy:16", "F03:empty:0")))


def test_blanks_closer_than_20_ft_are_refused() -> None:
    refusal = (
        given(standard_production())
        .when(dataclasses.replace(BLANK_PLAN, distance_ft=19), by=HEAD)
        .then_refused(Refused, "R-38")
    )

    assert "19 ft" in refusal.message


def test_blanks_closer_than_20_ft_are_allowed_with_close_range_blanks() -> None:
    given(standard_production()).when(
        dataclasses.replace(BLANK_PLAN, distance_ft=10, close_range=True), by=HEAD
    ).then(filed(distance_ft=10, close_range=True))


def test_a_stricter_stand_off_setting_applies_to_blank_plans() -> None:
    stricter = setting_changed("blank_distance_ft", 30)
    given(standard_production(), stricter).when(BLANK_PLAN, by=HEAD).then_refused(Refused, "R-38")


def test_a_waiver_on_the_stand_off_lets_a_blank_plan_keep_a_shorter_distance() -> None:
    given(standard_production(), waiver_granted("blank_distance_ft", 15, "R-38")).when(
        dataclasses.replace(BLANK_PLAN, distance_ft=15), by=HEAD
    ).then(filed(distance_ft=15))


def test_the_stand_off_applies_only_to_blanks() -> None:
    dummies = (c.PlanEntry(firearm=REVOLVER, ammo_class="dummy", rounds=6),)
    given(standard_production()).when(
        c.FilePlan(
            scene="12A",
            mode="rehearsal",
            firearms=dummies,
            distance_ft=3,
            justification="Close-up.",
        ),
        by=HEAD,
    ).then(
        ev.PlanFiled(
            scene="12A",
            armorer=HEAD,
            mode="rehearsal",
            firearms=("F01:dummy:6",),
            distance_ft=3,
            close_range=False,
            shields=(),
            protection=(),
            pointing="none",
            justification="Close-up.",
            risks="",
        )
    )


@pytest.mark.parametrize(
    "missing", [{"shields": ()}, {"protection": ()}, {"shields": ("  ",), "protection": ()}]
)
def test_a_blank_plan_without_shields_or_protection_is_refused(missing: dict[str, object]) -> None:
    given(standard_production()).when(
        dataclasses.replace(BLANK_PLAN, **missing),  # type: ignore[arg-type]
        by=HEAD,
    ).then_refused(Refused, "R-40")


def test_a_plan_for_a_blank_firing_gun_must_say_why_a_replica_would_not_do() -> None:
    given(standard_production()).when(
        dataclasses.replace(BLANK_PLAN, justification="  "), by=HEAD
    ).then_refused(Refused, "R-35")


def test_a_plan_for_a_non_firing_replica_needs_no_justification() -> None:
    replica = firearm(REPLICA, "RB-001", SAFE, kind="non_firing_replica")
    given(standard_production(), replica).when(
        c.FilePlan(
            scene="12A",
            mode="take",
            firearms=(c.PlanEntry(firearm=REPLICA, ammo_class="empty"),),
            distance_ft=0,
        ),
        by=HEAD,
    ).then(
        ev.PlanFiled(
            scene="12A",
            armorer=HEAD,
            mode="take",
            firearms=("F04:empty:0",),
            distance_ft=0,
            close_range=False,
            shields=(),
            protection=(),
            pointing="none",
            justification="",
            risks="",
        )
    )


@pytest.mark.parametrize(
    "entries",
    [
        (c.PlanEntry(firearm=REVOLVER, ammo_class="live", rounds=6),),
        (c.PlanEntry(firearm=REVOLVER, ammo_class="empty", rounds=2),),
        (c.PlanEntry(firearm=REVOLVER, ammo_class="blank", rounds=6),),
        (c.PlanEntry(firearm=REVOLVER, ammo_class="blank", rounds=6, load="double"),),
        (c.PlanEntry(firearm=REVOLVER, ammo_class="dummy", rounds=6, load="half"),),
        (c.PlanEntry(firearm=REVOLVER, ammo_class="dummy", rounds=0),),
        (c.PlanEntry(firearm=REVOLVER, ammo_class="dummy", rounds=7),),
        (BLANKS_6, BLANKS_6),
        (),
    ],
    ids=[
        "live",
        "empty-with-rounds",
        "blank-without-load",
        "unknown-load",
        "dummy-with-load",
        "no-rounds",
        "more-rounds-than-positions",
        "firearm-twice",
        "no-firearm",
    ],
)
def test_a_plan_with_an_invalid_entry_is_refused(entries: tuple[c.PlanEntry, ...]) -> None:
    given(standard_production()).when(
        dataclasses.replace(BLANK_PLAN, firearms=entries), by=HEAD
    ).then_refused(InvalidInput, None)


@pytest.mark.parametrize(
    "changes",
    [
        {"mode": "rehearse"},
        {"pointing": "camera"},
        {"distance_ft": -1},
        {"distance_ft": 1001},
        {"scene": "  "},
        {"scene": "12A; drop"},
    ],
)
def test_a_plan_with_an_invalid_field_is_refused(changes: dict[str, object]) -> None:
    given(standard_production()).when(
        dataclasses.replace(BLANK_PLAN, **changes),  # type: ignore[arg-type]
        by=HEAD,
    ).then_refused(InvalidInput, None)


def test_a_plan_naming_an_unregistered_firearm_is_refused() -> None:
    entries = (c.PlanEntry(firearm="F99", ammo_class="empty"),)
    given(standard_production()).when(
        dataclasses.replace(BLANK_PLAN, firearms=entries), by=HEAD
    ).then_refused(Refused, "R-04")


def test_only_an_armorer_files_a_plan() -> None:
    given(standard_production()).when(BLANK_PLAN, by=FIRST_AD).then_refused(NotAuthorised, "R-31")


def test_an_armorer_without_a_permit_cannot_file_a_plan() -> None:
    given(standard_production()).when(BLANK_PLAN, by=ASSISTANT).then_refused(Refused, "R-45")


# -- approving a plan (R-31) ----------------------------------------------------------------------


@pytest.mark.parametrize("approver", [SAFETY, PRODUCER])
def test_the_safety_advisor_or_the_producer_approves_a_plan(approver: str) -> None:
    before = given(standard_production(), plan_filed())
    plan = before.history[-1]

    after = before.when(c.ApprovePlan(scene=SCENE), by=approver).then(
        ev.PlanApproved(scene=SCENE, approver=approver, plan=before.seq_of(plan))
    )

    assert after.history[-1].attesters() == (approver,)
    assert after.state.plans[SCENE].approved_by == approver


@pytest.mark.parametrize("actor", [HEAD, FIRST_AD, TALENT, INVESTIGATOR])
def test_nobody_else_approves_a_plan(actor: str) -> None:
    given(standard_production(), plan_filed()).when(
        c.ApprovePlan(scene=SCENE), by=actor
    ).then_refused(NotAuthorised, "R-31")


def test_a_scene_without_a_plan_cannot_be_approved() -> None:
    given(standard_production()).when(c.ApprovePlan(scene=SCENE), by=SAFETY).then_refused(
        Refused, "R-31"
    )


def test_a_plan_is_approved_once() -> None:
    given(planned()).when(c.ApprovePlan(scene=SCENE), by=PRODUCER).then_refused(Conflict, None)


def test_a_plan_filed_again_replaces_the_approved_one_and_needs_its_own_approval() -> None:
    refiled = given(planned(), plan_filed(entries=(f"{REVOLVER}:dummy:6",)))

    refiled.when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD).then_refused(
        Refused, "R-31"
    )
    refiled.when(c.ApprovePlan(scene=SCENE), by=SAFETY).then(
        ev.PlanApproved(scene=SCENE, approver=SAFETY, plan=refiled.state.seq)
    )


# -- safety meetings (R-30) -----------------------------------------------------------------------


def test_the_meeting_records_who_was_there_and_briefs_the_plan_and_the_rules() -> None:
    plan = plan_filed(
        entries=("F01:blank:6:quarter",),
        shields=("Lexan shield at camera",),
        protection=("Ear plugs", "Safety glasses"),
        risks="Muzzle flash near dry brush.",
    )
    after = (
        given(standard_production(), day_opened(), plan)
        .when(c.HoldMeeting(scene=SCENE, attendees=frozenset({TALENT, HEAD})), by=FIRST_AD)
        .then(
            ev.MeetingHeld(
                meeting="M01",
                scene=SCENE,
                lead=FIRST_AD,
                attendees=(HEAD, TALENT, FIRST_AD),
                briefing=(
                    "Scene 12A, take.",
                    "F01 Uberti 1873 Cattleman (serial UB-1873-001): 6 blank rounds "
                    "(quarter load).",
                    "R-38 Keep 25 ft between muzzle and anyone.",
                    "R-40 Shields: Lexan shield at camera; protection: Ear plugs, Safety glasses.",
                    "R-41 Nobody fires before the 1st AD's hot announcement.",
                    "R-36 Never point a firearm at anyone or at the lens.",
                    "Risks: Muzzle flash near dry brush.",
                    "Abort: anyone calls 'stop'; firearms go straight back to the armorer.",
                    "Chain of command: the armorer decides on firearms; the 1st AD runs the set.",
                    *BRIEF_RULES,
                ),
            )
        )
    )

    assert after.history[-1].attesters() == (FIRST_AD,)


def test_the_briefing_carries_every_rule_software_cannot_enforce() -> None:
    event = (
        given(standard_production(), day_opened(), plan_filed())
        .when(c.HoldMeeting(scene=SCENE, attendees=frozenset({TALENT})), by=HEAD)
        .events[0]
    )

    assert isinstance(event, ev.MeetingHeld)
    briefed = {line.split()[0] for line in event.briefing}
    assert {"R-10", "R-36", "R-37", "R-39", "R-43", "R-50"} <= briefed
    assert "F01 Uberti 1873 Cattleman (serial UB-1873-001): empty." in event.briefing


def test_the_briefing_names_an_approved_pointing_and_close_range_blanks() -> None:
    plan = plan_filed(
        entries=("F01:blank:2:half",), distance_ft=8, close_range=True, pointing="lens"
    )
    event = (
        given(standard_production(), day_opened(), plan)
        .when(c.HoldMeeting(scene=SCENE, attendees=frozenset({TALENT})), by=HEAD)
        .events[0]
    )

    assert isinstance(event, ev.MeetingHeld)
    assert "R-38 Keep 8 ft between muzzle and anyone with close-range blanks." in event.briefing
    assert "R-36 The armorer approved pointing toward the lens for this shot." in event.briefing


def test_meetings_are_numbered_in_order() -> None:
    event = (
        given(standard_production(), day_opened(), plan_filed(), meeting())
        .when(c.HoldMeeting(scene=SCENE, attendees=frozenset({OTHER_TALENT})), by=FIRST_AD)
        .events[0]
    )

    assert isinstance(event, ev.MeetingHeld)
    assert (event.meeting, event.attendees) == ("M02", (FIRST_AD, OTHER_TALENT))


@pytest.mark.parametrize("actor", [TALENT, PRODUCER, SAFETY])
def test_only_the_armorer_or_the_1st_ad_holds_the_meeting(actor: str) -> None:
    given(standard_production(), plan_filed()).when(
        c.HoldMeeting(scene=SCENE, attendees=frozenset({TALENT})), by=actor
    ).then_refused(NotAuthorised, "R-30")


def test_a_meeting_needs_a_plan_to_brief() -> None:
    given(standard_production()).when(
        c.HoldMeeting(scene=SCENE, attendees=frozenset({TALENT})), by=FIRST_AD
    ).then_refused(Refused, "R-31")


def test_a_meeting_with_someone_outside_the_production_is_refused() -> None:
    given(standard_production(), day_opened(), plan_filed()).when(
        c.HoldMeeting(scene=SCENE, attendees=frozenset({"P99"})), by=FIRST_AD
    ).then_refused(NotFound, None)


# -- attendance, confirmed by each person with their PIN (R-30) ---------------------------------

MEETING_TODAY = (standard_production(), day_opened(), plan_filed(), meeting(confirmed=()))


def test_someone_on_the_roll_confirms_the_meeting_with_their_own_signature() -> None:
    after = (
        given(*MEETING_TODAY)
        .when(c.AttendMeeting(meeting="M01"), by=TALENT)
        .then(ev.MeetingAttended(meeting="M01", person=TALENT))
    )

    assert after.history[-1].attesters() == (TALENT,)
    assert after.state.meetings["M01"].confirmed == {FIRST_AD, TALENT}
    assert after.state.meetings["M01"].attendees == {FIRST_AD, HEAD, TALENT}


def test_the_lead_signed_the_meeting_and_needs_no_confirmation() -> None:
    refusal = (
        given(*MEETING_TODAY)
        .when(c.AttendMeeting(meeting="M01"), by=FIRST_AD)
        .then_refused(NotAuthorised, "R-30")
    )

    assert "the lead does not confirm it" in refusal.message
    assert "each confirms with their own PIN" in refusal.remedy


def test_a_person_confirms_a_meeting_once() -> None:
    scenario = given(*MEETING_TODAY).when(c.AttendMeeting(meeting="m01 "), by=HEAD).accepted()

    refusal = scenario.when(c.AttendMeeting(meeting="M01"), by=HEAD).then_refused(Conflict, None)
    assert "already confirmed" in refusal.message


def test_someone_the_lead_did_not_count_present_cannot_confirm() -> None:
    refusal = (
        given(*MEETING_TODAY)
        .when(c.AttendMeeting(meeting="M01"), by=OTHER_TALENT)
        .then_refused(NotAuthorised, "R-30")
    )

    assert "not on the roll of meeting M01" in refusal.message
    assert "holds the meeting again" in refusal.remedy


def test_an_unknown_meeting_is_refused_with_where_to_look() -> None:
    refusal = (
        given(*MEETING_TODAY)
        .when(c.AttendMeeting(meeting="M09"), by=TALENT)
        .then_refused(InvalidInput, None)
    )

    assert "coldcheck meeting list" in refusal.remedy


def test_yesterdays_meeting_cannot_be_confirmed_today() -> None:
    history = (*MEETING_TODAY, break_called("wrap"), day_opened())

    refusal = (
        given(*history)
        .when(c.AttendMeeting(meeting="M01"), by=TALENT)
        .then_refused(Refused, "R-30")
    )

    assert "held before this shoot day's opening check" in refusal.message


def test_no_meeting_is_confirmed_while_no_shoot_day_is_open() -> None:
    history = (*MEETING_TODAY, break_called("wrap"))

    refusal = (
        given(*history)
        .when(c.AttendMeeting(meeting="M01"), by=TALENT)
        .then_refused(Refused, "R-30")
    )

    assert "no shoot day is open" in refusal.message


def test_only_the_newest_meeting_for_the_scene_is_confirmed() -> None:
    history = (*MEETING_TODAY, meeting(meeting_id="M02", confirmed=()))

    refusal = (
        given(*history)
        .when(c.AttendMeeting(meeting="M01"), by=TALENT)
        .then_refused(Refused, "R-30")
    )

    assert "safety meeting M02 for scene 12A came after M01" in refusal.message
    assert refusal.remedy == "Confirm meeting M02 instead."
    given(*history).when(c.AttendMeeting(meeting="M02"), by=TALENT).then(
        ev.MeetingAttended(meeting="M02", person=TALENT)
    )


def test_a_meeting_from_before_an_incident_closure_is_not_confirmed() -> None:
    history = (*MEETING_TODAY, incident_opened(), incident_closed())

    given(*history).when(c.AttendMeeting(meeting="M01"), by=TALENT).then_refused(Refused, "R-51")


def test_a_meeting_is_held_only_on_an_open_shoot_day() -> None:
    refusal = (
        given(standard_production(), plan_filed())
        .when(c.HoldMeeting(scene=SCENE, attendees=frozenset({TALENT})), by=FIRST_AD)
        .then_refused(Refused, "R-30")
    )

    assert "opening check" in refusal.remedy


# -- the 1st AD's call and cut (R-27, R-15) -------------------------------------------------------


def test_the_1st_ad_calls_for_a_firearm_named_in_the_approved_plan() -> None:
    after = (
        given(planned())
        .when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD)
        .then(ev.FirearmCalled(firearm=REVOLVER, scene=SCENE, by=FIRST_AD))
    )

    assert after.state.calls[REVOLVER].scene == SCENE


@pytest.mark.parametrize("actor", [HEAD, TALENT, PRODUCER])
def test_only_the_1st_ad_calls_for_a_firearm(actor: str) -> None:
    given(planned()).when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=actor).then_refused(
        NotAuthorised, "R-27"
    )


@pytest.mark.parametrize(
    "history",
    [
        standard_production(),
        [*standard_production(), *plan_filed()],
        planned(entries=(f"{PISTOL}:empty:0",)),
    ],
    ids=["no-plan", "plan-not-approved", "plan-without-the-firearm"],
)
def test_a_firearm_is_called_only_under_an_approved_plan_naming_it(
    history: list[ev.Event],
) -> None:
    given(history).when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD).then_refused(
        Refused, "R-31"
    )


@pytest.mark.parametrize(
    ("stop", "rule"),
    [
        (incident_opened(), "R-51"),
        (incident_opened(kind="malfunction", firearm=REVOLVER, firearms=(REVOLVER,)), "R-51"),
        (work_stopped(), "R-47"),
        (concern_raised(stop=True), "R-52"),
    ],
    ids=["incident", "malfunction-of-this-firearm", "armorer-stop", "stop-concern"],
)
def test_no_firearm_is_called_while_work_is_stopped(stop: list[ev.Event], rule: str) -> None:
    given(planned(), stop).when(
        c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD
    ).then_refused(Refused, rule)


@pytest.mark.parametrize(
    "history",
    [
        concern_raised(stop=False),
        [
            *concern_raised(stop=True),
            ev.ConcernAnswered(concern="C01", answered_by=SAFETY, answer="Meeting at 10:00."),
        ],
        incident_opened(kind="malfunction", firearm=PISTOL, firearms=(PISTOL,)),
    ],
    ids=["concern-without-stop", "answered-stop-concern", "malfunction-of-another-firearm"],
)
def test_a_firearm_is_called_when_nothing_stops_it(history: list[ev.Event]) -> None:
    given(planned(), history).when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD).then(
        ev.FirearmCalled(firearm=REVOLVER, scene=SCENE, by=FIRST_AD)
    )


def test_no_firearm_is_called_during_a_break() -> None:
    given(planned(), break_called("lunch")).when(
        c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD
    ).then_refused(Refused, "R-08")


def test_a_firearm_is_called_once_for_the_same_scene() -> None:
    given(planned(), called()).when(
        c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD
    ).then_refused(Conflict, None)


def test_a_call_for_a_firearm_already_called_elsewhere_moves_the_call() -> None:
    two_scenes = planned(planned(), "14B")
    after = (
        given(two_scenes, called())
        .when(c.CallFirearm(firearm=REVOLVER, scene="14B"), by=FIRST_AD)
        .then(ev.FirearmCalled(firearm=REVOLVER, scene="14B", by=FIRST_AD))
    )

    assert after.state.calls[REVOLVER].scene == "14B"


def test_cut_ends_the_take_and_its_calls() -> None:
    after = (
        given(planned(), called())
        .when(c.CutTake(scene=SCENE), by=FIRST_AD)
        .then(ev.TakeCut(scene=SCENE, by=FIRST_AD))
    )

    assert after.state.calls == {}


def test_only_the_1st_ad_calls_cut() -> None:
    given(planned(), called()).when(c.CutTake(scene=SCENE), by=HEAD).then_refused(
        NotAuthorised, "R-15"
    )


def test_cut_without_a_call_for_the_scene_is_refused() -> None:
    given(planned()).when(c.CutTake(scene=SCENE), by=FIRST_AD).then_refused(Conflict, None)


# -- breaks and wrap (R-08, R-17) -----------------------------------------------------------------


@pytest.mark.parametrize("actor", [FIRST_AD, HEAD])
def test_a_break_is_called_with_every_firearm_and_round_locked_away(actor: str) -> None:
    after = (
        given(standard_production(), blank_lot(), locked(SAFE))
        .when(c.CallBreak(kind="lunch"), by=actor)
        .then(ev.BreakCalled(kind="lunch", by=actor))
    )

    assert after.state.on_break == "lunch"


def test_no_break_while_a_firearm_is_out_of_its_store() -> None:
    refusal = (
        given(standard_production(), taken(REVOLVER), locked(SAFE))
        .when(c.CallBreak(kind="lunch"), by=FIRST_AD)
        .then_refused(Refused, "R-08")
    )

    assert "F01 is with Hannah Reed" in refusal.message


def test_no_break_while_an_unlocked_store_holds_firearms() -> None:
    refusal = (
        given(standard_production())
        .when(c.CallBreak(kind="break"), by=FIRST_AD)
        .then_refused(Refused, "R-08")
    )

    assert "Main safe holds firearms or rounds and is unlocked" in refusal.message


def test_no_break_while_an_unlocked_store_holds_rounds() -> None:
    truck = store("S03", "Truck", locked=False, kind="truck")
    refusal = (
        given(standard_production(), truck, blank_lot(store="S03"), locked(SAFE))
        .when(c.CallBreak(kind="lunch"), by=FIRST_AD)
        .then_refused(Refused, "R-08")
    )

    assert "Truck holds firearms or rounds and is unlocked" in refusal.message


def used_and_put_away() -> list[ev.Event]:
    """The revolver was loaded with 6 blanks, unloaded unfired and locked away, not counted."""
    return [
        *blank_lot(),
        *taken(REVOLVER),
        *loaded(REVOLVER, "A01", 6),
        *unloaded(REVOLVER, ("A01:6",)),
        ev.FirearmReturned(firearm=REVOLVER, store=SAFE, by=HEAD),
        *locked(SAFE),
    ]


def test_wrap_is_refused_until_every_count_is_reconciled() -> None:
    refusal = (
        given(standard_production(), used_and_put_away())
        .when(c.CallBreak(kind="wrap"), by=FIRST_AD)
        .then_refused(Refused, "R-17")
    )

    assert "F01's rounds are not reconciled" in refusal.message


def test_a_lunch_break_does_not_wait_for_the_count() -> None:
    given(standard_production(), used_and_put_away()).when(
        c.CallBreak(kind="lunch"), by=FIRST_AD
    ).then(ev.BreakCalled(kind="lunch", by=FIRST_AD))


def test_wrap_is_called_once_the_count_is_reconciled() -> None:
    count = ev.RoundsReconciled(
        firearm=REVOLVER, armorer=HEAD, issued=6, fired=0, returned=6, misfired=0, balanced=True
    )
    given(standard_production(), used_and_put_away(), [count]).when(
        c.CallBreak(kind="wrap"), by=HEAD
    ).then(ev.BreakCalled(kind="wrap", by=HEAD))


def test_a_break_is_called_once() -> None:
    given(standard_production(), locked(SAFE), break_called()).when(
        c.CallBreak(kind="break"), by=FIRST_AD
    ).then_refused(Conflict, None)


def test_only_break_lunch_or_wrap_can_be_called() -> None:
    given(standard_production(), locked(SAFE)).when(
        c.CallBreak(kind="coffee"), by=FIRST_AD
    ).then_refused(InvalidInput, None)


@pytest.mark.parametrize("actor", [TALENT, PRODUCER, SAFETY])
def test_only_the_armorer_or_the_1st_ad_calls_a_break(actor: str) -> None:
    given(standard_production(), locked(SAFE)).when(
        c.CallBreak(kind="lunch"), by=actor
    ).then_refused(NotAuthorised, "R-08")


def test_no_firearm_leaves_its_store_during_a_break() -> None:
    given(standard_production(), break_called()).when(
        c.TakeFirearm(firearm=REVOLVER), by=HEAD
    ).then_refused(Refused, "R-08")


def test_the_day_resumes_after_a_break() -> None:
    after = (
        given(standard_production(), break_called("lunch"))
        .when(c.ResumeDay(), by=FIRST_AD)
        .then(ev.DayResumed(by=FIRST_AD))
    )

    assert after.state.on_break == ""


def test_a_wrapped_day_does_not_resume_but_opens_again() -> None:
    given(standard_production(), break_called("wrap")).when(c.ResumeDay(), by=HEAD).then_refused(
        Refused, "R-03"
    )


def test_the_day_resumes_only_from_a_break() -> None:
    given(standard_production()).when(c.ResumeDay(), by=HEAD).then_refused(Conflict, None)


# -- settings and waivers (R-49) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("verification_minutes", 15),
        ("misfire_wait_seconds", 30),
        ("blank_distance_ft", 25),
        ("firearms_per_armorer", 4),
    ],
)
@pytest.mark.parametrize("actor", [SAFETY, PRODUCER])
def test_a_setting_is_made_stricter_without_a_waiver(setting: str, value: int, actor: str) -> None:
    after = (
        given(standard_production())
        .when(c.ChangeSetting(setting=setting, value=value), by=actor)
        .then(ev.SettingChanged(setting=setting, value=value, by=actor, waiver=""))
    )

    assert after.state.setting(setting) == value


@pytest.mark.parametrize(
    ("setting", "value", "rule"),
    [
        ("verification_minutes", 45, "R-23"),
        ("misfire_wait_seconds", 10, "R-42"),
        ("blank_distance_ft", 15, "R-38"),
        ("firearms_per_armorer", 8, "R-46"),
    ],
)
def test_a_looser_setting_is_refused_with_its_rule(setting: str, value: int, rule: str) -> None:
    refusal = (
        given(standard_production())
        .when(c.ChangeSetting(setting=setting, value=value), by=SAFETY)
        .then_refused(Refused, rule)
    )

    assert "waiver" in refusal.remedy


@pytest.mark.parametrize("actor", [HEAD, FIRST_AD, TALENT])
def test_only_the_safety_advisor_or_the_producer_changes_a_setting(actor: str) -> None:
    given(standard_production()).when(
        c.ChangeSetting(setting="verification_minutes", value=15), by=actor
    ).then_refused(NotAuthorised, None)


@pytest.mark.parametrize(("setting", "value"), [("coffee_minutes", 5), ("verification_minutes", 0)])
def test_an_unknown_setting_or_a_value_out_of_range_is_refused(setting: str, value: int) -> None:
    given(standard_production()).when(
        c.ChangeSetting(setting=setting, value=value), by=SAFETY
    ).then_refused(InvalidInput, None)


def test_the_safety_advisor_signs_a_waiver_and_the_looser_value_applies() -> None:
    reason = "Long lighting set-ups; the armorer keeps the firearm in hand throughout."
    after = (
        given(standard_production())
        .when(c.GrantWaiver(setting="verification_minutes", value=45, reason=reason), by=SAFETY)
        .then(
            ev.WaiverGranted(
                waiver="W01",
                rule="R-23",
                setting="verification_minutes",
                value=45,
                advisor=SAFETY,
                reason=reason,
            )
        )
    )

    assert after.history[-1].attesters() == (SAFETY,)
    assert after.state.setting("verification_minutes") == 45


@pytest.mark.parametrize("actor", [PRODUCER, HEAD, FIRST_AD])
def test_only_the_safety_advisor_grants_a_waiver(actor: str) -> None:
    given(standard_production()).when(
        c.GrantWaiver(setting="verification_minutes", value=45, reason="Long set-ups today."),
        by=actor,
    ).then_refused(NotAuthorised, "R-49")


def test_a_waiver_that_loosens_nothing_is_refused() -> None:
    given(standard_production()).when(
        c.GrantWaiver(setting="verification_minutes", value=20, reason="Long set-ups today."),
        by=SAFETY,
    ).then_refused(Conflict, None)


def test_a_waiver_states_its_reason() -> None:
    given(standard_production()).when(
        c.GrantWaiver(setting="verification_minutes", value=45, reason=" ok "), by=SAFETY
    ).then_refused(InvalidInput, None)


# -- live ammunition only at an approved range (R-01, R-02) ---------------------------------------

RANGE_DAY = (NOW + timedelta(days=3)).date().isoformat()
RANGE = ev.RangeSessionApproved(
    session="R01", advisor=SAFETY, location="Angeles Range", medical="EMT on site", day=RANGE_DAY
)


def test_the_safety_advisor_approves_a_range_session() -> None:
    after = (
        given(standard_production())
        .when(
            c.ApproveRangeSession(location=" Angeles  Range", medical="EMT on site", day=RANGE_DAY),
            by=SAFETY,
        )
        .then(RANGE)
    )

    assert after.history[-1].attesters() == (SAFETY,)


@pytest.mark.parametrize("actor", [PRODUCER, HEAD])
def test_only_the_safety_advisor_approves_a_range_session(actor: str) -> None:
    given(standard_production()).when(
        c.ApproveRangeSession(location="Angeles Range", medical="EMT on site", day=RANGE_DAY),
        by=actor,
    ).then_refused(NotAuthorised, "R-02")


def test_a_range_session_without_medical_staff_is_refused() -> None:
    given(standard_production()).when(
        c.ApproveRangeSession(location="Angeles Range", medical=" ", day=RANGE_DAY), by=SAFETY
    ).then_refused(Refused, "R-02")


def test_a_range_session_on_no_date_is_refused() -> None:
    given(standard_production()).when(
        c.ApproveRangeSession(location="Angeles Range", medical="EMT", day="next week"), by=SAFETY
    ).then_refused(InvalidInput, None)


def receive_range(session: str = "R01", provenance: str = "Invoice 7731") -> c.Command:
    return c.ReceiveRangeAmmunition(
        session=session,
        calibre=".45 Colt",
        count=100,
        supplier="Range Supply Co",
        provenance=provenance,
    )


def test_live_ammunition_for_an_approved_range_session_is_kept_apart_from_set_inventory() -> None:
    after = (
        given(standard_production(), [RANGE])
        .when(receive_range(), by=HEAD)
        .then(
            ev.RangeAmmunitionReceived(
                session="R01",
                lot="L01",
                calibre=".45 Colt",
                count=100,
                supplier="Range Supply Co",
                provenance="Invoice 7731",
            )
        )
    )

    assert after.state.lots == {}
    assert after.state.range_lots == {"L01": ("R01", ".45 Colt", 100)}


def test_no_live_ammunition_without_an_approved_range_session() -> None:
    given(standard_production()).when(receive_range(), by=HEAD).then_refused(Refused, "R-02")


def test_only_an_armorer_receives_range_ammunition() -> None:
    given(standard_production(), [RANGE]).when(receive_range(), by=SAFETY).then_refused(
        NotAuthorised, "R-02"
    )


def test_range_ammunition_without_provenance_is_refused() -> None:
    given(standard_production(), [RANGE]).when(receive_range(provenance=" "), by=HEAD).then_refused(
        Refused, "R-06"
    )


def test_live_ammunition_is_refused_on_set_even_with_a_range_session_approved() -> None:
    given(standard_production(), [RANGE]).when(
        c.ReceiveAmmunition(
            ammo_class=AmmoClass.LIVE,
            calibre=".45 Colt",
            count=50,
            supplier="Range Supply Co",
            provenance="Invoice 7731",
            store=SAFE,
        ),
        by=HEAD,
    ).then_refused(Refused, "R-01")


@pytest.mark.parametrize("who", [OTHER_TALENT, FIRST_AD], ids=["off-the-roll", "the-lead"])
def test_an_audit_refuses_a_confirmation_by_someone_not_on_the_roll(who: str) -> None:
    """Only decide refuses these; a ledger written by other software is checked on replay."""
    forged = ev.MeetingAttended(meeting="M01", person=who)
    state = given(*MEETING_TODAY, [forged]).state

    with pytest.raises(KeyError, match="on the roll of M01"):
        ledgerops._consistent(state, forged)
    ledgerops._consistent(state, ev.MeetingAttended(meeting="M01", person=TALENT))
