"""The second factor's part of the account store port: TOTP secrets, recovery codes and
sign-ins waiting for their code.

``AccountStore`` (coldcheck.store.accounts) includes this protocol, so every account store
backend keeps these too, in the same store every web worker shares:

- a confirmed TOTP secret per account (base32, as RFC 6238 authenticator apps take it), with
  the last time step it accepted. The secret must be readable to check a code, so it is kept as
  it is; ``accept_totp_step`` moves the last step forward only, atomically, so that one code is
  accepted once even when two workers receive it at the same instant;
- a secret being set up and not yet confirmed (``totp_enrolments``), with its own expiry and
  its *owner*: the SHA-256 of the token of whoever started it (the pending sign-in's, for the
  set-up forced at sign-in; a token of its own, carried by the account page's form, for a
  set-up from there). It is shown and confirmed only to that owner, and becomes the account's
  secret only when ``enrol_totp`` confirms it;
- single-use recovery codes, only as SHA-256 (64 hex digits): ``use_recovery_code`` marks one
  used once, atomically;
- pending sign-ins: a browser past the password step, waiting for the code or for the setting
  up of an authenticator app. The token is kept only as SHA-256, like a session's; a pending
  sign-in is not a session and opens nothing by itself.

Secrets and hashes are left out of the records' ``repr``, so that they do not end up in logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, kw_only=True, slots=True)
class Totp:
    """An account's confirmed authenticator secret; ``last_step`` is the RFC 6238 time step
    (Unix time // 30) of the last code accepted (a code of that step or an older one is a
    replay)."""

    account: str
    secret: str = field(repr=False)
    enrolled: datetime
    last_step: int


@dataclass(frozen=True, kw_only=True, slots=True)
class TotpEnrolment:
    """A secret shown to the person and waiting for its first code."""

    account: str
    secret: str = field(repr=False)
    owner: str = field(repr=False)  # SHA-256 hex of the token of whoever started it
    created: datetime
    expires: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class PendingSignIn:
    """A browser past the password step; ``token_hash`` is SHA-256 hex of its cookie's token,
    ``csrf`` the token its forms carry, ``attempts`` the codes tried so far."""

    token_hash: str = field(repr=False)
    account: str
    csrf: str = field(repr=False)
    created: datetime
    expires: datetime
    attempts: int = 0
    ended: bool = False


class SecondFactorStore(Protocol):
    """TOTP, recovery codes and pending sign-ins. Errors as in ``AccountStore``: a
    ``StoreError`` (one sentence) when the backend cannot be used or the account does not
    exist, ``Duplicate`` when a unique value is taken; nothing is written in either case."""

    # -- TOTP ----------------------------------------------------------------------------------

    def totp(self, account: str) -> Totp | None:
        """The account's confirmed secret, or None when it has no authenticator app."""
        ...

    def start_totp_enrolment(
        self, account: str, *, secret: str, owner: str, created: datetime, expires: datetime
    ) -> TotpEnrolment:
        """Keep a secret being set up by ``owner`` (SHA-256 hex of its token), replacing any
        earlier one of the account (the confirmed secret, if any, stays until
        ``enrol_totp``)."""
        ...

    def totp_enrolment(self, account: str) -> TotpEnrolment | None:
        """The secret being set up (expired or not: the caller compares ``expires``)."""
        ...

    def enrol_totp(
        self,
        account: str,
        *,
        secret: str,
        owner: str,
        enrolled: datetime,
        last_step: int,
        recovery_hashes: list[str],
        signing_in: bool = False,
        keep: str | None = None,
    ) -> bool:
        """Confirm the secret being set up, all at once, in one transaction: it becomes the
        account's secret (with ``last_step``, the step of the code that confirmed it), the
        enrolment is removed, the account's recovery codes are replaced by ``recovery_hashes``
        (SHA-256 hex), every session of the account but the one hashed ``keep`` ends, and every
        pending sign-in of it ends.

        ``signing_in``: the set-up forced at sign-in, whose ``owner`` is the pending sign-in's
        token hash; that pending sign-in must be live (not ended, not expired at ``enrolled``)
        and of the account, and is ended here, so that of two workers only one completes it.
        Otherwise ``owner`` must not be a pending sign-in's, and a ``keep`` session must be a
        live session of the account.

        False, and nothing written, unless ``secret`` is the account's enrolment started by
        ``owner`` and those conditions hold (another request confirmed or replaced it first,
        or the sign-in or the session ended meanwhile)."""
        ...

    def accept_totp_step(self, account: str, step: int) -> bool:
        """Move the last accepted step to ``step``; False (nothing written) unless ``step`` is
        newer than the stored one: the code is a replay, or the account has no secret."""
        ...

    def reset_second_factor(self, account: str) -> bool:
        """Remove the account's secret, enrolment and recovery codes and end its pending
        sign-ins; True if it had a confirmed secret."""
        ...

    # -- recovery codes ------------------------------------------------------------------------

    def use_recovery_code(self, account: str, code_hash: str, *, used: datetime) -> bool:
        """Mark the account's unused code with this SHA-256 used; True only for the one call
        that did (an unknown, used or other account's code is False)."""
        ...

    def recovery_codes_left(self, account: str) -> int:
        """How many of the account's recovery codes are unused."""
        ...

    # -- pending sign-ins ----------------------------------------------------------------------

    def new_pending_sign_in(
        self, *, token_hash: str, account: str, csrf: str, created: datetime, expires: datetime
    ) -> PendingSignIn:
        """Store a pending sign-in; Duplicate if the hash exists. Pending sign-ins that
        expired before ``created`` are removed (they are not a log: ``auth_events`` is)."""
        ...

    def pending_sign_in(self, token_hash: str) -> PendingSignIn | None:
        """The pending sign-in with this token hash, ended or not, expired or not."""
        ...

    def claim_pending_attempt(self, token_hash: str, limit: int) -> int:
        """Claim one code attempt on a live pending sign-in before the code is checked, only
        while fewer than ``limit`` were claimed (one conditional write, so concurrent requests
        never check more than ``limit`` codes); the attempts so far, this one included, or 0
        when it is unknown, ended or out of attempts (nothing written)."""
        ...

    def end_pending_sign_in(self, token_hash: str) -> bool:
        """End it; True only for the one call that ended a live pending sign-in, so that two
        workers can never both complete it."""
        ...
