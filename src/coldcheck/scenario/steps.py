"""Reading the steps of a scenario: the action, its arguments, the note, wait and expectation."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import partial

from yaml.nodes import Node

from coldcheck.app.actions import ACTIONS, Arg, Kind
from coldcheck.domain.inspection import MAX_POSITIONS, expand_position
from coldcheck.domain.rules import RULES
from coldcheck.domain.values import IncidentKind
from coldcheck.scenario.model import (
    Args,
    CastMember,
    Expect,
    Step,
    StoreSpec,
    Value,
    person_ids,
)
from coldcheck.scenario.reader import Reader, line_of

STEP_KEYS = ("actor", "action", "note", "wait", "expect")
EXPECT_FORMS = "accepted, refused, refused R-29 or incident live_round_found"
_EXPECT = re.compile(r"(accepted|refused|incident)(?: (\S+))?")
INCIDENT_KINDS = tuple(k.value for k in IncidentKind)


@dataclass(frozen=True, slots=True)
class Names:
    """The people and stores a step may name: by name (any case) or by id."""

    reader: Reader
    people: dict[str, str]  # casefolded name or person id -> name
    stores: dict[str, str]  # casefolded name or store id -> name

    @classmethod
    def of(cls, cast: tuple[CastMember, ...], stores: tuple[StoreSpec, ...], r: Reader) -> Names:
        ids = person_ids(cast)
        people = {name.casefold(): name for name in ids}
        people |= {pid.casefold(): name for name, pid in ids.items()}
        known = {s.name.casefold(): s.name for s in stores}
        known |= {f"s{i:02d}": s.name for i, s in enumerate(stores, 1)}
        return cls(r, people, known)

    def person(self, node: Node, what: str = "person") -> str:
        raw = self.reader.text(node, what)
        found = self.people.get(" ".join(raw.split()).casefold())
        if found is None:
            cast = ", ".join(sorted(set(self.people.values())))
            self.reader.fail(node, f"{what} '{raw}' is not in the cast ({cast}).")
        return found

    def store(self, node: Node, what: str = "store") -> str:
        raw = self.reader.text(node, what)
        found = self.stores.get(" ".join(raw.split()).casefold())
        if found is None:
            known = ", ".join(sorted(set(self.stores.values())))
            self.reader.fail(node, f"{what} '{raw}' is not one of the stores ({known}).")
        return found


class StepReader:
    def __init__(self, reader: Reader, names: Names) -> None:
        self.r = reader
        self.names = names

    def step(self, number: int, node: Node) -> Step:
        r = self.r
        f = r.fields(node, f"step {number}", ("actor", "action"), open_ended=True)
        action_node = f["action"][1]
        name = r.text(action_node, "action").strip().lower()
        spec = ACTIONS.get(name)
        if spec is None:
            near = difflib.get_close_matches(name, list(ACTIONS), n=1)
            hint = f"did you mean '{near[0]}'?" if near else "see docs/scenarios.md for the list."
            r.fail(action_node, f"step {number}: unknown action '{name}'; {hint}")
        what = f"step {number} ({name})"
        for key, (key_node, _) in f.items():
            if key not in STEP_KEYS and spec.arg(key) is None:
                takes = ", ".join(a.name for a in spec.args) or "no arguments"
                bad = f"'{key}' is not an argument of {name}"
                r.fail(key_node, f"{what}: {bad}; it takes {takes}.")
        missing = [f"'{a.name}' ({a.help})" for a in spec.args if a.required and a.name not in f]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            r.fail(node, f"{what} is missing its argument{plural} {', '.join(missing)}.")
        values: dict[str, Value] = {}
        for arg in spec.args:
            if arg.name in f:
                values[arg.name] = self._value(arg, f[arg.name][1], f"{what}: {arg.name}")
            elif arg.default is not None:
                values[arg.name] = arg.default
        if spec.one_of and sum(1 for a in spec.one_of if a in f) != 1:
            r.fail(node, f"{what} needs exactly one of: {', '.join(spec.one_of)}.")
        return Step(
            number=number,
            line=line_of(node),
            actor=self.names.person(f["actor"][1], f"{what}: actor"),
            action=name,
            args=Args(values),
            note=" ".join(r.text(f["note"][1], "note").split()) if "note" in f else "",
            wait=r.wait(f["wait"][1]) if "wait" in f else None,
            expect=self._expect(f["expect"][1]) if "expect" in f else None,
        )

    def _value(self, arg: Arg, node: Node, what: str) -> Value:
        r = self.r
        match arg.kind:
            case Kind.NUMBER:
                return r.number(node, what)
            case Kind.FLAG:
                return r.flag(node, what)
            case Kind.TEXTS | Kind.FIREARMS:
                return tuple(r.text(n, what) for n in r.items(node, what))
            case Kind.PERSON:
                return self.names.person(node, what)
            case Kind.PEOPLE:
                return tuple(self.names.person(n, what) for n in r.items(node, what))
            case Kind.STORE:
                return self.names.store(node, what)
            case Kind.CHOICE:
                return r.one_of(node, arg.choices, what)
            case Kind.CHOICES:
                return tuple(r.one_of(n, arg.choices, what) for n in r.items(node, what))
            case Kind.POSITIONS:
                return self._positions(node, what)
            case Kind.PLAN:
                return tuple(self._plan_entry(n, what) for n in r.items(node, what))
            case Kind.DATE:
                return r.day(node, what).isoformat()
        return r.text(node, what)

    def _positions(self, node: Node, what: str) -> tuple[str, ...]:
        """Each item is a position, or 'ITEM xN' for N positions alike ('blank:A01 x6')."""
        out: list[str] = []
        for item in self.r.items(node, what):
            raw = self.r.text(item, what)
            out.extend(self.r.checked(item, partial(expand_position, raw)))
            if len(out) > MAX_POSITIONS:
                self.r.fail(item, f"{what}: give 1 to {MAX_POSITIONS} positions.")
        return tuple(out)

    def _plan_entry(self, node: Node, what: str) -> str:
        raw = self.r.text(node, what)
        parts = [p.strip() for p in raw.split(":")]
        if not 2 <= len(parts) <= 4 or (len(parts) >= 3 and not parts[2].isdigit()):
            self.r.fail(
                node,
                f"{what}: '{raw}' is not understood; write F01:empty, F01:dummy:6 or "
                "F01:blank:6:half.",
            )
        return raw.strip()

    def _expect(self, node: Node) -> Expect:
        raw = self.r.text(node, "expect")
        match = _EXPECT.fullmatch(" ".join(raw.split()).lower())
        if match is None or (match.group(1) == "accepted" and match.group(2)):
            self.r.fail(node, f"expect '{raw}' is not understood; write {EXPECT_FORMS}.")
        outcome, detail = match.group(1), match.group(2) or ""
        if outcome == "refused" and detail:
            rule = detail.upper()
            if rule not in RULES:
                self.r.fail(node, f"expect '{raw}': {rule} is not a rule (R-01 to R-58).")
            return Expect(outcome=outcome, rule=rule)
        if outcome == "incident":
            if not detail:
                self.r.fail(node, f"expect '{raw}' names no kind of incident, e.g. {EXPECT_FORMS}.")
            kind = re.sub(r"-+", "_", detail)
            if kind not in INCIDENT_KINDS:
                self.r.fail(
                    node,
                    f"expect '{raw}': '{detail}' is not a kind of incident; use one of: "
                    f"{', '.join(INCIDENT_KINDS)}.",
                )
            return Expect(outcome=outcome, kind=kind)
        return Expect(outcome=outcome)
