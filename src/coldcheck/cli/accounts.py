"""coldcheck account: web sign-in accounts, each acting as one person per production."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

from coldcheck.app import refs
from coldcheck.app.accounts import Accounts
from coldcheck.app.service import App
from coldcheck.app.temporary import TemporaryPassword
from coldcheck.app.twostep import MfaPolicy, TwoStep
from coldcheck.cli.common import CliError, DbOpt, JsonOpt, ProdOpt, Result, run_command, table
from coldcheck.domain.errors import Refusal
from coldcheck.store.sqlite_accounts import SqliteAccountStore

account_app = typer.Typer(
    help="Web sign-in accounts: each acts as one person of a production.", no_args_is_help=True
)


def _accounts(app: App) -> Accounts:
    return Accounts(SqliteAccountStore(app.settings.db, create=True), clock=app.clock)


def _password(ask: bool = True) -> str | None:
    """$COLDCHECK_PASSWORD (scripts), else asked twice (``ask``), else None (the system
    generates a temporary one); never a command-line argument."""
    given = os.environ.get("COLDCHECK_PASSWORD")
    if given is not None:
        return given
    if not ask:
        return None
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
    ask_password: Annotated[
        bool,
        typer.Option(
            "--ask-password",
            help="Ask for the password (twice) instead of generating a temporary one: for a "
            "person at the node who types their own.",
        ),
    ] = False,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Create an account and, with --person, let it act as that person of the production.

    The password: $COLDCHECK_PASSWORD if set (scripts), else asked twice with --ask-password,
    else a temporary one generated and shown once, valid for 72 hours, which the person must
    change at the first sign-in (hand it over in person)."""

    def run(app: App) -> Result:
        chosen = _password(ask=ask_password)
        service = _accounts(app)
        try:
            target = None
            if person is not None:  # a wrong person is refused before anything is created
                prod = app.production(production)
                target = (prod, refs.person(app.state(prod), person))
            temporary = None
            if chosen is None:
                account, temporary = service.invite(username, name, client=NODE)
            else:
                account = service.create_account(username, name, chosen, client=NODE)
            linked = _link(service, account.id, target, temporary)
        finally:
            service.store.close()
        data: dict[str, object] = {"account": account.id, "username": account.username}
        text = f"Account {account.id} ({account.username}) created{linked}."
        if temporary is not None:
            data |= temporary_json(temporary)
            text += "\n" + temporary_text(temporary)
        return Result(data, text)

    run_command(db, json, run)


def _link(
    service: Accounts,
    account: str,
    target: tuple[str, str] | None,
    temporary: TemporaryPassword | None,
) -> str:
    """Link a new account to its person; if that is refused, say so without losing the
    temporary password, which is shown only once."""
    if target is None:
        return ""
    try:
        service.link(account, *target)
    except Refusal as refusal:
        shown = f" Its temporary password: {temporary.password}" if temporary else ""
        raise CliError(
            f"account {account} was created but not linked: {refusal.line()}{shown}"
        ) from None
    return f", acting as {target[1]} in {target[0]}"


def temporary_json(temporary: TemporaryPassword) -> dict[str, object]:
    return {
        "temporary_password": temporary.password,
        "temporary_until": temporary.expires.isoformat(),
        "must_change_password": True,
    }


def temporary_text(temporary: TemporaryPassword) -> str:
    """How a generated password is shown: once, with when it stops working."""
    return (
        f"Temporary password (shown only this once): {temporary.password}\n"
        f"It works until {temporary.expires:%H:%M} UTC on {temporary.expires:%d %b %Y} and must "
        "be changed at the first sign-in. Hand it over in person; never by email or chat."
    )


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


# -- two-step sign-in: what an administrator on the node sees and does -------------------------

NODE = "node: coldcheck account"  # the "client" of events recorded from the command line


@account_app.command("show")
def show(
    username: Annotated[str, typer.Argument(help="The account's sign-in name.")],
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """One account: its name, whom it acts as, and whether two-step sign-in is set up (never
    the secret)."""

    def run(app: App) -> Result:
        service = _accounts(app)
        try:
            two = TwoStep(service, MfaPolicy.REQUIRED)
            found = two.account(username)
            status = two.status(found.id)
            acts = service.store.memberships(found.id)
        finally:
            service.store.close()
        data = {
            "account": found.id,
            "username": found.username,
            "name": found.display_name,
            "created": found.created.isoformat(),
            "disabled": found.disabled,
            "acts_as": [{"production": m.production, "person": m.person} for m in acts],
            "two_step": {
                "enrolled": status.enrolled.isoformat() if status.enrolled else None,
                "recovery_codes_left": status.recovery_codes_left,
            },
        }
        two_step = (
            f"on since {status.enrolled:%Y-%m-%d %H:%M} UTC, "
            f"{status.recovery_codes_left} recovery codes left"
            if status.enrolled
            else "not set up (asked for at the next sign-in where the node requires it)"
        )
        lines = [
            f"{found.id} {found.username} ({found.display_name})"
            + (" DISABLED" if found.disabled else ""),
            f"acts as: {', '.join(f'{m.person} in {m.production}' for m in acts) or 'nobody yet'}",
            f"two-step sign-in: {two_step}",
        ]
        return Result(data, "\n".join(lines))

    run_command(db, json, run)


@account_app.command("mfa-reset")
def mfa_reset(
    username: Annotated[str, typer.Argument(help="The account's sign-in name.")],
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """A lost phone: remove the account's authenticator app and recovery codes and end all its
    sessions. They set up a new app at their next sign-in. Recorded in the sign-in log."""

    def run(app: App) -> Result:
        service = _accounts(app)
        try:
            done = TwoStep(service, MfaPolicy.REQUIRED).reset(username, client=NODE)
        finally:
            service.store.close()
        name = done.account.username
        ended = f"{done.sessions_ended} session{'s' * (done.sessions_ended != 1)} ended"
        text = (
            f"Two-step sign-in of {name} removed (app and recovery codes); {ended}. "
            "They set up a new app at their next sign-in."
            if done.had_app
            else f"{name} had no authenticator app set up; {ended}."
        )
        return Result(
            {
                "account": done.account.id,
                "username": name,
                "had_app": done.had_app,
                "sessions_ended": done.sessions_ended,
            },
            text,
        )

    run_command(db, json, run)
