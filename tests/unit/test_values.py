"""Value objects: what people type is parsed once, and refused with a reason they can act on."""

from __future__ import annotations

from datetime import date

import pytest

from coldcheck.domain.errors import InvalidInput
from coldcheck.domain.values import (
    Action,
    Capacity,
    Permit,
    Role,
    StoreKind,
    calibre,
    choice,
    pin,
    serial,
    text,
)

# -- capacity ----------------------------------------------------------------------------------


def test_a_six_shot_cylinder_has_six_chambers_and_no_magazine() -> None:
    six = Capacity.parse("6")

    assert (six.chambers, six.magazine, six.positions, str(six)) == (6, 0, 6, "6")


def test_fifteen_plus_one_is_a_fifteen_round_magazine_and_one_chamber() -> None:
    pistol = Capacity.parse("15+1")

    assert (pistol.chambers, pistol.magazine, pistol.positions) == (1, 15, 16)
    assert str(pistol) == "15+1"


def test_a_double_barrel_has_two_chambers() -> None:
    assert Capacity.parse("2") == Capacity(chambers=2, magazine=0)


def test_spaces_around_a_capacity_are_ignored() -> None:
    assert Capacity.parse(" 30 + 1 ") == Capacity(chambers=1, magazine=30)


@pytest.mark.parametrize("written", ["six", "15+", "+1", "", "6.5", "-1", "1+1+1"])
def test_a_capacity_that_is_not_a_number_or_magazine_plus_chambers_is_refused(
    written: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        Capacity.parse(written)

    assert "15+1" in refused.value.remedy


@pytest.mark.parametrize("written", ["0", "13", "300+1", "15+0", "201+1"])
def test_a_capacity_outside_what_a_firearm_holds_is_refused(written: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Capacity.parse(written)

    assert "1-12 chambers" in refused.value.message


@pytest.mark.parametrize(
    ("written", "chambers", "magazine"),
    [("1", 1, 0), ("12", 12, 0), ("200+1", 1, 200), ("0+6", 6, 0)],
)
def test_the_largest_and_smallest_capacities_are_accepted(
    written: str, chambers: int, magazine: int
) -> None:
    assert Capacity.parse(written) == Capacity(chambers=chambers, magazine=magazine)


def test_an_impossible_capacity_cannot_be_built_directly_either() -> None:
    with pytest.raises(InvalidInput):
        Capacity(chambers=0)


# -- serial numbers and calibres ---------------------------------------------------------------


def test_a_serial_is_kept_as_stamped_in_capitals_with_single_spaces() -> None:
    assert serial("  ub-1873   001 ") == "UB-1873 001"


@pytest.mark.parametrize("stamped", ["A", "12/34.56-B", "X" * 40])
def test_serials_of_letters_digits_spaces_dots_slashes_and_dashes_are_accepted(
    stamped: str,
) -> None:
    assert serial(stamped) == stamped


@pytest.mark.parametrize("stamped", ["", "   ", "-123", "AB#12", "X" * 41, "ÅB12"])
def test_a_serial_that_cannot_be_stamped_on_a_firearm_is_refused(stamped: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        serial(stamped)

    assert "as stamped" in refused.value.remedy


@pytest.mark.parametrize("written", [".45 Colt", "9mm", "12ga", "5.56x45", ".303/25", "7.62 x 39"])
def test_usual_calibres_are_accepted(written: str) -> None:
    assert calibre(written) == written


def test_spaces_in_a_calibre_are_collapsed() -> None:
    assert calibre("  .45   Colt ") == ".45 Colt"


@pytest.mark.parametrize("written", ["", "-9mm", "9mm;", "x" * 25, "9mm'"])
def test_a_calibre_that_is_not_a_calibre_is_refused(written: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        calibre(written)

    assert ".45 Colt" in refused.value.remedy


# -- choices from a list -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("armorer", Role.ARMORER),
        ("First AD", Role.FIRST_AD),
        ("safety-advisor", Role.SAFETY_ADVISOR),
    ],
)
def test_a_role_may_be_typed_with_spaces_dashes_or_capitals(typed: str, meant: Role) -> None:
    assert choice(Role, typed, "role") == meant


def test_an_unknown_role_is_refused_with_every_role_listed() -> None:
    with pytest.raises(InvalidInput) as refused:
        choice(Role, "gaffer", "role")

    assert refused.value.message == "'gaffer' is not a role."
    assert refused.value.remedy == (
        "Use one of: armorer, first_ad, talent, safety_advisor, producer, crew, investigator."
    )


def test_an_unknown_store_kind_lists_the_store_kinds() -> None:
    with pytest.raises(InvalidInput) as refused:
        choice(StoreKind, "bag", "store kind")

    assert refused.value.remedy == "Use one of: safe, cart, truck, case, locker."


def test_an_unknown_action_lists_every_action() -> None:
    with pytest.raises(InvalidInput) as refused:
        choice(Action, "flintlock", "action")

    assert all(a.value in refused.value.remedy for a in Action)


# -- free text ---------------------------------------------------------------------------------


def test_a_name_is_trimmed_to_one_line_with_single_spaces() -> None:
    assert text("  Jack \t Colt ", "name") == "Jack Colt"


@pytest.mark.parametrize("typed", ["", "   ", "Jack\nColt", "x" * 121, "Bell\x07"])
def test_an_empty_multiline_or_overlong_name_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        text(typed, "name")

    assert refused.value.message == "The name must be 1 to 120 characters on one line."


# -- PINs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("chosen", ["123456", "a" * 128, "correct horse battery staple"])
def test_a_pin_of_6_to_128_characters_is_accepted(chosen: str) -> None:
    assert pin(chosen) == chosen


@pytest.mark.parametrize("chosen", ["", "12345", "a" * 129, " 123456", "123456 "])
def test_a_short_long_or_space_padded_pin_is_refused(chosen: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        pin(chosen)

    assert "6 to 128" in refused.value.message


# -- permits -----------------------------------------------------------------------------------


PERMIT = Permit(number="CA-0042", authority="California DOJ", expires=date(2026, 12, 31))


@pytest.mark.parametrize(
    ("day", "valid"),
    [
        (date(2026, 1, 1), True),
        (date(2026, 12, 31), True),  # still good on the day it expires
        (date(2027, 1, 1), False),
        (date(2030, 6, 1), False),
    ],
)
def test_a_permit_is_valid_up_to_and_including_its_expiry_date(day: date, valid: bool) -> None:
    assert PERMIT.valid_on(day) is valid
