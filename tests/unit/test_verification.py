"""The three-person check and the announcement: no cold or hot call without the armorer's
inspection shown to the 1st AD and the talent, still valid (R-20, R-21, R-23, R-28, R-29)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from tests.unit.domain_helpers import (
    FIRST_AD,
    HEAD,
    NOW,
    PRODUCER,
    REVOLVER,
    SAFE,
    TALENT,
    Scenario,
    given,
    loaded,
    setting_changed,
    standard_production,
    taken,
    waiver_granted,
)
from tests.unit.test_inspection import lots

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain.errors import Conflict, NotAuthorised, Refused

SIX_EMPTY = ("empty",) * 6
# The helper stamps past events an hour before NOW; the commands here come ten minutes later.
SOON = NOW - timedelta(minutes=50)


def on_record(positions: tuple[str, ...]) -> list[ev.Event]:
    """The rounds the armorer loaded, as the positions will show them."""
    counted = Counter(p.partition(":")[2] for p in positions if ":" in p)
    return [e for lot, n in sorted(counted.items()) for e in loaded(REVOLVER, lot, n)]


def inspected(positions: tuple[str, ...] = SIX_EMPTY, *history: list[ev.Event]) -> Scenario:
    return (
        given(standard_production(), lots(), *history, taken(REVOLVER), on_record(positions))
        .when(
            c.InspectFirearm(firearm=REVOLVER, positions=positions, barrel_clear=True),
            by=HEAD,
            at=SOON,
        )
        .accepted()
    )


def checked(positions: tuple[str, ...] = SIX_EMPTY) -> Scenario:
    shown = (
        inspected(positions).when(c.WitnessCheck(firearm=REVOLVER), by=FIRST_AD, at=SOON).accepted()
    )
    return shown.when(c.WitnessCheck(firearm=REVOLVER), by=TALENT, at=SOON).accepted()


def test_no_announcement_without_an_inspection() -> None:
    refusal = (
        given(standard_production(), taken(REVOLVER))
        .when(c.Announce(firearm=REVOLVER), by=FIRST_AD, at=SOON)
        .then_refused(Refused, "R-29")
    )
    assert "not been inspected" in refusal.message


def test_no_announcement_until_both_the_1st_ad_and_the_talent_attested() -> None:
    only_ad = inspected().when(c.WitnessCheck(firearm=REVOLVER), by=FIRST_AD, at=SOON).accepted()
    refusal = only_ad.when(c.Announce(firearm=REVOLVER), by=FIRST_AD, at=SOON).then_refused(
        Refused, "R-29"
    )
    assert "shown to the talent" in refusal.message


def test_a_verified_empty_revolver_is_announced_cold_with_generated_text() -> None:
    events = checked().when(c.Announce(firearm=REVOLVER), by=FIRST_AD, at=SOON).events
    announced = events[0]
    assert isinstance(announced, ev.FirearmAnnounced)
    assert announced.call == "cold"
    assert announced.text.startswith("Cold: revolver F01 (")
    assert "all 6 chambers empty, barrel clear; checked by" in announced.text


def test_blanks_are_announced_hot_with_their_load() -> None:
    events = (
        checked(("blank:A02",) * 6).when(c.Announce(firearm=REVOLVER), by=FIRST_AD, at=SOON).events
    )
    announced = events[0]
    assert isinstance(announced, ev.FirearmAnnounced)
    assert announced.call == "hot"
    assert "6 quarter-load blanks, barrel clear" in announced.text
    assert checked(("blank:A02",) * 6).state.incidents == {}  # the blanks were on record


def test_only_the_1st_ad_announces() -> None:
    checked().when(c.Announce(firearm=REVOLVER), by=TALENT, at=SOON).then_refused(
        NotAuthorised, "R-21"
    )


def test_only_the_1st_ad_and_talent_witness_and_each_once() -> None:
    inspected().when(c.WitnessCheck(firearm=REVOLVER), by=PRODUCER, at=SOON).then_refused(
        NotAuthorised, "R-20"
    )
    twice = inspected().when(c.WitnessCheck(firearm=REVOLVER), by=FIRST_AD, at=SOON).accepted()
    twice.when(c.WitnessCheck(firearm=REVOLVER), by=FIRST_AD, at=SOON).then_refused(Conflict, None)


def test_witnesses_sign_what_they_were_shown() -> None:
    event = inspected().when(c.WitnessCheck(firearm=REVOLVER), by=TALENT, at=SOON).events[0]
    assert isinstance(event, ev.CheckWitnessed)
    assert event.attesters() == (TALENT,)
    assert event.shown == "EMPTY"


def test_the_check_is_void_once_the_firearm_goes_back_into_a_store() -> None:
    stored = (
        checked().when(c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD, at=SOON).accepted()
    )
    back = stored.when(c.TakeFirearm(firearm=REVOLVER), by=HEAD, at=SOON).accepted()
    refusal = back.when(c.Announce(firearm=REVOLVER), by=FIRST_AD, at=SOON).then_refused(
        Refused, "R-29"
    )
    assert "void" in refusal.message


def test_the_check_expires_after_its_validity() -> None:
    late = SOON + timedelta(minutes=31)
    refusal = (
        checked()
        .when(c.Announce(firearm=REVOLVER), by=FIRST_AD, at=late)
        .then_refused(Refused, "R-29")
    )
    assert "minutes old" in refusal.message


def test_a_firearm_out_of_service_cannot_be_shown_or_announced() -> None:
    broken = (
        given(standard_production(), lots(), taken(REVOLVER))
        .when(
            c.InspectFirearm(firearm=REVOLVER, positions=SIX_EMPTY, barrel_clear=False),
            by=HEAD,
            at=SOON,
        )
        .accepted()
    )
    broken.when(c.WitnessCheck(firearm=REVOLVER), by=FIRST_AD, at=SOON).then_refused(
        Refused, "R-19"
    )
    broken.when(c.Announce(firearm=REVOLVER), by=FIRST_AD, at=SOON).then_refused(Refused, "R-29")


def checked_at(*history: list[ev.Event]) -> tuple[Scenario, datetime]:
    """The three-person check of an empty revolver, and when its inspection was recorded."""
    shown = (
        inspected(SIX_EMPTY, *history)
        .when(c.WitnessCheck(firearm=REVOLVER), by=FIRST_AD, at=SOON)
        .accepted()
    )
    both = shown.when(c.WitnessCheck(firearm=REVOLVER), by=TALENT, at=SOON).accepted()
    inspection = next(e for e in both.history if isinstance(e, ev.FirearmInspected))
    return both, both.time_of(inspection)


def test_a_shorter_verification_minutes_setting_shortens_the_validity() -> None:
    short, inspected_at = checked_at(setting_changed("verification_minutes", 10))

    refusal = short.when(
        c.Announce(firearm=REVOLVER), by=FIRST_AD, at=inspected_at + timedelta(minutes=11)
    ).then_refused(Refused, "R-29")
    assert "more than 10 minutes old" in refusal.message


def test_within_the_shorter_validity_the_check_still_holds() -> None:
    short, inspected_at = checked_at(setting_changed("verification_minutes", 10))

    events = short.when(
        c.Announce(firearm=REVOLVER), by=FIRST_AD, at=inspected_at + timedelta(minutes=9)
    ).events

    assert [type(e) for e in events] == [ev.FirearmAnnounced]


def test_a_waiver_lengthens_the_validity_to_its_value() -> None:
    waived, inspected_at = checked_at(waiver_granted("verification_minutes", 45, "R-23"))
    plain, plain_inspected_at = checked_at()

    events = waived.when(
        c.Announce(firearm=REVOLVER), by=FIRST_AD, at=inspected_at + timedelta(minutes=40)
    ).events

    assert [type(e) for e in events] == [ev.FirearmAnnounced]
    plain.when(
        c.Announce(firearm=REVOLVER), by=FIRST_AD, at=plain_inspected_at + timedelta(minutes=40)
    ).then_refused(Refused, "R-29")
