"""coldcheck custody ...: take, hand-off, accept, cancel, return; reports of reality."""

from __future__ import annotations

from typing import Annotated

import typer

from coldcheck.app import handlers, queries, refs
from coldcheck.app.service import App
from coldcheck.cli.common import (
    ByOpt,
    CliError,
    DbOpt,
    JsonOpt,
    PinFileOpt,
    ProdOpt,
    Result,
    run_command,
    written,
    your_pin,
)
from coldcheck.cli.incidents import outcome

custody_app = typer.Typer(help="The chain of custody.", no_args_is_help=True)
FirearmArg = Annotated[str, typer.Argument(help="Firearm: id (F01) or serial.")]
HandoffArg = Annotated[str, typer.Argument(help="Hand-off id (H0001) or the firearm's id.")]


@custody_app.command("take")
def take(
    firearm: FirearmArg,
    by: ByOpt,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """The armorer takes a firearm out of its (unlocked) store."""

    def run(app: App) -> Result:
        return written(
            handlers.take(app, app.production(production), by, firearm), f"{firearm} taken out"
        )

    run_command(db, json, run)


@custody_app.command("return")
def put_back(
    firearm: FirearmArg,
    by: ByOpt,
    store: Annotated[str, typer.Option(help="Store: id or name.")],
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """The armorer puts a firearm they hold into a store."""

    def run(app: App) -> Result:
        return written(
            handlers.put_back(app, app.production(production), by, firearm, store),
            f"{firearm} put into {store}",
        )

    run_command(db, json, run)


@custody_app.command("hand-off")
def hand_off(
    firearm: FirearmArg,
    by: ByOpt,
    to: Annotated[str, typer.Option("--to", help="Receiver: id or name.")],
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Offer a firearm you hold to someone (signed with your PIN); you hold it until they
    accept."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        prod = app.production(production)
        done = handlers.hand_off(app, prod, by, firearm, to, pin)
        offered = done.events[0].payload()
        receiver = app.state(prod).people[offered["receiver"]].name
        return written(
            done,
            f"Hand-off {offered['handoff']} of {offered['firearm']} offered to {receiver}; "
            "it moves when they accept",
        )

    run_command(db, json, run)


@custody_app.command("accept")
def accept(
    handoff: HandoffArg,
    by: ByOpt,
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Accept a hand-off offered to you, with your PIN: you now hold the firearm."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.accept(app, app.production(production), by, handoff, pin)
        payload = done.events[0].payload()
        return written(done, f"{payload['firearm']} accepted: you hold it now")

    run_command(db, json, run)


@custody_app.command("cancel")
def cancel(
    handoff: HandoffArg,
    by: ByOpt,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Cancel (or decline) a hand-off; the firearm stays where it was."""

    def run(app: App) -> Result:
        done = handlers.cancel(app, app.production(production), by, handoff)
        return written(done, f"Hand-off {done.events[0].payload()['handoff']} cancelled")

    run_command(db, json, run)


def inspect(
    firearm: FirearmArg,
    by: ByOpt,
    positions: Annotated[
        str | None,
        typer.Option(
            help="What each position holds, in order, comma-separated: empty, spent, unknown, "
            "live, dummy:LOT, blank:LOT (e.g. a six-shot cylinder: "
            "empty,empty,empty,empty,empty,empty). A live round opens an incident at once."
        ),
    ] = None,
    all_empty: Annotated[bool, typer.Option(help="Every position is empty.")] = False,
    barrel: Annotated[str, typer.Option(help="clear or obstructed")] = "clear",
    phase: Annotated[str, typer.Option(help="pre_use or post_use")] = "pre_use",
    post_use: Annotated[
        bool, typer.Option("--post-use", help="After use (same as --phase post_use).")
    ] = False,
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """The armorer's inspection of every position and the barrel (R-19, R-22), signed with
    their PIN; coldcheck derives the load state from it."""

    def run(app: App) -> Result:
        stage = "post_use" if post_use else phase
        if barrel not in ("clear", "obstructed") or stage not in ("pre_use", "post_use"):
            raise CliError("--barrel is clear or obstructed; --phase is pre_use or post_use")
        prod = app.production(production)
        if all_empty == (positions is not None):
            raise CliError("give either --positions or --all-empty")
        if all_empty:
            count = app.state(prod).firearms[refs.firearm(app.state(prod), firearm)].capacity
            listed = ("empty",) * count.positions
        else:
            listed = tuple(p for p in (positions or "").split(",") if p.strip())
        pin = your_pin(pin_file)
        done = handlers.inspect(
            app,
            prod,
            by,
            firearm,
            positions=listed,
            barrel_clear=barrel == "clear",
            phase=stage,
            pin=pin,
        )
        row = next(
            r
            for r in queries.status(app.state(prod))
            if r["firearm"] == done.events[0].payload()["firearm"]
        )
        return outcome(done, f"{row['firearm']} inspected: {row['load_state']['text']}")

    run_command(db, json, run)


def witness(
    firearm: FirearmArg,
    by: ByOpt,
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """1st AD or talent: attest, with your PIN, the check the armorer showed you (R-20, R-21)."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.witness(app, app.production(production), by, firearm, pin)
        payload = done.events[0].payload()
        return written(done, f"You attest {payload['firearm']} was shown {payload['shown']}")

    run_command(db, json, run)


def announce(
    firearm: FirearmArg,
    by: ByOpt,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
    pin_file: PinFileOpt = None,
) -> None:
    """1st AD: announce the firearm's verified state; refused without a valid check (R-29).
    Signed with your PIN."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.announce(app, app.production(production), by, firearm, pin=pin)
        result = written(done, "")
        return Result(result.data, str(done.events[0].payload()["text"]))

    run_command(db, json, run)


@custody_app.command("report")
def report(
    firearm: FirearmArg,
    by: ByOpt,
    person: Annotated[str | None, typer.Option(help="Found with this person: id or name.")] = None,
    store: Annotated[str | None, typer.Option(help="Found in this store: id or name.")] = None,
    note: Annotated[str, typer.Option(help="Where and how it was found.")] = "",
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Anyone: record where a firearm really is. Always recorded.

    Recorded even when it breaks the protocol; a wrong holder raises an alarm (R-13)."""

    def run(app: App) -> Result:
        if (person is None) == (store is None):
            raise CliError("say where it is: give --person or --store (one of them)")
        prod = app.production(production)
        done = handlers.report_custody(
            app, prod, by, firearm, person=person or "", store=store or "", note=note
        )
        found = done.events[0].payload()
        fid = found["firearm"]
        state = app.state(prod)
        where = (
            f"with {state.people[found['person']].name}"
            if found["person"]
            else f"in {state.stores[found['store']].name}"
        )
        result = outcome(done, f"{fid} recorded {where}, as reported")
        raised = [a for a in queries.alerts(state, app.clock()) if a["subject"] == fid]
        text = "\n".join([result.text, *(f"ALARM {a['rule']}: {a['message']}" for a in raised)])
        return Result({**result.data, "alerts": raised}, text)

    run_command(db, json, run)


@custody_app.command("missing")
def missing(
    firearm: FirearmArg,
    by: ByOpt,
    note: Annotated[str, typer.Option(help="Where it was last seen.")] = "",
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Anyone: report a firearm missing (R-53). Firearms work stops at once.

    It opens an incident; tell production and the police."""

    def run(app: App) -> Result:
        done = handlers.report_missing(app, app.production(production), by, firearm, note)
        return outcome(done, f"{done.events[0].payload()['firearms'][0]} reported MISSING")

    run_command(db, json, run)
