"""Two-step sign-in: the password, then a code from an authenticator app (TOTP, RFC 6238) or a
single-use recovery code; setting up the app; an administrator's reset of a lost factor.

``TwoStep`` wraps ``Accounts`` (the password step, the lockout, sessions and the sign-in log)
and applies the node's policy (``coldcheck serve --mfa``):

- ``required`` (the default of a set node): every sign-in needs a code. An account without an
  authenticator app that passes the password step must set one up before anything else; the
  session opens only once its first code is confirmed.
- ``optional``: anyone may set one up from their account page; an account that has one always
  needs its code.

In the pages, the password step opens no session: it stores a *pending sign-in* (5 minutes,
its token only as SHA-256, carried by its own cookie), which the code step (or the setting up)
completes; only then does ``Accounts.open_session`` open the session, with a new token. The
API takes the code with the password in one request. Every decision reads the store, never
process memory, so any worker can take any step.

A wrong or replayed code is a failure of the username in the lockout (5 in 15 minutes pause
it), logged as ``mfa_failure``; every code is claimed in the store before it is checked, against
the lockout and against the pending sign-in's 5 attempts, so concurrent requests cannot check
more (coldcheck.app.lockout). A code is accepted once (the store keeps the last accepted time
step, and moves it forward atomically); a recovery code works once (``recovery_code_used``). A
right password with a step still to come is logged as ``password_ok``.

Setting up an app is bound to whoever started it: the pending sign-in of the forced set-up at
sign-in (never for an account that already has an app), or, from the account page, a token of
its own that only the page which started it carries, after the password and, to replace an
app, its current code (or a recovery code). Only that owner sees its secret again or confirms
it, and confirming writes everything at once (``enrol_totp``). docs/security.md explains the
choices.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from coldcheck.app import otp
from coldcheck.app.accounts import TOKEN_BYTES, Accounts, SessionTokens, token_hash
from coldcheck.app.lockout import LOCKOUT_THRESHOLD
from coldcheck.domain.errors import Conflict, NotFound, Refusal
from coldcheck.store.accounts import Account, AuthEventKind

PENDING_LIFETIME = timedelta(minutes=5)  # from the password step to the code
ENROLMENT_LIFETIME = timedelta(minutes=30)  # a secret shown and not yet confirmed
MAX_CODE_ATTEMPTS = LOCKOUT_THRESHOLD  # codes tried on one pending sign-in before it ends
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) returns


class MfaPolicy(StrEnum):
    """Whether every account must sign in with a second factor."""

    REQUIRED = "required"
    OPTIONAL = "optional"


class CodeNeeded(Refusal):
    """The password is right; the account's code must come with it (HTTP 401)."""

    kind = "code-needed"


class WrongCode(Refusal):
    """The code is wrong, replayed or does not match the secret being set up (HTTP 401)."""

    kind = "wrong-code"


class EnrolmentNeeded(Refusal):
    """The account must set up an authenticator app, which only the pages do (HTTP 403)."""

    kind = "enrolment-needed"


class SignInExpired(Refusal):
    """The pending sign-in is unknown, over or ended: start again with the password."""

    kind = "sign-in-expired"


@dataclass(frozen=True, kw_only=True, slots=True)
class Pending:
    """The password step's answer when a code (or setting up) must follow."""

    token: str = field(repr=False)  # for the pending sign-in's cookie
    csrf: str = field(repr=False)  # for the next step's form
    enrol: bool  # True: the account must set up an authenticator app first
    expires: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class PendingView:
    """A live pending sign-in, as a cookie's token finds it."""

    account: Account
    token_hash: str = field(repr=False)
    csrf: str = field(repr=False)
    expires: datetime
    enrolled: bool  # the account has an authenticator app: ask for its code


@dataclass(frozen=True, kw_only=True, slots=True)
class Enrolment:
    """A secret to set up: shown as a QR code of ``uri`` and as text, until ``expires``.
    ``token``: what the account page's confirming form carries (empty for the set-up at
    sign-in, which its pending sign-in's cookie owns)."""

    secret: str = field(repr=False)
    uri: str = field(repr=False)
    expires: datetime
    token: str = field(repr=False, default="")


@dataclass(frozen=True, kw_only=True, slots=True)
class Status:
    """Whether an account has a second factor (never the secret itself)."""

    enrolled: datetime | None
    recovery_codes_left: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Signed:
    """A completed sign-in: the session, and how many recovery codes are left when one was
    used (None: the authenticator app's code)."""

    tokens: SessionTokens = field(repr=False)
    recovery_codes_left: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Reset:
    """What an administrator's reset did."""

    account: Account
    had_app: bool
    sessions_ended: int


def _over() -> Conflict:
    return Conflict(
        "This set-up is over: the code shown was not confirmed within 30 minutes, or the set-up "
        "was replaced, cancelled or started elsewhere.",
        "Start again: a new QR code will be shown.",
    )


class TwoStep:
    """The second factor of sign-in, on ``Accounts`` and its store, under ``policy``."""

    def __init__(self, accounts: Accounts, policy: MfaPolicy) -> None:
        self.accounts = accounts
        self.store = accounts.store
        self.clock = accounts.clock
        self.lockout = accounts.lockout
        self.policy = policy

    def enrolled(self, account: str) -> bool:
        return self.store.totp(account) is not None

    def session_allowed(self, account: str) -> bool:
        """Whether a session of the account may be used under the policy (a session opened
        with the password alone before the node required a code may not)."""
        return self.policy is MfaPolicy.OPTIONAL or self.enrolled(account)

    # -- the pages: the password step, then the code -----------------------------------------

    def password_step(
        self,
        username: str,
        password: str,
        *,
        client: str,
        current_token: str | None = None,
        agent: str = "",
    ) -> SessionTokens | Pending:
        """The password step: a session when nothing more is needed, else a pending sign-in
        (and ``password_ok`` in the log)."""
        account = self.accounts.authenticate(username, password, client=client)
        enrolled = self.enrolled(account.id)
        if not enrolled and self.policy is MfaPolicy.OPTIONAL:
            return self.accounts.open_session(
                account, client=client, current_token=current_token, agent=agent
            )
        now = self.clock()
        pending = Pending(
            token=secrets.token_urlsafe(TOKEN_BYTES),
            csrf=secrets.token_urlsafe(TOKEN_BYTES),
            enrol=not enrolled,
            expires=now + PENDING_LIFETIME,
        )
        self.store.new_pending_sign_in(
            token_hash=token_hash(pending.token),
            account=account.id,
            csrf=pending.csrf,
            created=now,
            expires=pending.expires,
        )
        self.accounts.record(account, AuthEventKind.PASSWORD_OK, client=client)
        return pending

    def pending(self, token: str | None) -> PendingView | None:
        """The live pending sign-in of a cookie's token, or None (unknown, ended, over, or its
        account disabled)."""
        if not token or not _TOKEN.fullmatch(token):
            return None
        hashed = token_hash(token)
        found = self.store.pending_sign_in(hashed)
        if found is None or found.ended or self.clock() >= found.expires:
            return None
        account = self.store.account_by_id(found.account)
        if account is None or account.disabled:
            return None
        return PendingView(
            account=account,
            token_hash=hashed,
            csrf=found.csrf,
            expires=found.expires,
            enrolled=self.enrolled(account.id),
        )

    def code_step(
        self,
        pending: PendingView,
        code: str,
        *,
        client: str,
        current_token: str | None = None,
        agent: str = "",
    ) -> Signed:
        """Complete a pending sign-in with the app's code or a recovery code."""
        left = self._second_factor(pending.account, code, client=client, pending=pending)
        if not self.store.end_pending_sign_in(pending.token_hash):
            raise self.expired()
        tokens = self.accounts.open_session(
            pending.account, client=client, current_token=current_token, agent=agent
        )
        return Signed(tokens=tokens, recovery_codes_left=left)

    @staticmethod
    def expired() -> SignInExpired:
        return SignInExpired(
            "This sign-in is over: it waited more than 5 minutes for the code, or it was "
            "already completed or cancelled.",
            "Sign in again with your username and password.",
        )

    # -- the API: password and code in one request -------------------------------------------

    def sign_in(
        self,
        username: str,
        password: str,
        code: str | None,
        *,
        client: str,
        current_token: str | None = None,
        agent: str = "",
    ) -> Signed:
        """One request: the password and, for an account with an authenticator app, its code
        (or a recovery code). An account that must set one up is sent to the pages."""
        account = self.accounts.authenticate(username, password, client=client)
        left = None
        if self.enrolled(account.id):
            if code is None or not code.strip():
                self.accounts.record(account, AuthEventKind.PASSWORD_OK, client=client)
                raise CodeNeeded(
                    "This account signs in with a code from its authenticator app as well as "
                    "the password.",
                    "Send the 6-digit code (or a recovery code) as code with the username "
                    "and password.",
                )
            left = self._second_factor(account, code, client=client)
        elif self.policy is MfaPolicy.REQUIRED:
            self.accounts.record(account, AuthEventKind.PASSWORD_OK, client=client)
            raise EnrolmentNeeded(
                "This account has no authenticator app set up, and this node requires one.",
                "Sign in once on the web sign-in page (/signin) to set it up, then sign in "
                "here with the password and a code.",
            )
        tokens = self.accounts.open_session(
            account, client=client, current_token=current_token, agent=agent
        )
        return Signed(tokens=tokens, recovery_codes_left=left)

    # -- checking a code -----------------------------------------------------------------------

    def _second_factor(
        self, account: Account, typed: str, *, client: str, pending: PendingView | None = None
    ) -> int | None:
        """Accept the code once, or count a failure and raise WrongCode; how many recovery
        codes are left when one was used (None for the app's code).

        The attempt is claimed before the code is checked: in the lockout (NotAuthorised while
        the username or the client address is paused) and, for a pending sign-in, as one of
        its MAX_CODE_ATTEMPTS (SignInExpired once they are used up)."""
        attempt = self.lockout.begin(account.username, account.id, client)
        try:
            if not typed.strip():
                raise CodeNeeded(
                    "Type the 6-digit code your authenticator app shows for coldcheck.",
                    "Or type one of your recovery codes.",
                )
            tries = 0
            if pending is not None:
                tries = self.store.claim_pending_attempt(pending.token_hash, MAX_CODE_ATTEMPTS)
                if tries == 0:
                    self.store.end_pending_sign_in(pending.token_hash)
                    raise self.expired()
            accepted, left, replayed = self._check(account, typed, client=client)
        except BaseException:
            self.lockout.passed(attempt)  # not checked: the claim is not a failure
            raise
        if accepted:
            self.lockout.passed(attempt)
            return left
        paused = self.lockout.fail(attempt, AuthEventKind.MFA_FAILURE)
        if pending is not None and tries >= MAX_CODE_ATTEMPTS:
            self.store.end_pending_sign_in(pending.token_hash)
        if replayed:
            raise WrongCode(
                "This code was already used to sign in.",
                paused or "Wait for the next code (a new one every 30 seconds) and type that.",
            )
        raise WrongCode(
            "The code is not correct.",
            paused
            or "Type the 6-digit code your authenticator app shows now, or a recovery code; "
            "if every code fails, check that the phone's clock is right.",
        )

    def _check(self, account: Account, typed: str, *, client: str) -> tuple[bool, int | None, bool]:
        """(accepted, recovery codes left when one was used, a replay of a used code)."""
        now = self.clock()
        digits = otp.totp_code(typed)
        if digits is not None:
            found = self.store.totp(account.id)
            step = otp.matching_step(found.secret, digits, now) if found else None
            if step is not None and self.store.accept_totp_step(account.id, step):
                return True, None, False
            return False, None, step is not None
        normal = otp.recovery_code(typed)
        hashed = otp.recovery_hash(normal) if normal else None
        if hashed and self.store.use_recovery_code(account.id, hashed, used=now):
            self.accounts.record(account, AuthEventKind.RECOVERY_CODE_USED, client=client)
            return True, self.store.recovery_codes_left(account.id), False
        return False, None, False

    # -- setting up an authenticator app -----------------------------------------------------

    def sign_in_enrolment(self, pending: PendingView) -> Enrolment:
        """The set-up forced at sign-in, owned by this pending sign-in: the one it started (a
        page reloaded), else a new one. Never for an account that already has an app
        (Conflict: it signs in with its code)."""
        self._refuse_if_enrolled(pending.account)
        found = self._live(pending.account, pending.token_hash)
        return found or self._start(pending.account, pending.token_hash)

    def start_enrolment(
        self, account: str, password: str, code: str = "", *, client: str
    ) -> Enrolment:
        """From the account page, after the person authenticates again in full (ASVS 7.5.1):
        the password and, to replace an app, its current code or a recovery code (each
        counted by the lockout). A new secret every time, owned by a new token
        (``Enrolment.token``) that only the confirming form carries."""
        found = self.accounts.reauthenticate(account, password, client=client)
        self.accounts.record(found, AuthEventKind.PASSWORD_OK, client=client)
        if self.enrolled(found.id):
            if not code.strip():
                raise CodeNeeded(
                    "To replace your authenticator app, type a code from it (or one of your "
                    "recovery codes) as well as your password.",
                    "Type both, then set up the new app.",
                )
            self._second_factor(found, code, client=client)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        return self._start(found, token_hash(token), token=token)

    def enrolment_of(self, account: Account, token: str) -> Enrolment | None:
        """The live set-up that ``token`` started from the account page, or None (over,
        replaced, or not this token's): a secret is shown again only to its owner."""
        if not _TOKEN.fullmatch(token):
            return None
        return self._live(account, token_hash(token), token=token)

    def confirm(
        self, account: Account, code: str, *, token: str, client: str, keep_token: str | None
    ) -> list[str]:
        """Confirm the set-up that ``token`` started from the account page with its first
        code: it replaces any earlier app, new recovery codes replace the old ones (returned,
        to be shown once), and every session of the account but ``keep_token``'s ends."""
        owner = token_hash(token) if _TOKEN.fullmatch(token) else None
        keep = token_hash(keep_token) if keep_token else None
        return self._confirm(account, code, owner=owner, signing_in=False, keep=keep, client=client)

    def enrol_and_sign_in(
        self,
        pending: PendingView,
        code: str,
        *,
        client: str,
        current_token: str | None = None,
        agent: str = "",
    ) -> tuple[SessionTokens, list[str]]:
        """The forced set-up at sign-in: confirm the app and end the pending sign-in in one
        write, then open the session; the recovery codes to show once."""
        self._refuse_if_enrolled(pending.account)
        codes = self._confirm(
            pending.account,
            code,
            owner=pending.token_hash,
            signing_in=True,
            keep=None,
            client=client,
        )
        tokens = self.accounts.open_session(
            pending.account, client=client, current_token=current_token, agent=agent
        )
        return tokens, codes

    def _confirm(
        self,
        account: Account,
        code: str,
        *,
        owner: str | None,
        signing_in: bool,
        keep: str | None,
        client: str,
    ) -> list[str]:
        now = self.clock()
        found = self.store.totp_enrolment(account.id)
        if (
            found is None
            or owner is None
            or not hmac.compare_digest(found.owner, owner)
            or now >= found.expires
        ):
            raise _over()
        digits = otp.totp_code(code)
        step = otp.matching_step(found.secret, digits, now) if digits else None
        if step is None:
            raise WrongCode(
                "The code does not match the authenticator app just set up.",
                "Type the 6-digit code the app shows for coldcheck now; if it keeps failing, "
                "check that the phone's clock is right, or scan the QR code again.",
            )
        codes = otp.new_recovery_codes()
        if not self.store.enrol_totp(
            account.id,
            secret=found.secret,
            owner=owner,
            enrolled=now,
            last_step=step,
            recovery_hashes=[otp.recovery_hash(c) for c in codes],
            signing_in=signing_in,
            keep=keep,
        ):
            if signing_in:
                raise self.expired()
            raise Conflict(
                "This set-up was already confirmed or replaced, on another page or device, or "
                "this session ended.",
                "Reload the page to see where things stand.",
            )
        self.accounts.record(account, AuthEventKind.MFA_ENROLLED, client=client)
        return codes

    def _refuse_if_enrolled(self, account: Account) -> None:
        if self.enrolled(account.id):
            raise Conflict(
                "This account already has an authenticator app.", "Type its code to sign in."
            )

    def _start(self, account: Account, owner: str, *, token: str = "") -> Enrolment:
        now = self.clock()
        started = self.store.start_totp_enrolment(
            account.id,
            secret=otp.new_secret(),
            owner=owner,
            created=now,
            expires=now + ENROLMENT_LIFETIME,
        )
        return Enrolment(
            secret=started.secret,
            uri=otp.provisioning_uri(started.secret, account.username),
            expires=started.expires,
            token=token,
        )

    def _live(self, account: Account, owner: str, *, token: str = "") -> Enrolment | None:
        found = self.store.totp_enrolment(account.id)
        if (
            found is None
            or self.clock() >= found.expires
            or not hmac.compare_digest(found.owner, owner)
        ):
            return None
        return Enrolment(
            secret=found.secret,
            uri=otp.provisioning_uri(found.secret, account.username),
            expires=found.expires,
            token=token,
        )

    # -- the administrator, and the account page ---------------------------------------------

    def status(self, account: str) -> Status:
        found = self.store.totp(account)
        return Status(
            enrolled=found.enrolled if found else None,
            recovery_codes_left=self.store.recovery_codes_left(account) if found else 0,
        )

    def reset(self, username: str, *, client: str) -> Reset:
        """A lost phone: remove the account's authenticator app, recovery codes, set-up and
        pending sign-ins, end all its sessions, and log it. The person sets up a new app at
        their next sign-in (under ``required``; from their account page under ``optional``)."""
        account = self._account(username)
        had = self.store.reset_second_factor(account.id)
        ended = self.store.end_sessions_of(account.id)
        self.accounts.record(account, AuthEventKind.MFA_RESET, client=client)
        return Reset(account=account, had_app=had, sessions_ended=ended)

    def account(self, username: str) -> Account:
        """The account with this username, or NotFound."""
        return self._account(username)

    def _account(self, username: str) -> Account:
        found = self.store.account_by_username(username.strip().casefold())
        if found is None:
            raise NotFound(
                f"There is no account {username!r}.", "Check the username (coldcheck account)."
            )
        return found
