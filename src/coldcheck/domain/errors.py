"""Refusals: why a command was not carried out, and what to do instead.

    Refusal                  a command is not carried out; nothing is written
    ├── InvalidInput         a value is malformed (a capacity of "six", an empty serial)
    ├── NotFound             a person, firearm, store or hand-off that does not exist
    ├── NotAuthorised        the actor's role may not do this (rule id where one applies)
    │   └── WrongPin         the PIN does not open the person's key
    ├── Refused              the command would break a protocol rule (always a rule id)
    └── Conflict             the state moved on (a hand-off already accepted, a stale write)

Each carries ``message`` (one sentence a person on set understands), ``remedy`` (what to do
instead) and ``rule`` (an R-id from the protocol reference, or None). The CLI turns a refusal into
one line and a non-zero exit; the HTTP API (later) into application/problem+json.
"""

from __future__ import annotations


class Refusal(Exception):
    """Base of every refusal."""

    kind = "refused"

    def __init__(self, message: str, remedy: str = "", rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy
        self.rule = rule

    def line(self) -> str:
        """The one line shown to a person: rule, what happened, what to do."""
        head = f"{self.rule}: " if self.rule else ""
        tail = f" {self.remedy}" if self.remedy else ""
        return f"{head}{self.message}{tail}"

    def to_json(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "rule": self.rule,
            "message": self.message,
            "remedy": self.remedy,
        }


class InvalidInput(Refusal):
    kind = "invalid-input"


class NotFound(Refusal):
    kind = "not-found"


class NotAuthorised(Refusal):
    kind = "not-authorised"


class WrongPin(NotAuthorised):
    """The PIN given does not open the person's signing key (counted by the web app)."""


class Refused(Refusal):
    kind = "refused"

    def __init__(self, rule: str, message: str, remedy: str) -> None:
        super().__init__(message, remedy, rule)


class Conflict(Refusal):
    kind = "conflict"
