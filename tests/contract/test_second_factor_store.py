"""The second factor's part of the account store port (coldcheck.store.second_factor): TOTP
secrets and their last accepted step, secrets being set up, recovery codes, pending sign-ins.

It runs against every backend of test_account_store.py's ``BACKENDS``, unchanged: a backend
that joins there joins here. The single-use promises are checked across two connections (two
web workers), since that is where they matter.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from coldcheck.store.accounts import AccountStore, Duplicate
from coldcheck.store.port import StoreError
from tests.contract.test_account_store import (
    T0,
    Stores,
    add,
    open_session,
    sha,
)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 32 base32 characters: 160 bits
OTHER_SECRET = "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"
LATER = T0 + timedelta(minutes=5)
OWNER = hashlib.sha256(b"the account page's set-up token").hexdigest()


def codes(prefix: str, count: int = 10) -> list[str]:
    return [sha(f"{prefix}-{n}") for n in range(count)]


def enrol(store: AccountStore, account: str, secret: str = SECRET, step: int = 100) -> list[str]:
    hashes = codes(account + secret)
    store.start_totp_enrolment(
        account, owner=OWNER, secret=secret, created=T0, expires=T0 + timedelta(minutes=30)
    )
    assert store.enrol_totp(
        account, secret=secret, owner=OWNER, enrolled=T0, last_step=step, recovery_hashes=hashes
    )
    return hashes


def pending(store: AccountStore, account: str, token: str, at: datetime = T0) -> str:
    hashed = sha(token)
    store.new_pending_sign_in(
        token_hash=hashed,
        account=account,
        csrf="csrf-" + token,
        created=at,
        expires=at + timedelta(minutes=5),
    )
    return hashed


# -- TOTP ----------------------------------------------------------------------------------------


def test_an_account_has_no_totp_until_an_enrolment_is_confirmed(store: AccountStore) -> None:
    hannah = add(store)
    assert store.totp(hannah) is None
    started = store.start_totp_enrolment(
        hannah, owner=OWNER, secret=SECRET, created=T0, expires=T0 + timedelta(minutes=30)
    )
    assert started.secret == SECRET
    assert store.totp(hannah) is None
    found = store.totp_enrolment(hannah)
    assert found is not None
    assert (found.secret, found.created, found.expires) == (SECRET, T0, T0 + timedelta(minutes=30))
    assert SECRET not in repr(found)

    hashes = codes("h")
    assert store.enrol_totp(
        hannah, secret=SECRET, owner=OWNER, enrolled=LATER, last_step=7, recovery_hashes=hashes
    )
    totp = store.totp(hannah)
    assert totp is not None
    assert (totp.secret, totp.enrolled, totp.last_step) == (SECRET, LATER, 7)
    assert SECRET not in repr(totp)
    assert store.totp_enrolment(hannah) is None  # confirmed: no longer being set up
    assert store.recovery_codes_left(hannah) == 10


def test_a_new_enrolment_replaces_the_one_before_but_not_the_confirmed_secret(
    store: AccountStore,
) -> None:
    hannah = add(store)
    enrol(store, hannah)
    store.start_totp_enrolment(hannah, owner=OWNER, secret=OTHER_SECRET, created=T0, expires=LATER)
    store.start_totp_enrolment(hannah, owner=OWNER, secret=SECRET, created=T0, expires=LATER)
    found = store.totp_enrolment(hannah)
    assert found is not None
    assert found.secret == SECRET
    totp = store.totp(hannah)
    assert totp is not None
    assert totp.secret == SECRET


def test_only_the_secret_being_set_up_can_be_confirmed_and_only_once(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    hannah = add(first)
    first.start_totp_enrolment(hannah, owner=OWNER, secret=SECRET, created=T0, expires=LATER)
    assert not first.enrol_totp(
        hannah,
        secret=OTHER_SECRET,
        owner=OWNER,
        enrolled=T0,
        last_step=1,
        recovery_hashes=codes("a"),
    )
    assert first.totp(hannah) is None
    assert first.enrol_totp(
        hannah, secret=SECRET, owner=OWNER, enrolled=T0, last_step=1, recovery_hashes=codes("b")
    )
    # a second worker confirming the same set-up a moment later changes nothing
    assert not second.enrol_totp(
        hannah, secret=SECRET, owner=OWNER, enrolled=T0, last_step=2, recovery_hashes=codes("c")
    )
    totp = second.totp(hannah)
    assert totp is not None
    assert totp.last_step == 1
    assert second.use_recovery_code(hannah, codes("b")[0], used=T0)
    assert not second.use_recovery_code(hannah, codes("c")[0], used=T0)


def test_confirming_again_replaces_the_secret_and_every_recovery_code(store: AccountStore) -> None:
    hannah = add(store)
    old = enrol(store, hannah, SECRET, step=100)
    assert store.use_recovery_code(hannah, old[0], used=T0)
    new = enrol(store, hannah, OTHER_SECRET, step=200)
    totp = store.totp(hannah)
    assert totp is not None
    assert (totp.secret, totp.last_step) == (OTHER_SECRET, 200)
    assert store.recovery_codes_left(hannah) == 10
    assert not store.use_recovery_code(hannah, old[1], used=T0)  # the old codes are gone
    assert store.use_recovery_code(hannah, new[1], used=T0)


def test_the_step_only_moves_forward_so_a_code_is_accepted_once(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    hannah = add(first)
    enrol(first, hannah, step=100)
    assert first.accept_totp_step(hannah, 101)
    assert not second.accept_totp_step(hannah, 101)  # the same code at another worker
    assert not second.accept_totp_step(hannah, 100)  # an older one
    assert second.accept_totp_step(hannah, 103)
    totp = first.totp(hannah)
    assert totp is not None
    assert totp.last_step == 103
    assert not first.accept_totp_step(add(first, "jack"), 500)  # no secret: nothing accepted


def test_a_secret_is_base32_and_recovery_codes_are_distinct_hashes(store: AccountStore) -> None:
    hannah = add(store)
    for bad in ("not base32!", "jbswy3dpehpk3pxpjbswy3dpehpk3pxp", "ABC", SECRET + "=" * 8):
        with pytest.raises(StoreError):
            store.start_totp_enrolment(hannah, owner=OWNER, secret=bad, created=T0, expires=LATER)
    store.start_totp_enrolment(hannah, owner=OWNER, secret=SECRET, created=T0, expires=LATER)
    for hashes in (["a-code-in-the-clear"], [sha("x"), sha("x")], [sha("x").upper()]):
        with pytest.raises(StoreError):
            store.enrol_totp(
                hannah, secret=SECRET, owner=OWNER, enrolled=T0, last_step=1, recovery_hashes=hashes
            )
    assert store.totp(hannah) is None
    assert store.totp_enrolment(hannah) is not None  # the refusals wrote nothing
    with pytest.raises(StoreError):
        store.start_totp_enrolment("A0099", owner=OWNER, secret=SECRET, created=T0, expires=LATER)


def test_a_recovery_code_hash_belongs_to_one_account(store: AccountStore) -> None:
    hannah, jack = add(store), add(store, "jack")
    enrol(store, hannah)
    store.start_totp_enrolment(jack, owner=OWNER, secret=SECRET, created=T0, expires=LATER)
    with pytest.raises(Duplicate):
        store.enrol_totp(
            jack,
            secret=SECRET,
            owner=OWNER,
            enrolled=T0,
            last_step=1,
            recovery_hashes=codes(hannah + SECRET),
        )
    assert store.totp(jack) is None


def test_a_reset_removes_secret_enrolment_codes_and_pending_sign_ins(store: AccountStore) -> None:
    hannah, jack = add(store), add(store, "jack")
    hashes = enrol(store, hannah)
    enrol(store, jack, OTHER_SECRET)
    store.start_totp_enrolment(hannah, owner=OWNER, secret=OTHER_SECRET, created=T0, expires=LATER)
    waiting = pending(store, hannah, "hannah's browser")
    jacks = pending(store, jack, "jack's browser")
    assert store.reset_second_factor(hannah)
    assert store.totp(hannah) is None
    assert store.totp_enrolment(hannah) is None
    assert store.recovery_codes_left(hannah) == 0
    assert not store.use_recovery_code(hannah, hashes[0], used=T0)
    found = store.pending_sign_in(waiting)
    assert found is not None
    assert found.ended
    assert not store.reset_second_factor(hannah)  # nothing left to remove
    # another account keeps everything
    assert store.totp(jack) is not None
    assert store.recovery_codes_left(jack) == 10
    other = store.pending_sign_in(jacks)
    assert other is not None
    assert not other.ended


def test_a_set_up_is_confirmed_only_by_its_owner(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    hannah = add(first)
    first.start_totp_enrolment(hannah, owner=OWNER, secret=SECRET, created=T0, expires=LATER)
    found = second.totp_enrolment(hannah)
    assert found is not None
    assert found.owner == OWNER
    assert OWNER not in repr(found)
    assert not second.enrol_totp(
        hannah,
        secret=SECRET,
        owner=sha("someone else"),
        enrolled=T0,
        last_step=1,
        recovery_hashes=codes("x"),
    )
    assert second.totp(hannah) is None
    with pytest.raises(StoreError):
        first.start_totp_enrolment(
            hannah, owner="not a hash", secret=SECRET, created=T0, expires=LATER
        )


def test_the_set_up_of_a_sign_in_ends_it_and_everything_else_in_one_write(
    stores: Stores,
) -> None:
    """The forced set-up at sign-in: its pending sign-in must be live, and confirming ends it
    (for every worker) together with the account's sessions and other pending sign-ins."""
    first, second = stores.open(), stores.open()
    hannah, jack = add(first), add(first, "jack")
    signing_in = pending(first, hannah, "this browser")
    other = pending(first, hannah, "another browser")
    old = open_session(first, hannah, "a session from before")
    jacks = open_session(first, jack, "jack's session")
    first.start_totp_enrolment(hannah, owner=signing_in, secret=SECRET, created=T0, expires=LATER)
    # a set-up owned by a sign-in is not confirmed without completing that sign-in
    assert not second.enrol_totp(
        hannah,
        secret=SECRET,
        owner=signing_in,
        enrolled=T0,
        last_step=1,
        recovery_hashes=codes("a"),
    )
    assert second.enrol_totp(
        hannah,
        secret=SECRET,
        owner=signing_in,
        enrolled=T0,
        last_step=1,
        recovery_hashes=codes("b"),
        signing_in=True,
    )
    assert first.pending_sign_in(signing_in).ended  # type: ignore[union-attr]
    assert first.pending_sign_in(other).ended  # type: ignore[union-attr]
    assert first.session(old).ended  # type: ignore[union-attr]
    assert not first.session(jacks).ended  # type: ignore[union-attr]
    assert first.totp_enrolment(hannah) is None
    assert first.recovery_codes_left(hannah) == 10


def test_the_set_up_of_an_ended_or_expired_sign_in_cannot_be_confirmed(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    hannah = add(first)
    for token, end, at in (("ended", True, T0), ("expired", False, LATER)):
        owner = pending(first, hannah, token)
        if end:
            assert first.end_pending_sign_in(owner)
        first.start_totp_enrolment(hannah, owner=owner, secret=SECRET, created=T0, expires=LATER)
        assert not second.enrol_totp(
            hannah,
            secret=SECRET,
            owner=owner,
            enrolled=at,
            last_step=1,
            recovery_hashes=codes(token),
            signing_in=True,
        )
        assert second.totp(hannah) is None
        assert second.totp_enrolment(hannah) is not None  # nothing written


def test_a_set_up_from_the_account_page_keeps_only_its_own_live_session(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    hannah = add(first)
    here, there = open_session(first, hannah, "here"), open_session(first, hannah, "there")
    waiting = pending(first, hannah, "a sign-in waiting for its code")
    first.start_totp_enrolment(hannah, owner=OWNER, secret=SECRET, created=T0, expires=LATER)
    assert second.end_session(there)
    assert not second.enrol_totp(  # the kept session must still be live
        hannah,
        secret=SECRET,
        owner=OWNER,
        enrolled=T0,
        last_step=1,
        recovery_hashes=codes("a"),
        keep=there,
    )
    there = open_session(first, hannah, "there again")
    assert second.enrol_totp(
        hannah,
        secret=SECRET,
        owner=OWNER,
        enrolled=T0,
        last_step=1,
        recovery_hashes=codes("b"),
        keep=here,
    )
    assert not first.session(here).ended  # type: ignore[union-attr]
    assert first.session(there).ended  # type: ignore[union-attr]
    assert first.pending_sign_in(waiting).ended  # type: ignore[union-attr]


def test_ending_an_accounts_sessions_removes_its_set_ups_in_progress(stores: Stores) -> None:
    """A password change or reset, disabling or an administrator: a set-up begun before must
    not be confirmed after."""
    first, second = stores.open(), stores.open()
    hannah, jack = add(first), add(first, "jack")
    for account in (hannah, jack):
        first.start_totp_enrolment(account, owner=OWNER, secret=SECRET, created=T0, expires=LATER)
    first.end_sessions_of(hannah, keep=sha("this browser"))
    assert second.totp_enrolment(hannah) is None
    assert second.totp_enrolment(jack) is not None
    second.end_all_sessions()
    assert first.totp_enrolment(jack) is None


def test_no_more_than_the_limit_of_code_attempts_is_ever_claimed(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    hannah = add(first)
    hashed = pending(first, hannah, "token")
    claimed = [s.claim_pending_attempt(hashed, 3) for s in (first, second, first, second)]
    assert claimed == [1, 2, 3, 0]
    found = second.pending_sign_in(hashed)
    assert found is not None
    assert (found.attempts, found.ended) == (3, False)  # the caller ends it


# -- recovery codes ----------------------------------------------------------------------------


def test_a_recovery_code_is_used_once_by_its_own_account_only(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    hannah, jack = add(first), add(first, "jack")
    hashes = enrol(first, hannah)
    assert not first.use_recovery_code(jack, hashes[0], used=T0)  # not jack's
    assert first.use_recovery_code(hannah, hashes[0], used=T0)
    assert not second.use_recovery_code(hannah, hashes[0], used=LATER)  # never again
    assert not first.use_recovery_code(hannah, sha("never issued"), used=T0)
    assert second.recovery_codes_left(hannah) == 9
    with pytest.raises(StoreError):
        first.use_recovery_code(hannah, "ABCD-EFGH", used=T0)


# -- pending sign-ins --------------------------------------------------------------------------


def test_a_pending_sign_in_is_found_by_its_hash_with_everything_stored(
    store: AccountStore,
) -> None:
    hannah = add(store)
    hashed = pending(store, hannah, "token one")
    found = store.pending_sign_in(hashed)
    assert found is not None
    assert (found.account, found.csrf, found.created, found.expires) == (
        hannah,
        "csrf-token one",
        T0,
        LATER,
    )
    assert (found.attempts, found.ended) == (0, False)
    assert hashed not in repr(found)
    assert "csrf-token one" not in repr(found)
    assert store.pending_sign_in(sha("another token")) is None


def test_a_pending_sign_in_needs_a_hash_an_account_and_a_fresh_hash(store: AccountStore) -> None:
    hannah = add(store)
    with pytest.raises(StoreError):
        store.new_pending_sign_in(
            token_hash="raw-token", account=hannah, csrf="c", created=T0, expires=LATER
        )
    with pytest.raises(StoreError):
        pending(store, "A0099", "token")
    pending(store, hannah, "token")
    with pytest.raises(Duplicate):
        pending(store, hannah, "token")
    with pytest.raises(StoreError):
        store.pending_sign_in("not a hash")


def test_attempts_are_claimed_on_a_live_pending_sign_in_only(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    hannah = add(first)
    hashed = pending(first, hannah, "token")
    assert first.claim_pending_attempt(hashed, 5) == 1
    assert second.claim_pending_attempt(hashed, 5) == 2
    found = first.pending_sign_in(hashed)
    assert found is not None
    assert found.attempts == 2
    assert first.end_pending_sign_in(hashed)
    assert second.claim_pending_attempt(hashed, 5) == 0
    assert first.claim_pending_attempt(sha("unknown"), 5) == 0


def test_a_pending_sign_in_ends_once_for_every_worker(stores: Stores) -> None:
    first, second = stores.open(), stores.open()
    hannah = add(first)
    hashed = pending(first, hannah, "token")
    assert first.end_pending_sign_in(hashed)
    assert not second.end_pending_sign_in(hashed)  # only one worker completes it
    found = second.pending_sign_in(hashed)
    assert found is not None
    assert found.ended
    assert not first.end_pending_sign_in(sha("unknown"))


def test_ending_an_accounts_sessions_ends_its_pending_sign_ins_too(stores: Stores) -> None:
    """A password change, reset or disabling must not let a sign-in begun before it finish."""
    first, second = stores.open(), stores.open()
    hannah, jack = add(first), add(first, "jack@dustroad.example")
    hers, his = pending(first, hannah, "hers"), pending(first, jack, "his")
    first.end_sessions_of(hannah, keep=None)
    assert second.pending_sign_in(hers).ended  # type: ignore[union-attr]
    assert not second.pending_sign_in(his).ended  # type: ignore[union-attr]
    kept = pending(first, hannah, "after")
    first.end_sessions_of(hannah, keep=sha("this browser"))  # "end the others": account page
    assert second.pending_sign_in(kept).ended  # type: ignore[union-attr]
    second.end_all_sessions()
    assert first.pending_sign_in(his).ended  # type: ignore[union-attr]


def test_expired_pending_sign_ins_are_cleared_when_a_new_one_is_stored(
    store: AccountStore,
) -> None:
    hannah = add(store)
    old = pending(store, hannah, "old", at=T0)
    recent = pending(store, hannah, "recent", at=T0 + timedelta(minutes=3))
    pending(store, hannah, "new", at=T0 + timedelta(minutes=6))  # "old" expired at T0 + 5
    assert store.pending_sign_in(old) is None
    assert store.pending_sign_in(recent) is not None


def test_second_factor_data_is_shared_and_survives_a_reopen(stores: Stores) -> None:
    first = stores.open()
    hannah = add(first)
    hashes = enrol(first, hannah)
    hashed = pending(first, hannah, "token")
    first.claim_pending_attempt(hashed, 5)
    reopened = stores.reopen(first)
    totp = reopened.totp(hannah)
    assert totp is not None
    assert totp.secret == SECRET
    assert reopened.recovery_codes_left(hannah) == 10
    assert reopened.use_recovery_code(hannah, hashes[3], used=T0)
    found = reopened.pending_sign_in(hashed)
    assert found is not None
    assert found.attempts == 1


def test_second_factor_times_must_be_aware(store: AccountStore) -> None:
    hannah = add(store)
    naive = T0.replace(tzinfo=None)
    with pytest.raises(StoreError):
        store.start_totp_enrolment(hannah, owner=OWNER, secret=SECRET, created=naive, expires=LATER)
    with pytest.raises(StoreError):
        store.new_pending_sign_in(
            token_hash=sha("t"), account=hannah, csrf="c", created=naive, expires=LATER
        )
