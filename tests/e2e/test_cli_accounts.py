"""coldcheck account add, reset-password and sessions, as the node's operator uses them:
generated temporary passwords shown once, resets that end sessions, and ending one account's or
everyone's sessions, each in the sign-in log (docs/security.md 6.4.1, 6.4.3, 7.4.5)."""

from __future__ import annotations

import getpass
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coldcheck.app.accounts import Accounts
from coldcheck.app.demo import DEMO_PASSWORD
from coldcheck.cli.main import app
from coldcheck.domain.errors import NotAuthorised
from coldcheck.store.accounts import AuthEventKind
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from tests.e2e.test_cli import ok, production

PASSWORD = "saddle brass lantern"
TEMPORARY = re.compile(r"\b[a-hj-km-np-z]{4}(?:-[a-hj-km-np-z]{4}){3}\b")
NODE = "node: coldcheck account"


@pytest.fixture
def store(cli: CliRunner) -> Iterator[Accounts]:
    """Dust Road (hannah's account, on her own password) and the accounts service on it."""
    production(cli)
    ok(cli, "account", "add", "hannah", "--name", "Hannah Reed", "--person", "P01",
       env={"COLDCHECK_PASSWORD": PASSWORD})  # fmt: skip
    service = Accounts(SqliteAccountStore(Path(os.environ["COLDCHECK_DB"])))
    yield service
    service.store.close()


def fails(cli: CliRunner, *args: str, code: int, env: dict[str, str] | None = None) -> str:
    result = cli.invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.stderr + result.stdout


def test_account_add_without_a_password_shows_a_temporary_one_once(
    cli: CliRunner, store: Accounts
) -> None:
    out = ok(cli, "account", "add", "jack", "--name", "Jack Colt", "--person", "Jack Colt")

    found = TEMPORARY.search(out)
    assert found, out
    assert "shown only this once" in out
    assert "must be changed at the first sign-in" in out
    assert "acting as P02 in dust-road" in out
    session = store.sign_in("jack", found.group(0), client="192.0.2.7")
    active = store.resolve(session.token)
    assert active is not None
    assert active.must_change_password
    created = store.store.events(5)
    assert (created[1].kind, created[1].client) == (AuthEventKind.ACCOUNT_CREATED, NODE)


def test_account_add_json_carries_the_temporary_password_and_its_expiry(
    cli: CliRunner, store: Accounts
) -> None:
    out = json.loads(ok(cli, "account", "add", "jack", "--name", "Jack Colt", "--json"))

    assert TEMPORARY.fullmatch(out["temporary_password"])
    assert out["must_change_password"] is True
    account = store.store.account_by_username("jack")
    assert account is not None
    assert account.temporary_until is not None
    assert out["temporary_until"] == account.temporary_until.isoformat()
    assert (account.temporary_until - account.created).total_seconds() == 72 * 3600


def test_account_add_keeps_a_password_given_by_a_script_as_the_persons_own(
    cli: CliRunner, store: Accounts
) -> None:
    out = ok(cli, "account", "add", "jack", "--name", "Jack Colt",
             env={"COLDCHECK_PASSWORD": "marble kettle orbit lantern"})  # fmt: skip

    assert "emporary" not in out
    active = store.resolve(store.sign_in("jack", "marble kettle orbit lantern", client="x").token)
    assert active is not None
    assert not active.must_change_password


def test_account_add_asks_for_the_password_when_told_to(
    cli: CliRunner, store: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = iter(["marble kettle orbit lantern"] * 2)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(typed))

    out = ok(cli, "account", "add", "jack", "--name", "Jack Colt", "--ask-password")

    assert "emporary" not in out
    assert store.sign_in("jack", "marble kettle orbit lantern", client="x")


def test_account_add_refuses_a_breached_password_and_creates_nothing(
    cli: CliRunner, store: Accounts
) -> None:
    out = fails(cli, "account", "add", "jack", "--name", "Jack Colt", code=2,
                env={"COLDCHECK_PASSWORD": "FinalFantasy#2024"})  # fmt: skip

    assert "leaked in data breaches" in out
    assert store.store.account_by_username("jack") is None


def test_account_add_refuses_an_unknown_person_before_creating_anything(
    cli: CliRunner, store: Accounts
) -> None:
    out = fails(cli, "account", "add", "jack", "--name", "Jack Colt", "--person", "P77", code=4)

    assert "P77" in out
    assert store.store.account_by_username("jack") is None


def test_reset_password_sets_a_temporary_one_and_ends_every_session(
    cli: CliRunner, store: Accounts
) -> None:
    sessions = [store.sign_in("hannah", PASSWORD, client="192.0.2.7") for _ in range(2)]

    out = ok(cli, "account", "reset-password", "Hannah")

    found = TEMPORARY.search(out)
    assert found, out
    assert "2 sessions ended" in out
    assert [store.resolve(s.token) for s in sessions] == [None, None]
    with pytest.raises(NotAuthorised, match="not correct"):
        store.sign_in("hannah", PASSWORD, client="192.0.2.7")
    again = store.resolve(store.sign_in("hannah", found.group(0), client="192.0.2.7").token)
    assert again is not None
    assert again.must_change_password
    reset = [e for e in store.store.events() if e.kind is AuthEventKind.PASSWORD_RESET]
    assert [(e.username, e.client) for e in reset] == [("hannah", NODE)]


def test_reset_password_of_an_unknown_account_is_not_found(cli: CliRunner, store: Accounts) -> None:
    assert "no account 'zed'" in fails(cli, "account", "reset-password", "zed", code=4)


def test_sessions_lists_an_accounts_live_sessions(cli: CliRunner, store: Accounts) -> None:
    store.sign_in("hannah", PASSWORD, client="192.0.2.7", agent="Chrome on Android")
    store.sign_in("hannah", PASSWORD, client="198.51.100.4", agent="Firefox on Linux")

    rows = json.loads(ok(cli, "account", "sessions", "hannah", "--json"))
    text = ok(cli, "account", "sessions", "hannah")

    assert sorted((r["client"], r["browser"]) for r in rows) == [
        ("192.0.2.7", "Chrome on Android"),
        ("198.51.100.4", "Firefox on Linux"),
    ]
    assert all(re.fullmatch(r"[0-9a-f]{16}", r["id"]) for r in rows)
    assert "SESSION" in text
    assert "Firefox on Linux" in text
    assert all(r["id"] in text for r in rows)


def test_sessions_end_all_ends_one_accounts_sessions(cli: CliRunner, store: Accounts) -> None:
    hers = [store.sign_in("hannah", PASSWORD, client="x") for _ in range(2)]
    ok(cli, "account", "add", "jack", "--name", "Jack Colt", env={"COLDCHECK_PASSWORD": PASSWORD})
    his = store.sign_in("jack", PASSWORD, client="x")

    out = json.loads(ok(cli, "account", "sessions", "hannah", "--end-all", "--json"))

    assert out["sessions_ended"] == 2
    assert [store.resolve(s.token) for s in hers] == [None, None]
    assert store.resolve(his.token) is not None
    assert "hannah has no live session." in ok(cli, "account", "sessions", "hannah")
    last = store.store.events(1)[0]
    assert (last.kind, last.username, last.client) == (
        AuthEventKind.SESSIONS_ENDED,
        "hannah",
        NODE,
    )


def test_sessions_end_everyone_ends_every_accounts_sessions(
    cli: CliRunner, store: Accounts
) -> None:
    ok(cli, "account", "add", "jack", "--name", "Jack Colt", env={"COLDCHECK_PASSWORD": PASSWORD})
    live = [store.sign_in(u, PASSWORD, client="x") for u in ("hannah", "jack", "jack")]

    out = ok(cli, "account", "sessions", "--end-everyone")

    assert "3 sessions ended: everyone signs in again." in out
    assert [store.resolve(s.token) for s in live] == [None, None, None]
    last = store.store.events(1)[0]
    assert (last.kind, last.username, last.account) == (AuthEventKind.SESSIONS_ENDED, "*", None)
    logged = ok(cli, "account", "events", "--limit", "1")
    assert "sessions_ended" in logged


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("account", "sessions"), id="no-username"),
        pytest.param(("account", "sessions", "hannah", "--end-everyone"), id="both"),
        pytest.param(("account", "sessions", "--end-all"), id="end-all-of-nobody"),
    ],
)
def test_sessions_says_what_it_needs(
    cli: CliRunner, store: Accounts, args: tuple[str, ...]
) -> None:
    live = store.sign_in("hannah", PASSWORD, client="x")

    out = fails(cli, *args, code=2)

    assert "username" in out
    assert store.resolve(live.token) is not None


def test_the_demo_accounts_sign_in_without_being_made_to_change_their_password(
    cli: CliRunner,
) -> None:
    ok(cli, "demo", "--json")
    service = Accounts(SqliteAccountStore(Path(os.environ["COLDCHECK_DB"])))
    try:
        session = service.sign_in("dana", DEMO_PASSWORD, client="192.0.2.7")
        active = service.resolve(session.token)
    finally:
        service.store.close()

    assert active is not None
    assert not active.must_change_password
