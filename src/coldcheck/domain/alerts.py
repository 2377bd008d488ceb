"""Alerts: what everyone on set must see now, derived from the state (never stored).

Refuse intent, record reality: what already happened is recorded, and this list makes it
visible until it is dealt with.

    R-51  an open incident, and firearms work stopped by it
    R-54  firearms and lots on evidence hold
    R-47  the armorer's stop
    R-52  every unanswered safety concern (a "stop" concern stops work)
    R-53  a missing firearm
    R-13  a firearm reported with someone who may not hold it
    R-15  a firearm still with a talent after "cut" (no current call for it)
    R-42  a misfire waiting to be cleared
    R-45  an armorer's permit expired
    R-46  more firearms out per armorer than the production allows
    R-49  waivers in force (shown in every report)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coldcheck.domain import gates
from coldcheck.domain.state import ProductionState
from coldcheck.domain.values import Role


@dataclass(frozen=True, kw_only=True, slots=True)
class Alert:
    rule: str
    level: str  # "stop" (firearms work stopped), "alarm" or "notice"
    subject: str  # the firearm, lot, incident, concern or person concerned
    message: str

    def to_json(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "level": self.level,
            "subject": self.subject,
            "message": self.message,
        }


def alerts(state: ProductionState, now: datetime) -> list[Alert]:
    found: list[Alert] = []
    for incident in state.incidents.values():
        if not incident.open:
            continue
        scope = f"{incident.firearm} stopped" if incident.firearm else "all firearms work stopped"
        found.append(
            Alert(
                rule="R-51",
                level="stop",
                subject=incident.id,
                message=f"Incident {incident.id} ({incident.kind.replace('_', ' ')}) is open: "
                f"{scope}. {incident.description}",
            )
        )
        held = [*incident.firearms, *incident.lots] if state.on_hold_kind(incident) else []
        if held:
            found.append(
                Alert(
                    rule="R-54",
                    level="alarm",
                    subject=incident.id,
                    message=f"Evidence hold for incident {incident.id}: {', '.join(held)}; do "
                    "not unload, clean or move (only to the investigator).",
                )
            )
    if state.stoppage is not None:
        who = state.people[state.stoppage.by].name
        found.append(
            Alert(
                rule="R-47",
                level="stop",
                subject=state.stoppage.by,
                message=f"{who} stopped firearms work: {state.stoppage.reason}",
            )
        )
    for concern in state.concerns.values():
        if concern.answered_seq:
            continue
        who = state.people[concern.by].name
        found.append(
            Alert(
                rule="R-52",
                level="stop" if concern.stop else "alarm",
                subject=concern.id,
                message=f"Unanswered safety concern {concern.id} from {who}"
                f"{' (stop)' if concern.stop else ''}: {concern.text}",
            )
        )
    found.extend(_custody_alerts(state, now))
    return found


def _custody_alerts(state: ProductionState, now: datetime) -> list[Alert]:
    found: list[Alert] = []
    for fid in sorted(state.missing):
        found.append(Alert(rule="R-53", level="alarm", subject=fid, message=f"{fid} is missing."))
    out = 0
    for fid, loc in state.location.items():
        if loc.person is None or fid in state.missing:
            continue
        out += 1
        holder = state.people[loc.person]
        if loc.reported and Role.ARMORER not in holder.roles:
            found.append(
                Alert(
                    rule="R-13",
                    level="alarm",
                    subject=fid,
                    message=f"{fid} was reported with {holder.name}, outside the armorer's "
                    "chain of custody: the armorer takes it back now.",
                )
            )
        elif Role.TALENT in holder.roles and fid not in state.calls:
            found.append(
                Alert(
                    rule="R-15",
                    level="alarm",
                    subject=fid,
                    message=f"{fid} is still with {holder.name} after the take: it goes "
                    "back to the armorer at 'cut'.",
                )
            )
    for fid, rounds in state.rounds.items():
        if rounds.misfire_at:
            found.append(
                Alert(
                    rule="R-42",
                    level="alarm",
                    subject=fid,
                    message=f"{fid} misfired at {rounds.misfire_at[11:19]} UTC: muzzle safe; "
                    f"the armorer clears it after {state.setting('misfire_wait_seconds')} s.",
                )
            )
    armorers = [
        p
        for p in state.people.values()
        if Role.ARMORER in p.roles and p.permit is not None and p.permit.valid_on(now.date())
    ]
    for person in state.people.values():
        if (
            Role.ARMORER in person.roles
            and person.permit
            and not person.permit.valid_on(now.date())
        ):
            found.append(
                Alert(
                    rule="R-45",
                    level="notice",
                    subject=person.id,
                    message=f"{person.name}'s armorer permit {person.permit.number} expired "
                    f"on {person.permit.expires.isoformat()}.",
                )
            )
    limit = state.setting("firearms_per_armorer")
    if out and out > limit * max(1, len(armorers)):
        found.append(
            Alert(
                rule="R-46",
                level="alarm",
                subject="",
                message=f"{out} firearms are out with {len(armorers)} armorer(s) holding a "
                f"valid permit; the production allows {limit} per armorer.",
            )
        )
    for waiver in state.waivers.values():
        found.append(
            Alert(
                rule="R-49",
                level="notice",
                subject=waiver.id,
                message=f"Waiver {waiver.id} by {state.people[waiver.advisor].name}: "
                f"{waiver.setting} = {waiver.value} ({waiver.rule}); {waiver.reason}",
            )
        )
    return found


def stop_reason(state: ProductionState) -> str:
    """One line saying why firearms work is stopped for the whole production, or ""."""
    gate = gates.stop_work(state)
    return f"{gate.rule}: {gate.why}" if gate else ""
