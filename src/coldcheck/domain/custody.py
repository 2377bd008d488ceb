"""Decide: the chain of custody (take, return, two-party hand-offs).

Invariant (held by ProductionState.location): each firearm is in exactly one store or with
exactly one person. A hand-off moves a firearm only when the receiver accepts it; until then
the giver still holds it, and a cancelled hand-off changes nothing.

The hand-offs allowed, by the roles of giver and receiver (everything else is refused):

    giver     receiver      rule
    armorer   talent        R-14  the armorer hands the firearm to the performer, only when
                                  every issue gate holds (gates.issue_problems)
    talent    armorer       R-14  the performer hands it back (at "cut", R-15)
    anyone    investigator  R-54  only a firearm on evidence hold
    investigator armorer    R-54  once the hold is released
    anyone    armorer       R-13  a firearm reported found outside the chain goes back

A firearm on evidence hold moves only into an investigator's custody. Putting a firearm back
into a store needs it unloaded (R-12), inspected after use (R-19) and counted (R-09).
"""

from __future__ import annotations

from coldcheck.domain import events as ev
from coldcheck.domain import gates, guards
from coldcheck.domain.commands import (
    AcceptHandoff,
    CancelHandoff,
    Context,
    ProposeHandoff,
    ReturnFirearm,
    TakeFirearm,
)
from coldcheck.domain.errors import Conflict, NotAuthorised, NotFound, Refused
from coldcheck.domain.state import Firearm, Handoff, Person, ProductionState
from coldcheck.domain.values import Role

ALLOWED_HANDOFFS: frozenset[tuple[Role, Role]] = frozenset(
    {
        (Role.ARMORER, Role.TALENT),
        (Role.TALENT, Role.ARMORER),
        (Role.INVESTIGATOR, Role.ARMORER),
    }
)
ARMORERS = frozenset({Role.ARMORER})


def take(state: ProductionState, cmd: TakeFirearm, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    guards.require_role(me, ARMORERS, "take a firearm out of a store", "R-12")
    guards.require_permit(me, ctx)
    what = f"{firearm.id} cannot be taken out"
    gates.require_not_held(state, what, firearm=firearm.id)
    gates.require_not_on_break(state, what)
    if firearm.id in state.missing:
        raise Refused(
            "R-53",
            f"{what}: it is reported missing.",
            "Report where it was found first (coldcheck custody report).",
        )
    where = state.location[firearm.id]
    if where.store is None:
        holder = state.people[where.person or ""].name
        raise Conflict(
            f"{firearm.id} is not in a store: {holder} holds it.",
            "Ask them to hand it to you instead.",
        )
    store = state.stores[where.store]
    if store.locked:
        raise Refused(
            "R-12",
            f"{store.name} is locked.",
            f"Unlock {store.name} first (coldcheck store unlock).",
        )
    return [ev.FirearmTaken(firearm=firearm.id, store=store.id, by=me.id)]


def put_back(state: ProductionState, cmd: ReturnFirearm, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    guards.require_role(me, ARMORERS, "put a firearm into a store", "R-12")
    store = guards.store(state, cmd.store)
    holder = state.holder(firearm.id)
    if holder != me.id:
        where = state.people[holder].name if holder else "a store"
        raise Refused(
            "R-14",
            f"{firearm.id} is with {where}, not with you.",
            "Only the armorer holding it can put it away; take it back first.",
        )
    if state.pending_for(firearm.id):
        raise Conflict(f"{firearm.id} has a hand-off waiting.", "Cancel the hand-off first.")
    if store.locked:
        raise Refused("R-12", f"{store.name} is locked.", f"Unlock {store.name} first.")
    what = f"{firearm.id} cannot go into a store"
    gates.require_not_held(state, what, firearm=firearm.id)
    rounds = state.rounds_in(firearm.id)
    if not rounds.empty:
        raise Refused(
            "R-12",
            f"{what}: it still holds rounds, spent cases or a misfire.",
            "Unload it first (coldcheck unload).",
        )
    if firearm.id in state.post_use_due:
        raise Refused(
            "R-19",
            f"{what}: it has not been inspected since it came back from the talent.",
            "Inspect every position and the barrel after use (coldcheck inspect --post-use).",
        )
    if not rounds.reconciled:
        raise Refused(
            "R-09",
            f"{what}: {rounds.issued} round(s) issued and {rounds.fired} fired since its last "
            "count are not counted back.",
            "Reconcile the count (coldcheck reconcile).",
        )
    return [ev.FirearmReturned(firearm=firearm.id, store=store.id, by=me.id)]


def propose(state: ProductionState, cmd: ProposeHandoff, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    receiver = guards.person(state, cmd.receiver)
    if state.holder(firearm.id) != me.id:
        raise NotAuthorised(
            f"You do not hold {firearm.id}.",
            "Only the person holding a firearm can hand it over.",
            "R-14",
        )
    if state.pending_for(firearm.id):
        raise Conflict(
            f"{firearm.id} already has a hand-off waiting.",
            "Wait for it to be accepted, or cancel it.",
        )
    if receiver.id == me.id:
        raise Conflict("You already hold it.", "Name the person you hand it to.")
    _check_roles(state, firearm.id, me, receiver)
    if _is_issue(me, receiver):
        guards.require_permit(me, ctx)
        _require_issue_gates(state, firearm, me, receiver, ctx)
    handoff = guards.next_id("H", state.handoffs_made, width=4)
    return [
        ev.HandoffProposed(handoff=handoff, firearm=firearm.id, giver=me.id, receiver=receiver.id)
    ]


def _is_issue(giver: Person, receiver: Person) -> bool:
    return Role.ARMORER in giver.roles and Role.TALENT in receiver.roles


def _require_issue_gates(
    state: ProductionState, firearm: Firearm, giver: Person, receiver: Person, ctx: Context
) -> None:
    problems = gates.issue_problems(state, firearm, giver, receiver, ctx.now)
    if problems:
        first = problems[0]
        more = [f"{g.rule}: {g.why}" for g in problems[1:]]
        tail = f" Also: {'; '.join(more)}." if more else ""
        raise Refused(
            first.rule,
            f"{firearm.id} cannot be issued to {receiver.name}: {first.why}.",
            first.remedy + tail,
        )


def _check_roles(state: ProductionState, firearm: str, giver: Person, receiver: Person) -> None:
    held = state.on_hold(firearm=firearm)
    if held is not None:
        if Role.INVESTIGATOR in receiver.roles:
            return
        raise Refused(
            "R-54",
            f"{firearm} is evidence for incident {held.id}: it moves only into an "
            "investigator's custody.",
            "Keep it as it is and hand it to the investigator.",
        )
    if Role.INVESTIGATOR in receiver.roles:
        raise Refused(
            "R-54",
            f"{firearm} is not on evidence hold; an investigator takes only evidence.",
            "Keep it in the armorer's custody.",
        )
    if any((g, r) in ALLOWED_HANDOFFS for g in giver.roles for r in receiver.roles):
        return
    if state.location[firearm].reported and Role.ARMORER in receiver.roles:
        return  # found outside the chain (reported): it goes straight back to an armorer
    if Role.ARMORER in giver.roles:
        raise Refused(
            "R-13",
            f"A firearm can be handed only to the talent using it; {receiver.name} is not talent.",
            "Keep it, or put it in a locked store.",
        )
    raise Refused(
        "R-14",
        f"Only the armorer hands a firearm to a performer and takes it back; "
        f"{giver.name} cannot hand it to {receiver.name}.",
        "Hand it back to the armorer.",
    )


def _pending(state: ProductionState, handoff_id: str) -> Handoff:
    handoff = state.handoffs.get(handoff_id)
    if handoff is None:
        raise NotFound(
            f"There is no open hand-off {handoff_id}.",
            "It may have been accepted or cancelled already; check the status.",
        )
    return handoff


def accept(state: ProductionState, cmd: AcceptHandoff, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    handoff = _pending(state, cmd.handoff)
    if handoff.receiver != me.id:
        raise NotAuthorised(
            f"Hand-off {handoff.id} is for {state.people[handoff.receiver].name}.",
            "Only the named receiver can accept it.",
            "R-18",
        )
    giver = state.people[handoff.giver]
    _check_roles(state, handoff.firearm, giver, me)  # an evidence hold since the proposal
    if _is_issue(giver, me):
        guards.require_permit(giver, ctx)  # the permit may have lapsed since the proposal
        _require_issue_gates(state, state.firearms[handoff.firearm], giver, me, ctx)
    return [
        ev.HandoffAccepted(
            handoff=handoff.id,
            firearm=handoff.firearm,
            giver=handoff.giver,
            receiver=handoff.receiver,
        )
    ]


def cancel(state: ProductionState, cmd: CancelHandoff, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    handoff = _pending(state, cmd.handoff)
    if me.id not in (handoff.giver, handoff.receiver):
        raise NotAuthorised(
            f"{me.name} is not part of hand-off {handoff.id}.",
            "Only the giver or the receiver can cancel it.",
        )
    return [ev.HandoffCancelled(handoff=handoff.id, firearm=handoff.firearm, by=me.id)]
