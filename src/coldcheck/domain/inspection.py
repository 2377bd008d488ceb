"""Load state as a verified fact: the armorer's inspection of every position and the barrel.

The armorer records what each position of the firearm's capacity holds (R-22: every chamber
and every round, never a sample) and whether the barrel is clear (R-19). coldcheck derives the
load state from that record; nobody types it:

    every position empty, barrel clear                -> EMPTY
    dummies from dummy lots (and empty positions)     -> DUMMIES x n
    blanks of one load from blank lots (and empty)    -> BLANKS x n (load)
    spent cases (and empty positions)                 -> SPENT x n (to be unloaded)
    spent cases and unfired blanks after a take       -> SPENT x n (to be unloaded)
    anything else: obstructed barrel, an unknown item,
    mixed classes or loads, a round of the wrong calibre,
    a dummy from a lot not shown inert, a live round  -> OUT OF SERVICE (R-25), until the
                                                         armorer clears it by a new inspection

What the inspection finds is recorded as it is (refuse intent, record reality), and some
findings open an incident at once:

    a live round in any position                      -> live round found (R-01), stop-work,
                                                         the firearm on evidence hold (R-54)
    an obstructed barrel (a squib)                    -> malfunction (R-25): that firearm stops
    rounds or spent cases other than those on record  -> count discrepancy (R-09)
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from coldcheck.domain import events as ev
from coldcheck.domain import guards
from coldcheck.domain.commands import Context, InspectFirearm
from coldcheck.domain.errors import InvalidInput, Refused
from coldcheck.domain.state import Firearm, Lot, ProductionState
from coldcheck.domain.values import IncidentKind, Role

ARMORERS = frozenset({Role.ARMORER})
ITEMS = ("empty", "dummy", "blank", "spent", "unknown", "live")


@dataclass(frozen=True, kw_only=True, slots=True)
class LoadState:
    result: str  # EMPTY, DUMMIES, BLANKS, SPENT, OUT_OF_SERVICE
    rounds: int = 0
    load: str = ""
    reason: str = ""

    def __str__(self) -> str:
        if self.result == "EMPTY":
            return "EMPTY"
        if self.result == "OUT_OF_SERVICE":
            return f"OUT OF SERVICE ({self.reason})"
        load = f" ({self.load.replace('_', '-')})" if self.load else ""
        return f"{self.result} x{self.rounds}{load}"


def parse_position(text: str) -> tuple[str, str]:
    """'empty', 'spent', 'unknown', 'live', or 'dummy:A01' / 'blank:A02' (the lot)."""
    item, _, lot = text.strip().lower().partition(":")
    if item not in ITEMS or (item in ("dummy", "blank")) != bool(lot):
        raise InvalidInput(
            f"Position {text!r} is not understood.",
            "Write empty, spent, unknown, live, dummy:LOT or blank:LOT.",
        )
    return item, lot.upper()


MAX_POSITIONS = 300
_REPEAT = re.compile(r"(\S+)(?:\s+[x\u00d7]\s*(\d+))?")  # "blank:A01 x6" (or the sign)


def expand_position(text: str) -> list[str]:
    """One written position, or 'ITEM xN' for N positions alike ('blank:A01 x6'), checked."""
    match = _REPEAT.fullmatch(text.strip())
    if match is None:
        raise InvalidInput(f"{text!r} is not understood.", "Write e.g. blank:A01 x6.")
    position, times = match.group(1), int(match.group(2) or 1)
    parse_position(position)
    if not 1 <= times <= MAX_POSITIONS:
        raise InvalidInput(f"Give 1 to {MAX_POSITIONS} positions.", "Count again.")
    return [position] * times


def assess(
    firearm: Firearm, positions: tuple[str, ...], barrel_clear: bool, lots: dict[str, Lot]
) -> LoadState:
    """The load state an inspection shows. Pure; never refuses (it records reality)."""
    if not barrel_clear:
        return LoadState(result="OUT_OF_SERVICE", reason="barrel obstructed")
    items = [parse_position(p) for p in positions]
    kinds = {item for item, _ in items} - {"empty"}
    if not kinds:
        return LoadState(result="EMPTY")
    if "live" in kinds:
        return LoadState(result="OUT_OF_SERVICE", reason="a live round (R-01)")
    if kinds == {"spent", "blank"}:
        # after a take: some blanks fired, the rest still in it (to be unloaded, not announced)
        unfired = [lots.get(lot) for item, lot in items if item == "blank"]
        problem = _lot_problem(firearm, "blank", unfired)
        if not problem:
            spent = sum(1 for item, _ in items if item == "spent")
            return LoadState(
                result="SPENT", rounds=spent, reason=f"{len(unfired)} unfired blank(s) still in it"
            )
    if "unknown" in kinds or len(kinds) > 1:
        return LoadState(result="OUT_OF_SERVICE", reason="unknown item or mixed classes")
    kind = kinds.pop()
    count = sum(1 for item, _ in items if item == kind)
    if kind == "spent":
        return LoadState(result="SPENT", rounds=count)
    used = [lots.get(lot) for item, lot in items if item == kind]
    problem = _lot_problem(firearm, kind, used)
    if problem:
        return LoadState(result="OUT_OF_SERVICE", reason=problem)
    loads = {lot.load for lot in used if lot is not None}
    if len(loads) > 1:
        return LoadState(result="OUT_OF_SERVICE", reason="blanks of different loads")
    return LoadState(
        result="DUMMIES" if kind == "dummy" else "BLANKS",
        rounds=count,
        load=loads.pop() if kind == "blank" else "",
    )


def _lot_problem(firearm: Firearm, kind: str, used: list[Lot | None]) -> str:
    if any(lot is None or lot.ammo_class != kind for lot in used):
        return f"a {kind} from no known {kind} lot"
    if any(lot is not None and lot.calibre != firearm.calibre for lot in used):
        return "a round of another calibre (R-07)"
    if kind == "dummy" and not all(lot is not None and lot.loadable for lot in used):
        return "a dummy from a lot not shown inert (R-05)"
    return ""


def inspect(state: ProductionState, cmd: InspectFirearm, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    firearm = guards.firearm(state, cmd.firearm)
    guards.require_role(me, ARMORERS, "inspect a firearm", "R-19")
    guards.require_permit(me, ctx)
    if state.holder(firearm.id) != me.id:
        raise Refused(
            "R-19",
            f"You do not hold {firearm.id}.",
            "Take it from its store (or back from the talent) before inspecting it.",
        )
    wanted = firearm.capacity.positions
    if len(cmd.positions) != wanted:
        raise Refused(
            "R-22",
            f"{firearm.id} has {wanted} positions to check ({firearm.capacity.chambers} "
            f"chambers, magazine {firearm.capacity.magazine}); the inspection covers "
            f"{len(cmd.positions)}.",
            "Check every chamber and the magazine, turning a cylinder fully.",
        )
    if cmd.phase not in ("pre_use", "post_use"):
        raise InvalidInput(f"Phase {cmd.phase!r} is not known.", "Use pre_use or post_use.")
    found = assess(firearm, cmd.positions, cmd.barrel_clear, state.lots)
    items = [parse_position(p) for p in cmd.positions]
    events: list[ev.Event] = [
        ev.FirearmInspected(
            firearm=firearm.id,
            armorer=me.id,
            phase=cmd.phase,
            positions=tuple(
                f"{i}:{lot}" if lot else i for i, lot in map(parse_position, cmd.positions)
            ),
            barrel="clear" if cmd.barrel_clear else "obstructed",
            result=found.result,
            rounds=found.rounds,
            load=found.load,
            reason=found.reason,
        )
    ]
    events.extend(_findings(state, firearm, items, cmd.barrel_clear, me.id))
    return events


def _findings(
    state: ProductionState,
    firearm: Firearm,
    items: list[tuple[str, str]],
    barrel_clear: bool,
    armorer: str,
) -> list[ev.Event]:
    """Incidents the inspection's findings open (record reality)."""
    found: list[ev.Event] = []

    def incident(kind: IncidentKind, description: str) -> None:
        found.append(
            guards.open_incident_event(
                state,
                kind=kind,
                by=armorer,
                firearms=(firearm.id,),
                description=description,
                offset=len(found),
            )
        )

    live = sum(1 for item, _ in items if item == "live")
    if live:
        loaded_from = tuple(lot for lot, _ in state.rounds_in(firearm.id).loaded)
        found.append(
            guards.open_incident_event(
                state,
                kind=IncidentKind.LIVE_ROUND_FOUND,
                by=armorer,
                firearms=(firearm.id,),
                lots=loaded_from,
                description=f"{live} live round(s) found in {firearm.id} (serial "
                f"{firearm.serial}) at inspection"
                + (f", loaded from lot(s) {', '.join(loaded_from)}" if loaded_from else "")
                + ". Stop all firearms work; preserve the firearm and rounds (R-54); those "
                "lots are quarantined (R-05).",
                offset=len(found),
            )
        )
    already = any(i.open and i.firearm == firearm.id for i in state.incidents.values())
    if not barrel_clear and not already:
        incident(
            IncidentKind.MALFUNCTION,
            f"Barrel of {firearm.id} obstructed at inspection (possible squib): out of "
            "service until the armorer clears it (R-25).",
        )
    held = Counter(lot for item, lot in items if item in ("dummy", "blank"))
    spent = sum(1 for item, _ in items if item == "spent")
    rounds = state.rounds_in(firearm.id)
    if not live and (held != Counter(dict(rounds.loaded)) or spent != rounds.spent):
        on_record = ", ".join(f"{n} from {lot}" for lot, n in rounds.loaded) or "no rounds"
        seen = ", ".join(f"{n} from {lot}" for lot, n in sorted(held.items())) or "no rounds"
        incident(
            IncidentKind.COUNT_DISCREPANCY,
            f"{firearm.id} holds {seen} and {spent} spent case(s); on record: {on_record} "
            f"and {rounds.spent} spent case(s) (R-09).",
        )
    return found
