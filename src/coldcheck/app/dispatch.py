"""Each scenario action, as a call of its application handler (coldcheck.app.handlers).

A call gets the app, the production, the actor's person id, the step's arguments and the
actor's PIN (used only by the actions the actor signs).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from coldcheck.app import handlers as h
from coldcheck.app.actions import Args
from coldcheck.app.journal import Appended
from coldcheck.app.service import App
from coldcheck.domain import values as v

Call = Callable[[App, str, str, Args, str], Appended]


def _file_plan(app: App, p: str, actor: str, a: Args, pin: str) -> Appended:
    return h.file_plan(
        app,
        p,
        actor,
        scene=a.text("scene"),
        mode=a.text("mode"),
        firearms=a.texts("firearms"),
        distance_ft=a.number("distance_ft"),
        close_range=a.flag("close_range"),
        shields=a.texts("shields"),
        protection=a.texts("protection"),
        pointing=a.text("pointing"),
        justification=a.text("justification"),
        risks=a.text("risks"),
        pin=pin,
    )


def _inspect(app: App, p: str, actor: str, a: Args, pin: str) -> Appended:
    return h.inspect(
        app,
        p,
        actor,
        a.text("firearm"),
        positions=a.texts("positions"),
        barrel_clear=a.text("barrel") == "clear",
        phase=a.text("phase").replace("-", "_"),
        pin=pin,
    )


def _receive_ammo(app: App, p: str, actor: str, a: Args, pin: str) -> Appended:
    return h.receive_ammunition(
        app,
        p,
        actor,
        ammo_class=v.AmmoClass(a.text("class")),
        calibre=a.text("calibre"),
        count=a.number("count"),
        supplier=a.text("supplier"),
        provenance=a.text("provenance"),
        store=a.text("store"),
        load=v.BlankLoad(a.text("load")) if a.text("load") else None,
        close_range=a.flag("close_range"),
        pin=pin,
    )


def _inspect_dummies(app: App, p: str, actor: str, a: Args, pin: str) -> Appended:
    return h.inspect_dummies(
        app,
        p,
        actor,
        a.text("lot"),
        inspected=a.number("inspected"),
        inert=a.number("inert"),
        methods=frozenset(v.DummyCheck(m) for m in a.texts("methods")),
        pin=pin,
    )


def _reconcile(app: App, p: str, actor: str, a: Args, pin: str) -> Appended:
    return h.reconcile(
        app,
        p,
        actor,
        a.text("firearm"),
        fired=a.number("fired"),
        returned=a.number("returned"),
        misfired=a.number("misfired"),
        pin=pin,
    )


def _record_permit(app: App, p: str, actor: str, a: Args, pin: str) -> Appended:
    permit = v.Permit(
        number=a.text("number"),
        authority=a.text("authority"),
        expires=date.fromisoformat(a.text("expires")),
    )
    return h.record_permit(app, p, actor, a.text("person"), permit, actor_pin=pin)


def _receive_range_ammo(app: App, p: str, actor: str, a: Args, pin: str) -> Appended:
    return h.receive_range_ammunition(
        app,
        p,
        actor,
        a.text("session"),
        calibre=a.text("calibre"),
        count=a.number("count"),
        supplier=a.text("supplier"),
        provenance=a.text("provenance"),
    )


CALLS: dict[str, Call] = {
    "open-day": lambda app, p, actor, a, pin: h.open_day(
        app, p, actor, a.texts("swept"), a.text("schedule"), pin=pin
    ),
    "train": lambda app, p, actor, a, pin: h.record_training(
        app, p, actor, a.text("person"), v.Action(a.text("type")), "", pin=pin
    ),
    "file-plan": _file_plan,
    "approve-plan": lambda app, p, actor, a, pin: h.approve_plan(
        app, p, actor, a.text("scene"), pin=pin
    ),
    "meeting": lambda app, p, actor, a, pin: h.hold_meeting(
        app, p, actor, a.text("scene"), a.texts("attendees"), pin=pin
    ),
    "attend": lambda app, p, actor, a, pin: h.attend_meeting(
        app, p, actor, a.text("meeting"), pin=pin
    ),
    "call": lambda app, p, actor, a, pin: h.call_firearm(
        app, p, actor, a.text("firearm"), a.text("scene")
    ),
    "cut": lambda app, p, actor, a, pin: h.cut(app, p, actor, a.text("scene")),
    "break": lambda app, p, actor, a, pin: h.call_break(app, p, actor, a.text("kind"), pin=pin),
    "resume-day": lambda app, p, actor, a, pin: h.resume_day(app, p, actor),
    "unlock": lambda app, p, actor, a, pin: h.set_lock(app, p, actor, a.text("store"), False),
    "lock": lambda app, p, actor, a, pin: h.set_lock(app, p, actor, a.text("store"), True),
    "take": lambda app, p, actor, a, pin: h.take(app, p, actor, a.text("firearm")),
    "return": lambda app, p, actor, a, pin: h.put_back(
        app, p, actor, a.text("firearm"), a.text("store")
    ),
    "hand-off": lambda app, p, actor, a, pin: h.hand_off(
        app, p, actor, a.text("firearm"), a.text("to"), pin
    ),
    "accept": lambda app, p, actor, a, pin: h.accept(app, p, actor, a.text("firearm"), pin),
    "cancel": lambda app, p, actor, a, pin: h.cancel(app, p, actor, a.text("firearm")),
    "inspect": _inspect,
    "witness": lambda app, p, actor, a, pin: h.witness(app, p, actor, a.text("firearm"), pin),
    "announce": lambda app, p, actor, a, pin: h.announce(app, p, actor, a.text("firearm"), pin=pin),
    "load": lambda app, p, actor, a, pin: h.load(
        app, p, actor, a.text("firearm"), a.text("lot"), a.number("count"), pin=pin
    ),
    "unload": lambda app, p, actor, a, pin: h.unload(app, p, actor, a.text("firearm"), pin=pin),
    "discharge": lambda app, p, actor, a, pin: h.discharge(
        app, p, actor, a.text("firearm"), a.number("count"), a.text("detail")
    ),
    "misfire": lambda app, p, actor, a, pin: h.misfire(app, p, actor, a.text("firearm")),
    "clear-misfire": lambda app, p, actor, a, pin: h.clear_misfire(
        app, p, actor, a.text("firearm"), pin=pin
    ),
    "reconcile": _reconcile,
    "receive-ammo": _receive_ammo,
    "inspect-dummies": _inspect_dummies,
    "incident": lambda app, p, actor, a, pin: h.open_incident(
        app,
        p,
        actor,
        v.IncidentKind(a.text("kind")),
        a.text("description"),
        a.texts("firearms"),
        a.texts("lots"),
    ),
    "close-incident": lambda app, p, actor, a, pin: h.close_incident(
        app, p, actor, a.text("incident"), a.text("findings"), a.text("corrective_action"), pin=pin
    ),
    "concern": lambda app, p, actor, a, pin: h.raise_concern(
        app, p, actor, a.text("text"), a.flag("stop")
    ),
    "answer-concern": lambda app, p, actor, a, pin: h.answer_concern(
        app, p, actor, a.text("concern"), a.text("answer"), pin=pin
    ),
    "stop-work": lambda app, p, actor, a, pin: h.stop_work(app, p, actor, a.text("reason")),
    "resume-work": lambda app, p, actor, a, pin: h.resume_work(
        app, p, actor, a.text("reason"), pin=pin
    ),
    "report-custody": lambda app, p, actor, a, pin: h.report_custody(
        app,
        p,
        actor,
        a.text("firearm"),
        person=a.text("person"),
        store=a.text("store"),
        note=a.text("detail"),
    ),
    "report-missing": lambda app, p, actor, a, pin: h.report_missing(
        app, p, actor, a.text("firearm"), a.text("detail")
    ),
    "record-permit": _record_permit,
    "setting": lambda app, p, actor, a, pin: h.change_setting(
        app, p, actor, a.text("name"), a.number("value"), pin=pin
    ),
    "waiver": lambda app, p, actor, a, pin: h.grant_waiver(
        app, p, actor, a.text("name"), a.number("value"), a.text("reason"), pin=pin
    ),
    "approve-range": lambda app, p, actor, a, pin: h.approve_range(
        app, p, actor, a.text("location"), a.text("medical"), a.text("day"), pin=pin
    ),
    "receive-range-ammo": _receive_range_ammo,
}
