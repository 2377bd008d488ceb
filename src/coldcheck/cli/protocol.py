"""The shooting day: coldcheck day, training, plan, meeting, call, cut, setting, waiver, range."""

from __future__ import annotations

from typing import Annotated, Any

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
    your_pin,
)
from coldcheck.cli.incidents import outcome
from coldcheck.domain import protocol
from coldcheck.domain.errors import NotFound
from coldcheck.domain.values import Action, choice

day_app = typer.Typer(
    help="The shooting day: opening check, breaks, lunch, wrap.", no_args_is_help=True
)
training_app = typer.Typer(
    help="Who is trained on which kind of firearm (R-44).", no_args_is_help=True
)
plan_app = typer.Typer(
    help="Scene firearms plans and risk assessments (R-31).", no_args_is_help=True
)
meeting_app = typer.Typer(help="Safety meetings, with who was there (R-30).", no_args_is_help=True)
setting_app = typer.Typer(
    help="Production settings: only ever stricter than the protocol.", no_args_is_help=True
)
waiver_app = typer.Typer(
    help="The safety advisor's signed waivers loosening a setting.", no_args_is_help=True
)
range_app = typer.Typer(
    help="Live-fire range sessions, off set, with their own ammunition (R-02).",
    no_args_is_help=True,
)

SceneArg = Annotated[str, typer.Argument(help="Scene number or short name, e.g. 12A.")]


# -- the day ----------------------------------------------------------------------------------


@day_app.command("open")
def open_day(
    by: ByOpt,
    swept: Annotated[
        list[str],
        typer.Option(
            "--swept", help="A store, cart or belt you swept for live rounds; repeat for each."
        ),
    ],
    schedule: Annotated[
        str, typer.Option(help="Today's firearm work, agreed with the 1st AD (R-32).")
    ] = "",
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Armorer: record today's sweep for live rounds (R-03). Signed with your PIN.

    No firearm is issued to talent before it."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.open_day(
            app, app.production(production), by, tuple(swept), schedule, pin=pin
        )
        day = done.events[0].payload()["day"]
        return outcome(done, f"Opening check for {day} recorded: swept {', '.join(swept)}")

    run_command(db, json, run)


@day_app.command("break")
def call_break(
    by: ByOpt,
    kind: Annotated[str, typer.Option(help="break or lunch")] = "break",
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
    pin_file: PinFileOpt = None,
) -> None:
    """Armorer or 1st AD: call a break or lunch (R-08).

    Refused unless every firearm and round is in a locked store."""

    def run(app: App) -> Result:
        if kind.strip().lower() not in ("break", "lunch"):
            raise CliError("--kind is break or lunch; end the day with 'coldcheck day wrap'")
        pin = your_pin(pin_file)
        done = handlers.call_break(app, app.production(production), by, kind, pin=pin)
        return outcome(done, f"{kind.strip().capitalize()} called: everything is locked away")

    run_command(db, json, run)


@day_app.command("wrap")
def wrap(
    by: ByOpt,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
    pin_file: PinFileOpt = None,
) -> None:
    """Armorer or 1st AD: wrap the day (R-08, R-17).

    Refused unless every firearm is back, inspected, counted and locked away."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.call_break(app, app.production(production), by, "wrap", pin=pin)
        return outcome(
            done,
            "Wrapped: every firearm and round is counted and locked away. Now sign a "
            "checkpoint (coldcheck checkpoint) and keep a copy off this node",
        )

    run_command(db, json, run)


@day_app.command("resume")
def resume(by: ByOpt, production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Armorer or 1st AD: back to work after a break or lunch."""

    def run(app: App) -> Result:
        return outcome(handlers.resume_day(app, app.production(production), by), "Day resumed")

    run_command(db, json, run)


# -- training ---------------------------------------------------------------------------------


@training_app.command("add")
def add_training(
    person: Annotated[str, typer.Argument(help="Who was trained: id or name.")],
    by: ByOpt,
    action: Annotated[
        str,
        typer.Option(help="Kind of firearm: revolver, semi_automatic_pistol, pump_shotgun, ..."),
    ],
    note: Annotated[str, typer.Option(help="What the training covered.")] = "",
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Armorer: record someone's training on a kind of firearm (R-44). Signed with your PIN."""

    def run(app: App) -> Result:
        kind = choice(Action, action, "firearm action")
        pin = your_pin(pin_file)
        prod = app.production(production)
        done = handlers.record_training(app, prod, by, person, kind, note, pin=pin)
        who = app.state(prod).people[done.events[0].payload()["person"]].name
        return outcome(done, f"{who} is trained on a {kind.value.replace('_', ' ')}")

    run_command(db, json, run)


@training_app.command("list")
def list_training(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Training on record, by person and kind of firearm."""

    def run(app: App) -> Result:
        state = app.state(app.production(production))
        rows: list[dict[str, Any]] = [
            {"person": pid, "name": state.people[pid].name, "action": action, "seq": seq}
            for (pid, action), seq in sorted(state.training.items())
        ]
        lines = [[str(r["person"]), r["name"], r["action"], str(r["seq"])] for r in rows]
        return Result(rows, table(lines, ["ID", "NAME", "TRAINED ON", "ENTRY"]))

    run_command(db, json, run)


# -- plans and meetings -----------------------------------------------------------------------


@plan_app.command("file")
def file_plan(
    scene: SceneArg,
    by: ByOpt,
    mode: Annotated[str, typer.Option(help="take or rehearsal")],
    firearm: Annotated[
        list[str],
        typer.Option(
            help="FIREARM:empty, FIREARM:dummy:ROUNDS or FIREARM:blank:ROUNDS:LOAD "
            "(e.g. F01:blank:6:half); repeat for each firearm."
        ),
    ],
    distance: Annotated[int, typer.Option(help="Feet between muzzle and nearest person.")],
    close_range: Annotated[
        bool, typer.Option("--close-range", help="Special close-range blanks (R-38).")
    ] = False,
    shield: Annotated[
        list[str] | None, typer.Option(help="A shield in place (R-40); repeatable.")
    ] = None,
    protection: Annotated[
        list[str] | None, typer.Option(help="Eye or ear protection (R-40); repeatable.")
    ] = None,
    pointing: Annotated[
        str, typer.Option(help="none, person or lens: where the muzzle points (R-36).")
    ] = "none",
    justification: Annotated[
        str, typer.Option(help="Why a blank-firing gun and not a replica (R-35).")
    ] = "",
    risks: Annotated[str, typer.Option(help="The risk assessment, in brief.")] = "",
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Armorer: file a scene's firearms plan and risk assessment (R-31). Signed with your PIN.

    The safety advisor or the producer then approves it (coldcheck plan approve)."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.file_plan(
            app,
            app.production(production),
            by,
            scene=scene,
            mode=mode,
            firearms=tuple(firearm),
            distance_ft=distance,
            close_range=close_range,
            shields=tuple(shield or ()),
            protection=tuple(protection or ()),
            pointing=pointing,
            justification=justification,
            risks=risks,
            pin=pin,
        )
        filed = done.events[0].payload()
        return outcome(
            done,
            f"Plan for scene {filed['scene']} filed ({', '.join(filed['firearms'])}); "
            "the safety advisor or producer approves it (coldcheck plan approve)",
        )

    run_command(db, json, run)


@plan_app.command("approve")
def approve_plan(
    scene: SceneArg,
    by: ByOpt,
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Safety advisor or producer: approve a scene's plan (R-31). Signed with your PIN."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.approve_plan(app, app.production(production), by, scene, pin=pin)
        return outcome(done, f"Plan for scene {done.events[0].payload()['scene']} approved")

    run_command(db, json, run)


def _plan_firearms(row: dict[str, Any]) -> str:
    return ", ".join(
        f"{f['firearm']} {f['class']}"
        + (f" x{f['rounds']}" if f["rounds"] else "")
        + (f" {f['load']}" if f["load"] else "")
        for f in row["firearms"]
    )


@plan_app.command("list")
def list_plans(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Scene plans: what each firearm holds, the distance, and whether it is approved."""

    def run(app: App) -> Result:
        state = app.state(app.production(production))
        rows = queries.plans(state)
        lines = [
            [
                r["scene"],
                r["mode"],
                _plan_firearms(r),
                f"{r['distance_ft']} ft" + (" close-range" if r["close_range"] else ""),
                f"yes, {state.people[r['approved_by']].name}" if r["approved"] else "NO",
            ]
            for r in rows
        ]
        return Result(rows, table(lines, ["SCENE", "MODE", "FIREARMS", "DISTANCE", "APPROVED"]))

    run_command(db, json, run)


@plan_app.command("show")
def show_plan(
    scene: SceneArg, production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False
) -> None:
    """A scene's plan, and the briefing its safety meeting gives."""

    def run(app: App) -> Result:
        state = app.state(app.production(production))
        wanted = " ".join(scene.split())
        row = next((r for r in queries.plans(state) if r["scene"] == wanted), None)
        if row is None:
            raise NotFound(f"Scene {wanted} has no firearms plan.", "See 'coldcheck plan list'.")
        briefing = list(protocol.briefing(state, row["scene"]))
        approved = (
            f"approved by {state.people[row['approved_by']].name}"
            if row["approved"]
            else "NOT approved yet"
        )
        lines = [
            f"Scene {row['scene']} ({row['mode']}), filed by "
            f"{state.people[row['filed_by']].name}, {approved}",
            f"Firearms: {_plan_firearms(row)}",
            f"Distance: {row['distance_ft']} ft"
            + (" with close-range blanks" if row["close_range"] else ""),
            f"Shields: {', '.join(row['shields']) or '-'}",
            f"Protection: {', '.join(row['protection']) or '-'}",
            f"Pointing: {row['pointing']}",
            f"Why a blank-firing gun: {row['justification'] or '-'}",
            f"Risks: {row['risks'] or '-'}",
            "",
            "Briefing:",
            *(f"  {line}" for line in briefing),
        ]
        return Result({**row, "briefing": briefing}, "\n".join(lines))

    run_command(db, json, run)


@meeting_app.command("hold")
def hold_meeting(
    scene: SceneArg,
    by: ByOpt,
    attendee: Annotated[
        list[str], typer.Option(help="Someone present (id or name); repeat for each.")
    ],
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Armorer or 1st AD: record a scene's safety meeting (R-30). Signed with your PIN.

    Name everyone present; the talent must be there. Each of them then confirms with their own
    PIN (coldcheck meeting attend). Prints the briefing recorded."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        prod = app.production(production)
        done = handlers.hold_meeting(app, prod, by, scene, tuple(attendee), pin=pin)
        held = done.events[0].payload()
        state = app.state(prod)
        names = ", ".join(state.people[p].name for p in held["attendees"])
        result = outcome(
            done,
            f"Meeting {held['meeting']} for scene {held['scene']} recorded; on the roll: {names}. "
            f"Each confirms with their PIN: coldcheck meeting attend {held['meeting']} --by NAME",
        )
        briefing = "\n".join(f"  {line}" for line in held["briefing"])
        return Result(result.data, f"{result.text}\nBriefing:\n{briefing}")

    run_command(db, json, run)


@meeting_app.command("attend")
def attend_meeting(
    meeting: Annotated[str, typer.Argument(help="The meeting's id (M01).")],
    by: ByOpt,
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Anyone the lead counted present: confirm you were at the meeting (R-30). Signed with
    your PIN; only confirmed people count as briefed when a firearm is handed over."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        prod = app.production(production)
        done = handlers.attend_meeting(app, prod, by, meeting, pin=pin)
        attended = done.events[0].payload()
        name = app.state(prod).people[attended["person"]].name
        return outcome(done, f"{name} confirmed being at meeting {attended['meeting']}")

    run_command(db, json, run)


@meeting_app.command("list")
def list_meetings(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Safety meetings held, by day and scene, with who was there."""

    def run(app: App) -> Result:
        state = app.state(app.production(production))
        rows = queries.meetings(state)
        lines = [
            [
                r["meeting"],
                r["day"],
                r["scene"],
                state.people[r["lead"]].name,
                ", ".join(r["attendee_names"]),
                ", ".join(r["awaiting_names"]) or "-",
            ]
            for r in rows
        ]
        headers = ["ID", "DAY", "SCENE", "LED BY", "ON THE ROLL", "NOT CONFIRMED"]
        return Result(rows, table(lines, headers))

    run_command(db, json, run)


# -- calls ------------------------------------------------------------------------------------


def call(
    firearm: Annotated[str, typer.Argument(help="Firearm: id or serial.")],
    by: ByOpt,
    scene: Annotated[str, typer.Option(help="The scene being set up, e.g. 12A.")],
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """1st AD: call for a firearm in the current set-up (R-27); the armorer loads only then."""

    def run(app: App) -> Result:
        prod = app.production(production)
        done = handlers.call_firearm(app, prod, by, firearm, scene)
        called = done.events[0].payload()
        plan = app.state(prod).plans[called["scene"]]
        cls, rounds, load = plan.entries[called["firearm"]]
        planned = (
            "empty"
            if cls == "empty"
            else f"{rounds} {cls}" + (f" ({load.replace('_', '-')})" if load else "")
        )
        return outcome(
            done,
            f"{called['firearm']} called for scene {called['scene']} (plan: {planned}); the "
            "armorer loads, inspects and shows it to you and the talent",
        )

    run_command(db, json, run)


def cut(
    scene: SceneArg,
    by: ByOpt,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """1st AD: "cut". The take ends; every firearm goes straight back to the armorer (R-15)."""

    def run(app: App) -> Result:
        done = handlers.cut(app, app.production(production), by, scene)
        return outcome(
            done,
            f"Cut: scene {done.events[0].payload()['scene']}; firearms back to the armorer now",
        )

    run_command(db, json, run)


# -- settings, waivers, range sessions --------------------------------------------------------


@setting_app.command("set")
def set_setting(
    name: Annotated[
        str,
        typer.Argument(
            help="verification_minutes, misfire_wait_seconds, blank_distance_ft, "
            "firearms_per_armorer"
        ),
    ],
    value: Annotated[int, typer.Argument(help="The new value (only stricter than the default).")],
    by: ByOpt,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
    pin_file: PinFileOpt = None,
) -> None:
    """Safety advisor or producer: make a setting stricter. Looser needs a waiver."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.change_setting(app, app.production(production), by, name, value, pin=pin)
        changed = done.events[0].payload()
        return outcome(done, f"{changed['setting']} is now {changed['value']}")

    run_command(db, json, run)


@setting_app.command("list")
def list_settings(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Every setting, its value, the protocol's default and the rule it serves."""

    def run(app: App) -> Result:
        rows = queries.settings(app.state(app.production(production)))
        lines = [
            [
                r["setting"],
                f"{r['value']} {r['unit']}",
                str(r["default"]),
                r["rule"],
                "WAIVED" if r["waived"] else "",
            ]
            for r in rows
        ]
        return Result(rows, table(lines, ["SETTING", "VALUE", "DEFAULT", "RULE", "WAIVER"]))

    run_command(db, json, run)


@waiver_app.command("grant")
def grant_waiver(
    setting: Annotated[str, typer.Argument(help="The setting to loosen.")],
    value: Annotated[int, typer.Argument(help="The looser value.")],
    by: ByOpt,
    reason: Annotated[str, typer.Option(help="Why the looser value is safe here.")],
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Safety advisor: loosen a setting (R-49). Signed with your PIN; shown in every report."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.grant_waiver(
            app, app.production(production), by, setting, value, reason, pin=pin
        )
        w = done.events[0].payload()
        return outcome(done, f"Waiver {w['waiver']}: {w['setting']} = {w['value']} ({w['rule']})")

    run_command(db, json, run)


@waiver_app.command("list")
def list_waivers(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Waivers in force."""

    def run(app: App) -> Result:
        rows = queries.waivers(app.state(app.production(production)))
        lines = [
            [r["waiver"], r["setting"], str(r["value"]), r["rule"], r["advisor_name"], r["reason"]]
            for r in rows
        ]
        return Result(rows, table(lines, ["ID", "SETTING", "VALUE", "RULE", "ADVISOR", "REASON"]))

    run_command(db, json, run)


@range_app.command("approve")
def approve_range(
    by: ByOpt,
    location: Annotated[str, typer.Option(help="The range or controlled facility.")],
    medical: Annotated[str, typer.Option(help="The medical staff available.")],
    day: Annotated[str, typer.Option(help="The day, YYYY-MM-DD.")],
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Safety advisor: approve a live-fire range session off set (R-02). Signed with your PIN."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        done = handlers.approve_range(
            app, app.production(production), by, location, medical, day, pin=pin
        )
        s = done.events[0].payload()
        return outcome(done, f"Range session {s['session']} approved for {s['day']}")

    run_command(db, json, run)


@range_app.command("receive")
def receive_range(
    session: Annotated[str, typer.Argument(help="Range session id, e.g. R01.")],
    by: ByOpt,
    calibre: Annotated[str, typer.Option(help="Calibre, e.g. .45 Colt.")],
    count: Annotated[int, typer.Option(help="Rounds counted on receipt.")],
    supplier: Annotated[str, typer.Option(help="Who supplied it.")],
    provenance: Annotated[str, typer.Option(help="Lot number, invoice or certificate.")],
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Armorer: receive live rounds for an approved range session (R-02).

    They are kept apart and never join the set's inventory."""

    def run(app: App) -> Result:
        done = handlers.receive_range_ammunition(
            app,
            app.production(production),
            by,
            session,
            calibre=calibre,
            count=count,
            supplier=supplier,
            provenance=provenance,
        )
        lot = done.events[0].payload()
        return outcome(
            done,
            f"Range lot {lot['lot']} received for session {lot['session']}: {count} live "
            f"{lot['calibre']}; it stays off set",
        )

    run_command(db, json, run)
