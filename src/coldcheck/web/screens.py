"""Task screens: announce (the 1st AD), one firearm (the armorer), concerns, and the day.

Every screen is server-rendered from the read models (coldcheck.app.queries); every form on
them posts to ONE generic route, ``POST /p/{production}/act/{action}``, which runs an action of
the catalogue (coldcheck.app.actions) through ``arguments.parse`` and ``dispatch.CALLS`` as the
signed-in person, exactly as the JSON API does. The form names the screen to come back to
(``screen``), carries the session's CSRF token (``csrf``) and, for signed actions, the PIN
(``pin``). Accepted: a 303 back to the screen, which then describes the entries just written
(read from the ledger, so a link cannot make it say anything the ledger does not). Refused: the
screen again, with the refusal (rule id, message, remedy) in a ``role="alert"`` box and the
refusal's status (403, 404, 409 or 422); nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from coldcheck.app import ledgerops, queries
from coldcheck.app.accounts import csrf_matches
from coldcheck.app.actions import ActionSpec, Args, Kind
from coldcheck.app.dispatch import CALLS
from coldcheck.app.service import App
from coldcheck.domain import verification
from coldcheck.domain.errors import InvalidInput, NotAuthorised, NotFound, Refusal
from coldcheck.domain.inspection import MAX_POSITIONS, LoadState
from coldcheck.domain.state import ProductionState
from coldcheck.domain.values import Role
from coldcheck.ledger.entry import decode
from coldcheck.ledger.errors import VerificationError
from coldcheck.web import arguments, auth
from coldcheck.web.app import TEMPLATES
from coldcheck.web.problems import STATUS

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES))
Row = dict[str, Any]
Form = Mapping[str, list[str]]

# do, do/<action>: forms.py; records, records/<list>: records.py
KINDS = ("announce", "concerns", "day", "firearm", "do", "records")
_BARE = ("announce", "concerns", "day")  # screens without a sub-page
POSITION_ITEMS = ("empty", "spent", "live", "unknown")
TIMELINE = 60  # newest entries shown on a firearm's page
DONE_MAX = 20  # entries described after an action
ANSWERERS = frozenset({Role.PRODUCER, Role.SAFETY_ADVISOR})
_NUMBER = re.compile(r"[0-9]{1,7}")
_DONE = re.compile(r"([0-9]{1,9})-([0-9]{1,9})")


@dataclass(frozen=True, slots=True)
class Screen:
    """Which screen a form came from and goes back to: announce, concerns, day, firearm/F01,
    do/<action> (an action's own form, forms.py)."""

    kind: str
    firearm: str = ""  # the firearm of firearm/F01, the action of do/<action>

    @classmethod
    def parse(cls, text: str) -> Screen:
        kind, _, firearm = text.partition("/")
        needs = kind in ("firearm", "do")
        if kind not in KINDS or (needs and not firearm) or (kind in _BARE and firearm):
            raise NotFound(f"There is no screen {text[:40]!r}.", "Go back to the board.")
        return cls(kind, firearm)

    @property
    def name(self) -> str:
        return f"{self.kind}/{self.firearm}" if self.firearm else self.kind

    def url(self, production: str) -> str:
        base = f"/p/{quote(production, safe='')}"
        if self.kind == "firearm":
            return f"{base}/firearms/{quote(self.firearm, safe='')}"
        if self.firearm:
            return f"{base}/{self.kind}/{quote(self.firearm, safe='')}"
        return f"{base}/{self.kind}"


# -- reading the ledger as lines people understand ---------------------------------------------

_LINES = {
    "custody.taken": "{by} took {firearm} out of {store}",
    "custody.returned": "{by} put {firearm} into {store}",
    "custody.handoff_proposed": "{giver} offered {firearm} to {receiver} (waiting for acceptance)",
    "custody.handoff_accepted": "{receiver} accepted {firearm} from {giver}",
    "custody.handoff_cancelled": "{by} cancelled the hand-off of {firearm}",
    "custody.reported": "{by} reported {firearm} is really with {person}{store}. {note}",
    "firearm.inspected": "{armorer} inspected {firearm} ({phase}): {found}; barrel {barrel}",
    "check.witnessed": "{witness} ({role}) was shown {firearm}: {shown}",
    "firearm.announced": "Announced {call}: {text}",
    "firearm.called": "{by} called for {firearm} for scene {scene}",
    "firearm.registered": "{firearm} registered: {make} {model}, serial {serial}, in {store}",
    "firearm.discharged": "{firearm} fired {count} ({planned}) by {holder}. {note}",
    "firearm.misfired": "{firearm} MISFIRED (reported by {by})",
    "firearm.misfire_cleared": "{armorer} cleared the misfire in {firearm}",
    "rounds.loaded": "{armorer} loaded {count} from lot {lot} into {firearm}",
    "rounds.unloaded": "{armorer} unloaded {firearm}: {rounds} back to lots, {spent} spent out",
    "rounds.reconciled": "{armorer} counted {firearm}: issued {issued}, fired {fired}, "
    "returned {returned}, misfired {misfired}: {balanced}",
    "incident.opened": "INCIDENT {incident} ({kind}) opened by {by}: {description}",
    "incident.closed": "{reviewer} closed incident {incident}: {findings}",
    "concern.raised": "{by} raised concern {concern}{stop}: {text}",
    "concern.answered": "{answered_by} answered concern {concern}: {answer}",
    "work.stopped": "STOP-WORK called by {by}: {reason}",
    "work.resumed": "{by} resumed firearms work: {reason}",
    "day.opened": "{armorer} did the opening check for {day}: swept {swept}",
    "day.break": "{by} called {kind}",
    "day.resumed": "{by} resumed the day",
    "take.cut": "{by} called cut on scene {scene}",
    "store.locked": "{store} locked",
    "store.unlocked": "{store} unlocked",
    "plan.filed": "{armorer} filed the plan for scene {scene} ({mode})",
    "plan.approved": "{approver} approved the plan for scene {scene}",
    "meeting.held": "{lead} held the safety meeting for scene {scene} with {attendees} on the roll",
    "meeting.attended": "{person} confirmed being at safety meeting {meeting}",
    "training.recorded": "{trainer} recorded {person}'s training on a {action}",
    "ammunition.received": "{count} {ammo_class} {calibre} received as lot {lot} into {store}",
}
_PEOPLE = {"by", "armorer", "giver", "receiver", "witness", "holder", "reviewer", "answered_by",
           "lead", "person", "trainer", "approver", "advisor"}  # fmt: skip


class _Fields(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def describe(state: ProductionState, entry_type: str, payload: Mapping[str, Any]) -> str:
    """One readable line for a ledger entry: names for ids, words for flags."""
    fields = _Fields()
    for key, value in payload.items():
        if key in _PEOPLE and isinstance(value, str) and value in state.people:
            fields[key] = state.people[value].name
        elif key == "store" and isinstance(value, str) and value in state.stores:
            fields[key] = state.stores[value].name
        elif isinstance(value, list | tuple):
            fields[key] = ", ".join(str(v) for v in value) or "nothing"
        elif key == "attendees":
            fields[key] = str(value)
        else:
            fields[key] = str(value).replace("_", " ") if key in ("phase", "role") else str(value)
    if isinstance(payload.get("attendees"), list | tuple):
        fields["attendees"] = ", ".join(
            state.people[p].name if p in state.people else str(p) for p in payload["attendees"]
        )
    if entry_type == "firearm.inspected":
        fields["found"] = str(
            LoadState(
                result=str(payload.get("result", "")),
                rounds=int(payload.get("rounds", 0)),
                load=str(payload.get("load", "")),
                reason=str(payload.get("reason", "")),
            )
        )
    fields["stop"] = " (STOP firearms work)" if payload.get("stop") is True else ""
    fields["planned"] = "planned" if payload.get("planned") else "NOT PLANNED"
    fields["balanced"] = "balanced" if payload.get("balanced") else "DOES NOT BALANCE"
    fields["call"] = str(payload.get("call", "")).upper()
    template = _LINES.get(entry_type)
    if template is None:
        shown = ", ".join(f"{k} {v}" for k, v in fields.items() if k in payload)
        return f"{entry_type}: {shown}"
    return template.format_map(fields).strip().removesuffix(".").rstrip() + "."


def _line(state: ProductionState, row: Row) -> Row:
    return {
        "seq": row["seq"],
        "time": str(row["time"])[11:16],
        "day": str(row["time"])[:10],
        "actor": row["actor_name"],
        "type": row["type"],
        "text": describe(state, row["type"], row["payload"]),
        "alarm": row["type"]
        in ("incident.opened", "work.stopped", "firearm.misfired", "custody.reported"),
    }


def _done_lines(app: App, state: ProductionState, production: str, done: str) -> list[Row]:
    """The entries an action just wrote (``done=FIRST-LAST``), read back from the ledger."""
    match = _DONE.fullmatch(done)
    if match is None:
        return []
    first, last = int(match.group(1)), int(match.group(2))
    if not 1 <= first <= last or last - first >= DONE_MAX:
        return []
    rows = []
    for stored in app.store.read_stream(production, after=first - 1):
        body = decode(stored.data).body
        if body.seq > last:
            break
        rows.append(
            _line(
                state,
                {
                    "seq": body.seq,
                    "time": body.time,
                    "actor_name": state.people[body.actor].name
                    if body.actor in state.people
                    else "",
                    "type": body.type,
                    "payload": body.payload,
                },
            )
        )
    return rows


# -- what each screen shows --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Viewer:
    app: App
    state: ProductionState
    now: datetime
    person: str
    production: str

    @property
    def roles(self) -> set[str]:
        return {r.value for r in self.state.people[self.person].roles}


def _announce_context(v: Viewer, screen: Screen) -> Row:
    rows = queries.status(v.state, v.now)
    cards = []
    for row in rows:
        fid = row["firearm"]
        announce = row["announce"] or {}
        found = v.state.inspections.get(fid)
        text = ""
        if found is not None and announce.get("may") and announce.get("call"):
            text = verification.text(v.state, v.state.firearms[fid], found, announce["call"])
        cards.append(
            {
                **row,
                "may": bool(announce.get("may")),
                "call": (announce.get("call") or "").upper(),
                "why_not": announce.get("why_not") or "",
                "text": text,
                "announced_text": found.announced_text if found is not None else "",
            }
        )
    return {"cards": cards, "may_announce": v.roles & {Role.FIRST_AD.value}}


def _position_label(chambers: int, magazine: int, i: int) -> str:
    if magazine == 0:
        return f"Chamber {i + 1}"
    if i < chambers:
        return "Chamber" if chambers == 1 else f"Chamber {i + 1}"
    return f"Magazine {i - chambers + 1}"


def _firearm_context(v: Viewer, screen: Screen) -> Row:
    firearm = v.state.firearms.get(screen.firearm)
    if firearm is None:
        raise NotFound(f"There is no firearm {screen.firearm[:20]!r} here.", "See the board.")
    row = next(r for r in queries.status(v.state, v.now) if r["firearm"] == firearm.id)
    lots = queries.lots(v.state)
    where = queries.LogFilter(firearm=firearm.id)
    entries = queries.log(v.app.store, v.state, where, newest=TIMELINE)
    cap = firearm.capacity
    holds_it = row["where"]["kind"] == "person" and row["where"]["id"] == v.person
    return {
        "f": row,
        "firearm": firearm,
        "positions": [_position_label(cap.chambers, cap.magazine, i) for i in range(cap.positions)],
        "items": POSITION_ITEMS,
        "round_lots": [
            lot for lot in lots if lot["class"] in ("dummy", "blank") and not lot["evidence"]
        ],
        "loadable": [lot for lot in lots if lot["loadable"] and lot["class"] != "live"],
        "people": [p for p in queries.people(v.state) if p["person"] != v.person],
        "stores": queries.stores(v.state),
        "timeline": [_line(v.state, e) for e in reversed(entries)],
        "armorer": Role.ARMORER.value in v.roles,
        "holds_it": holds_it,
        "offered_to_me": bool(row["handoff"] and row["handoff"]["to"] == v.person),
    }


def _concerns_context(v: Viewer, screen: Screen) -> Row:
    rows = queries.concerns(v.state)
    rows.sort(key=lambda c: c["time"], reverse=True)
    rows.sort(key=lambda c: c["answered"])  # stable: unanswered first, newest first in each
    for c in rows:
        answered_by = c["answered_by"]
        c["answered_by_name"] = (
            v.state.people[answered_by].name if answered_by in v.state.people else ""
        )
    return {
        "concerns": rows,
        "open": sum(1 for c in rows if not c["answered"]),
        "may_answer": bool(v.roles & {r.value for r in ANSWERERS}),
    }


def _day_context(v: Viewer, screen: Screen) -> Row:
    return {"stores": queries.stores(v.state), "armorer": Role.ARMORER.value in v.roles}


_CONTEXT: dict[str, Callable[[Viewer, Screen], Row]] = {
    "announce": _announce_context,
    "firearm": _firearm_context,
    "concerns": _concerns_context,
    "day": _day_context,
}
_TITLES = {"announce": "Announce", "firearm": "Firearm", "concerns": "Concerns", "day": "The day"}
_PAGES: dict[str, Callable[[Screen], str]] = {}  # a screen's template, when not screens/<kind>


def register(
    kind: str, title: str, context: Callable[[Viewer, Screen], Row], page: Callable[[Screen], str]
) -> None:
    """Another module's screen (forms.py's do/<action>), so forms come back to it."""
    _CONTEXT[kind], _TITLES[kind], _PAGES[kind] = context, title, page


# -- rendering ---------------------------------------------------------------------------------


def _html(request: Request, name: str, status: int, context: Row) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _missing(request: Request, who: auth.Principal, refusal: Refusal) -> HTMLResponse:
    return _html(request, "screens/missing.html", 404, {"who": who, "refusal": refusal})


def _render(
    request: Request,
    production: str,
    screen: Screen,
    *,
    status: int = 200,
    refusal: Refusal | None = None,
    failed: str = "",
    values: Mapping[str, str] | None = None,
    done: str = "",
    audit: Row | None = None,
) -> Response:
    who = auth.page_principal(request)
    if who is None:
        return RedirectResponse("/signin", status_code=303)
    try:
        person = auth.member(request, who, production)
        web = auth.web(request)
        app = web.app()
        state = app.state(production)
        viewer = Viewer(app, state, web.clock(), person, production)
        specific = _CONTEXT[screen.kind](viewer, screen)
    except NotFound as missing:
        return _missing(request, who, missing)
    head = app.store.head(production)
    context = {
        "who": who,
        "person": state.people[person],
        "production": production,
        "screen": screen.name,
        "kind": screen.kind,
        "title": _TITLES[screen.kind],
        "summary": queries.summary(state, viewer.now),
        "version": head.seq if head else 0,
        "done": _done_lines(app, state, production, done),
        "refusal": refusal,
        "failed": failed,
        "values": dict(values or {}),
        "audit": audit,
        **specific,
    }
    page = _PAGES.get(screen.kind)
    return _html(request, page(screen) if page else f"screens/{screen.kind}.html", status, context)


@router.get("/p/{production}/announce", response_class=HTMLResponse)
def announce(request: Request, production: str, done: str = "") -> Response:
    """The 1st AD's screen: what may be announced now, the exact words, or why not."""
    return _render(request, production, Screen("announce"), done=done[:30])


@router.get("/p/{production}/firearms/{firearm}", response_class=HTMLResponse)
def firearm(request: Request, production: str, firearm: str, done: str = "") -> Response:
    """One firearm: where it is, its load, its timeline, and the armorer's actions."""
    return _render(request, production, Screen("firearm", firearm[:40]), done=done[:30])


@router.get("/p/{production}/concerns", response_class=HTMLResponse)
def concerns(request: Request, production: str, done: str = "") -> Response:
    """Anyone raises a concern; producers and safety advisors answer."""
    return _render(request, production, Screen("concerns"), done=done[:30])


@router.get("/p/{production}/day", response_class=HTMLResponse)
def day(request: Request, production: str, done: str = "") -> Response:
    """The opening check, breaks, lunch, wrap and resuming."""
    return _render(request, production, Screen("day"), done=done[:30])


# -- the one route every form posts to ---------------------------------------------------------


async def _form(request: Request) -> dict[str, list[str]]:
    found = await request.form(max_files=0, max_fields=MAX_POSITIONS + 50)
    out: dict[str, list[str]] = {}
    for key, value in found.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


def _first(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def _split(values: Iterable[str]) -> list[str]:
    return [part.strip() for v in values for part in re.split(r"[\n,]", v) if part.strip()]


def form_args(spec: ActionSpec, form: Form) -> dict[str, Any]:
    """The action's arguments as ``arguments.parse`` takes them, from the form's fields: a
    blank field is a missing argument, a checkbox is a flag, a list may be written one per
    line or comma-separated, and each position of an inspection is its own field."""
    raw: dict[str, Any] = {}
    for arg in spec.args:
        given = [v.strip() for v in form.get(arg.name, [])]
        match arg.kind:
            case Kind.FLAG:
                raw[arg.name] = any(v.lower() in ("on", "true", "yes", "1") for v in given)
            case Kind.POSITIONS:
                if len(given) == 1 and "\n" in given[0]:  # a textarea: one position per line
                    given = [line.strip() for line in given[0].splitlines() if line.strip()]
                if given and not all(given):
                    blank = [str(i + 1) for i, v in enumerate(given) if not v]
                    raise InvalidInput(
                        f"Position {', '.join(blank)} of {len(given)} is not set.",
                        "Choose what every chamber and magazine position holds.",
                    )
                if given:
                    raw[arg.name] = given
            case Kind.TEXTS | Kind.FIREARMS | Kind.PEOPLE | Kind.PLAN | Kind.CHOICES:
                items = _split(given)
                if items:
                    raw[arg.name] = items
            case Kind.NUMBER:
                value = given[0] if given else ""
                if value:
                    raw[arg.name] = int(value) if _NUMBER.fullmatch(value) else value
            case _:
                value = given[0] if given else ""
                if value:
                    raw[arg.name] = value
    return raw


def parse(spec: ActionSpec, form: Form) -> Args:
    """The action's typed arguments from a form, checked by ``arguments.parse``."""
    return arguments.parse(spec, form_args(spec, form))


def _kept(form: Form) -> dict[str, str]:
    """What the person typed, to show again with a refusal (never the PIN or the token)."""
    return {k: v[0] for k, v in form.items() if v and k not in ("pin", "csrf")}


@router.post("/p/{production}/act/{action}", response_class=HTMLResponse)
async def act(request: Request, production: str, action: str) -> Response:
    """Run one action of the catalogue as the signed-in person, from a screen's form."""
    form = await _form(request)
    return await run_in_threadpool(_act, request, production, action, form)


def _act(request: Request, production: str, action: str, form: Form) -> Response:
    who = auth.page_principal(request)
    if who is None:
        return RedirectResponse("/signin", status_code=303)
    try:
        auth.member(request, who, production)
        screen = Screen.parse(_first(form, "screen"))
    except NotFound as missing:
        return _missing(request, who, missing)
    try:
        if not csrf_matches(who.csrf, _first(form, "csrf") or None):
            raise NotAuthorised(
                "This form does not carry your session's CSRF token, so nothing was recorded.",
                "Reload the page and try again.",
            )
        spec = arguments.action(action)
        args = parse(spec, form)
        pin = _first(form, "pin")
        if spec.signed and not pin:
            raise InvalidInput(
                f"{spec.name} is signed with your PIN; nothing was recorded.",
                "Type your PIN and try again.",
            )
        actor = auth.acting_person(request, who, production, action, _first(form, "attester"))
        app = auth.web(request).app()
        done = auth.pin_guarded(
            request,
            who,
            production,
            actor,
            lambda: CALLS[spec.name](app, production, actor, args, pin),
        )
    except Refusal as refusal:
        return _render(
            request,
            production,
            screen,
            status=STATUS.get(refusal.kind, 409),
            refusal=refusal,
            failed=action[:40],
            values=_kept(form),
        )
    last = done.first_seq + len(done.events) - 1
    anchor = f"#{quote(args.text('firearm'), safe='')}" if "firearm" in args.values else ""
    target = f"{screen.url(production)}?done={done.first_seq}-{last}"
    return RedirectResponse(target + (anchor if screen.kind == "announce" else ""), 303)


@router.post("/p/{production}/verify", response_class=HTMLResponse)
async def verify(request: Request, production: str) -> Response:
    """Audit the whole ledger now and show the result on the screen it was asked from."""
    form = await _form(request)
    return await run_in_threadpool(_verify, request, production, form)


def _verify(request: Request, production: str, form: Form) -> Response:
    who = auth.page_principal(request)
    if who is None:
        return RedirectResponse("/signin", status_code=303)
    try:
        auth.member(request, who, production)
        screen = Screen.parse(_first(form, "screen"))
    except NotFound as missing:
        return _missing(request, who, missing)
    if not csrf_matches(who.csrf, _first(form, "csrf") or None):
        refusal = NotAuthorised(
            "This form does not carry your session's CSRF token.", "Reload the page and try again."
        )
        return _render(request, production, screen, status=403, refusal=refusal)
    app = auth.web(request).app()
    audit: Row
    try:
        report = ledgerops.verify(app, production, None)
    except VerificationError as exc:
        audit = {"ok": False, "position": exc.position, "reason": exc.reason}
    else:
        audit = {
            "ok": True,
            "size": report.size,
            "root": report.root_hash,
            "checkpoints": report.checkpoints,
        }
    return _render(request, production, screen, audit=audit)
