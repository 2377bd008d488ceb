"""The ``coldcheck`` command: one Typer app; each noun's commands live in their own module."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from json import dumps
from typing import Annotated, Any

import typer

from coldcheck import __version__
from coldcheck.app import demo as demo_data
from coldcheck.app import handlers
from coldcheck.app.accounts import Accounts
from coldcheck.app.service import App
from coldcheck.cli import account_admin, custody, incidents, protocol, records, rounds
from coldcheck.cli import accounts as accounts_cli
from coldcheck.cli import scenario as scenario_cli
from coldcheck.cli import web as web_cli
from coldcheck.cli.ammunition import ammo_app
from coldcheck.cli.armoury import firearm_app, store_app
from coldcheck.cli.common import (
    CliError,
    DbOpt,
    JsonOpt,
    NewPinFileOpt,
    Result,
    read_pin,
    run_command,
    written,
)
from coldcheck.cli.custody import custody_app
from coldcheck.cli.custody import inspect as custody_inspect
from coldcheck.cli.people import (
    PermitAuthority,
    PermitExpires,
    PermitNumber,
    RoleOpt,
    parse_permit,
    parse_roles,
    people_app,
)
from coldcheck.domain.values import Role
from coldcheck.store.sqlite_accounts import SqliteAccountStore

app = typer.Typer(
    name="coldcheck",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="Provable prop-firearm safety on set: custody, checks and a tamper-evident record.",
)
app.add_typer(people_app, name="person")
app.add_typer(firearm_app, name="firearm")
app.add_typer(store_app, name="store")
app.add_typer(custody_app, name="custody")
app.add_typer(ammo_app, name="ammo")
app.add_typer(records.proof_app, name="proof")
app.add_typer(scenario_cli.app, name="scenario")
app.command("status")(records.status)
app.command("inspect")(custody_inspect)
app.command("witness")(custody.witness)
app.command("announce")(custody.announce)
app.command("log")(records.log)
app.command("verify")(records.verify)
app.command("checkpoint")(records.checkpoint)
app.command("alerts")(records.alerts)
app.add_typer(protocol.day_app, name="day")
app.add_typer(protocol.training_app, name="training")
app.add_typer(protocol.plan_app, name="plan")
app.add_typer(protocol.meeting_app, name="meeting")
app.command("call")(protocol.call)
app.command("cut")(protocol.cut)
app.command("load")(rounds.load)
app.command("unload")(rounds.unload)
app.command("discharge")(rounds.discharge)
app.add_typer(rounds.misfire_app, name="misfire")
app.command("reconcile")(rounds.reconcile)
app.add_typer(incidents.incident_app, name="incident")
app.add_typer(incidents.concern_app, name="concern")
app.add_typer(incidents.work_app, name="work")
app.add_typer(protocol.setting_app, name="setting")
app.add_typer(protocol.waiver_app, name="waiver")
app.add_typer(protocol.range_app, name="range")
account_admin.register(accounts_cli.account_app)
app.add_typer(accounts_cli.account_app, name="account")
app.command("serve")(web_cli.serve)


@app.command("init")
def init(
    production: Annotated[str, typer.Option(help="Short id, e.g. dust-road.")],
    name: Annotated[str, typer.Option(help="Title of the production.")],
    founder: Annotated[str, typer.Option(help="Your full name.")],
    role: RoleOpt,
    head_armorer: Annotated[bool, typer.Option(help="You are the head armorer.")] = False,
    permit_number: PermitNumber = None,
    permit_authority: PermitAuthority = None,
    permit_expires: PermitExpires = None,
    new_pin_file: NewPinFileOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Create a production's ledger on this node; you become its first person (P01)."""
    from coldcheck.app import ledgerops
    from coldcheck.domain.values import pin as valid_pin
    from coldcheck.domain.values import text
    from coldcheck.ledger.entry import check_id
    from coldcheck.ledger.errors import EncodingError

    given: dict[str, Any] = {}

    def check() -> None:
        """Everything is checked before the store and the node key are created."""
        try:
            check_id("production", production)
        except EncodingError as exc:
            raise CliError(str(exc)) from exc
        roles = parse_roles(role)
        if not roles & {Role.PRODUCER, Role.ARMORER, Role.SAFETY_ADVISOR}:
            raise CliError("the founder must be the producer, safety advisor or head armorer")
        if head_armorer and Role.ARMORER not in roles:
            raise CliError("only an armorer can be the head armorer: add --role armorer")
        text(name, "production name")
        text(founder, "name")
        given["roles"] = roles
        given["permit"] = parse_permit(permit_number, permit_authority, permit_expires)
        given["pin"] = valid_pin(
            read_pin(new_pin_file, env="COLDCHECK_NEW_PIN", prompt="Your new PIN", confirm=True)
        )

    def run(application: App) -> Result:
        done = handlers.init(
            application,
            production,
            name,
            founder,
            given["roles"],
            given["pin"],
            head_armorer=head_armorer,
            permit=given["permit"],
        )
        ledgerops.checkpoint(application, production)
        return written(done, f"Opened {name} ({production}); you are P01")

    run_command(db, json, run, create=True, before=check)


@app.command("demo")
def demo(db: DbOpt = None, json: JsonOpt = False) -> None:
    """Seed the demo Western "Dust Road" (once) and show where every firearm is."""

    def run(application: App) -> Result:
        created = demo_data.PRODUCTION not in application.store.productions()
        if created:
            demo_data.seed(
                application,
                datetime.now(UTC).date(),
                progress=lambda step: typer.echo(f"... {step}", err=True),
            )
        service = Accounts(
            SqliteAccountStore(application.settings.db, create=True), clock=application.clock
        )
        try:
            signins = demo_data.seed_accounts(application, service)
        finally:
            service.store.close()
        state = application.state(demo_data.PRODUCTION)
        note = (
            f"Seeded the demo production {state.name}: {len(state.people)} people, "
            f"{len(state.firearms)} firearms, {len(state.stores)} stores, "
            f"{state.seq} ledger entries."
            if created
            else f"The demo production {state.name} is already here ({state.seq} entries)."
        )
        return Result(
            {
                "created": created,
                "production": demo_data.PRODUCTION,
                "entries": state.seq,
                "demo_pin": demo_data.DEMO_PIN,
                "demo_password": demo_data.DEMO_PASSWORD,
                "accounts": [{"username": u, "name": n, "roles": r} for u, n, r in signins],
            },
            f"{note}\nDemo PIN for every demo person: {demo_data.DEMO_PIN}\n"
            f"Web sign-in: username = first name in lower case (hannah: head armorer, dana: "
            f"1st AD, jack: talent, ruth: safety advisor, ...), password "
            f"'{demo_data.DEMO_PASSWORD}'",
        )

    run_command(db, json, run, create=True)


@app.command("rules")
def rules(
    enforced: Annotated[bool, typer.Option(help="Only the rules enforced now.")] = False,
    markdown: Annotated[bool, typer.Option(help="Print docs/protocol.md.")] = False,
    json: JsonOpt = False,
) -> None:
    """The rule catalogue: every R-id, its statement, treatment and whether it is enforced."""
    from coldcheck.app import catalogue

    if markdown:
        typer.echo(catalogue.protocol_markdown(), nl=False)
        return
    rows = catalogue.rows(enforced_only=enforced)
    if json:
        typer.echo(dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        mark = f"{row['status']:<8}"
        typer.echo(f"{row['id']}  {mark}  {'/'.join(row['treatments']):<20} {row['statement']}")


@app.command("version")
def version() -> None:
    """Print coldcheck's version."""
    typer.echo(__version__)


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("coldcheck: interrupted; nothing more was written.", err=True)
        sys.exit(130)
