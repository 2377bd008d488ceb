"""Checks shared by the decide functions: who the actor is, what they may do, lookups."""

from __future__ import annotations

from coldcheck.domain import events as ev
from coldcheck.domain.commands import Context
from coldcheck.domain.errors import NotAuthorised, NotFound, Refused
from coldcheck.domain.state import Firearm, Person, ProductionState, Store
from coldcheck.domain.values import IncidentKind, Role

ROLE_NAMES = {
    Role.ARMORER: "armorer",
    Role.FIRST_AD: "1st AD",
    Role.TALENT: "talent",
    Role.SAFETY_ADVISOR: "safety advisor",
    Role.PRODUCER: "producer",
    Role.CREW: "crew",
    Role.INVESTIGATOR: "investigator",
}


def actor(state: ProductionState, ctx: Context) -> Person:
    person = state.people.get(ctx.actor)
    if person is None:
        raise NotAuthorised(
            f"{ctx.actor} is not a person of this production.", "Act as a registered person."
        )
    return person


def require_role(
    person: Person, roles: frozenset[Role], doing: str, rule: str | None = None
) -> None:
    if not person.roles & roles:
        names = " or ".join(sorted(ROLE_NAMES[r] for r in roles))
        raise NotAuthorised(
            f"{person.name} cannot {doing}: only the {names} can.", "Ask them to do it.", rule
        )


def require_admin(state: ProductionState, person: Person, doing: str) -> None:
    """Producers, safety advisors and the head armorer manage people and keys."""
    if person.head_armorer or person.roles & {Role.PRODUCER, Role.SAFETY_ADVISOR}:
        return
    raise NotAuthorised(
        f"{person.name} cannot {doing}.",
        "Ask the producer, the safety advisor or the head armorer.",
    )


def require_permit(person: Person, ctx: Context) -> None:
    """R-45: armorer actions need a permit on file that has not expired."""
    if person.permit is None:
        raise Refused(
            "R-45",
            f"{person.name} has no armorer permit on file.",
            "Record the permit (coldcheck person permit) before handling firearms.",
        )
    if not person.permit.valid_on(ctx.now.date()):
        raise Refused(
            "R-45",
            f"{person.name}'s armorer permit {person.permit.number} expired on "
            f"{person.permit.expires.isoformat()}.",
            "Record the renewed permit, or have another armorer do this.",
        )


def person(state: ProductionState, ref: str) -> Person:
    found = state.people.get(ref)
    if found is None:
        raise NotFound(
            f"There is no person {ref} in this production.",
            "Check the id with 'coldcheck person list'.",
        )
    return found


def firearm(state: ProductionState, ref: str) -> Firearm:
    found = state.firearms.get(ref)
    if found is None:
        raise Refused(
            "R-04",
            f"Firearm {ref} is not registered in this production.",
            "Register it with the armorer first (coldcheck firearm add).",
        )
    return found


def store(state: ProductionState, ref: str) -> Store:
    found = state.stores.get(ref)
    if found is None:
        raise NotFound(
            f"There is no store {ref} in this production.",
            "Check the id with 'coldcheck store list'.",
        )
    return found


def next_id(prefix: str, taken: int, width: int = 2) -> str:
    return f"{prefix}{taken + 1:0{width}d}"


def open_incident_event(
    state: ProductionState,
    *,
    kind: IncidentKind,
    by: str,
    description: str,
    firearms: tuple[str, ...] = (),
    lots: tuple[str, ...] = (),
    offset: int = 0,
) -> ev.IncidentOpened:
    """An incident opened as a consequence of a recorded fact (record reality)."""
    return ev.IncidentOpened(
        incident=next_id("I", len(state.incidents) + offset),
        kind=kind.value,
        firearm=firearms[0] if kind is IncidentKind.MALFUNCTION and firearms else "",
        firearms=firearms,
        lots=lots,
        by=by,
        description=description[:1000],
    )
