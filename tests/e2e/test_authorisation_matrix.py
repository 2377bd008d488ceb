"""Who may give which command: every action of the catalogue, by every role, through the API.

Production "dust-road" has one person per role, each with an account; "other-film" has its
own seven people and accounts. For every action a history is prepared (through the app
handlers) in which the action is possible, and then, through the HTTP API with the session's
CSRF token, the actor's own PIN for signed actions, and valid arguments:

- every account tries it in the *other* production: 404 not-found, nothing written there;
- every role the domain does not allow tries it in its own production: 403 not-authorised,
  with the rule the domain names, nothing written;
- every role the domain allows does it, each in a fresh copy of the prepared history: 201,
  its events written.

ALLOWED below is the matrix, read off the domain's role checks (``guards.require_role`` and
its kin in src/coldcheck/domain/*.py). Hand-offs are not decided by role but by who holds the
firearm and who is named: that is stated next to them.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from coldcheck.app import handlers as h
from coldcheck.app.accounts import Accounts
from coldcheck.app.actions import ACTIONS, WHOSE
from coldcheck.app.service import App, utc_now
from coldcheck.app.settings import Settings
from coldcheck.domain.values import AmmoClass, BlankLoad, IncidentKind, Permit, Role
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from coldcheck.web.app import create_app
from coldcheck.web.auth import COOKIE, CSRF_HEADER
from tests.conftest import PINS as SEED_PINS
from tests.conftest import PRODUCTION, make_app, prepare_issue, seed

OTHER = "other-film"
PASSWORD = "saddle brass lantern"

ARMORER = "armorer"  # the head armorer, with a permit
FIRST_AD = "first_ad"
TALENT = "talent"
ADVISOR = "safety_advisor"
PRODUCER = "producer"
CREW = "crew"
INVESTIGATOR = "investigator"
ROLES = (ARMORER, FIRST_AD, TALENT, ADVISOR, PRODUCER, CREW, INVESTIGATOR)
ANYONE = frozenset(ROLES)

# The person each role is, in both productions (P01-P04 as tests/conftest.py seeds them).
PERSON = {
    ARMORER: "P01",
    TALENT: "P02",
    FIRST_AD: "P03",
    PRODUCER: "P04",
    ADVISOR: "P05",
    CREW: "P06",
    INVESTIGATOR: "P07",
}
PINS = {**SEED_PINS, "P05": "555555", "P06": "666666", "P07": "777777", "P08": "888888"}

# action: (the roles the domain allows, the rule a refused role is told; None: no rule id)
ALLOWED: dict[str, tuple[frozenset[str], str | None]] = {
    "open-day":           (frozenset({ARMORER}), "R-03"),
    "train":              (frozenset({ARMORER}), "R-44"),
    "file-plan":          (frozenset({ARMORER}), "R-31"),
    "approve-plan":       (frozenset({ADVISOR, PRODUCER}), "R-31"),
    "meeting":            (frozenset({ARMORER, FIRST_AD}), "R-30"),
    "attend":             (ANYONE - {FIRST_AD}, "R-30"),  # on the roll, but not its lead
    "call":               (frozenset({FIRST_AD}), "R-27"),
    "cut":                (frozenset({FIRST_AD}), "R-15"),
    "break":              (frozenset({ARMORER, FIRST_AD}), "R-08"),
    "resume-day":         (frozenset({ARMORER, FIRST_AD}), "R-08"),
    "unlock":             (frozenset({ARMORER}), "R-12"),
    "lock":               (frozenset({ARMORER}), "R-12"),
    "take":               (frozenset({ARMORER}), "R-12"),
    "return":             (frozenset({ARMORER}), "R-12"),
    "hand-off":           (frozenset({ARMORER}), "R-14"),  # whoever holds it: the armorer here
    "accept":             (frozenset({TALENT}), "R-18"),  # the named receiver: the talent here
    "cancel":             (frozenset({ARMORER, TALENT}), None),  # the giver or the receiver
    "inspect":            (frozenset({ARMORER}), "R-19"),
    "witness":            (frozenset({FIRST_AD, TALENT}), "R-20"),
    "announce":           (frozenset({FIRST_AD}), "R-21"),
    "load":               (frozenset({ARMORER}), "R-26"),
    "unload":             (frozenset({ARMORER}), "R-26"),
    "discharge":          (ANYONE, None),  # a fact: always recorded
    "misfire":            (ANYONE, None),  # a fact: always recorded
    "clear-misfire":      (frozenset({ARMORER}), "R-25"),
    "reconcile":          (frozenset({ARMORER}), "R-09"),
    "receive-ammo":       (frozenset({ARMORER}), "R-11"),
    "inspect-dummies":    (frozenset({ARMORER}), "R-05"),
    "incident":           (ANYONE, None),
    "close-incident":     (frozenset({ADVISOR, PRODUCER}), "R-51"),
    "concern":            (ANYONE, None),
    "answer-concern":     (frozenset({ADVISOR, PRODUCER}), "R-52"),
    "stop-work":          (frozenset({ARMORER}), "R-47"),
    "resume-work":        (frozenset({ARMORER}), "R-47"),
    "report-custody":     (ANYONE, None),  # a fact: never refused for breaking protocol
    "report-missing":     (ANYONE, None),
    "record-permit":      (frozenset({ARMORER, ADVISOR, PRODUCER}), None),  # head armorer
    "setting":            (frozenset({ADVISOR, PRODUCER}), None),
    "waiver":             (frozenset({ADVISOR}), "R-49"),
    "approve-range":      (frozenset({ADVISOR}), "R-02"),
    "receive-range-ammo": (frozenset({ARMORER}), "R-02"),
}  # fmt: skip


# -- prepared histories (through the app handlers, on the seeded production) ------------------

P = PRODUCTION


def _pin(person: str) -> str:
    return PINS[person]


def nothing(app: App) -> None:
    """The seeded production as it is: S01 unlocked, F01 and F02 in it, no day opened."""


def plan_filed(app: App) -> None:
    h.file_plan(
        app,
        P,
        "P01",
        scene="12A",
        mode="take",
        firearms=("F01:empty",),
        distance_ft=25,
        justification="A real revolver is seen in close-up; a replica would read as fake.",
        pin=_pin("P01"),
    )


def plan_approved(app: App) -> None:
    plan_filed(app)
    h.approve_plan(app, P, "P04", "12A", pin=_pin("P04"))


def plan_filed_today(app: App) -> None:
    """The day opened (a meeting briefs the open shoot day) and the plan for 12A filed."""
    h.open_day(app, P, "P01", ("Main safe",), "12A at 10:00", pin=_pin("P01"))
    plan_filed(app)


def meeting_held(app: App) -> None:
    """Today's meeting for 12A, led by the 1st AD, with every other role on its roll."""
    plan_filed_today(app)
    roll = tuple(PERSON[r] for r in ROLES if r != FIRST_AD)
    h.hold_meeting(app, P, "P03", "12A", roll, pin=_pin("P03"))


def called(app: App) -> None:
    plan_approved(app)
    h.call_firearm(app, P, "P03", "F01", "12A")


def locked(app: App) -> None:
    h.set_lock(app, P, "P01", "S01", True)


def on_break(app: App) -> None:
    locked(app)
    h.call_break(app, P, "P03", "break", pin=_pin("P03"))


def taken(app: App) -> None:
    h.take(app, P, "P01", "F01")


def inspected(app: App) -> None:
    taken(app)
    h.inspect(
        app, P, "P01", "F01", positions=("empty",) * 6, barrel_clear=True, phase="pre_use",
        pin=_pin("P01"),
    )  # fmt: skip


def issue_ready(app: App) -> None:
    """The three-person check done: the armorer holds F01, shown to the 1st AD and talent."""
    prepare_issue(app)


def offered(app: App) -> None:
    prepare_issue(app)
    h.hand_off(app, P, "P01", "F01", "P02", _pin("P01"))


def ready_to_load(app: App) -> None:
    """Blanks in lot A01; F01 called for a blank-firing plan and held by the armorer."""
    h.receive_ammunition(
        app, P, "P01", ammo_class=AmmoClass.BLANK, calibre=".45 Colt", count=50,
        supplier="Blanks & Co", provenance="INV-1", store="S01", load=BlankLoad.HALF,
        close_range=False, pin=_pin("P01"),
    )  # fmt: skip
    h.file_plan(
        app, P, "P01", scene="14B", mode="take", firearms=("F01:blank:6:half",),
        distance_ft=25, shields=("plexiglass",), protection=("goggles", "ear plugs"),
        justification="The muzzle flash is seen in the shot.", pin=_pin("P01"),
    )  # fmt: skip
    h.approve_plan(app, P, "P04", "14B", pin=_pin("P04"))
    h.call_firearm(app, P, "P03", "F01", "14B")
    h.take(app, P, "P01", "F01")


def loaded(app: App) -> None:
    """F01 loaded with six blanks, in the armorer's hands."""
    ready_to_load(app)
    h.load(app, P, "P01", "F01", "A01", 6, pin=_pin("P01"))


def misfired(app: App) -> None:
    loaded(app)
    h.misfire(app, P, "P01", "F01")


def unloaded(app: App) -> None:
    loaded(app)
    h.unload(app, P, "P01", "F01", pin=_pin("P01"))


def dummy_lot(app: App) -> None:
    h.receive_ammunition(
        app, P, "P01", ammo_class=AmmoClass.DUMMY, calibre=".45 Colt", count=10,
        supplier="Dummies Ltd", provenance="INV-2", store="S01", load=None,
        close_range=False, pin=_pin("P01"),
    )  # fmt: skip


def incident_open(app: App) -> None:
    h.open_incident(app, P, "P06", IncidentKind.NEAR_MISS, "The cart rolled near the set.", (), ())


def concern_raised(app: App) -> None:
    h.raise_concern(app, P, "P06", "The cart stands too close to the catering tent.", False)


def stopped(app: App) -> None:
    h.stop_work(app, P, "P01", "Gusts of wind across the set.")


def range_approved(app: App) -> None:
    h.approve_range(app, P, "P05", "Valley range", "Two paramedics", "2026-12-01", pin=_pin("P05"))


@dataclass(frozen=True)
class Case:
    prepare: Callable[[App], None]
    args: dict[str, Any]
    later: timedelta = timedelta(0)  # how long after the history the command is given


CASES: dict[str, Case] = {
    "open-day": Case(nothing, {"swept": ["Main safe"], "schedule": "12A at 10:00"}),
    "train": Case(nothing, {"person": "P02", "type": "revolver"}),
    "file-plan": Case(
        nothing,
        {
            "scene": "12A",
            "firearms": ["F01:empty"],
            "distance_ft": 25,
            "justification": "A real revolver is seen in close-up.",
        },
    ),
    "approve-plan": Case(plan_filed, {"scene": "12A"}),
    "meeting": Case(plan_filed_today, {"scene": "12A", "attendees": ["P02"]}),
    "attend": Case(meeting_held, {"meeting": "M01"}),
    "call": Case(plan_approved, {"firearm": "F01", "scene": "12A"}),
    "cut": Case(called, {"scene": "12A"}),
    "break": Case(locked, {"kind": "break"}),
    "resume-day": Case(on_break, {}),
    "unlock": Case(locked, {"store": "S01"}),
    "lock": Case(nothing, {"store": "Main safe"}),
    "take": Case(nothing, {"firearm": "F01"}),
    "return": Case(taken, {"firearm": "F01", "store": "S01"}),
    "hand-off": Case(issue_ready, {"firearm": "F01", "to": "P02"}),
    "accept": Case(offered, {"firearm": "F01"}),
    "cancel": Case(offered, {"firearm": "F01"}),
    "inspect": Case(taken, {"firearm": "F01", "positions": ["empty x6"]}),
    "witness": Case(inspected, {"firearm": "F01"}),
    "announce": Case(issue_ready, {"firearm": "F01"}),
    "load": Case(ready_to_load, {"firearm": "F01", "lot": "A01", "count": 6}),
    "unload": Case(loaded, {"firearm": "F01"}),
    "discharge": Case(nothing, {"firearm": "F01", "count": 1, "detail": "heard on stage 2"}),
    "misfire": Case(loaded, {"firearm": "F01"}),
    "clear-misfire": Case(misfired, {"firearm": "F01"}, later=timedelta(minutes=2)),
    "reconcile": Case(unloaded, {"firearm": "F01", "fired": 0, "returned": 6}),
    "receive-ammo": Case(
        nothing,
        {
            "class": "blank",
            "calibre": ".45 Colt",
            "count": 50,
            "supplier": "Blanks & Co",
            "provenance": "INV-9",
            "store": "S01",
            "load": "half",
        },
    ),
    "inspect-dummies": Case(
        dummy_lot, {"lot": "A01", "inspected": 10, "inert": 10, "methods": ["rattle"]}
    ),
    "incident": Case(nothing, {"kind": "near_miss", "description": "A slip by the cart."}),
    "close-incident": Case(
        incident_open,
        {
            "incident": "I01",
            "findings": "The cart's brake was not set.",
            "corrective_action": "The brake is checked at every move.",
        },
    ),
    "concern": Case(nothing, {"text": "Nobody briefed the new grip.", "stop": False}),
    "answer-concern": Case(
        concern_raised, {"concern": "C01", "answer": "The tent moves ten metres tonight."}
    ),
    "stop-work": Case(nothing, {"reason": "Gusts of wind across the set."}),
    "resume-work": Case(stopped, {"reason": "The wind has dropped."}),
    "report-custody": Case(nothing, {"firearm": "F01", "person": "P03"}),
    "report-missing": Case(nothing, {"firearm": "F02"}),
    "record-permit": Case(
        nothing,
        {
            "person": "P08",
            "number": "CA-0077",
            "authority": "California DOJ",
            "expires": "2099-01-01",
        },
    ),
    "setting": Case(nothing, {"name": "verification_minutes", "value": 20}),
    "waiver": Case(
        nothing,
        {"name": "verification_minutes", "value": 45, "reason": "Long resets between takes."},
    ),
    "approve-range": Case(
        nothing, {"location": "Valley range", "medical": "Two paramedics", "day": "2026-12-01"}
    ),
    "receive-range-ammo": Case(
        range_approved,
        {
            "session": "R01",
            "calibre": "9mm",
            "count": 50,
            "supplier": "Range Supply",
            "provenance": "INV-R1",
        },
    ),
}


# -- the two productions, their accounts and sessions -----------------------------------------


@dataclass(frozen=True)
class Session:
    token: str
    csrf: str


@dataclass(frozen=True)
class World:
    base: Path  # both productions, accounts, a live session per account
    sessions: dict[tuple[str, str], Session]  # (production, role) -> session


def _add(app: App, production: str, name: str, role: Role, person: str) -> None:
    h.add_person(
        app, production, "P01", name, frozenset({role}), PINS[person], actor_pin=PINS["P01"]
    )


def _people(app: App, production: str) -> None:
    """P05 safety advisor, P06 crew, P07 investigator (after P01-P04)."""
    _add(app, production, f"Sara Vance ({production})", Role.SAFETY_ADVISOR, "P05")
    _add(app, production, f"Carl Grip ({production})", Role.CREW, "P06")
    _add(app, production, f"Ines Holt ({production})", Role.INVESTIGATOR, "P07")


def _other(app: App) -> None:
    """The other production, with the same seven roles as P01-P07."""
    permit = Permit(number="NY-1", authority="NYPD", expires=date(2099, 1, 1))
    h.init(
        app, OTHER, "Other Film", "Olga Berg", frozenset({Role.ARMORER}), PINS["P01"],
        head_armorer=True, permit=permit,
    )  # fmt: skip
    _add(app, OTHER, "Tom Talent", Role.TALENT, "P02")
    _add(app, OTHER, "Ada Direction", Role.FIRST_AD, "P03")
    _add(app, OTHER, "Pam Money", Role.PRODUCER, "P04")
    _people(app, OTHER)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    base = tmp_path_factory.mktemp("matrix") / "base.db"
    app = make_app(base)
    try:
        seed(app)
        _people(app, P)
        # an assistant armorer without an account: the one whose permit is recorded
        _add(app, P, "Rick Assistant", Role.ARMORER, "P08")
        _other(app)
    finally:
        app.close()
    accounts = Accounts(SqliteAccountStore(base, create=True))
    sessions: dict[tuple[str, str], Session] = {}
    try:
        for production in (P, OTHER):
            for role in ROLES:
                username = f"{production}-{role}".replace("_", "-")
                account = accounts.create_account(username, f"{role} of {production}", PASSWORD)
                accounts.link(account.id, production, PERSON[role])
                tokens = accounts.sign_in(username, PASSWORD, client="testclient")
                sessions[production, role] = Session(tokens.token, tokens.csrf)
    finally:
        accounts.store.close()
    return World(base, sessions)


def _copy(source: Path, target: Path) -> Path:
    """The store and its node key (every connection to it is closed)."""
    shutil.copyfile(source, target)
    for suffix in ("-wal", ".node-key"):
        side = source.with_name(source.name + suffix)
        if side.exists():
            shutil.copyfile(side, target.with_name(target.name + suffix))
    return target


def ledger_size(db: Path, production: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        (size,) = conn.execute(
            "SELECT count(*) FROM records WHERE production = ?", (production,)
        ).fetchone()
    conn.close()
    return int(size)


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    return tmp_path


def prepared(world: World, folder: Path, action: str) -> Path:
    """The action's history, on a copy of the base store."""
    template = _copy(world.base, folder / f"{action}.db")
    app = make_app(template)
    try:
        CASES[action].prepare(app)
    finally:
        app.close()
    return template


@dataclass
class Api:
    """One store served by the app, spoken to as any account of either production."""

    db: Path
    client: TestClient
    world: World

    def act(self, production: str, as_: tuple[str, str], action: str) -> Any:
        session = self.world.sessions[as_]
        self.client.cookies.clear()
        self.client.cookies.set(COOKIE, session.token)
        body: dict[str, Any] = {"args": CASES[action].args}
        if ACTIONS[action].signed:
            body["pin"] = PINS[PERSON[as_[1]]]
        return self.client.post(
            f"/api/productions/{production}/actions/{action}",
            json=body,
            headers={CSRF_HEADER: session.csrf},
        )


@pytest.fixture
def serve(world: World) -> Iterator[Callable[[Path, timedelta], Api]]:
    """Serve a store with the app; its clock ``later`` after now (a misfire's wait)."""
    with ExitStack() as stack:

        def open_(db: Path, later: timedelta) -> Api:
            def clock() -> datetime:
                return utc_now() + later

            settings = Settings.load(str(db), env={"COLDCHECK_INSECURE_TEST_KDF": "1"})
            client = TestClient(create_app(settings, clock=clock), base_url="http://testserver")
            return Api(db, stack.enter_context(client), world)

        yield open_


def test_the_matrix_covers_the_whole_catalogue() -> None:
    assert set(ALLOWED) == set(ACTIONS) == set(CASES) == set(WHOSE)
    assert all(allowed <= ANYONE and allowed for allowed, _ in ALLOWED.values())


# decided by who holds the firearm or is named, not by role: the matrix's history has the
# armorer holding F01 and the talent named; an armorer or a talent may be either
BY_HOLDING = frozenset({"hand-off", "accept", "cancel"})


def test_whose_action_each_is_in_the_catalogue_is_what_the_domain_allows() -> None:
    """The catalogue's WHOSE (menus, the API's /actions) agrees with the matrix, which the test
    below checks against the domain itself."""
    for action, (allowed, _) in ALLOWED.items():
        whose = {role.value for role in WHOSE[action]}
        if action in BY_HOLDING:
            assert allowed <= whose == {ARMORER, TALENT}, action
        elif action == "attend":  # whoever is on the roll: here everyone but the lead
            assert allowed <= whose == ANYONE, action
        else:
            assert whose == allowed, action


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_role_in_both_productions(
    action: str,
    world: World,
    templates: Path,
    serve: Callable[[Path, timedelta], Api],
) -> None:
    allowed, rule = ALLOWED[action]
    later = CASES[action].later
    template = prepared(world, templates, action)
    api = serve(_copy(template, templates / f"{action}-refused.db"), later)

    # Another production's command: not found, as if it did not exist; nothing written there.
    for mine, theirs in ((P, OTHER), (OTHER, P)):
        for role in ROLES:
            before = ledger_size(api.db, theirs)
            response = api.act(theirs, (mine, role), action)
            assert response.status_code == 404, (action, mine, role, response.text)
            assert response.json()["type"].endswith("/not-found")
            assert ledger_size(api.db, theirs) == before

    # A role the domain does not allow: 403 not-authorised with the rule; nothing written.
    for role in sorted(set(ROLES) - allowed):
        before = ledger_size(api.db, P)
        response = api.act(P, (P, role), action)
        assert response.status_code == 403, (action, role, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["type"].endswith("/not-authorised"), (action, role, problem)
        assert problem["rule"] == rule, (action, role, problem)
        assert ledger_size(api.db, P) == before, (action, role)

    # Every role it allows: done, in its own fresh copy of the history.
    for role in sorted(allowed):
        api = serve(_copy(template, templates / f"{action}-{role}.db"), later)
        before = ledger_size(api.db, P)
        response = api.act(P, (P, role), action)
        assert response.status_code == 201, (action, role, response.text)
        events = response.json()["events"]
        assert events
        assert ledger_size(api.db, P) == before + len(events)
