"""The issue gates: an armorer hands a firearm to a talent only when every record it needs is
there (gates.issue_problems), checked when the hand-off is proposed and again when the talent
accepts it; and stop-work (R-47, R-51, R-52) holds up every issue."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from tests.unit.domain_helpers import (
    FIRST_AD,
    HEAD,
    NOW,
    OTHER_TALENT,
    PISTOL,
    PRODUCER,
    REVOLVER,
    SOON,
    TALENT,
    blank_lot,
    break_called,
    called,
    concern_raised,
    cut,
    day_opened,
    dummy_lot,
    given,
    incident_closed,
    incident_opened,
    inspected,
    issued,
    meeting,
    ready_to_issue,
    standard_production,
    trained,
    work_stopped,
)

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain.errors import Refused

ISSUE = c.ProposeHandoff(firearm=REVOLVER, receiver=TALENT)
STANDARD = standard_production()
PROPOSED = ev.HandoffProposed(handoff="H0001", firearm=REVOLVER, giver=HEAD, receiver=TALENT)
WITH_BLANKS = [*STANDARD, *blank_lot()]
WITH_DUMMIES = [*STANDARD, *dummy_lot()]


def refused(rule: str, *histories: list[ev.Event], at: datetime = SOON) -> Refused:
    """Assert the head armorer's proposal to hand the revolver to the talent is refused."""
    refusal = given(*histories).when(ISSUE, by=HEAD, at=at).then_refused(Refused, rule)
    assert isinstance(refusal, Refused)
    return refusal


# -- every gate holds -------------------------------------------------------------------------


def test_an_empty_revolver_is_issued_when_every_gate_holds() -> None:
    given(ready_to_issue()).when(ISSUE, by=HEAD, at=SOON).then(PROPOSED)


def test_a_revolver_with_blanks_is_issued_once_announced_hot() -> None:
    given(ready_to_issue(before=WITH_BLANKS, load=("A01", 6))).when(ISSUE, by=HEAD, at=SOON).then(
        PROPOSED
    )


def test_a_revolver_with_dummies_is_issued_without_a_hot_announcement() -> None:
    given(ready_to_issue(before=WITH_DUMMIES, load=("A01", 6))).when(ISSUE, by=HEAD, at=SOON).then(
        PROPOSED
    )


def test_the_talent_accepts_when_every_gate_still_holds() -> None:
    after = (
        given(ready_to_issue(), [PROPOSED])
        .when(c.AcceptHandoff(handoff="H0001"), by=TALENT, at=SOON)
        .then(ev.HandoffAccepted(handoff="H0001", firearm=REVOLVER, giver=HEAD, receiver=TALENT))
    )

    assert after.state.holder(REVOLVER) == TALENT


# -- each gate ----------------------------------------------------------------------------------


def test_no_issue_without_todays_opening_check() -> None:
    refusal = refused("R-03", ready_to_issue(open_day=False))

    assert "opening check" in refusal.message


def test_an_opening_check_more_than_a_shoot_day_old_does_not_stand() -> None:
    # the shoot day opened with the check ~1 h before NOW; 20 h later it is over
    refused("R-03", ready_to_issue(), at=NOW + timedelta(hours=20))


def test_no_issue_during_a_break() -> None:
    refused("R-08", ready_to_issue(), break_called("lunch"))


def test_no_issue_without_the_1st_ads_call() -> None:
    refused("R-27", ready_to_issue(call=False))


def test_no_issue_after_cut_ended_the_call() -> None:
    refused("R-27", ready_to_issue(), cut())


def test_no_issue_under_a_plan_not_yet_approved() -> None:
    refused("R-31", ready_to_issue(approved=False))


def test_no_issue_under_a_plan_that_does_not_name_the_firearm() -> None:
    refused("R-31", ready_to_issue(plan=(f"{PISTOL}:empty:0",)))


def test_no_issue_without_a_meeting_the_talent_attended() -> None:
    refusal = refused("R-30", ready_to_issue(attendees=(HEAD, OTHER_TALENT)))

    assert "Jack Colt" in refusal.message


def test_no_issue_while_the_talent_has_not_confirmed_the_meeting_with_their_pin() -> None:
    # the 1st AD's roll names the talent, but only the talent's own signature counts
    history = ready_to_issue(attendees=(HEAD, OTHER_TALENT))
    history += meeting(attendees=(HEAD, TALENT), meeting_id="M02", confirmed=())

    refusal = refused("R-30", history)

    assert "Jack Colt is on the roll of safety meeting M02 but has not confirmed" in (
        refusal.message
    )
    assert "coldcheck meeting attend M02" in refusal.remedy
    history += [ev.MeetingAttended(meeting="M02", person=TALENT)]
    given(history).when(ISSUE, by=HEAD, at=SOON).then(PROPOSED)


def test_a_meeting_of_an_earlier_shoot_day_does_not_stand() -> None:
    # wrap, the next shoot day's opening check, the 1st AD calls again: no meeting yet
    history = [*ready_to_issue(), *break_called("wrap"), *day_opened(), *called()]

    refusal = refused("R-30", history)

    assert "this shoot day" in refusal.message


def test_after_an_incident_is_closed_no_issue_until_a_new_meeting() -> None:
    refusal = refused("R-51", ready_to_issue(), incident_opened(), incident_closed())

    assert "since the last incident was closed" in refusal.message


def test_a_new_meeting_after_the_closure_lets_the_issue_go_ahead() -> None:
    history = [*ready_to_issue(), *incident_opened(), *incident_closed()]
    history += meeting(attendees=(HEAD, TALENT), meeting_id="M02")

    given(history).when(ISSUE, by=HEAD, at=SOON).then(PROPOSED)


def test_after_a_closure_the_new_meeting_counts_once_the_talent_confirms_it() -> None:
    # the newest meeting with the talent on its roll is the one that counts: the refusal says
    # what is missing (the confirmation), not "hold a meeting" again
    history = [*ready_to_issue(), *incident_opened(), *incident_closed()]
    history += meeting(attendees=(HEAD, TALENT), meeting_id="M02", confirmed=())

    refusal = refused("R-30", history)

    assert "Jack Colt is on the roll of safety meeting M02 but has not confirmed" in (
        refusal.message
    )
    history += [ev.MeetingAttended(meeting="M02", person=TALENT)]
    given(history).when(ISSUE, by=HEAD, at=SOON).then(PROPOSED)


def test_a_newer_briefing_the_talent_has_not_confirmed_replaces_the_older_one() -> None:
    # M01 was confirmed; M02 (the scene briefed again, the talent on the roll) was not
    history = ready_to_issue() + meeting(attendees=(HEAD, TALENT), meeting_id="M02", confirmed=())

    refusal = refused("R-30", history)

    assert "meeting M02 but has not confirmed" in refusal.message


def test_a_meeting_without_the_talent_on_its_roll_does_not_replace_their_briefing() -> None:
    history = ready_to_issue() + meeting(attendees=(HEAD, OTHER_TALENT), meeting_id="M02")

    given(history).when(ISSUE, by=HEAD, at=SOON).then(PROPOSED)


def test_no_issue_to_a_talent_not_trained_on_the_firearm() -> None:
    refused("R-44", ready_to_issue(training=False))


def test_training_on_another_kind_of_firearm_does_not_count() -> None:
    other = [*STANDARD, *trained(TALENT, "pump_shotgun")]

    refused("R-44", ready_to_issue(training=False, before=other))


def test_no_issue_once_the_check_is_older_than_its_validity() -> None:
    refusal = refused("R-19", ready_to_issue(), at=NOW)

    assert "more than 30 minutes old" in refusal.message


def test_no_issue_until_the_1st_ad_was_shown_the_firearm() -> None:
    refusal = refused("R-19", ready_to_issue(witnesses=(TALENT,)))

    assert "not been shown to the 1st AD" in refusal.message


def test_no_issue_when_the_newest_inspection_is_a_post_use_one() -> None:
    post_use = inspected(phase="post_use")

    refused("R-19", ready_to_issue(), post_use)


def test_a_newer_inspection_needs_to_be_shown_again() -> None:
    refused("R-19", ready_to_issue(), inspected())


def test_no_issue_to_a_talent_who_has_not_checked_the_firearm_themself() -> None:
    history = ready_to_issue(also=(OTHER_TALENT,), witnesses=(FIRST_AD, OTHER_TALENT))

    refusal = refused("R-24", history)

    assert "Jack Colt has not checked" in refusal.message


def test_no_issue_of_blanks_before_the_hot_announcement() -> None:
    refused("R-41", ready_to_issue(before=WITH_BLANKS, load=("A01", 6), announce=False))


def test_no_issue_of_an_empty_firearm_the_plan_wants_loaded_with_blanks() -> None:
    refusal = refused("R-31", ready_to_issue(plan=(f"{REVOLVER}:blank:6:quarter",)))

    assert "plan for scene 12A says blank" in refusal.message


def test_no_issue_of_dummies_under_a_plan_for_an_empty_firearm() -> None:
    history = ready_to_issue(before=WITH_DUMMIES, load=("A01", 6), plan=(f"{REVOLVER}:empty:0",))

    refused("R-31", history)


def test_the_refusal_names_the_first_gate_and_lists_the_others() -> None:
    refusal = refused("R-03", ready_to_issue(open_day=False, training=False))

    assert "R-44" in refusal.remedy


# -- stop-work ----------------------------------------------------------------------------------


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
def test_no_issue_while_work_is_stopped(stop: list[ev.Event], rule: str) -> None:
    refused(rule, ready_to_issue(), stop)


def test_a_malfunction_of_another_firearm_does_not_stop_this_issue() -> None:
    malfunction = incident_opened(kind="malfunction", firearm=PISTOL, firearms=(PISTOL,))

    given(ready_to_issue(), malfunction).when(ISSUE, by=HEAD, at=SOON).then(PROPOSED)


def test_an_answered_stop_concern_no_longer_stops_the_issue() -> None:
    answer = ev.ConcernAnswered(concern="C01", answered_by=PRODUCER, answer="Meeting held at 8.")

    given(ready_to_issue(), concern_raised(stop=True), [answer]).when(ISSUE, by=HEAD, at=SOON).then(
        PROPOSED
    )


# -- the gates again at acceptance ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "rule"),
    [(work_stopped(), "R-47"), (incident_opened(), "R-51"), (concern_raised(stop=True), "R-52")],
    ids=["armorer-stop", "incident", "stop-concern"],
)
def test_the_talent_cannot_accept_once_work_stopped_after_the_proposal(
    since: list[ev.Event], rule: str
) -> None:
    given(ready_to_issue(), [PROPOSED], since).when(
        c.AcceptHandoff(handoff="H0001"), by=TALENT, at=SOON
    ).then_refused(Refused, rule)


def test_the_talent_cannot_accept_once_the_check_has_expired() -> None:
    given(ready_to_issue(), [PROPOSED]).when(
        c.AcceptHandoff(handoff="H0001"), by=TALENT, at=NOW
    ).then_refused(Refused, "R-19")


def test_the_talent_cannot_accept_after_cut() -> None:
    given(ready_to_issue(), [PROPOSED], cut()).when(
        c.AcceptHandoff(handoff="H0001"), by=TALENT, at=SOON
    ).then_refused(Refused, "R-27")


# -- handing back is never held up ---------------------------------------------------------------


def test_the_talent_hands_the_firearm_back_even_while_work_is_stopped() -> None:
    history = [*issued(), *work_stopped()]

    back = (
        given(history)
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=HEAD), by=TALENT, at=NOW)
        .then(ev.HandoffProposed(handoff="H0002", firearm=REVOLVER, giver=TALENT, receiver=HEAD))
    )
    back.when(c.AcceptHandoff(handoff="H0002"), by=HEAD, at=NOW).then(
        ev.HandoffAccepted(handoff="H0002", firearm=REVOLVER, giver=TALENT, receiver=HEAD)
    )


def test_the_talent_hands_the_firearm_to_another_talent_never() -> None:
    given(issued(also=(OTHER_TALENT,))).when(
        c.ProposeHandoff(firearm=REVOLVER, receiver=OTHER_TALENT), by=TALENT, at=SOON
    ).then_refused(Refused, "R-14")
