"""Two-step sign-in on a real SQLite account store with an injected clock: setting up an
authenticator app, the code after the password (right, wrong, replayed, a step either side),
recovery codes, the lockout, pending sign-ins, the API's one-request sign-in and the
administrator's reset. Codes are computed with pyotp at the test clock's time, as a phone would.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from tests.integration.test_accounts_service import Clock

from coldcheck.app import otp
from coldcheck.app.accounts import Accounts, SessionTokens, token_hash
from coldcheck.app.twostep import (
    MAX_CODE_ATTEMPTS,
    CodeNeeded,
    EnrolmentNeeded,
    MfaPolicy,
    Pending,
    PendingView,
    SignInExpired,
    TwoStep,
    WrongCode,
)
from coldcheck.domain.errors import Conflict, NotAuthorised, NotFound
from coldcheck.store.accounts import AuthEventKind
from coldcheck.store.second_factor import Totp
from coldcheck.store.sqlite_accounts import SqliteAccountStore

T0 = datetime(2026, 3, 2, 6, 0, 10, tzinfo=UTC)  # 10 s into a 30-second step
USER = "hannah@dustroad.example"
PASSWORD = "marble kettle orbit lantern"
CLIENT = "192.0.2.7"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "coldcheck.db"


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def store(db: Path) -> Iterator[SqliteAccountStore]:
    opened = SqliteAccountStore(db, create=True)
    yield opened
    opened.close()


@pytest.fixture
def accounts(store: SqliteAccountStore, clock: Clock) -> Accounts:
    return Accounts(store, clock)


@pytest.fixture
def required(accounts: Accounts) -> TwoStep:
    return TwoStep(accounts, MfaPolicy.REQUIRED)


@pytest.fixture
def optional(accounts: Accounts) -> TwoStep:
    return TwoStep(accounts, MfaPolicy.OPTIONAL)


@pytest.fixture
def hannah(accounts: Accounts) -> str:
    return accounts.create_account(USER, "Hannah Reed", PASSWORD, client=CLIENT).id


class Enrolled:
    """An account with an authenticator app: its secret (as the phone holds it) and the
    recovery codes shown at set-up."""

    def __init__(self, secret: str, codes: list[str]) -> None:
        self.secret = secret
        self.codes = codes

    def code(self, at: datetime, steps: int = 0) -> str:
        return pyotp.TOTP(self.secret).at(at, counter_offset=steps)


def set_up(two: TwoStep, clock: Clock, username: str = USER, password: str = PASSWORD) -> Enrolled:
    """Set up an app as a person would from the account page (the password, scan, type the
    code shown), then let a minute pass, so that the codes of the steps around the clock's
    time are all unused."""
    account = two.account(username)
    enrolment = two.start_enrolment(account.id, password, client=CLIENT)
    secret = pyotp.parse_uri(enrolment.uri).secret
    codes = two.confirm(
        account,
        pyotp.TOTP(secret).at(clock.now),
        token=enrolment.token,
        client=CLIENT,
        keep_token=None,
    )
    clock.advance(minutes=1)
    return Enrolled(secret, codes)


@pytest.fixture
def phone(required: TwoStep, hannah: str, clock: Clock) -> Enrolled:
    return set_up(required, clock)


def kinds(accounts: Accounts) -> list[AuthEventKind]:
    return [e.kind for e in reversed(accounts.store.events(limit=1000))]


def pend(two: TwoStep, username: str = USER) -> Pending:
    step = two.password_step(username, PASSWORD, client=CLIENT)
    assert isinstance(step, Pending)
    return step


def code_step(two: TwoStep, pending: Pending, code: str) -> SessionTokens:
    view = two.pending(pending.token)
    assert view is not None
    signed = two.code_step(view, code, client=CLIENT)
    return signed.tokens


# -- the secrets -------------------------------------------------------------------------------


def test_a_totp_secret_is_160_bits_from_the_csprng_in_base32() -> None:
    secrets = {otp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert len(secret) == 32
        assert len(base64.b32decode(secret)) == 20


def test_recovery_codes_are_ten_distinct_120_bit_codes_in_groups_of_four() -> None:
    codes = otp.new_recovery_codes()
    assert len(set(codes)) == 10
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4] * 6
        assert len(base64.b32decode("".join(groups))) == 15  # 120 bits
    # typed in lower case, with spaces or nothing between the groups: the same code
    code = codes[0]
    assert otp.recovery_hash(code.lower().replace("-", " ")) == otp.recovery_hash(code)
    assert (
        otp.recovery_hash(code.replace("-", ""))
        == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    )
    assert otp.recovery_code("123456") is None


def test_the_qr_code_carries_a_standard_otpauth_uri(required: TwoStep, hannah: str) -> None:
    enrolment = required.start_enrolment(hannah, PASSWORD, client=CLIENT)
    parsed = pyotp.parse_uri(enrolment.uri)
    assert enrolment.uri.startswith("otpauth://totp/coldcheck:hannah%40dustroad.example?")
    assert isinstance(parsed, pyotp.TOTP)
    assert (parsed.digits, parsed.interval, parsed.issuer) == (6, 30, "coldcheck")
    assert parsed.digest().name == "sha1"
    assert parsed.secret == enrolment.secret
    assert enrolment.secret not in repr(enrolment)
    assert enrolment.token not in repr(enrolment)


# -- setting up ------------------------------------------------------------------------------


def test_setting_up_is_confirmed_by_a_code_and_gives_ten_recovery_codes_once(
    required: TwoStep, hannah: str, clock: Clock
) -> None:
    account = required.account(USER)
    assert required.status(hannah).enrolled is None
    enrolment = required.start_enrolment(hannah, PASSWORD, client=CLIENT)
    again = required.enrolment_of(account, enrolment.token)  # a reload: the same QR code
    assert again is not None
    assert again.secret == enrolment.secret
    code = pyotp.TOTP(enrolment.secret).at(T0)
    codes = required.confirm(account, code, token=enrolment.token, client=CLIENT, keep_token=None)
    assert len(codes) == 10
    status = required.status(hannah)
    assert (status.enrolled, status.recovery_codes_left) == (T0, 10)
    assert kinds(required.accounts)[-1] is AuthEventKind.MFA_ENROLLED
    assert required.enrolment_of(account, enrolment.token) is None  # nothing left to confirm
    with pytest.raises(Conflict):  # and it cannot be confirmed twice
        required.confirm(account, code, token=enrolment.token, client=CLIENT, keep_token=None)


def test_a_wrong_code_does_not_set_anything_up_and_is_not_a_sign_in_failure(
    required: TwoStep, hannah: str
) -> None:
    account = required.account(USER)
    enrolment = required.start_enrolment(hannah, PASSWORD, client=CLIENT)
    good = pyotp.TOTP(enrolment.secret).at(T0)
    with pytest.raises(WrongCode, match="does not match"):
        required.confirm(
            account,
            f"{(int(good) + 1) % 1_000_000:06d}",
            token=enrolment.token,
            client=CLIENT,
            keep_token=None,
        )
    assert required.status(hannah).enrolled is None
    assert AuthEventKind.MFA_FAILURE not in kinds(required.accounts)


def test_a_set_up_not_confirmed_within_30_minutes_is_over(
    required: TwoStep, hannah: str, clock: Clock
) -> None:
    account = required.account(USER)
    first = required.start_enrolment(hannah, PASSWORD, client=CLIENT)
    clock.advance(minutes=29)
    assert required.enrolment_of(account, first.token) is not None
    clock.advance(minutes=1)
    assert required.enrolment_of(account, first.token) is None
    with pytest.raises(Conflict, match="30 minutes"):
        required.confirm(
            account,
            pyotp.TOTP(first.secret).at(clock.now),
            token=first.token,
            client=CLIENT,
            keep_token=None,
        )
    again = required.start_enrolment(hannah, PASSWORD, client=CLIENT)
    assert again.secret != first.secret  # a new QR code
    assert required.status(hannah).enrolled is None


# -- the password step -------------------------------------------------------------------------


def test_under_required_the_password_alone_opens_no_session_but_a_set_up(
    required: TwoStep, hannah: str
) -> None:
    pending = pend(required)
    assert pending.enrol
    assert pending.expires == T0 + timedelta(minutes=5)
    assert required.accounts.resolve(pending.token) is None  # not a session
    assert AuthEventKind.SIGN_IN not in kinds(required.accounts)
    view = required.pending(pending.token)
    assert view is not None
    assert (view.account.id, view.enrolled) == (hannah, False)


def test_under_optional_an_account_without_an_app_signs_in_with_its_password(
    optional: TwoStep, hannah: str
) -> None:
    tokens = optional.password_step(USER, PASSWORD, client=CLIENT)
    assert isinstance(tokens, SessionTokens)
    assert optional.accounts.resolve(tokens.token) is not None
    assert optional.session_allowed(hannah)


def test_an_account_with_an_app_needs_its_code_even_under_optional(
    optional: TwoStep, hannah: str, clock: Clock
) -> None:
    phone = set_up(optional, clock)
    pending = pend(optional)
    assert not pending.enrol
    tokens = code_step(optional, pending, phone.code(clock.now))
    assert optional.accounts.resolve(tokens.token) is not None


def test_a_wrong_password_never_reaches_the_code(required: TwoStep, phone: Enrolled) -> None:
    with pytest.raises(NotAuthorised, match="username or password"):
        required.password_step(USER, "not the password at all", client=CLIENT)


# -- the code step ----------------------------------------------------------------------------


def test_the_right_code_completes_the_sign_in_with_a_new_session(
    required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    pending = pend(required)
    tokens = code_step(required, pending, phone.code(clock.now))
    session = required.accounts.resolve(tokens.token)
    assert session is not None
    assert session.username == USER
    assert tokens.token != pending.token
    assert required.pending(pending.token) is None  # used up
    assert kinds(required.accounts)[-1] is AuthEventKind.SIGN_IN


def test_a_code_typed_with_a_space_is_the_same_code(
    required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    code = phone.code(clock.now)
    tokens = code_step(required, pend(required), f" {code[:3]} {code[3:]} ")
    assert required.accounts.resolve(tokens.token) is not None


def test_the_pending_token_is_not_a_session_and_its_csrf_is_its_own(
    required: TwoStep, phone: Enrolled
) -> None:
    pending = pend(required)
    assert required.accounts.resolve(pending.token) is None
    assert required.accounts.store.session(token_hash(pending.token)) is None
    assert pending.csrf != pending.token


def test_a_wrong_code_is_refused_logged_and_counted(
    required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    pending = pend(required)
    right = phone.code(clock.now)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    view = required.pending(pending.token)
    assert view is not None
    with pytest.raises(WrongCode, match="not correct") as refused:
        required.code_step(view, wrong, client=CLIENT)
    assert "authenticator app" in refused.value.remedy
    assert kinds(required.accounts)[-1] is AuthEventKind.MFA_FAILURE
    assert len(required.store.failures_since(USER, T0)) == 1
    found = required.store.pending_sign_in(token_hash(pending.token))
    assert found is not None
    assert found.attempts == 1
    # the right code still works on the same pending sign-in
    assert required.accounts.resolve(code_step(required, pending, right).token) is not None


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_a_code_one_step_either_side_is_accepted(
    required: TwoStep, phone: Enrolled, clock: Clock, steps: int
) -> None:
    tokens = code_step(required, pend(required), phone.code(clock.now, steps))
    assert required.accounts.resolve(tokens.token) is not None


@pytest.mark.parametrize("steps", [-3, -2, 2, 3])
def test_a_code_two_steps_away_or_more_is_refused(
    required: TwoStep, phone: Enrolled, clock: Clock, steps: int
) -> None:
    with pytest.raises(WrongCode, match="not correct"):
        code_step(required, pend(required), phone.code(clock.now, steps))


def test_a_code_is_accepted_once(required: TwoStep, phone: Enrolled, clock: Clock) -> None:
    code = phone.code(clock.now)
    code_step(required, pend(required), code)
    with pytest.raises(WrongCode, match="already used") as replayed:
        code_step(required, pend(required), code)
    assert "next code" in replayed.value.remedy
    assert kinds(required.accounts)[-1] is AuthEventKind.MFA_FAILURE
    clock.advance(seconds=30)  # the next code works
    code_step(required, pend(required), phone.code(clock.now))


def test_an_older_code_is_refused_once_a_newer_one_was_accepted(
    required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    code_step(required, pend(required), phone.code(clock.now, 1))
    with pytest.raises(WrongCode, match="already used"):
        code_step(required, pend(required), phone.code(clock.now))


def test_a_code_used_through_the_api_is_refused_in_the_pages(
    required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    code = phone.code(clock.now)
    required.sign_in(USER, PASSWORD, code, client=CLIENT)
    with pytest.raises(WrongCode, match="already used"):
        code_step(required, pend(required), code)


def test_five_wrong_codes_pause_the_username_and_end_the_pending_sign_in(
    required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    pending = pend(required)
    view = required.pending(pending.token)
    assert view is not None
    for _ in range(4):
        with pytest.raises(WrongCode, match="not correct"):
            required.code_step(view, "000000", client=CLIENT)
    with pytest.raises(WrongCode, match="not correct") as fifth:
        required.code_step(view, "000000", client=CLIENT)
    assert "paused until 06:16 UTC" in fifth.value.remedy  # 15 minutes after 06:01:10
    assert required.pending(pending.token) is None  # ended after 5 wrong codes
    assert kinds(required.accounts)[-2:] == [AuthEventKind.MFA_FAILURE, AuthEventKind.LOCKOUT]
    # even the password and the right code are refused during the pause
    with pytest.raises(NotAuthorised, match="paused"):
        required.password_step(USER, PASSWORD, client=CLIENT)
    with pytest.raises(NotAuthorised, match="paused"):
        required.code_step(view, phone.code(clock.now), client=CLIENT)
    with pytest.raises(NotAuthorised, match="paused"):
        required.sign_in(USER, PASSWORD, phone.code(clock.now), client=CLIENT)
    clock.advance(minutes=15)
    code_step(required, pend(required), phone.code(clock.now))


def test_wrong_codes_and_wrong_passwords_add_up_in_one_lockout(
    required: TwoStep, phone: Enrolled
) -> None:
    for _ in range(3):
        with pytest.raises(NotAuthorised):
            required.password_step(USER, "not the password at all", client=CLIENT)
    pending = pend(required)
    view = required.pending(pending.token)
    assert view is not None
    with pytest.raises(WrongCode):
        required.code_step(view, "000000", client=CLIENT)
    with pytest.raises(WrongCode) as fifth:
        required.code_step(view, "111111", client=CLIENT)
    assert "paused" in fifth.value.remedy
    with pytest.raises(NotAuthorised, match="paused"):
        required.password_step(USER, PASSWORD, client=CLIENT)


def test_a_pending_sign_in_lapses_after_5_minutes(
    required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    pending = pend(required)
    view = required.pending(pending.token)
    assert view is not None
    clock.advance(minutes=4, seconds=59)
    assert required.pending(pending.token) is not None
    clock.advance(seconds=1)
    assert required.pending(pending.token) is None
    assert required.pending("not a token") is None
    assert required.pending(None) is None


def test_a_pending_sign_in_completes_once_for_every_worker(
    db: Path, required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    other_store = SqliteAccountStore(db)
    try:
        other = TwoStep(Accounts(other_store, clock), MfaPolicy.REQUIRED)
        pending = pend(required)
        here, there = required.pending(pending.token), other.pending(pending.token)
        assert here is not None
        assert there is not None
        required.code_step(here, phone.code(clock.now), client=CLIENT)
        clock.advance(seconds=30)
        with pytest.raises(SignInExpired):
            other.code_step(there, phone.code(clock.now), client=CLIENT)
        assert kinds(required.accounts).count(AuthEventKind.SIGN_IN) == 1
    finally:
        other_store.close()


def test_a_disabled_account_cannot_complete_its_pending_sign_in(
    required: TwoStep, phone: Enrolled, hannah: str
) -> None:
    pending = pend(required)
    required.accounts.disable(hannah)
    assert required.pending(pending.token) is None


# -- recovery codes ----------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once_and_is_logged(required: TwoStep, phone: Enrolled) -> None:
    code = phone.codes[3]
    view = required.pending(pend(required).token)
    assert view is not None
    signed = required.code_step(view, code.lower().replace("-", ""), client=CLIENT)
    assert required.accounts.resolve(signed.tokens.token) is not None
    assert signed.recovery_codes_left == 9
    assert kinds(required.accounts)[-2:] == [
        AuthEventKind.RECOVERY_CODE_USED,
        AuthEventKind.SIGN_IN,
    ]
    with pytest.raises(WrongCode, match="not correct"):
        code_step(required, pend(required), code)
    assert required.status(required.account(USER).id).recovery_codes_left == 9


def test_another_accounts_recovery_code_does_not_work(
    required: TwoStep, phone: Enrolled, accounts: Accounts, clock: Clock
) -> None:
    accounts.create_account("jack", "Jack Colt", "copper thistle harbour dune", client=CLIENT)
    set_up(required, clock, "jack", "copper thistle harbour dune")
    step = required.password_step("jack", "copper thistle harbour dune", client=CLIENT)
    assert isinstance(step, Pending)
    with pytest.raises(WrongCode):
        code_step(required, step, phone.codes[0])
    code_step(required, pend(required), phone.codes[0])  # still hannah's to use


def test_only_hashes_of_recovery_codes_and_pending_tokens_reach_the_database_file(
    db: Path, required: TwoStep, phone: Enrolled
) -> None:
    pending = pend(required)
    stored = b"".join(p.read_bytes() for p in (db, db.with_name(db.name + "-wal")) if p.exists())
    for code in phone.codes:
        assert code.encode() not in stored
        assert code.replace("-", "").encode() not in stored
    assert otp.recovery_hash(phone.codes[0]).encode() in stored
    assert pending.token.encode() not in stored
    assert token_hash(pending.token).encode() in stored


# -- the API: password and code in one request ----------------------------------------------


def test_the_api_needs_the_code_of_an_account_with_an_app(
    required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    with pytest.raises(CodeNeeded, match="code from its authenticator app"):
        required.sign_in(USER, PASSWORD, None, client=CLIENT)
    with pytest.raises(CodeNeeded):
        required.sign_in(USER, PASSWORD, "  ", client=CLIENT)
    assert AuthEventKind.MFA_FAILURE not in kinds(required.accounts)  # missing is not a guess
    with pytest.raises(WrongCode):
        required.sign_in(USER, PASSWORD, "000000", client=CLIENT)
    assert kinds(required.accounts)[-1] is AuthEventKind.MFA_FAILURE
    signed = required.sign_in(USER, PASSWORD, phone.code(clock.now), client=CLIENT)
    assert required.accounts.resolve(signed.tokens.token) is not None
    recovered = required.sign_in(USER, PASSWORD, phone.codes[0], client=CLIENT)
    assert recovered.recovery_codes_left == 9


def test_the_api_sends_an_account_without_an_app_to_the_sign_in_page(
    required: TwoStep, optional: TwoStep, hannah: str
) -> None:
    with pytest.raises(EnrolmentNeeded, match="no authenticator app") as refused:
        required.sign_in(USER, PASSWORD, None, client=CLIENT)
    assert "/signin" in refused.value.remedy
    signed = optional.sign_in(USER, PASSWORD, None, client=CLIENT)
    assert optional.accounts.resolve(signed.tokens.token) is not None
    # a password-only session is not accepted where the node requires a code
    assert not required.session_allowed(hannah)


# -- changing the app, and the administrator's reset --------------------------------------------


def test_setting_up_again_replaces_app_and_codes_and_ends_other_sessions(
    required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    elsewhere = code_step(required, pend(required), phone.code(clock.now))
    clock.advance(seconds=30)
    here = code_step(required, pend(required), phone.code(clock.now))
    account = required.account(USER)
    clock.advance(seconds=30)
    enrolment = required.start_enrolment(account.id, PASSWORD, phone.code(clock.now), client=CLIENT)
    new_secret = pyotp.parse_uri(enrolment.uri).secret
    clock.advance(seconds=30)
    codes = required.confirm(
        account,
        pyotp.TOTP(new_secret).at(clock.now),
        token=enrolment.token,
        client=CLIENT,
        keep_token=here.token,
    )
    assert set(codes).isdisjoint(phone.codes)
    assert required.accounts.resolve(here.token) is not None
    assert required.accounts.resolve(elsewhere.token) is None
    clock.advance(seconds=30)
    with pytest.raises(WrongCode):  # the old phone's codes no longer work
        code_step(required, pend(required), phone.code(clock.now))
    with pytest.raises(WrongCode):  # nor the old recovery codes
        code_step(required, pend(required), phone.codes[0])
    code_step(required, pend(required), pyotp.TOTP(new_secret).at(clock.now))


def test_an_administrator_reset_removes_the_app_and_ends_every_session(
    required: TwoStep, phone: Enrolled, clock: Clock, hannah: str
) -> None:
    tokens = code_step(required, pend(required), phone.code(clock.now))
    waiting = pend(required)
    done = required.reset(USER, client="coldcheck account mfa-reset")
    assert (done.account.id, done.had_app, done.sessions_ended) == (hannah, True, 1)
    assert required.accounts.resolve(tokens.token) is None
    assert required.pending(waiting.token) is None
    status = required.status(hannah)
    assert (status.enrolled, status.recovery_codes_left) == (None, 0)
    assert kinds(required.accounts)[-1] is AuthEventKind.MFA_RESET
    assert required.accounts.store.events(1)[0].client == "coldcheck account mfa-reset"
    # the next sign-in sets up a new app
    assert pend(required).enrol
    with pytest.raises(NotFound):
        required.reset("nobody", client="")


# -- what a password alone, a stolen session or a race must not do -----------------------------


def test_the_password_alone_never_sets_up_an_app_over_an_existing_one(
    required: TwoStep, phone: Enrolled
) -> None:
    """Someone with only the password reaches the code step: no set-up is created or shown
    for an account that has an app, whichever way they ask."""
    view = required.pending(pend(required).token)
    assert view is not None
    assert view.enrolled
    with pytest.raises(Conflict, match="already has an authenticator app"):
        required.sign_in_enrolment(view)
    with pytest.raises(Conflict, match="already has an authenticator app"):
        required.enrol_and_sign_in(view, "000000", client=CLIENT)
    assert required.store.totp_enrolment(view.account.id) is None
    found = required.store.totp(view.account.id)
    assert found is not None
    assert found.secret == phone.secret


def test_a_set_up_at_sign_in_is_shown_and_confirmed_only_by_its_own_sign_in(
    required: TwoStep, hannah: str, clock: Clock
) -> None:
    mine = required.pending(pend(required).token)
    assert mine is not None
    shown = required.sign_in_enrolment(mine)
    assert required.sign_in_enrolment(mine).secret == shown.secret  # a reload: the same
    theirs = required.pending(pend(required).token)  # another browser with the password
    assert theirs is not None
    other = required.sign_in_enrolment(theirs)
    assert other.secret != shown.secret  # never another sign-in's secret
    with pytest.raises(Conflict, match="set-up is over"):  # replaced: mine is over
        required.enrol_and_sign_in(mine, pyotp.TOTP(shown.secret).at(clock.now), client=CLIENT)
    with pytest.raises(Conflict, match="set-up is over"):  # nor can a form confirm it
        required.confirm(
            required.account(USER),
            pyotp.TOTP(other.secret).at(clock.now),
            token="x" * 43,
            client=CLIENT,
            keep_token=None,
        )
    tokens, codes = required.enrol_and_sign_in(
        theirs, pyotp.TOTP(other.secret).at(clock.now), client=CLIENT
    )
    assert required.accounts.resolve(tokens.token) is not None
    assert len(codes) == 10
    assert required.pending(theirs.token_hash) is None
    assert required.pending(mine.token_hash) is None  # every other pending sign-in ended too


def test_each_start_from_the_account_page_is_a_new_secret_only_its_form_can_use(
    required: TwoStep, hannah: str, clock: Clock
) -> None:
    account = required.account(USER)
    first = required.start_enrolment(hannah, PASSWORD, client=CLIENT)
    second = required.start_enrolment(hannah, PASSWORD, client=CLIENT)
    assert first.secret != second.secret
    assert first.token != second.token
    assert required.enrolment_of(account, first.token) is None  # replaced
    assert required.enrolment_of(account, "") is None  # a session cookie alone: nothing
    assert required.enrolment_of(account, "y" * 43) is None
    code = pyotp.TOTP(second.secret).at(clock.now)
    for token in ("", first.token, "y" * 43):
        with pytest.raises(Conflict, match="set-up is over"):
            required.confirm(account, code, token=token, client=CLIENT, keep_token=None)
    assert required.status(hannah).enrolled is None
    required.confirm(account, code, token=second.token, client=CLIENT, keep_token=None)
    assert required.status(hannah).enrolled is not None


def test_replacing_an_app_needs_the_password_and_a_code_of_the_app_or_a_recovery_code(
    required: TwoStep, phone: Enrolled, hannah: str, clock: Clock
) -> None:
    """Full re-authentication before an authentication factor changes (ASVS 7.5.1)."""
    with pytest.raises(NotAuthorised, match="password is not correct"):
        required.start_enrolment(
            hannah, "not the password at all", phone.code(clock.now), client=CLIENT
        )
    with pytest.raises(CodeNeeded, match="code from it"):
        required.start_enrolment(hannah, PASSWORD, client=CLIENT)
    with pytest.raises(WrongCode, match="not correct"):
        required.start_enrolment(hannah, PASSWORD, "000000", client=CLIENT)
    assert kinds(required.accounts)[-1] is AuthEventKind.MFA_FAILURE  # counted, as at sign-in
    assert required.store.totp_enrolment(hannah) is None  # nothing set up meanwhile
    assert required.start_enrolment(hannah, PASSWORD, phone.code(clock.now), client=CLIENT).token
    lost_phone = required.start_enrolment(hannah, PASSWORD, phone.codes[0], client=CLIENT)
    assert lost_phone.token
    assert required.status(hannah).recovery_codes_left == 9


def test_a_password_reset_or_change_ends_the_sign_ins_and_set_ups_begun_before(
    required: TwoStep, hannah: str, clock: Clock
) -> None:
    accounts = required.accounts
    view = required.pending(pend(required).token)
    assert view is not None
    shown = required.sign_in_enrolment(view)
    temporary = accounts.reset_password(hannah, client="node: coldcheck account")
    assert required.pending(view.token_hash) is None
    with pytest.raises((Conflict, SignInExpired)):
        required.enrol_and_sign_in(view, pyotp.TOTP(shown.secret).at(clock.now), client=CLIENT)
    assert required.status(hannah).enrolled is None
    assert AuthEventKind.SIGN_IN not in kinds(accounts)

    # from the account page: a set-up started, then the password changed (on another device)
    accounts.change_password(hannah, temporary.password, PASSWORD + " again")
    session = accounts.sign_in(USER, PASSWORD + " again", client=CLIENT)
    started = required.start_enrolment(hannah, PASSWORD + " again", client=CLIENT)
    accounts.change_password(hannah, PASSWORD + " again", PASSWORD, client=CLIENT)
    with pytest.raises(Conflict, match="set-up is over"):
        required.confirm(
            required.account(USER),
            pyotp.TOTP(started.secret).at(clock.now),
            token=started.token,
            client=CLIENT,
            keep_token=session.token,
        )
    assert required.status(hannah).enrolled is None


def test_a_right_password_with_a_step_to_come_is_logged_and_keeps_the_failures_counting(
    required: TwoStep, optional: TwoStep, hannah: str, clock: Clock
) -> None:
    with pytest.raises(NotAuthorised):
        required.password_step(USER, "not the password at all", client=CLIENT)
    pend(required)  # the forced set-up
    with pytest.raises(EnrolmentNeeded):
        required.sign_in(USER, PASSWORD, None, client=CLIENT)
    set_up(optional, clock)  # the account page, after the password
    pend(required)  # the code step
    with pytest.raises(CodeNeeded):
        required.sign_in(USER, PASSWORD, None, client=CLIENT)
    logged = kinds(required.accounts)
    assert logged.count(AuthEventKind.PASSWORD_OK) == 5
    assert AuthEventKind.SIGN_IN not in logged
    assert len(required.store.failures_since(USER, T0)) == 1  # password_ok resets nothing


def test_the_code_step_is_refused_while_the_client_address_is_paused(
    required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    """A pending sign-in opened before its address was paused takes no more codes."""
    view = required.pending(pend(required).token)
    assert view is not None
    for n in range(20):  # one password sprayed over many usernames, from the same address
        with pytest.raises(NotAuthorised):
            required.password_step(f"crew{n}", "Summer2026!!x", client=CLIENT)
    with pytest.raises(NotAuthorised, match="network address is paused"):
        required.code_step(view, "000000", client=CLIENT)
    with pytest.raises(NotAuthorised, match="network address is paused"):
        required.code_step(view, phone.code(clock.now), client=CLIENT)
    assert AuthEventKind.MFA_FAILURE not in kinds(required.accounts)
    found = required.store.pending_sign_in(view.token_hash)
    assert found is not None
    assert found.attempts == 0  # refused before any code was tried


class SlowToCheck(SqliteAccountStore):
    """A worker's store whose reading of the secret (the check of a code) takes a while."""

    slow = False

    def totp(self, account: str) -> Totp | None:
        if self.slow:
            time.sleep(0.05)
        return super().totp(account)


def test_concurrent_codes_never_check_more_than_the_lockout_allows(
    db: Path, required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    """40 guesses at the same pending sign-in at once, each on its own worker (its own store
    connection): the attempts are claimed before the codes are checked, so at most 5 are."""
    workers = 40
    stores = [SlowToCheck(db) for _ in range(workers)]
    services = [
        TwoStep(Accounts(store, clock, required.accounts.hasher), required.policy)
        for store in stores
    ]
    try:
        token = pend(required).token
        views = [s.pending(token) for s in services]
        for store in stores:
            store.slow = True  # every check overlaps every other: the widest race
        start = threading.Barrier(workers)
        outcomes: list[str] = []

        def guess(n: int) -> None:
            view = views[n]
            assert view is not None
            start.wait()
            try:
                services[n].code_step(view, f"{(123456 + n) % 1_000_000:06d}", client=CLIENT)
                outcomes.append("signed in")
            except WrongCode:
                outcomes.append("checked")
            except (NotAuthorised, SignInExpired):
                outcomes.append("refused")

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for service in services:
            service.store.close()
    checked = outcomes.count("checked") + outcomes.count("signed in")
    assert len(outcomes) == workers
    assert checked <= MAX_CODE_ATTEMPTS
    assert kinds(required.accounts).count(AuthEventKind.MFA_FAILURE) == outcomes.count("checked")
    # every claim is settled: what the next attempt counts is what the log holds
    claim = required.store.claim_attempt(username=USER, client=CLIENT, time=clock.now, since=T0)
    required.store.release_attempt(claim.id)
    assert claim.failures == required.store.failures_since(USER, T0)


def test_a_completed_sign_in_leaves_its_tokens_out_of_repr(
    required: TwoStep, phone: Enrolled, clock: Clock
) -> None:
    signed = required.code_step(
        _view(required, pend(required)), phone.code(clock.now), client=CLIENT
    )
    for shown in (repr(signed), str(signed), repr(signed.tokens), f"{signed.tokens}"):
        assert signed.tokens.token not in shown
        assert signed.tokens.csrf not in shown
    token, csrf = signed.tokens  # still the two values to hand to the browser
    assert (token, csrf) == (signed.tokens.token, signed.tokens.csrf)


def _view(two: TwoStep, pending: Pending) -> PendingView:
    view = two.pending(pending.token)
    assert view is not None
    return view
