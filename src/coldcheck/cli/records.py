"""coldcheck status, log, verify, checkpoint, proof: reading and auditing the record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from coldcheck.app import ledgerops, queries
from coldcheck.app.service import App
from coldcheck.cli.common import CliError, DbOpt, JsonOpt, ProdOpt, Result, run_command, table
from coldcheck.ledger.errors import VerificationError

proof_app = typer.Typer(
    help="Merkle inclusion and consistency proofs (RFC 6962/9162).", no_args_is_help=True
)


def status(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Where every firearm is now, with whom, since when."""

    def run(app: App) -> Result:
        state = app.state(app.production(production))
        rows = queries.status(state, app.clock())
        lines = []
        for r in rows:
            where = r["where"]
            place = (
                f"STORE {where['name']} ({'locked' if where['locked'] else 'OPEN'})"
                if where["kind"] == "store"
                else f"WITH {where['name']}"
            )
            pending = (
                f"offered to {r['handoff']['to_name']} ({r['handoff']['id']})"
                if r["handoff"]
                else ""
            )
            lines.append(
                [
                    r["firearm"],
                    r["serial"],
                    r["description"],
                    r["load_state"]["text"] if r["load_state"] else "not inspected",
                    place,
                    r["since"][:19].replace("T", " "),
                    pending,
                ]
            )
        head = f"{state.name} ({state.production}), ledger entry {state.seq}\n"
        body = table(
            lines,
            ["ID", "SERIAL", "FIREARM", "LOAD (VERIFIED)", "WHERE", "SINCE (UTC)", "HAND-OFF"],
        )
        return Result(
            {
                "production": state.production,
                "name": state.name,
                "seq": state.seq,
                "firearms": rows,
            },
            head + body,
        )

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
