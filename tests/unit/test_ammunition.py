"""Ammunition lots: live is refused (R-01), provenance is required (R-06), dummies are loadable
only once every round was shown inert, and a round found not inert is recorded as it is (R-05)."""

from __future__ import annotations

import dataclasses

import pytest
from tests.unit.domain_helpers import (
    AFTER_EXPIRY,
    ASSISTANT,
    FIRST_AD,
    HEAD,
    SAFE,
    given,
    standard_production,
)

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain.errors import InvalidInput, NotAuthorised, Refused
from coldcheck.domain.values import AmmoClass, BlankLoad, DummyCheck

RATTLE = frozenset({DummyCheck.RATTLE})


def receiving(ammo_class: AmmoClass = AmmoClass.DUMMY, **changes: object) -> c.ReceiveAmmunition:
    values: dict[str, object] = {
        "ammo_class": ammo_class,
        "calibre": ".45 Colt",
        "count": 50,
        "supplier": "Hollywood Rentals",
        "provenance": "Lot HR-2291",
        "store": SAFE,
        "load": BlankLoad.QUARTER if ammo_class is AmmoClass.BLANK else None,
    }
    values.update(changes)
    return c.ReceiveAmmunition(**values)  # type: ignore[arg-type]


def dummy_lot() -> list[ev.Event]:
    return [
        ev.AmmunitionReceived(
            lot="A01",
            ammo_class="dummy",
            calibre=".45 Colt",
            load="",
            close_range=False,
            count=50,
            supplier="Hollywood Rentals",
            provenance="Lot HR-2291",
            store=SAFE,
        )
    ]


def test_a_live_lot_is_never_received_into_set_inventory() -> None:
    refusal = given(standard_production()).when(receiving(AmmoClass.LIVE), by=HEAD)
    refused = refusal.then_refused(Refused, "R-01")
    assert "range session" in refused.remedy


@pytest.mark.parametrize(
    "command",
    [
        dataclasses.replace(receiving(), supplier="  "),
        dataclasses.replace(receiving(), provenance=""),
    ],
)
def test_a_lot_without_supplier_or_provenance_is_refused(command: c.ReceiveAmmunition) -> None:
    given(standard_production()).when(command, by=HEAD).then_refused(Refused, "R-06")


def test_the_armorer_receives_blanks_with_their_load() -> None:
    given(standard_production()).when(receiving(AmmoClass.BLANK), by=HEAD).then(
        ev.AmmunitionReceived(
            lot="A01",
            ammo_class="blank",
            calibre=".45 Colt",
            load="quarter",
            close_range=False,
            count=50,
            supplier="Hollywood Rentals",
            provenance="Lot HR-2291",
            store=SAFE,
        )
    )


def test_only_an_armorer_with_a_valid_permit_receives_ammunition() -> None:
    given(standard_production()).when(receiving(), by=FIRST_AD).then_refused(NotAuthorised, "R-11")
    given(standard_production()).when(receiving(), by=ASSISTANT).then_refused(Refused, "R-45")
    given(standard_production()).when(receiving(), by=HEAD, at=AFTER_EXPIRY).then_refused(
        Refused, "R-45"
    )


@pytest.mark.parametrize(
    "command",
    [
        receiving(AmmoClass.BLANK, load=None),
        receiving(AmmoClass.DUMMY, load=BlankLoad.HALF),
        receiving(AmmoClass.DUMMY, close_range=True),
        receiving(count=0),
    ],
)
def test_a_lot_that_does_not_add_up_is_refused(command: c.ReceiveAmmunition) -> None:
    given(standard_production()).when(command, by=HEAD).then_refused(InvalidInput, None)


def test_a_dummy_lot_is_loadable_only_once_every_round_was_shown_inert() -> None:
    half = (
        given(standard_production(), dummy_lot())
        .when(c.InspectDummies(lot="A01", inspected=30, inert=30, methods=RATTLE), by=HEAD)
        .accepted()
    )
    assert not half.state.lots["A01"].loadable
    rest = half.when(
        c.InspectDummies(lot="A01", inspected=20, inert=20, methods=RATTLE), by=HEAD
    ).accepted()
    assert rest.state.lots["A01"].loadable


def test_a_round_found_not_inert_is_recorded_and_quarantines_the_lot() -> None:
    found = (
        given(standard_production(), dummy_lot())
        .when(c.InspectDummies(lot="A01", inspected=50, inert=49, methods=RATTLE), by=HEAD)
        .then(
            ev.DummyLotInspected(lot="A01", inspected=50, inert=49, methods=("rattle",)),
            ev.IncidentOpened(
                incident="I01",
                kind="live_round_found",
                firearm="",
                firearms=(),
                lots=("A01",),
                by=HEAD,
                description="1 round(s) in dummy lot A01 (Hollywood Rentals, Lot HR-2291) are "
                "not inert: treat them as live. Stop all firearms work; the lot is quarantined "
                "and preserved (R-01, R-05).",
            ),
        )
    )
    lot = found.state.lots["A01"]
    assert lot.suspect == 1
    assert not lot.loadable
    assert found.state.on_hold(lot="A01") is not None


def test_more_rounds_than_the_lot_holds_cannot_be_inspected() -> None:
    given(standard_production(), dummy_lot()).when(
        c.InspectDummies(lot="A01", inspected=51, inert=51, methods=RATTLE), by=HEAD
    ).then_refused(InvalidInput, None)


def test_blank_lots_are_not_inspected_as_dummies() -> None:
    blanks = given(standard_production()).when(receiving(AmmoClass.BLANK), by=HEAD).accepted()
    blanks.when(
        c.InspectDummies(lot="A01", inspected=1, inert=1, methods=RATTLE), by=HEAD
    ).then_refused(InvalidInput, None)
