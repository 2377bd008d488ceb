"""The pages of two-step sign-in: the code after the password, setting up an authenticator app
(forced at sign-in under ``--mfa required``, or from the account page), and the recovery codes,
shown once.

After the password, the browser holds only a *pending sign-in* (its own HttpOnly, SameSite=Strict
cookie, 5 minutes, kept in the store): these pages complete it, and only then is the session
opened (``auth.set_session_cookie``). Every form carries a CSRF token: the pending sign-in's own
before the session exists, the session's afterwards. Each page is ``no-store``: a secret or a
recovery code is never left in a cache.

A set-up's secret is shown only to whoever started it: the forced set-up to its pending
sign-in (never to one of an account that already has an app), a set-up from the account page
to the form that carries its own token (``setup``), which the start page alone handed out.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from coldcheck.app import otp
from coldcheck.app.accounts import csrf_matches
from coldcheck.app.twostep import Enrolment, MfaPolicy, PendingView
from coldcheck.domain.errors import Conflict, Refusal
from coldcheck.web import auth
from coldcheck.web.auth import Principal, safe_next
from coldcheck.web.labels import qr_svg
from coldcheck.web.pages import _page

router = APIRouter(include_in_schema=False)
ACCOUNT_PAGE = "/account/mfa"
Code = Annotated[str, Form(max_length=64)]
Csrf = Annotated[str, Form(max_length=100)]
Next = Annotated[str, Form(max_length=500)]


def _to(path: str, target: str, **query: str) -> str:
    """``path`` with ``next`` (and ``query``) on it."""
    parts = [f"next={quote(target, safe='/')}"] + [f"{k}={quote(v)}" for k, v in query.items()]
    return f"{path}?{'&'.join(parts)}"


def _start_again(target: str, why: str) -> Response:
    """Back to the password, saying why; the pending cookie is cleared."""
    response = RedirectResponse(_to("/signin", target, error=why), status_code=303)
    auth.clear_pending_cookie(response)
    return response


def _expired(target: str) -> Response:
    return _start_again(
        target,
        "That sign-in waited more than 5 minutes for the code, or was already used. "
        "Sign in again with your username and password.",
    )


def _form_ok(pending: PendingView, csrf: str) -> bool:
    return csrf_matches(pending.csrf, csrf)


# -- the code after the password ---------------------------------------------------------------


def _code_page(
    request: Request,
    pending: PendingView,
    target: str,
    *,
    recovery: bool,
    error: str = "",
    status: int = 200,
) -> Response:
    return _page(
        request,
        "signin_code.html",
        status=status,
        csrf=pending.csrf,
        next=target,
        username=pending.account.username,
        recovery=recovery,
        error=error,
        other_way=_to("/signin/code", target, **({} if recovery else {"recovery": "1"})),
    )


@router.get("/signin/code", response_class=HTMLResponse)
def code_form(request: Request, next: str = "/", recovery: str = "") -> Response:
    target = safe_next(next[:500])
    pending = auth.pending_sign_in(request)
    if pending is None:
        return _expired(target)
    if not pending.enrolled:
        return RedirectResponse(_to("/signin/enrol", target), status_code=303)
    return _code_page(request, pending, target, recovery=bool(recovery))


@router.post("/signin/code", response_class=HTMLResponse)
def code_step(
    request: Request,
    code: Code,
    csrf: Csrf,
    next: Next = "/",
    recovery: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    target = safe_next(next)
    pending = auth.pending_sign_in(request)
    if pending is None:
        return _expired(target)
    if not _form_ok(pending, csrf):
        return _code_page(
            request,
            pending,
            target,
            recovery=bool(recovery),
            status=400,
            error="The form expired. Please type the code again.",
        )
    try:
        signed = auth.two_step(request).code_step(
            pending,
            code,
            client=auth.client(request),
            current_token=auth.session_token(request),
            agent=auth.user_agent(request),
        )
    except Refusal as refusal:
        if auth.pending_sign_in(request) is None:  # too many wrong codes ended it
            return _start_again(target, refusal.line())
        return _code_page(
            request, pending, target, recovery=bool(recovery), status=401, error=refusal.line()
        )
    auth.session_opened(request)
    if signed.recovery_codes_left is None:
        response = RedirectResponse(target, status_code=303)
    else:  # a recovery code: perhaps the phone is lost, so offer to set up a new one
        where = _to(ACCOUNT_PAGE, target, recovered=str(signed.recovery_codes_left))
        response = RedirectResponse(where, status_code=303)
    auth.set_session_cookie(request, response, signed.tokens.token)
    auth.clear_pending_cookie(response)
    return response


# -- setting up an authenticator app -----------------------------------------------------------


def _enrol_page(
    request: Request,
    enrolment: Enrolment,
    *,
    action: str,
    csrf: str,
    target: str,
    who: Principal | None = None,
    forced: bool,
    error: str = "",
    status: int = 200,
) -> Response:
    return _page(
        request,
        "mfa_enrol.html",
        status=status,
        who=who,
        qr=qr_svg(enrolment.uri),
        secret=otp.grouped(enrolment.secret),
        setup=enrolment.token,
        action=action,
        csrf=csrf,
        next=target,
        forced=forced,
        error=error,
    )


def _codes_page(request: Request, codes: list[str], target: str, **context: Any) -> Response:
    return _page(request, "mfa_recovery_codes.html", codes=codes, next=target, **context)


def _sign_in_enrol_page(
    request: Request, pending: PendingView, target: str, *, error: str = "", status: int = 200
) -> Response:
    """The forced set-up of this pending sign-in; an account that has an app meanwhile is
    sent to its code instead (no set-up is ever shown for it)."""
    try:
        enrolment = auth.two_step(request).sign_in_enrolment(pending)
    except Conflict:
        return RedirectResponse(_to("/signin/code", target), status_code=303)
    return _enrol_page(
        request,
        enrolment,
        action="/signin/enrol",
        csrf=pending.csrf,
        target=target,
        forced=True,
        error=error,
        status=status,
    )


@router.get("/signin/enrol", response_class=HTMLResponse)
def enrol_form(request: Request, next: str = "/") -> Response:
    target = safe_next(next[:500])
    pending = auth.pending_sign_in(request)
    if pending is None:
        return _expired(target)
    if pending.enrolled:
        return RedirectResponse(_to("/signin/code", target), status_code=303)
    return _sign_in_enrol_page(request, pending, target)


@router.post("/signin/enrol", response_class=HTMLResponse)
def enrol(request: Request, code: Code, csrf: Csrf, next: Next = "/") -> Response:
    target = safe_next(next)
    pending = auth.pending_sign_in(request)
    if pending is None:
        return _expired(target)
    if pending.enrolled:  # the password alone never sets up an app over an existing one
        return RedirectResponse(_to("/signin/code", target), status_code=303)
    if not _form_ok(pending, csrf):
        return _sign_in_enrol_page(
            request,
            pending,
            target,
            error="The form expired. Please type the code again.",
            status=400,
        )
    try:
        tokens, codes = auth.two_step(request).enrol_and_sign_in(
            pending,
            code,
            client=auth.client(request),
            current_token=auth.session_token(request),
            agent=auth.user_agent(request),
        )
    except Refusal as refusal:
        still = auth.pending_sign_in(request)
        if still is None:  # ended meanwhile (a password change or reset, an administrator)
            return _start_again(target, refusal.line())
        return _sign_in_enrol_page(request, still, target, error=refusal.line(), status=401)
    auth.session_opened(request)
    response = _codes_page(request, codes, target, first=True)
    auth.set_session_cookie(request, response, tokens.token)
    auth.clear_pending_cookie(response)
    return response


# -- the account page: set up, or replace, the app -------------------------------------------


def _signin_first(path: str) -> Response:
    return RedirectResponse(f"/signin?next={quote(path, safe='/')}", status_code=303)


def _account_page(
    request: Request,
    who: Principal,
    target: str,
    *,
    recovered: int | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    service = auth.two_step(request)
    return _page(
        request,
        "mfa_account.html",
        status=status,
        who=who,
        state=service.status(who.account),
        required=service.policy is MfaPolicy.REQUIRED,
        recovered=recovered,
        next=target,
        error=error,
    )


@router.get(ACCOUNT_PAGE, response_class=HTMLResponse)
def account_page(request: Request, next: str = "/", recovered: str = "") -> Response:
    who = auth.page_principal(request)
    if who is None:
        return _signin_first(ACCOUNT_PAGE)
    left = int(recovered) if recovered.isdigit() and len(recovered) < 4 else None
    return _account_page(request, who, safe_next(next[:500]), recovered=left)


@router.post(ACCOUNT_PAGE + "/start", response_class=HTMLResponse)
def start(
    request: Request,
    password: Annotated[str, Form(max_length=200)],
    csrf: Csrf,
    next: Next = "/",
    code: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Re-authentication first (the password, and to replace an app its current code or a
    recovery code), then a new secret to scan."""
    who = auth.page_principal(request)
    if who is None:
        return _signin_first(ACCOUNT_PAGE)
    target = safe_next(next)
    if not csrf_matches(who.csrf, csrf):
        return _account_page(
            request, who, target, status=400, error="The form expired. Please try again."
        )
    try:
        enrolment = auth.two_step(request).start_enrolment(
            who.account, password, code, client=auth.client(request)
        )
    except Refusal as refusal:
        return _account_page(request, who, target, status=401, error=refusal.line())
    return _enrol_page(
        request,
        enrolment,
        action=ACCOUNT_PAGE + "/confirm",
        csrf=who.csrf,
        target=target,
        who=who,
        forced=False,
    )


@router.post(ACCOUNT_PAGE + "/confirm", response_class=HTMLResponse)
def confirm(
    request: Request,
    code: Code,
    csrf: Csrf,
    next: Next = "/",
    setup: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    who = auth.page_principal(request)
    if who is None:
        return _signin_first(ACCOUNT_PAGE)
    target = safe_next(next)
    service = auth.two_step(request)
    account = service.accounts.store.account_by_id(who.account)
    if account is None:
        return _signin_first(ACCOUNT_PAGE)
    if not csrf_matches(who.csrf, csrf):
        return _account_page(
            request, who, target, status=400, error="The form expired. Please start again."
        )
    try:
        codes = service.confirm(
            account,
            code,
            token=setup,
            client=auth.client(request),
            keep_token=auth.session_token(request),
        )
    except Refusal as refusal:
        # The secret is shown again only to the form that started this set-up.
        live = service.enrolment_of(account, setup)
        if live is None:  # over, confirmed elsewhere, or not this form's: start again
            return _account_page(request, who, target, status=409, error=refusal.line())
        return _enrol_page(
            request,
            live,
            action=ACCOUNT_PAGE + "/confirm",
            csrf=who.csrf,
            target=target,
            who=who,
            forced=False,
            error=refusal.line(),
            status=401,
        )
    return _codes_page(request, codes, target, who=who, first=False)
