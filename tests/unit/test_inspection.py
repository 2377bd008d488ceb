"""Load state is a verified fact: derived from the armorer's inspection of every position and
the barrel (R-19, R-22), never typed; anything doubtful puts the firearm out of service (R-25)."""

from __future__ import annotations

import pytest
from tests.unit.domain_helpers import (
    FIRST_AD,
    HEAD,
    REVOLVER,
    SAFE,
    given,
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
        given(standard_production(), lots(), taken(REVOLVER))
        .when(
            c.InspectFirearm(firearm=REVOLVER, positions=("blank:A02",) * 6, barrel_clear=True),
            by=HEAD,
        )
        .accepted()
    )
    event = after.history[-1]
    assert isinstance(event, ev.FirearmInspected)
    assert event.attesters() == (HEAD,)
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
