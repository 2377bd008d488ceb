"""Read models: projections of the ledger that feed the CLI (and later the API and pages)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coldcheck.domain import alerts as alerting
from coldcheck.domain import gates, verification
from coldcheck.domain.inspection import LoadState
from coldcheck.domain.state import Location, ProductionState
from coldcheck.domain.values import SETTINGS
from coldcheck.ledger.entry import decode, parse_time
from coldcheck.store.port import Store, StoredRecord

Row = dict[str, Any]


def _where(state: ProductionState, loc: Location) -> Row:
    if loc.store is not None:
        store = state.stores[loc.store]
        return {"kind": "store", "id": store.id, "name": store.name, "locked": store.locked}
    person = state.people[loc.person or ""]
    return {
        "kind": "person",
        "id": person.id,
        "name": person.name,
        "roles": sorted(r.value for r in person.roles),
    }


def status(state: ProductionState, now: datetime | None = None) -> list[Row]:
    """Where every firearm is now, with whom, since when, and any hand-off waiting."""
    rows = []
    for firearm in state.firearms.values():
        loc = state.location[firearm.id]
        pending = state.pending_for(firearm.id)
        rows.append(
            {
                "firearm": firearm.id,
                "serial": firearm.serial,
                "description": f"{firearm.make} {firearm.model}",
                "calibre": firearm.calibre,
                "where": _where(state, loc),
                "since": loc.since,
                "since_seq": loc.since_seq,
                "load_state": _load_state(state, firearm.id),
                "announce": None if now is None else _announce(state, firearm.id, now),
                "rounds": _rounds(state, firearm.id),
                "call": None
                if firearm.id not in state.calls
                else {"scene": state.calls[firearm.id].scene, "seq": state.calls[firearm.id].seq},
                "missing": firearm.id in state.missing,
                "evidence": (held.id if (held := state.on_hold(firearm=firearm.id)) else None),
                "handoff": None
                if pending is None
                else {
                    "id": pending.id,
                    "to": pending.receiver,
                    "to_name": state.people[pending.receiver].name,
                    "proposed": pending.proposed,
                },
            }
        )
    return rows


def _load_state(state: ProductionState, firearm: str) -> Row | None:
    """The verified load state from the newest inspection, or None if never inspected."""
    found = state.inspections.get(firearm)
    if found is None:
        return None
    text = str(
        LoadState(result=found.result, rounds=found.rounds, load=found.load, reason=found.reason)
    )
    return {
        "text": text,
        "result": found.result,
        "rounds": found.rounds,
        "load": found.load,
        "reason": found.reason,
        "phase": found.phase,
        # a void check still tells what was found then, no longer what the firearm holds now
        "current": not found.void,
        "void": f"the firearm was {found.void}" if found.void else None,
        "by": found.by,
        "by_name": state.people[found.by].name,
        "time": found.time,
        "seq": found.seq,
    }


def _announce(state: ProductionState, firearm: str, now: datetime) -> Row:
    """What the 1st AD may announce for this firearm now ("cold" or "hot"), and why not."""
    why = verification.problem(state, firearm, now)
    found = state.inspections.get(firearm)
    call = verification.ANNOUNCEABLE.get(found.result) if found and not why else None
    return {
        "may": not why,
        "call": call,
        "announced": found.announced or None if found else None,
        "why_not": why or None,
    }


def _rounds(state: ProductionState, firearm: str) -> Row:
    r = state.rounds_in(firearm)
    return {
        "loaded": [{"lot": lot, "count": n} for lot, n in r.loaded],
        "in_firearm": r.in_firearm,
        "spent": r.spent,
        "issued": r.issued,
        "fired": r.fired,
        "returned": r.returned,
        "misfired": r.misfired,
        "misfire_at": r.misfire_at or None,
        "reconciled": r.reconciled,
    }


def summary(state: ProductionState, now: datetime) -> Row:
    """The one-glance state of the production: stop-work, break, today's records, alerts."""
    stop = gates.stop_work(state)
    day = gates.today(now)
    return {
        "production": state.production,
        "name": state.name,
        "seq": state.seq,
        "day": day,
        "opening_check": bool(gates.shoot_day(state, now)),
        "on_break": state.on_break or None,
        "stop_work": None
        if stop is None
        else {"rule": stop.rule, "why": stop.why, "remedy": stop.remedy},
        "alerts": [a.to_json() for a in alerting.alerts(state, now)],
    }


def alerts(state: ProductionState, now: datetime) -> list[Row]:
    return [a.to_json() for a in alerting.alerts(state, now)]


def incidents(state: ProductionState) -> list[Row]:
    return [
        {
            "incident": i.id,
            "kind": i.kind,
            "open": i.open,
            "scope": i.firearm or "production",
            "firearms": list(i.firearms),
            "lots": list(i.lots),
            "evidence_hold": state.on_hold_kind(i) and i.open,
            "by": i.by,
            "by_name": state.people[i.by].name,
            "time": i.time,
            "seq": i.seq,
            "description": i.description,
            "closed_by": i.closed_by or None,
            "closed_seq": i.closed_seq or None,
            "findings": i.findings or None,
            "corrective_action": i.corrective_action or None,
        }
        for i in state.incidents.values()
    ]


def concerns(state: ProductionState) -> list[Row]:
    return [
        {
            "concern": c.id,
            "by": c.by,
            "by_name": state.people[c.by].name,
            "text": c.text,
            "stop": c.stop,
            "time": c.time,
            "answered": bool(c.answered_seq),
            "answered_by": c.answered_by or None,
            "answer": c.answer or None,
        }
        for c in state.concerns.values()
    ]


def plans(state: ProductionState) -> list[Row]:
    return [
        {
            "scene": p.scene,
            "mode": p.mode,
            "firearms": [
                {"firearm": fid, "class": cls, "rounds": n, "load": load or None}
                for fid, (cls, n, load) in p.entries.items()
            ],
            "distance_ft": p.distance_ft,
            "close_range": p.close_range,
            "shields": list(p.shields),
            "protection": list(p.protection),
            "pointing": p.pointing,
            "justification": p.justification,
            "risks": p.risks,
            "filed_by": p.by,
            "seq": p.seq,
            "approved": bool(p.approved_seq),
            "approved_by": p.approved_by or None,
        }
        for p in state.plans.values()
    ]


def meetings(state: ProductionState) -> list[Row]:
    return [
        {
            "meeting": m.id,
            "scene": m.scene,
            "day": m.day,
            "lead": m.lead,
            "attendees": sorted(m.attendees),
            "attendee_names": sorted(state.people[p].name for p in m.attendees),
            "confirmed": sorted(m.confirmed),
            "awaiting": sorted(m.attendees - m.confirmed),
            "awaiting_names": sorted(state.people[p].name for p in m.attendees - m.confirmed),
            "briefing": list(m.briefing),
            "seq": m.seq,
        }
        for m in state.meetings.values()
    ]


def waivers(state: ProductionState) -> list[Row]:
    return [
        {
            "waiver": w.id,
            "rule": w.rule,
            "setting": w.setting,
            "value": w.value,
            "advisor": w.advisor,
            "advisor_name": state.people[w.advisor].name,
            "reason": w.reason,
            "seq": w.seq,
        }
        for w in state.waivers.values()
    ]


def settings(state: ProductionState) -> list[Row]:
    return [
        {
            "setting": s.name,
            "value": state.setting(s.name),
            "default": s.default,
            "unit": s.unit,
            "rule": s.rule,
            "stricter": s.stricter,
            "waived": any(w.setting == s.name for w in state.waivers.values()),
        }
        for s in SETTINGS.values()
    ]


def people(state: ProductionState) -> list[Row]:
    return [
        {
            "person": p.id,
            "name": p.name,
            "roles": sorted(r.value for r in p.roles),
            "head_armorer": p.head_armorer,
            "key": p.key,
            "permit": None
            if p.permit is None
            else {
                "number": p.permit.number,
                "authority": p.permit.authority,
                "expires": p.permit.expires.isoformat(),
            },
        }
        for p in state.people.values()
    ]


def firearms(state: ProductionState) -> list[Row]:
    return [
        {
            "firearm": f.id,
            "serial": f.serial,
            "make": f.make,
            "model": f.model,
            "action": f.action,
            "calibre": f.calibre,
            "capacity": str(f.capacity),
            "positions": f.capacity.positions,
            "kind": f.kind,
            "owner": f.owner,
            "documents": list(f.documents),
        }
        for f in state.firearms.values()
    ]


def stores(state: ProductionState) -> list[Row]:
    held: dict[str, list[str]] = {}
    for fid, loc in state.location.items():
        if loc.store:
            held.setdefault(loc.store, []).append(fid)
    return [
        {
            "store": s.id,
            "name": s.name,
            "kind": s.kind,
            "locked": s.locked,
            "firearms": sorted(held.get(s.id, [])),
        }
        for s in state.stores.values()
    ]


def lots(state: ProductionState) -> list[Row]:
    """Ammunition lots by class, with counts and whether they may be loaded (R-05)."""
    return [
        {
            "lot": lot.id,
            "class": lot.ammo_class,
            "calibre": lot.calibre,
            "load": lot.load or None,
            "close_range": lot.close_range,
            "count": lot.count,
            "received": lot.received,
            "fired": lot.fired,
            "misfired": lot.misfired,
            "evidence": (held.id if (held := state.on_hold(lot=lot.id)) else None),
            "inert": lot.inert if lot.ammo_class == "dummy" else None,
            "suspect": lot.suspect,
            "loadable": lot.loadable,
            "supplier": lot.supplier,
            "provenance": lot.provenance,
            "store": lot.store,
            "store_name": state.stores[lot.store].name,
        }
        for lot in state.lots.values()
    ]


@dataclass(frozen=True, kw_only=True, slots=True)
class LogFilter:
    firearm: str | None = None
    person: str | None = None
    since: datetime | None = None
    until: datetime | None = None


# How many entries a backward walk reads at a time (log with ``newest``).
LOG_WINDOW = 512


def log(
    store: Store, state: ProductionState, where: LogFilter, newest: int | None = None
) -> list[Row]:
    """Ledger entries up to ``state``, oldest first, filtered by firearm, person and time.

    With ``newest``, only the newest that many matching entries: the ledger is read backwards
    in windows of LOG_WINDOW entries until enough are found, so a timeline costs what the
    recent history costs, not what the whole ledger does."""
    production = state.production
    if newest is None:
        stream = _up_to(store.read_stream(production), state.seq)
        rows = (_log_row(state, stored, where) for stored in stream)
        return [row for row in rows if row is not None]
    found: list[Row] = []
    high = state.seq
    while high > 0 and len(found) < newest:
        low = max(0, high - LOG_WINDOW)
        stream = _up_to(store.read_stream(production, after=low), high)
        rows = (_log_row(state, stored, where) for stored in stream)
        found = [row for row in rows if row is not None] + found
        high = low
    return found[-newest:] if newest else []


def _up_to(records: Iterator[StoredRecord], last: int) -> Iterator[StoredRecord]:
    """The records up to position ``last`` (the store's stream is in order)."""
    for record in records:
        if record.seq > last:
            return
        yield record
        if record.seq == last:
            return  # without reading one record more


def _log_row(state: ProductionState, stored: StoredRecord, where: LogFilter) -> Row | None:
    body = decode(stored.data).body
    moment = parse_time(body.time)
    if (where.since and moment < where.since) or (where.until and moment > where.until):
        return None
    values: set[str] = set()
    for value in body.payload.values():  # a firearm named alone or in a list (an incident's)
        if isinstance(value, str):
            values.add(value)
        elif isinstance(value, list | tuple):
            values.update(str(v) for v in value)
    if where.firearm and where.firearm not in values:
        return None
    if where.person and where.person not in values | {body.actor} | set(body.attest):
        return None
    return {
        "seq": body.seq,
        "time": body.time,
        "actor": body.actor,
        "actor_name": state.people[body.actor].name if body.actor in state.people else "",
        "type": body.type,
        "payload": body.payload,
        "attest": list(body.attest),
        "hash": stored.hash.hex(),
        "corrects": None if body.corrects is None else body.corrects.seq,
    }
