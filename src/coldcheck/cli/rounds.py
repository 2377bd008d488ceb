"""coldcheck load, unload, discharge, misfire, reconcile: rounds in and out of a firearm."""

from __future__ import annotations

from typing import Annotated

import typer

from coldcheck.app import handlers
from coldcheck.app.service import App
from coldcheck.cli.common import (
    ByOpt,
    DbOpt,
    JsonOpt,
    PinFileOpt,
    ProdOpt,
    Result,
    run_command,
    your_pin,
)
from coldcheck.cli.incidents import outcome

misfire_app = typer.Typer(
    help="Misfires: record at once, clear after the wait (R-42).", no_args_is_help=True
)
FirearmArg = Annotated[str, typer.Argument(help="Firearm: id (F01) or serial.")]


def load(
    firearm: FirearmArg,
    by: ByOpt,
    lot: Annotated[str, typer.Option(help="Ammunition lot, e.g. A01.")],
    count: Annotated[int, typer.Option(help="Rounds loaded.")],
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Armorer: load rounds from a lot (R-26). Signed with your PIN.

    Only after the 1st AD's call (R-27), and only what the approved plan allows (R-09)."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.load(app, app.production(production), by, firearm, lot, count, pin=pin)
        p = done.events[0].payload()
        return outcome(
            done,
            f"Loaded {p['count']} from {p['lot']} into {p['firearm']}; now inspect it "
            "(coldcheck inspect) and show it to the 1st AD and the talent",
        )

    run_command(db, json, run)


def unload(
    firearm: FirearmArg,
    by: ByOpt,
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Armorer: unload every round and spent case. Signed with your PIN.

    Unfired rounds go back to their lots; then count them (coldcheck reconcile)."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.unload(app, app.production(production), by, firearm, pin=pin)
        p = done.events[0].payload()
        back = ", ".join(p["rounds"]) or "no unfired rounds"
        return outcome(
            done,
            f"{p['firearm']} unloaded: {back} back to lot, {p['spent']} spent case(s) out; "
            "now count it (coldcheck reconcile)",
        )

    run_command(db, json, run)


def discharge(
    firearm: FirearmArg,
    by: ByOpt,
    count: Annotated[int, typer.Option(help="Shots fired.")],
    note: Annotated[str, typer.Option(help="Anything to add.")] = "",
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Record shots fired. Always recorded.

    A shot outside the plan opens an incident and stops firearms work (R-51)."""

    def run(app: App) -> Result:
        done = handlers.discharge(app, app.production(production), by, firearm, count, note)
        p = done.events[0].payload()
        kind = "as planned" if p["planned"] else "UNPLANNED"
        return outcome(done, f"{p['count']} shot(s) from {p['firearm']} recorded, {kind}")

    run_command(db, json, run)


@misfire_app.command("record")
def record_misfire(
    firearm: FirearmArg,
    by: ByOpt,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """A round failed to fire: record it at once. Keep the muzzle safe and wait (R-42)."""

    def run(app: App) -> Result:
        prod = app.production(production)
        done = handlers.misfire(app, prod, by, firearm)
        fid = done.events[0].payload()["firearm"]
        wait = app.state(prod).setting("misfire_wait_seconds")
        return outcome(
            done,
            f"MISFIRE of {fid} recorded: muzzle safe, wait {wait} s; the armorer then clears "
            "it (coldcheck misfire clear)",
        )

    run_command(db, json, run)


@misfire_app.command("clear")
def clear_misfire(
    firearm: FirearmArg,
    by: ByOpt,
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Armorer: clear a misfire after the wait, signed with your PIN (R-25, R-42)."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.clear_misfire(app, app.production(production), by, firearm, pin=pin)
        p = done.events[0].payload()
        return outcome(done, f"Misfire of {p['firearm']} cleared; the round from {p['lot']} is out")

    run_command(db, json, run)


def reconcile(
    firearm: FirearmArg,
    by: ByOpt,
    fired: Annotated[int, typer.Option(help="Rounds fired, counted as spent cases.")],
    returned: Annotated[int, typer.Option(help="Unfired rounds back in their lot.")],
    misfired: Annotated[int, typer.Option(help="Misfired rounds set aside.")],
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Armorer: count what came back after the take (R-09). Signed with your PIN.

    A count that does not balance opens an incident."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.reconcile(
            app,
            app.production(production),
            by,
            firearm,
            fired=fired,
            returned=returned,
            misfired=misfired,
            pin=pin,
        )
        p = done.events[0].payload()
        verdict = "balances" if p["balanced"] else "DOES NOT BALANCE"
        return outcome(
            done,
            f"{p['firearm']}: {p['issued']} issued; counted {p['fired']} fired, "
            f"{p['returned']} returned, {p['misfired']} misfired: the count {verdict}",
        )

    run_command(db, json, run)
