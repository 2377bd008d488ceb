"""coldcheck account reset-password and coldcheck account sessions: what the node's operator
(the production's armorer or safety office) does for a person who forgot their password, and
after a device is lost or stolen.

- ``reset-password USERNAME``: after checking in person who is asking, a new temporary
  password (shown once, valid 72 hours, to be changed at the first sign-in); every session of
  the account ends (ASVS 6.4.3).
- ``sessions USERNAME``: the account's live sessions; ``--end-all`` ends them.
  ``sessions --end-everyone`` ends every session of every account (ASVS 7.4.5).

Each is recorded in the sign-in log (``password_reset``, ``sessions_ended``) with the client
``node: coldcheck account``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from coldcheck.app import sessions
from coldcheck.app.accounts import Accounts
from coldcheck.app.service import App
from coldcheck.cli.accounts import NODE, temporary_json, temporary_text
from coldcheck.cli.common import CliError, DbOpt, JsonOpt, Result, run_command, table
from coldcheck.domain.errors import NotFound
from coldcheck.store.sqlite_accounts import SqliteAccountStore


def register(account_app: typer.Typer) -> None:
    """Add these commands to ``coldcheck account``."""
    account_app.command("reset-password")(reset_password)
    account_app.command("sessions")(list_or_end_sessions)


def _accounts(app: App) -> Accounts:
    return Accounts(SqliteAccountStore(app.settings.db, create=True), clock=app.clock)


def reset_password(
    username: Annotated[str, typer.Argument(help="The account's sign-in name.")],
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """A forgotten password: check who is asking in person first. Sets a new temporary
    password, shown once and valid for 72 hours, which they change at their next sign-in;
    every session of the account ends. Recorded in the sign-in log."""

    def run(app: App) -> Result:
        service = _accounts(app)
        try:
            found = service.store.account_by_username(username.strip().casefold())
            if found is None:
                raise NotFound(f"There is no account {username!r}.", "Check the username.")
            ended = len(sessions.live(service, found.id))
            temporary = service.reset_password(found.id, client=NODE)
        finally:
            service.store.close()
        return Result(
            {"account": found.id, "username": found.username} | temporary_json(temporary),
            f"Password of {found.username} ({found.id}) reset; "
            f"{ended} session{'s' * (ended != 1)} ended.\n" + temporary_text(temporary),
        )

    run_command(db, json, run)


def list_or_end_sessions(
    username: Annotated[
        str | None, typer.Argument(help="The account's sign-in name.", show_default=False)
    ] = None,
    end_all: Annotated[
        bool, typer.Option("--end-all", help="End every session of this account.")
    ] = False,
    end_everyone: Annotated[
        bool,
        typer.Option(
            "--end-everyone",
            help="End every session of every account (a lost or stolen device, an incident).",
        ),
    ] = False,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """List an account's live sessions, or end them (--end-all), or end everyone's
    (--end-everyone, without a username). Endings are recorded in the sign-in log."""

    def check() -> None:
        if end_everyone and (username is not None or end_all):
            raise CliError("--end-everyone ends every account's sessions: give no username")
        if not end_everyone and username is None:
            raise CliError("give a username, or --end-everyone")

    def run(app: App) -> Result:
        service = _accounts(app)
        try:
            if end_everyone:
                ended = sessions.end_everyones(service, client=NODE)
                return Result(
                    {"sessions_ended": ended},
                    f"{ended} session{'s' * (ended != 1)} ended: everyone signs in again.",
                )
            found = service.store.account_by_username((username or "").strip().casefold())
            if found is None:
                raise NotFound(f"There is no account {username!r}.", "Check the username.")
            if end_all:
                ended = sessions.end_all_of(service, found.username, client=NODE)
                return Result(
                    {"account": found.id, "username": found.username, "sessions_ended": ended},
                    f"{ended} session{'s' * (ended != 1)} of {found.username} ended.",
                )
            live = sessions.live(service, found.id)
        finally:
            service.store.close()
        rows = [
            {
                "id": s.id,
                "signed_in": s.created.isoformat(),
                "last_seen": s.last_seen.isoformat(),
                "client": s.client,
                "browser": s.agent,
            }
            for s in live
        ]
        lines = [
            [r["id"], r["signed_in"][:16], r["last_seen"][:16], r["client"], r["browser"]]
            for r in rows
        ]
        text = (
            table(lines, ["SESSION", "SIGNED IN (UTC)", "LAST USED", "CLIENT", "BROWSER"])
            if rows
            else f"{found.username} has no live session."
        )
        return Result(rows, text)

    run_command(db, json, run, before=check)
