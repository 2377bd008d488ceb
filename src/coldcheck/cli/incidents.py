"""coldcheck incident ..., concern ..., work ...: incidents, safety concerns, stop-work.

Also ``outcome``: the answer every protocol command gives, with a prominent line for each
incident the command opened (an unplanned discharge, a live round found, a count that does
not balance): what already happened is recorded, and everyone must see it at once.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from coldcheck.app import handlers, queries
from coldcheck.app.journal import Appended
from coldcheck.app.service import App
from coldcheck.cli.common import (
    ByOpt,
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
from coldcheck.domain import gates
from coldcheck.domain.values import EVIDENCE_KINDS, IncidentKind, choice

incident_app = typer.Typer(
    help="Incidents: discharges, live rounds, counts, losses. Each stops firearms work.",
    no_args_is_help=True,
)
concern_app = typer.Typer(
    help="Safety concerns: anyone raises one; the producer or safety advisor answers.",
    no_args_is_help=True,
)
work_app = typer.Typer(help="The armorer stops or resumes all firearms work.", no_args_is_help=True)


def incident_line(opened: dict[str, Any]) -> str:
    """The line everyone must read when a command opened an incident."""
    kind = str(opened["kind"]).replace("_", " ")
    scope = (
        f"{opened['firearm']} is out of service"
        if opened["firearm"]
        else "firearms work stopped for the whole production"
    )
    held = [*opened["firearms"], *opened["lots"]]
    evidence = (
        f" Evidence: {', '.join(held)}; do not unload, clean or move (only to the investigator)."
        if held and opened["kind"] in EVIDENCE_KINDS
        else ""
    )
    return (
        f"INCIDENT {opened['incident']} opened ({kind}): {scope} until the safety advisor or "
        f"producer closes it (coldcheck incident close) and a new safety meeting is held. "
        f"{opened['description']}{evidence}"
    )


def outcome(done: Appended, what: str) -> Result:
    """``written``, plus every incident the command opened (text: one INCIDENT line each;
    JSON: an "incidents" list, empty when none)."""
    result = written(done, what)
    opened = [e.payload() for e in done.events if e.TYPE == "incident.opened"]
    text = "\n".join([result.text, *(incident_line(p) for p in opened)])
    return Result({**result.data, "incidents": opened}, text)


@incident_app.command("open")
def open_incident(
    kind: Annotated[
        str,
        typer.Argument(
            help="unplanned_discharge, live_round_found, count_discrepancy, firearm_missing, "
            "injury, near_miss, malfunction"
        ),
    ],
    by: ByOpt,
    description: Annotated[str, typer.Option(help="What happened, in a sentence or two.")],
    firearm: Annotated[
        list[str] | None, typer.Option(help="A firearm involved (id or serial); repeatable.")
    ] = None,
    lot: Annotated[list[str] | None, typer.Option(help="An ammunition lot involved.")] = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Anyone: report an incident. Firearms work stops until it is closed (R-51)."""

    def run(app: App) -> Result:
        done = handlers.open_incident(
            app,
            app.production(production),
            by,
            choice(IncidentKind, kind, "kind of incident"),
            description,
            tuple(firearm or ()),
            tuple(lot or ()),
        )
        return outcome(done, "Incident recorded")

    run_command(db, json, run)


@incident_app.command("close")
def close_incident(
    incident: Annotated[str, typer.Argument(help="Incident id, e.g. I01.")],
    by: ByOpt,
    findings: Annotated[str, typer.Option(help="What the review found.")],
    action: Annotated[str, typer.Option(help="The corrective action taken.")],
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Safety advisor or producer: close a reviewed incident (R-51). Signed with your PIN.

    Firearms are used again only after a new safety meeting."""

    def run(app: App) -> Result:
        prod = app.production(production)
        pin = your_pin(pin_file)
        done = handlers.close_incident(app, prod, by, incident, findings, action, pin=pin)
        closed = done.events[0].payload()["incident"]
        return outcome(
            done,
            f"Incident {closed} closed. Hold a new safety meeting (coldcheck meeting hold) "
            "before firearms are used again" + still_stopped(app, prod),
        )

    run_command(db, json, run)


@incident_app.command("list")
def list_incidents(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Incidents, open ones first, with their findings once closed."""

    def run(app: App) -> Result:
        rows = sorted(
            queries.incidents(app.state(app.production(production))),
            key=lambda r: (not r["open"], r["seq"]),
        )
        lines = [
            [
                r["incident"],
                "OPEN" if r["open"] else "closed",
                r["kind"].replace("_", " "),
                r["scope"],
                "HOLD " + " ".join([*r["firearms"], *r["lots"]]) if r["evidence_hold"] else "-",
                r["time"][:16].replace("T", " "),
                _short(r["description"] if r["open"] else f"findings: {r['findings']}", 48),
            ]
            for r in rows
        ]
        return Result(
            rows,
            table(lines, ["ID", "STATE", "KIND", "STOPS", "EVIDENCE", "OPENED (UTC)", "DETAILS"]),
        )

    run_command(db, json, run)


def still_stopped(app: App, production: str) -> str:
    """What still stops firearms work after a stop was lifted, or "" when nothing does."""
    gate = gates.stop_work(app.state(production))
    if gate is None:
        return "; nothing stops firearms work now"
    return f"; firearms work is STILL STOPPED: {gate.rule}: {gate.why}"


def _short(value: str, most: int) -> str:
    return value if len(value) <= most else value[: most - 3] + "..."


@concern_app.command("raise")
def raise_concern(
    text: Annotated[str, typer.Argument(help="The concern, in your own words.")],
    by: ByOpt,
    stop: Annotated[
        bool, typer.Option("--stop", help="Stop firearms work until it is answered.")
    ] = False,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Anyone on the crew records a safety concern; it must be answered (R-52)."""

    def run(app: App) -> Result:
        done = handlers.raise_concern(app, app.production(production), by, text, stop)
        concern = done.events[0].payload()["concern"]
        note = ": firearms work is STOPPED until it is answered" if stop else ""
        return outcome(done, f"Concern {concern} recorded{note}")

    run_command(db, json, run)


@concern_app.command("answer")
def answer_concern(
    concern: Annotated[str, typer.Argument(help="Concern id, e.g. C01.")],
    by: ByOpt,
    answer: Annotated[str, typer.Option(help="The answer and what was done.")],
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Producer or safety advisor: answer a concern, signed with your PIN (R-52)."""

    def run(app: App) -> Result:
        pin = your_pin(pin_file)
        prod = app.production(production)
        done = handlers.answer_concern(app, prod, by, concern, answer, pin=pin)
        answered = done.events[0].payload()["concern"]
        return outcome(done, f"Concern {answered} answered" + still_stopped(app, prod))

    run_command(db, json, run)


@concern_app.command("list")
def list_concerns(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Every safety concern, unanswered ones first."""

    def run(app: App) -> Result:
        rows = sorted(
            queries.concerns(app.state(app.production(production))),
            key=lambda r: (r["answered"], r["concern"]),
        )
        lines = [
            [
                r["concern"],
                "answered" if r["answered"] else "STOP" if r["stop"] else "OPEN",
                r["by_name"],
                r["time"][:16].replace("T", " "),
                _short(r["text"], 40),
                _short(r["answer"] or "-", 30),
            ]
            for r in rows
        ]
        return Result(
            rows, table(lines, ["ID", "STATE", "BY", "RAISED (UTC)", "CONCERN", "ANSWER"])
        )

    run_command(db, json, run)


@work_app.command("stop")
def stop_work(
    by: ByOpt,
    reason: Annotated[str, typer.Option(help="Why firearms work stops.")],
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Armorer: stop all firearms work now (R-47). Nothing is called, loaded or issued."""

    def run(app: App) -> Result:
        done = handlers.stop_work(app, app.production(production), by, reason)
        return outcome(done, "STOP-WORK: all firearms work is stopped until an armorer resumes it")

    run_command(db, json, run)


@work_app.command("resume")
def resume_work(
    by: ByOpt,
    reason: Annotated[str, typer.Option(help="Why it is safe to go on.")],
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
    pin_file: PinFileOpt = None,
) -> None:
    """Armorer: lift the stop of firearms work (R-47). Signed with your PIN."""

    def run(app: App) -> Result:
        prod = app.production(production)
        pin = your_pin(pin_file)
        done = handlers.resume_work(app, prod, by, reason, pin=pin)
        return outcome(done, "Your stop is lifted" + still_stopped(app, prod))

    run_command(db, json, run)
