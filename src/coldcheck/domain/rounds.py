"""Decide: rounds moving between lots, firearms, "fired" and "misfired"; counts never negative.

R-26  only the armorer loads, and only a firearm they hold
R-27  only for a firearm the 1st AD has called in the current set-up
R-31  only as the scene's approved plan says (class; R-09 never more rounds than it allows)
R-05  dummies only from a lot whose every round was shown inert
R-07  only rounds of the firearm's calibre
R-25  never a firearm out of service; R-54 never anything on evidence hold
R-42  a misfire is recorded at once; the armorer clears it only after the wait
R-09  after each take, the armorer's count: issued = fired + returned + misfired; a count
      that does not balance opens an incident (refuse intent, record reality)

A discharge is a fact and is always recorded. It is planned only when the firearm holds blanks
announced hot, is with a talent, is called for a scene whose approved plan has it fire blanks,
and the take's discharges stay within the plan; anything else opens an incident (R-51) and
puts the firearm on evidence hold (R-54).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain import gates, guards
from coldcheck.domain.errors import Conflict, InvalidInput, NotFound, Refused
from coldcheck.domain.state import Firearm, ProductionState
from coldcheck.domain.values import IncidentKind, Role

ARMORERS = frozenset({Role.ARMORER})
CLASS_OF = {"dummy": "dummy", "blank": "blank"}


def _held_by_me(state: ProductionState, firearm: Firearm, me: str, doing: str, rule: str) -> None:
    if state.holder(firearm.id) != me:
        raise Refused(
            rule,
            f"You do not hold {firearm.id}.",
            f"Take it from its store, or back from the talent, before you {doing}.",
        )


def load(state: ProductionState, cmd: c.LoadRounds, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "load a firearm", "R-26")
    guards.require_permit(me, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    _held_by_me(state, firearm, me.id, "load it", "R-26")
    what = f"{firearm.id} cannot be loaded"
    gates.require_no_stop(state, what, firearm.id)
    gates.require_not_on_break(state, what)
    gates.require_not_held(state, what, firearm=firearm.id)
    lot = state.lots.get(cmd.lot)
    if lot is None:
        raise NotFound(f"There is no ammunition lot {cmd.lot}.", "See 'coldcheck ammo list'.")
    gates.require_not_held(state, what, lot=lot.id)
    found = state.inspections.get(firearm.id)
    if found is not None and found.result == "OUT_OF_SERVICE":
        raise Refused(
            "R-25",
            f"{what}: it is out of service ({found.reason}).",
            "The armorer clears it with a new inspection first.",
        )
    if not 1 <= cmd.count <= 200:
        raise InvalidInput(f"Load 1 to 200 rounds, not {cmd.count}.", "Count the rounds.")
    if lot.ammo_class == "blank" and lot.suspect:
        raise Refused(
            "R-05",
            f"{what}: lot {lot.id} is quarantined: a live round was found in a firearm "
            "loaded from it.",
            "Never load from it again; keep it for the investigation.",
        )
    if lot.ammo_class == "dummy" and not lot.loadable:
        raise Refused(
            "R-05",
            f"{what}: dummy lot {lot.id} has {lot.received - lot.inert} round(s) not shown inert"
            + (f" and {lot.suspect} found NOT inert" if lot.suspect else ""),
            "Inspect every round of the lot (coldcheck ammo inspect) before loading from it.",
        )
    if lot.calibre != firearm.calibre:
        raise Refused(
            "R-07",
            f"{what}: lot {lot.id} is {lot.calibre}, {firearm.id} takes {firearm.calibre}.",
            "Use only the rounds specified for this firearm.",
        )
    call = state.calls.get(firearm.id)
    if call is None:
        raise Refused(
            "R-27",
            f"{what}: the 1st AD has not called for it in the current set-up.",
            "Load at the last moment, when the 1st AD calls for it (coldcheck call).",
        )
    plan = state.plans.get(call.scene)
    entry = plan.entries.get(firearm.id) if plan is not None and plan.approved_seq else None
    if entry is None:
        raise Refused(
            "R-31",
            f"{what}: scene {call.scene} has no approved plan naming it.",
            "File and approve the scene's firearms plan first.",
        )
    planned_class, most, planned_load = entry
    if planned_class != lot.ammo_class or (planned_load and planned_load != lot.load):
        load = f" {planned_load.replace('_', '-')}-load" if planned_load else ""
        raise Refused(
            "R-09",
            f"{what}: the plan for scene {call.scene} says {planned_class}{load}, "
            f"lot {lot.id} holds {lot.load.replace('_', '-') + '-load ' if lot.load else ''}"
            f"{lot.ammo_class}s.",
            "Load only what the plan says.",
        )
    least = state.setting("blank_distance_ft")
    close = plan is not None and plan.distance_ft < least
    if lot.ammo_class == "blank" and close and not lot.close_range:
        raise Refused(
            "R-38",
            f"{what}: the plan for scene {call.scene} keeps under {least} ft, and lot "
            f"{lot.id} is not close-range blanks.",
            "Load only the special close-range blanks the plan specifies.",
        )
    rounds = state.rounds_in(firearm.id)
    mixed = {state.lots[x].ammo_class for x, _ in rounds.loaded} - {lot.ammo_class}
    if mixed or rounds.spent:
        raise Refused(
            "R-09",
            f"{what}: it still holds {'spent cases' if rounds.spent else 'other rounds'}.",
            "Unload it first.",
        )
    if rounds.in_firearm + cmd.count > most:
        raise Refused(
            "R-09",
            f"{what}: {rounds.in_firearm + cmd.count} rounds would be more than the "
            f"{most} the plan for scene {call.scene} allows.",
            "Load only the rounds the action needs.",
        )
    if cmd.count > lot.count:
        raise Conflict(
            f"Lot {lot.id} holds {lot.count} round(s), fewer than {cmd.count}.",
            "Count the lot again; a lot that does not balance is an incident.",
        )
    return [ev.RoundsLoaded(firearm=firearm.id, lot=lot.id, count=cmd.count, armorer=me.id)]


def unload(state: ProductionState, cmd: c.UnloadFirearm, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "unload a firearm", "R-26")
    firearm = guards.firearm(state, cmd.firearm)
    _held_by_me(state, firearm, me.id, "unload it", "R-26")
    gates.require_not_held(state, f"{firearm.id} cannot be unloaded", firearm=firearm.id)
    rounds = state.rounds_in(firearm.id)
    if rounds.misfire_at:
        raise Refused(
            "R-42",
            f"{firearm.id} has a misfire not yet cleared.",
            "Wait, then clear the misfire (coldcheck misfire clear).",
        )
    if not rounds.loaded and not rounds.spent:
        raise Conflict(f"{firearm.id} holds no rounds on record.", "Nothing to unload.")
    return [
        ev.RoundsUnloaded(
            firearm=firearm.id,
            armorer=me.id,
            rounds=tuple(f"{lot}:{n}" for lot, n in rounds.loaded),
            spent=rounds.spent,
        )
    ]


def _unplanned_because(state: ProductionState, firearm: Firearm, count: int) -> str:
    # a hang-fire: the misfired round fires late, still under its own misfire's incident
    hang_fire = bool(state.rounds_in(firearm.id).misfire_at) and count == 1
    stop = gates.stop_work(state, firearm.id, ignore_malfunction=hang_fire)
    if stop is not None:
        return f"firearms work was stopped ({stop.rule}: {stop.why})"
    holder = state.holder(firearm.id)
    if holder is None or Role.TALENT not in state.people[holder].roles:
        return "it was not in a talent's hands for a take"
    if state.location[firearm.id].reported:
        return "it had left the armorer-talent chain (reported with its holder)"
    found = state.inspections.get(firearm.id)
    if found is None or found.result != "BLANKS" or found.announced != "hot":
        return "it was not verified and announced hot with blanks"
    tolerated = ("discharged", "misfired") if hang_fire else ("discharged",)
    if found.void and not found.void.startswith(tolerated):
        return f"its check was void: it was {found.void}"
    call = state.calls.get(firearm.id)
    plan = state.plans.get(call.scene) if call is not None else None
    entry = plan.entries.get(firearm.id) if plan is not None and plan.approved_seq else None
    if call is None or entry is None or entry[0] != "blank":
        return "no approved plan for the current set-up has it fire blanks"
    rounds = state.rounds_in(firearm.id)
    if count > rounds.in_firearm:
        return f"{count} shots but only {rounds.in_firearm} blank(s) on record in it"
    if rounds.fired + count > entry[1]:
        return f"{rounds.fired + count} shots, more than the {entry[1]} planned"
    return ""


def discharge(state: ProductionState, cmd: c.RecordDischarge, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    if not 1 <= cmd.count <= 200:
        raise InvalidInput(f"Record 1 to 200 shots, not {cmd.count}.", "Count the shots.")
    why = _unplanned_because(state, firearm, cmd.count)
    holder = state.holder(firearm.id) or ""
    note = " ".join(cmd.note.split())[:500]
    events: list[ev.Event] = [
        ev.FirearmDischarged(
            firearm=firearm.id,
            count=cmd.count,
            planned=not why,
            holder=holder,
            by=me.id,
            note=note,
        )
    ]
    if why:
        events.append(
            guards.open_incident_event(
                state,
                kind=IncidentKind.UNPLANNED_DISCHARGE,
                by=me.id,
                firearms=(firearm.id,),
                description=f"Unplanned discharge of {firearm.id}: {why}. {note}".strip(),
            )
        )
    return events


def misfire(state: ProductionState, cmd: c.RecordMisfire, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    rounds = state.rounds_in(firearm.id)
    if rounds.misfire_at:
        raise Conflict(f"{firearm.id}'s misfire is recorded already.", "Wait, then clear it.")
    if not rounds.loaded:
        raise Conflict(
            f"{firearm.id} holds no unfired round on record.",
            "If it fired or misfired anyway, open an incident (coldcheck incident open).",
        )
    events: list[ev.Event] = [ev.MisfireRecorded(firearm=firearm.id, by=me.id)]
    if not any(i.open and i.firearm == firearm.id for i in state.incidents.values()):
        events.append(
            guards.open_incident_event(
                state,
                kind=IncidentKind.MALFUNCTION,
                by=me.id,
                firearms=(firearm.id,),
                description=f"Misfire of {firearm.id}: keep the muzzle safe; wait "
                f"{state.setting('misfire_wait_seconds')} s before clearing (R-42).",
            )
        )
    return events


def clear_misfire(state: ProductionState, cmd: c.ClearMisfire, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "clear a misfire", "R-25")
    firearm = guards.firearm(state, cmd.firearm)
    _held_by_me(state, firearm, me.id, "clear it", "R-25")
    gates.require_not_held(state, f"{firearm.id}'s misfire cannot be cleared", firearm=firearm.id)
    rounds = state.rounds_in(firearm.id)
    if not rounds.misfire_at:
        raise Conflict(f"{firearm.id} has no misfire waiting.", "Nothing to clear.")
    wait = state.setting("misfire_wait_seconds")
    since = datetime.fromisoformat(rounds.misfire_at.replace("Z", "+00:00"))
    if ctx.now - since < timedelta(seconds=wait):
        left = wait - int((ctx.now - since).total_seconds())
        raise Refused(
            "R-42",
            f"{firearm.id} misfired {int((ctx.now - since).total_seconds())} s ago; "
            f"wait {wait} s before clearing.",
            f"Keep the muzzle pointed safe and wait {left} s more.",
        )
    # After a hang-fire (the round fired late and was recorded) nothing unfired is left to
    # set aside: the clear records that the wait was kept, with no lot.
    lot = rounds.loaded[0][0] if rounds.loaded else ""
    return [ev.MisfireCleared(firearm=firearm.id, armorer=me.id, lot=lot)]


def reconcile(state: ProductionState, cmd: c.Reconcile, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "reconcile rounds", "R-09")
    firearm = guards.firearm(state, cmd.firearm)
    if min(cmd.fired, cmd.returned, cmd.misfired) < 0:
        raise InvalidInput("Counts cannot be negative.", "Count again.")
    rounds = state.rounds_in(firearm.id)
    if not rounds.empty:
        raise Refused(
            "R-09",
            f"{firearm.id} still holds rounds or spent cases.",
            "Unload it, then count what came out.",
        )
    counted = cmd.fired + cmd.returned + cmd.misfired
    if rounds.counted and counted == 0:
        raise Conflict(
            f"Nothing was issued to {firearm.id} since its last count.", "Nothing to do."
        )
    balanced = (
        counted == rounds.issued
        and cmd.fired == rounds.fired
        and cmd.returned == rounds.returned
        and cmd.misfired == rounds.misfired
    )
    events: list[ev.Event] = [
        ev.RoundsReconciled(
            firearm=firearm.id,
            armorer=me.id,
            issued=rounds.issued,
            fired=cmd.fired,
            returned=cmd.returned,
            misfired=cmd.misfired,
            balanced=balanced,
        )
    ]
    if not balanced:
        events.append(
            guards.open_incident_event(
                state,
                kind=IncidentKind.COUNT_DISCREPANCY,
                by=me.id,
                firearms=(firearm.id,),
                description=(
                    f"{firearm.id}: {rounds.issued} issued; counted {cmd.fired} fired, "
                    f"{cmd.returned} returned, {cmd.misfired} misfired; on record "
                    f"{rounds.fired} fired, {rounds.returned} returned, {rounds.misfired} "
                    "misfired."
                ),
            )
        )
    return events
