"""coldcheck status, log, verify, checkpoint, proof: reading and auditing the record."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from coldcheck.app import ledgerops, queries
from coldcheck.app.service import App
from coldcheck.cli.common import CliError, DbOpt, JsonOpt, ProdOpt, Result, run_command, table
from coldcheck.domain.state import ProductionState
from coldcheck.ledger.errors import VerificationError

proof_app = typer.Typer(
    help="Merkle inclusion and consistency proofs (RFC 6962/9162).", no_args_is_help=True
)


def _load_text(load: dict[str, Any] | None) -> str:
    """The verified load, or the last one found, marked when it is no longer current."""
    if load is None:
        return "not inspected"
    return load["text"] if load["current"] else f"{load['text']} (was)"


def status(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Stop-work, the day, every firearm (load, where, call, what may be announced), alerts."""

    def run(app: App) -> Result:
        state = app.state(app.production(production))
        now = app.clock()
        rows = queries.status(state, now)
        summary = queries.summary(state, now)
        lines = [_status_row(state, r, summary["day"]) for r in rows]
        body = table(
            lines,
            ["ID", "LOAD (VERIFIED)", "IN GUN", "WHERE", "SINCE", "CALLED", "ANNOUNCE"],
        )
        text = "\n".join(
            [*_banner(summary), "", body, *_status_notes(rows), "", *_alert_lines(summary)]
        )
        return Result(
            {
                "production": state.production,
                "name": state.name,
                "seq": state.seq,
                "firearms": rows,
                "summary": summary,
            },
            text,
        )

    run_command(db, json, run)


WIDTH = 100


def _wrap(line: str, indent: str = "") -> list[str]:
    return textwrap.wrap(
        line,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "    ",
        break_on_hyphens=False,
    ) or [""]


def _cut(value: str, most: int) -> str:
    return value if len(value) <= most else value[: most - 3] + "..."


def _banner(summary: dict[str, Any]) -> list[str]:
    """Three lines: the production, stop-work or not, the day."""
    stop = summary["stop_work"]
    work = (
        f"STOP-WORK {stop['rule']}: {stop['why']}. {stop['remedy']}"
        if stop
        else "Firearms work allowed."
    )
    check = (
        "opening check on record"
        if summary["opening_check"]
        else "NO opening check on record (coldcheck day open)"
    )
    pause = {
        None: "working",
        "break": "ON BREAK",
        "lunch": "ON LUNCH",
        "wrap": "WRAPPED",
    }.get(summary["on_break"], str(summary["on_break"]))
    return [
        f"{summary['name']} ({summary['production']}), ledger entry {summary['seq']}",
        *_wrap(work),
        f"Day {summary['day']} (UTC): {check}; {pause}.",
    ]


def _status_row(state: ProductionState, r: dict[str, Any], day: str) -> list[str]:
    where = r["where"]
    place = (
        f"IN {where['name']} ({'locked' if where['locked'] else 'OPEN'})"
        if where["kind"] == "store"
        else f"WITH {where['name']}"
    )
    if r["missing"]:
        place = "MISSING"
    since = r["since"][11:16] if r["since"][:10] == day else r["since"][5:16].replace("T", " ")
    return [
        r["firearm"],
        _cut(_load_text(r["load_state"]), 26),
        _in_gun(state, r["rounds"]),
        _cut(place, 24),
        since,
        _cut(r["call"]["scene"], 10) if r["call"] else "-",
        _may_announce(r),
    ]


def _in_gun(state: ProductionState, rounds: dict[str, Any]) -> str:
    parts = [f"{x['count']} {state.lots[x['lot']].ammo_class}" for x in rounds["loaded"]]
    if rounds["spent"]:
        parts.append(f"{rounds['spent']} spent")
    if rounds["misfire_at"]:
        parts.append("MISFIRE")
    return "+".join(parts) or "-"


def _may_announce(r: dict[str, Any]) -> str:
    """What the 1st AD may call: COLD, HOT, HOT (said) once announced, NO, or "-"."""
    announce = r["announce"] or {}
    if announce.get("may"):
        call = str(announce["call"]).upper()
        return f"{call} (said)" if announce.get("announced") == announce["call"] else call
    return "NO" if r["call"] or r["where"]["kind"] == "person" else "-"


def _status_notes(rows: list[dict[str, Any]]) -> list[str]:
    notes: list[str] = []
    for r in rows:
        if r["handoff"]:
            notes.append(
                f"{r['firearm']}: hand-off {r['handoff']['id']} offered to "
                f"{r['handoff']['to_name']}, waiting for them to accept."
            )
        if _may_announce(r) == "NO":
            notes.append(f"{r['firearm']} may NOT be announced: {r['announce']['why_not']}.")
    return [line for note in notes for line in _wrap(note)]


def _alert_lines(summary: dict[str, Any]) -> list[str]:
    found = summary["alerts"]
    if not found:
        return ["Alerts: none."]
    return [f"Alerts ({len(found)}):", *(line for a in found for line in _wrap(_alert(a), "  "))]


def _alert(a: dict[str, Any]) -> str:
    subject = f" {a['subject']}" if a["subject"] else ""
    return f"{a['level'].upper():<6} {a['rule']}{subject}: {a['message']}"


def alerts(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """What everyone on set must see now: incidents, stop-work, concerns, missing firearms."""

    def run(app: App) -> Result:
        found = queries.alerts(app.state(app.production(production)), app.clock())
        text = (
            "\n".join(line for a in found for line in _wrap(_alert(a))) if found else "No alerts."
        )
        return Result(found, text)

    run_command(db, json, run)


def _when(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(f"{flag} {value!r} is not a time like 2026-11-25T09:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def log(
    firearm: Annotated[
        str | None, typer.Option(help="Only entries naming this firearm (id or serial).")
    ] = None,
    person: Annotated[
        str | None, typer.Option(help="Only entries by or naming this person (id or name).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this UTC time (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this UTC time.")] = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Ledger entries, oldest first, filterable by firearm, person and time."""

    def run(app: App) -> Result:
        from coldcheck.app import refs

        prod = app.production(production)
        state = app.state(prod)
        where = queries.LogFilter(
            firearm=refs.firearm(state, firearm) if firearm else None,
            person=refs.person(state, person) if person else None,
            since=_when(since, "--since"),
            until=_when(until, "--until"),
        )
        rows = list(queries.log(app.store, state, where))
        lines = [
            [
                str(r["seq"]),
                r["time"][:19].replace("T", " "),
                r["actor_name"] or r["actor"],
                r["type"],
                _summary(r["payload"]),
                "signed" if r["attest"] else "",
            ]
            for r in rows
        ]
        return Result(rows, table(lines, ["SEQ", "TIME (UTC)", "BY", "EVENT", "DETAILS", "SIGNED"]))

    run_command(db, json, run)


def _summary(payload: dict[str, Any]) -> str:
    skip = {"public_key", "node_key"}
    parts = [f"{k}={v}" for k, v in payload.items() if k not in skip and v not in ("", [], None)]
    text = " ".join(parts)
    return text if len(text) <= 70 else text[:67] + "..."


def verify(
    trusted_key: Annotated[
        str | None,
        typer.Option(
            "--trusted-key",
            help="The node key you trust (C2SP verifier key). Default: this node's own key file.",
        ),
    ] = None,
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoint",
            help="A checkpoint note kept off this node (a file); repeatable. The ledger must "
            "extend every one of them.",
        ),
    ] = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Full audit: chain, Merkle roots against every checkpoint, every signature.
    Exit 0 when intact; 1 naming the first position that fails."""

    def run(app: App) -> Result:
        prods = [app.production(production)] if production else app.store.productions()
        if not prods:
            raise CliError("this store holds no production to verify")
        anchor = trusted_key or _own_key(app)
        kept = _notes(checkpoint or [])
        strays = [origin for origin in kept if not any(origin.endswith(f"/{p}") for p in prods)]
        if strays:
            raise VerificationError(
                1,
                f"a checkpoint you supplied is for {strays[0]!r}, "
                "which this store does not hold: it was deleted or this "
                "is the wrong store",
            )
        reports = []
        for prod in prods:
            own = [n for origin, ns in kept.items() if origin.endswith(f"/{prod}") for n in ns]
            try:
                reports.append(ledgerops.verify(app, prod, anchor, own))
            except VerificationError as exc:
                raise VerificationError(exc.position, f"{exc.reason} (production {prod})") from exc
        lines = [
            f"{r.production}: intact, {r.size} entries, {r.checkpoints} checkpoints "
            f"(last at {r.last_checkpoint_size}), root {r.root_hash[:16]}..."
            for r in reports
        ]
        source = (
            "the --trusted-key you supplied"
            if trusted_key
            else "this node's own key file (proves nothing against whoever controls this "
            "node; an investigator passes --trusted-key)"
            if anchor
            else "NOTHING: no --trusted-key given and no node key here"
        )
        lines.append(f"node key anchored by {source}")
        return Result(
            {
                "ok": True,
                "trusted_key": anchor,
                "anchor": "supplied" if trusted_key else "node-key-file" if anchor else "none",
                "productions": [
                    {
                        "production": r.production,
                        "size": r.size,
                        "head_hash": r.head_hash,
                        "root_hash": r.root_hash,
                        "checkpoints": r.checkpoints,
                        "last_checkpoint_size": r.last_checkpoint_size,
                        "node_key": r.node_key,
                    }
                    for r in reports
                ],
            },
            "\n".join(lines),
        )

    run_command(db, json, run)


def _notes(paths: list[Path]) -> dict[str, list[str]]:
    """Checkpoint notes from files, by their origin line."""
    found: dict[str, list[str]] = {}
    for path in paths:
        try:
            note = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read the checkpoint file {path}: {exc}") from exc
        if not note.endswith("\n"):
            note += "\n"
        found.setdefault(note.split("\n", 1)[0], []).append(note)
    return found


def _own_key(app: App) -> str | None:
    try:
        return app.node().verifier_key
    except Exception:
        return None


def checkpoint(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Sign a checkpoint (tree size and root) of the ledger with the node key."""

    def run(app: App) -> Result:
        prod = app.production(production)
        note = ledgerops.checkpoint(app, prod)
        return Result({"production": prod, "note": note}, note.rstrip("\n"))

    run_command(db, json, run)


@proof_app.command("inclusion")
def inclusion(
    seq: Annotated[int, typer.Argument(help="Entry number.")],
    size: Annotated[int | None, typer.Option(help="Tree size (default: all).")] = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Prove that entry SEQ is in the tree of the given size."""

    def run(app: App) -> Result:
        proof = ledgerops.inclusion(app, app.production(production), seq, size)
        data = {"seq": seq, "size": proof.size, "root": proof.root, "path": proof.path}
        return Result(
            data,
            f"entry {seq} in tree {proof.size} (root {proof.root}):\n"
            + "\n".join(proof.path)
            + "\nverified (RFC 9162 2.1.3.2)",
        )

    run_command(db, json, run)


@proof_app.command("consistency")
def consistency(
    old: Annotated[int, typer.Argument(help="Older tree size.")],
    new: Annotated[int | None, typer.Argument(help="Newer size (default: all).")] = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Prove that the tree of size OLD is a prefix of the tree of size NEW."""

    def run(app: App) -> Result:
        proof = ledgerops.consistency(app, app.production(production), old, new)
        data = {"old": old, "size": proof.size, "root": proof.root, "path": proof.path}
        return Result(
            data,
            f"tree {old} is a prefix of tree {proof.size} (root {proof.root}):\n"
            + "\n".join(proof.path)
            + "\nverified (RFC 9162 2.1.4.2)",
        )

    run_command(db, json, run)
