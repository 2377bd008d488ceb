"""coldcheck ammo ...: ammunition lots by class, and the inspection of dummies."""

from __future__ import annotations

from typing import Annotated

import typer

from coldcheck.app import handlers, queries
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
    table,
    written,
    your_pin,
)
from coldcheck.domain.values import AmmoClass, BlankLoad, DummyCheck, choice

ammo_app = typer.Typer(
    help="Ammunition lots: dummies and blanks (live never on set).", no_args_is_help=True
)


@ammo_app.command("receive")
def receive(
    by: ByOpt,
    ammo_class: Annotated[
        str, typer.Option("--class", help="dummy or blank (live is refused, R-01)")
    ],
    calibre: Annotated[str, typer.Option(help="Calibre, e.g. .45 Colt.")],
    count: Annotated[int, typer.Option(help="Rounds in the lot, counted on receipt.")],
    supplier: Annotated[str, typer.Option(help="Who supplied it (R-06).")],
    provenance: Annotated[str, typer.Option(help="Lot number, invoice or certificate (R-06).")],
    store: Annotated[str, typer.Option(help="Store it is kept in: id or name.")],
    load: Annotated[
        str | None, typer.Option(help="Blanks: quarter, half, three_quarter, full.")
    ] = None,
    close_range: Annotated[bool, typer.Option(help="Close-range blanks (R-38).")] = False,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
    pin_file: PinFileOpt = None,
) -> None:
    """Receive a lot of dummies or blanks into a store, with its supplier and provenance.
    Signed with your PIN."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.receive_ammunition(
            app,
            app.production(production),
            by,
            ammo_class=choice(AmmoClass, ammo_class, "class of ammunition"),
            calibre=calibre,
            count=count,
            supplier=supplier,
            provenance=provenance,
            store=store,
            load=choice(BlankLoad, load, "blank load") if load else None,
            close_range=close_range,
            pin=pin,
        )
        return written(
            done, f"Received lot {done.events[0].payload()['lot']}: {count} {ammo_class} {calibre}"
        )

    run_command(db, json, run)


@ammo_app.command("inspect")
def inspect(
    lot: Annotated[str, typer.Argument(help="Dummy lot id, e.g. A01.")],
    by: ByOpt,
    inspected: Annotated[int, typer.Option(help="Rounds inspected in this sitting.")],
    inert: Annotated[int, typer.Option(help="How many of them were shown inert.")],
    method: Annotated[
        list[str], typer.Option(help="rattle, case_hole, inert_primer (repeat for several)")
    ],
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
    pin_file: PinFileOpt = None,
) -> None:
    """Record a dummy inspection (R-05): the lot is loadable once every round is shown inert.
    Signed with your PIN."""

    def run(app: App) -> Result:
        if not method:
            raise CliError("give at least one --method")
        methods = frozenset(choice(DummyCheck, m, "dummy check") for m in method)
        pin = your_pin(pin_file)
        done = handlers.inspect_dummies(
            app,
            app.production(production),
            by,
            lot,
            inspected=inspected,
            inert=inert,
            methods=methods,
            pin=pin,
        )
        note = (
            ""
            if inert == inspected
            else (f"; {inspected - inert} NOT INERT: lot quarantined, stop and report it")
        )
        return written(done, f"Inspected {inspected} dummies of {lot.upper()}{note}")

    run_command(db, json, run)


@ammo_app.command("list")
def list_lots(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Lots by class, with counts, provenance and whether they may be loaded."""

    def run(app: App) -> Result:
        rows = queries.lots(app.state(app.production(production)))
        lines = [
            [
                r["lot"],
                r["class"] + (f" ({r['load']})" if r["load"] else ""),
                r["calibre"],
                str(r["count"]),
                f"{r['inert']}/{r['count']} inert" if r["inert"] is not None else "-",
                "QUARANTINED" if r["suspect"] else "yes" if r["loadable"] else "NO",
                r["store_name"],
                f"{r['supplier']}, {r['provenance']}",
            ]
            for r in rows
        ]
        return Result(
            rows,
            table(
                lines,
                ["LOT", "CLASS", "CALIBRE", "ROUNDS", "CHECKED", "LOADABLE", "STORE", "PROVENANCE"],
            ),
        )

    run_command(db, json, run)
