"""Decide: the shooting day's records and gates.

R-03  the armorer's opening check, each day, before any firearm is issued
R-32  the day's schedule of firearm use, recorded with the opening check
R-44  training per person and kind of firearm (its action)
R-31  a scene's firearms plan with its risk assessment: filed by the armorer, approved by the
      safety advisor or the producer; R-35 why a blank-firing gun is needed, R-36 pointing
      toward a person or the lens, R-38 the blank stand-off, R-40 shields and protection
R-30  the day's safety meeting for a scene: the lead's roll call, and each person on it
      confirming with their own PIN that they were briefed; its briefing carries the rules
      software cannot enforce (R-10, R-37, R-39, R-43, R-50)
R-27  the 1st AD calls for a firearm in the current set-up; "cut" ends the take (R-15)
R-08  a break or wrap only with every firearm and round in a locked store; R-17 wrap also
      needs every count reconciled
R-02  live ammunition only for a range session the safety advisor approved, in its own
      inventory
Settings: a production may make a setting stricter; loosening one needs the safety advisor's
signed waiver (a ledger entry shown in every report).
"""

from __future__ import annotations

import re
from datetime import date

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain import gates, guards
from coldcheck.domain.errors import Conflict, InvalidInput, NotAuthorised, Refused
from coldcheck.domain.state import ProductionState
from coldcheck.domain.values import SETTINGS, Action, BlankLoad, Role, Setting, choice

ARMORERS = frozenset({Role.ARMORER})
FIRST_AD = frozenset({Role.FIRST_AD})
REVIEWERS = frozenset({Role.SAFETY_ADVISOR, Role.PRODUCER})
BLANK_FIRING = ("blank_firing_real", "blank_firing_replica")
MODES = ("rehearsal", "take")
POINTING = ("none", "person", "lens")
BREAKS = ("break", "lunch", "wrap")
_SCENE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/-]{0,23}")

BRIEF_RULES = (
    "R-10 No smoking where ammunition is stored.",
    "R-37 Finger off the trigger until ready to fire; know the target.",
    "R-39 Never discharge anything with a projectile or forward blast directly at anyone.",
    "R-43 No horseplay; no firearm for anyone impaired: tell the armorer.",
    "R-50 Anyone may stop the work and raise a concern (coldcheck concern raise).",
)


def scene_name(value: str) -> str:
    cleaned = " ".join(value.split())
    if not _SCENE.fullmatch(cleaned):
        raise InvalidInput(
            f"Scene {value!r} is not a scene name.",
            "Use the scene number or a short name (letters, digits, . _ / -).",
        )
    return cleaned


def open_day(state: ProductionState, cmd: c.OpenDay, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "record the opening check", "R-03")
    guards.require_permit(me, ctx)
    day = gates.today(ctx.now)
    if gates.shoot_day(state, ctx.now):
        raise Conflict(
            "This shoot day's opening check is already on record.",
            "Nothing to do; the next one follows wrap.",
        )
    swept = tuple(" ".join(s.split()) for s in cmd.swept if s.strip())
    if not swept:
        raise InvalidInput(
            "Say what was swept for live rounds.",
            "Name each store, cart and belt checked (--swept 'Main safe' --swept 'Belts').",
        )
    return [
        ev.DayOpened(
            armorer=me.id, day=day, swept=swept, schedule=" ".join(cmd.schedule.split())[:500]
        )
    ]


def record_training(
    state: ProductionState, cmd: c.RecordTraining, ctx: c.Context
) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "record training", "R-44")
    guards.require_permit(me, ctx)
    trainee = guards.person(state, cmd.person)
    action = choice(Action, cmd.action, "firearm action").value
    if (trainee.id, action) in state.training:
        raise Conflict(
            f"{trainee.name}'s training for a {action.replace('_', ' ')} is on record already.",
            "Nothing to do.",
        )
    return [
        ev.TrainingRecorded(
            person=trainee.id, action=action, trainer=me.id, note=" ".join(cmd.note.split())
        )
    ]


def file_plan(state: ProductionState, cmd: c.FilePlan, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "file a scene firearms plan", "R-31")
    guards.require_permit(me, ctx)
    scene = scene_name(cmd.scene)
    if cmd.mode not in MODES:
        raise InvalidInput(f"Mode {cmd.mode!r} is not known.", "Use rehearsal or take.")
    if cmd.pointing not in POINTING:
        raise InvalidInput(f"Pointing {cmd.pointing!r} is not known.", "Use none, person or lens.")
    if not cmd.firearms:
        raise InvalidInput("A plan names at least one firearm.", "Give --firearm F01:blank:6:half.")
    if not 0 <= cmd.distance_ft <= 1000:
        raise InvalidInput("The distance is 0 to 1000 feet.", "Measure it again.")
    entries = [_entry(state, e) for e in cmd.firearms]
    if len({e.firearm for e in entries}) != len(entries):
        raise InvalidInput("A firearm is named twice in the plan.", "Name each firearm once.")
    blanks = [e for e in entries if e.ammo_class == "blank"]
    if blanks:
        least = state.setting("blank_distance_ft")
        if cmd.distance_ft < least and not cmd.close_range:
            raise Refused(
                "R-38",
                f"Blanks are planned with {cmd.distance_ft} ft between muzzle and people; "
                f"at least {least} ft is required.",
                "Increase the distance, or plan special close-range blanks.",
            )
        if not _texts(cmd.shields) or not _texts(cmd.protection):
            raise Refused(
                "R-40",
                "A blank-firing plan must list the shields and the eye and ear protection.",
                "Add --shield and --protection for everyone near the blank fire.",
            )
    firing = [e for e in entries if state.firearms[e.firearm].kind in BLANK_FIRING]
    if firing and not cmd.justification.strip():
        raise Refused(
            "R-35",
            "The plan does not say why a blank-firing gun is needed instead of a replica.",
            "State why rubber, replica or airsoft with effects would not get the shot.",
        )
    return [
        ev.PlanFiled(
            scene=scene,
            armorer=me.id,
            mode=cmd.mode,
            firearms=tuple(str(e) for e in entries),
            distance_ft=cmd.distance_ft,
            close_range=cmd.close_range,
            shields=_texts(cmd.shields),
            protection=_texts(cmd.protection),
            pointing=cmd.pointing,
            justification=" ".join(cmd.justification.split())[:500],
            risks=" ".join(cmd.risks.split())[:1000],
        )
    ]


def _texts(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(" ".join(v.split())[:120] for v in values if v.strip())


def _entry(state: ProductionState, entry: c.PlanEntry) -> c.PlanEntry:
    firearm = guards.firearm(state, entry.firearm)
    if entry.ammo_class not in ("empty", "dummy", "blank"):
        raise InvalidInput(
            f"{firearm.id}: load class {entry.ammo_class!r} is not known.",
            "Use empty, dummy or blank (live is never on set, R-01).",
        )
    positions = firearm.capacity.positions
    if entry.ammo_class == "empty":
        if entry.rounds or entry.load:
            raise InvalidInput(f"{firearm.id} is planned empty: no rounds.", "Write F01:empty.")
        return c.PlanEntry(firearm=firearm.id, ammo_class="empty")
    if not 1 <= entry.rounds <= positions:
        raise InvalidInput(
            f"{firearm.id} holds 1 to {positions} rounds, not {entry.rounds}.",
            "Give the number of rounds the action needs.",
        )
    load = ""
    if entry.ammo_class == "blank":
        load = choice(BlankLoad, entry.load, "blank load").value if entry.load else ""
        if not load:
            raise InvalidInput(
                f"{firearm.id}: blanks need their load.",
                "Write F01:blank:6:quarter (quarter, half, three_quarter, full).",
            )
    elif entry.load:
        raise InvalidInput(f"{firearm.id}: dummies have no load.", "Write F01:dummy:6.")
    return c.PlanEntry(
        firearm=firearm.id, ammo_class=entry.ammo_class, rounds=entry.rounds, load=load
    )


def approve_plan(state: ProductionState, cmd: c.ApprovePlan, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, REVIEWERS, "approve a firearms plan", "R-31")
    plan = state.plans.get(cmd.scene)
    if plan is None:
        raise Refused(
            "R-31", f"Scene {cmd.scene} has no firearms plan.", "The armorer files one first."
        )
    if plan.approved_seq:
        raise Conflict(f"The plan for scene {cmd.scene} is approved already.", "Nothing to do.")
    if plan.by == me.id:
        raise Refused(
            "R-31",
            f"{me.name} filed this plan and cannot approve it too.",
            "The safety advisor or a producer who did not write it approves it.",
        )
    return [ev.PlanApproved(scene=plan.scene, approver=me.id, plan=plan.seq)]


def briefing(state: ProductionState, scene: str) -> tuple[str, ...]:
    """What the meeting covers: the plan, its limits, and the rules briefed by people."""
    plan = state.plans[scene]
    lines = [f"Scene {scene}, {plan.mode}."]
    for fid, (ammo_class, rounds, load) in plan.entries.items():
        f = state.firearms[fid]
        what = "empty" if ammo_class == "empty" else f"{rounds} {ammo_class} rounds"
        if load:
            what += f" ({load.replace('_', '-')} load)"
        lines.append(f"{fid} {f.make} {f.model} (serial {f.serial}): {what}.")
    if any(a == "blank" for a, _, _ in plan.entries.values()):
        close = " with close-range blanks" if plan.close_range else ""
        lines.append(f"R-38 Keep {plan.distance_ft} ft between muzzle and anyone{close}.")
        lines.append(
            f"R-40 Shields: {', '.join(plan.shields)}; protection: {', '.join(plan.protection)}."
        )
        lines.append("R-41 Nobody fires before the 1st AD's hot announcement.")
    if plan.pointing != "none":
        lines.append(
            f"R-36 The armorer approved pointing toward the {plan.pointing} for this shot."
        )
    else:
        lines.append("R-36 Never point a firearm at anyone or at the lens.")
    if plan.risks:
        lines.append(f"Risks: {plan.risks}")
    lines.append("Abort: anyone calls 'stop'; firearms go straight back to the armorer.")
    lines.append("Chain of command: the armorer decides on firearms; the 1st AD runs the set.")
    lines.extend(BRIEF_RULES)
    return tuple(lines)


def hold_meeting(state: ProductionState, cmd: c.HoldMeeting, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS | FIRST_AD, "hold the safety meeting", "R-30")
    if cmd.scene not in state.plans:
        raise Refused(
            "R-31",
            f"Scene {cmd.scene} has no firearms plan to brief.",
            "The armorer files the plan first.",
        )
    if not gates.shoot_day(state, ctx.now):
        raise Refused(
            "R-30",
            "No shoot day is open, so a meeting now would brief nobody for any day.",
            "The armorer records the day's opening check first (coldcheck day open).",
        )
    attendees = {guards.person(state, p).id for p in cmd.attendees} | {me.id}
    return [
        ev.MeetingHeld(
            meeting=guards.next_id("M", len(state.meetings)),
            scene=cmd.scene,
            lead=me.id,
            attendees=tuple(sorted(attendees)),
            briefing=briefing(state, cmd.scene),
        )
    ]


def attend_meeting(state: ProductionState, cmd: c.AttendMeeting, ctx: c.Context) -> list[ev.Event]:
    """R-30: a person on the roll confirms, signed with their PIN, that they were briefed."""
    me = guards.actor(state, ctx)
    wanted = cmd.meeting.strip().upper()
    meeting = state.meetings.get(wanted)
    if meeting is None:
        raise InvalidInput(
            f"There is no safety meeting {wanted[:12]!r}.",
            "Use a meeting id from the meetings list (coldcheck meeting list).",
        )
    if me.id == meeting.lead:
        raise NotAuthorised(
            f"{me.name} led meeting {meeting.id} and signed it; the lead does not confirm it.",
            "Hand the device to the others on the roll: each confirms with their own PIN.",
            "R-30",
        )
    if me.id in meeting.confirmed:
        raise Conflict(
            f"{me.name} has already confirmed being at meeting {meeting.id}.",
            "Nothing more is needed.",
        )
    if me.id not in meeting.attendees:
        raise NotAuthorised(
            f"{me.name} is not on the roll of meeting {meeting.id}.",
            "Only people the lead counted present confirm; otherwise the lead holds the "
            "meeting again with you present.",
            "R-30",
        )
    problem = gates.attendance_problem(state, meeting, me, ctx.now)
    if problem is not None:
        raise problem.refusal(f"{me.name} cannot confirm meeting {meeting.id}")
    return [ev.MeetingAttended(meeting=meeting.id, person=me.id)]


def call_firearm(state: ProductionState, cmd: c.CallFirearm, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, FIRST_AD, "call for a firearm", "R-27")
    firearm = guards.firearm(state, cmd.firearm)
    gates.require_no_stop(state, f"{firearm.id} cannot be called", firearm.id)
    gates.require_not_on_break(state, f"{firearm.id} cannot be called")
    if firearm.id in state.missing:
        raise Refused("R-53", f"{firearm.id} is reported missing.", "Find it first.")
    plan = state.plans.get(cmd.scene)
    if plan is None or not plan.approved_seq or firearm.id not in plan.entries:
        raise Refused(
            "R-31",
            f"Scene {cmd.scene} has no approved firearms plan naming {firearm.id}.",
            "The armorer files the plan and the safety advisor or producer approves it.",
        )
    current = state.calls.get(firearm.id)
    if current is not None and current.scene == cmd.scene:
        raise Conflict(f"{firearm.id} is already called for scene {cmd.scene}.", "Nothing to do.")
    return [ev.FirearmCalled(firearm=firearm.id, scene=cmd.scene, by=me.id)]


def cut(state: ProductionState, cmd: c.CutTake, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, FIRST_AD, "call cut", "R-15")
    if not any(call.scene == cmd.scene for call in state.calls.values()):
        raise Conflict(f"No firearm is called for scene {cmd.scene}.", "Nothing to cut.")
    return [ev.TakeCut(scene=cmd.scene, by=me.id)]


def outstanding(state: ProductionState, *, wrap: bool) -> list[str]:
    """What keeps a break (R-08) or wrap (R-08, R-17) from being called."""
    out: list[str] = []
    for fid, loc in state.location.items():
        if loc.person is not None:
            out.append(f"{fid} is with {state.people[loc.person].name}")
    used = {loc.store for loc in state.location.values() if loc.store}
    used |= {lot.store for lot in state.lots.values() if lot.count > 0}
    for sid in sorted(used - {None}):
        store = state.stores[sid or ""]
        if not store.locked:
            out.append(f"{store.name} holds firearms or rounds and is unlocked")
    if wrap:
        for fid, rounds in state.rounds.items():
            if not rounds.reconciled:
                out.append(f"{fid}'s rounds are not reconciled (R-17)")
    for fid in sorted(state.missing):
        out.append(f"{fid} is missing")
    for fid in sorted(state.post_use_due):
        out.append(f"{fid} has had no post-use inspection since it was out (R-19)")
    return out


def call_break(state: ProductionState, cmd: c.CallBreak, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS | FIRST_AD, "call a break or wrap", "R-08")
    if cmd.kind not in BREAKS:
        raise InvalidInput(f"{cmd.kind!r} is not a break.", "Use break, lunch or wrap.")
    if state.on_break:
        raise Conflict(f"The production is on {state.on_break} already.", "Nothing to do.")
    wrap = cmd.kind == "wrap"
    out = outstanding(state, wrap=wrap)
    if out:
        raise Refused(
            "R-17" if wrap and all("reconciled" in o for o in out) else "R-08",
            f"{cmd.kind.capitalize()} cannot be called: {'; '.join(out)}.",
            "Get every firearm back, unloaded, counted and locked away first.",
        )
    return [ev.BreakCalled(kind=cmd.kind, by=me.id)]


def resume_day(state: ProductionState, cmd: c.ResumeDay, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS | FIRST_AD, "resume the day", "R-08")
    if not state.on_break:
        raise Conflict("The production is not on a break.", "Nothing to do.")
    if state.on_break == "wrap":
        raise Refused(
            "R-03", "The day is wrapped.", "Open the next day with the opening check instead."
        )
    return [ev.DayResumed(by=me.id)]


def change_setting(state: ProductionState, cmd: c.ChangeSetting, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, REVIEWERS, "change a production setting")
    setting = _setting(cmd.setting, cmd.value)
    current = state.setting(setting.name)
    if setting.is_looser(cmd.value, current):
        raise Refused(
            setting.rule,
            f"{setting.name} {cmd.value} {setting.unit} is looser than the production's "
            f"{current} (the protocol's default is {setting.default}).",
            "A production may only make rules stricter; loosening needs the safety "
            "advisor's signed waiver (coldcheck waiver grant).",
        )
    return [ev.SettingChanged(setting=setting.name, value=cmd.value, by=me.id, waiver="")]


def _setting(name: str, value: int) -> Setting:
    setting = SETTINGS.get(name)
    if setting is None:
        raise InvalidInput(
            f"There is no setting {name!r}.", f"Settings: {', '.join(sorted(SETTINGS))}."
        )
    if not setting.lowest <= value <= setting.highest:
        raise InvalidInput(
            f"{name} is {setting.lowest} to {setting.highest} {setting.unit}, not {value}.",
            "Give a value in range.",
        )
    return setting


def grant_waiver(state: ProductionState, cmd: c.GrantWaiver, ctx: c.Context) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    if Role.SAFETY_ADVISOR not in me.roles:
        raise NotAuthorised(
            f"{me.name} cannot grant a waiver: only the safety advisor can.",
            "Ask the safety advisor.",
            "R-49",
        )
    setting = _setting(cmd.setting, cmd.value)
    reason = " ".join(cmd.reason.split())
    if len(reason) < 10:
        raise InvalidInput("A waiver states its reason.", "Say why the looser value is safe.")
    if not setting.is_looser(cmd.value, state.setting(setting.name)):
        raise Conflict(
            f"{setting.name} {cmd.value} is not looser than the production's "
            f"{state.setting(setting.name)}.",
            "No waiver is needed: change the setting (coldcheck setting set).",
        )
    return [
        ev.WaiverGranted(
            waiver=guards.next_id("W", len(state.waivers)),
            rule=setting.rule,
            setting=setting.name,
            value=cmd.value,
            advisor=me.id,
            reason=reason[:500],
        )
    ]


def approve_range(
    state: ProductionState, cmd: c.ApproveRangeSession, ctx: c.Context
) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    if Role.SAFETY_ADVISOR not in me.roles:
        raise NotAuthorised(
            f"{me.name} cannot approve a range session: only the safety advisor can.",
            "Ask the safety advisor.",
            "R-02",
        )
    if not cmd.location.strip() or not cmd.medical.strip():
        raise Refused(
            "R-02",
            "A range session names its range and the medical staff available.",
            "Give --location and --medical.",
        )
    try:
        day = date.fromisoformat(cmd.day).isoformat()
    except ValueError:
        raise InvalidInput(f"{cmd.day!r} is not a date.", "Write it as 2026-03-02.") from None
    return [
        ev.RangeSessionApproved(
            session=guards.next_id("R", len(state.range_sessions)),
            advisor=me.id,
            location=" ".join(cmd.location.split())[:200],
            medical=" ".join(cmd.medical.split())[:200],
            day=day,
        )
    ]


def receive_range_ammunition(
    state: ProductionState, cmd: c.ReceiveRangeAmmunition, ctx: c.Context
) -> list[ev.Event]:
    me = guards.actor(state, ctx)
    guards.require_role(me, ARMORERS, "receive range ammunition", "R-02")
    guards.require_permit(me, ctx)
    if cmd.session not in state.range_sessions:
        raise Refused(
            "R-02",
            f"There is no approved range session {cmd.session}.",
            "Live ammunition comes only for a range session the safety advisor approved.",
        )
    if not cmd.supplier.strip() or not cmd.provenance.strip():
        raise Refused("R-06", "A lot without supplier and provenance.", "Record both.")
    if not 1 <= cmd.count <= 100_000:
        raise InvalidInput(f"A lot holds 1 to 100,000 rounds, not {cmd.count}.", "Count again.")
    return [
        ev.RangeAmmunitionReceived(
            session=cmd.session,
            lot=guards.next_id("L", len(state.range_lots)),
            calibre=cmd.calibre,
            count=cmd.count,
            supplier=" ".join(cmd.supplier.split())[:120],
            provenance=" ".join(cmd.provenance.split())[:200],
        )
    ]
