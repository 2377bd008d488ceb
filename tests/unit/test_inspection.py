"""Load state is a verified fact: derived from the armorer's inspection of every position and
the barrel (R-19, R-22), never typed; anything doubtful puts the firearm out of service (R-25)."""

from __future__ import annotations

import pytest
from tests.unit.domain_helpers import (
    FIRST_AD,
    HEAD,
    JUSTIFICATION,
    PISTOL,
    REVOLVER,
    SAFE,
    SAFETY,
    discharged,
    given,
    loaded,
    plan_approved,
    plan_filed,
    replay,
    standard_production,
    taken,
)

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain.errors import NotAuthorised, Refused
from coldcheck.domain.inspection import LoadState, assess


def lots() -> list[ev.Event]:
    common = {"calibre": ".45 Colt", "supplier": "HR", "provenance": "lot", "store": SAFE}
    return [
        ev.AmmunitionReceived(
            lot="A01", ammo_class="dummy", load="", close_range=False, count=6, **common
        ),
        ev.DummyLotInspected(lot="A01", inspected=6, inert=6, methods=("rattle",)),
        ev.AmmunitionReceived(
            lot="A02", ammo_class="blank", load="quarter", close_range=False, count=6, **common
        ),
        ev.AmmunitionReceived(
            lot="A03", ammo_class="blank", load="full", close_range=False, count=6, **common
        ),
        ev.AmmunitionReceived(
            lot="A04", ammo_class="dummy", load="", close_range=False, count=6, **common
        ),  # never inspected
        ev.AmmunitionReceived(
            lot="A05",
            ammo_class="blank",
            load="half",
            close_range=False,
            count=6,
            supplier="HR",
            provenance="lot",
            store=SAFE,
            calibre="9mm",
        ),
    ]


STATE = replay([*standard_production(), *lots()])
SIX_EMPTY = ("empty",) * 6


def found(*positions: str, clear: bool = True) -> str:
    return str(assess(STATE.firearms[REVOLVER], positions, clear, STATE.lots))


@pytest.mark.parametrize(
    ("positions", "clear", "expected"),
    [
        (SIX_EMPTY, True, "EMPTY"),
        (("dummy:A01",) * 3 + ("empty",) * 3, True, "DUMMIES x3"),
        (("blank:A02",) * 6, True, "BLANKS x6 (quarter)"),
        (("spent",) * 2 + ("empty",) * 4, True, "SPENT x2"),
        (SIX_EMPTY, False, "OUT OF SERVICE (barrel obstructed)"),
        (("unknown",) + ("empty",) * 5, True, "OUT OF SERVICE (unknown item or mixed classes)"),
        (
            ("dummy:A01", "blank:A02") + ("empty",) * 4,
            True,
            "OUT OF SERVICE (unknown item or mixed classes)",
        ),
        (
            ("blank:A02", "blank:A03") + ("empty",) * 4,
            True,
            "OUT OF SERVICE (blanks of different loads)",
        ),
        (
            ("blank:A05",) + ("empty",) * 5,
            True,
            "OUT OF SERVICE (a round of another calibre (R-07))",
        ),
        (
            ("dummy:A04",) + ("empty",) * 5,
            True,
            "OUT OF SERVICE (a dummy from a lot not shown inert (R-05))",
        ),
        (("dummy:A02",) + ("empty",) * 5, True, "OUT OF SERVICE (a dummy from no known dummy lot)"),
    ],
)
def test_the_load_state_is_derived_from_what_each_position_holds(
    positions: tuple[str, ...], clear: bool, expected: str
) -> None:
    assert found(*positions, clear=clear) == expected


def test_an_inspection_covering_fewer_positions_than_the_capacity_is_refused() -> None:
    refusal = (
        given(standard_production(), lots(), taken(REVOLVER))
        .when(
            c.InspectFirearm(firearm=REVOLVER, positions=("empty",) * 5, barrel_clear=True), by=HEAD
        )
        .then_refused(Refused, "R-22")
    )
    assert "6 positions" in refusal.message


def test_the_armorer_inspects_only_a_firearm_they_hold() -> None:
    given(standard_production(), lots()).when(
        c.InspectFirearm(firearm=REVOLVER, positions=SIX_EMPTY, barrel_clear=True), by=HEAD
    ).then_refused(Refused, "R-19")


def test_nobody_but_an_armorer_inspects() -> None:
    given(standard_production(), lots(), taken(REVOLVER)).when(
        c.InspectFirearm(firearm=REVOLVER, positions=SIX_EMPTY, barrel_clear=True),
        by=FIRST_AD,
    ).then_refused(NotAuthorised, "R-19")


def test_an_inspection_is_signed_by_the_armorer_and_sets_the_verified_state() -> None:
    after = (
        given(standard_production(), lots(), taken(REVOLVER), loaded(REVOLVER, "A02", 6))
        .when(
            c.InspectFirearm(firearm=REVOLVER, positions=("Blank:a02",) * 6, barrel_clear=True),
            by=HEAD,
        )
        .then(
            ev.FirearmInspected(
                firearm=REVOLVER,
                armorer=HEAD,
                phase="pre_use",
                positions=("blank:A02",) * 6,
                barrel="clear",
                result="BLANKS",
                rounds=6,
                load="quarter",
                reason="",
            )
        )
    )
    assert after.history[-1].attesters() == (HEAD,)
    newest = after.state.inspections[REVOLVER]
    assert str(LoadState(result=newest.result, rounds=newest.rounds, load=newest.load)) == (
        "BLANKS x6 (quarter)"
    )


def test_a_new_clean_inspection_brings_a_firearm_back_into_service() -> None:
    obstructed = (
        given(standard_production(), lots(), taken(REVOLVER))
        .when(c.InspectFirearm(firearm=REVOLVER, positions=SIX_EMPTY, barrel_clear=False), by=HEAD)
        .accepted()
    )
    assert obstructed.state.inspections[REVOLVER].result == "OUT_OF_SERVICE"
    cleared = obstructed.when(
        c.InspectFirearm(firearm=REVOLVER, positions=SIX_EMPTY, barrel_clear=True), by=HEAD
    ).accepted()
    assert cleared.state.inspections[REVOLVER].result == "EMPTY"


# -- what an inspection finds opens incidents (record reality) ---------------------------------


def test_rounds_found_that_are_not_on_record_open_a_count_discrepancy() -> None:
    positions = ("dummy:A01",) * 3 + ("empty",) * 3
    (
        given(standard_production(), lots(), taken(REVOLVER))
        .when(c.InspectFirearm(firearm=REVOLVER, positions=positions, barrel_clear=True), by=HEAD)
        .then(
            ev.FirearmInspected(
                firearm=REVOLVER,
                armorer=HEAD,
                phase="pre_use",
                positions=positions,
                barrel="clear",
                result="DUMMIES",
                rounds=3,
                load="",
                reason="",
            ),
            ev.IncidentOpened(
                incident="I01",
                kind="count_discrepancy",
                firearm="",
                firearms=(REVOLVER,),
                lots=(),
                by=HEAD,
                description="F01 holds 3 from A01 and 0 spent case(s); on record: no rounds "
                "and 0 spent case(s) (R-09).",
            ),
        )
    )


def test_fewer_rounds_found_than_loaded_on_record_open_a_count_discrepancy() -> None:
    positions = ("dummy:A01",) * 2 + ("empty",) * 4
    events = (
        given(standard_production(), lots(), taken(REVOLVER), loaded(REVOLVER, "A01", 3))
        .when(c.InspectFirearm(firearm=REVOLVER, positions=positions, barrel_clear=True), by=HEAD)
        .events
    )
    assert [type(e) for e in events] == [ev.FirearmInspected, ev.IncidentOpened]
    opened = events[1]
    assert isinstance(opened, ev.IncidentOpened)
    assert opened.kind == "count_discrepancy"
    assert "holds 2 from A01" in opened.description
    assert "on record: 3 from A01" in opened.description


def test_spent_cases_on_record_after_a_discharge_are_no_discrepancy() -> None:
    positions = ("spent",) * 2 + ("empty",) * 4
    (
        given(
            standard_production(),
            lots(),
            taken(REVOLVER),
            loaded(REVOLVER, "A02", 2),
            discharged(REVOLVER, 2, planned=True, holder=HEAD),
        )
        .when(
            c.InspectFirearm(
                firearm=REVOLVER, positions=positions, barrel_clear=True, phase="post_use"
            ),
            by=HEAD,
        )
        .then(
            ev.FirearmInspected(
                firearm=REVOLVER,
                armorer=HEAD,
                phase="post_use",
                positions=positions,
                barrel="clear",
                result="SPENT",
                rounds=2,
                load="",
                reason="",
            )
        )
    )


def test_a_live_round_found_at_inspection_opens_a_live_round_incident_with_the_firearm_held() -> (
    None
):
    positions = ("live",) + ("empty",) * 5
    after = (
        given(standard_production(), lots(), taken(REVOLVER))
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
                lots=(),
                by=HEAD,
                description="1 live round(s) found in F01 (serial UB-1873-001) at inspection. "
                "Stop all firearms work; preserve the firearm and rounds (R-54); those lots "
                "are quarantined (R-05).",
            ),
        )
    )
    held = after.state.on_hold(firearm=REVOLVER)
    assert held is not None
    assert held.id == "I01"


def test_a_live_round_found_stops_work_on_every_firearm() -> None:
    pistol_plan = plan_filed("9", (f"{PISTOL}:empty:0",), justification=JUSTIFICATION)
    history = [*standard_production(), *lots(), *pistol_plan]
    history += plan_approved("9", plan=len(history), approver=SAFETY)
    found = (
        given(history, taken(REVOLVER))
        .when(
            c.InspectFirearm(
                firearm=REVOLVER, positions=("live",) + ("empty",) * 5, barrel_clear=True
            ),
            by=HEAD,
        )
        .accepted()
    )

    found.when(c.CallFirearm(firearm=PISTOL, scene="9"), by=FIRST_AD).then_refused(Refused, "R-51")


def test_an_obstructed_barrel_opens_a_malfunction_incident_for_that_firearm() -> None:
    after = (
        given(standard_production(), lots(), taken(REVOLVER))
        .when(c.InspectFirearm(firearm=REVOLVER, positions=SIX_EMPTY, barrel_clear=False), by=HEAD)
        .then(
            ev.FirearmInspected(
                firearm=REVOLVER,
                armorer=HEAD,
                phase="pre_use",
                positions=SIX_EMPTY,
                barrel="obstructed",
                result="OUT_OF_SERVICE",
                rounds=0,
                load="",
                reason="barrel obstructed",
            ),
            ev.IncidentOpened(
                incident="I01",
                kind="malfunction",
                firearm=REVOLVER,
                firearms=(REVOLVER,),
                lots=(),
                by=HEAD,
                description="Barrel of F01 obstructed at inspection (possible squib): out of "
                "service until the armorer clears it (R-25).",
            ),
        )
    )
    assert after.state.on_hold(firearm=REVOLVER) is None  # a malfunction is not evidence


def test_an_obstructed_barrel_stops_that_firearm_only() -> None:
    plans = plan_filed("9", (f"{REVOLVER}:empty:0", f"{PISTOL}:empty:0"))
    history = [*standard_production(), *lots(), *plans]
    history += plan_approved("9", plan=len(history))
    obstructed = (
        given(history, taken(REVOLVER))
        .when(c.InspectFirearm(firearm=REVOLVER, positions=SIX_EMPTY, barrel_clear=False), by=HEAD)
        .accepted()
    )

    obstructed.when(c.CallFirearm(firearm=REVOLVER, scene="9"), by=FIRST_AD).then_refused(
        Refused, "R-51"
    )
    obstructed.when(c.CallFirearm(firearm=PISTOL, scene="9"), by=FIRST_AD).then(
        ev.FirearmCalled(firearm=PISTOL, scene="9", by=FIRST_AD)
    )


def test_a_firearm_already_stopped_for_a_malfunction_gets_no_second_malfunction_incident() -> None:
    obstructed = (
        given(standard_production(), lots(), taken(REVOLVER))
        .when(c.InspectFirearm(firearm=REVOLVER, positions=SIX_EMPTY, barrel_clear=False), by=HEAD)
        .accepted()
    )

    again = obstructed.when(
        c.InspectFirearm(firearm=REVOLVER, positions=SIX_EMPTY, barrel_clear=False), by=HEAD
    ).events

    assert [type(e) for e in again] == [ev.FirearmInspected]
