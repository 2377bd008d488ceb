"""Who is asking: the session cookie, CSRF tokens, production membership, idempotency.

Every API request and page resolves the session from the store (never process memory), so any
worker answers the same. An account acts as one person per production; a production the account
does not belong to answers 404, as if it did not exist. Every state-changing request carries
the session's CSRF token (the ``X-CSRF-Token`` header, or the form's ``csrf`` field).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from coldcheck.app import refs
from coldcheck.app.accounts import (
    ABSOLUTE_LIFETIME,
    IDEMPOTENCY_RETENTION,
    Accounts,
    SessionTokens,
    csrf_matches,
    token_hash,
)
from coldcheck.app.lockout import LOCKOUT_DURATION, LOCKOUT_THRESHOLD, LOCKOUT_WINDOW, lock_until
from coldcheck.app.twostep import PENDING_LIFETIME, Pending, PendingView, TwoStep
from coldcheck.domain.errors import (
    Conflict,
    InvalidInput,
    NotAuthorised,
    NotFound,
    Refusal,
    WrongPin,
)
from coldcheck.store.accounts import AuthEventKind
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from coldcheck.web import agents
from coldcheck.web.app import Web
from coldcheck.web.problems import PROBLEM

PENDING = 0  # an idempotency key claimed by a command still running

_T = TypeVar("_T")
COOKIE = "coldcheck_session"
PENDING_COOKIE = "coldcheck_pending"  # a sign-in past the password, waiting for the code
CSRF_HEADER = "X-CSRF-Token"
_accounts = threading.local()


class SignInNeeded(Refusal):
    """No valid session: sign in first (HTTP 401)."""

    kind = "sign-in-needed"


class PasswordChangeNeeded(Refusal):
    """The session was signed in with a temporary password: it may do nothing but change it
    (HTTP 403 for the API; pages redirect to /account)."""

    kind = "password-change-needed"


@dataclass(frozen=True, slots=True)
class Principal:
    account: str
    username: str
    csrf: str
    session: str = ""  # the session's public id
    must_change_password: bool = False  # signed in with a temporary password


def web(request: Request) -> Web:
    found: Web = request.app.state.web
    return found


# -- cookie names ------------------------------------------------------------------------------

HOST_PREFIX = "__Host-"


def cookie_name(request: Request, name: str) -> str:
    """The name every cookie of this app is read and written under: with Secure cookies
    (``coldcheck serve --secure-cookies``, behind TLS) it carries the ``__Host-`` prefix, so a
    browser takes it only if it is Secure, for Path=/ and without a Domain: a sibling host or a
    plain-HTTP page cannot plant or overwrite it. Without TLS a browser refuses a Secure
    cookie, so the plain name is used."""
    return f"{HOST_PREFIX}{name}" if web(request).secure_cookies else name


def session_token(request: Request) -> str | None:
    """The session cookie's token, if the browser sent one."""
    return request.cookies.get(cookie_name(request, COOKIE))


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """Set one of this app's cookies: HttpOnly, SameSite=Strict, Path=/, no Domain; Secure and
    ``__Host-`` prefixed behind TLS."""
    response.set_cookie(
        cookie_name(request, name),
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=web(request).secure_cookies,
        path="/",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    """Remove one of this app's cookies (with the attributes it was set with, or a browser
    ignores the removal of a ``__Host-`` cookie)."""
    response.delete_cookie(
        cookie_name(request, name),
        path="/",
        httponly=True,
        samesite="strict",
        secure=web(request).secure_cookies,
    )


def accounts(request: Request) -> Accounts:
    """This thread's accounts service on the store (its own connection)."""
    w = web(request)
    found: Accounts | None = getattr(_accounts, str(id(w)), None)
    if found is None:
        store = SqliteAccountStore(
            w.settings.db, create=True, synchronous=w.settings.sqlite_synchronous
        )
        found = Accounts(store, clock=w.clock)
        setattr(_accounts, str(id(w)), found)
    return found


def client(request: Request) -> str:
    return request.client.host if request.client else ""


def user_agent(request: Request) -> str:
    """The browser, described briefly, for the list of one's sessions."""
    return agents.describe(request.headers.get("user-agent"))


def two_step(request: Request) -> TwoStep:
    """The second factor of sign-in, under this node's policy (``coldcheck serve --mfa``)."""
    return TwoStep(accounts(request), web(request).mfa)


def _resolve(request: Request, *, password_change_ok: bool = False) -> Principal | None:
    """The signed-in account, or None. A session signed in with a temporary password raises
    PasswordChangeNeeded unless ``password_change_ok`` (the account page, sign-out)."""
    found = accounts(request).resolve(session_token(request), client=client(request))
    if found is None:
        return None
    if not two_step(request).session_allowed(found.account):
        return None  # a password-only session, from before this node required a code
    if found.must_change_password and not password_change_ok:
        raise password_change_needed()
    return Principal(
        account=found.account,
        username=found.username,
        csrf=found.csrf,
        session=found.id,
        must_change_password=found.must_change_password,
    )


def password_change_needed() -> PasswordChangeNeeded:
    return PasswordChangeNeeded(
        "You signed in with a temporary password: choose a password of your own before "
        "anything else.",
        "Change it on the account page (/account) or with POST /api/account/password, giving "
        "the temporary password as the current one.",
    )


def sign_in_needed() -> SignInNeeded:
    return SignInNeeded(
        "You are not signed in, or your session has ended.",
        "Sign in again (POST /api/session or the sign-in page).",
    )


def signed_in(request: Request, *, password_change_ok: bool = False) -> Principal:
    """The API's dependency: the signed-in account, or 401 (403 for a session that must change
    its temporary password first, unless ``password_change_ok``)."""
    found = _resolve(request, password_change_ok=password_change_ok)
    if found is None:
        raise sign_in_needed()
    return found


def page_principal(request: Request, *, password_change_ok: bool = False) -> Principal | None:
    """The signed-in account of a page, or None (the page sends the browser to sign in)."""
    return _resolve(request, password_change_ok=password_change_ok)


def still_signed_in(request: Request) -> bool:
    """Whether the request's session is still live, without counting this as use: a board
    left open streams its updates, but does not keep an idle session alive."""
    token = session_token(request)
    if not token:
        return False
    found = accounts(request).store.session(token_hash(token))
    now = web(request).clock()
    return (
        found is not None
        and not found.ended
        and now < found.idle_expires
        and now < found.absolute_expires
    )


def check_csrf(request: Request, who: Principal) -> None:
    if not csrf_matches(who.csrf, request.headers.get(CSRF_HEADER)):
        raise NotAuthorised(
            "This request does not carry your session's CSRF token.",
            f"Send the token from sign-in in the {CSRF_HEADER} header.",
        )


def member(request: Request, who: Principal, production: str) -> str:
    """The person ``who`` acts as in ``production``; 404 when it is not theirs."""
    person = accounts(request).store.member(who.account, production)
    app = web(request).app()
    if person is None or production not in app.store.productions():
        raise NotFound(
            f"There is no production {production!r} for you.",
            "See GET /api/productions for yours.",
        )
    if person not in app.state(production).people:
        raise NotFound(f"You are not a person of {production}.", "Ask to be registered.")
    return person


def memberships(request: Request, who: Principal) -> list[dict[str, Any]]:
    app = web(request).app()
    known = set(app.store.productions())
    rows = []
    for m in accounts(request).store.memberships(who.account):
        if m.production not in known:
            continue
        state = app.state(m.production)
        person = state.people.get(m.person)
        if person is None:
            continue
        rows.append(
            {
                "production": m.production,
                "name": state.name,
                "person": person.id,
                "person_name": person.name,
                "roles": sorted(r.value for r in person.roles),
            }
        )
    return rows


def sign_in(
    request: Request, username: str, password: str, code: str | None = None
) -> tuple[str, str]:
    """The API's sign-in, in one request: the password, and the code of an account with an
    authenticator app (or a recovery code)."""
    signed = two_step(request).sign_in(
        username,
        password,
        code,
        client=client(request),
        current_token=session_token(request),
        agent=user_agent(request),
    )
    session_opened(request)
    return signed.tokens.token, signed.tokens.csrf


def begin_sign_in(request: Request, username: str, password: str) -> SessionTokens | Pending:
    """The sign-in page's password step: a session, or a pending sign-in that the code (or
    the setting up of an authenticator app) completes."""
    found = two_step(request).password_step(
        username,
        password,
        client=client(request),
        current_token=session_token(request),
        agent=user_agent(request),
    )
    if isinstance(found, SessionTokens):
        session_opened(request)
    return found


def session_opened(request: Request) -> None:
    """After every sign-in: stored answers to idempotency keys are kept a day; each sign-in
    clears older ones."""
    accounts(request).store.purge_idempotency(web(request).clock() - IDEMPOTENCY_RETENTION)


def pending_sign_in(request: Request) -> PendingView | None:
    """The browser's live pending sign-in (its own cookie), or None."""
    return two_step(request).pending(request.cookies.get(cookie_name(request, PENDING_COOKIE)))


def set_pending_cookie(request: Request, response: Response, token: str) -> None:
    set_cookie(request, response, PENDING_COOKIE, token, int(PENDING_LIFETIME.total_seconds()))


def clear_pending_cookie(response: Response) -> None:
    """Clear the pending sign-in's cookie under both of its names (its callers do not have the
    request at hand): a browser ignores the one that does not apply."""
    for secure in (False, True):
        response.delete_cookie(
            f"{HOST_PREFIX}{PENDING_COOKIE}" if secure else PENDING_COOKIE,
            path="/",
            httponly=True,
            samesite="strict",
            secure=secure,
        )


def sign_out(request: Request) -> None:
    accounts(request).sign_out(session_token(request), client=client(request))


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    set_cookie(request, response, COOKIE, token, int(ABSOLUTE_LIFETIME.total_seconds()))


def clear_session_cookie(request: Request, response: Response) -> None:
    clear_cookie(request, response, COOKIE)


def claim(
    request: Request, who: Principal, key: str | None, fingerprint: str
) -> JSONResponse | None:
    """Claim an idempotency key before the command runs, so that a retry arriving while the
    first try still runs can never record it twice. None: go ahead (no key, or the claim is
    ours); otherwise the stored answer to repeat. A key still being carried out is a 409."""
    if not key:
        return None
    mine = json.dumps({"pending": secrets.token_hex(16)})
    stored = accounts(request).store.idempotent_put(
        account=who.account,
        key=key,
        fingerprint=fingerprint,
        status=PENDING,
        body=mine,
        created=web(request).clock(),
    )
    if stored.fingerprint != fingerprint:
        raise InvalidInput(
            "This Idempotency-Key was used for another request.",
            "Use a new key for a new command.",
        )
    if stored.status == PENDING:
        if stored.body == mine:
            return None
        raise Conflict(
            "The same request is still being carried out.", "Wait a moment and retry it."
        )
    media = PROBLEM if stored.status >= 400 else "application/json"
    return JSONResponse(
        json.loads(stored.body),
        status_code=stored.status,
        media_type=media,
        headers={"Idempotent-Replayed": "true"},
    )


def complete(request: Request, who: Principal, key: str | None, response: Response) -> None:
    """Store the answer to a claimed key, to repeat it to any retry."""
    if key:
        accounts(request).store.idempotent_complete(
            account=who.account,
            key=key,
            status=response.status_code,
            body=bytes(response.body).decode(),
        )


def release(request: Request, who: Principal, key: str | None) -> None:
    if key:
        accounts(request).store.idempotent_release(who.account, key)


def safe_next(path: str) -> str:
    """``path`` when it is a path on this server, else ``/``: never an open redirect."""
    if (
        not path.startswith("/")
        or path.startswith(("//", "/\\"))
        or "\\" in path
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path)
    ):
        return "/"
    return path


# -- attesting on a shared device, and the PIN attempt limit ----------------------------------

# Attestations that the person present makes on whichever device is at hand (the armorer's
# tablet): their own PIN opens their own key and signs the entry as them.
ATTESTABLE = frozenset({"witness", "accept", "attend"})


def acting_person(
    request: Request, who: Principal, production: str, action: str, attester: str | None
) -> str:
    """Who acts: the signed-in person, or for an attestation the person present who attests
    with their own PIN."""
    person = member(request, who, production)
    if not attester or attester == person:
        return person
    if action not in ATTESTABLE:
        raise NotAuthorised(
            "Only witnessing a check, accepting a hand-off and confirming a safety meeting can "
            "be attested on this device by someone else.",
            "Sign in as that person to do anything else.",
        )
    return refs.person(web(request).app().state(production), attester)


def pin_guarded(
    request: Request, who: Principal, production: str, person: str, run: Callable[[], _T]
) -> _T:
    """Run a PIN-signed command, with PIN guessing limited: after LOCKOUT_THRESHOLD wrong PINs
    for a person within LOCKOUT_WINDOW, their PIN is not tried for LOCKOUT_DURATION. Each
    wrong PIN is in the sign-in log, under ``pin:<production>:<person>``."""
    key = f"pin:{production}:{person}"
    store = accounts(request).store
    now = web(request).clock()
    # the attempt is claimed before the PIN is tried, in one write with reading the count (PINs
    # being tried elsewhere at this moment count as wrong), so concurrent guesses cannot race it
    claim = store.claim_attempt(
        username=key, client="", time=now, since=now - LOCKOUT_WINDOW - LOCKOUT_DURATION
    )
    try:
        until = lock_until(claim.failures)
        if until is not None and now < until:
            raise NotAuthorised(
                f"PIN entry for {person} is paused until {until.strftime('%H:%M')} UTC after "
                f"{LOCKOUT_THRESHOLD} wrong PINs.",
                "Wait, and make sure the person types their own PIN.",
            )
        try:
            return run()
        except WrongPin:
            store.record_event(
                time=now,
                kind=AuthEventKind.FAILURE,
                username=key,
                account=who.account,
                client=client(request),
            )
            raise
    finally:
        store.release_attempt(claim.id)
