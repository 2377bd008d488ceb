"""Server-rendered pages: sign-in, the productions list, and the live board.

The board renders the same read models as ``GET /api/productions/{p}/board`` and ``coldcheck
status``. It updates itself over server-sent events: the stream reports the ledger's head
position, and the page then fetches the board again. When the stream drops, the page says so
and marks the board as possibly stale. The stream follows the production's ledger head, read
from the store by whichever worker serves it.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from coldcheck.app import queries
from coldcheck.app.accounts import csrf_matches
from coldcheck.app.twostep import Pending
from coldcheck.domain.errors import Refusal
from coldcheck.web import auth
from coldcheck.web.app import STATIC, TEMPLATES, Web
from coldcheck.web.auth import safe_next

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES))
LOGIN_CSRF = "coldcheck_signin"
POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, error: str = "", next: str = "/") -> Response:
    token = secrets.token_urlsafe(24)
    response = _page(
        request, "signin.html", csrf=token, error=error[:200], next=safe_next(next[:500])
    )
    auth.set_cookie(request, response, LOGIN_CSRF, token, 900)
    return response


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    target = safe_next(next)
    expected = request.cookies.get(auth.cookie_name(request, LOGIN_CSRF), "")
    if not expected or not csrf_matches(expected, csrf):
        return _page(
            request,
            "signin.html",
            status=400,
            csrf=expected,
            next=target,
            error="The sign-in form expired. Please try again.",
        )
    try:
        step = auth.begin_sign_in(request, username, password)
    except Refusal as refusal:
        return _page(
            request, "signin.html", status=401, csrf=expected, next=target, error=refusal.line()
        )
    if isinstance(step, Pending):  # the code next, or setting up an authenticator app first
        where = "/signin/enrol" if step.enrol else "/signin/code"
        response = RedirectResponse(f"{where}?next={quote(target, safe='/')}", status_code=303)
        auth.set_pending_cookie(request, response, step.token)
    else:
        response = RedirectResponse(target, status_code=303)
        auth.set_session_cookie(request, response, step.token)
    auth.clear_cookie(request, response, LOGIN_CSRF)
    return response


@router.post("/signout")
def signout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    who = auth.page_principal(request, password_change_ok=True)
    if who is not None and csrf_matches(who.csrf, csrf):
        auth.sign_out(request)
    response = RedirectResponse("/signin", status_code=303)
    auth.clear_session_cookie(request, response)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    who = auth.page_principal(request)
    if who is None:
        return RedirectResponse("/signin", status_code=303)
    mine = auth.memberships(request, who)
    if len(mine) == 1:
        return RedirectResponse(f"/p/{mine[0]['production']}", status_code=303)
    return _page(request, "productions.html", who=who, productions=mine)


def _board(request: Request, production: str) -> dict[str, Any] | None:
    who = auth.page_principal(request)
    if who is None:
        return None
    person = auth.member(request, who, production)
    web = auth.web(request)
    app = web.app()
    state = app.state(production)
    now = web.clock()
    return {
        "who": who,
        "person": state.people[person],
        "production": production,
        "summary": queries.summary(state, now),
        "firearms": queries.status(state, now),
        "version": _head(web, production),
    }


def _head(web: Web, production: str) -> int:
    """The production's newest ledger position: what the board shows changes only with it."""
    head = web.app().store.head(production)
    return head.seq if head else 0


@router.get("/p/{production}", response_class=HTMLResponse)
def board(request: Request, production: str) -> Response:
    context = _board(request, production)
    if context is None:
        return RedirectResponse(f"/signin?next=/p/{quote(production)}", status_code=303)
    return _page(request, "board.html", **context)


@router.get("/p/{production}/board", response_class=HTMLResponse)
def board_fragment(request: Request, production: str) -> Response:
    """The board's body alone, fetched by the page when the stream says it changed."""
    context = _board(request, production)
    if context is None:
        return Response(status_code=401)
    return _page(request, "_board.html", **context)


@router.get("/p/{production}/events")
async def events(request: Request, production: str) -> Response:
    """Server-sent events: ``change`` with the ledger's head whenever it moves, and a
    heartbeat, so the page knows both that the board changed and that it is still connected."""
    who = auth.page_principal(request)
    if who is None:
        return Response(status_code=401)
    auth.member(request, who, production)
    web = auth.web(request)

    async def stream() -> AsyncIterator[str]:
        seen = -1
        quiet = 0.0
        yield "retry: 3000\n\n"
        while not await request.is_disconnected():
            version = await asyncio.to_thread(_head, web, production)
            if version != seen:
                seen = version
                quiet = 0.0
                yield f"event: change\ndata: {version}\n\n"
            elif quiet >= HEARTBEAT_SECONDS:
                quiet = 0.0
                if not await asyncio.to_thread(auth.still_signed_in, request):
                    yield "event: signed-out\ndata: sign in again\n\n"
                    return
                yield "event: heartbeat\ndata: ok\n\n"
            await asyncio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
