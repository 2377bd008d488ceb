"""The account store port's contract: every backend must pass this suite unchanged.

As in test_store_contract.py, a backend joins by adding one entry to ``BACKENDS``: a context
manager that, given a fresh temporary directory, yields an ``open`` callable; every call opens
a new connection to the *same* store, so the suite can reopen it (durability) or hold two
connections at once (two web workers). The last section holds what only the SQLite adapter
promises (the file it shares with the ledger, its refusals, its append-only triggers).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coldcheck.store.accounts import (
    EVENT_TEXT_MAX,
    AccountStore,
    AuthEventKind,
    Duplicate,
    Membership,
)
from coldcheck.store.port import NewRecord, StoreError
from coldcheck.store.sqlite import SqliteStore
from coldcheck.store.sqlite_accounts import SqliteAccountStore

Opener = Callable[[], AccountStore]

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
OTHER_HASH = "$argon2id$v=19$m=8,t=1,p=1$b3RoZXJzYWx0$b3RoZXJoYXNoaGFzaA"


@contextmanager
def _sqlite(directory: Path) -> Iterator[Opener]:
    path = directory / "coldcheck.db"
    yield lambda: SqliteAccountStore(path, create=True)


BACKENDS: dict[str, Callable[[Path], AbstractContextManager[Opener]]] = {"sqlite": _sqlite}


class Stores:
    """Opens connections to one account store and closes whatever a test left open."""

    def __init__(self, opener: Opener) -> None:
        self._opener = opener
        self._open: list[AccountStore] = []

    def open(self) -> AccountStore:
        store = self._opener()
        self._open.append(store)
        return store

    def reopen(self, store: AccountStore) -> AccountStore:
        self._open.remove(store)
        store.close()
        return self.open()

    def close_all(self) -> None:
        while self._open:
            self._open.pop().close()


def add(store: AccountStore, username: str = "hannah@dustroad.example") -> str:
    return store.add_account(
        username=username, display_name="Hannah Reed", password_hash=HASH, created=T0
    ).id


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def csrf_of(token: str) -> str:
    return "csrf-" + sha(token)[:16]  # anything that does not contain the token itself


def open_session(store: AccountStore, account: str, token: str, at: datetime = T0) -> str:
    hashed = sha(token)
    store.new_session(
        token_hash=hashed,
        account=account,
        csrf=csrf_of(token),
        created=at,
        idle_expires=at + timedelta(minutes=30),
        absolute_expires=at + timedelta(hours=12),
    )
    return hashed


def ended(store: AccountStore, token_hash: str) -> bool:
    session = store.session(token_hash)
    assert session is not None
    return session.ended


def event(
    store: AccountStore,
    kind: AuthEventKind,
    username: str = "hannah@dustroad.example",
    at: datetime = T0,
    account: str | None = None,
    client: str = "192.0.2.7",
) -> None:
    store.record_event(time=at, kind=kind, username=username, account=account, client=client)


# -- an empty store ----------------------------------------------------------------------------


def test_a_new_account_store_is_empty(store: AccountStore) -> None:
    assert store.account_by_username("hannah@dustroad.example") is None
    assert store.account_by_id("A0001") is None
    assert store.memberships("A0001") == []
    assert store.member("A0001", "dust-road") is None
    assert store.session(sha("nothing")) is None
    assert store.events() == []
    assert store.failures_since("hannah@dustroad.example", T0 - timedelta(days=1)) == []
    assert store.failures_from("192.0.2.7", T0 - timedelta(days=1)) == []
    assert store.sessions_of("A0001") == []
    assert store.end_all_sessions() == 0
    assert store.idempotent_get("A0001", "key-1") is None


# -- accounts ----------------------------------------------------------------------------------


def test_accounts_get_consecutive_ids_and_read_back_by_username_and_id(
    store: AccountStore,
) -> None:
    first = store.add_account(
        username="hannah@dustroad.example",
        display_name="Hannah Reed",
        password_hash=HASH,
        created=T0,
    )
    second = store.add_account(
        username="jack", display_name="Jack Colt", password_hash=OTHER_HASH, created=T0
    )

    assert (first.id, second.id) == ("A0001", "A0002")
    assert store.account_by_username("hannah@dustroad.example") == first
    assert store.account_by_id("A0002") == second
    assert (first.display_name, first.password_hash, first.created, first.disabled) == (
        "Hannah Reed",
        HASH,
        T0,
        False,
    )
    assert HASH not in repr(first), "a password hash is never printed"


def test_a_taken_username_is_refused_and_uses_up_no_id(store: AccountStore) -> None:
    add(store, "jack")

    with pytest.raises(Duplicate):
        add(store, "jack")

    assert add(store, "ann") == "A0002"
    assert store.account_by_username("jack") == store.account_by_id("A0001")


def test_only_an_argon2id_hash_is_accepted_as_a_password(store: AccountStore) -> None:
    with pytest.raises(StoreError):
        store.add_account(
            username="jack", display_name="Jack", password_hash="hunter2hunter2", created=T0
        )
    account = add(store)
    with pytest.raises(StoreError):
        store.set_password_hash(account, "$2b$12$bcryptisnotaccepted")

    assert store.account_by_username("jack") is None
    account_now = store.account_by_id(account)
    assert account_now is not None
    assert account_now.password_hash == HASH


def test_a_temporary_password_is_stored_with_its_expiry_and_cleared_by_a_new_hash(
    store: AccountStore,
) -> None:
    until = T0 + timedelta(hours=72)
    created = store.add_account(
        username="jack", display_name="Jack", password_hash=HASH, created=T0, temporary_until=until
    )
    assert created.temporary_until == until
    assert created.must_change_password
    assert store.account_by_id(created.id) == created
    assert store.account_by_username("jack") == created

    store.set_password_hash(created.id, OTHER_HASH)
    chosen = store.account_by_id(created.id)
    assert chosen is not None
    assert (chosen.password_hash, chosen.temporary_until) == (OTHER_HASH, None)
    assert not chosen.must_change_password

    later = T0 + timedelta(days=10)
    store.set_password_hash(created.id, HASH, temporary_until=later)
    reset = store.account_by_id(created.id)
    assert reset is not None
    assert (reset.password_hash, reset.temporary_until) == (HASH, later)
    assert add(store) != created.id
    plain = store.account_by_username("hannah@dustroad.example")
    assert plain is not None
    assert plain.temporary_until is None


def test_set_password_hash_replaces_the_hash_of_that_account_only(store: AccountStore) -> None:
    hannah, jack = add(store), add(store, "jack")

    store.set_password_hash(hannah, OTHER_HASH)

    changed, unchanged = store.account_by_id(hannah), store.account_by_id(jack)
    assert changed is not None
    assert unchanged is not None
    assert (changed.password_hash, unchanged.password_hash) == (OTHER_HASH, HASH)
    with pytest.raises(StoreError):
        store.set_password_hash("A0099", OTHER_HASH)


def test_an_account_can_be_disabled_and_enabled_again(store: AccountStore) -> None:
    account = add(store)

    store.set_disabled(account, True)
    disabled = store.account_by_id(account)
    store.set_disabled(account, False)
    enabled = store.account_by_id(account)

    assert disabled is not None
    assert disabled.disabled
    assert enabled is not None
    assert not enabled.disabled
    with pytest.raises(StoreError):
        store.set_disabled("A0099", True)


# -- memberships -------------------------------------------------------------------------------


def test_an_account_acts_as_one_person_per_production(store: AccountStore) -> None:
    account = add(store)

    assert store.add_membership(account, "dust-road", "P01") == Membership(
        account=account, production="dust-road", person="P01"
    )
    store.add_membership(account, "alpha", "P07")

    assert store.member(account, "dust-road") == "P01"
    assert store.member(account, "alpha") == "P07"
    assert store.member(account, "gamma") is None
    assert [m.production for m in store.memberships(account)] == ["alpha", "dust-road"]


def test_an_account_cannot_act_as_two_people_in_one_production(store: AccountStore) -> None:
    account = add(store)
    store.add_membership(account, "dust-road", "P01")

    with pytest.raises(Duplicate):
        store.add_membership(account, "dust-road", "P02")

    assert store.member(account, "dust-road") == "P01"


def test_a_person_is_linked_to_one_account_only(store: AccountStore) -> None:
    hannah, jack = add(store), add(store, "jack")
    store.add_membership(hannah, "dust-road", "P01")

    with pytest.raises(Duplicate):
        store.add_membership(jack, "dust-road", "P01")
    store.add_membership(
        jack, "alpha", "P01"
    )  # the same id in another production is another person

    assert store.member(jack, "dust-road") is None
    assert store.member(jack, "alpha") == "P01"


def test_a_membership_needs_an_existing_account(store: AccountStore) -> None:
    with pytest.raises(StoreError):
        store.add_membership("A0099", "dust-road", "P01")

    assert store.memberships("A0099") == []


# -- sessions ----------------------------------------------------------------------------------


def test_a_session_is_found_by_its_token_hash_with_everything_stored(store: AccountStore) -> None:
    account = add(store)
    hashed = open_session(store, account, "token-one")

    session = store.session(hashed)

    assert session is not None
    assert (session.token_hash, session.account, session.csrf) == (
        hashed,
        account,
        csrf_of("token-one"),
    )
    assert (session.created, session.last_seen) == (T0, T0)
    assert session.idle_expires == T0 + timedelta(minutes=30)
    assert session.absolute_expires == T0 + timedelta(hours=12)
    assert not session.ended
    assert csrf_of("token-one") not in repr(session)
    assert hashed not in repr(session)


@pytest.mark.parametrize(
    "not_a_hash",
    [
        pytest.param("token-one", id="a-raw-token"),
        pytest.param(secrets.token_urlsafe(32), id="a-raw-urlsafe-token"),
        pytest.param(sha("x").upper(), id="uppercase-hex"),
        pytest.param(sha("x")[:63], id="63-digits"),
    ],
)
def test_a_session_is_stored_only_under_a_sha256_hash(store: AccountStore, not_a_hash: str) -> None:
    account = add(store)

    with pytest.raises(StoreError):
        store.new_session(
            token_hash=not_a_hash,
            account=account,
            csrf="c",
            created=T0,
            idle_expires=T0,
            absolute_expires=T0,
        )


def test_a_session_hash_is_stored_once_and_needs_an_existing_account(store: AccountStore) -> None:
    account = add(store)
    open_session(store, account, "token-one")

    with pytest.raises(Duplicate):
        open_session(store, account, "token-one")
    with pytest.raises(StoreError):
        open_session(store, "A0099", "token-two")

    assert store.session(sha("token-two")) is None


def test_touch_moves_last_use_and_idle_expiry_of_a_live_session(store: AccountStore) -> None:
    account = add(store)
    hashed = open_session(store, account, "token-one")
    later = T0 + timedelta(minutes=10)

    assert store.touch_session(hashed, last_seen=later, idle_expires=later + timedelta(minutes=30))

    session = store.session(hashed)
    assert session is not None
    assert (session.last_seen, session.idle_expires) == (later, later + timedelta(minutes=30))
    assert session.absolute_expires == T0 + timedelta(hours=12)
    assert not store.touch_session(sha("unknown"), last_seen=later, idle_expires=later)


def test_a_session_ends_once_and_an_ended_session_cannot_be_touched(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    account = add(first)
    hashed = open_session(first, account, "token-one")

    assert first.end_session(hashed)
    assert not second.end_session(hashed), "only one worker may see itself end a session"
    assert not first.touch_session(hashed, last_seen=T0, idle_expires=T0 + timedelta(hours=1))

    session = second.session(hashed)
    assert session is not None
    assert session.ended
    assert session.idle_expires == T0 + timedelta(minutes=30)
    assert not first.end_session(sha("unknown"))


def test_end_sessions_of_ends_every_live_session_of_the_account_but_the_kept_one(
    store: AccountStore,
) -> None:
    hannah, jack = add(store), add(store, "jack")
    kept = open_session(store, hannah, "h1")
    others = [open_session(store, hannah, "h2"), open_session(store, hannah, "h3")]
    already_ended = open_session(store, hannah, "h4")
    store.end_session(already_ended)
    jacks = open_session(store, jack, "j1")

    assert store.end_sessions_of(hannah, keep=kept) == 2

    assert [ended(store, h) for h in others] == [True, True]
    assert not ended(store, kept)
    assert not ended(store, jacks)
    assert store.end_sessions_of(hannah) == 1
    assert ended(store, kept)
    assert store.end_sessions_of(hannah) == 0


def test_a_session_gets_a_random_public_id_and_keeps_its_client_and_browser(
    store: AccountStore,
) -> None:
    account = add(store)
    opened = store.new_session(
        token_hash=sha("token-one"),
        account=account,
        csrf=csrf_of("token-one"),
        created=T0,
        idle_expires=T0 + timedelta(minutes=30),
        absolute_expires=T0 + timedelta(hours=12),
        client="192.0.2.7",
        agent="Firefox on Android" + "!" * 200,
    )
    other = open_session(store, account, "token-two")

    found = store.session(sha("token-one"))
    assert found == opened
    assert (found.client, found.agent) == ("192.0.2.7", ("Firefox on Android" + "!" * 200)[:128])
    second = store.session(other)
    assert second is not None
    assert (second.client, second.agent) == ("", "")
    ids = {opened.id, second.id}
    assert len(ids) == 2
    assert all(len(i) >= 12 and i.isalnum() for i in ids)
    assert sha("token-one") not in ids
    assert "token-one" not in opened.id


def test_sessions_of_lists_the_live_sessions_of_one_account_newest_first(
    store: AccountStore,
) -> None:
    hannah, jack = add(store), add(store, "jack")
    first = open_session(store, hannah, "h1", at=T0)
    second = open_session(store, hannah, "h2", at=T0 + timedelta(minutes=5))
    gone = open_session(store, hannah, "h3", at=T0 + timedelta(minutes=9))
    store.end_session(gone)
    open_session(store, jack, "j1")

    listed = store.sessions_of(hannah)

    assert [s.token_hash for s in listed] == [second, first]
    assert all(s.account == hannah and not s.ended for s in listed)
    assert listed[0] == store.session(second)
    assert store.sessions_of("A0099") == []


def test_end_all_sessions_ends_every_live_session_of_every_account(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    hannah, jack = add(first), add(first, "jack")
    live = [open_session(first, hannah, "h1"), open_session(first, jack, "j1")]
    already = open_session(first, jack, "j2")
    first.end_session(already)

    assert second.end_all_sessions() == 2

    assert [ended(first, h) for h in live] == [True, True]
    assert first.sessions_of(hannah) == first.sessions_of(jack) == []
    assert first.end_all_sessions() == 0


# -- the sign-in log ---------------------------------------------------------------------------


def test_events_are_listed_newest_first_in_the_order_recorded(store: AccountStore) -> None:
    kinds = list(AuthEventKind)
    for minute, kind in enumerate(kinds):
        event(store, kind, at=T0 + timedelta(minutes=minute), account="A0001")

    listed = store.events(limit=100)

    assert [e.kind for e in listed] == list(reversed(kinds))
    assert [e.seq for e in listed] == sorted((e.seq for e in listed), reverse=True)
    assert len({e.seq for e in listed}) == len(kinds)
    assert listed[-1].time == T0
    assert (listed[0].username, listed[0].account, listed[0].client) == (
        "hannah@dustroad.example",
        "A0001",
        "192.0.2.7",
    )
    assert [e.kind for e in store.events(limit=2)] == list(reversed(kinds))[:2]
    assert store.events(limit=0) == []


def test_events_keep_their_order_even_when_times_do_not(store: AccountStore) -> None:
    event(store, AuthEventKind.FAILURE, at=T0 + timedelta(minutes=5))
    event(store, AuthEventKind.SIGN_IN, at=T0)  # a worker with a slightly slow clock

    assert [e.kind for e in store.events()] == [AuthEventKind.SIGN_IN, AuthEventKind.FAILURE]


def test_an_event_without_an_account_keeps_the_username_as_typed_cut_short(
    store: AccountStore,
) -> None:
    long_name = "x" * (EVENT_TEXT_MAX + 50)
    long_client = "2001:db8::" + "f" * (EVENT_TEXT_MAX + 10)

    event(store, AuthEventKind.FAILURE, username=long_name, client=long_client)

    (recorded,) = store.events()
    assert recorded.account is None
    assert recorded.username == long_name[:EVENT_TEXT_MAX]
    assert recorded.client == long_client[:EVENT_TEXT_MAX]
    assert len(store.failures_since(long_name, T0)) == 1


def test_an_unknown_event_kind_is_refused(store: AccountStore) -> None:
    with pytest.raises(StoreError):
        event(store, "password_guessed")  # type: ignore[arg-type]

    assert store.events() == []


def test_failures_count_only_after_the_last_successful_sign_in(store: AccountStore) -> None:
    name = "hannah@dustroad.example"
    for minute in (0, 1, 2):
        event(store, AuthEventKind.FAILURE, name, T0 + timedelta(minutes=minute))
    event(store, AuthEventKind.SIGN_IN, name, T0 + timedelta(minutes=3))
    event(store, AuthEventKind.FAILURE, name, T0 + timedelta(minutes=4))
    event(store, AuthEventKind.LOCKOUT, name, T0 + timedelta(minutes=4))
    event(store, AuthEventKind.FAILURE, name, T0 + timedelta(minutes=5))
    event(store, AuthEventKind.SIGN_IN, "jack", T0 + timedelta(minutes=6))  # someone else
    event(store, AuthEventKind.FAILURE, "jack", T0 + timedelta(minutes=6))

    assert store.failures_since(name, T0) == [
        T0 + timedelta(minutes=4),
        T0 + timedelta(minutes=5),
    ]
    assert store.failures_since(name, T0 + timedelta(minutes=5)) == [T0 + timedelta(minutes=5)]
    assert store.failures_since(name, T0 + timedelta(minutes=6)) == []
    assert store.failures_since("jack", T0) == [T0 + timedelta(minutes=6)]
    assert store.failures_since("ann", T0) == []


def test_failures_from_a_client_count_across_usernames_and_sign_ins(store: AccountStore) -> None:
    here, there = "192.0.2.7", "198.51.100.3"
    for minute, name in enumerate(("ann", "bob", "carl")):
        event(store, AuthEventKind.FAILURE, name, T0 + timedelta(minutes=minute), client=here)
    event(store, AuthEventKind.SIGN_IN, "ann", T0 + timedelta(minutes=3), client=here)
    event(store, AuthEventKind.LOCKOUT, "ann", T0 + timedelta(minutes=4), client=here)
    event(store, AuthEventKind.FAILURE, "dora", T0 + timedelta(minutes=5), client=here)
    event(store, AuthEventKind.FAILURE, "ann", T0 + timedelta(minutes=6), client=there)

    assert store.failures_from(here, T0) == [T0 + timedelta(minutes=m) for m in (0, 1, 2, 5)]
    assert store.failures_from(here, T0 + timedelta(minutes=2)) == [
        T0 + timedelta(minutes=2),
        T0 + timedelta(minutes=5),
    ]
    assert store.failures_from(there, T0) == [T0 + timedelta(minutes=6)]
    assert store.failures_from("203.0.113.9", T0) == []
    long_client = "c" * 300
    event(store, AuthEventKind.FAILURE, "ann", T0, client=long_client)
    assert store.failures_from(long_client, T0) == [T0]


def test_a_right_password_with_a_step_to_come_is_logged_and_does_not_clear_failures(
    store: AccountStore,
) -> None:
    name = "hannah@dustroad.example"
    event(store, AuthEventKind.FAILURE, name, T0)
    event(store, AuthEventKind.PASSWORD_OK, name, T0 + timedelta(minutes=1))
    event(store, AuthEventKind.MFA_FAILURE, name, T0 + timedelta(minutes=2))
    assert store.failures_since(name, T0) == [T0, T0 + timedelta(minutes=2)]
    assert [e.kind for e in store.events(3)] == [
        AuthEventKind.MFA_FAILURE,
        AuthEventKind.PASSWORD_OK,
        AuthEventKind.FAILURE,
    ]


def test_an_attempt_is_claimed_with_what_it_counts_against_for_every_worker(
    stores: Stores,
) -> None:
    first, second = stores.open(), stores.open()
    name, here = "hannah@dustroad.example", "192.0.2.7"
    event(first, AuthEventKind.FAILURE, name, T0, client=here)
    event(first, AuthEventKind.FAILURE, "jack", T0, client=here)
    one = first.claim_attempt(username=name, client=here, time=T0 + timedelta(seconds=1), since=T0)
    assert (one.failures, one.client_failures) == ([T0], [T0, T0])
    # a check in flight at another worker counts, as if it had failed
    two = second.claim_attempt(
        username=name, client="198.51.100.3", time=T0 + timedelta(seconds=2), since=T0
    )
    assert two.id != one.id
    assert two.failures == [T0, T0 + timedelta(seconds=1)]
    assert two.client_failures == []
    other = second.claim_attempt(
        username="ann", client=here, time=T0 + timedelta(seconds=3), since=T0
    )
    assert other.failures == []
    assert other.client_failures == [T0, T0, T0 + timedelta(seconds=1)]
    # released claims no longer count; a claim older than ``since`` is dropped
    first.release_attempt(one.id)
    second.release_attempt(other.id)
    later = T0 + timedelta(minutes=31)
    three = first.claim_attempt(
        username=name, client=here, time=later, since=T0 + timedelta(minutes=1)
    )
    assert (three.failures, three.client_failures) == ([], [])
    node = first.claim_attempt(username=name, client="", time=later, since=T0)
    assert node.client_failures == []  # a command on the node has no address
    assert [e.kind for e in first.events()].count(AuthEventKind.FAILURE) == 2  # not in the log


# -- idempotency -------------------------------------------------------------------------------


def test_a_stored_response_is_returned_for_its_account_and_key_only(store: AccountStore) -> None:
    hannah, jack = add(store), add(store, "jack")
    fingerprint = sha("POST\n/api/issue\n{}")

    stored = store.idempotent_put(
        account=hannah, key="k-1", fingerprint=fingerprint, status=201, body='{"ok":1}', created=T0
    )

    assert store.idempotent_get(hannah, "k-1") == stored
    assert (stored.status, stored.body, stored.fingerprint, stored.created) == (
        201,
        '{"ok":1}',
        fingerprint,
        T0,
    )
    assert store.idempotent_get(jack, "k-1") is None, "keys of different accounts never meet"
    assert store.idempotent_get(hannah, "k-2") is None
    other = store.idempotent_put(
        account=jack, key="k-1", fingerprint=sha("other"), status=200, body="{}", created=T0
    )
    assert store.idempotent_get(jack, "k-1") == other
    assert store.idempotent_get(hannah, "k-1") == stored


def test_the_first_response_for_a_key_stands(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    account = add(first)
    original = first.idempotent_put(
        account=account, key="k-1", fingerprint=sha("a"), status=201, body='{"n":1}', created=T0
    )

    replay = second.idempotent_put(
        account=account,
        key="k-1",
        fingerprint=sha("b"),
        status=409,
        body='{"n":2}',
        created=T0 + timedelta(minutes=1),
    )

    assert replay == original
    assert first.idempotent_get(account, "k-1") == original


def test_a_claimed_key_is_completed_once_or_released(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    account = add(first)
    first.idempotent_put(
        account=account, key="k-1", fingerprint=sha("a"), status=0, body="claim", created=T0
    )

    assert second.idempotent_complete(account=account, key="k-1", status=201, body='{"n":1}')
    assert not first.idempotent_complete(account=account, key="k-1", status=409, body="{}")
    done = first.idempotent_get(account, "k-1")
    assert done is not None
    assert (done.status, done.body) == (201, '{"n":1}')
    assert not first.idempotent_release(account, "k-1"), "a completed response stays"

    first.idempotent_put(
        account=account, key="k-2", fingerprint=sha("b"), status=0, body="claim", created=T0
    )
    assert second.idempotent_release(account, "k-2")
    assert first.idempotent_get(account, "k-2") is None
    with pytest.raises(StoreError):
        first.idempotent_complete(account=account, key="k-2", status=0, body="{}")


def test_idempotency_needs_an_account_a_hex_fingerprint_and_a_sane_key(
    store: AccountStore,
) -> None:
    account = add(store)
    good = {"fingerprint": sha("a"), "status": 200, "body": "{}", "created": T0}

    with pytest.raises(StoreError):
        store.idempotent_put(account="A0099", key="k", **good)  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        store.idempotent_put(account=account, key="", **good)  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        store.idempotent_put(account=account, key="k" * 256, **good)  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        store.idempotent_put(
            account=account, key="k", fingerprint="POST /x", status=200, body="{}", created=T0
        )

    assert store.idempotent_get(account, "k") is None


def test_purge_removes_only_responses_created_before_the_cutoff(store: AccountStore) -> None:
    account = add(store)
    for hours, key in ((0, "old"), (23, "recent"), (25, "new")):
        store.idempotent_put(
            account=account,
            key=key,
            fingerprint=sha(key),
            status=200,
            body="{}",
            created=T0 + timedelta(hours=hours),
        )

    assert store.purge_idempotency(T0 + timedelta(hours=1)) == 1

    assert store.idempotent_get(account, "old") is None
    assert store.idempotent_get(account, "recent") is not None
    assert store.idempotent_get(account, "new") is not None


# -- sharing between workers and durability ------------------------------------------------------


def test_everything_is_shared_between_connections_and_survives_a_reopen(stores: Stores) -> None:
    worker_one, worker_two = stores.open(), stores.open()
    account = add(worker_one)
    worker_one.add_membership(account, "dust-road", "P01")
    hashed = open_session(worker_one, account, "token-one")
    event(worker_one, AuthEventKind.SIGN_IN, account=account)

    assert worker_two.account_by_id(account) == worker_one.account_by_id(account)
    assert worker_two.member(account, "dust-road") == "P01"
    assert worker_two.session(hashed) == worker_one.session(hashed)
    assert worker_two.events() == worker_one.events()

    reopened = stores.reopen(worker_one)
    assert reopened.account_by_username("hannah@dustroad.example") is not None
    assert reopened.session(hashed) is not None
    assert len(reopened.events()) == 1


def test_naive_times_are_refused(store: AccountStore) -> None:
    naive = datetime(2026, 3, 2, 6, 0)  # noqa: DTZ001 (the point of the test)

    with pytest.raises(StoreError):
        store.add_account(username="jack", display_name="Jack", password_hash=HASH, created=naive)
    with pytest.raises(StoreError):
        event(store, AuthEventKind.FAILURE, at=naive)

    assert store.events() == []


# -- SQLite only: the shared file, what is stored, refusals --------------------------------------


def _file_bytes(path: Path) -> bytes:
    """The database file and its WAL, where the newest pages are until a checkpoint."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_sqlite_keeps_only_the_hash_of_a_session_token_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "coldcheck.db"
    token = secrets.token_urlsafe(32)
    store = SqliteAccountStore(path, create=True)
    try:
        open_session(store, add(store), token)
        contents = _file_bytes(path)
    finally:
        store.close()

    assert token.encode() not in contents
    assert sha(token).encode() in contents


def test_sqlite_accounts_share_the_ledger_file_and_leave_the_ledger_as_it_was(
    tmp_path: Path,
) -> None:
    path = tmp_path / "coldcheck.db"
    ledger = SqliteStore(path, create=True)
    data = b'{"seq":1}'
    ledger.append("dust-road", 0, [NewRecord(seq=1, data=data, hash=hashlib.sha256(data).digest())])
    ledger.close()

    accounts = SqliteAccountStore(path, create=True)
    add(accounts)
    accounts.close()
    ledger = SqliteStore(path)
    accounts = SqliteAccountStore(path)
    try:
        assert [r.data for r in ledger.read_stream("dust-road")] == [data]
        assert accounts.account_by_id("A0001") is not None
    finally:
        ledger.close()
        accounts.close()


def test_sqlite_accounts_created_first_make_a_file_the_ledger_opens(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    SqliteAccountStore(path, create=True).close()

    ledger = SqliteStore(path)
    try:
        assert ledger.productions() == []
    finally:
        ledger.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT version FROM account_schema").fetchall() == [(2,)]


def test_sqlite_refuses_a_missing_file_and_a_ledger_without_accounts_unless_asked(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nowhere.db"
    with pytest.raises(StoreError, match="coldcheck init"):
        SqliteAccountStore(missing)
    assert not missing.exists()

    ledger_only = tmp_path / "ledger.db"
    SqliteStore(ledger_only, create=True).close()
    with pytest.raises(StoreError, match="create=True"):
        SqliteAccountStore(ledger_only)


def test_sqlite_refuses_another_accounts_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "coldcheck.db"
    SqliteAccountStore(path, create=True).close()
    with closing(sqlite3.connect(path)) as db:
        db.execute("UPDATE account_schema SET version = 3")  # a newer coldcheck's
        db.commit()

    with pytest.raises(StoreError, match="accounts schema 3"):
        SqliteAccountStore(path)


def test_sqlite_refuses_to_change_or_delete_a_sign_in_event(tmp_path: Path) -> None:
    path = tmp_path / "coldcheck.db"
    store = SqliteAccountStore(path, create=True)
    event(store, AuthEventKind.FAILURE)
    with closing(sqlite3.connect(path)) as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE auth_events SET kind = 'sign_in'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM auth_events")
    try:
        assert [e.kind for e in store.events()] == [AuthEventKind.FAILURE]
    finally:
        store.close()


def test_sqlite_turns_a_busy_file_into_one_sentence_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "coldcheck.db"
    SqliteAccountStore(path, create=True).close()
    store = SqliteAccountStore(path, busy_timeout_ms=50)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with pytest.raises(StoreError) as caught:
            add(store)
        holder.execute("ROLLBACK")
        assert "cannot be written now" in str(caught.value)
        assert "nothing was written" in str(caught.value)
        assert not isinstance(caught.value, Duplicate)
        assert store.account_by_username("hannah@dustroad.example") is None
        assert add(store) == "A0001", "the store is usable again once the lock is gone"
    finally:
        holder.close()
        store.close()


# -- SQLite only: upgrading a version-1 file ---------------------------------------------------

# The accounts schema as version 1 created it (the first release), verbatim.
_V1_SCHEMA = (
    """CREATE TABLE account_schema (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        version   INTEGER NOT NULL
    )""",
    """CREATE TABLE accounts (
        number        INTEGER PRIMARY KEY,
        id            TEXT    NOT NULL UNIQUE,
        username      TEXT    NOT NULL UNIQUE
                      CHECK (length(username) BETWEEN 3 AND 64 AND username = lower(username)),
        display_name  TEXT    NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
        password_hash TEXT    NOT NULL CHECK (substr(password_hash, 1, 10) = '$argon2id$'),
        created       TEXT    NOT NULL,
        disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
    )""",
    """CREATE TABLE memberships (
        account    TEXT NOT NULL REFERENCES accounts (id),
        production TEXT NOT NULL,
        person     TEXT NOT NULL,
        PRIMARY KEY (account, production),
        UNIQUE (production, person)
    ) WITHOUT ROWID""",
    """CREATE TABLE sessions (
        token_hash       TEXT    PRIMARY KEY CHECK (length(token_hash) = 64),
        account          TEXT    NOT NULL REFERENCES accounts (id),
        csrf             TEXT    NOT NULL,
        created          TEXT    NOT NULL,
        last_seen        TEXT    NOT NULL,
        idle_expires     TEXT    NOT NULL,
        absolute_expires TEXT    NOT NULL,
        ended            INTEGER NOT NULL DEFAULT 0 CHECK (ended IN (0, 1))
    ) WITHOUT ROWID""",
    "CREATE INDEX sessions_by_account ON sessions (account, ended)",
    """CREATE TABLE auth_events (
        seq      INTEGER PRIMARY KEY,
        time     TEXT    NOT NULL,
        kind     TEXT    NOT NULL CHECK (kind IN ('sign_in', 'failure', 'lockout', 'sign_out',
                                                  'expired', 'password_changed',
                                                  'account_created')),
        username TEXT    NOT NULL,
        account  TEXT,
        client   TEXT    NOT NULL
    )""",
    "CREATE INDEX auth_events_by_username ON auth_events (username, kind, seq)",
    """CREATE TRIGGER auth_events_no_update BEFORE UPDATE ON auth_events
    BEGIN SELECT RAISE(ABORT, 'auth_events is append-only'); END""",
    """CREATE TRIGGER auth_events_no_delete BEFORE DELETE ON auth_events
    BEGIN SELECT RAISE(ABORT, 'auth_events is append-only'); END""",
    """CREATE TABLE idempotency (
        account     TEXT    NOT NULL REFERENCES accounts (id),
        idem_key    TEXT    NOT NULL CHECK (length(idem_key) BETWEEN 1 AND 255),
        fingerprint TEXT    NOT NULL CHECK (length(fingerprint) = 64),
        status      INTEGER NOT NULL,
        body        TEXT    NOT NULL,
        created     TEXT    NOT NULL,
        PRIMARY KEY (account, idem_key)
    ) WITHOUT ROWID""",
    "CREATE INDEX idempotency_by_created ON idempotency (created)",
    "INSERT INTO account_schema (singleton, version) VALUES (1, 1)",
)
_STAMP = "2026-03-02T06:00:00.000000Z"
_LATER = "2026-03-02T06:30:00.000000Z"


def _version_1_file(path: Path) -> None:
    """A coldcheck store whose accounts were written by version 1: two accounts, a
    membership, a live and an ended session, three sign-in events."""
    SqliteStore(path, create=True).close()
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("BEGIN")
        for statement in _V1_SCHEMA:
            db.execute(statement)
        for number, name in ((1, "hannah"), (2, "jack")):
            db.execute(
                "INSERT INTO accounts (number, id, username, display_name, password_hash, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (number, f"A000{number}", name, name.title(), HASH, _STAMP),
            )
        db.execute("INSERT INTO memberships VALUES ('A0001', 'dust-road', 'P01')")
        for token, ended_ in (("live", 0), ("gone", 1)):
            db.execute(
                "INSERT INTO sessions VALUES (?, 'A0001', ?, ?, ?, ?, ?, ?)",
                (sha(token), csrf_of(token), _STAMP, _STAMP, _LATER, _LATER, ended_),
            )
        for kind, name in (("failure", "hannah"), ("sign_in", "hannah"), ("failure", "zed")):
            db.execute(
                "INSERT INTO auth_events (time, kind, username, account, client)"
                " VALUES (?, ?, ?, NULL, '192.0.2.7')",
                (_STAMP, kind, name),
            )
        db.execute("COMMIT")


def _shape(path: Path) -> dict[str, object]:
    """Every table's columns, and the names of every index and trigger."""
    with closing(sqlite3.connect(path)) as db:
        names = db.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        return {
            name: (
                kind,
                db.execute(
                    'SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)',
                    (name,),
                ).fetchall()
                if kind == "table"
                else [],
            )
            for kind, name in names
        }


def test_sqlite_upgrades_a_version_1_file_in_place_keeping_accounts_and_sessions(
    tmp_path: Path,
) -> None:
    old, fresh = tmp_path / "old.db", tmp_path / "fresh.db"
    _version_1_file(old)
    SqliteAccountStore(fresh, create=True).close()

    store = SqliteAccountStore(old)  # opening upgrades it
    try:
        hannah = store.account_by_username("hannah")
        assert hannah is not None
        assert (hannah.id, hannah.display_name, hannah.password_hash) == ("A0001", "Hannah", HASH)
        assert hannah.temporary_until is None
        assert store.member("A0001", "dust-road") == "P01"
        live, gone = store.session(sha("live")), store.session(sha("gone"))
        assert live is not None
        assert gone is not None
        assert (live.ended, gone.ended, live.csrf) == (False, True, csrf_of("live"))
        assert (live.client, live.agent) == ("", "")
        assert len(live.id) == 16
        assert live.id != gone.id
        assert store.sessions_of("A0001") == [live]
        assert [(e.seq, e.kind, e.username) for e in reversed(store.events())] == [
            (1, AuthEventKind.FAILURE, "hannah"),
            (2, AuthEventKind.SIGN_IN, "hannah"),
            (3, AuthEventKind.FAILURE, "zed"),
        ]
        assert store.failures_since("zed", T0) == [T0]
        event(store, AuthEventKind.PASSWORD_RESET, "jack", T0 + timedelta(hours=1))
        assert store.events(1)[0].seq == 4
        store.set_password_hash("A0002", OTHER_HASH, temporary_until=T0 + timedelta(hours=72))
        jack = store.account_by_id("A0002")
        assert jack is not None
        assert jack.must_change_password
        open_session(store, "A0002", "new-one")
    finally:
        store.close()

    assert _shape(old) == _shape(fresh), "an upgraded file has exactly a new file's schema"
    with closing(sqlite3.connect(old)) as db:
        assert db.execute("SELECT version FROM account_schema").fetchall() == [(2,)]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM auth_events")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE auth_events SET kind = 'sign_in'")
    SqliteAccountStore(old).close()  # opening an upgraded file again changes nothing


def test_sqlite_an_upgrade_that_fails_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _version_1_file(path)
    with closing(sqlite3.connect(path)) as db:
        db.execute("DROP INDEX auth_events_by_username")  # the upgrade fails part way
        db.commit()
    before = _shape(path)

    with pytest.raises(StoreError, match="no such index"):
        SqliteAccountStore(path)

    assert _shape(path) == before
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT version FROM account_schema").fetchall() == [(1,)]
        assert db.execute("SELECT count(*) FROM auth_events").fetchone() == (3,)
        assert db.execute("SELECT count(*) FROM sessions").fetchone() == (2,)


def test_sqlite_a_version_1_worker_still_running_after_the_upgrade_can_sign_in(
    tmp_path: Path,
) -> None:
    """A worker of the first release opens sessions without a public id (its INSERT, verbatim
    below): after another worker upgraded the file, two of them must not collide on it. The
    upgraded log also takes the kinds added since (``password_ok``)."""
    path = tmp_path / "old.db"
    _version_1_file(path)
    SqliteAccountStore(path).close()  # a new worker upgrades the file
    with closing(sqlite3.connect(path, isolation_level=None)) as db:  # the old worker
        for token in ("old worker one", "old worker two"):
            db.execute(
                "INSERT INTO sessions (token_hash, account, csrf, created, last_seen,"
                " idle_expires, absolute_expires, ended) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                (sha(token), "A0002", csrf_of(token), _STAMP, _STAMP, _LATER, _LATER),
            )
    store = SqliteAccountStore(path)
    try:
        event(store, AuthEventKind.PASSWORD_OK, "jack", T0 + timedelta(hours=1))
        assert store.events(1)[0].kind is AuthEventKind.PASSWORD_OK
        open_session(store, "A0002", "a new worker's")  # public ids stay unique where set
        ids = [s.id for s in store.sessions_of("A0002")]
        assert len(ids) == 3
        assert len({i for i in ids if i}) == 1
    finally:
        store.close()
