"""Decide: stores and their locks, registering and correcting firearms."""

from __future__ import annotations

from coldcheck.domain import events as ev
from coldcheck.domain import guards
from coldcheck.domain.commands import (
    AddStore,
    Context,
    CorrectFirearm,
    RegisterFirearm,
    SetStoreLock,
)
from coldcheck.domain.errors import Conflict, InvalidInput, Refused
from coldcheck.domain.state import ProductionState
from coldcheck.domain.values import Capacity, Role

ARMORERS = frozenset({Role.ARMORER})
CORRECTABLE = ("serial", "make", "model", "calibre", "capacity", "owner", "documents")


def add_store(state: ProductionState, cmd: AddStore, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "add a store", "R-12")
    if any(s.name.casefold() == cmd.name.casefold() for s in state.stores.values()):
        raise Conflict(f"There is already a store named {cmd.name}.", "Choose another name.")
    store_id = guards.next_id("S", len(state.stores))
    return [ev.StoreAdded(store=store_id, name=cmd.name, kind=cmd.kind, locked=cmd.locked)]


def set_lock(state: ProductionState, cmd: SetStoreLock, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    verb = "lock" if cmd.locked else "unlock"
    guards.require_role(me, ARMORERS, f"{verb} a store", "R-12")
    guards.require_permit(me, ctx)
    store = guards.store(state, cmd.store)
    if store.locked == cmd.locked:
        raise Conflict(f"{store.name} is already {verb}ed.", "Nothing to do.")
    event: ev.Event = (
        ev.StoreLocked(store=store.id) if cmd.locked else ev.StoreUnlocked(store=store.id)
    )
    return [event]


def register_firearm(state: ProductionState, cmd: RegisterFirearm, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    if state.head_armorer() is None:
        raise Refused(
            "R-11",
            "This production has no designated head armorer.",
            "Register the head armorer before adding firearms.",
        )
    guards.require_role(me, ARMORERS, "register a firearm", "R-11")
    guards.require_permit(me, ctx)
    store = guards.store(state, cmd.store)
    if any(f.serial == cmd.serial for f in state.firearms.values()):
        raise Conflict(
            f"A firearm with serial {cmd.serial} is already registered.",
            "Check the serial, or correct the existing entry.",
        )
    firearm_id = guards.next_id("F", len(state.firearms))
    return [
        ev.FirearmRegistered(
            firearm=firearm_id,
            serial=cmd.serial,
            make=cmd.make,
            model=cmd.model,
            action=cmd.action,
            calibre=cmd.calibre,
            chambers=cmd.capacity.chambers,
            magazine=cmd.capacity.magazine,
            kind=cmd.kind,
            owner=cmd.owner,
            documents=cmd.documents,
            store=store.id,
        )
    ]


def correct_firearm(state: ProductionState, cmd: CorrectFirearm, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "correct a firearm's register entry", "R-11")
    guards.require_permit(me, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    if cmd.field in ("capacity", "calibre") and (
        state.location[firearm.id].store is None or not state.rounds_in(firearm.id).empty
    ):
        raise Refused(
            "R-22",
            f"{firearm.id}'s {cmd.field} cannot change while it is out of its store or loaded: "
            "its check covers what it was.",
            "Put it away unloaded first; it is inspected again before its next use.",
        )
    if cmd.field not in CORRECTABLE:
        raise InvalidInput(
            f"{cmd.field!r} cannot be corrected.", f"Correct one of: {', '.join(CORRECTABLE)}."
        )
    if cmd.field == "capacity":
        Capacity.parse(cmd.value)
    if not cmd.reason.strip():
        raise InvalidInput("A correction needs a reason.", "Say why the entry was wrong.")
    if cmd.field == "serial" and any(
        f.id != firearm.id and f.serial == cmd.value for f in state.firearms.values()
    ):
        raise Conflict(
            f"A firearm with serial {cmd.value} is already registered.",
            "Check the serial, or correct the existing entry.",
        )
    return [
        ev.FirearmCorrected(
            firearm=firearm.id,
            entry=firearm.registered_seq,
            field=cmd.field,
            value=cmd.value,
            reason=cmd.reason,
        )
    ]
