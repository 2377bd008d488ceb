"""The account page (/account), linked from every page's header beside sign-out: change the
password, and see and end one's sessions.

- Changing the password needs the current one and the new one twice (ASVS 6.2.2, 6.2.3);
  every other session of the account ends (7.4.3).
- "Your sessions" lists the live sessions (7.5.2); ending one or all of the others needs the
  password again. One form holds the password field and a button per session.
- A session signed in with a temporary password is sent here from every other page
  (``PasswordChangeNeeded``) and may only change it; then it goes on to where it was going.

Every form carries the session's CSRF token; every refusal is shown on the page in a sentence,
with nothing changed.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from coldcheck.app import sessions
from coldcheck.app.accounts import MIN_PASSWORD, csrf_matches
from coldcheck.domain.errors import InvalidInput, NotAuthorised, Refusal
from coldcheck.web import account_api, auth, problems
from coldcheck.web.app import TEMPLATES
from coldcheck.web.auth import safe_next

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES))
ACCOUNT = "/account"
Csrf = Annotated[str, Form(max_length=100)]
Secret = Annotated[str, Form(max_length=200)]
Next = Annotated[str, Form(max_length=500)]

# What a redirect back to the page says was done (the query carries a key, never text).
_DONE = {
    "password": "Your password is changed.",
    "ended": "The session is ended: that device is signed out.",
    "ended-others": "Your other sessions are ended: those devices are signed out.",
}


async def password_change_handler(request: Request, exc: Exception) -> Response:
    """A session with a temporary password asked for anything else: the API answers 403
    problem+json; a page sends the browser to the account page, to come back afterwards."""
    if request.url.path.startswith("/api/") and isinstance(exc, Refusal):
        return problems.from_refusal(exc)
    target = safe_next(request.url.path if request.method == "GET" else "/")
    return RedirectResponse(f"{ACCOUNT}?next={quote(target, safe='/')}", status_code=303)


def _page(request: Request, who: auth.Principal, status: int = 200, **context: Any) -> Response:
    found = auth.accounts(request).store.account_by_id(who.account)
    context.setdefault("next", "/")
    context.setdefault("error", "")
    context.setdefault("done", "")
    response = templates.TemplateResponse(
        request,
        "account.html",
        {
            "who": who,
            "account": found,
            "min_password": MIN_PASSWORD,
            "sessions": [] if who.must_change_password else account_api.rows(request, who),
            **context,
        },
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _signin() -> Response:
    return RedirectResponse(f"/signin?next={ACCOUNT}", status_code=303)


def _check_csrf(who: auth.Principal, csrf: str) -> None:
    if not csrf_matches(who.csrf, csrf or None):
        raise NotAuthorised(
            "This form does not carry your session's CSRF token, so nothing was changed.",
            "Reload the page and try again.",
        )


@router.get(ACCOUNT, response_class=HTMLResponse)
def account(request: Request, next: str = "/", done: str = "", count: int = 0) -> Response:
    who = auth.page_principal(request, password_change_ok=True)
    if who is None:
        return _signin()
    message = _DONE.get(done, "")
    if done == "password" and count:
        message += f" {count} other session{'s' * (count != 1)} ended."
    if done == "ended-others":
        message = f"{count} other session{'s' * (count != 1)} ended: those devices are signed out."
    return _page(request, who, next=safe_next(next[:500]), done=message)


@router.post(ACCOUNT + "/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    csrf: Csrf,
    current: Secret,
    new: Secret,
    again: Secret,
    next: Next = "/",
) -> Response:
    who = auth.page_principal(request, password_change_ok=True)
    if who is None:
        return _signin()
    target = safe_next(next)
    try:
        _check_csrf(who, csrf)
        if new != again:
            raise InvalidInput(
                "The two new passwords differ; the password was not changed.",
                "Type the new password twice, the same both times.",
            )
        ended = auth.accounts(request).change_password(
            who.account,
            current,
            new,
            keep_token=auth.session_token(request),
            client=auth.client(request),
        )
    except Refusal as refusal:
        status = problems.STATUS.get(refusal.kind, 409)
        return _page(request, who, status=status, next=target, error=refusal.line())
    if who.must_change_password:  # the temporary password is gone: carry on
        return RedirectResponse(target, status_code=303)
    return RedirectResponse(f"{ACCOUNT}?done=password&count={ended}", status_code=303)


@router.post(ACCOUNT + "/sessions/end-others", response_class=HTMLResponse)
def end_others(request: Request, csrf: Csrf, password: Secret) -> Response:
    who = auth.page_principal(request)
    if who is None:
        return _signin()
    try:
        _check_csrf(who, csrf)
        ended = sessions.end_others(
            auth.accounts(request),
            who.account,
            password,
            current_token=auth.session_token(request) or "",
            client=auth.client(request),
        )
    except Refusal as refusal:
        status = problems.STATUS.get(refusal.kind, 409)
        return _page(request, who, status=status, error=refusal.line())
    return RedirectResponse(f"{ACCOUNT}?done=ended-others&count={ended}", status_code=303)


@router.post(ACCOUNT + "/sessions/{session_id}/end", response_class=HTMLResponse)
def end_one(request: Request, session_id: str, csrf: Csrf, password: Secret) -> Response:
    who = auth.page_principal(request)
    if who is None:
        return _signin()
    try:
        _check_csrf(who, csrf)
        sessions.end_one(
            auth.accounts(request),
            who.account,
            session_id[:64],
            password,
            current_token=auth.session_token(request) or "",
            client=auth.client(request),
        )
    except Refusal as refusal:
        status = problems.STATUS.get(refusal.kind, 409)
        return _page(request, who, status=status, error=refusal.line())
    return RedirectResponse(f"{ACCOUNT}?done=ended", status_code=303)
