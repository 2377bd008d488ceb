"""Rounds: loading as the plan says (R-05, R-07, R-09, R-26, R-27, R-31), unloading back into
the lots, discharges planned or not (R-51, R-54), misfires and the wait before clearing (R-42),
and the count after each take (R-09)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.unit.domain_helpers import (
    ASSISTANT,
    FIRST_AD,
    HEAD,
    PISTOL,
    REVOLVER,
    SCENE,
    SOON,
    TALENT,
    Scenario,
    blank_lot,
    break_called,
    called,
    cut,
    decided,
    discharged,
    dummy_lot,
    given,
    handed,
    incident_opened,
    inspected,
    issued,
    loaded,
    misfired,
    plan_filed,
    planned,
    ready_to_issue,
    setting_changed,
    standard_production,
    taken,
    unloaded,
    work_stopped,
)

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain.errors import (
    Conflict,
    InvalidInput,
    NotAuthorised,
    NotFound,
    Refusal,
    Refused,
)

STANDARD = standard_production()
BLANKS_PLAN = (f"{REVOLVER}:blank:6:quarter",)
LOAD_6 = c.LoadRounds(firearm=REVOLVER, lot="A01", count=6)
MALFUNCTION = incident_opened(
    kind="malfunction",
    firearm=REVOLVER,
    firearms=(REVOLVER,),
    description="Misfire of F01: keep the muzzle safe; wait 15 s before clearing (R-42).",
)


def ready_to_load(
    plan: tuple[str, ...] = BLANKS_PLAN, lots: list[ev.Event] | None = None
) -> list[ev.Event]:
    """An approved plan for scene 12A, the 1st AD's call, the head armorer holding the revolver;
    lot A01 holds 50 quarter-load blanks (or ``lots``)."""
    history = planned([*STANDARD, *(blank_lot() if lots is None else lots)], entries=plan)
    return [*history, *called(), *taken(REVOLVER)]


def with_blanks_in_talents_hands(rounds: int = 6) -> list[ev.Event]:
    """The talent holds the revolver with ``rounds`` quarter-load blanks from A01, announced
    hot, under a plan for exactly that."""
    return issued(before=[*STANDARD, *blank_lot()], load=("A01", rounds))


# -- loading ------------------------------------------------------------------------------------


def test_the_armorer_loads_the_rounds_the_plan_allows_from_its_lot() -> None:
    after = (
        given(ready_to_load())
        .when(LOAD_6, by=HEAD)
        .then(ev.RoundsLoaded(firearm=REVOLVER, lot="A01", count=6, armorer=HEAD))
    )

    assert after.history[-1].attesters() == (HEAD,)
    assert after.state.lots["A01"].count == 44
    assert after.state.rounds_in(REVOLVER).loaded == (("A01", 6),)


def test_dummies_are_loaded_from_a_lot_shown_inert() -> None:
    given(ready_to_load((f"{REVOLVER}:dummy:6",), dummy_lot())).when(LOAD_6, by=HEAD).then(
        ev.RoundsLoaded(firearm=REVOLVER, lot="A01", count=6, armorer=HEAD)
    )


@pytest.mark.parametrize("actor", [FIRST_AD, TALENT])
def test_only_an_armorer_loads(actor: str) -> None:
    given(ready_to_load()).when(LOAD_6, by=actor).then_refused(NotAuthorised, "R-26")


def test_the_armorer_loads_only_a_firearm_they_hold() -> None:
    history = [*planned([*STANDARD, *blank_lot()], entries=BLANKS_PLAN), *called()]

    given(history).when(LOAD_6, by=HEAD).then_refused(Refused, "R-26")


def test_an_armorer_without_a_permit_does_not_load() -> None:
    given(ready_to_load()).when(LOAD_6, by=ASSISTANT).then_refused(Refused, "R-45")


def test_no_loading_before_the_1st_ads_call() -> None:
    history = [*planned([*STANDARD, *blank_lot()], entries=BLANKS_PLAN), *taken(REVOLVER)]

    given(history).when(LOAD_6, by=HEAD).then_refused(Refused, "R-27")


def test_no_loading_after_cut() -> None:
    given(ready_to_load(), cut()).when(LOAD_6, by=HEAD).then_refused(Refused, "R-27")


def test_no_loading_under_a_plan_filed_again_and_not_yet_approved() -> None:
    given(ready_to_load(), plan_filed(entries=BLANKS_PLAN)).when(LOAD_6, by=HEAD).then_refused(
        Refused, "R-31"
    )


@pytest.mark.parametrize(
    ("plan", "lots"),
    [
        ((f"{REVOLVER}:dummy:6",), blank_lot()),
        ((f"{REVOLVER}:blank:6:quarter",), dummy_lot()),
        ((f"{REVOLVER}:blank:6:half",), blank_lot(load="quarter")),
    ],
    ids=["blanks-for-dummies", "dummies-for-blanks", "quarter-load-for-half-load"],
)
def test_only_the_class_and_load_the_plan_says_are_loaded(
    plan: tuple[str, ...], lots: list[ev.Event]
) -> None:
    given(ready_to_load(plan, lots)).when(LOAD_6, by=HEAD).then_refused(Refused, "R-09")


def test_no_more_rounds_than_the_plan_allows() -> None:
    plan = (f"{REVOLVER}:blank:4:quarter",)

    given(ready_to_load(plan)).when(LOAD_6, by=HEAD).then_refused(Refused, "R-09")


def test_rounds_already_in_the_firearm_count_toward_the_plan() -> None:
    given(ready_to_load(), loaded(REVOLVER, "A01", 4)).when(
        c.LoadRounds(firearm=REVOLVER, lot="A01", count=3), by=HEAD
    ).then_refused(Refused, "R-09")


def test_no_loading_while_spent_cases_are_still_in_the_firearm() -> None:
    history = [
        *ready_to_load(),
        *loaded(REVOLVER, "A01", 2),
        *discharged(REVOLVER, 2, planned=True, holder=HEAD),
    ]
    refusal = (
        given(history)
        .when(c.LoadRounds(firearm=REVOLVER, lot="A01", count=2), by=HEAD)
        .then_refused(Refused, "R-09")
    )

    assert "spent cases" in refusal.message


def test_dummies_from_a_lot_not_all_shown_inert_are_not_loaded() -> None:
    lots = dummy_lot(inert=False)

    given(ready_to_load((f"{REVOLVER}:dummy:6",), lots)).when(LOAD_6, by=HEAD).then_refused(
        Refused, "R-05"
    )


def test_rounds_of_another_calibre_are_not_loaded() -> None:
    given(ready_to_load(lots=blank_lot(calibre="9mm"))).when(LOAD_6, by=HEAD).then_refused(
        Refused, "R-07"
    )


def test_a_firearm_out_of_service_is_not_loaded() -> None:
    unknown = inspected(
        positions=("unknown",) + ("empty",) * 5,
        result="OUT_OF_SERVICE",
        reason="unknown item or mixed classes",
    )

    given(ready_to_load(), unknown).when(LOAD_6, by=HEAD).then_refused(Refused, "R-25")


def test_rounds_from_a_lot_held_as_evidence_are_not_loaded() -> None:
    """A lot is held by an open live-round incident, which stops all work first (R-51)."""
    held = incident_opened(kind="live_round_found", lots=("A01",))

    given(ready_to_load(), held).when(LOAD_6, by=HEAD).then_refused(Refused, "R-51")


def test_no_loading_while_the_armorer_stopped_work() -> None:
    given(ready_to_load(), work_stopped()).when(LOAD_6, by=HEAD).then_refused(Refused, "R-47")


def test_no_loading_during_a_break() -> None:
    given(ready_to_load(), break_called()).when(LOAD_6, by=HEAD).then_refused(Refused, "R-08")


def test_a_lot_never_gives_more_rounds_than_it_holds() -> None:
    refusal = (
        given(ready_to_load(lots=blank_lot(count=4)))
        .when(LOAD_6, by=HEAD)
        .then_refused(Conflict, None)
    )

    assert "holds 4 round(s)" in refusal.message


@pytest.mark.parametrize("count", [0, -1, 201])
def test_a_load_of_no_rounds_or_too_many_is_refused(count: int) -> None:
    given(ready_to_load()).when(
        c.LoadRounds(firearm=REVOLVER, lot="A01", count=count), by=HEAD
    ).then_refused(InvalidInput, None)


def test_a_lot_that_does_not_exist_is_not_loaded() -> None:
    given(ready_to_load()).when(
        c.LoadRounds(firearm=REVOLVER, lot="A09", count=1), by=HEAD
    ).then_refused(NotFound, None)


def test_a_close_range_plan_loads_only_close_range_blanks() -> None:
    history = planned(
        [*STANDARD, *blank_lot(close_range=False)],
        entries=BLANKS_PLAN,
        distance_ft=8,
        close_range=True,
    )

    given(history, called(), taken(REVOLVER)).when(LOAD_6, by=HEAD).then_refused(Refused, "R-38")


# -- unloading ----------------------------------------------------------------------------------


def test_unloading_puts_the_unfired_rounds_back_into_their_lot() -> None:
    after = (
        given(ready_to_load(), loaded(REVOLVER, "A01", 6))
        .when(c.UnloadFirearm(firearm=REVOLVER), by=HEAD)
        .then(ev.RoundsUnloaded(firearm=REVOLVER, armorer=HEAD, rounds=("A01:6",), spent=0))
    )

    assert after.state.lots["A01"].count == 50
    assert after.state.rounds_in(REVOLVER).in_firearm == 0


def test_unloading_after_shots_returns_the_rest_and_removes_the_spent_cases() -> None:
    history = [
        *ready_to_load(),
        *loaded(REVOLVER, "A01", 6),
        *discharged(REVOLVER, 2, planned=True, holder=HEAD),
    ]
    after = (
        given(history)
        .when(c.UnloadFirearm(firearm=REVOLVER), by=HEAD)
        .then(ev.RoundsUnloaded(firearm=REVOLVER, armorer=HEAD, rounds=("A01:4",), spent=2))
    )

    lot = after.state.lots["A01"]
    assert (lot.count, lot.fired) == (48, 2)
    assert after.state.rounds_in(REVOLVER).empty


def test_no_unloading_before_a_misfire_is_cleared() -> None:
    history = [*ready_to_load(), *loaded(REVOLVER, "A01", 6), *misfired(), *MALFUNCTION]

    given(history).when(c.UnloadFirearm(firearm=REVOLVER), by=HEAD).then_refused(Refused, "R-42")


def test_a_firearm_without_rounds_on_record_is_not_unloaded() -> None:
    given(ready_to_load()).when(c.UnloadFirearm(firearm=REVOLVER), by=HEAD).then_refused(
        Conflict, None
    )


def test_only_an_armorer_unloads() -> None:
    given(ready_to_load(), loaded(REVOLVER, "A01", 6)).when(
        c.UnloadFirearm(firearm=REVOLVER), by=FIRST_AD
    ).then_refused(NotAuthorised, "R-26")


def test_the_armorer_unloads_only_a_firearm_they_hold() -> None:
    given(with_blanks_in_talents_hands()).when(
        c.UnloadFirearm(firearm=REVOLVER), by=HEAD, at=SOON
    ).then_refused(Refused, "R-26")


def test_a_firearm_held_as_evidence_is_not_unloaded() -> None:
    held = incident_opened(kind="unplanned_discharge", firearms=(REVOLVER,))
    history = [
        *ready_to_load(),
        *loaded(REVOLVER, "A01", 6),
        *discharged(REVOLVER, 1, planned=False, holder=HEAD),
        *held,
    ]

    given(history).when(c.UnloadFirearm(firearm=REVOLVER), by=HEAD).then_refused(Refused, "R-54")


# -- discharges ---------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [HEAD, FIRST_AD])
def test_a_discharge_as_planned_is_recorded_and_voids_the_check(actor: str) -> None:
    after = (
        given(with_blanks_in_talents_hands())
        .when(c.RecordDischarge(firearm=REVOLVER, count=2), by=actor, at=SOON)
        .then(
            ev.FirearmDischarged(
                firearm=REVOLVER, count=2, planned=True, holder=TALENT, by=actor, note=""
            )
        )
    )

    assert after.state.inspections[REVOLVER].void == "discharged since"
    assert after.state.rounds_in(REVOLVER).fired == 2
    assert after.state.incidents == {}


def test_a_discharge_outside_a_take_opens_an_incident_and_holds_the_firearm() -> None:
    after = (
        given(ready_to_load(), loaded(REVOLVER, "A01", 6))
        .when(c.RecordDischarge(firearm=REVOLVER, count=1, note=" in the  truck "), by=HEAD)
        .then(
            ev.FirearmDischarged(
                firearm=REVOLVER, count=1, planned=False, holder=HEAD, by=HEAD, note="in the truck"
            ),
            ev.IncidentOpened(
                incident="I01",
                kind="unplanned_discharge",
                firearm="",
                firearms=(REVOLVER,),
                lots=(),
                by=HEAD,
                description="Unplanned discharge of F01: it was not in a talent's hands for a "
                "take. in the truck",
            ),
        )
    )

    held = after.state.on_hold(firearm=REVOLVER)
    assert held is not None
    assert held.id == "I01"


def test_a_discharge_of_a_firearm_checked_with_dummies_is_unplanned() -> None:
    history = issued(before=[*STANDARD, *dummy_lot()], load=("A01", 6))
    events = (
        given(history).when(c.RecordDischarge(firearm=REVOLVER, count=1), by=FIRST_AD, at=SOON)
    ).events

    assert events == [
        ev.FirearmDischarged(
            firearm=REVOLVER, count=1, planned=False, holder=TALENT, by=FIRST_AD, note=""
        ),
        ev.IncidentOpened(
            incident="I01",
            kind="unplanned_discharge",
            firearm="",
            firearms=(REVOLVER,),
            lots=(),
            by=FIRST_AD,
            description="Unplanned discharge of F01: it was not verified and announced hot "
            "with blanks.",
        ),
    ]


def test_more_shots_than_blanks_on_record_are_unplanned() -> None:
    events = (
        given(with_blanks_in_talents_hands(rounds=2))
        .when(c.RecordDischarge(firearm=REVOLVER, count=3), by=HEAD, at=SOON)
        .events
    )

    incident = events[-1]
    assert isinstance(incident, ev.IncidentOpened)
    assert incident.kind == "unplanned_discharge"
    assert "3 shots but only 2 blank(s) on record in it" in incident.description


def test_a_discharge_after_cut_is_unplanned() -> None:
    events = (
        given(with_blanks_in_talents_hands(), cut(SCENE))
        .when(c.RecordDischarge(firearm=REVOLVER, count=1), by=HEAD, at=SOON)
        .events
    )

    incident = events[-1]
    assert isinstance(incident, ev.IncidentOpened)
    assert "no approved plan for the current set-up" in incident.description


@pytest.mark.parametrize("count", [0, 201])
def test_a_discharge_of_no_shots_or_too_many_is_refused(count: int) -> None:
    given(with_blanks_in_talents_hands()).when(
        c.RecordDischarge(firearm=REVOLVER, count=count), by=HEAD, at=SOON
    ).then_refused(InvalidInput, None)


# -- misfires (R-42) ----------------------------------------------------------------------------


def test_a_misfire_is_recorded_and_stops_that_firearm() -> None:
    after = (
        given(with_blanks_in_talents_hands())
        .when(c.RecordMisfire(firearm=REVOLVER), by=FIRST_AD, at=SOON)
        .then(
            ev.MisfireRecorded(firearm=REVOLVER, by=FIRST_AD),
            ev.IncidentOpened(
                incident="I01",
                kind="malfunction",
                firearm=REVOLVER,
                firearms=(REVOLVER,),
                lots=(),
                by=FIRST_AD,
                description="Misfire of F01: keep the muzzle safe; wait 15 s before clearing "
                "(R-42).",
            ),
        )
    )

    assert after.state.inspections[REVOLVER].void == "misfired since"
    assert after.state.on_hold(firearm=REVOLVER) is None


def test_a_misfire_stops_only_its_own_firearm() -> None:
    both = (f"{REVOLVER}:blank:6:quarter", f"{PISTOL}:empty:0")
    history = issued(before=[*STANDARD, *blank_lot()], load=("A01", 6), plan=both)
    misfire = given(history).when(c.RecordMisfire(firearm=REVOLVER), by=HEAD, at=SOON).accepted()

    misfire.when(c.CallFirearm(firearm=PISTOL, scene=SCENE), by=FIRST_AD, at=SOON).then(
        ev.FirearmCalled(firearm=PISTOL, scene=SCENE, by=FIRST_AD)
    )
    misfire.when(c.CallFirearm(firearm=REVOLVER, scene="14B"), by=FIRST_AD, at=SOON).then_refused(
        Refused, "R-51"
    )


def test_the_misfire_incident_states_the_productions_wait() -> None:
    events = (
        given(with_blanks_in_talents_hands(), setting_changed("misfire_wait_seconds", 30))
        .when(c.RecordMisfire(firearm=REVOLVER), by=HEAD, at=SOON)
        .events
    )

    incident = events[-1]
    assert isinstance(incident, ev.IncidentOpened)
    assert "wait 30 s before clearing" in incident.description


def test_another_misfire_while_the_malfunction_is_open_opens_no_second_incident() -> None:
    cleared = ev.MisfireCleared(firearm=REVOLVER, armorer=HEAD, lot="A01")
    given(with_blanks_in_talents_hands(), misfired(), MALFUNCTION, [cleared]).when(
        c.RecordMisfire(firearm=REVOLVER), by=HEAD, at=SOON
    ).then(ev.MisfireRecorded(firearm=REVOLVER, by=HEAD))


def test_a_misfire_is_recorded_once() -> None:
    given(with_blanks_in_talents_hands(), misfired(), MALFUNCTION).when(
        c.RecordMisfire(firearm=REVOLVER), by=HEAD, at=SOON
    ).then_refused(Conflict, None)


def test_a_firearm_without_unfired_rounds_cannot_misfire() -> None:
    given(ready_to_load()).when(c.RecordMisfire(firearm=REVOLVER), by=HEAD).then_refused(
        Conflict, None
    )


def misfired_and_back() -> Scenario:
    """The talent's revolver misfired; the talent handed it back to the head armorer."""
    history = [*with_blanks_in_talents_hands(), *misfired(), *MALFUNCTION]
    return given(history, handed("H0002", REVOLVER, TALENT, HEAD))


def test_a_misfire_is_not_cleared_before_the_wait() -> None:
    back = misfired_and_back()
    misfire = next(e for e in back.history if isinstance(e, ev.MisfireRecorded))
    at = back.time_of(misfire) + timedelta(seconds=10)

    refusal = back.when(c.ClearMisfire(firearm=REVOLVER), by=HEAD, at=at).then_refused(
        Refused, "R-42"
    )

    assert "wait 15 s" in refusal.message


def test_after_the_wait_the_armorer_clears_the_misfired_round() -> None:
    back = misfired_and_back()
    misfire = next(e for e in back.history if isinstance(e, ev.MisfireRecorded))
    at = back.time_of(misfire) + timedelta(seconds=15)

    after = back.when(c.ClearMisfire(firearm=REVOLVER), by=HEAD, at=at).then(
        ev.MisfireCleared(firearm=REVOLVER, armorer=HEAD, lot="A01")
    )

    rounds = after.state.rounds_in(REVOLVER)
    assert (rounds.misfire_at, rounds.misfired, rounds.in_firearm) == ("", 1, 5)
    assert after.state.lots["A01"].misfired == 1


def test_a_longer_wait_setting_holds_the_clear_longer() -> None:
    back = misfired_and_back()
    longer = given(back.history, setting_changed("misfire_wait_seconds", 30))
    misfire = next(e for e in longer.history if isinstance(e, ev.MisfireRecorded))

    longer.when(
        c.ClearMisfire(firearm=REVOLVER),
        by=HEAD,
        at=longer.time_of(misfire) + timedelta(seconds=20),
    ).then_refused(Refused, "R-42")


def test_only_an_armorer_clears_a_misfire() -> None:
    given(with_blanks_in_talents_hands(), misfired(), MALFUNCTION).when(
        c.ClearMisfire(firearm=REVOLVER), by=TALENT, at=SOON
    ).then_refused(NotAuthorised, "R-25")


def test_the_armorer_clears_a_misfire_only_once_the_firearm_is_back_in_hand() -> None:
    given(with_blanks_in_talents_hands(), misfired(), MALFUNCTION).when(
        c.ClearMisfire(firearm=REVOLVER), by=HEAD, at=SOON
    ).then_refused(Refused, "R-25")


def test_there_is_nothing_to_clear_without_a_misfire() -> None:
    given(ready_to_load(), loaded(REVOLVER, "A01", 6)).when(
        c.ClearMisfire(firearm=REVOLVER), by=HEAD
    ).then_refused(Conflict, None)


# -- the count after a take (R-09) --------------------------------------------------------------


def after_the_take() -> list[ev.Event]:
    """6 blanks issued; 2 fired as planned; handed back, unloaded: 4 back in A01, 2 cases."""
    return [
        *with_blanks_in_talents_hands(),
        *discharged(REVOLVER, 2, planned=True),
        *handed("H0002", REVOLVER, TALENT, HEAD),
        *unloaded(REVOLVER, ("A01:4",), spent=2),
    ]


def test_a_count_that_balances_is_recorded_and_closes_the_take() -> None:
    after = (
        given(after_the_take())
        .when(c.Reconcile(firearm=REVOLVER, fired=2, returned=4, misfired=0), by=HEAD, at=SOON)
        .then(
            ev.RoundsReconciled(
                firearm=REVOLVER,
                armorer=HEAD,
                issued=6,
                fired=2,
                returned=4,
                misfired=0,
                balanced=True,
            )
        )
    )

    assert after.history[-1].attesters() == (HEAD,)
    assert after.state.rounds_in(REVOLVER).reconciled


def test_a_count_that_does_not_balance_opens_a_count_discrepancy() -> None:
    given(after_the_take()).when(
        c.Reconcile(firearm=REVOLVER, fired=2, returned=3, misfired=0), by=HEAD, at=SOON
    ).then(
        ev.RoundsReconciled(
            firearm=REVOLVER,
            armorer=HEAD,
            issued=6,
            fired=2,
            returned=3,
            misfired=0,
            balanced=False,
        ),
        ev.IncidentOpened(
            incident="I01",
            kind="count_discrepancy",
            firearm="",
            firearms=(REVOLVER,),
            lots=(),
            by=HEAD,
            description="F01: 6 issued; counted 2 fired, 3 returned, 0 misfired; on record "
            "2 fired, 4 returned, 0 misfired.",
        ),
    )


def test_a_count_that_adds_up_but_disagrees_with_the_record_does_not_balance() -> None:
    events = (
        given(after_the_take())
        .when(c.Reconcile(firearm=REVOLVER, fired=3, returned=3, misfired=0), by=HEAD, at=SOON)
        .events
    )

    assert [type(e) for e in events] == [ev.RoundsReconciled, ev.IncidentOpened]
    assert isinstance(events[0], ev.RoundsReconciled)
    assert not events[0].balanced


def test_no_count_while_rounds_are_still_in_the_firearm() -> None:
    history = [
        *with_blanks_in_talents_hands(),
        *discharged(REVOLVER, 2, planned=True),
        *handed("H0002", REVOLVER, TALENT, HEAD),
    ]

    given(history).when(
        c.Reconcile(firearm=REVOLVER, fired=2, returned=4, misfired=0), by=HEAD, at=SOON
    ).then_refused(Refused, "R-09")


def test_nothing_to_count_when_nothing_was_issued() -> None:
    given(ready_to_load()).when(
        c.Reconcile(firearm=REVOLVER, fired=0, returned=0, misfired=0), by=HEAD
    ).then_refused(Conflict, None)


def test_a_negative_count_is_refused() -> None:
    given(after_the_take()).when(
        c.Reconcile(firearm=REVOLVER, fired=-1, returned=7, misfired=0), by=HEAD, at=SOON
    ).then_refused(InvalidInput, None)


def test_only_an_armorer_counts() -> None:
    given(after_the_take()).when(
        c.Reconcile(firearm=REVOLVER, fired=2, returned=4, misfired=0), by=FIRST_AD, at=SOON
    ).then_refused(NotAuthorised, "R-09")


# -- the verified load state and later loading ---------------------------------------------------


def test_loading_more_rounds_after_the_check_voids_it() -> None:
    history = ready_to_issue(
        before=[*STANDARD, *dummy_lot()], load=("A01", 3), plan=(f"{REVOLVER}:dummy:6",)
    )
    more = (
        given(history)
        .when(c.LoadRounds(firearm=REVOLVER, lot="A01", count=3), by=HEAD, at=SOON)
        .then(ev.RoundsLoaded(firearm=REVOLVER, lot="A01", count=3, armorer=HEAD))
    )

    more.when(c.ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=HEAD, at=SOON).then_refused(
        Refused, "R-19"
    )


def test_after_a_hang_fire_the_misfire_is_still_cleared_and_the_firearm_unloaded() -> None:
    history = [
        *with_blanks_in_talents_hands(rounds=1),
        *misfired(),
        *MALFUNCTION,
        *discharged(REVOLVER, 1, planned=True),
        *handed("H0002", REVOLVER, TALENT, HEAD),
    ]
    back = given(history)
    misfire = next(e for e in back.history if isinstance(e, ev.MisfireRecorded))
    late = back.time_of(misfire) + timedelta(seconds=30)

    result = decided(back.state, c.ClearMisfire(firearm=REVOLVER), HEAD, late)
    after = back if isinstance(result, Refusal) else given(back.history, result)

    after.when(c.UnloadFirearm(firearm=REVOLVER), by=HEAD, at=late).then(
        ev.RoundsUnloaded(firearm=REVOLVER, armorer=HEAD, rounds=(), spent=1)
    )
