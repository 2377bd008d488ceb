"""Accounts and sessions of the web app: passwords, sign-in, lockout, session lifetimes, CSRF.

Pure rules (``normalise_username``, ``check_password``, ``token_hash``,
``csrf_matches``, ``request_fingerprint``) and one small class, ``Accounts``, that applies them
to an ``AccountStore`` with an injected clock. Every decision a web worker needs is made from
the store, never from process memory, so any worker can serve any request.

The numbers (docs/security.md explains each choice):

- passwords: 12 to 128 characters, any characters, no composition rules; refused when they
  contain the username or are built from a common password, a keyboard run or a word of
  this domain; hashed with argon2id (argon2-cffi's RFC 9106 low-memory profile: t=3,
  m=64 MiB, p=4), rehashed at sign-in when the parameters change;
- lockout (coldcheck.app.lockout): 5 failures for a username within 15 minutes pause its
  sign-in for 15 minutes, and 20 failures from one client address within 15 minutes, whatever
  the usernames, pause sign-in from that address for 15 minutes; every check of a password
  claims its attempt in the store before it runs, so concurrent requests cannot exceed that;
- temporary passwords (``invite``, ``reset_password``): generated, valid 72 hours, and to be
  changed at the first sign-in (coldcheck.app.temporary); breached passwords are refused
  (coldcheck.app.breached);
- sessions: 32 random bytes (256 bits) per token, stored only as SHA-256; idle timeout 30
  minutes, absolute lifetime 12 hours; a CSRF token per session, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from argon2 import Parameters, PasswordHasher, Type, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from coldcheck.app import temporary
from coldcheck.app.breached import is_breached, is_compound, is_dictionary_word
from coldcheck.app.lockout import Lockout, clock_time
from coldcheck.app.temporary import TEMPORARY_LIFETIME, TemporaryPassword
from coldcheck.domain.errors import Conflict, InvalidInput, NotFound
from coldcheck.ledger.entry import check_id
from coldcheck.ledger.errors import EncodingError
from coldcheck.store.accounts import Account, AccountStore, AuthEventKind, Duplicate, Membership
from coldcheck.store.port import StoreError

# -- the parameters ----------------------------------------------------------------------------

MIN_PASSWORD = 12  # characters; ASVS asks for 8 at least and strongly recommends 15
MAX_PASSWORD = 128  # characters; long passphrases are welcome (ASVS: at least 64 allowed)
IDLE_TIMEOUT = timedelta(minutes=30)  # a session unused this long is over
ABSOLUTE_LIFETIME = timedelta(hours=12)  # a session is over this long after sign-in, in use or not
TOUCH_INTERVAL = timedelta(minutes=1)  # last use is written at most once a minute per session
TOKEN_BYTES = 32  # session and CSRF tokens: 256 bits from the OS's CSPRNG
IDEMPOTENCY_RETENTION = timedelta(hours=24)  # stored responses older than this may be purged

# argon2-cffi's default (RFC 9106, second recommendation): above OWASP's argon2id minimum.
PRODUCTION_PARAMETERS = profiles.RFC_9106_LOW_MEMORY
# Only for the test suite (COLDCHECK_INSECURE_TEST_KDF=1): the least work argon2 allows.
TEST_ONLY_PARAMETERS = Parameters(
    type=Type.ID,
    version=19,
    salt_len=16,
    hash_len=32,
    time_cost=1,
    memory_cost=8,
    parallelism=1,
)

WRONG_CREDENTIALS = "The username or password is not correct."

# -- passwords ---------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that, padded with digits or symbols, make up most leaked passwords of 12 characters or
# more ("Password2024!", "iloveyou123456"); compared after undoing common letter swaps (p@ssw0rd).
_COMMON_WORDS = _words(
    """
    password passwort motdepasse contrasena mypassword newpassword yourpassword changeme
    letmein welcome welcomehome qwerty azerty qwertz admin administrator root guest login
    default secret test tester iloveyou loveyou lovely loveme love monkey dragon master
    shadow sunshine princess football baseball basketball soccer hockey superman batman
    spiderman starwars pokemon whatever freedom trustno computer internet samsung google
    hello hellokitty summer winter spring autumn liverpool chelsea arsenal america mustang
    ferrari killer hunter ranger buster tigger jordan michael charlie jessica ashley daniel
    thomas jennifer matthew nicole andrew joshua maggie pepper ginger cookie chocolate
    myspace facebook instagram linkedin twitter youtube passpass blink abc
    """
)
# Whole passphrases that are famous, compared as letters only.
_COMMON_PHRASES = _words(
    """
    correcthorsebatterystaple thequickbrownfoxjumpsoverthelazydog iloveyousomuch
    iloveyouforever letmeinplease opensesame maytheforcebewithyou
    tobeornottobe thisismypassword ihavenopassword passwordpassword onetwothreefourfive
    helloworld
    """
)
# Context-specific words (ASVS 6.1.2, 6.2.11): this product, its trade and film sets.
CONTEXT_WORDS = _words(
    """
    coldcheck armorer armourer armory armoury firearm firearms propgun propguns prop props
    blank blanks blankround dummyround coldgun hotgun safety safetyfirst production
    filmset onset setlife cast crew director producer action cut
    """
)
# Keyboard rows and alphabets: a password that is a run along one of them is refused.
_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertzuiopasdfghjklyxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_NOT_LETTER = re.compile(r"[\W\d_]+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_REPEATED = re.compile(r"(.{1,4}?)\1+")


def _core(text: str) -> str:
    """The letters a password is built on: casefolded, digits and symbols at either end
    removed, letter swaps undone (p@ssw0rd -> password), what is not a letter dropped."""
    return _NOT_LETTER.sub("", _EDGES.sub("", text.casefold()).translate(_LEET))


def _is_run(text: str) -> bool:
    """A run of at least 4 along a keyboard row or an alphabet, forwards or backwards."""
    if len(text) < 4:
        return False
    for run in _RUNS:
        cycle = run * 3
        if text in cycle or text in cycle[::-1]:
            return True
    return False


def _built_from(core: str, words: frozenset[str]) -> bool:
    """The core is one of the words, or one of them repeated (monkeymonkeymonkey)."""
    if core in words:
        return True
    match = re.fullmatch(r"(.+?)\1+", core)
    return bool(match and match.group(1) in words)


def check_password(password: str, *, username: str, display_name: str = "") -> None:
    """Refuse (InvalidInput) a password a new account or a password change may not use.

    No composition rules: any characters, spaces included. The password is checked exactly as
    given (never trimmed or case-changed); only the guessability checks look at a folded copy.
    """
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"The password has {len(password)} characters; it needs at least {MIN_PASSWORD}.",
            "Use a passphrase of several unrelated words; spaces and any characters are allowed.",
        )
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(
            f"The password has {len(password)} characters; at most {MAX_PASSWORD} are allowed.",
            f"Use a passphrase of {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
        )
    folded = password.casefold()
    core = _core(password)
    name = username.casefold()
    personal = {_core(name), _core(name.partition("@")[0]), _core(display_name)}
    personal |= {_core(word) for word in display_name.split()}
    personal = {word for word in personal if len(word) >= 3}
    if name in folded or (core and _built_from(core, frozenset(personal))):
        raise InvalidInput(
            "The password contains the username or the account's name.",
            "Choose a passphrase that has nothing to do with the username or your name.",
        )
    alnum = _NOT_ALNUM.sub("", folded)
    guessable = (
        _REPEATED.fullmatch(folded) is not None  # aaaaaaaaaaaa, abcabcabcabc
        or _REPEATED.fullmatch(core) is not None
        or _is_run(alnum)
        or _NOT_LETTER.sub("", folded) in _COMMON_PHRASES
        or (core != "" and (_built_from(core, _COMMON_WORDS | CONTEXT_WORDS) or _is_run(core)))
    )
    if guessable:
        raise InvalidInput(
            "This password is too easy to guess: it is a common password, a keyboard run, a "
            "repeated pattern or a word of this trade, perhaps with digits or symbols added.",
            "Choose a passphrase of several unrelated words; no special characters are needed.",
        )
    if is_breached(folded) or (core != "" and is_breached(core)):
        raise InvalidInput(
            "This password is in a list of passwords leaked in data breaches (or is one of them "
            "with digits or symbols added), so attackers try it first.",
            "Choose a passphrase of several unrelated words that you have not used elsewhere.",
        )
    if core != "" and (is_dictionary_word(core) or is_compound(core)):
        raise InvalidInput(
            "This password is a single word or name, or two common words run together, perhaps "
            "with digits or symbols added: cracking tools try those right after leaked passwords.",
            "Choose a passphrase of three or more unrelated words.",
        )


def password_hasher(env: Mapping[str, str] | None = None) -> PasswordHasher:
    """The argon2id hasher, read at the edge like ``Settings.load``: production parameters,
    unless the test-only switch ``COLDCHECK_INSECURE_TEST_KDF=1`` is set."""
    env = os.environ if env is None else env
    fast = env.get("COLDCHECK_INSECURE_TEST_KDF") == "1"
    return PasswordHasher.from_parameters(TEST_ONLY_PARAMETERS if fast else PRODUCTION_PARAMETERS)


# -- usernames, tokens, fingerprints ---------------------------------------------------------

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._+-]*(@[a-z0-9-]+(\.[a-z0-9-]+)*)?")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) returns


def normalise_username(text: str) -> str:
    """The login as stored: trimmed and casefolded, 3-64 of a-z 0-9 . _ + - and an optional
    @domain (plain ASCII, so that two logins cannot look alike)."""
    name = text.strip().casefold()
    if not 3 <= len(name) <= 64 or not _USERNAME.fullmatch(name):
        raise InvalidInput(
            "A username has 3 to 64 characters: letters a-z, digits and . _ + -, "
            "optionally followed by @ and a domain.",
            "For example hannah.reed@dustroad.example or hreed.",
        )
    return name


def _display_name(text: str) -> str:
    name = text.strip()
    if not 1 <= len(name) <= 100 or any(unicodedata.category(c)[0] == "C" for c in name):
        raise InvalidInput(
            "A display name has 1 to 100 characters and no control characters.",
            "Give the name people on set know you by, e.g. Hannah Reed.",
        )
    return name


def token_hash(token: str) -> str:
    """What the store keeps of a session token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def csrf_matches(expected: str, submitted: str | None) -> bool:
    """Whether a submitted CSRF token is the session's, compared in constant time."""
    if submitted is None:
        return False
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), submitted.encode("utf-8", "surrogatepass")
    )


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 hex of method, path (with its query) and body, for the idempotency store. An
    HTTP method or path holds no newline, so the three parts cannot run into each other."""
    head = f"{method.upper()}\n{path}\n".encode("utf-8", "surrogatepass")
    return hashlib.sha256(head + body).hexdigest()


# -- the service -------------------------------------------------------------------------------


class SessionTokens(NamedTuple):
    """What a sign-in hands to the browser: the session cookie's token and the CSRF token.
    Its ``repr`` (and so its ``str``) leaves both out, so that they do not end up in a log."""

    token: str
    csrf: str

    def __repr__(self) -> str:
        return "SessionTokens(token=<hidden>, csrf=<hidden>)"


@dataclass(frozen=True, kw_only=True, slots=True)
class ActiveSession:
    """A live session, as ``resolve`` finds it."""

    account: str
    username: str
    csrf: str = field(repr=False)
    idle_expires: datetime
    absolute_expires: datetime
    id: str = ""  # the session's public id (see ``Session.id``)
    # Signed in with a temporary password: the session may do nothing but change it.
    must_change_password: bool = False


def utc_now() -> datetime:
    return datetime.now(UTC)


class Accounts:
    """Accounts, sign-in and sessions on an ``AccountStore``; ``clock`` gives aware datetimes."""

    def __init__(
        self,
        store: AccountStore,
        clock: Callable[[], datetime] = utc_now,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.lockout = Lockout(store, clock)
        self.hasher = password_hasher() if hasher is None else hasher
        # Verified against when no account has the username, so that a sign-in costs the
        # same work whether or not the account exists.
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(TOKEN_BYTES))

    # -- accounts ------------------------------------------------------------------------------

    def create_account(
        self,
        username: str,
        display_name: str,
        password: str,
        *,
        client: str = "",
        temporary: bool = False,
    ) -> Account:
        """Create an account with a password of the person's own, or with ``temporary``, one
        that must be changed at the first sign-in and stops working after TEMPORARY_LIFETIME."""
        name = normalise_username(username)
        shown = _display_name(display_name)
        check_password(password, username=name, display_name=shown)
        taken = Conflict(
            f"The username {name} is taken.",
            "Choose another username, or sign in if the account is yours.",
        )
        if self.store.account_by_username(name) is not None:
            raise taken
        now = self.clock()
        try:
            account = self.store.add_account(
                username=name,
                display_name=shown,
                password_hash=self.hasher.hash(password),
                created=now,
                temporary_until=now + TEMPORARY_LIFETIME if temporary else None,
            )
        except Duplicate:  # another worker took it a moment ago
            raise taken from None
        self._record(now, AuthEventKind.ACCOUNT_CREATED, name, account.id, client)
        return account

    def invite(
        self, username: str, display_name: str, *, client: str = ""
    ) -> tuple[Account, TemporaryPassword]:
        """Create an account with a generated first password (ASVS 6.4.1), to be shown once
        and changed at the first sign-in."""
        password = self._temporary_password(username, display_name)
        account = self.create_account(
            username, display_name, password, client=client, temporary=True
        )
        if account.temporary_until is None:  # never a first password without an expiry
            raise StoreError("the store did not keep the temporary password's expiry")
        return account, TemporaryPassword(password, account.temporary_until)

    def reset_password(self, account: str, *, client: str = "") -> TemporaryPassword:
        """A forgotten password (ASVS 6.4.3), after the node's operator has checked who is
        asking: a new generated temporary password, and every session of the account ended."""
        found = self._account(account)
        password = self._temporary_password(found.username, found.display_name)
        now = self.clock()
        expires = now + TEMPORARY_LIFETIME
        self.store.set_password_hash(found.id, self.hasher.hash(password), temporary_until=expires)
        self.store.end_sessions_of(found.id)
        self._record(now, AuthEventKind.PASSWORD_RESET, found.username, found.id, client)
        return TemporaryPassword(password, expires)

    @staticmethod
    def _temporary_password(username: str, display_name: str) -> str:
        """A generated password that passes the password rules (one always does: a refusal of
        16 random letters is all but impossible, and a retry costs nothing)."""
        while True:
            password = temporary.generate()
            try:
                check_password(password, username=username, display_name=display_name)
            except InvalidInput:
                continue
            return password

    def change_password(
        self,
        account: str,
        current: str,
        new: str,
        *,
        keep_token: str | None = None,
        client: str = "",
    ) -> int:
        """Change the password (the current one is required) and end every other session of
        the account (all but ``keep_token``'s); return how many were ended."""
        found = self._account(account)
        now = self.clock()
        self._check_again(
            found,
            current,
            client,
            "The current password is not correct; the password was not changed.",
            "Type the current password again.",
        )
        if new == current:
            raise InvalidInput(
                "The new password is the same as the current one; the password was not changed.",
                "Choose a new passphrase of your own.",
            )
        check_password(new, username=found.username, display_name=found.display_name)
        self.store.set_password_hash(found.id, self.hasher.hash(new))
        keep = token_hash(keep_token) if keep_token else None
        ended = self.store.end_sessions_of(found.id, keep=keep)
        self._record(now, AuthEventKind.PASSWORD_CHANGED, found.username, found.id, client)
        return ended

    def disable(self, account: str) -> int:
        """Disable an account and end all its sessions; return how many were ended."""
        found = self._account(account)
        self.store.set_disabled(found.id, True)
        return self.store.end_sessions_of(found.id)

    def link(self, account: str, production: str, person: str) -> Membership:
        """Let the account act as ``person`` in ``production`` (one person per production, one
        account per person). The caller checks that the person exists in the production."""
        try:
            check_id("production", production)
            check_id("person", person)
        except EncodingError as exc:
            raise InvalidInput(f"{exc}.", "Use the ids that 'coldcheck people' lists.") from None
        found = self._account(account)
        acting = self.store.member(found.id, production)
        if acting is not None:
            raise Conflict(
                f"Account {found.id} already acts as {acting} in {production}.",
                "An account acts as one person per production; use another account.",
            )
        try:
            return self.store.add_membership(found.id, production, person)
        except Duplicate:
            raise Conflict(
                f"{person} of {production} is already linked to another account.",
                "Each person signs in with one account; check the person's id.",
            ) from None

    def _account(self, account: str) -> Account:
        found = self.store.account_by_id(account)
        if found is None:
            raise NotFound(f"There is no account {account}.", "Check the account id.")
        return found

    # -- sign-in -------------------------------------------------------------------------------

    def sign_in(
        self,
        username: str,
        password: str,
        *,
        client: str,
        current_token: str | None = None,
        agent: str = "",
    ) -> SessionTokens:
        """Open a session, or refuse with NotAuthorised; ``current_token``, a session the
        browser already holds, is ended (a new token on every sign-in). One step: the web
        app's two-step sign-in (``coldcheck.app.twostep``) calls the two halves below."""
        account = self.authenticate(username, password, client=client)
        return self.open_session(account, client=client, current_token=current_token, agent=agent)

    def authenticate(self, username: str, password: str, *, client: str) -> Account:
        """The password step alone: the account, or NotAuthorised (counted toward the lockout).
        Opens no session and records no sign-in, so failures still count until one opens. The
        attempt is claimed in the store before the password is checked (coldcheck.app.lockout),
        so that concurrent requests cannot check more than the lockout allows."""
        typed = username.strip().casefold()
        now = self.clock()
        try:
            account = self.store.account_by_username(normalise_username(username))
        except InvalidInput:
            account = None
        attempt = self.lockout.begin(typed, account.id if account else None, client)
        try:
            # Verify even when there is no account (against a dummy hash) or it is disabled:
            # the same work and the same answer either way.
            matches = self._verify(account.password_hash if account else self._dummy_hash, password)
        except BaseException:
            self.lockout.passed(attempt)  # not checked: the claim is not a failure
            raise
        if account is None or account.disabled or not matches:
            self.lockout.refuse(attempt, WRONG_CREDENTIALS)
        if account.temporary_until is not None and now >= account.temporary_until:
            # Only someone who typed the temporary password learns that it expired.
            self.lockout.refuse(
                attempt,
                f"This temporary password expired at {clock_time(account.temporary_until)} on "
                f"{account.temporary_until.astimezone(UTC):%d %b %Y}.",
                "Ask the node's operator (the armorer or the safety office) for a new one.",
            )
        self.lockout.passed(attempt)
        if self.hasher.check_needs_rehash(account.password_hash):
            self.store.set_password_hash(
                account.id,
                self.hasher.hash(password),
                temporary_until=account.temporary_until,
            )
        return account

    def open_session(
        self,
        account: Account,
        *,
        client: str,
        current_token: str | None = None,
        agent: str = "",
    ) -> SessionTokens:
        """Open a session for an account that has passed every step of sign-in, ending the
        browser's ``current_token`` (a new token on every sign-in), and record the sign-in.
        The session keeps ``client`` and ``agent`` (the browser, described) for its owner's
        list of sessions."""
        now = self.clock()
        if current_token and _TOKEN.fullmatch(current_token):
            self.store.end_session(token_hash(current_token))
        tokens = SessionTokens(
            token=secrets.token_urlsafe(TOKEN_BYTES), csrf=secrets.token_urlsafe(TOKEN_BYTES)
        )
        self.store.new_session(
            token_hash=token_hash(tokens.token),
            account=account.id,
            csrf=tokens.csrf,
            created=now,
            idle_expires=now + IDLE_TIMEOUT,
            absolute_expires=now + ABSOLUTE_LIFETIME,
            client=client,
            agent=agent,
        )
        self._record(now, AuthEventKind.SIGN_IN, account.username, account.id, client)
        return tokens

    def _verify(self, password_hash: str, password: str) -> bool:
        if len(password) > MAX_PASSWORD:  # no stored password is longer: spend the work, fail
            password, password_hash = "", self._dummy_hash
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):  # a mismatch, or a damaged hash
            return False

    def reauthenticate(self, account: str, password: str, *, client: str) -> Account:
        """The password typed again by someone already signed in, before a sensitive change
        (ending other sessions: ASVS 7.5.2; setting up an authenticator app). A wrong one
        counts toward the lockout, as at sign-in, and a paused username or client address
        cannot do it either."""
        found = self._account(account)
        self._check_again(
            found,
            password,
            client,
            "The password is not correct; nothing was changed.",
            "Type your password again.",
        )
        return found

    def _check_again(
        self, found: Account, password: str, client: str, message: str, remedy: str
    ) -> None:
        """Check the password of a signed-in account (claimed first, like a sign-in's)."""
        attempt = self.lockout.begin(found.username, found.id, client)
        try:
            matches = self._verify(found.password_hash, password)
        except BaseException:
            self.lockout.passed(attempt)
            raise
        if not matches:
            self.lockout.refuse(attempt, message, remedy)
        self.lockout.passed(attempt)

    def record(self, account: Account, kind: AuthEventKind, *, client: str) -> None:
        """Record an event about the account in the sign-in log."""
        self._record(self.clock(), kind, account.username, account.id, client)

    def _record(
        self, now: datetime, kind: AuthEventKind, username: str, account: str | None, client: str
    ) -> None:
        self.store.record_event(
            time=now, kind=kind, username=username, account=account, client=client
        )

    # -- sessions ------------------------------------------------------------------------------

    def resolve(self, token: str | None, *, client: str = "") -> ActiveSession | None:
        """The live session of a cookie's token, or None (unknown, ended, lapsed, or its
        account disabled). A lapsed session is ended and recorded as ``expired`` once."""
        if not token or not _TOKEN.fullmatch(token):
            return None
        hashed = token_hash(token)
        session = self.store.session(hashed)
        if session is None or session.ended:
            return None
        account = self.store.account_by_id(session.account)
        now = self.clock()
        if now >= session.idle_expires or now >= session.absolute_expires:
            if self.store.end_session(hashed) and account is not None:
                self._record(now, AuthEventKind.EXPIRED, account.username, account.id, client)
            return None
        if account is None or account.disabled:
            self.store.end_session(hashed)
            return None
        idle_expires = session.idle_expires
        if now - session.last_seen >= TOUCH_INTERVAL:
            idle_expires = min(now + IDLE_TIMEOUT, session.absolute_expires)
            self.store.touch_session(hashed, last_seen=now, idle_expires=idle_expires)
        return ActiveSession(
            account=account.id,
            username=account.username,
            csrf=session.csrf,
            idle_expires=idle_expires,
            absolute_expires=session.absolute_expires,
            id=session.id,
            must_change_password=account.must_change_password,
        )

    def sign_out(self, token: str | None, *, client: str = "") -> bool:
        """End the token's session; False if there was no live session to end."""
        if not token or not _TOKEN.fullmatch(token):
            return False
        hashed = token_hash(token)
        session = self.store.session(hashed)
        if session is None or not self.store.end_session(hashed):
            return False
        account = self.store.account_by_id(session.account)
        username = account.username if account else ""
        self._record(self.clock(), AuthEventKind.SIGN_OUT, username, session.account, client)
        return True

    @staticmethod
    def check_csrf(session: ActiveSession, submitted: str | None) -> bool:
        """Whether a form's or header's CSRF token belongs to the session."""
        return csrf_matches(session.csrf, submitted)
