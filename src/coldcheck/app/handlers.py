"""Command handlers: resolve references, build the command, execute it. Nothing else.

Each returns the ``Appended`` result (events and positions). PINs arrive as arguments from
the edge and are used only to open a key for the duration of the call.
"""

from __future__ import annotations

from dataclasses import replace

from coldcheck.app import refs
from coldcheck.app.journal import Appended
from coldcheck.app.service import App
from coldcheck.domain import commands as c
from coldcheck.domain import values as v
from coldcheck.domain.errors import Conflict, InvalidInput
from coldcheck.domain.state import ProductionState
from coldcheck.ledger.keys import public_key_text, seal_new_key


def init(
    app: App,
    production: str,
    name: str,
    founder: str,
    roles: frozenset[v.Role],
    pin: str,
    head_armorer: bool = False,
    permit: v.Permit | None = None,
) -> Appended:
    if production in app.store.productions():
        raise Conflict(
            f"Production {production} already exists in this store.",
            "Use another production id, or another --db.",
        )
    node = app.node(create=True)
    person = "P01"
    sealed = seal_new_key(production, person, v.pin(pin), app.kdf)
    founder_cmd = c.RegisterPerson(
        name=v.text(founder, "name"),
        roles=roles,
        key=sealed.key_id,
        public_key=public_key_text(sealed.public_key),
        head_armorer=head_armorer,
        permit=permit,
    )
    command = c.OpenProduction(
        production=production,
        name=v.text(name, "production name"),
        origin=f"coldcheck/{node.name}/{production}",
        node_key=node.verifier_key,
        founder=founder_cmd,
    )
    signing = app.unlock_sealed(sealed, pin)
    return app.journal(production).execute(
        command, person, signers={person: [signing]}, sealed_keys=[sealed]
    )


def add_person(
    app: App,
    production: str,
    actor: str,
    name: str,
    roles: frozenset[v.Role],
    pin: str,
    head_armorer: bool = False,
    permit: v.Permit | None = None,
    *,
    actor_pin: str,
) -> Appended:
    """Register a person; ``pin`` seals their new key, ``actor_pin`` signs as the registrar."""
    state = app.state(production)
    me = refs.person(state, actor)
    new_id = f"P{len(state.people) + 1:02d}"
    command = c.RegisterPerson(
        name=v.text(name, "name"),
        roles=roles,
        key="",
        public_key="",
        head_armorer=head_armorer,
        permit=permit,
        person=new_id,
    )
    app.journal(production).check(command, me)  # refused before any KDF work
    mine = app.unlock(production, me, actor_pin)
    sealed = seal_new_key(production, new_id, v.pin(pin), app.kdf)
    command = replace(command, key=sealed.key_id, public_key=public_key_text(sealed.public_key))
    signing = app.unlock_sealed(sealed, pin)
    return app.journal(production).execute(
        command, me, signers={new_id: [signing], me: [mine]}, sealed_keys=[sealed]
    )


def _signed(app: App, production: str, actor: str, command: c.Command, pin: str) -> Appended:
    """A command the actor signs with their own key: decided first, so that a refused
    command costs no KDF time, then signed and appended."""
    me = refs.person(app.state(production), actor)
    app.journal(production).check(command, me)
    mine = app.unlock(production, me, pin)
    return app.journal(production).execute(command, me, signers={me: [mine]})


def record_permit(
    app: App, production: str, actor: str, person: str, permit: v.Permit, *, actor_pin: str
) -> Appended:
    state = app.state(production)
    command = c.RecordPermit(person=refs.person(state, person), permit=permit)
    return _signed(app, production, actor, command, actor_pin)


def correct_person(
    app: App, production: str, actor: str, person: str, name: str, reason: str, *, actor_pin: str
) -> Appended:
    state = app.state(production)
    command = c.CorrectPerson(
        person=refs.person(state, person),
        name=v.text(name, "name"),
        reason=v.text(reason, "reason", 500),
    )
    return _signed(app, production, actor, command, actor_pin)


def rotate_key(app: App, production: str, actor: str, old_pin: str, new_pin: str) -> Appended:
    state = app.state(production)
    me = refs.person(state, actor)
    old = app.unlock(production, me, old_pin)
    sealed = seal_new_key(production, me, v.pin(new_pin), app.kdf)
    new = app.unlock_sealed(sealed, new_pin)
    command = c.RotateKey(
        person=me, key=sealed.key_id, public_key=public_key_text(sealed.public_key)
    )
    return app.journal(production).execute(
        command, me, signers={me: [old, new]}, sealed_keys=[sealed]
    )


def revoke_key(
    app: App, production: str, actor: str, person: str, reason: str, *, actor_pin: str
) -> Appended:
    """Revoke a key; signed by the actor (the owner with their key, or an admin)."""
    state = app.state(production)
    command = c.RevokeKey(person=refs.person(state, person), reason=v.text(reason, "reason", 500))
    return _signed(app, production, actor, command, actor_pin)


def new_key(
    app: App, production: str, actor: str, person: str, pin: str, *, actor_pin: str
) -> Appended:
    """A fresh key for someone whose key was revoked (a forgotten PIN, a lost device), made by
    an admin, who signs it with their own key; the new key signs it too."""
    state = app.state(production)
    me = refs.person(state, actor)
    target = refs.person(state, person)
    probe = c.CreateKey(person=target, key="", public_key="")
    app.journal(production).check(probe, me)
    mine = app.unlock(production, me, actor_pin)
    sealed = seal_new_key(production, target, v.pin(pin), app.kdf)
    command = c.CreateKey(
        person=target, key=sealed.key_id, public_key=public_key_text(sealed.public_key)
    )
    signing = app.unlock_sealed(sealed, pin)
    return app.journal(production).execute(
        command, me, signers={target: [signing], me: [mine]}, sealed_keys=[sealed]
    )


def add_store(
    app: App, production: str, actor: str, name: str, kind: v.StoreKind, locked: bool
) -> Appended:
    state = app.state(production)
    command = c.AddStore(name=v.text(name, "store name", 60), kind=kind.value, locked=locked)
    return app.journal(production).execute(command, refs.person(state, actor))


def set_lock(app: App, production: str, actor: str, store: str, locked: bool) -> Appended:
    state = app.state(production)
    command = c.SetStoreLock(store=refs.store(state, store), locked=locked)
    return app.journal(production).execute(command, refs.person(state, actor))


def add_firearm(
    app: App,
    production: str,
    actor: str,
    *,
    serial: str,
    make: str,
    model: str,
    action: v.Action,
    calibre: str,
    capacity: v.Capacity,
    kind: v.FirearmKind,
    owner: str,
    store: str,
    documents: tuple[str, ...] = (),
) -> Appended:
    state = app.state(production)
    command = c.RegisterFirearm(
        serial=v.serial(serial),
        make=v.text(make, "make", 60),
        model=v.text(model, "model", 60),
        action=action.value,
        calibre=v.calibre(calibre),
        capacity=capacity,
        kind=kind.value,
        owner=v.text(owner, "owner", 120),
        store=refs.store(state, store),
        documents=tuple(v.text(d, "document", 200) for d in documents),
    )
    return app.journal(production).execute(command, refs.person(state, actor))


def correct_firearm(
    app: App, production: str, actor: str, firearm: str, field: str, value: str, reason: str
) -> Appended:
    state = app.state(production)
    command = c.CorrectFirearm(
        firearm=refs.firearm(state, firearm),
        field=field,
        value=_corrected_value(field, value),
        reason=v.text(reason, "reason", 500),
    )
    return app.journal(production).execute(command, refs.person(state, actor))


def _corrected_value(field: str, value: str) -> str:
    """A corrected value passes the same checks, in the same form, as at registration."""
    if field == "serial":
        return v.serial(value)
    if field == "calibre":
        return v.calibre(value)
    if field == "capacity":
        return str(v.Capacity.parse(value))
    if field in ("make", "model"):
        return v.text(value, field, 60)
    return v.text(value, field, 200)


def take(app: App, production: str, actor: str, firearm: str) -> Appended:
    state = app.state(production)
    command = c.TakeFirearm(firearm=refs.firearm(state, firearm))
    return app.journal(production).execute(command, refs.person(state, actor))


def put_back(app: App, production: str, actor: str, firearm: str, store: str) -> Appended:
    state = app.state(production)
    command = c.ReturnFirearm(firearm=refs.firearm(state, firearm), store=refs.store(state, store))
    return app.journal(production).execute(command, refs.person(state, actor))


def hand_off(
    app: App, production: str, actor: str, firearm: str, receiver: str, pin: str
) -> Appended:
    state = app.state(production)
    command = c.ProposeHandoff(
        firearm=refs.firearm(state, firearm), receiver=refs.person(state, receiver)
    )
    return _signed(app, production, actor, command, pin)


def accept(app: App, production: str, actor: str, handoff: str, pin: str) -> Appended:
    state = app.state(production)
    command = c.AcceptHandoff(handoff=refs.handoff(state, handoff))
    return _signed(app, production, actor, command, pin)


def cancel(app: App, production: str, actor: str, handoff: str) -> Appended:
    state = app.state(production)
    command = c.CancelHandoff(handoff=refs.handoff(state, handoff))
    return app.journal(production).execute(command, refs.person(state, actor))


def receive_ammunition(
    app: App,
    production: str,
    actor: str,
    *,
    ammo_class: v.AmmoClass,
    calibre: str,
    count: int,
    supplier: str,
    provenance: str,
    store: str,
    load: v.BlankLoad | None = None,
    close_range: bool = False,
    pin: str,
) -> Appended:
    """A lot received, its count, supplier and provenance attested by the armorer's PIN."""
    state = app.state(production)
    command = c.ReceiveAmmunition(
        ammo_class=ammo_class,
        calibre=v.calibre(calibre),
        count=count,
        supplier=" ".join(supplier.split())[:120],
        provenance=" ".join(provenance.split())[:200],
        store=refs.store(state, store),
        load=load,
        close_range=close_range,
    )
    return _signed(app, production, actor, command, pin)


def inspect_dummies(
    app: App,
    production: str,
    actor: str,
    lot: str,
    *,
    inspected: int,
    inert: int,
    methods: frozenset[v.DummyCheck],
    pin: str,
) -> Appended:
    """The armorer attests, with their PIN, how many rounds were shown inert and how."""
    command = c.InspectDummies(
        lot=lot.strip().upper(), inspected=inspected, inert=inert, methods=methods
    )
    return _signed(app, production, actor, command, pin)


def inspect(
    app: App,
    production: str,
    actor: str,
    firearm: str,
    *,
    positions: tuple[str, ...],
    barrel_clear: bool,
    phase: str,
    pin: str,
) -> Appended:
    """The armorer's inspection of every position and the barrel, signed with their PIN."""
    state = app.state(production)
    command = c.InspectFirearm(
        firearm=refs.firearm(state, firearm),
        positions=positions,
        barrel_clear=barrel_clear,
        phase=phase,
    )
    return _signed(app, production, actor, command, pin)


def witness(app: App, production: str, actor: str, firearm: str, pin: str) -> Appended:
    """The 1st AD or the talent attests, with their PIN, the check they were shown."""
    state = app.state(production)
    command = c.WitnessCheck(firearm=refs.firearm(state, firearm))
    return _signed(app, production, actor, command, pin)


def announce(app: App, production: str, actor: str, firearm: str, *, pin: str) -> Appended:
    """The 1st AD's announcement, signed by them: their call, resting on the check."""
    state = app.state(production)
    command = c.Announce(firearm=refs.firearm(state, firearm))
    return _signed(app, production, actor, command, pin)


# -- the protocol: the day, training, plans, meetings, calls -----------------------------------


def _run(app: App, production: str, actor: str, command: c.Command) -> Appended:
    """A command recorded under the actor's name, without a personal signature."""
    return app.journal(production).execute(command, refs.person(app.state(production), actor))


def open_day(
    app: App, production: str, actor: str, swept: tuple[str, ...], schedule: str, *, pin: str
) -> Appended:
    command = c.OpenDay(
        swept=tuple(v.text(s, "swept place", 120) for s in swept),
        schedule=schedule,
    )
    return _signed(app, production, actor, command, pin)


def record_training(
    app: App, production: str, actor: str, person: str, action: v.Action, note: str, *, pin: str
) -> Appended:
    state = app.state(production)
    command = c.RecordTraining(
        person=refs.person(state, person), action=action.value, note=note[:500]
    )
    return _signed(app, production, actor, command, pin)


def file_plan(
    app: App,
    production: str,
    actor: str,
    *,
    scene: str,
    mode: str,
    firearms: tuple[str, ...],
    distance_ft: int,
    close_range: bool = False,
    shields: tuple[str, ...] = (),
    protection: tuple[str, ...] = (),
    pointing: str = "none",
    justification: str = "",
    risks: str = "",
    pin: str,
) -> Appended:
    """``firearms``: one ``FIREARM:CLASS[:ROUNDS[:LOAD]]`` each (the firearm by id, serial)."""
    state = app.state(production)
    command = c.FilePlan(
        scene=scene,
        mode=mode.strip().lower(),
        firearms=tuple(plan_entry(state, f) for f in firearms),
        distance_ft=distance_ft,
        close_range=close_range,
        shields=shields,
        protection=protection,
        pointing=pointing.strip().lower(),
        justification=justification,
        risks=risks,
    )
    return _signed(app, production, actor, command, pin)


def plan_entry(state: ProductionState, text: str) -> c.PlanEntry:
    """'F01:blank:6:half', 'F01:dummy:6' or 'F01:empty' (the firearm by id or serial)."""
    parts = [p.strip() for p in text.split(":")]
    if len(parts) < 2 or len(parts) > 4:
        raise InvalidInput(
            f"Plan entry {text!r} is not understood.",
            "Write FIREARM:empty, FIREARM:dummy:ROUNDS or FIREARM:blank:ROUNDS:LOAD.",
        )
    rounds = 0
    if len(parts) >= 3:
        if not parts[2].isdigit():
            raise InvalidInput(
                f"Plan entry {text!r}: {parts[2]!r} is not a number of rounds.", "Give a count."
            )
        rounds = int(parts[2])
    return c.PlanEntry(
        firearm=refs.firearm(state, parts[0]),
        ammo_class=parts[1].lower(),
        rounds=rounds,
        load=parts[3].lower().replace("-", "_") if len(parts) == 4 else "",
    )


def approve_plan(app: App, production: str, actor: str, scene: str, *, pin: str) -> Appended:
    return _signed(app, production, actor, c.ApprovePlan(scene=scene.strip()), pin)


def hold_meeting(
    app: App, production: str, actor: str, scene: str, attendees: tuple[str, ...], *, pin: str
) -> Appended:
    state = app.state(production)
    command = c.HoldMeeting(
        scene=scene.strip(), attendees=frozenset(refs.person(state, p) for p in attendees)
    )
    return _signed(app, production, actor, command, pin)


def attend_meeting(app: App, production: str, actor: str, meeting: str, *, pin: str) -> Appended:
    """Someone on the meeting's roll confirms, with their own PIN, that they were briefed."""
    return _signed(app, production, actor, c.AttendMeeting(meeting=meeting.strip()), pin)


def call_firearm(app: App, production: str, actor: str, firearm: str, scene: str) -> Appended:
    state = app.state(production)
    command = c.CallFirearm(firearm=refs.firearm(state, firearm), scene=scene.strip())
    return _run(app, production, actor, command)


def cut(app: App, production: str, actor: str, scene: str) -> Appended:
    return _run(app, production, actor, c.CutTake(scene=scene.strip()))


def call_break(app: App, production: str, actor: str, kind: str, *, pin: str) -> Appended:
    """A break or wrap, signed by who calls it: everything is back, counted and locked."""
    return _signed(app, production, actor, c.CallBreak(kind=kind.strip().lower()), pin)


def resume_day(app: App, production: str, actor: str) -> Appended:
    return _run(app, production, actor, c.ResumeDay())


# -- rounds ------------------------------------------------------------------------------------


def load(
    app: App, production: str, actor: str, firearm: str, lot: str, count: int, *, pin: str
) -> Appended:
    state = app.state(production)
    command = c.LoadRounds(
        firearm=refs.firearm(state, firearm), lot=lot.strip().upper(), count=count
    )
    return _signed(app, production, actor, command, pin)


def unload(app: App, production: str, actor: str, firearm: str, *, pin: str) -> Appended:
    state = app.state(production)
    command = c.UnloadFirearm(firearm=refs.firearm(state, firearm))
    return _signed(app, production, actor, command, pin)


def discharge(
    app: App, production: str, actor: str, firearm: str, count: int, note: str = ""
) -> Appended:
    state = app.state(production)
    command = c.RecordDischarge(firearm=refs.firearm(state, firearm), count=count, note=note)
    return _run(app, production, actor, command)


def misfire(app: App, production: str, actor: str, firearm: str) -> Appended:
    state = app.state(production)
    return _run(app, production, actor, c.RecordMisfire(firearm=refs.firearm(state, firearm)))


def clear_misfire(app: App, production: str, actor: str, firearm: str, *, pin: str) -> Appended:
    state = app.state(production)
    command = c.ClearMisfire(firearm=refs.firearm(state, firearm))
    return _signed(app, production, actor, command, pin)


def reconcile(
    app: App,
    production: str,
    actor: str,
    firearm: str,
    *,
    fired: int,
    returned: int,
    misfired: int,
    pin: str,
) -> Appended:
    state = app.state(production)
    command = c.Reconcile(
        firearm=refs.firearm(state, firearm), fired=fired, returned=returned, misfired=misfired
    )
    return _signed(app, production, actor, command, pin)


# -- incidents, concerns, stop-work, reality, settings ------------------------------------------


def open_incident(
    app: App,
    production: str,
    actor: str,
    kind: v.IncidentKind,
    description: str,
    firearms: tuple[str, ...] = (),
    lots: tuple[str, ...] = (),
) -> Appended:
    state = app.state(production)
    command = c.OpenIncident(
        kind=kind.value,
        description=description,
        firearms=tuple(refs.firearm(state, f) for f in firearms),
        lots=tuple(lot.strip().upper() for lot in lots),
    )
    return _run(app, production, actor, command)


def close_incident(
    app: App,
    production: str,
    actor: str,
    incident: str,
    findings: str,
    corrective_action: str,
    *,
    pin: str,
) -> Appended:
    command = c.CloseIncident(
        incident=incident.strip().upper(), findings=findings, corrective_action=corrective_action
    )
    return _signed(app, production, actor, command, pin)


def raise_concern(app: App, production: str, actor: str, text: str, stop: bool) -> Appended:
    return _run(app, production, actor, c.RaiseConcern(text=text, stop=stop))


def answer_concern(
    app: App, production: str, actor: str, concern: str, answer: str, *, pin: str
) -> Appended:
    command = c.AnswerConcern(concern=concern.strip().upper(), answer=answer)
    return _signed(app, production, actor, command, pin)


def stop_work(app: App, production: str, actor: str, reason: str) -> Appended:
    return _run(app, production, actor, c.StopWork(reason=reason))


def resume_work(app: App, production: str, actor: str, reason: str, *, pin: str) -> Appended:
    """Lifting a stop of firearms work is signed by the armorer who lifts it."""
    return _signed(app, production, actor, c.ResumeWork(reason=reason), pin)


def report_custody(
    app: App,
    production: str,
    actor: str,
    firearm: str,
    *,
    person: str = "",
    store: str = "",
    note: str = "",
) -> Appended:
    state = app.state(production)
    command = c.ReportCustody(
        firearm=refs.firearm(state, firearm),
        person=refs.person(state, person) if person else "",
        store=refs.store(state, store) if store else "",
        note=note,
    )
    return _run(app, production, actor, command)


def report_missing(app: App, production: str, actor: str, firearm: str, note: str = "") -> Appended:
    state = app.state(production)
    return _run(
        app, production, actor, c.ReportMissing(firearm=refs.firearm(state, firearm), note=note)
    )


def change_setting(
    app: App, production: str, actor: str, setting: str, value: int, *, pin: str
) -> Appended:
    command = c.ChangeSetting(setting=setting.strip().lower().replace("-", "_"), value=value)
    return _signed(app, production, actor, command, pin)


def grant_waiver(
    app: App, production: str, actor: str, setting: str, value: int, reason: str, *, pin: str
) -> Appended:
    command = c.GrantWaiver(
        setting=setting.strip().lower().replace("-", "_"), value=value, reason=reason
    )
    return _signed(app, production, actor, command, pin)


def approve_range(
    app: App, production: str, actor: str, location: str, medical: str, day: str, *, pin: str
) -> Appended:
    command = c.ApproveRangeSession(location=location, medical=medical, day=day.strip())
    return _signed(app, production, actor, command, pin)


def receive_range_ammunition(
    app: App,
    production: str,
    actor: str,
    session: str,
    *,
    calibre: str,
    count: int,
    supplier: str,
    provenance: str,
) -> Appended:
    command = c.ReceiveRangeAmmunition(
        session=session.strip().upper(),
        calibre=v.calibre(calibre),
        count=count,
        supplier=supplier,
        provenance=provenance,
    )
    return _run(app, production, actor, command)
