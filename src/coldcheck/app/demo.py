"""A realistic demo production: a Western, "Dust Road", and one shoot day ending at wrap.

Times are simulated on the day before the demo is seeded, so that anything recorded later
(today) comes after it. Every demo person's PIN is DEMO_PIN: this is demo data only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from coldcheck.app import handlers as h
from coldcheck.app import ledgerops
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
        )
    h.inspect_dummies(
        app,
        p,
        head,
        "A01",
        inspected=100,
        inert=100,
        methods=frozenset({DummyCheck.RATTLE, DummyCheck.CASE_HOLE}),
    )


def _shoot_day(app: App, clock: SimClock) -> None:
    p, head, assistant = PRODUCTION, "Hannah Reed", "Marco Diaz"
    steps: list[tuple[str, Callable[[], object]]] = [
        ("06:40", lambda: h.set_lock(app, p, head, "Armory safe", False)),
        ("06:45", lambda: h.take(app, p, head, "UB-73C-04512")),
        ("06:46", lambda: h.take(app, p, head, "WI-1892-88710")),
        ("06:47", lambda: h.take(app, p, assistant, "RB-SAA-0007")),
        ("06:50", lambda: h.set_lock(app, p, head, "Armory safe", True)),
        ("06:55", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("06:56", lambda: h.put_back(app, p, head, "UB-73C-04512", "Set cart A")),
        ("06:57", lambda: h.put_back(app, p, head, "WI-1892-88710", "Set cart A")),
        ("06:58", lambda: h.put_back(app, p, assistant, "RB-SAA-0007", "Set cart A")),
        ("07:00", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        # Scene 12: the showdown on Main Street.
        ("09:10", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("09:11", lambda: h.take(app, p, head, "UB-73C-04512")),
        ("09:12", lambda: h.take(app, p, assistant, "WI-1892-88710")),
        ("09:13", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        # The three-person check: every chamber inspected, shown to the 1st AD and the talent.
        (
            "09:14",
            lambda: h.inspect(
                app,
                p,
                head,
                "UB-73C-04512",
                positions=HOT,
                barrel_clear=True,
                phase="pre_use",
                pin=DEMO_PIN,
            ),
        ),
        (
            "09:14",
            lambda: h.inspect(
                app,
                p,
                assistant,
                "WI-1892-88710",
                positions=("empty",) * 11,
                barrel_clear=True,
                phase="pre_use",
                pin=DEMO_PIN,
            ),
        ),
        ("09:15", lambda: h.witness(app, p, "Dana Whitfield", "UB-73C-04512", DEMO_PIN)),
        ("09:15", lambda: h.witness(app, p, "Jack Colt", "UB-73C-04512", DEMO_PIN)),
        ("09:16", lambda: h.witness(app, p, "Dana Whitfield", "WI-1892-88710", DEMO_PIN)),
        ("09:16", lambda: h.witness(app, p, "Sam Tanaka", "WI-1892-88710", DEMO_PIN)),
        ("09:17", lambda: h.announce(app, p, "Dana Whitfield", "UB-73C-04512")),
        ("09:17", lambda: h.announce(app, p, "Dana Whitfield", "WI-1892-88710")),
        ("09:20", lambda: h.hand_off(app, p, head, "UB-73C-04512", "Jack Colt", DEMO_PIN)),
        ("09:20", lambda: h.accept(app, p, "Jack Colt", "UB-73C-04512", DEMO_PIN)),
        ("09:21", lambda: h.hand_off(app, p, assistant, "WI-1892-88710", "Sam Tanaka", DEMO_PIN)),
        ("09:22", lambda: h.cancel(app, p, "Sam Tanaka", "WI-1892-88710")),  # blocking changed
        ("09:31", lambda: h.hand_off(app, p, assistant, "WI-1892-88710", "Sam Tanaka", DEMO_PIN)),
        ("09:31", lambda: h.accept(app, p, "Sam Tanaka", "WI-1892-88710", DEMO_PIN)),
        ("09:48", lambda: h.hand_off(app, p, "Jack Colt", "UB-73C-04512", head, DEMO_PIN)),
        ("09:48", lambda: h.accept(app, p, head, "UB-73C-04512", DEMO_PIN)),
        ("09:49", lambda: h.hand_off(app, p, "Sam Tanaka", "WI-1892-88710", assistant, DEMO_PIN)),
        ("09:49", lambda: h.accept(app, p, assistant, "WI-1892-88710", DEMO_PIN)),
        # After "cut": the post-use inspections (six spent cases; the carbine still empty).
        (
            "09:50",
            lambda: h.inspect(
                app,
                p,
                head,
                "UB-73C-04512",
                positions=("spent",) * 6,
                barrel_clear=True,
                phase="post_use",
                pin=DEMO_PIN,
            ),
        ),
        (
            "09:51",
            lambda: h.inspect(
                app,
                p,
                assistant,
                "WI-1892-88710",
                positions=("empty",) * 11,
                barrel_clear=True,
                phase="post_use",
                pin=DEMO_PIN,
            ),
        ),
        (
            "10:05",
            lambda: h.inspect(
                app,
                p,
                head,
                "UB-73C-04512",
                positions=("empty",) * 6,
                barrel_clear=True,
                phase="post_use",
                pin=DEMO_PIN,
            ),
        ),
        # Lunch: everything goes back into the locked cart.
        ("12:58", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("12:59", lambda: h.put_back(app, p, head, "UB-73C-04512", "Set cart A")),
        ("13:00", lambda: h.put_back(app, p, assistant, "WI-1892-88710", "Set cart A")),
        ("13:00", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        # Scene 14: the sheriff's draw with the rubber gun, then wrap.
        ("14:30", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("14:31", lambda: h.take(app, p, head, "RB-SAA-0007")),
        ("14:32", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        ("14:35", lambda: h.hand_off(app, p, head, "RB-SAA-0007", "Lucia Ferrer", DEMO_PIN)),
        ("14:35", lambda: h.accept(app, p, "Lucia Ferrer", "RB-SAA-0007", DEMO_PIN)),
        ("15:20", lambda: h.hand_off(app, p, "Lucia Ferrer", "RB-SAA-0007", head, DEMO_PIN)),
        ("15:20", lambda: h.accept(app, p, head, "RB-SAA-0007", DEMO_PIN)),
        ("15:22", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("15:23", lambda: h.put_back(app, p, head, "RB-SAA-0007", "Set cart A")),
        ("15:24", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        # Wrap: every firearm from the cart back into the armory safe.
        ("18:39", lambda: h.set_lock(app, p, head, "Set cart A", False)),
        ("18:40", lambda: h.take(app, p, head, "UB-73C-04512")),
        ("18:41", lambda: h.take(app, p, head, "WI-1892-88710")),
        ("18:42", lambda: h.take(app, p, head, "RB-SAA-0007")),
        ("18:45", lambda: h.set_lock(app, p, head, "Set cart A", True)),
        ("18:50", lambda: h.set_lock(app, p, head, "Armory safe", False)),
        ("18:52", lambda: h.put_back(app, p, head, "UB-73C-04512", "Armory safe")),
        ("18:53", lambda: h.put_back(app, p, head, "WI-1892-88710", "Armory safe")),
        ("18:54", lambda: h.put_back(app, p, head, "RB-SAA-0007", "Armory safe")),
        ("18:55", lambda: h.set_lock(app, p, head, "Armory safe", True)),
    ]
    for hhmm, step in steps:
        clock.at(hhmm)
        step()
