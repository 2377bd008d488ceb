"""The account store port: accounts, memberships, sessions, the sign-in log and idempotency.

Everything the web server's workers must share lives here, never in process memory: a
session opened by one worker is resolved by another, a lockout counted by one is seen by all,
and a replayed request finds the first response whatever worker answered it.

What it stores, and what it never stores:

- a password only as an argon2id PHC string (``$argon2id$v=19$m=...``), hashed by the caller;
- a session token only as its SHA-256 (64 hex digits): the raw token exists in the browser's
  cookie and in memory while a request is served, never at rest, so a copy of the database
  does not let anyone take over a session. The store refuses anything but a 64-digit hex hash;
- the sign-in log (``auth_events``) is append-only: there is no method that changes or
  deletes an event, and the SQLite adapter refuses UPDATE and DELETE on that table.

Times are timezone-aware ``datetime`` values; the adapter keeps them in the ledger's one time
format (UTC, microseconds), so that stored times sort as they happened.

The service that decides *when* to call these methods (lockout, timeouts, password rules) is
``coldcheck.app.accounts``; docs/security.md describes both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from coldcheck.store.port import StoreError
from coldcheck.store.second_factor import SecondFactorStore

EVENT_TEXT_MAX = 128  # an event's username and client address are cut to this many characters


class Duplicate(StoreError):
    """A value that must be unique is taken (a username, a person's link); nothing was written."""


class AuthEventKind(StrEnum):
    """What an ``auth_events`` row records."""

    SIGN_IN = "sign_in"  # a successful sign-in: a session was opened
    FAILURE = "failure"  # a wrong username or password (or a disabled account)
    LOCKOUT = "lockout"  # a username became locked, or an attempt was refused while locked
    SIGN_OUT = "sign_out"  # a session was ended by its owner
    EXPIRED = "expired"  # a session lapsed (idle or absolute timeout), seen on its next use
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an event name, not a password)
    ACCOUNT_CREATED = "account_created"
    MFA_FAILURE = "mfa_failure"  # a wrong or replayed second-factor code (counts as a failure)
    MFA_ENROLLED = "mfa_enrolled"  # an authenticator app was set up (new recovery codes too)
    MFA_RESET = "mfa_reset"  # an administrator removed the account's second factor
    RECOVERY_CODE_USED = "recovery_code_used"  # a single-use recovery code signed someone in
    PASSWORD_RESET = "password_reset"  # noqa: S105 (an operator set a temporary password)
    SESSIONS_ENDED = "sessions_ended"  # its owner or an operator ended sessions (not by sign-out)
    # The password was right and a second step is still to come (a code, or setting up an
    # authenticator app): neither a failure nor a sign-in, so the lockout's count goes on.
    PASSWORD_OK = "password_ok"  # noqa: S105 (an event name, not a password)


@dataclass(frozen=True, kw_only=True, slots=True)
class Account:
    """A person's login. ``username`` is casefolded; ``password_hash`` is an argon2id string."""

    id: str  # "A0001", allocated by the store
    username: str
    display_name: str
    password_hash: str = field(repr=False)  # never printed into logs
    created: datetime
    disabled: bool = False
    # A temporary password (system-generated, first or reset): it must be changed at the first
    # sign-in and stops working at this time. None: a password the person chose.
    temporary_until: datetime | None = None

    @property
    def must_change_password(self) -> bool:
        return self.temporary_until is not None


@dataclass(frozen=True, kw_only=True, slots=True)
class Membership:
    """An account acts as exactly one person of a production (and a person has one account)."""

    account: str
    production: str
    person: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Session:
    """A signed-in browser. ``token_hash`` is SHA-256 hex of the cookie's token; ``id`` is a
    short random public id (allocated by the store) that names the session in lists and in
    "end this session" requests, so that the hash never leaves the server."""

    token_hash: str = field(repr=False)
    account: str
    csrf: str = field(repr=False)
    created: datetime
    last_seen: datetime
    idle_expires: datetime
    absolute_expires: datetime
    ended: bool = False
    id: str = ""
    client: str = ""  # the client's address at sign-in, cut to EVENT_TEXT_MAX characters
    agent: str = ""  # a short description of the browser at sign-in ("Firefox on Android")


@dataclass(frozen=True, kw_only=True, slots=True)
class AuthEvent:
    """One row of the sign-in log; ``seq`` orders events as they were recorded."""

    seq: int
    time: datetime
    kind: AuthEventKind
    username: str  # as typed (casefolded), cut to EVENT_TEXT_MAX characters
    account: str | None  # None when no account has that username
    client: str  # the client's address, cut to EVENT_TEXT_MAX characters


@dataclass(frozen=True, kw_only=True, slots=True)
class AttemptClaim:
    """A credential check claimed before it runs (``claim_attempt``), with what the lockout
    counts against it: the failures recorded so far and the attempts other checks claimed
    and have not settled yet (as if they failed), oldest first."""

    id: int
    failures: list[datetime]  # the username's, after its last successful sign-in
    client_failures: list[datetime]  # the client address's, whatever the username


@dataclass(frozen=True, kw_only=True, slots=True)
class IdempotentResponse:
    """The first response to a request carrying an idempotency key, kept to answer replays."""

    account: str
    key: str
    fingerprint: str  # SHA-256 hex of method, path and body
    status: int
    body: str  # JSON text
    created: datetime


class AccountStore(SecondFactorStore, Protocol):
    """The port. Backends: coldcheck.store.sqlite_accounts (and PostgreSQL later). The second
    factor's methods (TOTP, recovery codes, pending sign-ins) are in
    coldcheck.store.second_factor.

    Errors: ``StoreError`` (one sentence saying what to do) when the backend cannot be used;
    its subclass ``Duplicate`` when a unique value is taken. Nothing is written in either case.
    """

    # -- accounts ------------------------------------------------------------------------------

    def add_account(
        self,
        *,
        username: str,
        display_name: str,
        password_hash: str,
        created: datetime,
        temporary_until: datetime | None = None,
    ) -> Account:
        """Add an account with the next free id ("A0001", "A0002", ...); Duplicate if the
        username is taken. ``temporary_until``: the password is a temporary one, valid until
        then."""
        ...

    def account_by_username(self, username: str) -> Account | None:
        """The account with exactly this (already casefolded) username."""
        ...

    def account_by_id(self, account: str) -> Account | None: ...

    def set_password_hash(
        self, account: str, password_hash: str, *, temporary_until: datetime | None = None
    ) -> None:
        """Replace the account's hash (a password change, a reset, or a rehash with new
        parameters) and say whether it is temporary: valid until ``temporary_until`` and to be
        changed at the next sign-in; None, the default, makes it a password of the person's
        own (a rehash passes the account's current ``temporary_until`` on)."""
        ...

    def set_disabled(self, account: str, disabled: bool) -> None:
        """Disable or re-enable an account (its sessions are the caller's to end)."""
        ...

    # -- memberships ---------------------------------------------------------------------------

    def add_membership(self, account: str, production: str, person: str) -> Membership:
        """Link the account to a person of a production; Duplicate if the account already acts
        in that production or the person is linked to another account."""
        ...

    def memberships(self, account: str) -> list[Membership]:
        """The account's memberships, by production."""
        ...

    def member(self, account: str, production: str) -> str | None:
        """The person the account acts as in the production, or None."""
        ...

    # -- sessions ------------------------------------------------------------------------------

    def new_session(
        self,
        *,
        token_hash: str,
        account: str,
        csrf: str,
        created: datetime,
        idle_expires: datetime,
        absolute_expires: datetime,
        client: str = "",
        agent: str = "",
    ) -> Session:
        """Store a new session (last seen at ``created``) under a new random public ``id``,
        with the client's address and browser (each cut to EVENT_TEXT_MAX characters);
        Duplicate if the hash exists."""
        ...

    def session(self, token_hash: str) -> Session | None:
        """The session with this token hash, ended or not."""
        ...

    def touch_session(
        self, token_hash: str, *, last_seen: datetime, idle_expires: datetime
    ) -> bool:
        """Record use of a live session; False if it is unknown or ended."""
        ...

    def end_session(self, token_hash: str) -> bool:
        """End a session; True only for the one call that ended a live session, so that
        concurrent workers record its end once."""
        ...

    def end_sessions_of(self, account: str, *, keep: str | None = None) -> int:
        """End every live session of the account except the one hashed ``keep``, every
        sign-in of it still waiting for its second step, and remove every authenticator app
        it is still setting up; all in one transaction. The count of sessions ended."""
        ...

    def sessions_of(self, account: str) -> list[Session]:
        """The account's sessions not ended (lapsed ones included: the caller compares the
        expiries), newest sign-in first."""
        ...

    def end_all_sessions(self) -> int:
        """End every live session and pending sign-in of every account and remove every set-up
        in progress (a lost device, an incident); the count of sessions ended."""
        ...

    # -- the sign-in log -----------------------------------------------------------------------

    def record_event(
        self,
        *,
        time: datetime,
        kind: AuthEventKind,
        username: str,
        account: str | None,
        client: str,
    ) -> None:
        """Append an event (username and client are cut to EVENT_TEXT_MAX characters)."""
        ...

    def failures_since(self, username: str, since: datetime) -> list[datetime]:
        """Times of the username's failures (``failure`` and ``mfa_failure``: a wrong password
        or a wrong second-factor code) at or after ``since`` and after its last successful
        sign-in, oldest first. ``username`` is cut as in ``record_event``."""
        ...

    def failures_from(self, client: str, since: datetime) -> list[datetime]:
        """Times of the failures (as ``failures_since`` counts them) recorded from the client
        address at or after ``since``, whatever the username, oldest first. ``client`` is cut
        as in ``record_event``."""
        ...

    def events(self, limit: int = 100) -> list[AuthEvent]:
        """The newest ``limit`` events, newest first."""
        ...

    def claim_attempt(
        self, *, username: str, client: str, time: datetime, since: datetime
    ) -> AttemptClaim:
        """Claim a credential check of ``username`` from ``client`` before it runs, in one
        write transaction with reading what it is counted against: the username's failures
        (as ``failures_since``) and the client's (as ``failures_from``, none for an empty
        client) at or after ``since``, each with the times of the claims not yet released
        (the new one left out). Claims older than ``since`` are dropped. Not in the log."""
        ...

    def release_attempt(self, claim: int) -> None:
        """Release a claim (its check is over: recorded as a failure, or it passed)."""
        ...

    # -- idempotency ---------------------------------------------------------------------------

    def idempotent_get(self, account: str, key: str) -> IdempotentResponse | None:
        """The response stored for the account's key; keys of different accounts never meet."""
        ...

    def idempotent_put(
        self,
        *,
        account: str,
        key: str,
        fingerprint: str,
        status: int,
        body: str,
        created: datetime,
    ) -> IdempotentResponse:
        """Store the response unless the key already has one; return the stored one (the
        first writer's), so a caller can tell a replay of another request by its fingerprint."""
        ...

    def idempotent_complete(self, *, account: str, key: str, status: int, body: str) -> bool:
        """Replace a pending entry's (status 0, a claim) response with the real one; False if
        the key holds no pending entry."""
        ...

    def idempotent_release(self, account: str, key: str) -> bool:
        """Remove a pending entry (its command failed before answering); False if none."""
        ...

    def purge_idempotency(self, before: datetime) -> int:
        """Delete responses created before ``before`` (callers keep 24 hours); the count."""
        ...

    def close(self) -> None: ...
