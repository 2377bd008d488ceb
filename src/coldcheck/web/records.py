"""Records: read-only pages over the read models (coldcheck.app.queries), for members only.

``GET /p/{production}/records`` lists the records with a count each; ``/records/lots``,
``/plans``, ``/meetings``, ``/incidents``, ``/people`` and ``/settings`` show one kind of record,
each record a card (phone-first), state in words and shape, with links to the actions that change
it (the forms of forms.py). Nothing here writes; the pages render through screens._render, so
sign-in, membership (another production is a 404) and the layout are the screens' own.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from coldcheck.app import queries
from coldcheck.domain import gates
from coldcheck.domain.errors import NotFound
from coldcheck.web import screens
from coldcheck.web.screens import Row, Screen, Viewer

router = APIRouter(include_in_schema=False)


def _words(value: object) -> str:
    return str(value).replace("_", " ")


def _name(v: Viewer, person: str | None) -> str:
    if not person:
        return ""
    found = v.state.people.get(person)
    return found.name if found else person


# -- each list ---------------------------------------------------------------------------------


def _why_not(lot: Row) -> str:
    """Why a lot may not be loaded, in words ("" when it may)."""
    if lot["evidence"]:
        return f"held as evidence for incident {lot['evidence']}"
    if lot["suspect"]:
        return f"QUARANTINED: {lot['suspect']} round(s) found NOT inert; treat them as live"
    if lot["class"] == "live":
        return "live ammunition is never loaded on set"
    if not lot["loadable"]:
        return f"{lot['received'] - (lot['inert'] or 0)} of {lot['received']} not yet shown inert"
    return ""


def _lots(v: Viewer) -> Row:
    lots = []
    for lot in queries.lots(v.state):
        why = _why_not(lot)
        lots.append(
            {
                **lot,
                "class_words": _words(lot["class"]),
                "load_words": _words(lot["load"]) if lot["load"] else "",
                "may_load": not why,
                "why_not": why,
            }
        )
    return {"lots": lots}


def _plans(v: Viewer) -> Row:
    plans = [
        {
            **p,
            "filed_by_name": _name(v, p["filed_by"]),
            "approved_by_name": _name(v, p["approved_by"]),
            "firearms": [
                {**f, "class_words": _words(f["class"]), "load_words": _words(f["load"] or "")}
                for f in p["firearms"]
            ],
        }
        for p in queries.plans(v.state)
    ]
    plans.sort(key=lambda p: p["approved"])  # stable: awaiting approval first
    return {"plans": plans, "waiting": sum(1 for p in plans if not p["approved"])}


def _meetings(v: Viewer) -> Row:
    """Every meeting, its roll and who confirmed it; the people who may still confirm one (it
    is the newest of the open shoot day for its scene and not stale) are offered the
    confirmation, on this device with their PIN."""
    state = v.state
    meetings = [
        {
            **m,
            "lead_name": _name(v, m["lead"]),
            "confirmed_names": sorted(_name(v, p) for p in m["confirmed"]),
            "to_confirm": [
                {"person": p, "name": _name(v, p)}
                for p in m["awaiting"]
                if gates.attendance_problem(
                    state, state.meetings[m["meeting"]], state.people[p], v.now
                )
                is None
            ],
        }
        for m in queries.meetings(state)
    ]
    meetings.sort(key=lambda m: m["seq"], reverse=True)
    return {"meetings": meetings}


def _incidents(v: Viewer) -> Row:
    rows = [
        {**i, "kind_words": _words(i["kind"]), "closed_by_name": _name(v, i["closed_by"])}
        for i in queries.incidents(v.state)
    ]
    rows.sort(key=lambda i: i["seq"], reverse=True)
    rows.sort(key=lambda i: not i["open"])  # stable: open first, newest first in each
    return {"incidents": rows, "open": sum(1 for i in rows if i["open"])}


def _people(v: Viewer) -> Row:
    today = v.now.date().isoformat()
    trained: dict[str, list[Row]] = {}
    for (person, action), seq in sorted(v.state.training.items(), key=lambda t: t[1]):
        trained.setdefault(person, []).append({"action": _words(action), "seq": seq})
    people = []
    for p in queries.people(v.state):
        permit = p["permit"]
        people.append(
            {
                **p,
                "role_words": [_words(r) for r in p["roles"]],
                "permit": None
                if permit is None
                else {**permit, "expired": permit["expires"] < today},
                "training": trained.get(p["person"], []),
            }
        )
    return {"people": people}


def _settings(v: Viewer) -> Row:
    settings = [
        {**s, "name_words": _words(s["setting"]), "changed": s["value"] != s["default"]}
        for s in queries.settings(v.state)
    ]
    waivers = [{**w, "setting_words": _words(w["setting"])} for w in queries.waivers(v.state)]
    return {"settings": settings, "waivers": waivers}


def _index(v: Viewer) -> Row:
    state = v.state
    incidents = queries.incidents(state)
    plans = queries.plans(state)
    waiting = sum(1 for p in plans if not p["approved"])
    still_open = sum(1 for i in incidents if i["open"])
    entries = [
        ("lots", "Ammunition lots", len(state.lots), ""),
        ("plans", "Scene plans", len(plans), f"{waiting} awaiting approval" if waiting else ""),
        ("meetings", "Safety meetings", len(state.meetings), ""),
        ("incidents", "Incidents", len(incidents), f"{still_open} OPEN" if still_open else ""),
        ("people", "People", len(state.people), ""),
        ("settings", "Settings", len(queries.settings(state)), f"{len(state.waivers)} waiver(s)"),
    ]
    return {
        "lists": [
            {"name": name, "title": title, "count": count, "note": note}
            for name, title, count, note in entries
        ]
    }


LISTS: dict[str, tuple[str, Callable[[Viewer], Row]]] = {
    "lots": ("Ammunition lots", _lots),
    "plans": ("Scene plans", _plans),
    "meetings": ("Safety meetings", _meetings),
    "incidents": ("Incidents", _incidents),
    "people": ("People", _people),
    "settings": ("Settings and waivers", _settings),
}


def _context(v: Viewer, screen: Screen) -> Row:
    if not screen.firearm:
        return {"title": "Records", "list": "", **_index(v)}
    found = LISTS.get(screen.firearm)
    if found is None:
        raise NotFound(f"There are no records {screen.firearm[:20]!r}.", "See the records.")
    title, context = found
    return {"title": title, "list": screen.firearm, **context(v)}


def _page(screen: Screen) -> str:
    return f"screens/records_{screen.firearm}.html" if screen.firearm else "screens/records.html"


screens.register("records", "Records", _context, _page)


@router.get("/p/{production}/records", response_class=HTMLResponse)
def records(request: Request, production: str, done: str = "") -> Response:
    """Every kind of record, with how many there are."""
    return screens._render(request, production, Screen("records"), done=done[:30])


@router.get("/p/{production}/records/{name}", response_class=HTMLResponse)
def record_list(request: Request, production: str, name: str, done: str = "") -> Response:
    """One kind of record: lots, plans, meetings, incidents, people, or settings; ``done``
    names the entries an action taken on it (confirming a meeting) just wrote."""
    return screens._render(request, production, Screen("records", name[:20]), done=done[:30])
