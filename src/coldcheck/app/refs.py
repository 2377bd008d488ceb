"""Turning what a person types (an id, a name, a serial) into the id the domain uses."""

from __future__ import annotations

from collections.abc import Iterable

from coldcheck.domain.errors import InvalidInput, NotFound, Refused
from coldcheck.domain.state import ProductionState


def _match(kind: str, ref: str, items: Iterable[tuple[str, tuple[str, ...]]], hint: str) -> str:
    wanted = " ".join(ref.split()).casefold()
    if not wanted:
        raise InvalidInput(f"No {kind} was named.", hint)
    exact = [
        i for i, names in items if wanted == i.casefold() or wanted in (n.casefold() for n in names)
    ]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise InvalidInput(f"{ref!r} names more than one {kind}.", f"Use the id. {hint}")
    raise NotFound(f"There is no {kind} {ref!r} in this production.", hint)


def person(state: ProductionState, ref: str) -> str:
    return _match(
        "person",
        ref,
        ((p.id, (p.name,)) for p in state.people.values()),
        "See 'coldcheck person list'.",
    )


def firearm(state: ProductionState, ref: str) -> str:
    """A registered firearm; anything else is refused under R-04 (register it first)."""
    try:
        return _match(
            "firearm",
            ref,
            ((f.id, (f.serial,)) for f in state.firearms.values()),
            "See 'coldcheck firearm list'.",
        )
    except NotFound as exc:
        raise Refused(
            "R-04",
            f"No firearm {ref!r} is registered in this production.",
            "Register every firearm and replica with the armorer first (coldcheck firearm add).",
        ) from exc


def store(state: ProductionState, ref: str) -> str:
    return _match(
        "store",
        ref,
        ((s.id, (s.name,)) for s in state.stores.values()),
        "See 'coldcheck store list'.",
    )


def handoff(state: ProductionState, ref: str) -> str:
    """A hand-off by its id, or by the firearm it concerns."""
    if ref.upper() in state.handoffs:
        return ref.upper()
    try:
        fid = firearm(state, ref)
    except (NotFound, Refused):
        raise NotFound(
            f"There is no open hand-off {ref!r}.", "See 'coldcheck status' for hand-offs waiting."
        ) from None
    pending = state.pending_for(fid)
    if pending is None:
        raise NotFound(f"{fid} has no hand-off waiting.", "Propose one first.")
    return pending.id
