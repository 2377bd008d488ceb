"""Every action of the catalogue as a form: ``GET /p/{production}/do`` lists them all (grouped,
the signed-in person's own first) and ``GET /p/{production}/do/{action}`` draws one action's form
from its ActionSpec, one labelled field per argument by its Kind.

The forms post to the screens' one generic route, ``POST /p/{production}/act/{action}``, with
``screen=do/<action>``: accepted, the form comes back with the entries just written; refused,
with the refusal's rule id, what was typed kept (screens.py does both).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from coldcheck.app import queries
from coldcheck.app.actions import ACTIONS, WHOSE, ActionSpec, Arg, Kind
from coldcheck.web import arguments, screens
from coldcheck.web.screens import Row, Screen, Viewer

router = APIRouter(include_in_schema=False)

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("The day", ("open-day", "break", "resume-day", "train")),
    ("Plans and meetings", ("file-plan", "approve-plan", "meeting", "attend", "call", "cut")),
    (
        "Firearms and custody",
        (
            "unlock", "lock", "take", "inspect", "witness", "announce", "hand-off", "accept",
            "cancel", "return", "report-custody", "report-missing",
        ),
    ),
    (
        "Rounds",
        (
            "receive-ammo", "inspect-dummies", "load", "discharge", "misfire", "clear-misfire",
            "unload", "reconcile", "receive-range-ammo",
        ),
    ),
    (
        "Incidents and concerns",
        ("concern", "answer-concern", "incident", "close-incident", "stop-work", "resume-work"),
    ),
    ("Settings", ("record-permit", "setting", "waiver", "approve-range")),
)  # fmt: skip


LABELS = {
    "distance_ft": "Distance (feet)",
    "close_range": "Close-range blanks",
    "corrective_action": "Corrective action",
    "class": "Class of ammunition",
    "type": "Kind of firearm",
    "to": "To",
}
LONG_TEXT = frozenset(
    {"text", "description", "findings", "corrective_action", "answer", "reason",
     "justification", "risks", "schedule", "detail"}
)  # fmt: skip
RADIOS_UP_TO = 5  # choices shown as radio buttons; more as a select


def title(action: str) -> str:
    """'file-plan' -> 'File plan'."""
    return action.replace("-", " ").capitalize()


def _label(arg: Arg) -> str:
    return LABELS.get(arg.name, arg.name.replace("_", " ").capitalize())


def _words(value: str) -> str:
    return value.replace("_", " ")


def _mine(roles: set[str]) -> set[str]:
    """The actions the catalogue says are these roles' to give (WHOSE)."""
    return {name for name, whose in WHOSE.items() if {r.value for r in whose} & roles}


def _entries(names: tuple[str, ...], mine: set[str], yours: bool) -> list[Row]:
    return [
        {"name": n, "title": title(n), "help": ACTIONS[n].help, "signed": ACTIONS[n].signed}
        for n in names
        if n in ACTIONS and (n in mine) == yours
    ]


def _list_context(v: Viewer, screen: Screen) -> Row:
    mine = _mine(v.roles)
    grouped = {n for _, names in GROUPS for n in names}
    groups = [*GROUPS, ("Other", tuple(n for n in ACTIONS if n not in grouped))]
    sections = []
    for yours in (True, False):
        found = [
            {"title": name, "actions": entries}
            for name, names in groups
            if (entries := _entries(names, mine, yours))
        ]
        sections.append({"yours": yours, "groups": found})
    roles = sorted(r.replace("_", " ") for r in v.roles)
    return {"title": "All actions", "sections": sections, "roles": roles}


# -- one action's form ---------------------------------------------------------------------


def _options(arg: Arg, v: Viewer) -> list[tuple[str, str]]:
    state = v.state
    match arg.kind:
        case Kind.PERSON | Kind.PEOPLE:
            people = sorted(queries.people(state), key=lambda p: p["name"])
            return [
                (p["person"], f"{p['name']} ({', '.join(_words(r) for r in p['roles'])})")
                for p in people
            ]
        case Kind.STORE:
            return [
                (s["store"], f"{s['name']}{' (locked)' if s['locked'] else ''}")
                for s in queries.stores(state)
            ]
        case Kind.FIREARM | Kind.FIREARMS:
            return [
                (f["firearm"], f"{f['firearm']} · serial {f['serial']} · {f['make']} {f['model']}")
                for f in queries.firearms(state)
            ]
        case Kind.CHOICE | Kind.CHOICES:
            return [(c, _words(c)) for c in arg.choices]
    return []


def _suggestions(v: Viewer) -> dict[str, list[tuple[str, str]]]:
    """Known values offered (a datalist) for text arguments naming a scene, lot and so on."""
    state = v.state
    return {
        "scene": [(p["scene"], p["mode"]) for p in queries.plans(state)],
        "lot": [
            (lot["lot"], f"{lot['class']} {lot['calibre']}, {lot['count']} left")
            for lot in queries.lots(state)
        ],
        "concern": [(c["concern"], c["text"][:60]) for c in queries.concerns(state)],
        "incident": [(i["incident"], _words(i["kind"])) for i in queries.incidents(state)],
    }


def _default(arg: Arg) -> str:
    value = arg.default
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, tuple):
        return "\n".join(value)
    return str(value)


def _field(arg: Arg, spec: ActionSpec, v: Viewer, suggest: dict[str, Any]) -> Row:
    options = _options(arg, v)
    widget: str
    hint = arg.help
    match arg.kind:
        case Kind.NUMBER:
            widget = "number"
        case Kind.FLAG:
            widget = "checkbox"
        case Kind.DATE:
            widget = "date"
        case Kind.TEXTS | Kind.PLAN:
            widget = "textarea"
            hint = f"One per line: {arg.help}"
        case Kind.POSITIONS:
            widget = "textarea"
            hint = (
                f"{arg.help}: one position per line (empty, spent, live, unknown, "
                "blank:A01, dummy:A02), or 'blank:A01 x6' for six alike. "
                "The firearm's page has a per-chamber grid."
            )
        case Kind.PEOPLE | Kind.FIREARMS | Kind.CHOICES:
            widget = "checks"
        case Kind.PERSON | Kind.STORE | Kind.FIREARM:
            widget = "select"
        case Kind.CHOICE:
            widget = "radios" if len(options) <= RADIOS_UP_TO else "select"
        case _:
            widget = "textarea" if arg.name in LONG_TEXT else "text"
    return {
        "name": arg.name,
        "label": _label(arg),
        "widget": widget,
        "required": arg.required,
        "hint": hint,
        "options": options,
        "default": _default(arg),
        "checked": arg.default is True,
        "list": arg.name if suggest.get(arg.name) else "",
        "one_of": arg.name in spec.one_of,
    }


def _form_context(v: Viewer, screen: Screen) -> Row:
    spec = arguments.action(screen.firearm)
    suggest = _suggestions(v)
    fields = [_field(arg, spec, v, suggest) for arg in spec.args]
    return {
        "title": title(spec.name),
        "spec": spec,
        "action_title": title(spec.name),
        "fields": fields,
        "lists": {f["list"]: suggest[f["list"]] for f in fields if f["list"]},
        "yours": spec.name in _mine(v.roles),
    }


def _context(v: Viewer, screen: Screen) -> Row:
    return _form_context(v, screen) if screen.firearm else _list_context(v, screen)


def _page(screen: Screen) -> str:
    return "screens/action.html" if screen.firearm else "screens/actions.html"


screens.register("do", "All actions", _context, _page)


@router.get("/p/{production}/do", response_class=HTMLResponse)
def actions(request: Request, production: str) -> Response:
    """Every action of the catalogue, grouped, the person's own first."""
    return screens._render(request, production, Screen("do"))


@router.get("/p/{production}/do/{action}", response_class=HTMLResponse)
def action(request: Request, production: str, action: str, done: str = "") -> Response:
    """One action's form, drawn from its arguments; it posts to the generic action route.
    A link may fill arguments in (``?scene=12A``): only the action's own, as plain text."""
    spec = ACTIONS.get(action)
    given = {
        name: value[:200]
        for name, value in request.query_params.items()
        if spec is not None and spec.arg(name) is not None
    }
    return screens._render(
        request, production, Screen("do", action[:40]), done=done[:30], values=given
    )
