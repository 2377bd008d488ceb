"""Every action of the catalogue as a form (coldcheck.web.forms) through the real ASGI app: the
list, one form per action with a field for each argument, a plan filed and approved through the
forms, a refusal shown with its rule, and the generic route's CSRF and PIN checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from coldcheck.app import handlers as h
from coldcheck.app.actions import ACTIONS, Kind
from coldcheck.app.settings import Settings
from coldcheck.domain.values import AmmoClass, BlankLoad
from coldcheck.web.app import create_app
from coldcheck.web.forms import GROUPS
from tests.conftest import PINS, PRODUCTION, make_app
from tests.e2e.test_screens import P, alert, head, post, sign_in, text
from tests.e2e.test_screens import db as screens_db

db = screens_db  # the same seeded production and accounts as the screens' tests


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    settings = Settings.load(str(db), env={"COLDCHECK_INSECURE_TEST_KDF": "1"})
    with TestClient(create_app(settings), base_url="http://testserver") as test_client:
        yield test_client


def blank_lot(db: Path) -> None:
    app = make_app(db)
    try:
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
    finally:
        app.close()


PLAN_12A: dict[str, str | list[str]] = {
    "scene": "12A",
    "firearms": "F01:blank:6:half",
    "distance_ft": "25",
    "mode": "take",
    "pointing": "none",
    "shields": "Lexan shield for camera",
    "protection": "ear plugs\neye protection",
    "justification": "Muzzle flash in a close-up; effects flash rejected by the director.",
}


def test_the_forms_need_sign_in(client: TestClient) -> None:
    for path in ("/do", "/do/file-plan"):
        response = client.get(P + path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/signin"


def test_all_actions_are_listed_grouped_with_the_persons_own_first(client: TestClient) -> None:
    sign_in(client, "ann")
    page = client.get(P + "/do")
    assert page.status_code == 200
    html = page.text
    for name in ACTIONS:
        assert f'href="{P}/do/{name}"' in html, name
    shown = text(html)
    for group, _ in GROUPS:
        assert group in shown
    assert ACTIONS["approve-plan"].help in shown  # each with its help
    yours, others = shown.split("Everything else")
    assert "Announce" in yours
    assert "Call" in yours
    assert "Approve plan" in others  # a 1st AD does not approve plans: further down
    assert "Approve plan" not in yours
    assert f'href="{P}/do" aria-current="page"' in html  # the nav entry


def test_every_action_renders_its_form_with_a_field_for_each_argument(
    client: TestClient,
) -> None:
    sign_in(client, "hannah")
    for name, spec in ACTIONS.items():
        page = client.get(f"{P}/do/{name}")
        assert page.status_code == 200, name
        html = page.text
        assert f'action="{P}/act/{name}"' in html, name
        assert f'name="screen" value="do/{name}"' in html, name
        assert 'name="csrf" value="' in html, name
        assert ('name="pin"' in html) == spec.signed, name
        for arg in spec.args:
            assert f'name="{arg.name}"' in html, (name, arg.name)
            field = re.search(rf'data-arg="{arg.name}">(.*?)</div>', html, re.S)
            assert field, (name, arg.name)
            if arg.required and arg.kind not in (Kind.CHOICES, Kind.PEOPLE, Kind.FIREARMS):
                assert "required" in field.group(1), (name, arg.name)
        assert re.search(r'<button type="submit" class="button big">\s*\S', html), name
    assert client.get(P + "/do/teleport").status_code == 404


def test_fields_follow_the_kind_of_each_argument(client: TestClient) -> None:
    sign_in(client, "hannah")
    plan = client.get(P + "/do/file-plan").text
    assert '<textarea name="firearms"' in plan  # PLAN: one entry per line
    assert '<input type="number" name="distance_ft" min="0"' in plan
    assert '<input type="checkbox" name="close_range" value="on"' in plan
    assert 'type="radio" name="pointing" value="none" checked' in plan  # the default
    train = text(client.get(P + "/do/train").text)
    assert "Jack Colt (talent)" in train  # PERSON: the production's people with their roles
    meeting = client.get(P + "/do/meeting").text
    assert meeting.count('type="checkbox" name="attendees"') == 4  # PEOPLE
    take = client.get(P + "/do/take").text
    assert "F01 · serial UB-1873-001" in take  # FIREARM: id and serial
    assert '<option value="S01"' in client.get(P + "/do/lock").text  # STORE
    assert '<input type="date" name="expires"' in client.get(P + "/do/record-permit").text
    dummies = client.get(P + "/do/inspect-dummies").text
    assert dummies.count('type="checkbox" name="methods"') == 3  # CHOICES
    inspect = client.get(P + "/do/inspect").text
    assert '<textarea name="positions"' in inspect
    assert "blank:A01 x6" in inspect


def test_a_plan_is_filed_and_approved_through_the_forms(client: TestClient, db: Path) -> None:
    blank_lot(db)
    csrf = sign_in(client, "hannah", "/do/file-plan")
    filed = post(client, "file-plan", csrf, "do/file-plan", {**PLAN_12A, "pin": PINS["P01"]})
    assert filed.status_code == 303, alert(filed.text)
    assert re.fullmatch(rf"{P}/do/file-plan\?done=\d+-\d+", filed.headers["location"])
    page = text(client.get(filed.headers["location"]).text)
    assert "✔ Recorded" in page
    assert "Hannah Reed filed the plan for scene 12A (take)." in page

    csrf = sign_in(client, "paul", "/do/approve-plan")
    form = client.get(P + "/do/approve-plan").text
    assert '<option value="12A">' in form  # the scenes filed are offered
    approved = post(
        client, "approve-plan", csrf, "do/approve-plan", {"scene": "12A", "pin": PINS["P04"]}
    )
    assert approved.status_code == 303, alert(approved.text)
    page = text(client.get(approved.headers["location"]).text)
    assert "Paul Price approved the plan for scene 12A." in page


def test_a_refusal_is_shown_with_its_rule_and_what_was_typed(client: TestClient, db: Path) -> None:
    blank_lot(db)
    csrf = sign_in(client, "hannah", "/do/file-plan")
    before = head(db)
    close = {**PLAN_12A, "distance_ft": "10", "pin": PINS["P01"]}
    refused = post(client, "file-plan", csrf, "do/file-plan", close)
    assert refused.status_code == 409
    assert "R-38" in alert(refused.text)
    assert "Nothing was recorded" in alert(refused.text)
    assert 'name="distance_ft" min="0" inputmode="numeric" value="10"' in refused.text  # kept
    assert "Muzzle flash in a close-up" in refused.text
    assert PINS["P01"] not in refused.text
    assert head(db) == before


def test_positions_one_per_line_or_repeated(client: TestClient) -> None:
    csrf = sign_in(client, "hannah", "/do/take")
    assert post(client, "take", csrf, "do/take", {"firearm": "F01"}).status_code == 303
    lines = "empty\nempty x4\n\nempty\n"
    inspected = post(
        client,
        "inspect",
        csrf,
        "do/inspect",
        {"firearm": "F01", "positions": lines, "barrel": "clear", "pin": PINS["P01"]},
    )
    assert inspected.status_code == 303, alert(inspected.text)
    page = text(client.get(inspected.headers["location"]).text)
    assert "Hannah Reed inspected F01 (pre use): EMPTY; barrel clear." in page


def test_csrf_and_pin_are_checked_as_on_every_screen(client: TestClient, db: Path) -> None:
    csrf = sign_in(client, "hannah", "/do/open-day")
    before = head(db)
    data: dict[str, str | list[str]] = {"swept": "Main safe\nProp cart", "schedule": "12A"}
    for token in (None, "forged-token"):
        refused = post(client, "open-day", token, "do/open-day", {**data, "pin": PINS["P01"]})
        assert refused.status_code == 403
        assert "CSRF token" in alert(refused.text)
    missing = post(client, "open-day", csrf, "do/open-day", data)
    assert missing.status_code == 422
    assert "open-day is signed with your PIN" in alert(missing.text)
    assert ">12A</textarea>" in missing.text  # what was typed is kept
    wrong = post(client, "open-day", csrf, "do/open-day", {**data, "pin": "000000"})
    assert wrong.status_code == 403
    assert head(db) == before
    assert post(client, "open-day", csrf, "do", data).status_code == 404  # not a form's screen
    opened = post(client, "open-day", csrf, "do/open-day", {**data, "pin": PINS["P01"]})
    assert opened.status_code == 303
    assert "swept Main safe, Prop cart." in text(client.get(opened.headers["location"]).text)


def test_another_productions_forms_are_not_found(client: TestClient) -> None:
    sign_in(client, "olga")
    assert client.get(P + "/do").status_code == 404
    assert client.get(P + "/do/take").status_code == 404
    assert client.get("/p/other-film/do/take").status_code == 200
