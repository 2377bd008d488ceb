"""Typed reads of YAML nodes, each failure a ScenarioError naming the file and the line.

The file is composed into nodes (``yaml.compose`` with the safe loader), never constructed
into Python objects wholesale: a node knows its line, and a scalar keeps the text as written
(``.45`` stays a calibre, ``2026-03-02`` a date, ``12`` a scene name).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import NoReturn, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coldcheck.domain.errors import InvalidInput
from coldcheck.scenario.model import ScenarioError

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")
Fields = dict[str, tuple[Node, Node]]  # key -> (key node, value node)

_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_WAIT = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def compose(text: str, path: Path | str) -> Node:
    """The file's one YAML document as a node tree; bad YAML names its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError(path, *_yaml_problem(exc)) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(path, 1, f"this is not valid YAML ({exc}).") from None
    if root is None:
        raise ScenarioError(path, 1, "the file is empty; a scenario starts with name:.")
    return root


def _yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The line to name and the sentence: where an unclosed bracket or quote began, when the
    parser only noticed further down (at the end of the file, say)."""
    problem = exc.problem or "unreadable"
    at = exc.problem_mark
    since = exc.context_mark
    if since is not None and exc.context and (at is None or since.line < at.line):
        tail = f", on line {at.line + 1}" if at is not None else ""
        return since.line + 1, f"this is not valid YAML: {exc.context} here, {problem}{tail}."
    line = at.line + 1 if at is not None else 1
    return line, f"this is not valid YAML ({problem})."


class Reader:
    """Reads the nodes of one file."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._constructor = yaml.SafeLoader("")

    def fail(self, node: Node, message: str) -> NoReturn:
        raise ScenarioError(self.path, line_of(node), message)

    def fields(
        self,
        node: Node,
        what: str,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
        *,
        open_ended: bool = False,
    ) -> Fields:
        """A mapping's keys and values; unknown keys are refused unless ``open_ended``."""
        if not isinstance(node, MappingNode):
            self.fail(node, f"{what} must be a mapping of keys to values.")
        found: Fields = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode) or key.tag in (_NULL, _BOOL):
                self.fail(key, f"a key of {what} is not a name.")
            name = str(key.value)
            if name in found:
                self.fail(key, f"'{name}' is given twice in {what}.")
            known = required + optional
            if not open_ended and name not in known:
                self.fail(key, f"unknown key '{name}' in {what}; known keys: {', '.join(known)}.")
            found[name] = (key, value)
        for name in required:
            if name not in found:
                self.fail(node, f"{what} has no '{name}'.")
        return found

    def items(self, node: Node, what: str, *, scalar_ok: bool = True) -> list[Node]:
        """A list's items; a single value counts as a list of one when ``scalar_ok``."""
        if isinstance(node, SequenceNode):
            return list(node.value)
        if scalar_ok and isinstance(node, ScalarNode) and node.tag != _NULL:
            return [node]
        self.fail(node, f"{what} must be a list.")

    def text(self, node: Node, what: str) -> str:
        """Any scalar but yes/no and an empty value, as written."""
        if not isinstance(node, ScalarNode):
            self.fail(node, f"{what} must be a single value, not a list or a mapping.")
        if node.tag == _NULL:
            self.fail(node, f"{what} has no value.")
        if node.tag == _BOOL:
            self.fail(node, f"{what} must be text, not yes/no; put it in quotes.")
        return str(node.value)

    def number(self, node: Node, what: str) -> int:
        if not isinstance(node, ScalarNode) or node.tag != _INT:
            self.fail(node, f"{what} must be a whole number.")
        value = self._constructor.construct_object(node)
        if not isinstance(value, int):
            self.fail(node, f"{what} must be a whole number.")
        return value

    def flag(self, node: Node, what: str) -> bool:
        if not isinstance(node, ScalarNode) or node.tag != _BOOL:
            self.fail(node, f"{what} must be yes or no (true or false).")
        return bool(self._constructor.construct_object(node))

    def choice(self, node: Node, enum: type[E], what: str) -> E:
        raw = self.text(node, what)
        try:
            return enum(re.sub(r"[- ]+", "_", raw.strip().lower()))
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            self.fail(node, f"{what} '{raw}' is not known; use one of: {allowed}.")

    def one_of(self, node: Node, allowed: tuple[str, ...], what: str) -> str:
        raw = self.text(node, what)
        value = " ".join(raw.lower().split())
        for candidate in (value, value.replace("_", "-"), re.sub(r"[- ]", "_", value)):
            if candidate in allowed:
                return candidate
        self.fail(node, f"{what} '{raw}' is not known; use one of: {', '.join(allowed)}.")

    def day(self, node: Node, what: str) -> date:
        raw = self.text(node, what)
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            self.fail(node, f"{what} '{raw}' is not a date; write it as 2026-03-02.")

    def wait(self, node: Node) -> timedelta:
        if isinstance(node, ScalarNode) and node.tag == _INT:
            self.fail(node, f"wait {node.value} has no unit; write {node.value}s or {node.value}m.")
        raw = self.text(node, "wait")
        match = _WAIT.fullmatch(raw.replace(" ", "").lower())
        if not raw.strip() or match is None:
            self.fail(node, f"wait '{raw}' is not understood; write 20s, 5m, 1h30m or 5d.")
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)

    def checked(self, node: Node, parse: Callable[[], T]) -> T:
        """A value checked by the domain's own parser; its refusal names this node's line."""
        try:
            return parse()
        except InvalidInput as exc:
            self.fail(node, f"{exc.message} {exc.remedy}".strip())
