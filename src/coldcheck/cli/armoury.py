"""coldcheck firearm ... and coldcheck store ...: the register and the locked stores."""

from __future__ import annotations

from typing import Annotated

import typer

from coldcheck.app import handlers, queries
from coldcheck.app.service import App
from coldcheck.cli.common import ByOpt, DbOpt, JsonOpt, ProdOpt, Result, run_command, table, written
from coldcheck.domain.values import Action, Capacity, FirearmKind, StoreKind, choice

firearm_app = typer.Typer(help="The firearms register.", no_args_is_help=True)
store_app = typer.Typer(help="Safes, carts, trucks and their locks.", no_args_is_help=True)


@firearm_app.command("add")
def add_firearm(
    by: ByOpt,
    serial: Annotated[str, typer.Option(help="Serial number as stamped.")],
    make: Annotated[str, typer.Option(help="Maker, e.g. Uberti.")],
    model: Annotated[str, typer.Option(help="Model, e.g. 1873 Cattleman.")],
    action: Annotated[
        str,
        typer.Option(help="revolver, semi_automatic_pistol, lever_action_rifle, pump_shotgun, ..."),
    ],
    calibre: Annotated[str, typer.Option(help="Calibre, e.g. .45 Colt.")],
    capacity: Annotated[str, typer.Option(help="6 (cylinder) or 15+1 (magazine+chamber).")],
    kind: Annotated[
        str,
        typer.Option(
            help="blank_firing_real, blank_firing_replica, non_firing_replica, rubber, airsoft"
        ),
    ],
    owner: Annotated[str, typer.Option(help="Owner or rental house.")],
    store: Annotated[str, typer.Option(help="Store it is kept in: id or name.")],
    document: Annotated[
        list[str] | None,
        typer.Option(help="A document reference (permit, rental agreement); repeatable."),
    ] = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Register a firearm (or replica) in a store. Needs a designated head armorer (R-11)."""

    def run(app: App) -> Result:
        done = handlers.add_firearm(
            app,
            app.production(production),
            by,
            serial=serial,
            make=make,
            model=model,
            action=choice(Action, action, "firearm action"),
            calibre=calibre,
            capacity=Capacity.parse(capacity),
            kind=choice(FirearmKind, kind, "firearm kind"),
            owner=owner,
            store=store,
            documents=tuple(document or ()),
        )
        return written(done, f"Registered {done.events[0].payload()['firearm']} ({serial})")

    run_command(db, json, run)


@firearm_app.command("list")
def list_firearms(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """The firearms register."""

    def run(app: App) -> Result:
        rows = queries.firearms(app.state(app.production(production)))
        lines = [
            [
                r["firearm"],
                r["serial"],
                f"{r['make']} {r['model']}",
                r["action"],
                r["calibre"],
                r["capacity"],
                r["kind"],
                r["owner"],
            ]
            for r in rows
        ]
        return Result(
            rows,
            table(
                lines,
                ["ID", "SERIAL", "MAKE/MODEL", "ACTION", "CALIBRE", "CAPACITY", "KIND", "OWNER"],
            ),
        )

    run_command(db, json, run)


@firearm_app.command("correct")
def correct_firearm(
    firearm: Annotated[str, typer.Argument(help="Firearm: id or serial.")],
    by: ByOpt,
    field: Annotated[
        str,
        typer.Option(help="serial, make, model, calibre, capacity, owner, documents (adds one)"),
    ],
    value: Annotated[str, typer.Option(help="The correct value.")],
    reason: Annotated[str, typer.Option(help="Why the entry was wrong.")],
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Correct the register: a new entry pointing at the registration; nothing is edited."""

    def run(app: App) -> Result:
        done = handlers.correct_firearm(
            app, app.production(production), by, firearm, field, value, reason
        )
        return written(done, f"Corrected {field}")

    run_command(db, json, run)


@store_app.command("add")
def add_store(
    by: ByOpt,
    name: Annotated[str, typer.Option(help="e.g. Main safe, Set cart A.")],
    kind: Annotated[str, typer.Option(help="safe, cart, truck, case, locker")],
    unlocked: Annotated[bool, typer.Option(help="Record it as unlocked (default locked).")] = False,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Add a store for firearms and ammunition."""

    def run(app: App) -> Result:
        done = handlers.add_store(
            app,
            app.production(production),
            by,
            name,
            choice(StoreKind, kind, "store kind"),
            locked=not unlocked,
        )
        return written(done, f"Added store {done.events[0].payload()['store']} ({name})")

    run_command(db, json, run)


@store_app.command("list")
def list_stores(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Stores, their lock state and what is in them."""

    def run(app: App) -> Result:
        rows = queries.stores(app.state(app.production(production)))
        lines = [
            [
                r["store"],
                r["name"],
                r["kind"],
                "LOCKED" if r["locked"] else "OPEN",
                " ".join(r["firearms"]) or "-",
            ]
            for r in rows
        ]
        return Result(rows, table(lines, ["ID", "NAME", "KIND", "LOCK", "FIREARMS"]))

    run_command(db, json, run)


def _lock_command(locked: bool) -> None:
    verb = "lock" if locked else "unlock"

    @store_app.command(verb, help=f"Record that a store was {verb}ed (armorers only).")
    def command(
        store: Annotated[str, typer.Argument(help="Store: id or name.")],
        by: ByOpt,
        production: ProdOpt = None,
        db: DbOpt = None,
        json: JsonOpt = False,
    ) -> None:
        def run(app: App) -> Result:
            done = handlers.set_lock(app, app.production(production), by, store, locked)
            return written(done, f"{store}: {verb}ed")

        run_command(db, json, run)


_lock_command(True)
_lock_command(False)
