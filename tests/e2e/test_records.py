"""The read-only record pages (coldcheck.web.records) through the real ASGI app: each list shows
what was recorded through the app's handlers, members only, another production a 404, signed
out a redirect to the sign-in page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from coldcheck.app import handlers as h
from coldcheck.app.service import App
from coldcheck.app.settings import Settings
from coldcheck.domain.values import AmmoClass, BlankLoad, DummyCheck, IncidentKind, Permit, Role
from coldcheck.ledger.entry import decode
from coldcheck.web.app import create_app
from tests.conftest import PINS, PRODUCTION, make_app, prepare_issue
from tests.e2e.test_screens import P, alert, post, sign_in, text
from tests.e2e.test_screens import db as screens_db

db = screens_db  # the same seeded production and accounts as the screens' tests
LISTS = ("lots", "plans", "meetings", "incidents", "people", "settings")
PAGES = ("/records", *(f"/records/{name}" for name in LISTS))


def client_for(db: Path, clock: Callable[[], datetime] | None = None) -> TestClient:
    settings = Settings.load(str(db), env={"COLDCHECK_INSECURE_TEST_KDF": "1"})
    if clock is None:
        return TestClient(create_app(settings), base_url="http://testserver")
    return TestClient(create_app(settings, clock=clock), base_url="http://testserver")


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with client_for(db) as test_client:
        yield test_client


def record(db: Path, facts: Callable[[App], object]) -> None:
    app = make_app(db)
    try:
        facts(app)
    finally:
        app.close()


def page(client: TestClient, path: str) -> str:
    response = client.get(P + path)
    assert response.status_code == 200, response.text
    return text(response.text)


def _lots(app: App) -> None:
    h.receive_ammunition(
        app,
        PRODUCTION,
        "P01",
        ammo_class=AmmoClass.BLANK,
        calibre=".45 Colt",
        count=50,
        supplier="Stembridge",
        provenance="Invoice 4471",
        store="S01",
        load=BlankLoad.HALF,
        pin=PINS["P01"],
    )
    h.receive_ammunition(
        app,
        PRODUCTION,
        "P01",
        ammo_class=AmmoClass.DUMMY,
        calibre="9mm",
        count=10,
        supplier="Prop House",
        provenance="Delivery note 88",
        store="S01",
        pin=PINS["P01"],
    )
    lot = next(lot.id for lot in app.state(PRODUCTION).lots.values() if lot.ammo_class == "dummy")
    h.inspect_dummies(
        app,
        PRODUCTION,
        "P01",
        lot,
        inspected=4,
        inert=4,
        methods=frozenset({DummyCheck.RATTLE}),
        pin=PINS["P01"],
    )


def test_records_need_sign_in(client: TestClient) -> None:
    for path in PAGES:
        response = client.get(P + path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/signin"


def test_another_production_is_not_found(client: TestClient) -> None:
    sign_in(client, "olga")
    for path in PAGES:
        assert client.get(P + path).status_code == 404, path
    assert client.get("/p/other-film/records").status_code == 200


def test_an_unknown_list_is_not_found(client: TestClient) -> None:
    sign_in(client, "jack")
    assert client.get(P + "/records/secrets").status_code == 404


def test_the_index_links_every_list_with_its_count(db: Path, client: TestClient) -> None:
    record(db, _lots)
    sign_in(client, "jack")
    html = client.get(P + "/records").text
    for name in LISTS:
        assert f'href="{P}/records/{name}"' in html
    assert "2 Ammunition lots" in text(html)
    assert "4 People" in text(html)
    assert f'href="{P}/records"' in client.get(P + "/day").text  # the nav links here


def test_lots_show_counts_inspection_and_why_not_loadable(db: Path, client: TestClient) -> None:
    record(db, _lots)
    sign_in(client, "ann")
    shown = page(client, "/records/lots")
    assert "A01 · BLANK .45 Colt · half load" in shown
    assert "Loadable: yes" in shown
    assert "Supplier Stembridge" in shown
    assert "Provenance Invoice 4471" in shown
    assert "Now 50 round(s) Received 50 Fired 0 Misfired 0" in shown
    assert "Store Main safe" in shown
    assert "Shown inert 4 of 10; none suspect" in shown
    assert "Loadable: NO — 6 of 10 not yet shown inert" in shown
    html = client.get(P + "/records/lots").text
    assert f'href="{P}/do/inspect-dummies"' in html
    assert f'href="{P}/do/receive-ammo"' in html


def test_a_lot_held_as_evidence_says_so(db: Path, client: TestClient) -> None:
    def facts(app: App) -> None:
        _lots(app)
        h.open_incident(
            app, PRODUCTION, "P02", IncidentKind.NEAR_MISS, "Round near the cart.", lots=("A01",)
        )

    record(db, facts)
    sign_in(client, "jack")
    shown = page(client, "/records/lots")
    assert "EVIDENCE HOLD · incident I01" in shown
    assert "Loadable: NO — held as evidence for incident I01" in shown


def test_plans_show_approval_or_awaiting_it(db: Path, client: TestClient) -> None:
    def facts(app: App) -> None:
        prepare_issue(app)
        h.file_plan(
            app,
            PRODUCTION,
            "P01",
            scene="14B",
            mode="rehearsal",
            firearms=("F02:empty",),
            distance_ft=30,
            shields=("Lexan",),
            justification="The pistol is seen racked in the wide.",
            risks="Dust in the wind.",
            pin=PINS["P01"],
        )

    record(db, facts)
    sign_in(client, "paul")
    shown = page(client, "/records/plans")
    assert "Scene 12A · take" in shown
    assert "Approved by Paul Price" in shown
    assert "Scene 14B · rehearsal" in shown
    assert "AWAITING APPROVAL" in shown
    assert shown.index("Scene 14B") < shown.index("Scene 12A")  # waiting first
    assert "F02: empty" in shown
    assert "Distance 30 ft" in shown
    assert "Shields Lexan" in shown
    assert "Risks Dust in the wind." in shown
    assert "A real revolver is seen in close-up" in shown
    assert "Filed by Hannah Reed" in shown
    assert f'href="{P}/do/approve-plan?scene=14B"' in client.get(P + "/records/plans").text
    form = client.get(P + "/do/approve-plan", params={"scene": "14B", "nothing": "x"}).text
    assert 'value="14B"' in form  # the link fills the scene in; unknown parameters are ignored
    assert 'value="x"' not in form


def test_meetings_show_lead_attendees_and_briefing(db: Path, client: TestClient) -> None:
    record(db, prepare_issue)
    app = make_app(db)
    try:
        bodies = (decode(stored.data).body for stored in app.store.read_stream(PRODUCTION))
        briefing = next(b.payload["briefing"] for b in bodies if b.type == "meeting.held")
    finally:
        app.close()
    sign_in(client, "jack")
    shown = page(client, "/records/meetings")
    assert "Scene 12A" in shown
    assert "Led by Ann Marsh" in shown
    assert "On the roll Ann Marsh, Hannah Reed, Jack Colt" in shown
    assert "Confirmed (PIN) ✔ Ann Marsh, Jack Colt" in shown  # the lead signed; Jack confirmed
    assert "Not confirmed ✖ Hannah Reed" in shown
    assert briefing
    for line in briefing:
        assert text(line) in shown


def test_the_people_on_the_roll_confirm_the_meeting_in_turn_on_one_device(
    db: Path, client: TestClient
) -> None:
    record(db, prepare_issue)  # M01: Ann Marsh led it, Jack Colt confirmed, Hannah Reed has not
    csrf = sign_in(client, "ann", "/records/meetings")
    form = client.get(P + "/records/meetings").text
    assert 'action="/p/dust-road/act/attend"' in form
    assert '<option value="P01">Hannah Reed</option>' in form
    assert '<option value="P02">' not in form  # Jack Colt has confirmed already

    wrong = post(client, "attend", csrf, "records/meetings",
                 {"meeting": "M01", "attester": "P01", "pin": "000000"})  # fmt: skip
    assert wrong.status_code == 403
    confirmed = post(client, "attend", csrf, "records/meetings",
                     {"meeting": "M01", "attester": "P01", "pin": PINS["P01"]})  # fmt: skip
    assert confirmed.status_code == 303
    back = client.get(confirmed.headers["location"])
    assert "Hannah Reed confirmed being at safety meeting M01" in text(back.text)
    assert "Confirmed (PIN) ✔ Ann Marsh, Hannah Reed, Jack Colt" in text(back.text)
    assert 'action="/p/dust-road/act/attend"' not in back.text  # nobody left to confirm
    app = make_app(db)
    try:
        last = decode(list(app.store.read_stream(PRODUCTION))[-1].data)
    finally:
        app.close()
    assert (last.body.type, last.body.payload) == (
        "meeting.attended",
        {"meeting": "M01", "person": "P01"},
    )
    assert list(last.body.attest) == ["P01"]  # signed with Hannah's own key

    again = post(client, "attend", csrf, "records/meetings",
                 {"meeting": "M01", "attester": "P01", "pin": PINS["P01"]})  # fmt: skip
    assert again.status_code == 409
    assert "already confirmed" in alert(again.text)


def test_incidents_open_first_then_closed_with_findings(db: Path, client: TestClient) -> None:
    def facts(app: App) -> None:
        h.open_incident(
            app, PRODUCTION, "P02", IncidentKind.MALFUNCTION, "The cylinder stuck.", ("F02",)
        )
        h.close_incident(
            app,
            PRODUCTION,
            "P04",
            "I01",
            "A burr on the ratchet.",
            "Cylinder replaced.",
            pin=PINS["P04"],
        )
        h.open_incident(
            app, PRODUCTION, "P03", IncidentKind.NEAR_MISS, "Muzzle swept the crew.", ("F01",)
        )

    record(db, facts)
    sign_in(client, "ann")
    shown = page(client, "/records/incidents")
    assert "I02 · ● OPEN · near miss" in shown
    assert "EVIDENCE HOLD · firearms F01" in shown
    assert "Opened by Ann Marsh" in shown
    assert "Muzzle swept the crew." in shown
    assert "I01 · ✔ Closed · malfunction" in shown
    assert "Findings A burr on the ratchet." in shown
    assert "Corrective action Cylinder replaced." in shown
    assert "Reviewed by Paul Price" in shown
    assert shown.index("I02") < shown.index("I01")
    assert f'href="{P}/do/close-incident?incident=I02"' in client.get(P + "/records/incidents").text


def test_people_show_roles_permit_key_and_training(db: Path, client: TestClient) -> None:
    record(db, prepare_issue)
    sign_in(client, "jack")
    shown = page(client, "/records/people")
    assert "Hannah Reed P01 armorer · HEAD ARMORER" in shown
    assert "Permit CA-0042, California DOJ, valid until 2099-01-01" in shown
    assert "Key ✔ active" in shown
    assert "Training revolver (entry #" in shown
    assert "EXPIRED" not in shown


def test_a_permit_past_its_expiry_says_expired(db: Path) -> None:
    def facts(app: App) -> None:
        permit = Permit(number="NV-7", authority="Nevada", expires=date(2030, 6, 1))
        h.record_permit(app, PRODUCTION, "P04", "P01", permit, actor_pin=PINS["P04"])

    record(db, facts)
    with client_for(db, clock=lambda: datetime(2031, 1, 1, 12, tzinfo=UTC)) as client:
        sign_in(client, "paul")
        shown = page(client, "/records/people")
    assert "Permit NV-7, Nevada, EXPIRED 2030-06-01" in shown


def test_settings_and_waivers_appear(db: Path, client: TestClient) -> None:
    def facts(app: App) -> None:
        h.change_setting(app, PRODUCTION, "P04", "verification_minutes", 20, pin=PINS["P04"])
        h.add_person(
            app,
            PRODUCTION,
            "P01",
            "Sam Okafor",
            frozenset({Role.SAFETY_ADVISOR}),
            "555555",
            actor_pin=PINS["P01"],
        )
        h.grant_waiver(
            app,
            PRODUCTION,
            "P05",
            "blank_distance_ft",
            15,
            "A stunt rig measured at 15 ft.",
            pin="555555",
        )

    record(db, facts)
    sign_in(client, "jack")
    shown = page(client, "/records/settings")
    assert "Verification minutes: 20 minutes" in shown
    assert "Default 30 minutes (changed) Stricter lower values Rule R-23" in shown
    assert "Blank distance ft: 15 feet · WAIVED Default 20 feet (changed)" in shown
    assert "WAIVER of R-38: blank distance ft = 15" in shown
    assert "Granted by Sam Okafor" in shown
    assert "Reason A stunt rig measured at 15 ft." in shown
    assert "4 Settings 1 waiver(s)" in page(client, "/records")


def test_a_superseded_meeting_is_not_offered_for_confirmation(db: Path, client: TestClient) -> None:
    def facts(app: App) -> None:
        prepare_issue(app)  # M01: Hannah Reed has not confirmed
        h.hold_meeting(app, PRODUCTION, "P03", "12A", ("P01", "P02"), pin=PINS["P03"])  # M02

    record(db, facts)
    sign_in(client, "ann", "/records/meetings")
    html = client.get(P + "/records/meetings").text
    forms = re.findall(r'<li class="screen-card record meeting" id="(M\d+)">(.*?)</li>', html, re.S)
    offered = {mid: re.findall(r'<option value="(P\d+)">', body) for mid, body in forms}
    assert offered == {"M02": ["P01", "P02"], "M01": []}  # only the newest briefing counts
