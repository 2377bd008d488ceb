"""Shared fixtures. Tests use libsodium's minimum argon2id cost so that PIN checks are fast."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ["COLDCHECK_INSECURE_TEST_KDF"] = "1"

from coldcheck.app import handlers as h
from coldcheck.app.service import App, bootstrap
from coldcheck.app.settings import Settings
from coldcheck.domain.values import (
    Action,
    Capacity,
    FirearmKind,
    Permit,
    Role,
    StoreKind,
)

PRODUCTION = "dust-road"
PINS = {"P01": "111111", "P02": "222222", "P03": "333333", "P04": "444444"}


def make_app(db: Path) -> App:
    return bootstrap(Settings.load(str(db), env={"COLDCHECK_INSECURE_TEST_KDF": "1"}), create=True)


def seed(app: App) -> None:
    """A small production: head armorer P01, talent P02, 1st AD P03, producer P04;
    store S01 (safe, unlocked), revolver F01 and pistol F02 in it."""
    permit = Permit(number="CA-0042", authority="California DOJ", expires=date(2099, 1, 1))
    h.init(
        app,
        PRODUCTION,
        "Dust Road",
        "Hannah Reed",
        frozenset({Role.ARMORER}),
        PINS["P01"],
        head_armorer=True,
        permit=permit,
    )
    h.add_person(
        app,
        PRODUCTION,
        "P01",
        "Jack Colt",
        frozenset({Role.TALENT}),
        PINS["P02"],
        actor_pin=PINS["P01"],
    )
    h.add_person(
        app,
        PRODUCTION,
        "P01",
        "Ann Marsh",
        frozenset({Role.FIRST_AD}),
        PINS["P03"],
        actor_pin=PINS["P01"],
    )
    h.add_person(
        app,
        PRODUCTION,
        "P01",
        "Paul Price",
        frozenset({Role.PRODUCER}),
        PINS["P04"],
        actor_pin=PINS["P01"],
    )
    h.add_store(app, PRODUCTION, "P01", "Main safe", StoreKind.SAFE, locked=False)
    h.add_firearm(
        app,
        PRODUCTION,
        "P01",
        serial="UB-1873-001",
        make="Uberti",
        model="1873 Cattleman",
        action=Action.REVOLVER,
        calibre=".45 Colt",
        capacity=Capacity.parse("6"),
        kind=FirearmKind.BLANK_FIRING_REAL,
        owner="Hollywood Rentals",
        store="S01",
    )
    h.add_firearm(
        app,
        PRODUCTION,
        "P01",
        serial="BE-92-7781",
        make="Beretta",
        model="92FS",
        action=Action.SEMI_AUTOMATIC_PISTOL,
        calibre="9mm",
        capacity=Capacity.parse("15+1"),
        kind=FirearmKind.BLANK_FIRING_REAL,
        owner="Hollywood Rentals",
        store="S01",
    )


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    application = make_app(tmp_path / "coldcheck.db")
    yield application
    application.close()


@pytest.fixture
def seeded(app: App) -> App:
    seed(app)
    return app


def prepare_issue(
    app: App,
    firearm: str = "F01",
    talent: str = "P02",
    scene: str = "12A",
    plan: tuple[str, ...] = ("F01:empty",),
) -> None:
    """Everything an armorer -> talent hand-off of an empty ``firearm`` needs (on ``seed``):
    the opening check, the talent's training, an approved plan, the meeting, the 1st AD's call,
    the armorer's inspection and the three-person check. The armorer P01 then holds it."""
    h.open_day(app, PRODUCTION, "P01", ("Main safe", "Prop cart"), "12A", pin=PINS["P01"])
    action = app.state(PRODUCTION).firearms[firearm].action
    h.record_training(app, PRODUCTION, "P01", talent, Action(action), "", pin=PINS["P01"])
    h.file_plan(
        app,
        PRODUCTION,
        "P01",
        scene=scene,
        mode="take",
        firearms=plan,
        distance_ft=25,
        justification="A real revolver is seen in close-up; a replica would read as fake.",
        pin=PINS["P01"],
    )
    h.approve_plan(app, PRODUCTION, "P04", scene, pin=PINS["P04"])
    held = h.hold_meeting(app, PRODUCTION, "P03", scene, ("P01", talent), pin=PINS["P03"])
    meeting = str(held.events[0].payload()["meeting"])
    h.attend_meeting(app, PRODUCTION, talent, meeting, pin=PINS[talent])
    h.call_firearm(app, PRODUCTION, "P03", firearm, scene)
    h.take(app, PRODUCTION, "P01", firearm)
    positions = ("empty",) * app.state(PRODUCTION).firearms[firearm].capacity.positions
    h.inspect(
        app,
        PRODUCTION,
        "P01",
        firearm,
        positions=positions,
        barrel_clear=True,
        phase="pre_use",
        pin=PINS["P01"],
    )
    h.witness(app, PRODUCTION, "P03", firearm, PINS["P03"])
    h.witness(app, PRODUCTION, talent, firearm, PINS[talent])
