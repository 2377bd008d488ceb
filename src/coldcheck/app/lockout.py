"""The sign-in lockout: how many credentials may be tried, per username and per client address.

- 5 failures for one username within 15 minutes pause its sign-in for 15 minutes (wrong
  passwords and wrong second-factor codes add up), counted only after its last successful
  sign-in;
- 20 failures from one client address within 15 minutes, whatever the usernames, pause every
  sign-in from that address for 15 minutes; a successful sign-in does not clear that count.

Every credential check (a password at sign-in, at a re-authentication or a password change; a
code or a recovery code) first *claims* an attempt in the shared store (``claim_attempt``),
in the write transaction that reads the failures counted so far, and is checked only if that
claim fits in the budget: the attempts other workers are checking at that moment count as if
they had failed. So however many requests arrive at once, at most the budget is checked; the
claim is settled afterwards, as a failure in the sign-in log or released when the credential
was right. Nothing is kept in process memory: every worker sees the same count.

A failure recorded while a pause is on (a check that was already running when the pause
began, a wrong PIN) neither counts nor extends the pause (``lock_until``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from coldcheck.domain.errors import NotAuthorised
from coldcheck.store.accounts import AccountStore, AuthEventKind

LOCKOUT_THRESHOLD = 5  # failures for one username ...
LOCKOUT_WINDOW = timedelta(minutes=15)  # ... within this window ...
LOCKOUT_DURATION = timedelta(minutes=15)  # ... pause its sign-in this long after the last one
CLIENT_THRESHOLD = 20  # failures from one client address, whatever the usernames, ...
CLIENT_WINDOW = timedelta(minutes=15)  # ... within this window ...
CLIENT_PAUSE = timedelta(minutes=15)  # ... pause sign-in from that address this long
_LOOK_BACK = max(LOCKOUT_WINDOW + LOCKOUT_DURATION, CLIENT_WINDOW + CLIENT_PAUSE)


def clock_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def lock_until(
    failures: Iterable[datetime],
    *,
    threshold: int = LOCKOUT_THRESHOLD,
    window: timedelta = LOCKOUT_WINDOW,
    duration: timedelta = LOCKOUT_DURATION,
) -> datetime | None:
    """When a pause ends, given the failures (None: never paused): ``duration`` after the last
    of any ``threshold`` failures that lie within ``window``. A failure while a pause is on is
    not counted, so it does not extend the pause. The client address passes its own numbers."""
    until: datetime | None = None
    counted: list[datetime] = []
    for moment in sorted(failures):
        if until is not None and moment < until:
            continue
        counted.append(moment)
        if len(counted) >= threshold and moment - counted[-threshold] <= window:
            until = moment + duration
    return until


def _running(until: datetime | None, now: datetime) -> datetime | None:
    return until if until is not None and now < until else None


@dataclass(frozen=True, kw_only=True, slots=True)
class Attempt:
    """One credential check in flight, claimed in the store before the check."""

    claim: int
    username: str  # casefolded, as typed
    account: str | None
    client: str


class Lockout:
    """The lockout and its part of the sign-in log, on an ``AccountStore``."""

    def __init__(self, store: AccountStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def begin(self, username: str, account: str | None, client: str) -> Attempt:
        """Claim an attempt before a credential is checked. NotAuthorised (and a ``lockout``
        event, which counts as nothing) while the client address or the username is paused,
        the attempts being checked elsewhere at this moment counted as failures."""
        now = self.clock()
        claim = self.store.claim_attempt(
            username=username, client=client, time=now, since=now - _LOOK_BACK
        )
        try:
            client_until = (
                _running(
                    lock_until(
                        claim.client_failures,
                        threshold=CLIENT_THRESHOLD,
                        window=CLIENT_WINDOW,
                        duration=CLIENT_PAUSE,
                    ),
                    now,
                )
                if client
                else None
            )
            until = _running(lock_until(claim.failures), now)
            if client_until is not None:
                self._record(now, AuthEventKind.LOCKOUT, username, account, client)
                raise NotAuthorised(
                    "Sign-in from this network address is paused after too many failed attempts.",
                    _try_again(client_until, now),
                )
            if until is not None:
                self._record(now, AuthEventKind.LOCKOUT, username, account, client)
                raise NotAuthorised(
                    "Sign-in for this username is paused after too many failed attempts.",
                    _try_again(until, now),
                )
        except BaseException:
            self.store.release_attempt(claim.id)
            raise
        return Attempt(claim=claim.id, username=username, account=account, client=client)

    def passed(self, attempt: Attempt) -> None:
        """The credential was right (or was never checked): the claim no longer counts."""
        self.store.release_attempt(attempt.claim)

    def fail(self, attempt: Attempt, kind: AuthEventKind = AuthEventKind.FAILURE) -> str | None:
        """Record the attempt as a failure of ``kind`` (one that the lockout counts) and settle
        its claim; the sentence to show when the address or the username is now paused (a
        ``lockout`` event is recorded then), else None."""
        now = self.clock()
        try:
            self._record(now, kind, attempt.username, attempt.account, attempt.client)
        finally:
            self.store.release_attempt(attempt.claim)
        client_until = self.client_paused_until(attempt.client, now)
        until = _running(
            lock_until(
                self.store.failures_since(attempt.username, now - LOCKOUT_WINDOW - LOCKOUT_DURATION)
            ),
            now,
        )
        if client_until is None and until is None:
            return None
        self._record(now, AuthEventKind.LOCKOUT, attempt.username, attempt.account, attempt.client)
        if client_until is not None:
            return (
                f"Sign-in from this network address is now paused until "
                f"{clock_time(client_until)} after {CLIENT_THRESHOLD} failed attempts."
            )
        return (
            f"Sign-in for this username is now paused until {clock_time(until or now)} "
            f"after {LOCKOUT_THRESHOLD} failed attempts."
        )

    def refuse(
        self,
        attempt: Attempt,
        message: str,
        remedy: str = "Check both and try again.",
        kind: AuthEventKind = AuthEventKind.FAILURE,
    ) -> NoReturn:
        """Record a failed attempt and refuse it, saying so when it starts a pause."""
        raise NotAuthorised(message, self.fail(attempt, kind) or remedy)

    def client_paused_until(self, client: str, now: datetime) -> datetime | None:
        """When the pause of sign-in from ``client`` ends (None: not paused), from the failures
        recorded in the shared store; a command on the node itself (no address) is never
        paused."""
        if not client:
            return None
        failures = self.store.failures_from(client, now - CLIENT_WINDOW - CLIENT_PAUSE)
        until = lock_until(
            failures, threshold=CLIENT_THRESHOLD, window=CLIENT_WINDOW, duration=CLIENT_PAUSE
        )
        return _running(until, now)

    def _record(
        self, now: datetime, kind: AuthEventKind, username: str, account: str | None, client: str
    ) -> None:
        self.store.record_event(
            time=now, kind=kind, username=username, account=account, client=client
        )


def _try_again(until: datetime, now: datetime) -> str:
    minutes = math.ceil((until - now).total_seconds() / 60)
    return f"Try again after {clock_time(until)} (in {minutes} minute{'s' * (minutes != 1)})."
