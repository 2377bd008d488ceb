"""The HTTP API and pages through the real ASGI app: sign-in, sessions, CSRF, membership,
problem+json refusals with rule ids, idempotency keys, and the board."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from coldcheck.app import handlers as h
from coldcheck.app.accounts import Accounts, request_fingerprint
from coldcheck.app.service import App
from coldcheck.app.settings import Settings
from coldcheck.domain.values import Role
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from coldcheck.web.app import create_app
from coldcheck.web.auth import COOKIE, CSRF_HEADER
from tests.conftest import PINS, PRODUCTION, make_app, prepare_issue, seed

PASSWORD = "saddle brass lantern"
USERS = {"hannah": "P01", "jack": "P02", "ann": "P03", "paul": "P04"}


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


def sign_in(client: TestClient, username: str) -> str:
    """Sign in through the API; the CSRF token for the session."""
    response = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    csrf: str = response.json()["csrf"]
    return csrf


def act(client: TestClient, csrf: str, action: str, key: str | None = None, **body: Any) -> Any:
    headers = {CSRF_HEADER: csrf}
    if key:
        headers["Idempotency-Key"] = key
    return client.post(
        f"/api/productions/{PRODUCTION}/actions/{action}", json=body, headers=headers
    )


def test_without_a_session_the_api_answers_401_problem_json(client: TestClient) -> None:
    response = client.get(f"/api/productions/{PRODUCTION}/board")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/sign-in-needed")


def test_sign_in_sets_an_httponly_strict_cookie_and_the_board_reads(client: TestClient) -> None:
    response = client.post("/api/session", json={"username": "ann", "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    board = client.get(f"/api/productions/{PRODUCTION}/board").json()
    assert board["summary"]["name"] == "Dust Road"
    assert [f["firearm"] for f in board["firearms"]] == ["F01", "F02"]


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client: TestClient) -> None:
    wrong = client.post("/api/session", json={"username": "ann", "password": "not it at all"})
    nobody = client.post("/api/session", json={"username": "zed", "password": "not it at all"})
    assert wrong.status_code == nobody.status_code == 403
    assert wrong.json()["detail"] == nobody.json()["detail"]


def test_five_failures_lock_the_username_out(client: TestClient) -> None:
    for _ in range(5):
        client.post("/api/session", json={"username": "ann", "password": "not it at all"})
    locked = client.post("/api/session", json={"username": "ann", "password": PASSWORD})
    assert locked.status_code == 403
    assert "paused" in locked.json()["remedy"] or "paused" in locked.json()["detail"]


def test_a_command_without_the_csrf_token_is_refused_and_writes_nothing(
    client: TestClient,
) -> None:
    sign_in(client, "hannah")
    before = client.get(f"/api/productions/{PRODUCTION}/board").json()["summary"]["seq"]
    response = client.post(
        f"/api/productions/{PRODUCTION}/actions/take", json={"args": {"firearm": "F01"}}
    )
    assert response.status_code == 403
    after = client.get(f"/api/productions/{PRODUCTION}/board").json()["summary"]["seq"]
    assert after == before


def test_a_command_is_recorded_as_the_signed_in_person(client: TestClient) -> None:
    csrf = sign_in(client, "hannah")
    response = act(client, csrf, "take", args={"firearm": "F01"})
    assert response.status_code == 201, response.text
    assert response.json()["events"][0]["type"] == "custody.taken"
    assert response.json()["events"][0]["payload"]["by"] == "P01"


def test_a_refused_command_is_problem_json_with_the_rule_id(client: TestClient) -> None:
    csrf = sign_in(client, "ann")
    response = act(client, csrf, "announce", args={"firearm": "F01"}, pin=PINS["P03"])
    assert response.status_code == 409
    problem = response.json()
    assert problem["rule"] == "R-29"
    assert "may not be announced" in problem["detail"]
    assert problem["remedy"]


def test_a_role_that_may_not_act_gets_403_with_the_rule(client: TestClient) -> None:
    csrf = sign_in(client, "jack")
    response = act(client, csrf, "take", args={"firearm": "F01"})
    assert response.status_code == 403
    assert response.json()["rule"] == "R-12"


def test_signed_actions_need_the_pin(client: TestClient) -> None:
    csrf = sign_in(client, "hannah")
    missing = act(client, csrf, "open-day", args={"swept": ["Main safe"]})
    assert missing.status_code == 422
    wrong = act(client, csrf, "open-day", args={"swept": ["Main safe"]}, pin="000000")
    assert wrong.status_code == 403
    right = act(client, csrf, "open-day", args={"swept": ["Main safe"]}, pin=PINS["P01"])
    assert right.status_code == 201
    assert right.json()["events"][0]["type"] == "day.opened"


def test_bad_arguments_are_422_naming_the_argument(client: TestClient) -> None:
    csrf = sign_in(client, "hannah")
    unknown = act(client, csrf, "take", args={"gun": "F01"})
    assert unknown.status_code == 422
    assert "gun" in unknown.json()["detail"]
    wrong_type = act(client, csrf, "discharge", args={"firearm": "F01", "count": "six"})
    assert wrong_type.status_code == 422
    no_action = act(client, csrf, "teleport", args={})
    assert no_action.status_code == 404


def test_a_retry_with_the_same_idempotency_key_records_once(client: TestClient) -> None:
    csrf = sign_in(client, "hannah")
    first = act(client, csrf, "take", key="k-123", args={"firearm": "F01"})
    again = act(client, csrf, "take", key="k-123", args={"firearm": "F01"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    log = client.get(f"/api/productions/{PRODUCTION}/log", params={"firearm": "F01"}).json()
    assert [e["type"] for e in log].count("custody.taken") == 1
    other = act(client, csrf, "take", key="k-123", args={"firearm": "F02"})
    assert other.status_code == 422


def test_another_productions_data_is_not_found(client: TestClient) -> None:
    csrf = sign_in(client, "olga")
    assert client.get(f"/api/productions/{PRODUCTION}/board").status_code == 404
    assert act(client, csrf, "take", args={"firearm": "F01"}).status_code == 404
    mine = client.get("/api/productions").json()
    assert [p["production"] for p in mine] == ["other-film"]


def test_signing_out_ends_the_session_on_the_server(client: TestClient) -> None:
    csrf = sign_in(client, "ann")
    token = client.cookies.get(COOKIE)
    assert client.delete("/api/session", headers={CSRF_HEADER: csrf}).status_code == 204
    client.cookies.set(COOKIE, token or "")
    assert client.get(f"/api/productions/{PRODUCTION}/board").status_code == 401


def test_every_view_reads(client: TestClient) -> None:
    sign_in(client, "paul")
    for view in ("alerts", "lots", "incidents", "concerns", "plans", "meetings", "people",
                 "firearms", "stores", "settings", "waivers"):  # fmt: skip
        response = client.get(f"/api/productions/{PRODUCTION}/views/{view}")
        assert response.status_code == 200, (view, response.text)
        assert isinstance(response.json(), list)
    assert client.get(f"/api/productions/{PRODUCTION}/views/nothing").status_code == 404


def test_the_catalogue_says_whose_each_action_is_and_how_it_is_signed(client: TestClient) -> None:
    sign_in(client, "paul")
    listed = {a["action"]: a for a in client.get("/api/actions").json()}
    assert listed["meeting"]["by"] == ["armorer", "first_ad"]
    assert listed["attend"]["by"] == sorted(r.value for r in Role)  # whoever is on the roll
    assert (listed["attend"]["signed"], listed["call"]["signed"]) == (True, False)
    assert [a["name"] for a in listed["attend"]["args"]] == ["meeting"]


def test_someone_on_the_roll_confirms_a_meeting_on_the_leads_device(
    db: Path, client: TestClient
) -> None:
    app = make_app(db)
    try:
        prepare_issue(app)  # M01 led by the 1st AD (ann); the talent confirmed, Hannah not yet
    finally:
        app.close()
    csrf = sign_in(client, "ann")
    done = act(client, csrf, "attend", args={"meeting": "M01"}, attester="P01", pin=PINS["P01"])
    assert done.status_code == 201, done.text
    assert done.json()["events"][0]["payload"] == {"meeting": "M01", "person": "P01"}
    meetings = client.get(f"/api/productions/{PRODUCTION}/views/meetings").json()
    assert (meetings[0]["confirmed"], meetings[0]["awaiting"]) == (["P01", "P02", "P03"], [])
    lead = act(client, csrf, "attend", args={"meeting": "M01"}, pin=PINS["P03"])
    assert (lead.status_code, lead.json()["rule"]) == (403, "R-30")


def test_verify_now_audits_the_ledger(client: TestClient) -> None:
    csrf = sign_in(client, "paul")
    result = client.post(
        f"/api/productions/{PRODUCTION}/verify", headers={CSRF_HEADER: csrf}
    ).json()
    assert result["ok"] is True
    assert result["size"] >= 14


def test_the_board_page_needs_sign_in_and_then_shows_the_production(client: TestClient) -> None:
    page = client.get(f"/p/{PRODUCTION}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/signin?next=/p/{PRODUCTION}"
    form = client.get(page.headers["location"])
    assert f'name="next" value="/p/{PRODUCTION}"' in form.text
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    signed = client.post(
        "/signin",
        data={"username": "ann", "password": PASSWORD, "csrf": csrf, "next": f"/p/{PRODUCTION}"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == f"/p/{PRODUCTION}"  # back where the person was going
    board = client.get(f"/p/{PRODUCTION}")
    assert board.status_code == 200
    assert "Firearms work allowed" in board.text
    assert "UB-1873-001" in board.text


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_sign_in_never_redirects_off_this_server(client: TestClient, target: str) -> None:
    form = client.get("/signin", params={"next": target})
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    signed = client.post(
        "/signin",
        data={"username": "ann", "password": PASSWORD, "csrf": csrf, "next": target},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/"


def test_the_sign_in_form_refuses_a_missing_csrf_token(client: TestClient) -> None:
    response = client.post(
        "/signin", data={"username": "ann", "password": PASSWORD, "csrf": "forged"}
    )
    assert response.status_code == 400
    assert client.get(f"/api/productions/{PRODUCTION}/board").status_code == 401


def test_the_openapi_document_lists_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/productions/{production}/actions/{action}" in spec["paths"]
    assert "/api/session" in spec["paths"]


@pytest.mark.parametrize("phase", ["post-use", "post_use", "Post Use"])
def test_a_choice_is_taken_however_it_is_spelt(client: TestClient, phase: str) -> None:
    csrf = sign_in(client, "hannah")
    act(client, csrf, "take", args={"firearm": "F01"})
    inspected = act(
        client,
        csrf,
        "inspect",
        args={"firearm": "F01", "positions": ["empty x6"], "phase": phase},
        pin=PINS["P01"],
    )
    assert inspected.status_code == 201, inspected.text
    assert inspected.json()["events"][0]["payload"]["phase"] == "post_use"


def test_a_refusal_is_the_answer_repeated_to_a_retry(client: TestClient) -> None:
    csrf = sign_in(client, "ann")
    first = act(client, csrf, "announce", key="k-9", args={"firearm": "F01"}, pin=PINS["P03"])
    again = act(client, csrf, "announce", key="k-9", args={"firearm": "F01"}, pin=PINS["P03"])
    assert first.status_code == again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_retry_while_the_first_try_still_runs_records_nothing(
    client: TestClient, db: Path
) -> None:
    csrf = sign_in(client, "hannah")
    store = SqliteAccountStore(db)
    try:  # the first try has claimed the key and is still running
        account = store.account_by_username("hannah")
        assert account is not None
        body = json.dumps({"firearm": "F01"}, sort_keys=True).encode()
        path = f"/api/productions/{PRODUCTION}/actions/take"
        store.idempotent_put(
            account=account.id,
            key="k-7",
            fingerprint=request_fingerprint("POST", path, body),
            status=0,
            body='{"pending": "another worker"}',
            created=datetime.now(UTC),
        )
    finally:
        store.close()
    retry = act(client, csrf, "take", key="k-7", args={"firearm": "F01"})
    assert retry.status_code == 409
    assert "still being carried out" in retry.json()["detail"]
    log = client.get(f"/api/productions/{PRODUCTION}/log", params={"firearm": "F01"}).json()
    assert "custody.taken" not in [e["type"] for e in log]


def test_the_talent_present_attests_on_the_armorers_device_with_their_own_pin(
    client: TestClient, db: Path
) -> None:
    app = make_app(db)
    try:  # the three-person check is shown; the 1st AD has witnessed on her own phone
        from tests.conftest import prepare_issue

        prepare_issue(app)
    finally:
        app.close()
    csrf = sign_in(client, "hannah")  # the armorer's tablet
    wrong = act(client, csrf, "take", args={"firearm": "F02"}, attester="P02", pin=PINS["P02"])
    assert wrong.status_code == 403  # only attestations can be made by the person present
    assert "attested on this device" in wrong.json()["detail"]
    h_off = act(client, csrf, "hand-off", args={"firearm": "F01", "to": "P02"}, pin=PINS["P01"])
    assert h_off.status_code == 201, h_off.text
    accepted = act(client, csrf, "accept", args={"firearm": "F01"}, attester="P02", pin=PINS["P02"])
    assert accepted.status_code == 201, accepted.text
    event = accepted.json()["events"][0]
    assert (event["type"], event["payload"]["receiver"]) == ("custody.handoff_accepted", "P02")


def test_pin_guessing_is_paused_after_five_wrong_pins(client: TestClient) -> None:
    csrf = sign_in(client, "hannah")
    for _ in range(5):
        wrong = act(client, csrf, "open-day", args={"swept": ["Main safe"]}, pin="000000")
        assert wrong.status_code == 403
        assert "PIN" in wrong.json()["detail"]
    paused = act(client, csrf, "open-day", args={"swept": ["Main safe"]}, pin=PINS["P01"])
    assert paused.status_code == 403
    assert "paused" in paused.json()["detail"]


def test_signed_out_a_malformed_body_still_answers_401(client: TestClient) -> None:
    response = client.post(
        f"/api/productions/{PRODUCTION}/actions/take",
        content=b"\x00not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_body_larger_than_the_limit_is_refused_413(client: TestClient) -> None:
    csrf = sign_in(client, "hannah")
    huge = {"args": {"firearm": "F01", "note": "x" * (300 * 1024)}}
    response = client.post(
        f"/api/productions/{PRODUCTION}/actions/take", json=huge, headers={CSRF_HEADER: csrf}
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


def test_answers_to_idempotency_keys_older_than_a_day_are_purged_at_sign_in(
    client: TestClient, db: Path
) -> None:
    store = SqliteAccountStore(db)
    try:
        account = store.account_by_username("hannah")
        assert account is not None
        store.idempotent_put(
            account=account.id,
            key="old",
            fingerprint="a" * 64,
            status=201,
            body="{}",
            created=datetime.now(UTC) - timedelta(hours=25),
        )
    finally:
        store.close()
    sign_in(client, "hannah")
    store = SqliteAccountStore(db)
    try:
        assert store.idempotent_get(account.id, "old") is None
    finally:
        store.close()


def test_concurrent_wrong_pins_never_try_more_than_the_limit(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 wrong PINs for one person sent at once, from 20 signed-in devices: each is claimed
    before the PIN is tried (the try is made slow here, so that they all overlap), so at most 5
    are tried and the rest are refused as paused."""
    slow_unlock = App.unlock

    def unlock(self: App, production: str, person: str, pin: str) -> Any:
        time.sleep(0.2)
        return slow_unlock(self, production, person, pin)

    monkeypatch.setattr(App, "unlock", unlock)
    settings = Settings.load(str(db), env={"COLDCHECK_INSECURE_TEST_KDF": "1"})
    app = create_app(settings)
    devices = 20
    clients = [TestClient(app, base_url="http://testserver") for _ in range(devices)]
    tokens = [sign_in(each, "hannah") for each in clients]
    start = threading.Barrier(devices)
    answers: list[str] = []

    def guess(n: int) -> None:
        start.wait()
        wrong = act(clients[n], tokens[n], "open-day", args={"swept": ["Main safe"]}, pin="0000")
        answers.append(wrong.json()["detail"])

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(devices)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for each in clients:
        each.close()

    tried = [a for a in answers if "paused" not in a]
    assert len(answers) == devices
    assert 1 <= len(tried) <= 5, answers
    store = SqliteAccountStore(db)
    try:
        failures = store.failures_since(f"pin:{PRODUCTION}:P01", datetime.now(UTC) - timedelta(1))
    finally:
        store.close()
    assert len(failures) == len(tried)
