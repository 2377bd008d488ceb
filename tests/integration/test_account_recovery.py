"""Temporary passwords, breached passwords, per-client throttling, and listing and ending
sessions: the accounts service on a real SQLite store with an injected clock
(docs/security.md §3, §4: 6.2.4, 6.2.12, 6.3.1, 6.4.1, 6.4.3, 7.4.5, 7.5.2)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.integration.test_accounts_service import Clock, fast_hasher

from coldcheck.app import sessions
from coldcheck.app.accounts import (
    WRONG_CREDENTIALS,
    Accounts,
    check_password,
)
from coldcheck.app.breached import breached_passwords
from coldcheck.app.lockout import CLIENT_THRESHOLD
from coldcheck.app.temporary import TEMPORARY_LIFETIME, generate
from coldcheck.domain.errors import InvalidInput, NotAuthorised, NotFound
from coldcheck.store.accounts import AuthEventKind
from coldcheck.store.sqlite_accounts import SqliteAccountStore

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
USER = "hannah@dustroad.example"
PASSWORD = "marble kettle orbit lantern"
NEW_PASSWORD = "granite swallow teacup meadow"
CLIENT = "192.0.2.7"
TEMPORARY = re.compile(r"[a-hj-km-np-z]{4}(-[a-hj-km-np-z]{4}){3}")


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteAccountStore]:
    opened = SqliteAccountStore(tmp_path / "coldcheck.db", create=True)
    yield opened
    opened.close()


@pytest.fixture
def accounts(store: SqliteAccountStore, clock: Clock) -> Accounts:
    return Accounts(store, clock, fast_hasher())


@pytest.fixture
def hannah(accounts: Accounts) -> str:
    return accounts.create_account(USER, "Hannah Reed", PASSWORD, client=CLIENT).id


def kinds(accounts: Accounts) -> list[AuthEventKind]:
    return [e.kind for e in reversed(accounts.store.events(limit=1000))]


def refused(
    accounts: Accounts, username: str, password: str, client: str = CLIENT
) -> NotAuthorised:
    with pytest.raises(NotAuthorised) as caught:
        accounts.sign_in(username, password, client=client)
    return caught.value


# -- first and temporary passwords (6.4.1, 6.4.3) ----------------------------------------------


def test_a_generated_password_is_16_random_letters_in_four_groups() -> None:
    made = {generate() for _ in range(200)}

    assert len(made) == 200
    assert all(TEMPORARY.fullmatch(p) for p in made)
    for password in made:
        check_password(password, username=USER, display_name="Hannah Reed")


def test_an_invited_account_gets_a_temporary_password_valid_72_hours(
    accounts: Accounts, clock: Clock
) -> None:
    account, temporary = accounts.invite(USER, "Hannah Reed", client="node")

    assert TEMPORARY.fullmatch(temporary.password)
    assert temporary.expires == T0 + TEMPORARY_LIFETIME == T0 + timedelta(hours=72)
    assert account.temporary_until == temporary.expires
    assert account.must_change_password
    session = accounts.sign_in(USER, temporary.password, client=CLIENT)
    active = accounts.resolve(session.token)
    assert active is not None
    assert active.must_change_password
    assert kinds(accounts) == [AuthEventKind.ACCOUNT_CREATED, AuthEventKind.SIGN_IN]


def test_a_temporary_password_is_refused_once_expired_and_counts_as_a_failure(
    accounts: Accounts, clock: Clock
) -> None:
    _, temporary = accounts.invite(USER, "Hannah Reed")
    clock.advance(hours=72)

    expired = refused(accounts, USER, temporary.password)

    assert "temporary password expired at 06:00 UTC on 05 Mar 2026" in expired.message
    assert "Ask the node's operator" in expired.remedy
    assert kinds(accounts)[-1] is AuthEventKind.FAILURE
    assert accounts.store.failures_since(USER, T0) == [clock.now]
    wrong = refused(accounts, USER, "not the temporary one")
    assert str(wrong).startswith(WRONG_CREDENTIALS), "a wrong password learns nothing of it"


def test_an_expired_temporary_password_locks_out_like_a_wrong_one(
    accounts: Accounts, clock: Clock
) -> None:
    _, temporary = accounts.invite(USER, "Hannah Reed")
    clock.advance(hours=73)

    for _ in range(4):
        refused(accounts, USER, temporary.password)
    fifth = refused(accounts, USER, temporary.password)

    assert "paused until" in fifth.remedy
    assert "paused" in refused(accounts, USER, temporary.password).message


def test_changing_the_temporary_password_lifts_the_restriction_of_this_session(
    accounts: Accounts, clock: Clock
) -> None:
    account, temporary = accounts.invite(USER, "Hannah Reed")
    session = accounts.sign_in(USER, temporary.password, client=CLIENT)

    with pytest.raises(InvalidInput, match="same as the current one"):
        accounts.change_password(account.id, temporary.password, temporary.password)
    accounts.change_password(account.id, temporary.password, NEW_PASSWORD, keep_token=session.token)

    active = accounts.resolve(session.token)
    assert active is not None
    assert not active.must_change_password
    changed = accounts.store.account_by_id(account.id)
    assert changed is not None
    assert changed.temporary_until is None
    clock.advance(hours=100)  # the chosen password never expires
    assert accounts.sign_in(USER, NEW_PASSWORD, client=CLIENT)


def test_a_reset_sets_a_new_temporary_password_and_ends_every_session(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    phone = accounts.sign_in(USER, PASSWORD, client=CLIENT)
    laptop = accounts.sign_in(USER, PASSWORD, client="198.51.100.4")
    clock.advance(hours=1)

    temporary = accounts.reset_password(hannah, client="node")

    assert TEMPORARY.fullmatch(temporary.password)
    assert temporary.expires == clock.now + timedelta(hours=72)
    assert accounts.resolve(phone.token) is None
    assert accounts.resolve(laptop.token) is None
    assert refused(accounts, USER, PASSWORD).message == WRONG_CREDENTIALS
    again = accounts.sign_in(USER, temporary.password, client=CLIENT)
    active = accounts.resolve(again.token)
    assert active is not None
    assert active.must_change_password
    reset = [e for e in accounts.store.events() if e.kind is AuthEventKind.PASSWORD_RESET]
    assert [(e.account, e.client) for e in reset] == [(hannah, "node")]
    with pytest.raises(NotFound):
        accounts.reset_password("A0099")


def test_a_rehash_at_sign_in_keeps_a_temporary_password_temporary(
    store: SqliteAccountStore, clock: Clock
) -> None:
    old = Accounts(store, clock, fast_hasher())
    account, temporary = old.invite(USER, "Hannah Reed")
    newer = Accounts(store, clock, fast_hasher(time_cost=2))

    newer.sign_in(USER, temporary.password, client=CLIENT)

    rehashed = store.account_by_id(account.id)
    assert rehashed is not None
    assert "t=2" in rehashed.password_hash
    assert rehashed.temporary_until == account.temporary_until


def test_a_chosen_password_at_creation_is_not_temporary(accounts: Accounts, hannah: str) -> None:
    session = accounts.sign_in(USER, PASSWORD, client=CLIENT)

    active = accounts.resolve(session.token)
    assert active is not None
    assert not active.must_change_password


# -- breached passwords (6.2.4, 6.2.12) --------------------------------------------------------


def test_the_breached_list_is_zxcvbns_30000_passwords() -> None:
    listed = breached_passwords()

    assert len(listed) == 30_000
    assert {"123456", "password", "qwerty", "sunshine", "leavemealone"} <= listed
    assert all(p == p.casefold() for p in listed)
    assert breached_passwords() is listed, "read once, then kept"


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("leavemealone", id="itself"),
        pytest.param("LeaveMeAlone", id="another-case"),
        pytest.param("Sonyericsson2024!", id="with-digits-and-symbols"),
        pytest.param("Butterfly 2024 !!", id="a-word-padded"),
        pytest.param("Sunfl0wer!!2024", id="letter-swaps"),
    ],
)
def test_a_breached_password_is_refused_with_a_reason(accounts: Accounts, password: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        accounts.create_account(USER, "Hannah Reed", password)

    assert "leaked in data breaches" in caught.value.message
    assert caught.value.remedy
    assert accounts.store.account_by_username(USER) is None


def test_a_breached_password_is_refused_at_a_change_too(accounts: Accounts, hannah: str) -> None:
    with pytest.raises(InvalidInput, match="leaked in data breaches"):
        accounts.change_password(hannah, PASSWORD, "FinalFantasy#2024")

    assert accounts.sign_in(USER, PASSWORD, client=CLIENT)


def test_the_breached_list_is_not_read_by_the_web_app_or_at_sign_in(tmp_path: Path) -> None:
    """Importing the web app and signing in leave zxcvbn unread: it costs memory and time only
    where a password is set."""
    script = f"""
import sys
from datetime import UTC, datetime
from pathlib import Path
import coldcheck.web.app, coldcheck.web.auth, coldcheck.web.account_pages
from coldcheck.app import breached
from coldcheck.app.accounts import Accounts
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from coldcheck.store.accounts import AuthEventKind
store = SqliteAccountStore(Path({str(tmp_path / "c.db")!r}), create=True)
store.add_account(username="jack", display_name="Jack", created=datetime.now(UTC),
    password_hash=Accounts(store).hasher.hash("marble kettle orbit lantern"))
accounts = Accounts(store)
accounts.sign_in("jack", "marble kettle orbit lantern", client="x")
before = breached.breached_passwords.cache_info().currsize
accounts.change_password("A0001", "marble kettle orbit lantern", "granite swallow teacup meadow")
print(before, breached.breached_passwords.cache_info().currsize,
      any(m == "zxcvbn" or m.startswith("zxcvbn.") for m in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"COLDCHECK_INSECURE_TEST_KDF": "1", "PATH": ""},
    )

    assert done.stdout.split() == ["0", "1", "False"], done.stderr


# -- per-client throttling (6.3.1) -------------------------------------------------------------


def test_20_failures_from_one_address_pause_its_sign_ins_for_15_minutes(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    for n in range(CLIENT_THRESHOLD - 1):  # one password sprayed over many usernames
        assert "network address" not in refused(accounts, f"user{n}", "Summer2026!!x").remedy
        clock.advance(seconds=30)
    twentieth = refused(accounts, "user19", "Summer2026!!x")  # at 06:09:30

    assert "network address is now paused until 06:24 UTC" in twentieth.remedy
    paused = refused(accounts, USER, PASSWORD)  # even the right password of a real account
    assert "network address is paused" in paused.message
    assert "Try again after 06:24 UTC (in 15 minutes)" in paused.remedy
    assert accounts.sign_in(USER, PASSWORD, client="198.51.100.4"), "other addresses sign in"
    clock.advance(minutes=15)
    assert accounts.sign_in(USER, PASSWORD, client=CLIENT)


def test_attempts_refused_during_a_client_pause_do_not_extend_it(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    for n in range(CLIENT_THRESHOLD):
        refused(accounts, f"user{n}", "Summer2026!!x")
    for _ in range(10):
        clock.advance(minutes=1)
        refused(accounts, USER, PASSWORD)

    assert kinds(accounts)[-1] is AuthEventKind.LOCKOUT
    assert len(accounts.store.failures_from(CLIENT, T0)) == CLIENT_THRESHOLD
    clock.advance(minutes=5)
    assert accounts.sign_in(USER, PASSWORD, client=CLIENT)


def test_a_successful_sign_in_does_not_reset_the_count_of_an_address(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    """An attacker with one account of their own cannot clear the count by signing in."""
    for n in range(CLIENT_THRESHOLD - 1):
        refused(accounts, f"user{n}", "Summer2026!!x")
    accounts.sign_in(USER, PASSWORD, client=CLIENT)

    assert "network address is now paused" in refused(accounts, "zed", "x" * 12).remedy


def test_failures_spread_over_more_than_15_minutes_do_not_pause_an_address(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    for n in range(CLIENT_THRESHOLD * 2):
        refused(accounts, f"user{n}", "Summer2026!!x")
        clock.advance(minutes=1)

    assert accounts.sign_in(USER, PASSWORD, client=CLIENT)


def test_the_client_pause_is_shared_by_every_worker(
    tmp_path: Path, clock: Clock, hannah: str, accounts: Accounts
) -> None:
    other = Accounts(SqliteAccountStore(tmp_path / "coldcheck.db"), clock, fast_hasher())
    try:
        for n in range(CLIENT_THRESHOLD):
            worker = accounts if n % 2 else other
            refused(worker, f"user{n}", "Summer2026!!x")

        assert "network address is paused" in refused(other, USER, PASSWORD).message
    finally:
        other.store.close()


def test_a_paused_address_cannot_type_passwords_anywhere_else_either(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    """The pause holds at re-authentication and at a password change too, and what is tried
    there during it is not a failure that could extend it."""
    for n in range(CLIENT_THRESHOLD):
        refused(accounts, f"user{n}", "Summer2026!!x")
    for _ in range(6):  # every 14 minutes, from the paused address: never let through
        clock.advance(minutes=2)
        with pytest.raises(NotAuthorised, match="network address is paused"):
            accounts.reauthenticate(hannah, "not the password at all", client=CLIENT)
        with pytest.raises(NotAuthorised, match="network address is paused"):
            accounts.change_password(hannah, PASSWORD, NEW_PASSWORD, client=CLIENT)
    assert len(accounts.store.failures_from(CLIENT, T0)) == CLIENT_THRESHOLD
    clock.advance(minutes=3)  # 15 minutes after the twentieth failure
    assert accounts.sign_in(USER, PASSWORD, client=CLIENT)


def test_failures_recorded_during_a_client_pause_do_not_extend_it(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    """A failure logged while the address is paused (a wrong PIN typed over the web, a check
    that was already running) neither counts nor moves the end of the pause."""
    for n in range(CLIENT_THRESHOLD):
        refused(accounts, f"user{n}", "Summer2026!!x")
    for minute in (5, 10, 14):
        accounts.store.record_event(
            time=T0 + timedelta(minutes=minute),
            kind=AuthEventKind.FAILURE,
            username="pin:dust-road:P01",
            account=hannah,
            client=CLIENT,
        )
    clock.advance(minutes=15)
    assert accounts.sign_in(USER, PASSWORD, client=CLIENT)


def test_a_temporary_password_leaves_itself_out_of_repr(accounts: Accounts, hannah: str) -> None:
    temporary = accounts.reset_password(hannah)
    for shown in (repr(temporary), str(temporary), f"{temporary}", repr([temporary])):
        assert temporary.password not in shown
        assert "expires=" in shown
    password, expires = temporary  # still a pair for whoever shows it once
    assert (password, expires) == (temporary.password, temporary.expires)


# -- one's own sessions (7.5.2) ----------------------------------------------------------------


def test_the_live_sessions_of_an_account_are_listed_with_address_and_browser(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    phone = accounts.sign_in(USER, PASSWORD, client=CLIENT, agent="Chrome on Android")
    clock.advance(minutes=5)
    laptop = accounts.sign_in(USER, PASSWORD, client="198.51.100.4", agent="Firefox on Linux")
    lapsed = accounts.sign_in(USER, PASSWORD, client=CLIENT)
    accounts.create_account("jack", "Jack Colt", NEW_PASSWORD)
    accounts.sign_in("jack", NEW_PASSWORD, client=CLIENT)
    clock.advance(minutes=20)
    accounts.resolve(phone.token)  # in use
    accounts.resolve(laptop.token)
    clock.advance(minutes=20)  # lapsed: unused for 35 minutes

    listed = sessions.live(accounts, hannah)

    assert [(s.client, s.agent) for s in listed] == [
        ("198.51.100.4", "Firefox on Linux"),
        (CLIENT, "Chrome on Android"),
    ]
    assert listed[1].created == T0
    assert listed[1].last_seen == T0 + timedelta(minutes=25)
    assert sessions.current_id(accounts, laptop.token) == listed[0].id
    assert sessions.current_id(accounts, lapsed.token) not in {s.id for s in listed}


def test_ending_another_session_needs_the_password_again(accounts: Accounts, hannah: str) -> None:
    here = accounts.sign_in(USER, PASSWORD, client=CLIENT)
    there = accounts.sign_in(USER, PASSWORD, client="198.51.100.4")
    there_id = sessions.current_id(accounts, there.token)

    with pytest.raises(NotAuthorised, match="password is not correct"):
        sessions.end_one(
            accounts, hannah, there_id, "not my password", current_token=here.token, client=CLIENT
        )
    assert accounts.resolve(there.token) is not None
    assert kinds(accounts)[-1] is AuthEventKind.FAILURE

    sessions.end_one(accounts, hannah, there_id, PASSWORD, current_token=here.token, client=CLIENT)

    assert accounts.resolve(there.token) is None
    assert accounts.resolve(here.token) is not None
    assert kinds(accounts)[-1] is AuthEventKind.SESSIONS_ENDED
    with pytest.raises(NotFound):  # already ended
        sessions.end_one(accounts, hannah, there_id, PASSWORD, current_token=here.token, client="")
    with pytest.raises(InvalidInput) as this_one:
        sessions.end_one(
            accounts,
            hannah,
            sessions.current_id(accounts, here.token),
            PASSWORD,
            current_token=here.token,
            client="",
        )
    assert "Sign out" in this_one.value.remedy


def test_a_session_of_another_account_cannot_be_ended(accounts: Accounts, hannah: str) -> None:
    here = accounts.sign_in(USER, PASSWORD, client=CLIENT)
    accounts.create_account("jack", "Jack Colt", NEW_PASSWORD)
    jacks = accounts.sign_in("jack", NEW_PASSWORD, client=CLIENT)

    with pytest.raises(NotFound):
        sessions.end_one(
            accounts,
            hannah,
            sessions.current_id(accounts, jacks.token),
            PASSWORD,
            current_token=here.token,
            client=CLIENT,
        )

    assert accounts.resolve(jacks.token) is not None


def test_ending_all_other_sessions_keeps_this_one(accounts: Accounts, hannah: str) -> None:
    here = accounts.sign_in(USER, PASSWORD, client=CLIENT)
    others = [accounts.sign_in(USER, PASSWORD, client=CLIENT) for _ in range(2)]

    with pytest.raises(NotAuthorised):
        sessions.end_others(
            accounts, hannah, "wrong password!", current_token=here.token, client=""
        )
    ended = sessions.end_others(accounts, hannah, PASSWORD, current_token=here.token, client="")

    assert ended == 2
    assert [accounts.resolve(o.token) for o in others] == [None, None]
    assert [s.id for s in sessions.live(accounts, hannah)] == [
        sessions.current_id(accounts, here.token)
    ]


def test_a_paused_username_cannot_end_sessions(
    accounts: Accounts, clock: Clock, hannah: str
) -> None:
    here = accounts.sign_in(USER, PASSWORD, client=CLIENT)
    accounts.sign_in(USER, PASSWORD, client=CLIENT)
    for _ in range(5):
        with pytest.raises(NotAuthorised):
            sessions.end_others(
                accounts, hannah, "guess guess guess", current_token=here.token, client=""
            )

    with pytest.raises(NotAuthorised, match="paused"):
        sessions.end_others(accounts, hannah, PASSWORD, current_token=here.token, client="")
    assert len(sessions.live(accounts, hannah)) == 2


# -- the operator (7.4.5) ----------------------------------------------------------------------


def test_the_operator_ends_every_session_of_one_account_or_of_everyone(
    accounts: Accounts, hannah: str
) -> None:
    mine = [accounts.sign_in(USER, PASSWORD, client=CLIENT) for _ in range(2)]
    accounts.create_account("jack", "Jack Colt", NEW_PASSWORD)
    jacks = accounts.sign_in("jack", NEW_PASSWORD, client=CLIENT)

    assert sessions.end_all_of(accounts, " Hannah@DustRoad.example", client="node") == 2

    assert [accounts.resolve(t.token) for t in mine] == [None, None]
    assert accounts.resolve(jacks.token) is not None
    assert sessions.end_everyones(accounts, client="node") == 1
    assert accounts.resolve(jacks.token) is None
    ended = [e for e in accounts.store.events() if e.kind is AuthEventKind.SESSIONS_ENDED]
    assert [(e.username, e.account, e.client) for e in ended] == [
        (sessions.EVERYONE, None, "node"),
        (USER, hannah, "node"),
    ]
    with pytest.raises(NotFound):
        sessions.end_all_of(accounts, "nobody")
