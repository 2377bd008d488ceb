"""The typed form of a scenario file. Every value here was checked by the loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from coldcheck.app.actions import Args, Value
from coldcheck.domain.values import (
    Action,
    AmmoClass,
    BlankLoad,
    Capacity,
    FirearmKind,
    Permit,
    Role,
    StoreKind,
)

__all__ = ["Args", "Value"]


class ScenarioError(Exception):
    """A scenario file that cannot be run: one sentence naming the file and the line."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}, line {line}: {message}" if line else f"{path}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message

    def to_json(self) -> dict[str, str | int]:
        return {
            "kind": "invalid-scenario",
            "file": self.path,
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class Expect:
    """What the author expects of a step: accepted, refused (under a rule), or an incident."""

    outcome: str  # "accepted", "refused" or "incident"
    rule: str = ""  # refused under this rule id, when given
    kind: str = ""  # incident of this kind (values.IncidentKind)

    def __str__(self) -> str:
        if self.outcome == "refused" and self.rule:
            return f"refused {self.rule}"
        if self.outcome == "incident":
            return f"incident {self.kind}"
        return self.outcome


@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    number: int
    line: int
    actor: str
    action: str
    args: Args
    note: str = ""
    wait: timedelta | None = None  # None: the default gap between steps
    expect: Expect | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CastMember:
    name: str
    roles: frozenset[Role]
    line: int
    head_armorer: bool = False
    permit: Permit | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class StoreSpec:
    name: str
    kind: StoreKind
    line: int
    locked: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class FirearmSpec:
    serial: str
    make: str
    model: str
    action: Action
    calibre: str
    capacity: Capacity
    kind: FirearmKind
    owner: str
    store: str
    line: int


@dataclass(frozen=True, kw_only=True, slots=True)
class LotSpec:
    ammo_class: AmmoClass
    calibre: str
    count: int
    supplier: str
    provenance: str
    store: str
    line: int
    load: BlankLoad | None = None
    close_range: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Scenario:
    path: Path
    name: str
    description: str
    start: datetime
    cast: tuple[CastMember, ...]
    stores: tuple[StoreSpec, ...]
    firearms: tuple[FirearmSpec, ...]
    ammunition: tuple[LotSpec, ...] = ()
    steps: tuple[Step, ...] = field(default=())

    def founder(self) -> CastMember:
        """The head armorer opens the production and registers everyone else."""
        return next(m for m in self.cast if m.head_armorer)

    def person_ids(self) -> dict[str, str]:
        return person_ids(self.cast)


def person_ids(cast: tuple[CastMember, ...]) -> dict[str, str]:
    """Each cast member's person id: the head armorer is P01, then the cast in order."""
    founder = next(m for m in cast if m.head_armorer)
    ordered = [founder, *(m for m in cast if m is not founder)]
    return {m.name: f"P{i:02d}" for i, m in enumerate(ordered, 1)}
