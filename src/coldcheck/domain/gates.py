"""Gates: the records an action needs before coldcheck allows it.

``stop_work`` says why firearms work is stopped (for the production, or for one firearm):

    an open incident (R-51)                 the whole production; a malfunction stops its firearm
    the armorer's stop (R-47)               the whole production, until the armorer resumes
    a safety concern marked "stop" (R-52)   the whole production, until it is answered

``issue_problems`` lists every gate an armorer -> talent hand-off must pass, in the order a
person on set fixes them (R-03, R-08, R-27, R-31, R-30, R-51, R-44, R-19, R-24, R-29, R-41).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from coldcheck.domain import verification
from coldcheck.domain.errors import Refused
from coldcheck.domain.state import Firearm, Meeting, Person, ProductionState


@dataclass(frozen=True, slots=True)
class Gate:
    rule: str
    why: str
    remedy: str

    def refusal(self, what: str) -> Refused:
        return Refused(self.rule, f"{what}: {self.why}.", self.remedy)


def stop_work(
    state: ProductionState, firearm: str = "", *, ignore_malfunction: bool = False
) -> Gate | None:
    """Why firearms work (on ``firearm``, or at all) is stopped now, or None.
    ``ignore_malfunction`` leaves out the firearm's own malfunction incident (a hang-fire)."""
    for incident in state.incidents.values():
        own = incident.firearm == firearm and not ignore_malfunction
        if incident.open and (not incident.firearm or own):
            scope = "" if not incident.firearm else f" on {incident.firearm}"
            return Gate(
                "R-51",
                f"incident {incident.id} ({incident.kind.replace('_', ' ')}){scope} is open",
                "The safety advisor or the producer reviews and closes it, then a new "
                "safety meeting is held.",
            )
    if state.stoppage is not None:
        who = state.people[state.stoppage.by].name
        return Gate(
            "R-47",
            f"{who} stopped firearms work ({state.stoppage.reason})",
            "Only an armorer can resume work (coldcheck work resume).",
        )
    for concern in state.concerns.values():
        if concern.stop and not concern.answered_seq:
            return Gate(
                "R-52",
                f"safety concern {concern.id} asks to stop and is not answered",
                "The producer or the safety advisor answers it (coldcheck concern answer).",
            )
    return None


def require_no_stop(state: ProductionState, what: str, firearm: str = "") -> None:
    gate = stop_work(state, firearm)
    if gate is not None:
        raise gate.refusal(what)


def require_not_held(
    state: ProductionState, what: str, *, firearm: str = "", lot: str = ""
) -> None:
    """R-54: evidence is not unloaded, cleaned or moved, except into an investigator's hands."""
    incident = state.on_hold(firearm=firearm, lot=lot)
    if incident is not None:
        raise Refused(
            "R-54",
            f"{what}: {firearm or lot} is evidence for incident {incident.id}.",
            "Leave it as it is; only hand it to the investigator.",
        )


def require_not_on_break(state: ProductionState, what: str) -> None:
    if state.on_break:
        raise Refused(
            "R-08",
            f"{what}: the production is on {state.on_break}.",
            "Resume the day (coldcheck day resume) or, after wrap, open the next day.",
        )


MAX_SHOOT_DAY = timedelta(hours=20)


def today(now: datetime) -> str:
    return now.date().isoformat()


def shoot_day(state: ProductionState, now: datetime) -> int:
    """The open shoot day (the seq of its opening check), or 0. A shoot day opens with the
    armorer's opening check and lasts until wrap, or MAX_SHOOT_DAY at most: it follows the
    set's working day (a night shoot crosses midnight), not a calendar date in any timezone."""
    if not state.day_seq or state.on_break == "wrap":
        return 0
    opened = datetime.fromisoformat(state.day_time.replace("Z", "+00:00"))
    return state.day_seq if now - opened <= MAX_SHOOT_DAY else 0


def latest_meeting(
    state: ProductionState, scene: str, now: datetime, person: str
) -> Meeting | None:
    """The newest meeting of this shoot day for ``scene`` with ``person`` on its roll (its lead
    is on it too): the briefing that counts for them, or None."""
    day = shoot_day(state, now)
    found = [
        m
        for m in state.meetings.values()
        if m.scene == scene and day and m.seq > day and person in m.attendees
    ]
    return max(found, key=lambda m: m.seq) if found else None


def _stale(state: ProductionState, meeting: Meeting) -> Gate | None:
    """Why a meeting no longer briefs its scene: the plan changed or an incident was closed
    after it (R-30, R-51), or None."""
    plan = state.plans.get(meeting.scene)
    if plan is not None and meeting.seq < plan.seq:
        return Gate(
            "R-30",
            f"the plan for scene {meeting.scene} changed after safety meeting {meeting.id}",
            "Brief the new plan: hold the meeting again with the talent present.",
        )
    if meeting.seq < state.last_closure:
        return Gate(
            "R-51",
            f"an incident was closed after safety meeting {meeting.id}: no safety meeting has "
            "been held since the last incident was closed",
            "Hold a new safety meeting before firearms are used again.",
        )
    return None


def briefing_problem(
    state: ProductionState, scene: str, person: Person, now: datetime
) -> Gate | None:
    """Why ``person`` does not count as briefed for ``scene`` now (R-30, R-51), or None. The
    newest meeting of the shoot day with them on its roll counts, and only if it was held after
    the plan last changed and after the last incident closure, and they led it or confirmed
    it with their own PIN. (No open shoot day is the opening check's gate, R-03.)"""
    if not shoot_day(state, now):
        return None
    meeting = latest_meeting(state, scene, now, person.id)
    if meeting is None:
        return Gate(
            "R-30",
            f"no safety meeting for scene {scene} this shoot day with {person.name} present",
            "Hold the meeting with the talent present (coldcheck meeting hold); they "
            "confirm with their PIN.",
        )
    stale = _stale(state, meeting)
    if stale is not None:
        return stale
    if person.id not in meeting.confirmed:
        return Gate(
            "R-30",
            f"{person.name} is on the roll of safety meeting {meeting.id} but has not "
            "confirmed being there",
            f"{person.name} confirms with their PIN (coldcheck meeting attend {meeting.id}).",
        )
    return None


def attendance_problem(
    state: ProductionState, meeting: Meeting, person: Person, now: datetime
) -> Gate | None:
    """Why ``person`` (on the roll, not the lead) cannot confirm ``meeting`` now, or None: the
    confirmation must brief them for the open shoot day, so the meeting must be of this shoot
    day, the newest for its scene with them on the roll, and not stale."""
    day = shoot_day(state, now)
    if not day:
        return Gate(
            "R-30",
            "no shoot day is open (no opening check, or the day was wrapped)",
            "Confirm at a meeting held after the armorer's opening check (coldcheck day open).",
        )
    if meeting.seq < day:
        return Gate(
            "R-30",
            f"safety meeting {meeting.id} was held before this shoot day's opening check",
            f"Attend today's safety meeting for scene {meeting.scene}.",
        )
    newest = latest_meeting(state, meeting.scene, now, person.id)
    if newest is not None and newest.id != meeting.id:
        return Gate(
            "R-30",
            f"safety meeting {newest.id} for scene {meeting.scene} came after {meeting.id}",
            f"Confirm meeting {newest.id} instead.",
        )
    return _stale(state, meeting)


def issue_problems(
    state: ProductionState, firearm: Firearm, giver: Person, receiver: Person, now: datetime
) -> list[Gate]:
    """Every gate an armorer -> talent hand-off fails now (empty when it may go ahead)."""
    problems: list[Gate] = []
    stop = stop_work(state, firearm.id)
    if stop is not None:
        problems.append(stop)
    if state.on_break:
        problems.append(
            Gate("R-08", f"the production is on {state.on_break}", "Resume the day first.")
        )
    if not shoot_day(state, now):
        problems.append(
            Gate(
                "R-03",
                "no opening check is on record for this shoot day",
                "The armorer sweeps stores, carts and belts for live rounds and records it "
                "(coldcheck day open).",
            )
        )
    call = state.calls.get(firearm.id)
    if call is None:
        problems.append(
            Gate(
                "R-27",
                f"the 1st AD has not called for {firearm.id} in the current set-up",
                "The 1st AD calls for it (coldcheck call).",
            )
        )
        return problems
    plan = state.plans.get(call.scene)
    if plan is None or not plan.approved_seq or firearm.id not in plan.entries:
        problems.append(
            Gate(
                "R-31",
                f"scene {call.scene} has no approved firearms plan naming {firearm.id}",
                "The armorer files the plan with its risk assessment and the safety advisor "
                "or producer approves it.",
            )
        )
    briefing = briefing_problem(state, call.scene, receiver, now)
    if briefing is not None:
        problems.append(briefing)
    if (receiver.id, firearm.action) not in state.training:
        problems.append(
            Gate(
                "R-44",
                f"{receiver.name} has no training on record for a {_action(firearm)}",
                "The armorer trains them and records it (coldcheck training add).",
            )
        )
    problems.extend(_verification_gates(state, firearm, receiver, now))
    return problems


def _action(firearm: Firearm) -> str:
    return firearm.action.replace("_", " ")


def _verification_gates(
    state: ProductionState, firearm: Firearm, receiver: Person, now: datetime
) -> list[Gate]:
    why = verification.problem(state, firearm.id, now)
    if why:
        return [
            Gate(
                "R-19",
                f"{firearm.id} has no valid three-person check: {why}",
                "Inspect every position and the barrel, show it to the 1st AD and the talent.",
            )
        ]
    found = state.inspections[firearm.id]
    gates: list[Gate] = []
    if not any(p == receiver.id for p, _ in found.witnesses):
        gates.append(
            Gate(
                "R-24",
                f"{receiver.name} has not checked {firearm.id} themself",
                "Show it to them; they attest with their PIN (coldcheck witness).",
            )
        )
    call = state.calls[firearm.id]
    entry = state.plans[call.scene].entries.get(firearm.id) if call.scene in state.plans else None
    wanted = {"empty": "EMPTY", "dummy": "DUMMIES", "blank": "BLANKS"}
    if entry is not None and wanted.get(entry[0]) != found.result:
        gates.append(
            Gate(
                "R-31",
                f"{firearm.id} is {found.result.lower()}, but the plan for scene {call.scene} "
                f"says {entry[0]}",
                "Load it as the plan says, inspect and show it again, or file a new plan.",
            )
        )
    if found.result == "BLANKS" and found.announced != "hot":
        gates.append(
            Gate(
                "R-41",
                f"{firearm.id} holds blanks and has not been announced hot",
                "The 1st AD announces it to cast and crew (coldcheck announce).",
            )
        )
    return gates
