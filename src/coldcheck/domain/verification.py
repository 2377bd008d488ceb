"""The three-person check and the announcement (R-20, R-21, R-23, R-24, R-28, R-29).

After the armorer's pre-use inspection, the armorer shows the firearm to the 1st AD and to the
talent; each attests with their own signature what they were shown. Only then may the 1st AD
announce it, and the announcement text is generated from the verified state, never typed.

A verification is void (R-23) when the firearm has left the armorer-talent chain since the
inspection (into a store, or reported elsewhere), when it was discharged or misfired, when a
newer inspection replaces it, or when the production's ``verification_minutes`` (30 by default;
a production may shorten it, lengthening it needs a waiver) have passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from coldcheck.domain import events as ev
from coldcheck.domain import guards
from coldcheck.domain.commands import Announce, Context, WitnessCheck
from coldcheck.domain.errors import Conflict, NotAuthorised, Refused
from coldcheck.domain.inspection import LoadState
from coldcheck.domain.state import Firearm, Inspection, ProductionState
from coldcheck.domain.values import Role

WITNESS_ROLES = {Role.FIRST_AD: "first_ad", Role.TALENT: "talent"}
ANNOUNCEABLE = {"EMPTY": "cold", "DUMMIES": "cold", "BLANKS": "hot"}


def problem(state: ProductionState, firearm: str, now: datetime, *, witnessed: bool = True) -> str:
    """Why the firearm's verification does not hold now, or "" when it does."""
    found = state.inspections.get(firearm)
    if found is None:
        return "it has not been inspected"
    if found.phase != "pre_use":
        return "its newest inspection is a post-use inspection"
    if found.result not in ANNOUNCEABLE:
        return f"its inspection found it {_state(found)}"
    if found.void:
        return f"the inspection is void: the firearm was {found.void}"
    minutes = state.setting("verification_minutes")
    if now - datetime.fromisoformat(found.time.replace("Z", "+00:00")) > timedelta(minutes=minutes):
        return f"the inspection is more than {minutes} minutes old"
    roles = {role for _, role in found.witnesses}
    if witnessed and not {"first_ad", "talent"} <= roles:
        missing = [
            r.replace("first_ad", "the 1st AD").replace("talent", "the talent")
            for r in ("first_ad", "talent")
            if r not in roles
        ]
        return f"it has not been shown to {' and '.join(missing)}"
    return ""


def _state(found: Inspection) -> str:
    return str(
        LoadState(result=found.result, rounds=found.rounds, load=found.load, reason=found.reason)
    )


def witness(state: ProductionState, cmd: WitnessCheck, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    role = next((name for r, name in WITNESS_ROLES.items() if r in me.roles), None)
    if role is None:
        raise NotAuthorised(
            f"{me.name} is neither the 1st AD nor a talent.",
            "The armorer shows the firearm to the 1st AD and the talent.",
            "R-20",
        )
    why = problem(state, firearm.id, ctx.now, witnessed=False)
    if why:
        raise Refused(
            "R-19",
            f"{firearm.id} cannot be shown yet: {why}.",
            "The armorer inspects every chamber and the barrel first.",
        )
    found = state.inspections[firearm.id]
    if found.by == me.id:
        raise Refused(
            "R-20",
            f"{me.name} inspected {firearm.id} and cannot also witness the check.",
            "The armorer shows it to the 1st AD and the talent; they attest.",
        )
    if any(person == me.id for person, _ in found.witnesses):
        raise Conflict(f"{me.name} has already attested this check.", "Nothing to do.")
    return [
        ev.CheckWitnessed(
            firearm=firearm.id, witness=me.id, role=role, inspection=found.seq, shown=_state(found)
        )
    ]


def announce(state: ProductionState, cmd: Announce, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    guards.require_role(me, frozenset({Role.FIRST_AD}), "announce a firearm", "R-21")
    why = problem(state, firearm.id, ctx.now)
    if why:
        raise Refused(
            "R-29",
            f"{firearm.id} may not be announced: {why}.",
            "Have the armorer inspect it and show it to you and the talent; "
            "never call a gun cold without that check.",
        )
    found = state.inspections[firearm.id]
    call = ANNOUNCEABLE[found.result]
    return [
        ev.FirearmAnnounced(
            firearm=firearm.id,
            call=call,
            text=text(state, firearm, found, call),
            inspection=found.seq,
        )
    ]


def text(state: ProductionState, firearm: Firearm, found: Inspection, call: str) -> str:
    """R-28: the announcement, generated from the verified load state."""
    what = (
        f"{firearm.action.replace('_', ' ')} {firearm.id} ({firearm.make} {firearm.model}, "
        f"serial {firearm.serial})"
    )
    positions = firearm.capacity.positions
    noun = "chambers" if firearm.capacity.magazine == 0 else "positions"
    empty = positions - found.rounds
    rest = f", {empty} {noun} empty" if empty else ""
    if found.result == "EMPTY":
        load = f"all {positions} {noun} empty"
    elif found.result == "DUMMIES":
        load = f"{found.rounds} dummy rounds{rest}"
    else:
        load = f"{found.rounds} {found.load.replace('_', '-')}-load blanks{rest}"
    names = [state.people[p].name for p, _ in found.witnesses]
    checked = state.people[found.by].name
    return (
        f"{call.capitalize()}: {what}, {load}, barrel clear; checked by {checked}, "
        f"shown to {' and '.join(names)} at {found.time[11:16]} UTC."
    )
