"""Decide: receiving ammunition lots and inspecting dummies.

A round found not inert in a dummy lot is treated as a live round found: an incident that
stops all firearms work, with the lot preserved as evidence (R-01, R-54).

R-01  live ammunition never enters a production's set inventory (refused)
R-06  every lot has a supplier and its provenance (refused without them)
R-05  a dummy lot becomes loadable only once every round in it was shown inert; a round
      found not inert is recorded as it is (refuse intent, record reality) and the lot
      is quarantined
"""

from __future__ import annotations

from coldcheck.domain import events as ev
from coldcheck.domain import guards
from coldcheck.domain.commands import Context, InspectDummies, ReceiveAmmunition
from coldcheck.domain.errors import InvalidInput, Refused
from coldcheck.domain.state import ProductionState
from coldcheck.domain.values import AmmoClass, IncidentKind, Role

ARMORERS = frozenset({Role.ARMORER})
MAX_LOT = 100_000


def receive(state: ProductionState, cmd: ReceiveAmmunition, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "receive ammunition", "R-11")
    if cmd.ammo_class is AmmoClass.LIVE:
        raise Refused(
            "R-01",
            "Live ammunition is never received into a production's set inventory.",
            "Send it back; live fire happens only in a range session "
            "approved by the safety advisor (R-02), with its own inventory.",
        )
    guards.require_permit(me, ctx)
    if not cmd.supplier.strip() or not cmd.provenance.strip():
        raise Refused(
            "R-06",
            "A lot without its supplier and provenance cannot be received.",
            "Record the supplier and the lot number or invoice; never accept "
            "home-made or unlabelled rounds.",
        )
    if not 1 <= cmd.count <= MAX_LOT:
        raise InvalidInput(
            f"A lot holds 1 to {MAX_LOT:,} rounds, not {cmd.count}.", "Count the rounds again."
        )
    if (cmd.ammo_class is AmmoClass.BLANK) != (cmd.load is not None):
        raise InvalidInput(
            "Blanks need their load (quarter, half, three_quarter, full); dummies have none.",
            "Give --load for blanks only.",
        )
    if cmd.close_range and cmd.ammo_class is not AmmoClass.BLANK:
        raise InvalidInput("Only blanks can be close-range blanks.", "Drop --close-range.")
    store = guards.store(state, cmd.store)
    lot = guards.next_id("A", len(state.lots))
    return [
        ev.AmmunitionReceived(
            lot=lot,
            ammo_class=cmd.ammo_class.value,
            calibre=cmd.calibre,
            load=cmd.load.value if cmd.load else "",
            close_range=cmd.close_range,
            count=cmd.count,
            supplier=cmd.supplier,
            provenance=cmd.provenance,
            store=store.id,
        )
    ]


def inspect_dummies(state: ProductionState, cmd: InspectDummies, ctx: Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "inspect dummies", "R-05")
    lot = state.lots.get(cmd.lot)
    if lot is None:
        raise InvalidInput(f"There is no ammunition lot {cmd.lot}.", "See 'coldcheck ammo list'.")
    if lot.ammo_class != AmmoClass.DUMMY.value:
        raise InvalidInput(
            f"Lot {lot.id} holds {lot.ammo_class}s, not dummies.", "Inspect a dummy lot."
        )
    if not cmd.methods:
        raise InvalidInput(
            "Say how the rounds were shown inert.",
            "Give --method rattle, case_hole or inert_primer.",
        )
    left = lot.received - lot.inert
    if not 1 <= cmd.inspected <= left or not 0 <= cmd.inert <= cmd.inspected:
        raise InvalidInput(
            f"Lot {lot.id} has {left} rounds left to inspect; the inert ones "
            "cannot outnumber the inspected ones.",
            "Count again.",
        )
    events: list[ev.Event] = [
        ev.DummyLotInspected(
            lot=lot.id,
            inspected=cmd.inspected,
            inert=cmd.inert,
            methods=tuple(sorted(m.value for m in cmd.methods)),
        )
    ]
    if cmd.inert < cmd.inspected:
        events.append(
            guards.open_incident_event(
                state,
                kind=IncidentKind.LIVE_ROUND_FOUND,
                by=me.id,
                lots=(lot.id,),
                description=f"{cmd.inspected - cmd.inert} round(s) in dummy lot {lot.id} "
                f"({lot.supplier}, {lot.provenance}) are not inert: treat them as live. "
                "Stop all firearms work; the lot is quarantined and preserved (R-01, R-05).",
            )
        )
    return events
