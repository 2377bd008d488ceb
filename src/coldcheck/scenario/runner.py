"""Playing a scenario against a fresh, throwaway production, through the application handlers.

Each run gets its own temporary directory holding an SQLite store and a node key, the
test-only fast key derivation (the COLDCHECK_INSECURE_TEST_KDF semantics of Settings.load),
a generated PIN per person, and a simulated clock: setup at ``start``, then each step after
its ``wait`` (30 s by default). The directory is deleted after the run: a scenario's ledger is
a simulation, never a production record.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from coldcheck.app import ledgerops, queries, refs
from coldcheck.app.dispatch import CALLS
from coldcheck.app.service import App, bootstrap
from coldcheck.app.settings import Settings
from coldcheck.domain import events as ev
from coldcheck.domain.alerts import Alert, alerts
from coldcheck.domain.errors import Refusal
from coldcheck.domain.inspection import LoadState
from coldcheck.domain.values import EVIDENCE_KINDS, IncidentKind
from coldcheck.ledger.errors import LedgerError
from coldcheck.scenario.model import Expect, Scenario, Step
from coldcheck.scenario.setup import setup

PRODUCTION = "scenario"
DEFAULT_GAP = timedelta(seconds=30)
# The same semantics as the test suite's environment: the minimum argon2id cost (throwaway
# PINs), and NORMAL durability (the store is deleted after the run anyway).
SIMULATION_ENV = {"COLDCHECK_INSECURE_TEST_KDF": "1", "COLDCHECK_SQLITE_SYNCHRONOUS": "NORMAL"}
# Alerts that repeat what a step's incident line already says.
_SHOWN_WITH_INCIDENTS = ("R-51", "R-54")


@dataclass(slots=True)
class SimClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True, kw_only=True, slots=True)
class IncidentNote:
    id: str
    kind: str
    firearm: str  # the one firearm stopped (a malfunction), or "" for all firearms work
    held: tuple[str, ...]  # firearms and lots on evidence hold

    def __str__(self) -> str:
        scope = f"work with {self.firearm} stopped" if self.firearm else "all firearms work stopped"
        hold = f"; evidence hold: {', '.join(self.held)}" if self.held else ""
        return f"incident {self.id} opened: {self.kind.replace('_', ' ')}, {scope}{hold}"


@dataclass(frozen=True, kw_only=True, slots=True)
class StepResult:
    step: Step
    time: datetime
    actor_id: str
    events: tuple[str, ...] = ()  # event types written; empty when refused
    details: tuple[str, ...] = ()  # what the record found: inspection result, planned or not
    said: str = ""  # the announcement made to the set
    incidents: tuple[IncidentNote, ...] = ()
    alerts: tuple[Alert, ...] = ()  # alarms raised by this step
    refusal: Refusal | None = None
    mismatch: str = ""  # why the expectation does not hold; "" when it does (or none given)

    @property
    def accepted(self) -> bool:
        return self.refusal is None

    @property
    def matched(self) -> bool | None:
        return None if self.step.expect is None else not self.mismatch


@dataclass(frozen=True, kw_only=True, slots=True)
class LedgerCheck:
    entries: int = 0
    root: str = ""
    error: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class FileResult:
    scenario: Scenario
    people: list[dict[str, Any]]
    firearms: list[dict[str, Any]]
    lots: list[dict[str, Any]]
    start_alerts: tuple[Alert, ...]
    steps: tuple[StepResult, ...]
    ledger: LedgerCheck

    @property
    def failures(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.mismatch)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.ledger.error


class StepCrashed(Exception):
    """Not a refusal: a defect in coldcheck met at a step (reported, with the step, as a bug)."""

    def __init__(self, scenario: Scenario, step: Step, cause: Exception) -> None:
        super().__init__(
            f"{scenario.path}, line {step.line}: step {step.number} ({step.action}) met an "
            f"internal error ({type(cause).__name__}: {cause})"
        )


def run(scenario: Scenario) -> FileResult:
    with tempfile.TemporaryDirectory(prefix="coldcheck-scenario-") as tmp:
        settings = Settings.load(str(Path(tmp) / "scenario.db"), env=SIMULATION_ENV)
        app = bootstrap(settings, create=True)
        try:
            return _run(app, scenario)
        finally:
            app.close()


def _run(app: App, scenario: Scenario) -> FileResult:
    clock = SimClock(scenario.start)
    app.use_clock(clock)
    pins = {m.name: secrets.token_hex(8) for m in scenario.cast}  # throwaway, never shown
    setup(app, PRODUCTION, scenario, pins)
    state = app.state(PRODUCTION)
    ids = {m.name: refs.person(state, m.name) for m in scenario.cast}
    pin_of = {ids[name]: pin for name, pin in pins.items()}
    raised = alerts(state, clock.now)
    start_alerts = tuple(raised)
    played: list[StepResult] = []
    for step in scenario.steps:
        clock.now += DEFAULT_GAP if step.wait is None else step.wait
        result, raised = _play(app, scenario, step, ids[step.actor], pin_of, raised)
        played.append(result)
    return FileResult(
        scenario=scenario,
        people=queries.people(state),
        firearms=queries.firearms(state),
        lots=queries.lots(state),
        start_alerts=start_alerts,
        steps=tuple(played),
        ledger=_verify(app),
    )


def _play(
    app: App,
    scenario: Scenario,
    step: Step,
    actor: str,
    pins: dict[str, str],
    before: list[Alert],
) -> tuple[StepResult, list[Alert]]:
    refusal: Refusal | None = None
    written: tuple[ev.Event, ...] = ()
    try:
        written = CALLS[step.action](app, PRODUCTION, actor, step.args, pins[actor]).events
    except Refusal as exc:
        refusal = exc
    except Exception as exc:
        raise StepCrashed(scenario, step, exc) from exc
    now = app.clock()
    after = alerts(app.state(PRODUCTION), now)
    seen = {(a.rule, a.subject) for a in before}
    raised = tuple(
        a for a in after if (a.rule, a.subject) not in seen and a.rule not in _SHOWN_WITH_INCIDENTS
    )
    incidents = tuple(_incident(e) for e in written if isinstance(e, ev.IncidentOpened))
    said = next((e.text for e in written if isinstance(e, ev.FirearmAnnounced)), "")
    result = StepResult(
        step=step,
        time=now,
        actor_id=actor,
        events=tuple(e.TYPE for e in written),
        details=tuple(d for d in map(_detail, written) if d),
        said=said,
        incidents=incidents,
        alerts=raised,
        refusal=refusal,
        mismatch=_mismatch(step.expect, refusal, incidents),
    )
    return result, after


def _incident(e: ev.IncidentOpened) -> IncidentNote:
    held = (*e.firearms, *e.lots) if IncidentKind(e.kind) in EVIDENCE_KINDS else ()
    return IncidentNote(id=e.incident, kind=e.kind, firearm=e.firearm, held=held)


def _detail(e: ev.Event) -> str:
    if isinstance(e, ev.FirearmInspected):
        found = LoadState(result=e.result, rounds=e.rounds, load=e.load, reason=e.reason)
        return f"{e.firearm} {found}"
    if isinstance(e, ev.FirearmDischarged):
        return "planned" if e.planned else "UNPLANNED"
    if isinstance(e, ev.RoundsReconciled):
        return "count balances" if e.balanced else "count does NOT balance"
    return ""


def outcome(refusal: Refusal | None, incidents: tuple[IncidentNote, ...]) -> str:
    """What happened, in the words of an expectation."""
    if refusal is not None:
        return f"refused {refusal.rule}" if refusal.rule else f"refused ({refusal.kind})"
    if incidents:
        opened = ", ".join(f"{i.id} ({i.kind})" for i in incidents)
        return f"accepted, opening incident {opened}"
    return "accepted"


def _mismatch(
    expect: Expect | None, refusal: Refusal | None, incidents: tuple[IncidentNote, ...]
) -> str:
    if expect is None:
        return ""
    if expect.outcome == "accepted":
        held = refusal is None and not incidents
    elif expect.outcome == "refused":
        held = refusal is not None and (not expect.rule or refusal.rule == expect.rule)
    else:
        held = refusal is None and any(i.kind == expect.kind for i in incidents)
    return "" if held else f"expected {expect}, but it was {outcome(refusal, incidents)}"


def _verify(app: App) -> LedgerCheck:
    """The full audit of the scenario's ledger, trusting the node key it was written with."""
    try:
        report = ledgerops.verify(app, PRODUCTION, app.node().verifier_key)
    except LedgerError as exc:
        return LedgerCheck(error=str(exc))
    return LedgerCheck(entries=report.size, root=report.root_hash)
