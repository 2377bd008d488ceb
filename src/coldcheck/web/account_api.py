"""The JSON API of one's own account: the password and the sessions (docs/api.md, "Your
account").

- ``GET /api/account``: who the account is, and whether it must change a temporary password.
- ``POST /api/account/password``: change the password (the current one and a new one); every
  other session of the account ends (ASVS 6.2.2, 6.2.3, 7.4.3).
- ``GET /api/account/sessions``: the account's live sessions (ASVS 7.5.2), each named by its
  public id, never by its token's hash.
- ``POST /api/account/sessions/{id}/end`` and ``POST /api/account/sessions/end-others``: end one
  or every other session, with the password typed again.

Every POST carries the CSRF header. A session signed in with a temporary password may use
the first two only (and ``GET``/``DELETE /api/session``); everything else answers 403
``password-change-needed``. Refusals are problem+json, as everywhere in the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from coldcheck.app import sessions
from coldcheck.store.accounts import Session
from coldcheck.web import auth
from coldcheck.web.api import PROBLEM_RESPONSES, AnySigned, ProblemRoute, Signed

router = APIRouter(prefix="/api/account", tags=["account"], route_class=ProblemRoute)

SessionId = Annotated[
    str, Path(min_length=1, max_length=64, description="The session's public id.")
]


class AccountOut(BaseModel):
    account: str
    username: str
    display_name: str
    must_change_password: bool = Field(
        description="Signed in with a temporary password: change it before anything else."
    )
    temporary_until: datetime | None = Field(
        default=None, description="When the temporary password stops working, if it is one."
    )


class PasswordChange(BaseModel):
    current: str = Field(max_length=200, description="The current (or temporary) password.")
    new: str = Field(max_length=200, description="12 to 128 characters, any characters.")


class PasswordChanged(BaseModel):
    other_sessions_ended: int = Field(description="Every other session of the account ends.")


class SessionOut(BaseModel):
    id: str = Field(description="The session's public id (for ending it).")
    signed_in: datetime
    last_seen: datetime = Field(description="Written at most once a minute.")
    idle_expires: datetime
    absolute_expires: datetime
    client: str = Field(description="The network address it signed in from.")
    browser: str = Field(description="The browser it signed in with, as it described itself.")
    current: bool = Field(description="The session making this request.")


class Password(BaseModel):
    password: str = Field(max_length=200, description="Your password, typed again.")


class Ended(BaseModel):
    ended: int = Field(description="How many sessions were ended.")


def rows(request: Request, who: auth.Principal) -> list[SessionOut]:
    """The account's live sessions, newest sign-in first (the page shows the same)."""
    return [_row(s, who) for s in sessions.live(auth.accounts(request), who.account)]


def _row(session: Session, who: auth.Principal) -> SessionOut:
    return SessionOut(
        id=session.id,
        signed_in=session.created,
        last_seen=session.last_seen,
        idle_expires=session.idle_expires,
        absolute_expires=session.absolute_expires,
        client=session.client,
        browser=session.agent or "Unknown browser",
        current=session.id == who.session,
    )


@router.get("", response_model=AccountOut, responses=PROBLEM_RESPONSES)
def account(request: Request, who: AnySigned) -> AccountOut:
    """The signed-in account, and whether it must change a temporary password first."""
    found = auth.accounts(request).store.account_by_id(who.account)
    if found is None:
        raise auth.sign_in_needed()
    return AccountOut(
        account=found.id,
        username=found.username,
        display_name=found.display_name,
        must_change_password=found.must_change_password,
        temporary_until=found.temporary_until,
    )


@router.post("/password", response_model=PasswordChanged, responses=PROBLEM_RESPONSES)
def change_password(request: Request, body: PasswordChange, who: AnySigned) -> PasswordChanged:
    """Change the password: the current one (403 if wrong, counted toward the lockout) and a
    new one (422 with the reason if it is too weak). Every other session ends; this one
    continues, free of a temporary password's restriction."""
    auth.check_csrf(request, who)
    ended = auth.accounts(request).change_password(
        who.account,
        body.current,
        body.new,
        keep_token=auth.session_token(request),
        client=auth.client(request),
    )
    return PasswordChanged(other_sessions_ended=ended)


@router.get("/sessions", response_model=list[SessionOut], responses=PROBLEM_RESPONSES)
def list_sessions(request: Request, who: Signed) -> list[SessionOut]:
    """Your live sessions: when each signed in and was last used, from where, which is this."""
    return rows(request, who)


@router.post("/sessions/end-others", response_model=Ended, responses=PROBLEM_RESPONSES)
def end_others(request: Request, body: Password, who: Signed) -> Ended:
    """End every other session of yours (your password again: 403 if wrong)."""
    auth.check_csrf(request, who)
    ended = sessions.end_others(
        auth.accounts(request),
        who.account,
        body.password,
        current_token=auth.session_token(request) or "",
        client=auth.client(request),
    )
    return Ended(ended=ended)


@router.post("/sessions/{session_id}/end", response_model=Ended, responses=PROBLEM_RESPONSES)
def end_one(request: Request, session_id: SessionId, body: Password, who: Signed) -> Ended:
    """End one other session of yours (your password again: 403 if wrong; 404 if it is not a
    live session of yours; 422 for this very session: sign out instead)."""
    auth.check_csrf(request, who)
    sessions.end_one(
        auth.accounts(request),
        who.account,
        session_id,
        body.password,
        current_token=auth.session_token(request) or "",
        client=auth.client(request),
    )
    return Ended(ended=1)
