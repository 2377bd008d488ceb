"""Decide: incidents, safety concerns, the armorer's stop, and reports of reality.

R-51  an incident stops firearms work (the production; a malfunction: its firearm) until the
      safety advisor or the producer closes it and a new safety meeting is held
R-53  a missing firearm opens an incident at once
R-54  firearms and rounds of a discharge, live-round, injury or near-miss incident are evidence
R-52  anyone raises a safety concern; the producer or the safety advisor answers it; a concern
      marked "stop" stops firearms work until answered
R-47  the armorer stops firearms work at any moment, and resumes it
R-13  a firearm reported with the wrong person is recorded where it is, and raises an alarm
"""

from __future__ import annotations

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain import guards
from coldcheck.domain.errors import Conflict, InvalidInput, NotFound, Refused
from coldcheck.domain.state import ProductionState
from coldcheck.domain.values import IncidentKind, Role, choice

REVIEWERS = frozenset({Role.SAFETY_ADVISOR, Role.PRODUCER})
ARMORERS = frozenset({Role.ARMORER})


def _said(value: str, what: str, least: int = 3) -> str:
    cleaned = " ".join(value.split())
    if len(cleaned) < least:
        raise InvalidInput(f"The {what} is missing.", f"Write the {what} in a sentence.")
    return cleaned[:1000]


def open_incident(state: ProductionState, cmd: c.OpenIncident, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    kind = choice(IncidentKind, cmd.kind, "kind of incident")
    firearms = tuple(dict.fromkeys(guards.firearm(state, f).id for f in cmd.firearms))
    lots = tuple(dict.fromkeys(cmd.lots))
    for lot in lots:
        if lot not in state.lots:
            raise NotFound(f"There is no ammunition lot {lot}.", "See 'coldcheck ammo list'.")
    if kind is IncidentKind.MALFUNCTION and len(firearms) != 1:
        raise InvalidInput("A malfunction concerns one firearm.", "Name it with --firearm.")
    if kind is IncidentKind.FIREARM_MISSING:
        if len(firearms) != 1:
            raise InvalidInput("Name the missing firearm.", "Give --firearm.")
        return report_missing(
            state, c.ReportMissing(firearm=firearms[0], note=cmd.description), ctx
        )
    return [
        guards.open_incident_event(
            state,
            kind=kind,
            by=me.id,
            firearms=firearms,
            lots=lots,
            description=_said(cmd.description, "description"),
        )
    ]


def close_incident(state: ProductionState, cmd: c.CloseIncident, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, REVIEWERS, "close an incident", "R-51")
    if Role.ARMORER in me.roles:
        raise Refused(
            "R-51",
            f"{me.name} handles firearms and cannot review an incident.",
            "The safety advisor, or a producer who is not an armorer, reviews and closes it.",
        )
    incident = state.incidents.get(cmd.incident)
    if incident is None:
        raise NotFound(f"There is no incident {cmd.incident}.", "See 'coldcheck incident list'.")
    if not incident.open:
        raise Conflict(f"Incident {incident.id} is closed already.", "Nothing to do.")
    if incident.kind == "firearm_missing" and set(incident.firearms) & state.missing:
        raise Conflict(
            f"{', '.join(sorted(set(incident.firearms) & state.missing))} is still missing.",
            "Report where it was found (coldcheck custody report) before closing; report "
            "a theft to the police (R-53).",
        )
    return [
        ev.IncidentClosed(
            incident=incident.id,
            reviewer=me.id,
            findings=_said(cmd.findings, "findings", 10),
            corrective_action=_said(cmd.corrective_action, "corrective action", 10),
        )
    ]


def raise_concern(state: ProductionState, cmd: c.RaiseConcern, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    return [
        ev.ConcernRaised(
            concern=guards.next_id("C", len(state.concerns)),
            by=me.id,
            text=_said(cmd.text, "concern"),
            stop=cmd.stop,
        )
    ]


def answer_concern(state: ProductionState, cmd: c.AnswerConcern, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, REVIEWERS, "answer a safety concern", "R-52")
    concern = state.concerns.get(cmd.concern)
    if concern is None:
        raise NotFound(f"There is no concern {cmd.concern}.", "See 'coldcheck concern list'.")
    if concern.answered_seq:
        raise Conflict(f"Concern {concern.id} is answered already.", "Nothing to do.")
    return [
        ev.ConcernAnswered(
            concern=concern.id, answered_by=me.id, answer=_said(cmd.answer, "answer", 10)
        )
    ]


def stop_work(state: ProductionState, cmd: c.StopWork, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "stop firearms work with an armorer's authority", "R-47")
    if state.stoppage is not None:
        raise Conflict("Firearms work is stopped already.", "Nothing to do.")
    return [ev.WorkStopped(by=me.id, reason=_said(cmd.reason, "reason"))]


def resume_work(state: ProductionState, cmd: c.ResumeWork, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "resume firearms work", "R-47")
    if state.stoppage is None:
        raise Conflict("Firearms work is not stopped by an armorer.", "Nothing to do.")
    return [ev.WorkResumed(by=me.id, reason=_said(cmd.reason, "reason"))]


def report_custody(state: ProductionState, cmd: c.ReportCustody, ctx: c.Context) -> list[ev.Event]:
    """Record where a firearm really is. Never refused for breaking the protocol: it is a fact."""
    me = guards.actor(state, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    if bool(cmd.person) == bool(cmd.store):
        raise InvalidInput(
            "Say where the firearm is: with one person or in one store.",
            "Give --person or --store.",
        )
    person = guards.person(state, cmd.person).id if cmd.person else ""
    store = guards.store(state, cmd.store).id if cmd.store else ""
    where = state.location[firearm.id]
    if firearm.id not in state.missing and (where.person or "", where.store or "") == (
        person,
        store,
    ):
        raise Conflict(f"{firearm.id} is already recorded there.", "Nothing to report.")
    return [
        ev.CustodyReported(
            firearm=firearm.id,
            by=me.id,
            person=person,
            store=store,
            note=" ".join(cmd.note.split())[:500],
        )
    ]


def report_missing(state: ProductionState, cmd: c.ReportMissing, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    if firearm.id in state.missing:
        raise Conflict(f"{firearm.id} is reported missing already.", "Nothing to do.")
    where = state.location[firearm.id]
    last = (
        f"with {state.people[where.person].name}"
        if where.person
        else f"in {state.stores[where.store or ''].name}"
    )
    note = " ".join(cmd.note.split())
    return [
        guards.open_incident_event(
            state,
            kind=IncidentKind.FIREARM_MISSING,
            by=me.id,
            firearms=(firearm.id,),
            description=(
                f"{firearm.id} (serial {firearm.serial}) is missing; last recorded {last}. "
                f"Report loss or theft to production and police at once (R-53). {note}"
            ).strip(),
        )
    ]
