"""Incidents and stop-work (R-51), loss (R-53), evidence (R-54), safety concerns (R-52), the
armorer's stop (R-47), and reports of where a firearm really is (R-13: record reality)."""

from __future__ import annotations

import pytest
from tests.unit.domain_helpers import (
    ASSISTANT,
    CREW,
    FIRST_AD,
    HEAD,
    INVESTIGATOR,
    OTHER_TALENT,
    PISTOL,
    PRODUCER,
    REVOLVER,
    SAFE,
    SAFETY,
    SCENE,
    SOON,
    TALENT,
    blank_lot,
    concern_raised,
    crew_member,
    given,
    handed,
    incident_closed,
    incident_opened,
    planned,
    proposed,
    ready_to_issue,
    standard_production,
    taken,
    with_talent,
    work_stopped,
)

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain.errors import Conflict, InvalidInput, NotAuthorised, NotFound, Refused

STANDARD = standard_production()
HELD = incident_opened(
    kind="unplanned_discharge",
    firearms=(REVOLVER,),
    description="Unplanned discharge of F01: it was not in a talent's hands for a take.",
)
FINDINGS = "Round chambered during a rehearsal."
ACTION = "Dummies only at rehearsals; re-briefed the cast."


# -- opening and closing incidents (R-51) ---------------------------------------------------------


@pytest.mark.parametrize("actor", [TALENT, CREW, HEAD])
def test_anyone_opens_an_incident_and_it_stops_firearms_work(actor: str) -> None:
    after = (
        given(planned([*STANDARD, *crew_member()]))
        .when(
            c.OpenIncident(
                kind="near-miss", description=" Muzzle  swept the crew. ", firearms=(REVOLVER,)
            ),
            by=actor,
        )
        .then(
            ev.IncidentOpened(
                incident="I01",
                kind="near_miss",
                firearm="",
                firearms=(REVOLVER,),
                lots=(),
                by=actor,
                description="Muzzle swept the crew.",
            )
        )
    )

    after.when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD).then_refused(
        Refused, "R-51"
    )


def test_a_malfunction_names_its_one_firearm_and_stops_only_that_one() -> None:
    after = (
        given(planned(entries=(f"{REVOLVER}:empty:0", f"{PISTOL}:empty:0")))
        .when(
            c.OpenIncident(kind="malfunction", description="Cylinder binds.", firearms=(REVOLVER,)),
            by=HEAD,
        )
        .then(
            ev.IncidentOpened(
                incident="I01",
                kind="malfunction",
                firearm=REVOLVER,
                firearms=(REVOLVER,),
                lots=(),
                by=HEAD,
                description="Cylinder binds.",
            )
        )
    )

    after.when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD).then_refused(
        Refused, "R-51"
    )
    after.when(c.CallFirearm(firearm=PISTOL, scene=SCENE), by=FIRST_AD).then(
        ev.FirearmCalled(firearm=PISTOL, scene=SCENE, by=FIRST_AD)
    )


@pytest.mark.parametrize("firearms", [(), (REVOLVER, PISTOL)])
def test_a_malfunction_concerns_exactly_one_firearm(firearms: tuple[str, ...]) -> None:
    given(STANDARD).when(
        c.OpenIncident(kind="malfunction", description="Cylinder binds.", firearms=firearms),
        by=HEAD,
    ).then_refused(InvalidInput, None)


@pytest.mark.parametrize(
    "command",
    [
        c.OpenIncident(kind="bad vibes", description="Something felt off."),
        c.OpenIncident(kind="near_miss", description=" x "),
    ],
    ids=["unknown-kind", "no-description"],
)
def test_an_incident_without_a_known_kind_or_a_description_is_refused(
    command: c.OpenIncident,
) -> None:
    given(STANDARD).when(command, by=HEAD).then_refused(InvalidInput, None)


def test_an_incident_naming_a_lot_that_does_not_exist_is_refused() -> None:
    given(STANDARD).when(
        c.OpenIncident(kind="near_miss", description="Loose rounds found.", lots=("A09",)),
        by=HEAD,
    ).then_refused(NotFound, None)


def test_an_incident_naming_an_unregistered_firearm_is_refused() -> None:
    given(STANDARD).when(
        c.OpenIncident(kind="near_miss", description="A stranger's pistol.", firearms=("F99",)),
        by=HEAD,
    ).then_refused(Refused, "R-04")


@pytest.mark.parametrize("reviewer", [SAFETY, PRODUCER])
def test_the_safety_advisor_or_the_producer_closes_an_incident(reviewer: str) -> None:
    after = (
        given(STANDARD, incident_opened())
        .when(
            c.CloseIncident(incident="I01", findings=FINDINGS, corrective_action=ACTION),
            by=reviewer,
        )
        .then(
            ev.IncidentClosed(
                incident="I01", reviewer=reviewer, findings=FINDINGS, corrective_action=ACTION
            )
        )
    )

    assert after.history[-1].attesters() == (reviewer,)
    assert after.state.last_closure == after.state.seq


@pytest.mark.parametrize("actor", [HEAD, FIRST_AD, INVESTIGATOR, TALENT])
def test_nobody_else_closes_an_incident(actor: str) -> None:
    given(STANDARD, incident_opened()).when(
        c.CloseIncident(incident="I01", findings=FINDINGS, corrective_action=ACTION), by=actor
    ).then_refused(NotAuthorised, "R-51")


def test_an_incident_is_closed_with_findings_and_corrective_action() -> None:
    given(STANDARD, incident_opened()).when(
        c.CloseIncident(incident="I01", findings="Fine.", corrective_action=ACTION), by=SAFETY
    ).then_refused(InvalidInput, None)


def test_an_incident_is_closed_once() -> None:
    given(STANDARD, incident_opened(), incident_closed()).when(
        c.CloseIncident(incident="I01", findings=FINDINGS, corrective_action=ACTION), by=SAFETY
    ).then_refused(Conflict, None)


def test_an_incident_that_does_not_exist_cannot_be_closed() -> None:
    given(STANDARD).when(
        c.CloseIncident(incident="I01", findings=FINDINGS, corrective_action=ACTION), by=SAFETY
    ).then_refused(NotFound, None)


def test_closing_the_incident_lifts_the_stop_on_calls() -> None:
    given(planned(), incident_opened(), incident_closed()).when(
        c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD
    ).then(ev.FirearmCalled(firearm=REVOLVER, scene=SCENE, by=FIRST_AD))


# -- a missing firearm (R-53) -------------------------------------------------------------------

MISSING = ev.IncidentOpened(
    incident="I01",
    kind="firearm_missing",
    firearm="",
    firearms=(REVOLVER,),
    lots=(),
    by=FIRST_AD,
    description="F01 (serial UB-1873-001) is missing; last recorded in Main safe. Report loss "
    "or theft to production and police at once (R-53). Safe found open.",
)


def test_a_missing_firearm_opens_an_incident_at_once() -> None:
    after = (
        given(STANDARD)
        .when(c.ReportMissing(firearm=REVOLVER, note=" Safe found  open."), by=FIRST_AD)
        .then(MISSING)
    )

    assert after.state.missing == {REVOLVER}


def test_an_incident_of_kind_firearm_missing_is_a_missing_report() -> None:
    given(STANDARD).when(
        c.OpenIncident(
            kind="firearm_missing", description="Safe found open.", firearms=(REVOLVER,)
        ),
        by=FIRST_AD,
    ).then(MISSING)


def test_a_firearm_is_reported_missing_once() -> None:
    given(STANDARD, [MISSING]).when(c.ReportMissing(firearm=REVOLVER), by=HEAD).then_refused(
        Conflict, None
    )


def test_a_missing_firearm_is_not_taken_out_of_its_store() -> None:
    given(STANDARD, [MISSING]).when(c.TakeFirearm(firearm=REVOLVER), by=HEAD).then_refused(
        Refused, "R-53"
    )


def test_the_incident_of_a_firearm_still_missing_is_not_closed() -> None:
    refusal = (
        given(STANDARD, [MISSING])
        .when(
            c.CloseIncident(incident="I01", findings=FINDINGS, corrective_action=ACTION), by=SAFETY
        )
        .then_refused(Conflict, None)
    )

    assert "still missing" in refusal.message


def test_once_the_firearm_is_found_its_incident_is_closed() -> None:
    found = (
        given(STANDARD, [MISSING])
        .when(c.ReportCustody(firearm=REVOLVER, store=SAFE, note="Behind the safe."), by=HEAD)
        .then(
            ev.CustodyReported(
                firearm=REVOLVER, by=HEAD, person="", store=SAFE, note="Behind the safe."
            )
        )
    )
    assert found.state.missing == frozenset()

    found.when(
        c.CloseIncident(incident="I01", findings=FINDINGS, corrective_action=ACTION), by=SAFETY
    ).then(
        ev.IncidentClosed(
            incident="I01", reviewer=SAFETY, findings=FINDINGS, corrective_action=ACTION
        )
    )


# -- safety concerns (R-52) ---------------------------------------------------------------------


@pytest.mark.parametrize("stop", [True, False])
def test_anyone_raises_a_safety_concern(stop: bool) -> None:
    given(STANDARD, crew_member()).when(
        c.RaiseConcern(text=" No  meeting today. ", stop=stop), by=CREW
    ).then(ev.ConcernRaised(concern="C01", by=CREW, text="No meeting today.", stop=stop))


def test_a_concern_says_what_it_is() -> None:
    given(STANDARD).when(c.RaiseConcern(text="  "), by=TALENT).then_refused(InvalidInput, None)


def test_a_stop_concern_stops_firearms_work_until_answered() -> None:
    stopped = given(planned(), concern_raised(stop=True))
    stopped.when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD).then_refused(
        Refused, "R-52"
    )

    answered = stopped.when(
        c.AnswerConcern(concern="C01", answer="Meeting held at 08:30 with the cast."),
        by=PRODUCER,
    ).then(
        ev.ConcernAnswered(
            concern="C01", answered_by=PRODUCER, answer="Meeting held at 08:30 with the cast."
        )
    )

    assert answered.history[-1].attesters() == (PRODUCER,)
    answered.when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD).then(
        ev.FirearmCalled(firearm=REVOLVER, scene=SCENE, by=FIRST_AD)
    )


@pytest.mark.parametrize("actor", [HEAD, FIRST_AD, TALENT])
def test_only_the_safety_advisor_or_the_producer_answers_a_concern(actor: str) -> None:
    given(STANDARD, concern_raised()).when(
        c.AnswerConcern(concern="C01", answer="Meeting held at 08:30."), by=actor
    ).then_refused(NotAuthorised, "R-52")


def test_a_concern_is_answered_once() -> None:
    answer = ev.ConcernAnswered(concern="C01", answered_by=SAFETY, answer="Meeting at 08:30.")
    given(STANDARD, concern_raised(), [answer]).when(
        c.AnswerConcern(concern="C01", answer="Meeting held at 08:30."), by=PRODUCER
    ).then_refused(Conflict, None)


def test_an_answer_says_something() -> None:
    given(STANDARD, concern_raised()).when(
        c.AnswerConcern(concern="C01", answer="ok"), by=SAFETY
    ).then_refused(InvalidInput, None)


def test_a_concern_that_does_not_exist_is_not_answered() -> None:
    given(STANDARD).when(
        c.AnswerConcern(concern="C01", answer="Meeting held at 08:30."), by=SAFETY
    ).then_refused(NotFound, None)


# -- the armorer's stop (R-47) ------------------------------------------------------------------


@pytest.mark.parametrize("armorer", [HEAD, ASSISTANT])
def test_any_armorer_stops_firearms_work(armorer: str) -> None:
    stopped = (
        given(planned())
        .when(c.StopWork(reason=" Crew  too close. "), by=armorer)
        .then(ev.WorkStopped(by=armorer, reason="Crew too close."))
    )

    stopped.when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD).then_refused(
        Refused, "R-47"
    )


@pytest.mark.parametrize("actor", [FIRST_AD, PRODUCER, SAFETY, TALENT])
def test_only_an_armorer_stops_firearms_work(actor: str) -> None:
    given(STANDARD).when(c.StopWork(reason="Crew too close."), by=actor).then_refused(
        NotAuthorised, "R-47"
    )


def test_work_is_stopped_once() -> None:
    given(STANDARD, work_stopped()).when(c.StopWork(reason="Again."), by=HEAD).then_refused(
        Conflict, None
    )


def test_an_armorer_resumes_firearms_work() -> None:
    resumed = (
        given(planned(), work_stopped())
        .when(c.ResumeWork(reason="Crew moved behind the line."), by=HEAD)
        .then(ev.WorkResumed(by=HEAD, reason="Crew moved behind the line."))
    )

    resumed.when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD).then(
        ev.FirearmCalled(firearm=REVOLVER, scene=SCENE, by=FIRST_AD)
    )


@pytest.mark.parametrize("actor", [FIRST_AD, PRODUCER, SAFETY])
def test_only_an_armorer_resumes_firearms_work(actor: str) -> None:
    given(STANDARD, work_stopped()).when(
        c.ResumeWork(reason="We are behind schedule."), by=actor
    ).then_refused(NotAuthorised, "R-47")


def test_work_that_is_not_stopped_is_not_resumed() -> None:
    given(STANDARD).when(c.ResumeWork(reason="All clear."), by=HEAD).then_refused(Conflict, None)


# -- reports of reality (R-13) ------------------------------------------------------------------


def test_a_firearm_found_with_the_wrong_person_is_recorded_where_it_is() -> None:
    after = (
        given(STANDARD)
        .when(
            c.ReportCustody(firearm=REVOLVER, person=FIRST_AD, note="Parked with the AD."),
            by=PRODUCER,
        )
        .then(
            ev.CustodyReported(
                firearm=REVOLVER, by=PRODUCER, person=FIRST_AD, store="", note="Parked with the AD."
            )
        )
    )

    where = after.state.location[REVOLVER]
    assert (where.person, where.store, where.reported) == (FIRST_AD, None, True)


def test_a_report_is_recorded_even_for_a_firearm_held_as_evidence() -> None:
    given(STANDARD, taken(REVOLVER), HELD).when(
        c.ReportCustody(firearm=REVOLVER, person=OTHER_TALENT), by=SAFETY
    ).then(ev.CustodyReported(firearm=REVOLVER, by=SAFETY, person=OTHER_TALENT, store="", note=""))


def test_a_report_voids_the_check() -> None:
    history = [
        *ready_to_issue(),
        ev.CustodyReported(firearm=REVOLVER, by=PRODUCER, person=FIRST_AD, store="", note=""),
        ev.CustodyReported(firearm=REVOLVER, by=HEAD, person=HEAD, store="", note=""),
    ]

    refusal = (
        given(history)
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=HEAD, at=SOON)
        .then_refused(Refused, "R-19")
    )

    assert "void" in refusal.message


def test_a_report_cancels_the_hand_off_waiting_for_that_firearm() -> None:
    after = (
        given(STANDARD, taken(REVOLVER), proposed("H0001", REVOLVER, HEAD, TALENT))
        .when(c.ReportCustody(firearm=REVOLVER, person=OTHER_TALENT), by=FIRST_AD)
        .accepted()
    )

    assert after.state.handoffs == {}


@pytest.mark.parametrize(
    "command",
    [
        c.ReportCustody(firearm=REVOLVER),
        c.ReportCustody(firearm=REVOLVER, person=TALENT, store=SAFE),
    ],
    ids=["nowhere", "two-places"],
)
def test_a_report_names_exactly_one_person_or_store(command: c.ReportCustody) -> None:
    given(STANDARD).when(command, by=HEAD).then_refused(InvalidInput, None)


def test_a_report_of_where_the_firearm_is_on_record_already_is_refused() -> None:
    given(STANDARD).when(c.ReportCustody(firearm=REVOLVER, store=SAFE), by=HEAD).then_refused(
        Conflict, None
    )


def test_a_report_naming_someone_outside_the_production_is_refused() -> None:
    given(STANDARD).when(c.ReportCustody(firearm=REVOLVER, person="P99"), by=HEAD).then_refused(
        NotFound, None
    )


# -- evidence (R-54) ----------------------------------------------------------------------------


def test_a_firearm_held_as_evidence_goes_to_the_investigator() -> None:
    offered = (
        given(STANDARD, taken(REVOLVER), HELD)
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=INVESTIGATOR), by=HEAD)
        .then(
            ev.HandoffProposed(handoff="H0001", firearm=REVOLVER, giver=HEAD, receiver=INVESTIGATOR)
        )
    )

    after = offered.when(c.AcceptHandoff(handoff="H0001"), by=INVESTIGATOR).then(
        ev.HandoffAccepted(handoff="H0001", firearm=REVOLVER, giver=HEAD, receiver=INVESTIGATOR)
    )
    assert after.state.holder(REVOLVER) == INVESTIGATOR


def test_a_firearm_held_as_evidence_goes_to_nobody_else() -> None:
    refusal = (
        given(STANDARD, taken(REVOLVER), HELD)
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=HEAD)
        .then_refused(Refused, "R-54")
    )

    assert "evidence for incident I01" in refusal.message


def test_the_talent_holding_evidence_hands_it_to_the_investigator_not_the_armorer() -> None:
    held = given(STANDARD, with_talent(), HELD)

    held.when(c.ProposeHandoff(firearm=REVOLVER, receiver=HEAD), by=TALENT).then_refused(
        Refused, "R-54"
    )
    held.when(c.ProposeHandoff(firearm=REVOLVER, receiver=INVESTIGATOR), by=TALENT).then(
        ev.HandoffProposed(handoff="H0002", firearm=REVOLVER, giver=TALENT, receiver=INVESTIGATOR)
    )


def test_the_investigator_returns_evidence_to_the_armorer_only_once_the_incident_is_closed() -> (
    None
):
    with_investigator = [*STANDARD, *taken(REVOLVER), *HELD]
    with_investigator += handed("H0001", REVOLVER, HEAD, INVESTIGATOR)
    back = c.ProposeHandoff(firearm=REVOLVER, receiver=HEAD)

    given(with_investigator).when(back, by=INVESTIGATOR).then_refused(Refused, "R-54")
    given(with_investigator, incident_closed()).when(back, by=INVESTIGATOR).then(
        ev.HandoffProposed(handoff="H0002", firearm=REVOLVER, giver=INVESTIGATOR, receiver=HEAD)
    )


def test_a_firearm_held_as_evidence_is_not_taken_out_of_its_store() -> None:
    given(STANDARD, HELD).when(c.TakeFirearm(firearm=REVOLVER), by=HEAD).then_refused(
        Refused, "R-54"
    )


def test_a_firearm_held_as_evidence_is_not_put_away() -> None:
    given(STANDARD, taken(REVOLVER), HELD).when(
        c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD
    ).then_refused(Refused, "R-54")


def test_a_lot_found_with_a_live_round_is_held_as_evidence_and_stops_all_work() -> None:
    live = incident_opened(kind="live_round_found", lots=("A01",))
    after = given(planned([*STANDARD, *blank_lot()]), live)

    assert after.state.on_hold(lot="A01") is not None
    after.when(c.CallFirearm(firearm=REVOLVER, scene=SCENE), by=FIRST_AD).then_refused(
        Refused, "R-51"
    )


def test_a_hand_back_proposed_before_the_hold_is_not_accepted_once_the_firearm_is_evidence() -> (
    None
):
    history = [*with_talent(), *proposed("H0002", REVOLVER, TALENT, HEAD), *HELD]

    given(STANDARD, history).when(c.AcceptHandoff(handoff="H0002"), by=HEAD).then_refused(
        Refused, "R-54"
    )
