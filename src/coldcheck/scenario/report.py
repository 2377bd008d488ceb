"""What a scenario run prints: one line per step for people, or JSON for scripts."""

from __future__ import annotations

import textwrap
from itertools import groupby
from typing import Any

from coldcheck.app.actions import ACTIONS
from coldcheck.domain.alerts import Alert
from coldcheck.scenario.model import Step
from coldcheck.scenario.runner import FileResult, StepResult

INDENT = " " * 7


def describe(step: Step) -> str:
    """The action and its main arguments: 'hand-off F01 to Jack Colt'."""
    shown = {k: _listed(v) if isinstance(v, tuple) else v for k, v in step.args.values.items()}
    main = ACTIONS[step.action].show.format_map(shown)
    return f"{step.action} {main}".strip()


def _listed(items: tuple[str, ...]) -> str:
    """A list as written: runs of the same item as 'ITEM xN' (six chambers: 'blank:A01 x6')."""
    runs = [(item, len(list(group))) for item, group in groupby(items)]
    return ", ".join(item if n == 1 else f"{item} x{n}" for item, n in runs) or "none"


def _rule(r: StepResult) -> str:
    """The rule a refused step broke, or the kind of refusal when no rule applies."""
    if r.refusal is None:
        return ""
    return r.refusal.rule or f"({r.refusal.kind})"


def _outcome(r: StepResult) -> str:
    if r.refusal is not None:
        return f"REFUSED {_rule(r)}: {r.refusal.message}"
    text = f"accepted: {', '.join(r.events)}"
    if r.details:
        text += f" [{'; '.join(r.details)}]"
    for incident in r.incidents:
        text += f"; {incident}"
    return text


def _mark(r: StepResult) -> str:
    if r.matched is None:
        return ""
    if r.matched:
        return "  [as expected]"
    return f"  [EXPECTATION FAILED: {r.mismatch}]"


def _alert(a: Alert) -> str:
    return f"! {a.level} {a.rule}: {a.message}"


def step_lines(r: StepResult) -> list[str]:
    s = r.step
    who = s.actor
    head = f"{s.number:>3}  line {s.line:<4} {r.time:%H:%M:%S}  {who}: {describe(s)}"
    lines = [f"{head}  ->  {_outcome(r)}{_mark(r)}"]
    if s.note:
        lines.append(f"{INDENT}# {s.note}")
    if r.said:
        lines.append(f'{INDENT}said to the set: "{r.said}"')
    lines.extend(f"{INDENT}{_alert(a)}" for a in r.alerts)
    return lines


def text(result: FileResult) -> str:
    s = result.scenario
    out = [f"== {s.name} ({s.path})"]
    out += textwrap.wrap(s.description, 96, initial_indent="   ", subsequent_indent="   ")
    facts = [f"start {s.start:%Y-%m-%d %H:%M} UTC", "people: " + _people(result)]
    facts.append("firearms: " + _firearms(result))
    if result.lots:
        facts.append("ammunition: " + _lots(result))
    for fact in facts:
        out += textwrap.wrap(fact, 96, initial_indent="   ", subsequent_indent="     ")
    out += [f"   {_alert(a)}" for a in result.start_alerts]
    out.append("")
    day = s.start.date()
    for step in result.steps:
        if step.time.date() != day:
            day = step.time.date()
            out.append(f"     -- {day:%A %d %B %Y} --")
        out += step_lines(step)
    out.append("")
    out += summary(result)
    return "\n".join(out)


def _people(result: FileResult) -> str:
    def one(p: dict[str, Any]) -> str:
        roles = ", ".join(r.replace("first_ad", "1st AD").replace("_", " ") for r in p["roles"])
        if p["head_armorer"]:
            roles += ", head"
        permit = p["permit"]
        if permit:
            roles += f", permit until {permit['expires']}"
        return f"{p['person']} {p['name']} ({roles})"

    return "; ".join(one(p) for p in result.people)


def _firearms(result: FileResult) -> str:
    return "; ".join(
        f"{f['firearm']} {f['make']} {f['model']} ({f['serial']}, {f['calibre']}, {f['capacity']})"
        for f in result.firearms
    )


def _lots(result: FileResult) -> str:
    def one(lot: dict[str, Any]) -> str:
        load = f" {lot['load'].replace('_', '-')}-load" if lot["load"] else ""
        return f"{lot['lot']} {lot['count']}{load} {lot['class']} {lot['calibre']}"

    return "; ".join(one(lot) for lot in result.lots)


def summary(result: FileResult) -> list[str]:
    steps = result.steps
    refused = [r for r in steps if not r.accepted]
    incidents = [i.id for r in steps for i in r.incidents]
    expected = sum(1 for r in steps if r.matched is not None)
    lines = [
        f"{result.scenario.name}: {len(steps)} steps, {len(steps) - len(refused)} accepted, "
        f"{len(refused)} refused; incidents opened: {', '.join(incidents) or 'none'}."
    ]
    if refused:
        stops = ", ".join(f"step {r.step.number} {_rule(r)}" for r in refused)
        lines.append(f"coldcheck refused: {stops}.")
    failures = result.failures
    if failures:
        lines.append(f"{len(failures)} of {expected} expectations FAILED:")
        lines += [
            f"  step {r.step.number} (line {r.step.line}, {describe(r.step)}): {r.mismatch}"
            for r in failures
        ]
    else:
        lines.append(f"all {expected} expectations hold.")
    ledger = result.ledger
    if ledger.error:
        lines.append(f"ledger verification FAILED: {ledger.error}")
    else:
        lines.append(f"ledger verifies: {ledger.entries} entries (root {ledger.root[:16]}...).")
    return lines


def to_json(result: FileResult) -> dict[str, Any]:
    s = result.scenario
    steps = result.steps
    return {
        "file": str(s.path),
        "name": s.name,
        "description": s.description,
        "start": s.start.isoformat().replace("+00:00", "Z"),
        "ok": result.ok,
        "people": result.people,
        "firearms": result.firearms,
        "lots": result.lots,
        "alerts_at_start": [a.to_json() for a in result.start_alerts],
        "steps": [_step_json(r) for r in steps],
        "summary": {
            "steps": len(steps),
            "accepted": sum(1 for r in steps if r.accepted),
            "refused": sum(1 for r in steps if not r.accepted),
            "incidents": [i.id for r in steps for i in r.incidents],
            "expectations": sum(1 for r in steps if r.matched is not None),
            "failed": [r.step.number for r in result.failures],
        },
        "ledger": {
            "verified": not result.ledger.error,
            "entries": result.ledger.entries,
            "root": result.ledger.root or None,
            "error": result.ledger.error or None,
        },
    }


def _step_json(r: StepResult) -> dict[str, Any]:
    s = r.step
    return {
        "step": s.number,
        "line": s.line,
        "time": r.time.isoformat().replace("+00:00", "Z"),
        "actor": s.actor,
        "actor_id": r.actor_id,
        "action": s.action,
        "arguments": {k: list(v) if isinstance(v, tuple) else v for k, v in s.args.values.items()},
        "summary": describe(s),
        "note": s.note or None,
        "outcome": "accepted" if r.accepted else "refused",
        "events": list(r.events),
        "details": list(r.details),
        "announcement": r.said or None,
        "incidents": [
            {"id": i.id, "kind": i.kind, "firearm": i.firearm or None, "evidence": list(i.held)}
            for i in r.incidents
        ],
        "alerts": [a.to_json() for a in r.alerts],
        "refusal": None if r.refusal is None else r.refusal.to_json(),
        "expect": None if s.expect is None else str(s.expect),
        "matched": r.matched,
        "mismatch": r.mismatch or None,
    }
