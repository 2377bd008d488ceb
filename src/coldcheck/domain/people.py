"""Decide: opening a production, registering people, permits, corrections and keys."""

from __future__ import annotations

from coldcheck.domain import events as ev
from coldcheck.domain import guards
from coldcheck.domain.commands import (
    Context,
    CorrectPerson,
    CreateKey,
    OpenProduction,
    RecordPermit,
    RegisterPerson,
    RevokeKey,
    RotateKey,
)
from coldcheck.domain.errors import Conflict, InvalidInput, NotAuthorised, Refused
from coldcheck.domain.state import ProductionState
from coldcheck.domain.values import Role


def open_production(state: ProductionState, cmd: OpenProduction, ctx: Context) -> list[ev.Event]:
    if state.opened:
        raise Conflict(
            f"Production {state.production} already exists in this store.",
            "Use another production id, or another --db.",
        )
    if not cmd.founder.roles & {Role.PRODUCER, Role.ARMORER, Role.SAFETY_ADVISOR}:
        raise InvalidInput(
            "The person who opens a production must be its producer, safety "
            "advisor or head armorer.",
            "Give the founder one of those roles.",
        )
    opened: list[ev.Event] = [
        ev.LedgerOpened(origin=cmd.origin, node_key=cmd.node_key),
        ev.ProductionCreated(production=cmd.production, name=cmd.name),
    ]
    return opened + _register(state, cmd.founder, founder=ctx.actor)


def register_person(state: ProductionState, cmd: RegisterPerson, ctx: Context) -> list[ev.Event]:
    registrar = guards.actor(state, ctx)
    guards.require_admin(state, registrar, "register people")
    return _register(state, cmd, founder=None)


def _register(state: ProductionState, cmd: RegisterPerson, founder: str | None) -> list[ev.Event]:
    person_id = founder or cmd.person or guards.next_id("P", len(state.people))
    if person_id in state.people:
        raise Conflict(f"Person id {person_id} is already taken.", "Try again.")
    if any(p.name.casefold() == cmd.name.casefold() for p in state.people.values()):
        raise Conflict(
            f"There is already a person named {cmd.name}.",
            "Add a middle initial or department to tell them apart.",
        )
    if cmd.head_armorer and Role.ARMORER not in cmd.roles:
        raise InvalidInput("Only an armorer can be the head armorer.", "Add the armorer role.")
    if cmd.head_armorer and state.head_armorer() is not None:
        raise Conflict(
            "This production already has a head armorer.",
            "Register this person as an assistant armorer.",
        )
    if Role.SAFETY_ADVISOR in cmd.roles and len(cmd.roles) > 1:
        raise Refused(
            "R-49",
            "The safety advisor is independent of every other role on the production.",
            "Register the safety advisor with that role alone.",
        )
    if Role.ARMORER in cmd.roles and Role.FIRST_AD in cmd.roles:
        raise Refused(
            "R-16",
            "The armorer has no other duties while firearms are out; the 1st AD's check "
            "witnesses the armorer's.",
            "Register the armorer and the 1st AD as two people.",
        )
    if Role.INVESTIGATOR in cmd.roles and len(cmd.roles) > 1:
        raise InvalidInput(
            "An investigator has no other role on the production.",
            "Register the investigator with that role alone.",
        )
    out: list[ev.Event] = [
        ev.PersonRegistered(
            person=person_id,
            name=cmd.name,
            roles=tuple(sorted(r.value for r in cmd.roles)),
            head_armorer=cmd.head_armorer,
        ),
        ev.KeyCreated(person=person_id, key=cmd.key, public_key=cmd.public_key),
    ]
    if cmd.permit is not None:
        if Role.ARMORER not in cmd.roles:
            raise InvalidInput("Only armorers carry an armorer permit.", "Add the armorer role.")
        out.append(
            ev.PermitRecorded(
                person=person_id,
                number=cmd.permit.number,
                authority=cmd.permit.authority,
                expires=cmd.permit.expires.isoformat(),
            )
        )
    return out


def record_permit(state: ProductionState, cmd: RecordPermit, ctx: Context) -> list[ev.Event]:
    registrar = guards.actor(state, ctx)
    guards.require_admin(state, registrar, "record permits")
    holder = guards.person(state, cmd.person)
    if Role.ARMORER not in holder.roles:
        raise InvalidInput(f"{holder.name} is not an armorer.", "Record permits for armorers.")
    if holder.id == registrar.id:
        raise Refused(
            "R-45",
            f"{holder.name} cannot record their own armorer permit.",
            "The producer or the safety advisor checks the permit and records it.",
        )
    return [
        ev.PermitRecorded(
            person=holder.id,
            number=cmd.permit.number,
            authority=cmd.permit.authority,
            expires=cmd.permit.expires.isoformat(),
        )
    ]


def correct_person(state: ProductionState, cmd: CorrectPerson, ctx: Context) -> list[ev.Event]:
    registrar = guards.actor(state, ctx)
    guards.require_admin(state, registrar, "correct people's details")
    target = guards.person(state, cmd.person)
    if not cmd.reason.strip():
        raise InvalidInput("A correction needs a reason.", "Say why the entry was wrong.")
    if any(
        p.id != target.id and p.name.casefold() == cmd.name.casefold()
        for p in state.people.values()
    ):
        raise Conflict(
            f"There is already a person named {cmd.name}.",
            "Add a middle initial or department to tell them apart.",
        )
    return [
        ev.PersonCorrected(
            person=target.id, entry=target.registered_seq, name=cmd.name, reason=cmd.reason
        )
    ]


def rotate_key(state: ProductionState, cmd: RotateKey, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    if me.id != cmd.person:
        raise NotAuthorised(
            "Only the key's owner can rotate it.", "Ask them, or revoke the key instead."
        )
    if me.key is None:
        raise Conflict(f"{me.name} has no active key to rotate.", "Create a new key instead.")
    return [ev.KeyRotated(person=me.id, old_key=me.key, key=cmd.key, public_key=cmd.public_key)]


def create_key(state: ProductionState, cmd: CreateKey, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    target = guards.person(state, cmd.person)
    # Always an admin, even for one's own key: a key is usually revoked because a device or a
    # PIN was compromised, and whoever holds them must not be able to mint a replacement.
    guards.require_admin(state, me, "create a new personal key")
    if target.key is not None:
        raise Conflict(
            f"{target.name} already has an active key.", "Rotate it, or revoke it first."
        )
    return [ev.KeyCreated(person=target.id, key=cmd.key, public_key=cmd.public_key)]


def revoke_key(state: ProductionState, cmd: RevokeKey, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    target = guards.person(state, cmd.person)
    if me.id != target.id:
        guards.require_admin(state, me, "revoke someone else's key")
    if target.key is None:
        raise Conflict(f"{target.name} has no active key.", "Nothing to revoke.")
    return [ev.KeyRevoked(person=target.id, key=target.key, reason=cmd.reason)]
