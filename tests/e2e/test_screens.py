"""The task screens through the real ASGI app: announce, one firearm, concerns, the day, and the
one generic action route every form posts to (CSRF, PIN, refusals with rule ids, membership)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from coldcheck.app import handlers as h
from coldcheck.app.accounts import Accounts
from coldcheck.app.settings import Settings
from coldcheck.domain.values import Role
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from coldcheck.web.app import create_app
from tests.conftest import PINS, PRODUCTION, make_app, prepare_issue, seed

PASSWORD = "saddle brass lantern"
USERS = {"hannah": "P01", "jack": "P02", "ann": "P03", "paul": "P04"}
P = f"/p/{PRODUCTION}"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "set.db"
    app = make_app(path)
    try:
        seed(app)
        h.init(app, "other-film", "Other Film", "Olga Berg", frozenset({Role.PRODUCER}), "777777")
    finally:
        app.close()
    accounts = Accounts(SqliteAccountStore(path, create=True))
    try:
        for username, person in USERS.items():
            account = accounts.create_account(username, username.title(), PASSWORD)
            accounts.link(account.id, PRODUCTION, person)
        olga = accounts.create_account("olga", "Olga Berg", PASSWORD)
        accounts.link(olga.id, "other-film", "P01")
    finally:
        accounts.store.close()
    return path


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    settings = Settings.load(str(db), env={"COLDCHECK_INSECURE_TEST_KDF": "1"})
    with TestClient(create_app(settings), base_url="http://testserver") as test_client:
        yield test_client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, screen: str = "/day") -> str:
    """Sign in through the sign-in form; the session's CSRF token, read from a screen."""
    form = client.get("/signin")
    signed = client.post(
        "/signin",
        data={"username": username, "password": PASSWORD, "csrf": _csrf(form.text)},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    page = client.get(P + screen) if username != "olga" else client.get("/p/other-film/day")
    assert page.status_code == 200, page.text
    return _csrf(page.text)


def post(
    client: TestClient,
    action: str,
    csrf: str | None,
    screen: str,
    data: dict[str, str | list[str]] | None = None,
    production: str = PRODUCTION,
) -> Any:
    fields: dict[str, str | list[str]] = {"screen": screen, **(data or {})}
    if csrf is not None:
        fields["csrf"] = csrf
    return client.post(f"/p/{production}/act/{action}", data=fields, follow_redirects=False)


def head(db: Path) -> int:
    app = make_app(db)
    try:
        found = app.store.head(PRODUCTION)
        return found.seq if found else 0
    finally:
        app.close()


def alert(html: str) -> str:
    found = re.search(r'<section class="screen-refusal" role="alert".*?</section>', html, re.S)
    assert found, "no refusal shown"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def test_screens_need_sign_in(client: TestClient) -> None:
    for path in ("/announce", "/concerns", "/day", "/firearms/F01"):
        response = client.get(P + path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/signin"
    assert post(client, "take", "x", "day").headers["location"] == "/signin"


def test_the_board_links_to_the_screens_and_each_firearm(client: TestClient) -> None:
    sign_in(client, "ann")
    board = client.get(P).text
    for path in ("/announce", "/concerns", "/day", "/firearms/F01", "/firearms/F02"):
        assert f'href="{P}{path}"' in board


def test_the_announce_screen_says_why_not_then_the_exact_words(
    client: TestClient, db: Path
) -> None:
    csrf = sign_in(client, "ann", "/announce")
    page = text(client.get(P + "/announce").text)
    assert "DO NOT ANNOUNCE" in page
    assert "Why not: it has not been inspected." in page

    app = make_app(db)
    try:
        prepare_issue(app)
    finally:
        app.close()
    page = text(client.get(P + "/announce").text)
    words = re.search(r"You will announce: (Cold: revolver F01 .*? UTC\.)", page)
    assert words, page
    assert "all 6 chambers empty, barrel clear; checked by Hannah Reed" in words.group(1)
    assert "May be announced COLD" in page

    done = post(client, "announce", csrf, "announce", {"firearm": "F01", "pin": PINS["P03"]})
    assert done.status_code == 303
    assert re.fullmatch(rf"{P}/announce\?done=(\d+)-\1#F01", done.headers["location"])
    after = text(client.get(done.headers["location"]).text)
    assert f"Announced COLD: {words.group(1)}" in after  # the line read back from the ledger
    assert f"Announced: {words.group(1)}" in after  # the card shows what was said


def test_a_refused_announcement_shows_r29_and_writes_nothing(client: TestClient, db: Path) -> None:
    csrf = sign_in(client, "ann", "/announce")
    before = head(db)
    refused = post(client, "announce", csrf, "announce", {"firearm": "F01", "pin": PINS["P03"]})
    assert refused.status_code == 409
    shown = alert(refused.text)
    assert "R-29" in shown
    assert "F01 may not be announced: it has not been inspected." in shown
    assert "What to do: Have the armorer inspect it" in shown
    assert "Nothing was recorded" in shown
    assert head(db) == before


def test_a_missing_or_forged_csrf_token_is_refused_and_writes_nothing(
    client: TestClient, db: Path
) -> None:
    sign_in(client, "hannah")
    before = head(db)
    for token in (None, "forged-token"):
        refused = post(client, "take", token, "firearm/F01", {"firearm": "F01"})
        assert refused.status_code == 403
        assert "CSRF token" in alert(refused.text)
    verify = client.post(P + "/verify", data={"screen": "firearm/F01", "csrf": "forged"})
    assert verify.status_code == 403
    assert head(db) == before


def test_a_signed_action_needs_the_pin(client: TestClient, db: Path) -> None:
    csrf = sign_in(client, "hannah")
    before = head(db)
    data: dict[str, str | list[str]] = {"swept": ["Main safe"], "schedule": "12A at 14:00"}
    missing = post(client, "open-day", csrf, "day", data)
    assert missing.status_code == 422
    assert "open-day is signed with your PIN" in alert(missing.text)
    assert "12A at 14:00" in missing.text  # what was typed is kept
    wrong = post(client, "open-day", csrf, "day", {**data, "pin": "000000"})
    assert wrong.status_code == 403
    assert PINS["P01"] not in wrong.text
    assert head(db) == before


def test_another_productions_screens_and_actions_are_not_found(
    client: TestClient, db: Path
) -> None:
    csrf = sign_in(client, "olga")
    before = head(db)
    for path in ("/announce", "/concerns", "/day", "/firearms/F01"):
        assert client.get(P + path).status_code == 404
    taken = post(client, "take", csrf, "firearm/F01", {"firearm": "F01"})
    assert taken.status_code == 404
    assert head(db) == before


def test_unknown_firearms_screens_and_actions_are_not_found(client: TestClient) -> None:
    csrf = sign_in(client, "hannah")
    assert client.get(P + "/firearms/F99").status_code == 404
    assert post(client, "take", csrf, "nowhere", {"firearm": "F01"}).status_code == 404
    teleport = post(client, "teleport", csrf, "day")
    assert teleport.status_code == 404
    assert "no action &#39;teleport&#39;" in alert(teleport.text)


def test_the_armorer_takes_inspects_on_the_grid_and_the_timeline_reads(
    client: TestClient,
) -> None:
    csrf = sign_in(client, "hannah", "/firearms/F01")
    page = client.get(P + "/firearms/F01").text
    assert page.count('<select name="positions" required>') == 6
    assert "Chamber 6" in page
    pistol = client.get(P + "/firearms/F02").text
    assert pistol.count('<select name="positions" required>') == 16
    assert "Magazine 15" in pistol

    taken = post(client, "take", csrf, "firearm/F01", {"firearm": "F01"})
    assert taken.status_code == 303
    assert taken.headers["location"].startswith(f"{P}/firearms/F01?done=")
    shown = text(client.get(taken.headers["location"]).text)
    assert "Hannah Reed took F01 out of Main safe." in shown
    assert "With Hannah Reed" in shown

    gap = ["empty", "empty", "", "empty", "empty", "empty"]
    grid: dict[str, str | list[str]] = {"firearm": "F01", "barrel": "clear", "phase": "pre-use"}
    partial = post(client, "inspect", csrf, "firearm/F01", {**grid, "positions": gap, "pin": "1"})
    assert partial.status_code == 422
    assert "Position 3 of 6 is not set" in alert(partial.text)

    inspected = post(
        client,
        "inspect",
        csrf,
        "firearm/F01",
        {**grid, "positions": ["empty"] * 6, "pin": PINS["P01"]},
    )
    assert inspected.status_code == 303, alert(inspected.text)
    shown = text(client.get(inspected.headers["location"]).text)
    assert "Hannah Reed inspected F01 (pre use): EMPTY; barrel clear." in shown
    assert "Verified load: EMPTY" in shown
    timeline = shown.split("Timeline")[1]
    assert timeline.index("inspected F01") < timeline.index("took F01")  # newest first

    after_use = post(
        client,
        "inspect",
        csrf,
        "firearm/F01",
        {**grid, "phase": "post-use", "positions": ["empty"] * 6, "pin": PINS["P01"]},
    )
    assert after_use.status_code == 303, alert(after_use.text)
    assert "inspected F01 (post use): EMPTY" in text(client.get(after_use.headers["location"]).text)

    short = post(
        client, "inspect", csrf, "firearm/F01", {**grid, "positions": ["empty"], "pin": "111111"}
    )
    assert short.status_code == 409
    assert "R-22" in alert(short.text)


def test_a_witness_signs_and_the_ledger_verifies(client: TestClient, db: Path) -> None:
    app = make_app(db)
    try:
        h.take(app, PRODUCTION, "P01", "F01")
        h.inspect(
            app,
            PRODUCTION,
            "P01",
            "F01",
            positions=("empty",) * 6,
            barrel_clear=True,
            phase="pre_use",
            pin=PINS["P01"],
        )
    finally:
        app.close()
    csrf = sign_in(client, "ann", "/firearms/F01")
    page = client.get(P + "/firearms/F01").text
    assert "<details" in page  # a 1st AD sees the armorer's actions folded away
    witnessed = post(client, "witness", csrf, "firearm/F01", {"firearm": "F01", "pin": "333333"})
    assert witnessed.status_code == 303
    assert "Ann Marsh (first ad) was shown F01: EMPTY." in text(
        client.get(witnessed.headers["location"]).text
    )
    audit = client.post(P + "/verify", data={"screen": "firearm/F01", "csrf": csrf})
    assert audit.status_code == 200
    assert "Ledger verified:" in text(audit.text)


def test_the_people_present_witness_on_the_armorers_tablet_with_their_own_pins(
    client: TestClient, db: Path
) -> None:
    app = make_app(db)
    try:
        h.take(app, PRODUCTION, "P01", "F01")
        h.inspect(
            app,
            PRODUCTION,
            "P01",
            "F01",
            positions=("empty",) * 6,
            barrel_clear=True,
            phase="pre_use",
            pin=PINS["P01"],
        )
    finally:
        app.close()
    csrf = sign_in(client, "hannah", "/firearms/F01")  # the armorer's tablet
    page = client.get(P + "/firearms/F01").text
    assert 'name="attester"' in page
    wrong = post(
        client,
        "witness",
        csrf,
        "firearm/F01",
        {"firearm": "F01", "attester": "P03", "pin": "000000"},
    )
    assert wrong.status_code == 403  # the armorer cannot attest for the 1st AD
    for person in ("P03", "P02"):  # the 1st AD, then the talent, each with their own PIN
        done = post(
            client,
            "witness",
            csrf,
            "firearm/F01",
            {"firearm": "F01", "attester": person, "pin": PINS[person]},
        )
        assert done.status_code == 303, alert(done.text)
    shown = text(client.get(P + "/firearms/F01").text)
    assert "Ann Marsh (first ad) was shown F01: EMPTY." in shown
    assert "Jack Colt (talent) was shown F01: EMPTY." in shown


def test_anyone_raises_a_concern_and_a_producer_answers(client: TestClient) -> None:
    csrf = sign_in(client, "jack", "/concerns")
    empty = post(client, "concern", csrf, "concerns", {"text": "  "})
    assert empty.status_code == 422
    assert "needs its argument 'text'" in alert(empty.text).replace("&#39;", "'")
    raised = post(
        client, "concern", csrf, "concerns", {"text": "The cart was open at 14:10", "stop": "on"}
    )
    assert raised.status_code == 303
    page = text(client.get(raised.headers["location"]).text)
    assert "Jack Colt raised concern C01 (STOP firearms work): The cart was open at 14:10." in page
    assert "C01 · ● NOT ANSWERED · ■ STOP" in page
    assert "STOP-WORK" in page
    assert "Answer C01" not in page  # a talent does not answer concerns
    post(client, "concern", csrf, "concerns", {"text": "Second one"})

    csrf = sign_in(client, "paul", "/concerns")
    answered = post(
        client,
        "answer-concern",
        csrf,
        "concerns",
        {"concern": "C01", "answer": "Locked and checked.", "pin": PINS["P04"]},
    )
    assert answered.status_code == 303
    page = text(client.get(answered.headers["location"]).text)
    assert "Paul Price answered concern C01: Locked and checked." in page
    assert page.index("C02 · ● NOT ANSWERED") < page.index("C01 · ✔ Answered")


def test_the_day_opens_breaks_only_when_locked_and_resumes(client: TestClient) -> None:
    csrf = sign_in(client, "hannah", "/day")
    assert "No opening check yet" in text(client.get(P + "/day").text)
    opened = post(
        client,
        "open-day",
        csrf,
        "day",
        {"swept": ["Main safe", "Prop cart, Belt"], "schedule": "12A", "pin": PINS["P01"]},
    )
    assert opened.status_code == 303
    page = text(client.get(opened.headers["location"]).text)
    assert "swept Main safe, Prop cart, Belt." in page
    assert "Opening check on record" in page

    lunch: dict[str, str | list[str]] = {"kind": "lunch", "pin": PINS["P01"]}
    refused = post(client, "break", csrf, "day", lunch)
    assert refused.status_code == 409
    assert "R-08" in alert(refused.text)
    assert post(client, "lock", csrf, "day", {"store": "S01"}).status_code == 303
    on_lunch = post(client, "break", csrf, "day", lunch)
    assert on_lunch.status_code == 303
    assert "On lunch" in text(client.get(on_lunch.headers["location"]).text)
    resumed = post(client, "resume-day", csrf, "day")
    assert resumed.status_code == 303
    assert "Hannah Reed resumed the day." in text(client.get(resumed.headers["location"]).text)
