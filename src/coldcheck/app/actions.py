"""The action catalogue: every command a person can give, one per application handler, with
its arguments. The scenario runner and the HTTP API both read it, so a command is described
once.

Pure data: the scenario loader and the API check a request against it, docs/scenarios.md
describes it (a test keeps the two in step), and ``dispatch`` maps each action to its handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from coldcheck.domain.values import (
    SETTINGS,
    Action,
    AmmoClass,
    BlankLoad,
    DummyCheck,
    IncidentKind,
    Role,
)

Value = str | int | bool | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Args:
    """A step's arguments, complete (defaults filled in) and of the types the action takes."""

    values: Mapping[str, Value]

    def text(self, name: str) -> str:
        value = self.values[name]
        if not isinstance(value, str):
            raise TypeError(f"argument {name} is not text")
        return value

    def number(self, name: str) -> int:
        value = self.values[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"argument {name} is not a number")
        return value

    def flag(self, name: str) -> bool:
        value = self.values[name]
        if not isinstance(value, bool):
            raise TypeError(f"argument {name} is not yes/no")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.values[name]
        if not isinstance(value, tuple):
            raise TypeError(f"argument {name} is not a list")
        return value


class Kind(StrEnum):
    """What an argument holds, as written in the file."""

    TEXT = "text"
    NUMBER = "number"  # a whole number, 0 or more
    FLAG = "yes/no"
    TEXTS = "list of text"
    PERSON = "person"  # a cast member's name or person id
    PEOPLE = "list of persons"
    STORE = "store"  # a store's name or id
    FIREARM = "firearm"  # a firearm's id (F01) or serial; checked when the step runs
    FIREARMS = "list of firearms"
    CHOICE = "choice"
    CHOICES = "list of choices"
    POSITIONS = "positions"  # what each position holds: "empty", "blank:A01 x6", ...
    PLAN = "plan entries"  # "F01:blank:6:half", "F01:dummy:6", "F01:empty"
    DATE = "date"  # 2026-03-02


@dataclass(frozen=True, kw_only=True, slots=True)
class Arg:
    name: str
    kind: Kind
    required: bool = True
    default: Value | None = None
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionSpec:
    name: str
    handler: str  # the function in coldcheck.app.handlers
    signed: bool  # signed with the actor's PIN
    args: tuple[Arg, ...]
    show: str  # how a step is summed up on its output line, from its arguments
    help: str
    one_of: tuple[str, ...] = ()  # exactly one of these optional arguments must be given

    def arg(self, name: str) -> Arg | None:
        return next((a for a in self.args if a.name == name), None)


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(e.value for e in enum)


def _a(name: str, kind: Kind, help: str, choices: tuple[str, ...] = ()) -> Arg:
    """A required argument."""
    return Arg(name=name, kind=kind, help=help, choices=choices)


def _opt(name: str, kind: Kind, default: Value, help: str, choices: tuple[str, ...] = ()) -> Arg:
    """An optional argument and its default."""
    return Arg(name=name, kind=kind, required=False, default=default, help=help, choices=choices)


FIREARM = _a("firearm", Kind.FIREARM, "the firearm: id (F01) or serial")
SCENE = _a("scene", Kind.TEXT, "the scene, as named in its plan")
STORE = _a("store", Kind.STORE, "the store: name or id")
DETAIL = _opt("detail", Kind.TEXT, "", "a remark recorded in the ledger with the fact")

_SPECS: tuple[ActionSpec, ...] = (
    # -- the day -------------------------------------------------------------------------------
    ActionSpec(
        name="open-day",
        handler="open_day",
        signed=True,
        args=(
            _a("swept", Kind.TEXTS, "each store, cart, belt or place swept for live rounds"),
            _opt("schedule", Kind.TEXT, "", "the day's schedule of firearm use (R-32)"),
        ),
        show="swept {swept}",
        help="The armorer's opening check (R-03) and the day's schedule (R-32).",
    ),
    ActionSpec(
        name="train",
        handler="record_training",
        signed=True,
        args=(
            _a("person", Kind.PERSON, "who was trained"),
            _a("type", Kind.CHOICE, "the firearm action trained on", choices=_values(Action)),
        ),
        show="{person} on a {type}",
        help="The armorer records a person's training on a kind of firearm (R-44).",
    ),
    ActionSpec(
        name="file-plan",
        handler="file_plan",
        signed=True,
        args=(
            SCENE,
            _a(
                "firearms",
                Kind.PLAN,
                "one entry per firearm: F01:blank:6:half, F01:dummy:6, F01:empty",
            ),
            _a("distance_ft", Kind.NUMBER, "feet between the muzzle and anyone (R-38)"),
            _opt("mode", Kind.CHOICE, "take", "rehearsal or take", choices=("rehearsal", "take")),
            _opt("close_range", Kind.FLAG, False, "special close-range blanks (R-38)"),
            _opt("shields", Kind.TEXTS, (), "shields for a blank-firing plan (R-40)"),
            _opt("protection", Kind.TEXTS, (), "eye and ear protection (R-40)"),
            _opt(
                "pointing",
                Kind.CHOICE,
                "none",
                "pointing toward a person or the lens (R-36)",
                choices=("none", "person", "lens"),
            ),
            _opt("justification", Kind.TEXT, "", "why a blank-firing gun is needed (R-35)"),
            _opt("risks", Kind.TEXT, "", "the risk assessment (R-31)"),
        ),
        show="{scene} ({mode}: {firearms})",
        help="The armorer files a scene's firearms plan with its risk assessment (R-31).",
    ),
    ActionSpec(
        name="approve-plan",
        handler="approve_plan",
        signed=True,
        args=(SCENE,),
        show="{scene}",
        help="The safety advisor or the producer approves a scene's plan (R-31).",
    ),
    ActionSpec(
        name="meeting",
        handler="hold_meeting",
        signed=True,
        args=(SCENE, _a("attendees", Kind.PEOPLE, "who was present (the lead is added)")),
        show="{scene} with {attendees}",
        help="The 1st AD or the armorer holds the day's safety meeting for a scene; each "
        "person present then confirms with their PIN (R-30).",
    ),
    ActionSpec(
        name="attend",
        handler="attend_meeting",
        signed=True,
        args=(_a("meeting", Kind.TEXT, "the meeting's id (M01)"),),
        show="{meeting}",
        help="Someone the lead counted present confirms with their PIN that they were at the "
        "safety meeting (R-30).",
    ),
    ActionSpec(
        name="call",
        handler="call_firearm",
        signed=False,
        args=(FIREARM, SCENE),
        show="{firearm} for {scene}",
        help="The 1st AD calls for a firearm in the current set-up (R-27).",
    ),
    ActionSpec(
        name="cut",
        handler="cut",
        signed=False,
        args=(SCENE,),
        show="{scene}",
        help='The 1st AD calls "cut": the take ends, firearms go back to the armorer (R-15).',
    ),
    ActionSpec(
        name="break",
        handler="call_break",
        signed=True,
        args=(_a("kind", Kind.CHOICE, "break, lunch or wrap", choices=("break", "lunch", "wrap")),),
        show="{kind}",
        help="A break, lunch or wrap: only with everything locked away (R-08, R-17).",
    ),
    ActionSpec(
        name="resume-day",
        handler="resume_day",
        signed=False,
        args=(),
        show="",
        help="The day resumes after a break or lunch.",
    ),
    # -- custody -------------------------------------------------------------------------------
    ActionSpec(
        name="unlock",
        handler="set_lock",
        signed=False,
        args=(STORE,),
        show="{store}",
        help="The armorer unlocks a store (R-12).",
    ),
    ActionSpec(
        name="lock",
        handler="set_lock",
        signed=False,
        args=(STORE,),
        show="{store}",
        help="The armorer locks a store (R-08, R-12).",
    ),
    ActionSpec(
        name="take",
        handler="take",
        signed=False,
        args=(FIREARM,),
        show="{firearm}",
        help="The armorer takes a firearm out of an unlocked store (R-12).",
    ),
    ActionSpec(
        name="return",
        handler="put_back",
        signed=False,
        args=(FIREARM, STORE),
        show="{firearm} to {store}",
        help="The armorer puts a firearm into a store: unloaded, inspected, counted (R-12).",
    ),
    ActionSpec(
        name="hand-off",
        handler="hand_off",
        signed=True,
        args=(FIREARM, _a("to", Kind.PERSON, "the receiver")),
        show="{firearm} to {to}",
        help="The holder offers a firearm to someone; they hold it only once accepted (R-14).",
    ),
    ActionSpec(
        name="accept",
        handler="accept",
        signed=True,
        args=(_a("firearm", Kind.FIREARM, "the firearm whose hand-off is accepted"),),
        show="{firearm}",
        help="The named receiver accepts a hand-off, attesting the check shown (R-18, R-20).",
    ),
    ActionSpec(
        name="cancel",
        handler="cancel",
        signed=False,
        args=(_a("firearm", Kind.FIREARM, "the firearm whose hand-off is cancelled"),),
        show="{firearm}",
        help="The giver or the receiver cancels a hand-off waiting.",
    ),
    # -- checks --------------------------------------------------------------------------------
    ActionSpec(
        name="inspect",
        handler="inspect",
        signed=True,
        args=(
            FIREARM,
            _a("positions", Kind.POSITIONS, "what each position holds"),
            _opt("barrel", Kind.CHOICE, "clear", "the barrel", choices=("clear", "obstructed")),
            _opt(
                "phase",
                Kind.CHOICE,
                "pre-use",
                "before or after use",
                choices=("pre-use", "post-use"),
            ),
        ),
        show="{firearm} {phase}: {positions}; barrel {barrel}",
        help="The armorer inspects every position and the barrel (R-19, R-22).",
    ),
    ActionSpec(
        name="witness",
        handler="witness",
        signed=True,
        args=(FIREARM,),
        show="{firearm}",
        help="The 1st AD or the talent attests the check they were shown (R-20, R-21, R-24).",
    ),
    ActionSpec(
        name="announce",
        handler="announce",
        signed=True,
        args=(FIREARM,),
        show="{firearm}",
        help="The 1st AD announces the verified state: cold or hot (R-28, R-29, R-41).",
    ),
    # -- rounds --------------------------------------------------------------------------------
    ActionSpec(
        name="load",
        handler="load",
        signed=True,
        args=(
            FIREARM,
            _a("lot", Kind.TEXT, "the ammunition lot (A01)"),
            _a("count", Kind.NUMBER, "rounds loaded"),
        ),
        show="{firearm} with {count} from {lot}",
        help="The armorer loads rounds from a lot, as the plan says (R-05, R-07, R-09, R-26).",
    ),
    ActionSpec(
        name="unload",
        handler="unload",
        signed=True,
        args=(FIREARM,),
        show="{firearm}",
        help="The armorer unloads a firearm: rounds back to their lots, spent cases out.",
    ),
    ActionSpec(
        name="discharge",
        handler="discharge",
        signed=False,
        args=(FIREARM, _a("count", Kind.NUMBER, "shots fired"), DETAIL),
        show="{firearm} x{count}",
        help="Shots fired (a fact): planned, or an unplanned discharge incident (R-51).",
    ),
    ActionSpec(
        name="misfire",
        handler="misfire",
        signed=False,
        args=(FIREARM,),
        show="{firearm}",
        help="A round failed to fire (a fact): wait before clearing it (R-42).",
    ),
    ActionSpec(
        name="clear-misfire",
        handler="clear_misfire",
        signed=True,
        args=(FIREARM,),
        show="{firearm}",
        help="The armorer clears a misfire, only after the wait (R-42).",
    ),
    ActionSpec(
        name="reconcile",
        handler="reconcile",
        signed=True,
        args=(
            FIREARM,
            _a("fired", Kind.NUMBER, "spent cases counted"),
            _opt("returned", Kind.NUMBER, 0, "unfired rounds returned to their lots"),
            _opt("misfired", Kind.NUMBER, 0, "misfired rounds"),
        ),
        show="{firearm}: {fired} fired, {returned} returned, {misfired} misfired",
        help="The armorer's count after unloading (R-09); a count that does not balance is an "
        "incident.",
    ),
    # -- ammunition ----------------------------------------------------------------------------
    ActionSpec(
        name="receive-ammo",
        handler="receive_ammunition",
        signed=True,
        args=(
            _a("class", Kind.CHOICE, "dummy, blank or live", choices=_values(AmmoClass)),
            _a("calibre", Kind.TEXT, "the calibre: .45 Colt, 9mm, 12ga"),
            _a("count", Kind.NUMBER, "rounds in the lot"),
            _a("supplier", Kind.TEXT, "who supplied it (R-06)"),
            _a("provenance", Kind.TEXT, "lot number or invoice (R-06)"),
            STORE,
            _opt("load", Kind.CHOICE, "", "blanks only", choices=_values(BlankLoad)),
            _opt("close_range", Kind.FLAG, False, "special close-range blanks"),
        ),
        show="{count} {class} {calibre} from {supplier}",
        help="The armorer receives a lot (R-01, R-06); it takes the next lot id.",
    ),
    ActionSpec(
        name="inspect-dummies",
        handler="inspect_dummies",
        signed=True,
        args=(
            _a("lot", Kind.TEXT, "the dummy lot (A01)"),
            _a("inspected", Kind.NUMBER, "rounds inspected"),
            _a("inert", Kind.NUMBER, "rounds shown inert"),
            _a("methods", Kind.CHOICES, "how they were shown inert", choices=_values(DummyCheck)),
        ),
        show="{lot}: {inert} of {inspected} inert ({methods})",
        help="The armorer shows dummies inert, round by round (R-05); a round that is not inert "
        "is a live round found.",
    ),
    # -- incidents, concerns, reality ----------------------------------------------------------
    ActionSpec(
        name="incident",
        handler="open_incident",
        signed=False,
        args=(
            _a("kind", Kind.CHOICE, "the kind of incident", choices=_values(IncidentKind)),
            _a("description", Kind.TEXT, "what happened"),
            _opt("firearms", Kind.FIREARMS, (), "firearms concerned"),
            _opt("lots", Kind.TEXTS, (), "ammunition lots concerned"),
        ),
        show="{kind}",
        help="Anyone reports an incident (R-51, R-53).",
    ),
    ActionSpec(
        name="close-incident",
        handler="close_incident",
        signed=True,
        args=(
            _a("incident", Kind.TEXT, "the incident (I01)"),
            _a("findings", Kind.TEXT, "what the review found"),
            _a("corrective_action", Kind.TEXT, "what changes"),
        ),
        show="{incident}",
        help="The safety advisor or the producer closes an incident after review (R-51).",
    ),
    ActionSpec(
        name="concern",
        handler="raise_concern",
        signed=False,
        args=(
            _a("text", Kind.TEXT, "the concern"),
            _opt("stop", Kind.FLAG, False, "stop firearms work until answered"),
        ),
        show="{text}",
        help="Anyone raises a safety concern; one marked stop stops firearms work (R-52).",
    ),
    ActionSpec(
        name="answer-concern",
        handler="answer_concern",
        signed=True,
        args=(_a("concern", Kind.TEXT, "the concern (C01)"), _a("answer", Kind.TEXT, "the answer")),
        show="{concern}",
        help="The producer or the safety advisor answers a concern (R-52).",
    ),
    ActionSpec(
        name="stop-work",
        handler="stop_work",
        signed=False,
        args=(_a("reason", Kind.TEXT, "why"),),
        show="{reason}",
        help="The armorer stops all firearms work (R-47).",
    ),
    ActionSpec(
        name="resume-work",
        handler="resume_work",
        signed=True,
        args=(_a("reason", Kind.TEXT, "why it is safe again"),),
        show="{reason}",
        help="The armorer resumes firearms work (R-47).",
    ),
    ActionSpec(
        name="report-custody",
        handler="report_custody",
        signed=False,
        args=(
            FIREARM,
            _opt("person", Kind.PERSON, "", "the firearm is with this person"),
            _opt("store", Kind.STORE, "", "the firearm is in this store"),
            DETAIL,
        ),
        one_of=("person", "store"),
        show="{firearm}: {person}{store}",
        help="Anyone records where a firearm really is; never refused for breaking protocol, "
        "and a wrong holder raises an alarm (R-13).",
    ),
    ActionSpec(
        name="report-missing",
        handler="report_missing",
        signed=False,
        args=(FIREARM, DETAIL),
        show="{firearm}",
        help="Anyone reports a firearm missing: an incident at once (R-53).",
    ),
    # -- people, settings, range ---------------------------------------------------------------
    ActionSpec(
        name="record-permit",
        handler="record_permit",
        signed=True,
        args=(
            _a("person", Kind.PERSON, "the armorer"),
            _a("number", Kind.TEXT, "the permit number"),
            _a("authority", Kind.TEXT, "who issued it"),
            _a("expires", Kind.DATE, "its expiry date"),
        ),
        show="{person}: {number} until {expires}",
        help="The producer, safety advisor or head armorer records an armorer's permit (R-45).",
    ),
    ActionSpec(
        name="setting",
        handler="change_setting",
        signed=True,
        args=(
            _a("name", Kind.CHOICE, "the setting", choices=tuple(sorted(SETTINGS))),
            _a("value", Kind.NUMBER, "its new value"),
        ),
        show="{name} = {value}",
        help="The producer or safety advisor makes a setting stricter; looser needs a waiver.",
    ),
    ActionSpec(
        name="waiver",
        handler="grant_waiver",
        signed=True,
        args=(
            _a("name", Kind.CHOICE, "the setting", choices=tuple(sorted(SETTINGS))),
            _a("value", Kind.NUMBER, "the looser value"),
            _a("reason", Kind.TEXT, "why it is safe"),
        ),
        show="{name} = {value}",
        help="The safety advisor signs a waiver loosening a setting (R-49).",
    ),
    ActionSpec(
        name="approve-range",
        handler="approve_range",
        signed=True,
        args=(
            _a("location", Kind.TEXT, "the range"),
            _a("medical", Kind.TEXT, "the medical staff available"),
            _a("day", Kind.DATE, "the day of the session"),
        ),
        show="{location} on {day}",
        help="The safety advisor approves a live-fire range session (R-02).",
    ),
    ActionSpec(
        name="receive-range-ammo",
        handler="receive_range_ammunition",
        signed=False,
        args=(
            _a("session", Kind.TEXT, "the range session (R01)"),
            _a("calibre", Kind.TEXT, "the calibre"),
            _a("count", Kind.NUMBER, "rounds"),
            _a("supplier", Kind.TEXT, "who supplied it"),
            _a("provenance", Kind.TEXT, "lot number or invoice"),
        ),
        show="{count} live {calibre} for {session}",
        help="The armorer receives live rounds for an approved range session only (R-02).",
    ),
)

ACTIONS: dict[str, ActionSpec] = {spec.name: spec for spec in _SPECS}

_ARMORER = frozenset({Role.ARMORER})
_AD = frozenset({Role.FIRST_AD})
_AD_OR_ARMORER = _ARMORER | _AD
_REVIEWERS = frozenset({Role.SAFETY_ADVISOR, Role.PRODUCER})
_HOLDERS = frozenset({Role.ARMORER, Role.TALENT})
ANYONE = frozenset(Role)

# Whose action each is: the roles the domain lets give it. Menus list "your actions" from it;
# tests/e2e/test_authorisation_matrix.py checks it against what the domain really allows.
# Hand-offs are decided by who holds the firearm or is named (an armorer or a talent), a
# meeting's confirmation by who is on its roll; facts and concerns are anyone's.
WHOSE: dict[str, frozenset[Role]] = {
    "open-day": _ARMORER,
    "train": _ARMORER,
    "file-plan": _ARMORER,
    "approve-plan": _REVIEWERS,
    "meeting": _AD_OR_ARMORER,
    "attend": ANYONE,
    "call": _AD,
    "cut": _AD,
    "break": _AD_OR_ARMORER,
    "resume-day": _AD_OR_ARMORER,
    "unlock": _ARMORER,
    "lock": _ARMORER,
    "take": _ARMORER,
    "return": _ARMORER,
    "hand-off": _HOLDERS,
    "accept": _HOLDERS,
    "cancel": _HOLDERS,
    "inspect": _ARMORER,
    "witness": frozenset({Role.FIRST_AD, Role.TALENT}),
    "announce": _AD,
    "load": _ARMORER,
    "unload": _ARMORER,
    "discharge": ANYONE,
    "misfire": ANYONE,
    "clear-misfire": _ARMORER,
    "reconcile": _ARMORER,
    "receive-ammo": _ARMORER,
    "inspect-dummies": _ARMORER,
    "incident": ANYONE,
    "close-incident": _REVIEWERS,
    "concern": ANYONE,
    "answer-concern": _REVIEWERS,
    "stop-work": _ARMORER,
    "resume-work": _ARMORER,
    "report-custody": ANYONE,
    "report-missing": ANYONE,
    "record-permit": _ARMORER | _REVIEWERS,
    "setting": _REVIEWERS,
    "waiver": frozenset({Role.SAFETY_ADVISOR}),
    "approve-range": frozenset({Role.SAFETY_ADVISOR}),
    "receive-range-ammo": _ARMORER,
}
