"""Value objects: each checks its invariants when built, so an invalid one cannot exist."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from coldcheck.domain.errors import InvalidInput

E = TypeVar("E", bound=StrEnum)


class Role(StrEnum):
    ARMORER = "armorer"
    FIRST_AD = "first_ad"
    TALENT = "talent"
    SAFETY_ADVISOR = "safety_advisor"
    PRODUCER = "producer"
    CREW = "crew"
    INVESTIGATOR = "investigator"


class FirearmKind(StrEnum):
    BLANK_FIRING_REAL = "blank_firing_real"
    BLANK_FIRING_REPLICA = "blank_firing_replica"
    NON_FIRING_REPLICA = "non_firing_replica"
    RUBBER = "rubber"
    AIRSOFT = "airsoft"


class Action(StrEnum):
    REVOLVER = "revolver"
    SEMI_AUTOMATIC_PISTOL = "semi_automatic_pistol"
    LEVER_ACTION_RIFLE = "lever_action_rifle"
    BOLT_ACTION_RIFLE = "bolt_action_rifle"
    SEMI_AUTOMATIC_RIFLE = "semi_automatic_rifle"
    SELECT_FIRE_RIFLE = "select_fire_rifle"
    PUMP_SHOTGUN = "pump_shotgun"
    BREAK_ACTION_SHOTGUN = "break_action_shotgun"
    SUBMACHINE_GUN = "submachine_gun"
    OTHER = "other"


class AmmoClass(StrEnum):
    DUMMY = "dummy"
    BLANK = "blank"
    LIVE = "live"


class BlankLoad(StrEnum):
    QUARTER = "quarter"
    HALF = "half"
    THREE_QUARTER = "three_quarter"
    FULL = "full"


class DummyCheck(StrEnum):
    """How a dummy round was shown to be inert (R-05)."""

    RATTLE = "rattle"
    CASE_HOLE = "case_hole"
    INERT_PRIMER = "inert_primer"


class StoreKind(StrEnum):
    SAFE = "safe"
    CART = "cart"
    TRUCK = "truck"
    CASE = "case"
    LOCKER = "locker"


def choice(enum: type[E], raw: str, what: str) -> E:
    """Parse a StrEnum value, or refuse with the list of accepted values."""
    try:
        return enum(raw.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise InvalidInput(f"{raw!r} is not a {what}.", f"Use one of: {allowed}.") from None


def text(value: str, what: str, max_len: int = 120) -> str:
    """A non-empty, single-line, trimmed text of bounded length."""
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > max_len or any(ord(c) < 32 for c in value if c != "\t"):
        raise InvalidInput(
            f"The {what} must be 1 to {max_len} characters on one line.", f"Give a {what}."
        )
    return cleaned


_SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9 ./-]{0,39}$")
_CALIBRE = re.compile(r"^[.0-9A-Za-z][0-9A-Za-z .x/-]{0,23}$")


def serial(value: str) -> str:
    cleaned = " ".join(value.split()).upper()
    if not _SERIAL.match(cleaned):
        raise InvalidInput(
            f"Serial number {value!r} is not valid.",
            "Type it as stamped: letters, digits, spaces, '.', '/', '-'.",
        )
    return cleaned


def calibre(value: str) -> str:
    cleaned = " ".join(value.split())
    if not _CALIBRE.match(cleaned):
        raise InvalidInput(f"Calibre {value!r} is not valid.", "Write it as .45 Colt, 9mm, 12ga…")
    return cleaned


@dataclass(frozen=True, kw_only=True, slots=True)
class Capacity:
    """Positions to inspect: chambers (cylinder or barrels) plus a magazine, if any."""

    chambers: int
    magazine: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.chambers <= 12 or not 0 <= self.magazine <= 200:
            raise InvalidInput(
                "A capacity needs 1-12 chambers and a magazine of 0-200 rounds.",
                "Write it as 6 (a six-shot cylinder) or 15+1 (magazine+chamber).",
            )

    @classmethod
    def parse(cls, value: str) -> Capacity:
        match = re.fullmatch(r"\s*(\d{1,3})\s*(?:\+\s*(\d{1,2})\s*)?", value)
        if not match:
            raise InvalidInput(
                f"Capacity {value!r} is not understood.",
                "Write it as 6 (a six-shot cylinder) or 15+1 (magazine+chamber).",
            )
        if match.group(2) is None:
            return cls(chambers=int(match.group(1)))
        return cls(chambers=int(match.group(2)), magazine=int(match.group(1)))

    @property
    def positions(self) -> int:
        return self.chambers + self.magazine

    def __str__(self) -> str:
        return f"{self.magazine}+{self.chambers}" if self.magazine else str(self.chambers)


@dataclass(frozen=True, kw_only=True, slots=True)
class Permit:
    number: str
    authority: str
    expires: date

    def valid_on(self, day: date) -> bool:
        return day <= self.expires


def pin(value: str) -> str:
    """A PIN or passphrase: at least 6 characters (digits are fine), at most 128."""
    if len(value) < 6 or len(value) > 128 or value.strip() != value:
        raise InvalidInput(
            "A PIN must be 6 to 128 characters with no leading or trailing space.",
            "Choose a longer PIN.",
        )
    return value


class IncidentKind(StrEnum):
    UNPLANNED_DISCHARGE = "unplanned_discharge"
    LIVE_ROUND_FOUND = "live_round_found"
    COUNT_DISCREPANCY = "count_discrepancy"
    FIREARM_MISSING = "firearm_missing"
    INJURY = "injury"
    NEAR_MISS = "near_miss"
    MALFUNCTION = "malfunction"


# incidents after which firearms and rounds involved are preserved as evidence
EVIDENCE_KINDS = frozenset(
    {
        IncidentKind.UNPLANNED_DISCHARGE,
        IncidentKind.LIVE_ROUND_FOUND,
        IncidentKind.INJURY,
        IncidentKind.NEAR_MISS,
    }
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Setting:
    """A production setting: its default, which way is stricter, and the rule it serves."""

    name: str
    default: int
    stricter: str  # "lower" or "higher"
    rule: str
    unit: str
    lowest: int
    highest: int

    def is_looser(self, value: int, than: int | None = None) -> bool:
        """True when ``value`` is looser than ``than`` (the protocol's default if None)."""
        base = self.default if than is None else than
        return value > base if self.stricter == "lower" else value < base


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            name="verification_minutes",
            default=30,
            stricter="lower",
            rule="R-23",
            unit="minutes",
            lowest=1,
            highest=240,
        ),
        Setting(
            name="misfire_wait_seconds",
            default=15,
            stricter="higher",
            rule="R-42",
            unit="seconds",
            lowest=5,
            highest=600,
        ),
        Setting(
            name="blank_distance_ft",
            default=20,
            stricter="higher",
            rule="R-38",
            unit="feet",
            lowest=5,
            highest=500,
        ),
        Setting(
            name="firearms_per_armorer",
            default=6,
            stricter="lower",
            rule="R-46",
            unit="firearms",
            lowest=1,
            highest=50,
        ),
    )
}
