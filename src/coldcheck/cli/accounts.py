"""coldcheck account: web sign-in accounts, each acting as one person per production."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

from coldcheck.app import refs
from coldcheck.app.accounts import Accounts
from coldcheck.app.service import App
from coldcheck.cli.common import CliError, DbOpt, JsonOpt, ProdOpt, Result, run_command, table
from coldcheck.store.sqlite_accounts import SqliteAccountStore

account_app = typer.Typer(
    help="Web sign-in accounts: each acts as one person of a production.", no_args_is_help=True
)


def _accounts(app: App) -> Accounts:
    return Accounts(SqliteAccountStore(app.settings.db, create=True), clock=app.clock)


def _password() -> str:
    """$COLDCHECK_PASSWORD (scripts), else asked twice; never a command-line argument."""
    given = os.environ.get("COLDCHECK_PASSWORD")
    if given is not None:
        return given
    try:
        first = getpass.getpass("New password (12 characters or more): ")
        second = getpass.getpass("The same again: ")
    except (EOFError, KeyboardInterrupt):
        raise CliError("a password is needed: type it, or set $COLDCHECK_PASSWORD") from None
    if first != second:
        raise CliError("the two passwords differ; nothing was changed")
    return first


@account_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="The sign-in name (e.g. an email address).")],
    name: Annotated[str, typer.Option(help="The person's name as shown.")],
    person: Annotated[
        str | None, typer.Option(help="Link to this person (id or name) of the production.")
    ] = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Create an account (password from $COLDCHECK_PASSWORD or asked twice) and, with
    --person, let it act as that person of the production."""

    def run(app: App) -> Result:
        service = _accounts(app)
        try:
            account = service.create_account(username, name, _password())
            linked = ""
            if person is not None:
                prod = app.production(production)
                pid = refs.person(app.state(prod), person)
                service.link(account.id, prod, pid)
                linked = f", acting as {pid} in {prod}"
        finally:
            service.store.close()
        return Result(
            {"account": account.id, "username": account.username},
            f"Account {account.id} ({account.username}) created{linked}.",
        )

    run_command(db, json, run)


@account_app.command("link")
def link(
    username: Annotated[str, typer.Argument(help="The account's sign-in name.")],
    person: Annotated[str, typer.Option(help="The person (id or name) it acts as.")],
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Let an account act as a person of a production (one person per production)."""

    def run(app: App) -> Result:
        service = _accounts(app)
        try:
            found = service.store.account_by_username(username.strip().casefold())
            if found is None:
                raise CliError(f"there is no account {username!r}; add it first")
            prod = app.production(production)
            pid = refs.person(app.state(prod), person)
            service.link(found.id, prod, pid)
        finally:
            service.store.close()
        return Result(
            {"account": found.id, "production": prod, "person": pid},
            f"{found.username} now acts as {pid} in {prod}.",
        )

    run_command(db, json, run)


@account_app.command("events")
def events(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """The sign-in log: sign-ins, failures, lock-outs, sign-outs, expiries."""

    def run(app: App) -> Result:
        store = SqliteAccountStore(app.settings.db, create=True)
        try:
            rows = [
                {
                    "time": e.time.isoformat(),
                    "kind": e.kind.value,
                    "username": e.username,
                    "account": e.account,
                    "client": e.client,
                }
                for e in store.events(limit)
            ]
        finally:
            store.close()
        lines = [
            [str(r["time"])[:19], str(r["kind"]), str(r["username"]), str(r["client"])]
            for r in rows
        ]
        return Result(rows, table(lines, ["TIME (UTC)", "EVENT", "USERNAME", "CLIENT"]))

    run_command(db, json, run)
