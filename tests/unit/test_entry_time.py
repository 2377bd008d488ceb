"""Ledger times (docs/ledger.md): exactly 2026-01-31T09:30:00.000000Z, UTC, a real moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coldcheck.ledger.entry import format_time, parse_time
from coldcheck.ledger.errors import EncodingError

EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
SPAN = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC) - EARLIEST


@given(st.integers(0, SPAN // timedelta(microseconds=1)))
def test_every_formatted_time_parses_back_to_the_same_moment(microseconds: int) -> None:
    moment = EARLIEST + timedelta(microseconds=microseconds)
    assert parse_time(format_time(moment)) == moment


def test_a_time_is_read_as_utc() -> None:
    parsed = parse_time("2026-01-31T09:30:00.000123Z")
    assert parsed == datetime(2026, 1, 31, 9, 30, 0, 123, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(0)
    assert parsed != datetime(2026, 1, 31, 9, 30, 0, 123, tzinfo=timezone(timedelta(hours=1)))


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30T09:30:00.000000Z",  # no such day
        "2025-02-29T09:30:00.000000Z",  # not a leap year
        "2026-13-01T09:30:00.000000Z",
        "2026-01-31T24:00:00.000000Z",
        "2026-01-31T09:60:00.000000Z",
        "2026-01-31T09:30:60.000000Z",  # no leap seconds
        "0000-01-01T00:00:00.000000Z",
    ],
)
def test_a_time_that_is_not_a_real_moment_is_refused(text: str) -> None:
    with pytest.raises(EncodingError, match="is not a real date and time"):
        parse_time(text)


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-31T09:30:00Z",  # no microseconds
        "2026-01-31T09:30:00.000000+00:00",
        "2026-01-31 09:30:00.000000Z",
        "2026-01-31T09:30:00.000000z",
        "2026-1-31T09:30:00.000000Z",
        "\uff12\uff10\uff12\uff16-01-31T09:30:00.000000Z",  # fullwidth digits, not 0-9
        " 2026-01-31T09:30:00.000000Z",
        "",
    ],
)
def test_a_time_in_another_form_is_refused(text: str) -> None:
    with pytest.raises(EncodingError, match="is not in the form"):
        parse_time(text)


def test_a_time_that_is_not_text_is_refused() -> None:
    with pytest.raises(EncodingError, match="is not in the form"):
        parse_time(20260131)  # type: ignore[arg-type]
