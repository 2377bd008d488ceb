"""An API request's arguments, checked against the action catalogue (coldcheck.app.actions).

The same catalogue describes scenario steps; here the arguments arrive as JSON. Every problem
is one InvalidInput sentence naming the argument, so the API answers 422 and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from coldcheck.app.actions import ACTIONS, ActionSpec, Args, Kind, Value
from coldcheck.domain.errors import InvalidInput, NotFound
from coldcheck.domain.inspection import MAX_POSITIONS, expand_position

MAX_TEXT = 2000
MAX_ITEMS = 100


def action(name: str) -> ActionSpec:
    spec = ACTIONS.get(name)
    if spec is None:
        raise NotFound(f"There is no action {name!r}.", "See GET /api/actions for the list.")
    return spec


def parse(spec: ActionSpec, raw: Mapping[str, Any]) -> Args:
    """The complete, typed arguments of ``spec`` from a JSON object."""
    unknown = sorted(set(raw) - {a.name for a in spec.args})
    if unknown:
        takes = ", ".join(a.name for a in spec.args) or "no arguments"
        raise InvalidInput(
            f"{spec.name} does not take {', '.join(unknown)}.", f"It takes: {takes}."
        )
    values: dict[str, Value] = {}
    for arg in spec.args:
        if arg.name in raw and raw[arg.name] is not None:
            values[arg.name] = _value(arg.kind, arg.choices, raw[arg.name], arg.name)
        elif arg.required:
            raise InvalidInput(
                f"{spec.name} needs its argument {arg.name!r} ({arg.help}).", "Add it."
            )
        elif arg.default is not None:
            values[arg.name] = arg.default
    if spec.one_of and sum(1 for name in spec.one_of if raw.get(name) is not None) != 1:
        raise InvalidInput(
            f"{spec.name} needs exactly one of: {', '.join(spec.one_of)}.", "Give one."
        )
    return Args(values)


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise InvalidInput(f"{name!r} must be text (up to {MAX_TEXT} characters).", "Fix it.")
    return value


def _texts(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise InvalidInput(f"{name!r} must be a list of up to {MAX_ITEMS} texts.", "Fix it.")
    return tuple(_text(v, name) for v in value)


def _normal(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def _choice(value: Any, choices: tuple[str, ...], name: str) -> str:
    """The catalogue's own spelling of the choice ("post-use" and "post_use" alike)."""
    text = _normal(_text(value, name))
    if not choices:
        return text
    for choice in choices:
        if _normal(choice) == text:
            return choice
    raise InvalidInput(f"{name!r} {value!r} is not one of: {', '.join(choices)}.", "Fix it.")


def _value(kind: Kind, choices: tuple[str, ...], value: Any, name: str) -> Value:
    match kind:
        case Kind.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**6:
                raise InvalidInput(f"{name!r} must be a whole number, 0 or more.", "Fix it.")
            return value
        case Kind.FLAG:
            if not isinstance(value, bool):
                raise InvalidInput(f"{name!r} must be true or false.", "Fix it.")
            return value
        case Kind.TEXTS | Kind.FIREARMS | Kind.PEOPLE | Kind.PLAN:
            return _texts(value, name)
        case Kind.CHOICE:
            return _choice(value, choices, name)
        case Kind.CHOICES:
            if not isinstance(value, list):
                raise InvalidInput(f"{name!r} must be a list.", "Fix it.")
            return tuple(_choice(v, choices, name) for v in value[:MAX_ITEMS])
        case Kind.POSITIONS:
            return _positions(_texts(value, name), name)
        case Kind.DATE:
            text = _text(value, name)
            try:
                return date.fromisoformat(text).isoformat()
            except ValueError:
                raise InvalidInput(
                    f"{name!r} {text!r} is not a date.", "Write 2026-03-02."
                ) from None
    return _text(value, name)


def _positions(items: tuple[str, ...], name: str) -> tuple[str, ...]:
    """Each item is a position, or 'ITEM xN' for N positions alike ('blank:A01 x6')."""
    out: list[str] = []
    for raw in items:
        try:
            out.extend(expand_position(raw))
        except InvalidInput as exc:
            raise InvalidInput(f"{name!r}: {exc.message}", exc.remedy) from None
        if len(out) > MAX_POSITIONS:
            raise InvalidInput(f"{name!r}: give 1 to {MAX_POSITIONS} positions.", "Fix it.")
    return tuple(out)
