"""Decide: the chain of custody (take, return, two-party hand-offs).

Invariant (held by ProductionState.location): each firearm is in exactly one store or with
exactly one person. A hand-off moves a firearm only when the receiver accepts it; until then
the giver still holds it, and a cancelled hand-off changes nothing.

The hand-offs allowed, by the roles of giver and receiver (everything else is refused):

    giver     receiver   rule
    armorer   talent     R-14  the armorer hands the firearm to the performer
    talent    armorer    R-14  the performer hands it back (at "cut", R-15)
"""

from __future__ import annotations

from coldcheck.domain import events as ev
from coldcheck.domain import guards
from coldcheck.domain.commands import (
    AcceptHandoff,
    CancelHandoff,
    Context,
    ProposeHandoff,
    ReturnFirearm,
    TakeFirearm,
)
from coldcheck.domain.errors import Conflict, NotAuthorised, NotFound, Refused
from coldcheck.domain.state import Handoff, Person, ProductionState
from coldcheck.domain.values import Role

ALLOWED_HANDOFFS: frozenset[tuple[Role, Role]] = frozenset(
    {
        (Role.ARMORER, Role.TALENT),
        (Role.TALENT, Role.ARMORER),
    }
)
ARMORERS = frozenset({Role.ARMORER})


def take(state: ProductionState, cmd: TakeFirearm, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    guards.require_role(me, ARMORERS, "take a firearm out of a store", "R-12")
    guards.require_permit(me, ctx)
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
    _check_roles(me, receiver)
    if Role.ARMORER in me.roles and Role.TALENT in receiver.roles:
        guards.require_permit(me, ctx)
    handoff = guards.next_id("H", state.handoffs_made, width=4)
    return [
        ev.HandoffProposed(handoff=handoff, firearm=firearm.id, giver=me.id, receiver=receiver.id)
    ]


def _check_roles(giver: Person, receiver: Person) -> None:
    if any((g, r) in ALLOWED_HANDOFFS for g in giver.roles for r in receiver.roles):
        return
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
