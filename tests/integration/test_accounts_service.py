"""The accounts service on a real SQLite account store, with an injected clock.

Sign-in, lockout, session lifetimes, sign-out, password changes and rules, rehashing and CSRF:
the behaviour docs/security.md promises, requirement by requirement. argon2id runs with the
test-only parameters (COLDCHECK_INSECURE_TEST_KDF=1, as for PINs), so the suite stays fast.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest
from argon2 import PasswordHasher

from coldcheck.app.accounts import (
    ABSOLUTE_LIFETIME,
    IDLE_TIMEOUT,
    MAX_PASSWORD,
    PRODUCTION_PARAMETERS,
    TEST_ONLY_PARAMETERS,
    WRONG_CREDENTIALS,
    Accounts,
    check_password,
    csrf_matches,
    normalise_username,
    password_hasher,
    request_fingerprint,
    token_hash,
)
from coldcheck.app.lockout import LOCKOUT_THRESHOLD, lock_until
from coldcheck.domain.errors import Conflict, InvalidInput, NotAuthorised, NotFound
from coldcheck.store.accounts import AuthEventKind
from coldcheck.store.sqlite_accounts import SqliteAccountStore

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
USER = "hannah@dustroad.example"
PASSWORD = "marble kettle orbit lantern"
CLIENT = "192.0.2.7"
TEST_ENV = {"COLDCHECK_INSECURE_TEST_KDF": "1"}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class CountingHasher(PasswordHasher):
    """Counts verifications, to show that an unknown username costs the same work."""

    verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verifications += 1
        return super().verify(hash, password)


def fast_hasher(**changes: int) -> CountingHasher:
    params = TEST_ONLY_PARAMETERS
    hasher = CountingHasher(
        time_cost=changes.get("time_cost", params.time_cost),
        memory_cost=changes.get("memory_cost", params.memory_cost),
        parallelism=params.parallelism,
        hash_len=params.hash_len,
        salt_len=params.salt_len,
        type=params.type,
    )
    return hasher


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
    return Accounts(store, clock, fast_hasher())


@pytest.fixture
def hannah(accounts: Accounts) -> str:
    return accounts.create_account(USER, "Hannah Reed", PASSWORD, client=CLIENT).id


def kinds(accounts: Accounts) -> list[AuthEventKind]:
    """The sign-in log, oldest first."""
    return [e.kind for e in reversed(accounts.store.events(limit=1000))]


def stored_hash(store: SqliteAccountStore) -> str:
    account = store.account_by_username(USER)
    assert account is not None
    return account.password_hash


def refusal(accounts: Accounts, username: str, password: str) -> NotAuthorised:
    with pytest.raises(NotAuthorised) as caught:
        accounts.sign_in(username, password, client=CLIENT)
    return caught.value


# -- the hasher -------------------------------------------------------------------------------


def test_production_parameters_unless_the_test_only_switch_is_on() -> None:
    production = password_hasher(env={})
    test_only = password_hasher(env=TEST_ENV)

    assert (production.time_cost, production.memory_cost, production.parallelism) == (3, 65536, 4)
    assert production.type.name == "ID"
    assert PRODUCTION_PARAMETERS.memory_cost >= 19 * 1024  # OWASP's argon2id floor is 19 MiB
    assert (test_only.time_cost, test_only.memory_cost) == (1, 8)
    assert password_hasher(env={"COLDCHECK_INSECURE_TEST_KDF": "yes"}).time_cost == 3


# -- creating accounts -----------------------------------------------------------------------


def test_an_account_is_created_with_a_casefolded_username_and_an_argon2id_hash(
    accounts: Accounts, db: Path
) -> None:
    account = accounts.create_account(
        "  Hannah@DustRoad.Example ", " Hannah Reed ", PASSWORD, client=CLIENT
    )

    assert (account.id, account.username, account.display_name) == ("A0001", USER, "Hannah Reed")
    assert account.password_hash.startswith("$argon2id$v=19$")
    assert PASSWORD.encode() not in b"".join(p.read_bytes() for p in db.parent.glob("*.db*"))
    (created,) = accounts.store.events()
    assert (created.kind, created.account, created.client) == (
        AuthEventKind.ACCOUNT_CREATED,
        "A0001",
        CLIENT,
    )


def test_a_taken_username_is_a_conflict_whatever_its_case(accounts: Accounts, hannah: str) -> None:
    with pytest.raises(Conflict) as caught:
        accounts.create_account("HANNAH@dustroad.example", "Other", "another long passphrase")

    assert "taken" in caught.value.message
    assert caught.value.remedy


@pytest.mark.parametrize(
    "username",
    ["ab", "x" * 65, "hannah reed", "hännah", "-hannah", "hannah@", "han/nah", ""],
)
def test_a_malformed_username_is_refused(accounts: Accounts, username: str) -> None:
    with pytest.raises(InvalidInput):
        accounts.create_account(username, "Hannah", PASSWORD)

    assert accounts.store.events() == []


def test_usernames_are_plain_ascii_logins_or_email_addresses() -> None:
    assert normalise_username("HReed") == "hreed"
    assert (
        normalise_username("hannah.reed+set@dust-road.example")
        == "hannah.reed+set@dust-road.example"
    )


@pytest.mark.parametrize(
    ("password", "why"),
    [
        pytest.param("eleven char", "at least 12", id="too-short"),
        pytest.param("x" * (MAX_PASSWORD + 1), "at most 128", id="too-long"),
        pytest.param("Password2024!", "easy to guess", id="common-word-with-digits"),
        pytest.param("P@ssw0rd2024!!", "easy to guess", id="common-word-letter-swaps"),
        pytest.param("iloveyou123456", "easy to guess", id="common-word-padded"),
        pytest.param("Correct Horse Battery Staple", "easy to guess", id="famous-phrase"),
        pytest.param("123456789012", "easy to guess", id="digit-run"),
        pytest.param("qwertyuiop12", "easy to guess", id="keyboard-row"),
        pytest.param("1qaz2wsx3edc", "easy to guess", id="keyboard-columns"),
        pytest.param("aaaaaaaaaaaa", "easy to guess", id="one-character"),
        pytest.param("abcabcabcabc", "easy to guess", id="repeated-pattern"),
        pytest.param("monkey monkey monkey", "easy to guess", id="repeated-word"),
        pytest.param("Coldcheck2026!", "easy to guess", id="context-word"),
        pytest.param("armourer armourer", "easy to guess", id="context-word-repeated"),
        pytest.param("hannah@dustroad.example!", "username", id="the-username"),
        pytest.param("HannahReed1234", "username", id="the-name"),
        pytest.param("Hannah 2026 !!!", "username", id="a-word-of-the-name"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason_and_a_remedy(
    accounts: Accounts, password: str, why: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        accounts.create_account(USER, "Hannah Reed", password)

    assert why in caught.value.message
    assert caught.value.remedy
    assert accounts.store.account_by_username(USER) is None


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("marble kettle orbit lantern", id="lowercase-words-and-spaces"),
        pytest.param("4839 2016 7781 0045", id="digits-only"),
        pytest.param("kind-otter-47-violin", id="mixed"),
        pytest.param("日本語のパスフレーズです長い", id="non-latin"),
        pytest.param("x9" + "a quiet river " * 9, id="128-characters"),
        pytest.param(" leading and trailing spaces ", id="spaces-kept"),
    ],
)
def test_any_composition_is_allowed_and_long_passphrases_too(password: str) -> None:
    assert len(password) <= MAX_PASSWORD
    check_password(password, username=USER, display_name="Hannah Reed")


def test_a_64_character_password_is_allowed() -> None:
    check_password("seven otters paddle " * 3 + "slow", username=USER)


# -- signing in --------------------------------------------------------------------------------


def test_sign_in_opens_a_session_with_fresh_random_tokens(accounts: Accounts, hannah: str) -> None:
    first = accounts.sign_in(USER, PASSWORD, client=CLIENT)
    second = accounts.sign_in(" HANNAH@dustroad.example", PASSWORD, client=CLIENT)

    assert len({first.token, first.csrf, second.token, second.csrf}) == 4
    assert all(len(t) == 43 for t in (*first, *second))  # 32 bytes, URL-safe base64
    session = accounts.resolve(first.token)
    assert session is not None
    assert (session.account, session.username, session.csrf) == (hannah, USER, first.csrf)
    assert session.absolute_expires == T0 + ABSOLUTE_LIFETIME
    last = accounts.store.events()[0]
    assert (last.kind, last.account, last.client) == (AuthEventKind.SIGN_IN, hannah, CLIENT)


def test_the_password_is_checked_exactly_as_typed(accounts: Accounts, hannah: str) -> None:
    for near_miss in (PASSWORD.upper(), PASSWORD + " ", PASSWORD[:-1]):
        assert refusal(accounts, USER, near_miss).message == WRONG_CREDENTIALS


def test_a_wrong_password_and_an_unknown_username_get_the_same_answer_and_work(
    store: SqliteAccountStore, clock: Clock, hannah: str
) -> None:
    hasher = fast_hasher()
    accounts = Accounts(store, clock, hasher)

    wrong_password = refusal(accounts, USER, "not the right passphrase")
    after_known = hasher.verifications
    unknown_user = refusal(accounts, "nobody@dustroad.example", "not the right passphrase")
    after_unknown = hasher.verifications - after_known
    malformed_user = refusal(accounts, "no such user!", "not the right passphrase")

    assert wrong_password.message == unknown_user.message == malformed_user.message
    assert wrong_password.message == WRONG_CREDENTIALS
    assert wrong_password.remedy == unknown_user.remedy == malformed_user.remedy
    assert (after_known, after_unknown) == (1, 1), "an unknown username is verified too"
    failures = [e for e in store.events() if e.kind is AuthEventKind.FAILURE]
    assert [(e.username, e.account, e.client) for e in reversed(failures)] == [
        (USER, hannah, CLIENT),
        ("nobody@dustroad.example", None, CLIENT),
        ("no such user!", None, CLIENT),
    ]


def test_an_overlong_password_fails_after_the_same_work(
    store: SqliteAccountStore, clock: Clock, hannah: str
) -> None:
    hasher = fast_hasher()
    accounts = Accounts(store, clock, hasher)

    assert refusal(accounts, USER, "x" * 100_000).message == WRONG_CREDENTIALS
    assert hasher.verifications == 1


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(
    accounts: Accounts, hannah: str
) -> None:
    tokens = accounts.sign_in(USER, PASSWORD, client=CLIENT)

    assert accounts.disable(hannah) == 1

    assert accounts.resolve(tokens.token) is None
    assert refusal(accounts, USER, PASSWORD).message == WRONG_CREDENTIALS


def test_signing_in_again_replaces_the_session_the_browser_held(
    accounts: Accounts, hannah: str
) -> None:
    old = accounts.sign_in(USER, PASSWORD, client=CLIENT)

    new = accounts.sign_in(USER, PASSWORD, client=CLIENT, current_token=old.token)

    assert accounts.resolve(old.token) is None
    assert accounts.resolve(new.token) is not None


# -- lockout -----------------------------------------------------------------------------------


def test_five_failures_within_15_minutes_pause_sign_in_for_15_minutes(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    for _ in range(4):
        assert "paused" not in refusal(accounts, USER, "wrong guess number x").remedy
        clock.advance(minutes=3)
    fifth = refusal(accounts, USER, "wrong guess number x")  # at 06:12
    assert fifth.message == WRONG_CREDENTIALS
    assert "paused until 06:27 UTC" in fifth.remedy

    clock.advance(minutes=1)
    locked = refusal(accounts, USER, PASSWORD)  # even the right password

    assert "paused" in locked.message
    assert "Try again after 06:27 UTC (in 14 minutes)" in locked.remedy
    assert kinds(accounts)[-7:] == [AuthEventKind.FAILURE] * 5 + [AuthEventKind.LOCKOUT] * 2
    lockouts = [e for e in accounts.store.events() if e.kind is AuthEventKind.LOCKOUT]
    assert all((e.account, e.client) == (hannah, CLIENT) for e in lockouts)

    clock.advance(minutes=13, seconds=59)
    assert "paused" in refusal(accounts, USER, PASSWORD).message
    clock.advance(seconds=1)  # 06:27: released
    assert accounts.resolve(accounts.sign_in(USER, PASSWORD, client=CLIENT).token) is not None


def test_attempts_refused_during_a_pause_do_not_extend_it(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    for _ in range(5):
        refusal(accounts, USER, "wrong guess number x")
    for _ in range(10):
        clock.advance(minutes=1)
        refusal(accounts, USER, "wrong guess number x")

    clock.advance(minutes=5)

    assert accounts.sign_in(USER, PASSWORD, client=CLIENT)


def test_failures_spread_over_more_than_15_minutes_do_not_lock(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    for _ in range(8):
        refusal(accounts, USER, "wrong guess number x")
        clock.advance(minutes=4)

    assert accounts.sign_in(USER, PASSWORD, client=CLIENT)
    assert AuthEventKind.LOCKOUT not in kinds(accounts)


def test_a_successful_sign_in_clears_the_failures_before_it(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    for _ in range(4):
        refusal(accounts, USER, "wrong guess number x")
    accounts.sign_in(USER, PASSWORD, client=CLIENT)
    for _ in range(4):
        refusal(accounts, USER, "wrong guess number x")

    assert accounts.sign_in(USER, PASSWORD, client=CLIENT)


def test_unknown_usernames_lock_the_same_way_and_case_does_not_dodge_it(
    accounts: Accounts, hannah: str
) -> None:
    for variant in ("ghost@x.example", "GHOST@x.example", "Ghost@X.example ", "ghost@x.EXAMPLE"):
        refusal(accounts, variant, "wrong guess number x")
    fifth = refusal(accounts, "ghost@x.example", "wrong guess number x")

    assert "paused until" in fifth.remedy
    assert "paused" in refusal(accounts, "GHOST@x.example", "anything at all here").message
    assert accounts.sign_in(USER, PASSWORD, client=CLIENT), "other usernames are not affected"


def test_lock_until_is_15_minutes_after_the_fifth_failure_within_15_minutes() -> None:
    minutes = [T0 + timedelta(minutes=m) for m in (0, 1, 2, 3, 15)]
    assert lock_until(minutes) == T0 + timedelta(minutes=30)
    assert lock_until(minutes[:4]) is None
    spread = [T0 + timedelta(minutes=m) for m in (0, 4, 8, 12, 16)]
    assert lock_until(spread) is None
    assert lock_until([*spread, T0 + timedelta(minutes=20)]) is None  # 4..20 spans 16 minutes
    assert lock_until([*spread, T0 + timedelta(minutes=18)]) == T0 + timedelta(minutes=33)
    assert lock_until([]) is None
    # failures recorded while paused neither count nor extend the pause
    during = [T0 + timedelta(minutes=m) for m in (0, 1, 2, 3, 4, 10, 14, 18)]
    assert lock_until(during) == T0 + timedelta(minutes=19)
    after = [*during[:5], *(T0 + timedelta(minutes=m) for m in (19, 20, 21, 22, 23))]
    assert lock_until(after) == T0 + timedelta(minutes=38)  # those after it count again


def test_lockout_is_shared_by_every_worker(
    db: Path, store: SqliteAccountStore, clock: Clock, hannah: str
) -> None:
    other_store = SqliteAccountStore(db)
    try:
        one, two = (
            Accounts(store, clock, fast_hasher()),
            Accounts(other_store, clock, fast_hasher()),
        )
        for worker in (one, two, one, two, one):
            refusal(worker, USER, "wrong guess number x")

        assert "paused" in refusal(two, USER, PASSWORD).message
    finally:
        other_store.close()


class SlowCountingHasher(CountingHasher):
    """A hasher whose every verification takes a while (as argon2id does in production), and
    counts them across threads."""

    def __init__(self) -> None:
        params = TEST_ONLY_PARAMETERS
        super().__init__(
            time_cost=params.time_cost,
            memory_cost=params.memory_cost,
            parallelism=params.parallelism,
            hash_len=params.hash_len,
            salt_len=params.salt_len,
            type=params.type,
        )
        self._count = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._count:
            self.verifications += 1
        time.sleep(0.05)
        return PasswordHasher.verify(self, hash, password)


def test_concurrent_guesses_never_check_more_passwords_than_the_lockout_allows(
    db: Path, store: SqliteAccountStore, clock: Clock, hannah: str
) -> None:
    """40 guesses of one username at once, each on its own worker (its own store
    connection): each is claimed before its password is checked, so at most 5 are, and the
    username is paused after them."""
    workers = 40
    hasher = SlowCountingHasher()
    services = [Accounts(SqliteAccountStore(db), clock, hasher) for _ in range(workers)]
    start = threading.Barrier(workers)
    refusals: list[str] = []

    def guess(n: int) -> None:
        start.wait()
        try:
            services[n].sign_in(USER, f"wrong guess number {n}", client=f"198.51.100.{n}")
        except NotAuthorised as refused:
            refusals.append(refused.message)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(workers)]
    try:
        hasher.verifications = 0
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for service in services:
            service.store.close()
    assert len(refusals) == workers
    assert hasher.verifications <= LOCKOUT_THRESHOLD
    assert refusals.count(WRONG_CREDENTIALS) == hasher.verifications
    assert len(store.failures_since(USER, T0)) == hasher.verifications
    assert "paused" in refusal(Accounts(store, clock, fast_hasher()), USER, PASSWORD).message


# -- sessions ----------------------------------------------------------------------------------


def test_a_session_lapses_after_30_idle_minutes_and_is_recorded_once(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    token = accounts.sign_in(USER, PASSWORD, client=CLIENT).token
    clock.advance(minutes=29)
    assert accounts.resolve(token) is not None  # use moves the idle expiry on
    clock.advance(minutes=29)
    assert accounts.resolve(token) is not None
    clock.advance(minutes=30)

    assert accounts.resolve(token, client=CLIENT) is None
    assert accounts.resolve(token) is None
    assert kinds(accounts).count(AuthEventKind.EXPIRED) == 1
    expired = accounts.store.events()[0]
    assert (expired.kind, expired.account, expired.client) == (
        AuthEventKind.EXPIRED,
        hannah,
        CLIENT,
    )
    assert timedelta(minutes=30) == IDLE_TIMEOUT


def test_a_session_in_constant_use_ends_12_hours_after_sign_in(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    token = accounts.sign_in(USER, PASSWORD, client=CLIENT).token
    for _ in range(12 * 3 - 1):
        clock.advance(minutes=20)
        session = accounts.resolve(token)
        assert session is not None
        assert session.idle_expires <= T0 + ABSOLUTE_LIFETIME
    clock.now = T0 + ABSOLUTE_LIFETIME - timedelta(seconds=1)
    assert accounts.resolve(token) is not None
    clock.advance(seconds=1)

    assert accounts.resolve(token) is None
    assert kinds(accounts).count(AuthEventKind.EXPIRED) == 1


def test_sign_out_ends_the_session_for_every_worker(
    db: Path, accounts: Accounts, clock: Clock, hannah: str
) -> None:
    token = accounts.sign_in(USER, PASSWORD, client=CLIENT).token
    other_store = SqliteAccountStore(db)
    try:
        other = Accounts(other_store, clock, fast_hasher())
        assert other.resolve(token) is not None

        assert accounts.sign_out(token, client=CLIENT)

        assert other.resolve(token) is None
        assert accounts.resolve(token) is None
        assert not other.sign_out(token)
    finally:
        other_store.close()
    signed_out = accounts.store.events()[0]
    assert (signed_out.kind, signed_out.account) == (AuthEventKind.SIGN_OUT, hannah)
    assert kinds(accounts).count(AuthEventKind.SIGN_OUT) == 1


@pytest.mark.parametrize(
    "cookie",
    [None, "", "short", "x" * 43 + "=", "é" * 43, "\ud800" * 43, "a" * 10_000],
)
def test_a_malformed_or_unknown_token_resolves_to_nothing(
    accounts: Accounts, hannah: str, cookie: str | None
) -> None:
    assert accounts.resolve(cookie) is None
    assert not accounts.sign_out(cookie)


def test_only_the_hash_of_a_session_token_reaches_the_database_file(
    accounts: Accounts, db: Path, hannah: str
) -> None:
    token = accounts.sign_in(USER, PASSWORD, client=CLIENT).token

    contents = b"".join(p.read_bytes() for p in db.parent.glob("*.db*"))

    assert token.encode() not in contents
    assert token_hash(token).encode() in contents
    assert token_hash(token) == hashlib.sha256(token.encode()).hexdigest()


# -- changing the password ---------------------------------------------------------------------


def test_a_password_change_needs_the_current_password_and_ends_other_sessions(
    accounts: Accounts, hannah: str
) -> None:
    here = accounts.sign_in(USER, PASSWORD, client=CLIENT)
    elsewhere = accounts.sign_in(USER, PASSWORD, client="198.51.100.4")
    new_password = "granite swallow teacup meadow"

    ended = accounts.change_password(hannah, PASSWORD, new_password, keep_token=here.token)

    assert ended == 1
    assert accounts.resolve(here.token) is not None
    assert accounts.resolve(elsewhere.token) is None
    assert refusal(accounts, USER, PASSWORD).message == WRONG_CREDENTIALS
    assert accounts.sign_in(USER, new_password, client=CLIENT)
    assert AuthEventKind.PASSWORD_CHANGED in kinds(accounts)


def test_a_password_change_without_a_kept_session_ends_them_all(
    accounts: Accounts, hannah: str
) -> None:
    tokens = [accounts.sign_in(USER, PASSWORD, client=CLIENT).token for _ in range(3)]

    assert accounts.change_password(hannah, PASSWORD, "granite swallow teacup meadow") == 3

    assert [accounts.resolve(t) for t in tokens] == [None, None, None]


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failure(
    accounts: Accounts, hannah: str
) -> None:
    session = accounts.sign_in(USER, PASSWORD, client=CLIENT)
    before = accounts.store.account_by_id(hannah)

    with pytest.raises(NotAuthorised) as caught:
        accounts.change_password(hannah, "not my password at all", "granite swallow teacup")

    assert "current password" in caught.value.message
    assert accounts.store.account_by_id(hannah) == before
    assert accounts.resolve(session.token) is not None
    assert kinds(accounts)[-1] is AuthEventKind.FAILURE


def test_a_weak_new_password_is_refused_and_nothing_changes(
    accounts: Accounts, hannah: str
) -> None:
    before = accounts.store.account_by_id(hannah)

    with pytest.raises(InvalidInput):
        accounts.change_password(hannah, PASSWORD, "Password2026!")

    assert accounts.store.account_by_id(hannah) == before
    assert AuthEventKind.PASSWORD_CHANGED not in kinds(accounts)


def test_changing_the_password_of_an_unknown_account_is_not_found(accounts: Accounts) -> None:
    with pytest.raises(NotFound):
        accounts.change_password("A0099", PASSWORD, "granite swallow teacup meadow")


# -- rehashing ---------------------------------------------------------------------------------


def test_sign_in_rehashes_a_password_stored_with_older_parameters(
    store: SqliteAccountStore, clock: Clock
) -> None:
    Accounts(store, clock, fast_hasher()).create_account(USER, "Hannah Reed", PASSWORD)
    old_hash = stored_hash(store)
    stronger = fast_hasher(time_cost=2, memory_cost=16)
    accounts = Accounts(store, clock, stronger)

    accounts.sign_in(USER, PASSWORD, client=CLIENT)

    new_hash = stored_hash(store)
    assert new_hash != old_hash
    assert "m=16,t=2,p=1" in new_hash
    assert not stronger.check_needs_rehash(new_hash)
    accounts.sign_in(USER, PASSWORD, client=CLIENT)
    assert stored_hash(store) == new_hash


def test_a_failed_sign_in_does_not_rehash(store: SqliteAccountStore, clock: Clock) -> None:
    Accounts(store, clock, fast_hasher()).create_account(USER, "Hannah Reed", PASSWORD)
    old_hash = stored_hash(store)

    refusal(Accounts(store, clock, fast_hasher(time_cost=2)), USER, "wrong guess number x")

    assert stored_hash(store) == old_hash


# -- CSRF --------------------------------------------------------------------------------------


def test_the_csrf_token_is_the_sessions_own_and_compared_safely(
    accounts: Accounts, hannah: str
) -> None:
    mine = accounts.sign_in(USER, PASSWORD, client=CLIENT)
    other = accounts.sign_in(USER, PASSWORD, client=CLIENT)
    session = accounts.resolve(mine.token)
    assert session is not None

    assert accounts.check_csrf(session, mine.csrf)
    assert not accounts.check_csrf(session, other.csrf)
    assert not accounts.check_csrf(session, None)
    assert not accounts.check_csrf(session, "")
    assert not accounts.check_csrf(session, mine.csrf[:-1])
    assert not accounts.check_csrf(session, "é" + mine.csrf[1:])  # no TypeError on non-ASCII
    assert not csrf_matches(mine.csrf, "\ud800")
    assert mine.csrf not in repr(session)


# -- linking accounts to people ----------------------------------------------------------------


def test_an_account_is_linked_to_one_person_per_production(accounts: Accounts, hannah: str) -> None:
    jack = accounts.create_account("jack", "Jack Colt", "granite swallow teacup meadow").id

    accounts.link(hannah, "dust-road", "P01")
    accounts.link(jack, "dust-road", "P02")

    assert accounts.store.member(hannah, "dust-road") == "P01"
    with pytest.raises(Conflict, match="already acts as P01"):
        accounts.link(hannah, "dust-road", "P03")
    with pytest.raises(Conflict, match="already linked"):
        accounts.link(
            accounts.create_account("ann", "Ann", "quiet harbour lamp post").id, "dust-road", "P02"
        )
    with pytest.raises(InvalidInput):
        accounts.link(hannah, "dust road", "P04")
    with pytest.raises(NotFound):
        accounts.link("A0099", "dust-road", "P04")


# -- idempotency fingerprints ------------------------------------------------------------------


def test_a_request_fingerprint_covers_method_path_and_body() -> None:
    base = request_fingerprint("POST", "/api/issue", b'{"firearm":"F01"}')

    assert base == request_fingerprint("post", "/api/issue", b'{"firearm":"F01"}')
    assert len(base) == 64
    assert base != request_fingerprint("PUT", "/api/issue", b'{"firearm":"F01"}')
    assert base != request_fingerprint("POST", "/api/issue?x=1", b'{"firearm":"F01"}')
    assert base != request_fingerprint("POST", "/api/issue", b'{"firearm":"F02"}')
