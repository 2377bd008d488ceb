"""The JSON API: every read model and every command of the action catalogue.

Reads are GET; commands are ``POST /api/productions/{production}/actions/{action}`` with the
action's arguments (the catalogue at ``GET /api/actions``), the actor's PIN for the actions
they sign, and an ``Idempotency-Key`` header so that a retry over a flaky set connection never
records a command twice. The actor is always the signed-in person of that production.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import APIKeyCookie
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from coldcheck.app import ledgerops, queries
from coldcheck.app.accounts import request_fingerprint
from coldcheck.app.actions import ACTIONS, WHOSE
from coldcheck.app.catalogue import rows as rule_rows
from coldcheck.app.dispatch import CALLS
from coldcheck.app.journal import Appended
from coldcheck.domain.errors import InvalidInput, NotFound, Refusal
from coldcheck.domain.state import ProductionState
from coldcheck.ledger.errors import VerificationError
from coldcheck.web import arguments, auth, problems
from coldcheck.web.app import Web
from coldcheck.web.problems import PROBLEM


class ProblemRoute(APIRoute):
    """A request the document rules out (no body, a body that is not JSON text, a query out
    of range) answers 422 application/problem+json, like every other malformed value, not
    in FastAPI's own error shapes. Authentication comes first: FastAPI reads the body before
    it runs the sign-in dependency, so a signed-out request with a malformed body would say
    422; on a route that needs a session it says 401, as any signed-out request does."""

    def _needs_session(self) -> bool:
        return any(d.call in SESSION_DEPENDENCIES for d in self.dependant.dependencies)

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()
        needs_session = self._needs_session()
        # A route that a session with a temporary password may use checks the session alone.
        lenient = any(d.call is _signed_in_any for d in self.dependant.dependencies)

        async def route(request: Request) -> Response:
            try:
                response: Response = await handler(request)
            except (RequestValidationError, HTTPException) as exc:
                if needs_session and not await run_in_threadpool(
                    partial(auth.page_principal, request, password_change_ok=lenient)
                ):
                    return problems.from_refusal(auth.sign_in_needed())
                if isinstance(exc, RequestValidationError):
                    return problems.from_validation(exc)
                if exc.status_code != 400:  # FastAPI's "error parsing the body" (Starlette's)
                    raise
                return problems.problem(
                    422,
                    "invalid-input",
                    "Invalid input",
                    "The request body is not JSON text in UTF-8.",
                    rule=None,
                    remedy="Send the body as application/json.",
                )
            return response

        return route


router = APIRouter(prefix="/api", tags=["api"], route_class=ProblemRoute)
Row = dict[str, Any]


class Problem(BaseModel):
    """RFC 9457 problem details, as every refusal is answered."""

    type: str = Field(description="https://coldcheck.dev/problems/<kind>")
    title: str
    status: int
    detail: str = Field(description="What happened, in one sentence a person on set reads.")
    rule: str | None = Field(default=None, description="The protocol rule (R-01…R-58), if any.")
    remedy: str = Field(default="", description="What to do instead.")
    errors: list[dict[str, str]] = Field(
        default_factory=list, description="A malformed request's errors, each located."
    )


_PROBLEM_SCHEMA = Problem.model_json_schema()
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": why, "content": {PROBLEM: {"schema": _PROBLEM_SCHEMA}}}
    for status, why in (
        (401, "Not signed in"),
        (403, "Not allowed (rule id in the body)"),
        (404, "Not found, or not a production of yours"),
        (409, "Refused by a protocol rule (rule id in the body) or a conflict"),
        (422, "Invalid input"),
        (503, "The store is unavailable: retry, with the same Idempotency-Key"),
    )
}


class ActionRequest(BaseModel):
    """A command: its arguments (see GET /api/actions) and, for signed actions, the PIN."""

    args: dict[str, Any] = Field(default_factory=dict)
    pin: str | None = Field(default=None, description="The actor's PIN, for signed actions.")
    attester: str | None = Field(
        default=None,
        max_length=120,
        description="For witness and accept only: the person present (id or name) who attests "
        "on this device with their own PIN, instead of the signed-in person.",
    )


class EventOut(BaseModel):
    seq: int
    type: str
    payload: dict[str, Any]


class ActionResult(BaseModel):
    action: str
    events: list[EventOut]
    incidents: list[dict[str, Any]]
    alerts: list[dict[str, Any]]


SESSION = APIKeyCookie(
    name=auth.COOKIE,
    scheme_name="session",
    description="The HttpOnly session cookie set by POST /api/session (named "
    f"{auth.HOST_PREFIX}{auth.COOKIE} when the node serves over TLS with Secure cookies). "
    "Every POST and DELETE also sends the session's CSRF token in the "
    f"{auth.CSRF_HEADER} header.",
    auto_error=False,
)


def _signed_in(request: Request, _: Annotated[str | None, Security(SESSION)]) -> auth.Principal:
    """auth.signed_in, declared in the OpenAPI document as the session cookie scheme."""
    return auth.signed_in(request)


Signed = Annotated[auth.Principal, Depends(_signed_in)]


def _signed_in_any(request: Request, _: Annotated[str | None, Security(SESSION)]) -> auth.Principal:
    """Like ``_signed_in``, but also a session that must change its temporary password first:
    for the few routes it may use (who am I, sign-out, the password change)."""
    return auth.signed_in(request, password_change_ok=True)


AnySigned = Annotated[auth.Principal, Depends(_signed_in_any)]
SESSION_DEPENDENCIES = (_signed_in, _signed_in_any)


class SignIn(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=200)
    code: str | None = Field(
        default=None,
        max_length=64,
        description="For an account with an authenticator app: the 6-digit code it shows now, "
        "or one of the account's single-use recovery codes.",
    )


class SessionOut(BaseModel):
    account: str
    username: str
    csrf: str = Field(description=f"Send it in the {auth.CSRF_HEADER} header of every POST.")
    must_change_password: bool = Field(
        default=False,
        description="Signed in with a temporary password: until POST /api/account/password "
        "changes it, every other request answers 403 password-change-needed.",
    )


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/session", response_model=SessionOut, responses=PROBLEM_RESPONSES)
def open_session(request: Request, body: SignIn) -> JSONResponse:
    """Sign in: sets the HttpOnly session cookie and returns the CSRF token. An account with
    an authenticator app also sends its current code (401 code-needed or wrong-code
    otherwise); an account that must set one up first does so on the sign-in page (403
    enrolment-needed)."""
    token, csrf = auth.sign_in(request, body.username, body.password, body.code)
    found = auth.accounts(request).store.account_by_username(body.username.strip().casefold())
    response = JSONResponse(
        {
            "account": found.id if found else "",
            "username": found.username if found else "",
            "csrf": csrf,
            "must_change_password": bool(found and found.must_change_password),
        }
    )
    auth.set_session_cookie(request, response, token)
    return response


@router.get("/session", response_model=SessionOut, responses=PROBLEM_RESPONSES)
def current_session(who: AnySigned) -> SessionOut:
    """Who is signed in, and the session's CSRF token."""
    return SessionOut(
        account=who.account,
        username=who.username,
        csrf=who.csrf,
        must_change_password=who.must_change_password,
    )


@router.delete("/session", status_code=204, responses=PROBLEM_RESPONSES)
def close_session(request: Request, who: AnySigned) -> Response:
    """Sign out: the session ends on the server; the cookie is cleared."""
    auth.check_csrf(request, who)
    auth.sign_out(request)
    response = Response(status_code=204)
    auth.clear_session_cookie(request, response)
    return response


@router.get("/actions", responses=PROBLEM_RESPONSES)
def actions(_: Signed) -> list[Row]:
    """The action catalogue: every command, whose it is (roles), its arguments, and whether it
    is PIN-signed."""
    return [
        {
            "action": spec.name,
            "help": spec.help,
            "by": sorted(role.value for role in WHOSE[spec.name]),
            "signed": spec.signed,
            "one_of": list(spec.one_of),
            "args": [
                {
                    "name": a.name,
                    "kind": a.kind.value,
                    "required": a.required,
                    "choices": list(a.choices),
                    "help": a.help,
                }
                for a in spec.args
            ],
        }
        for spec in ACTIONS.values()
    ]


@router.get("/rules")
def rules() -> list[Row]:
    """The rule catalogue R-01…R-58 with each rule's treatment and status."""
    return rule_rows()


@router.get("/productions", responses=PROBLEM_RESPONSES)
def productions(request: Request, who: Signed) -> list[Row]:
    """The productions the signed-in account belongs to, and who it is in each."""
    return auth.memberships(request, who)


def _production(request: Request, who: auth.Principal, production: str) -> str:
    """The signed-in person's id in ``production`` (404 for anyone else's production)."""
    return auth.member(request, who, production)


@router.get("/productions/{production}/board", responses=PROBLEM_RESPONSES)
def board(request: Request, production: str, who: Signed) -> Row:
    """Stop-work, the day, and every firearm: where, with whom, load state, what may be
    announced; the alerts. The 1st AD's one glance."""
    _production(request, who, production)
    web = auth.web(request)
    state = web.app().state(production)
    now = web.clock()
    return {"summary": queries.summary(state, now), "firearms": queries.status(state, now)}


_STATE_VIEWS: dict[str, Callable[[ProductionState], list[Row]]] = {
    "lots": queries.lots,
    "incidents": queries.incidents,
    "concerns": queries.concerns,
    "plans": queries.plans,
    "meetings": queries.meetings,
    "people": queries.people,
    "firearms": queries.firearms,
    "stores": queries.stores,
    "settings": queries.settings,
    "waivers": queries.waivers,
}
VIEWS = ("alerts", *_STATE_VIEWS)


@router.get("/productions/{production}/views/{view}", responses=PROBLEM_RESPONSES)
def view(request: Request, production: str, view: str, who: Signed) -> list[Row]:
    """One read model: alerts, lots, incidents, concerns, plans, meetings, people, firearms,
    stores, settings or waivers."""
    _production(request, who, production)
    if view not in VIEWS:
        raise NotFound(f"There is no view {view!r}.", f"Views: {', '.join(VIEWS)}.")
    web = auth.web(request)
    state = web.app().state(production)
    if view == "alerts":
        return queries.alerts(state, web.clock())
    return _STATE_VIEWS[view](state)


@router.get("/productions/{production}/log", responses=PROBLEM_RESPONSES)
def log(
    request: Request,
    production: str,
    who: Signed,
    firearm: str | None = None,
    person: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Row]:
    """Ledger entries, newest last (a firearm's or a person's timeline when filtered)."""
    _production(request, who, production)
    app = auth.web(request).app()
    state = app.state(production)
    where = queries.LogFilter(firearm=firearm, person=person)
    return queries.log(app.store, state, where, newest=limit)


@router.post("/productions/{production}/verify", responses=PROBLEM_RESPONSES)
def verify(request: Request, production: str, who: Signed) -> Row:
    """Audit the whole ledger now: chain, signatures, checkpoints, every entry replayed."""
    _production(request, who, production)
    auth.check_csrf(request, who)
    app = auth.web(request).app()
    try:
        report = ledgerops.verify(app, production, None)
    except VerificationError as exc:
        return {"ok": False, "position": exc.position, "reason": exc.reason}
    return {
        "ok": True,
        "size": report.size,
        "root": report.root_hash,
        "checkpoints": report.checkpoints,
        "last_checkpoint": report.last_checkpoint_size,
    }


@router.post(
    "/productions/{production}/actions/{action}",
    status_code=201,
    response_model=ActionResult,
    responses=PROBLEM_RESPONSES,
)
def act(
    request: Request,
    production: str,
    action: str,
    body: ActionRequest,
    who: Signed,
    idempotency_key: Annotated[
        str | None, Header(max_length=100, description="Repeat a request safely.")
    ] = None,
) -> JSONResponse:
    """Carry out one command as the signed-in person; refused with the rule id, or recorded."""
    _production(request, who, production)
    auth.check_csrf(request, who)
    spec = arguments.action(action)
    fingerprint = request_fingerprint(
        "POST",
        request.url.path,
        json.dumps(body.args, sort_keys=True, default=str).encode(),
    )
    replay = auth.claim(request, who, idempotency_key, fingerprint)
    if replay is not None:
        return replay
    try:
        args = arguments.parse(spec, body.args)
        if spec.signed and not body.pin:
            raise InvalidInput(f"{spec.name} is signed with your PIN.", "Send your PIN with it.")
        person = auth.acting_person(request, who, production, spec.name, body.attester)
        web = auth.web(request)
        done = auth.pin_guarded(
            request,
            who,
            production,
            person,
            lambda: CALLS[spec.name](web.app(), production, person, args, body.pin or ""),
        )
        result = _result(web, production, spec.name, done)
    except Refusal as refusal:
        answer = problems.from_refusal(refusal)  # a refusal is the answer to repeat, too
        auth.complete(request, who, idempotency_key, answer)
        return answer
    except BaseException:
        auth.release(request, who, idempotency_key)  # nothing answered: a retry runs again
        raise
    response = JSONResponse(result, status_code=201)
    auth.complete(request, who, idempotency_key, response)
    return response


def _result(web: Web, production: str, action: str, done: Appended) -> Row:
    state = web.app().state(production)
    events = [
        {"seq": done.first_seq + i, "type": e.TYPE, "payload": e.payload()}
        for i, e in enumerate(done.events)
    ]
    opened = [e["payload"] for e in events if e["type"] == "incident.opened"]
    return {
        "action": action,
        "events": events,
        "incidents": opened,
        "alerts": queries.alerts(state, web.clock()),
    }
