"""A realistic demo production: a Western, "Dust Road", and one shoot day ending at wrap.

The day follows the whole protocol: the opening check, training and approved scene plans, a
crew concern answered, the safety meeting, the 1st AD's calls, loading at the last moment, the
three-person check and generated announcements, planned discharges, "cut", post-use
inspections, unloading and the count, lunch and wrap with everything locked away.

Times are simulated on the day before the demo is seeded, so that anything recorded later
(today) comes after it. Every demo person's PIN is DEMO_PIN: this is demo data only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from coldcheck.app import handlers as h
from coldcheck.app import ledgerops
from coldcheck.app.accounts import Accounts
from coldcheck.app.service import App
from coldcheck.domain.values import (
    Action,
    AmmoClass,
    BlankLoad,
    Capacity,
    DummyCheck,
    FirearmKind,
    Permit,
    Role,
    StoreKind,
)

PRODUCTION = "dust-road"
HOT = ("blank:A02",) * 6  # six quarter-load .45 Colt blanks for the showdown
DEMO_PIN = "246810"

# (name, roles, head armorer, permit number)
CREW: tuple[tuple[str, frozenset[Role], bool, str | None], ...] = (
    ("Marco Diaz", frozenset({Role.ARMORER}), False, "EFP-2291-B"),
    ("Dana Whitfield", frozenset({Role.FIRST_AD}), False, None),
    ("Eli Brooks", frozenset({Role.PRODUCER}), False, None),
    ("Ruth Okafor", frozenset({Role.SAFETY_ADVISOR}), False, None),
    ("Jack Colt", frozenset({Role.TALENT}), False, None),
    ("Sam Tanaka", frozenset({Role.TALENT}), False, None),
    ("Lucia Ferrer", frozenset({Role.TALENT}), False, None),
    ("Owen Hart", frozenset({Role.CREW}), False, None),
    ("Priya Nair", frozenset({Role.CREW}), False, None),
    ("Tom Becker", frozenset({Role.CREW}), False, None),
)

STORES = (
    ("Armory safe", StoreKind.SAFE),
    ("Set cart A", StoreKind.CART),
    ("Armory truck", StoreKind.TRUCK),
)

# serial, make, model, action, calibre, capacity, kind
FIREARMS = (
    (
        "UB-73C-04512",
        "Uberti",
        "1873 Cattleman",
        Action.REVOLVER,
        ".45 Colt",
        "6",
        FirearmKind.BLANK_FIRING_REAL,
    ),
    (
        "UB-73C-04513",
        "Uberti",
        "1873 Cattleman (backup)",
        Action.REVOLVER,
        ".45 Colt",
        "6",
        FirearmKind.BLANK_FIRING_REAL,
    ),
    (
        "WI-1892-88710",
        "Winchester",
        "1892 Carbine",
        Action.LEVER_ACTION_RIFLE,
        ".44-40",
        "10+1",
        FirearmKind.BLANK_FIRING_REAL,
    ),
    (
        "PI-1858-30127",
        "Pietta",
        "1858 Remington New Army",
        Action.REVOLVER,
        ".44",
        "6",
        FirearmKind.BLANK_FIRING_REAL,
    ),
    (
        "ST-CG-771204",
        "Stoeger",
        "Coach Gun",
        Action.BREAK_ACTION_SHOTGUN,
        "12ga",
        "2",
        FirearmKind.BLANK_FIRING_REAL,
    ),
    (
        "RB-SAA-0007",
        "Rubber Prop Co.",
        "Single Action Army (rubber)",
        Action.REVOLVER,
        ".45 Colt",
        "6",
        FirearmKind.RUBBER,
    ),
    (
        "HB-BB-55031",
        "Henry",
        "Big Boy (non-firing)",
        Action.LEVER_ACTION_RIFLE,
        ".45 Colt",
        "10+1",
        FirearmKind.NON_FIRING_REPLICA,
    ),
)


@dataclass(slots=True)
class SimClock:
    """The demo's clock: set to each moment of the simulated shoot day."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def at(self, hhmm: str) -> None:
        hours, minutes = (int(x) for x in hhmm.split(":"))
        self.now = self.now.replace(hour=hours, minute=minutes, second=0, microsecond=0)


def seed(app: App, today: date, progress: Callable[[str], None] = lambda _: None) -> None:
    """Create the demo production and play its shoot day; ends with a checkpoint at wrap."""
    day = today - timedelta(days=1)
    clock = SimClock(datetime.combine(day, time(5, 30), tzinfo=app.clock().tzinfo))
    app.use_clock(clock)
    p = PRODUCTION
    permit = Permit(
        number="EFP-1187-A",
        authority="California DOJ Entertainment Firearms Permit",
        expires=today + timedelta(days=300),
    )
    progress("Opening the production and registering the crew")
    h.init(
        app,
        p,
        "Dust Road",
        "Hannah Reed",
        frozenset({Role.ARMORER}),
        DEMO_PIN,
        head_armorer=True,
        permit=permit,
    )
    for name, roles, head, number in CREW:
        crew_permit = (
            None
            if number is None
            else Permit(
                number=number, authority=permit.authority, expires=today + timedelta(days=200)
            )
        )
        h.add_person(
            app,
            p,
            "P01",
            name,
            roles,
            DEMO_PIN,
            head_armorer=head,
            permit=crew_permit,
            actor_pin=DEMO_PIN,
        )
    for store_name, store_kind in STORES:
        h.add_store(app, p, "P01", store_name, store_kind, locked=True)
    progress("Registering the firearms")
    for serial, make, model, action, calibre, capacity, kind in FIREARMS:
        h.add_firearm(
            app,
            p,
            "P01",
            serial=serial,
            make=make,
            model=model,
            action=action,
            calibre=calibre,
            capacity=Capacity.parse(capacity),
            kind=kind,
            owner="Hollywood Firearms Rentals",
            store="Armory safe",
            documents=("Rental agreement HFR-2026-0412",),
        )
    progress("Receiving ammunition and checking the dummies")
    _ammunition(app)
    progress("Recording training and the scenes' firearms plans")
    _paperwork(app, clock)
    progress("Playing the shoot day")
    _shoot_day(app, clock)
    ledgerops.checkpoint(app, p)


def _ammunition(app: App) -> None:
    p, head = PRODUCTION, "Hannah Reed"
    supplier = "Hollywood Firearms Rentals"
    lots = (
        (AmmoClass.DUMMY, ".45 Colt", 100, None, "Dummy lot HFR-D-0451 (rattle, drilled case)"),
        (AmmoClass.BLANK, ".45 Colt", 60, BlankLoad.QUARTER, "Blank lot HFR-B-0452"),
        (AmmoClass.BLANK, ".44-40", 40, BlankLoad.HALF, "Blank lot HFR-B-4440"),
    )
    for ammo_class, calibre, count, load, provenance in lots:
        h.receive_ammunition(
            app,
            p,
            head,
            ammo_class=ammo_class,
            calibre=calibre,
            count=count,
            supplier=supplier,
            provenance=provenance,
            store="Armory safe",
            load=load,
            pin=DEMO_PIN,
        )
    h.inspect_dummies(
        app,
        p,
        head,
        "A01",
        inspected=100,
        inert=100,
        methods=frozenset({DummyCheck.RATTLE, DummyCheck.CASE_HOLE}),
        pin=DEMO_PIN,
    )


def _paperwork(app: App, clock: SimClock) -> None:
    """Before the first firearm is issued: training, the scenes' plans and their approval."""
    p, head = PRODUCTION, "Hannah Reed"
    clock.at("06:00")
    for talent, action in (
        ("Jack Colt", Action.REVOLVER),
        ("Sam Tanaka", Action.LEVER_ACTION_RIFLE),
        ("Lucia Ferrer", Action.REVOLVER),
    ):
        h.record_training(
            app, p, head, talent, action, "Safe handling, show clear, cut procedure", pin=DEMO_PIN
        )
    h.file_plan(
        app,
        p,
        head,
        scene="12",
        mode="take",
        firearms=("UB-73C-04512:blank:6:quarter", "WI-1892-88710:empty"),
        distance_ft=30,
        shields=("Lexan shield in front of camera A",),
        protection=("ear plugs for everyone on Main Street", "safety glasses for camera crew"),
        pointing="none",
        justification="The showdown needs real muzzle flash and recoil in a wide shot; "
        "effects flashes were tested and rejected.",
        risks="Wind toward the camera; horses 60 ft away, wrangler briefed.",
        pin=DEMO_PIN,
    )
    h.file_plan(
        app,
        p,
        head,
        scene="14",
        mode="take",
        firearms=("RB-SAA-0007:empty",),
        distance_ft=0,
        pointing="none",
        risks="Rubber prop only; no blank-firing gun on the set for this scene.",
        pin=DEMO_PIN,
    )
    clock.at("06:20")
    h.approve_plan(app, p, "Ruth Okafor", "12", pin=DEMO_PIN)
    h.approve_plan(app, p, "Eli Brooks", "14", pin=DEMO_PIN)


def _shoot_day(app: App, clock: SimClock) -> None:
    p, head, assistant, ad = PRODUCTION, "Hannah Reed", "Marco Diaz", "Dana Whitfield"
    revolver, carbine, rubber = "UB-73C-04512", "WI-1892-88710", "RB-SAA-0007"
    scene_12_crew = (
        head,
        assistant,
        "Jack Colt",
        "Sam Tanaka",
        "Owen Hart",
        "Priya Nair",
        "Tom Becker",
        "Ruth Okafor",
    )

    def inspect(who: str, firearm: str, positions: tuple[str, ...], phase: str) -> object:
        return h.inspect(
            app,
            p,
            who,
            firearm,
            positions=positions,
            barrel_clear=True,
            phase=phase,
            pin=DEMO_PIN,
        )

    def attend(who: str, meeting: str) -> Callable[[], object]:
        return lambda: h.attend_meeting(app, p, who, meeting, pin=DEMO_PIN)

    steps: list[tuple[str, Callable[[], object]]] = [
        # The armorer's opening check and the day's schedule.
        (
            "06:35",
            lambda: h.open_day(
                app,
                p,
                head,
                ("Armory safe", "Set cart A", "Armory truck", "gun belts", "costume pockets"),
                "Sc 12 showdown (hot, 09:00); Sc 14 sheriff's draw (rubber, 14:30)",
                pin=DEMO_PIN,
            ),
        ),
        ("06:40", lambda: h.set_lock(app, p, head, "Armory safe", False)),
        ("06:45", lambda: h.take(app, p, head, revolver)),
        ("06:46", lambda: h.take(app, p, head, carbine)),
        ("06:47", lambda: h.take(app, p, assistant, rubber)),
        ("06:50", lambda: h.set_lock(app, p, head, "Armory safe", True)),
        ("06:55", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("06:56", lambda: h.put_back(app, p, head, revolver, "Set cart A")),
        ("06:57", lambda: h.put_back(app, p, head, carbine, "Set cart A")),
        ("06:58", lambda: h.put_back(app, p, assistant, rubber, "Set cart A")),
        ("07:00", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        # A crew member's concern, answered before the meeting.
        (
            "07:05",
            lambda: h.raise_concern(
                app, p, "Owen Hart", "Camera A was marked 18 ft from the revolver's muzzle.", False
            ),
        ),
        (
            "07:20",
            lambda: h.answer_concern(
                app,
                p,
                "Ruth Okafor",
                "C01",
                "Camera A moved to 30 ft behind the Lexan shield, as the plan says.",
                pin=DEMO_PIN,
            ),
        ),
        # Scene 12: the showdown on Main Street. Safety meeting with everyone present, each
        # confirming with their own PIN.
        ("08:30", lambda: h.hold_meeting(app, p, ad, "12", scene_12_crew, pin=DEMO_PIN)),
        *(("08:45", attend(who, "M01")) for who in scene_12_crew),
        ("09:05", lambda: h.call_firearm(app, p, ad, revolver, "12")),
        ("09:05", lambda: h.call_firearm(app, p, ad, carbine, "12")),
        ("09:10", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("09:11", lambda: h.take(app, p, head, revolver)),
        ("09:12", lambda: h.take(app, p, assistant, carbine)),
        ("09:13", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        # Loaded at the last moment, only what the plan allows.
        ("09:13", lambda: h.load(app, p, head, revolver, "A02", 6, pin=DEMO_PIN)),
        # The three-person check: every chamber inspected, shown to the 1st AD and the talent.
        ("09:14", lambda: inspect(head, revolver, HOT, "pre_use")),
        ("09:14", lambda: inspect(assistant, carbine, ("empty",) * 11, "pre_use")),
        ("09:15", lambda: h.witness(app, p, ad, revolver, DEMO_PIN)),
        ("09:15", lambda: h.witness(app, p, "Jack Colt", revolver, DEMO_PIN)),
        ("09:16", lambda: h.witness(app, p, ad, carbine, DEMO_PIN)),
        ("09:16", lambda: h.witness(app, p, "Sam Tanaka", carbine, DEMO_PIN)),
        ("09:17", lambda: h.announce(app, p, ad, revolver, pin=DEMO_PIN)),
        ("09:17", lambda: h.announce(app, p, ad, carbine, pin=DEMO_PIN)),
        ("09:20", lambda: h.hand_off(app, p, head, revolver, "Jack Colt", DEMO_PIN)),
        ("09:20", lambda: h.accept(app, p, "Jack Colt", revolver, DEMO_PIN)),
        ("09:21", lambda: h.hand_off(app, p, assistant, carbine, "Sam Tanaka", DEMO_PIN)),
        ("09:22", lambda: h.cancel(app, p, "Sam Tanaka", carbine)),  # the blocking changed
        ("09:31", lambda: h.hand_off(app, p, assistant, carbine, "Sam Tanaka", DEMO_PIN)),
        ("09:31", lambda: h.accept(app, p, "Sam Tanaka", carbine, DEMO_PIN)),
        # The take: six planned shots, then "cut" and the firearms straight back.
        ("09:40", lambda: h.discharge(app, p, head, revolver, 6, "Take 1, as planned")),
        ("09:47", lambda: h.cut(app, p, ad, "12")),
        ("09:48", lambda: h.hand_off(app, p, "Jack Colt", revolver, head, DEMO_PIN)),
        ("09:48", lambda: h.accept(app, p, head, revolver, DEMO_PIN)),
        ("09:49", lambda: h.hand_off(app, p, "Sam Tanaka", carbine, assistant, DEMO_PIN)),
        ("09:49", lambda: h.accept(app, p, assistant, carbine, DEMO_PIN)),
        # After "cut": post-use inspections, unloading and the count.
        ("09:50", lambda: inspect(head, revolver, ("spent",) * 6, "post_use")),
        ("09:51", lambda: inspect(assistant, carbine, ("empty",) * 11, "post_use")),
        ("09:52", lambda: h.unload(app, p, head, revolver, pin=DEMO_PIN)),
        ("09:53", lambda: inspect(head, revolver, ("empty",) * 6, "post_use")),
        (
            "09:55",
            lambda: h.reconcile(
                app, p, head, revolver, fired=6, returned=0, misfired=0, pin=DEMO_PIN
            ),
        ),
        # Lunch: everything back into the locked cart before the break is called.
        ("12:58", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("12:59", lambda: h.put_back(app, p, head, revolver, "Set cart A")),
        ("13:00", lambda: h.put_back(app, p, assistant, carbine, "Set cart A")),
        ("13:00", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        ("13:01", lambda: h.call_break(app, p, ad, "lunch", pin=DEMO_PIN)),
        ("13:45", lambda: h.resume_day(app, p, ad)),
        # Scene 14: the sheriff's draw with the rubber gun.
        ("14:20", lambda: h.hold_meeting(app, p, ad, "14", (head, "Lucia Ferrer"), pin=DEMO_PIN)),
        ("14:25", attend(head, "M02")),
        ("14:25", attend("Lucia Ferrer", "M02")),
        ("14:28", lambda: h.call_firearm(app, p, ad, rubber, "14")),
        ("14:30", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("14:31", lambda: h.take(app, p, head, rubber)),
        ("14:32", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        ("14:33", lambda: inspect(head, rubber, ("empty",) * 6, "pre_use")),
        ("14:34", lambda: h.witness(app, p, ad, rubber, DEMO_PIN)),
        ("14:34", lambda: h.witness(app, p, "Lucia Ferrer", rubber, DEMO_PIN)),
        ("14:35", lambda: h.announce(app, p, ad, rubber, pin=DEMO_PIN)),
        ("14:35", lambda: h.hand_off(app, p, head, rubber, "Lucia Ferrer", DEMO_PIN)),
        ("14:35", lambda: h.accept(app, p, "Lucia Ferrer", rubber, DEMO_PIN)),
        ("15:19", lambda: h.cut(app, p, ad, "14")),
        ("15:20", lambda: h.hand_off(app, p, "Lucia Ferrer", rubber, head, DEMO_PIN)),
        ("15:20", lambda: h.accept(app, p, head, rubber, DEMO_PIN)),
        ("15:21", lambda: inspect(head, rubber, ("empty",) * 6, "post_use")),
        ("15:22", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("15:23", lambda: h.put_back(app, p, head, rubber, "Set cart A")),
        ("15:24", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        # Wrap: every firearm from the cart back into the armory safe, then wrap.
        ("18:39", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("18:40", lambda: h.take(app, p, head, revolver)),
        ("18:41", lambda: h.take(app, p, head, carbine)),
        ("18:42", lambda: h.take(app, p, head, rubber)),
        ("18:45", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        ("18:50", lambda: h.set_lock(app, p, head, "Armory safe", False)),
        ("18:52", lambda: h.put_back(app, p, head, revolver, "Armory safe")),
        ("18:53", lambda: h.put_back(app, p, head, carbine, "Armory safe")),
        ("18:54", lambda: h.put_back(app, p, head, rubber, "Armory safe")),
        ("18:55", lambda: h.set_lock(app, p, head, "Armory safe", True)),
        ("18:56", lambda: h.call_break(app, p, ad, "wrap", pin=DEMO_PIN)),
    ]
    for hhmm, step in steps:
        clock.at(hhmm)
        step()


DEMO_PASSWORD = "showdown at high noon"  # noqa: S105 - every demo account's, demo data only


def demo_username(name: str) -> str:
    """A demo person's sign-in: their first name, lower case (hannah, dana, jack, ...)."""
    return name.split(maxsplit=1)[0].lower()


def seed_accounts(app: App, accounts: Accounts) -> list[tuple[str, str, str]]:
    """An account for every demo person, linked to them: (username, person, roles)."""
    state = app.state(PRODUCTION)
    made = []
    for person in state.people.values():
        username = demo_username(person.name)
        account = accounts.store.account_by_username(username)
        if account is None:
            account = accounts.create_account(username, person.name, DEMO_PASSWORD)
        if accounts.store.member(account.id, PRODUCTION) is None:
            accounts.link(account.id, PRODUCTION, person.id)
        made.append((username, person.name, ", ".join(sorted(r.value for r in person.roles))))
    return made
