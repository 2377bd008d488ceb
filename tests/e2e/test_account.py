"""The account page and /api/account through the real ASGI app: changing the password, one's
sessions, temporary passwords that must be changed first, per-client throttling, and the
``__Host-`` cookie names behind TLS (docs/security.md §4, §5)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from coldcheck.app.accounts import Accounts
from coldcheck.app.settings import Settings
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from coldcheck.web.app import create_app
from coldcheck.web.auth import COOKIE, CSRF_HEADER
from tests.conftest import PRODUCTION, make_app, seed
from tests.integration.test_accounts_service import Clock

PASSWORD = "saddle brass lantern"
NEW_PASSWORD = "granite swallow teacup meadow"
T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari"
LAPTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
BOARD = f"/p/{PRODUCTION}"


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def db(tmp_path: Path, clock: Clock) -> Path:
    """Dust Road with hannah (P01) on a chosen password and jack (P02) on a temporary one."""
    path = tmp_path / "set.db"
    app = make_app(path)
    try:
        seed(app)
    finally:
        app.close()
    accounts = Accounts(SqliteAccountStore(path, create=True), clock=clock)
    try:
        hannah = accounts.create_account("hannah", "Hannah Reed", PASSWORD)
        accounts.link(hannah.id, PRODUCTION, "P01")
        jack, temporary = accounts.invite("jack", "Jack Colt")
        accounts.link(jack.id, PRODUCTION, "P02")
    finally:
        accounts.store.close()
    (tmp_path / "jack.txt").write_text(temporary.password)
    return path


def temporary_password(db: Path) -> str:
    return (db.parent / "jack.txt").read_text()


def client_for(db: Path, clock: Clock, agent: str = PHONE, secure: bool = False) -> TestClient:
    settings = Settings.load(str(db), env={"COLDCHECK_INSECURE_TEST_KDF": "1"})
    web = create_app(settings, clock=clock, secure_cookies=secure)
    base = "https://testserver" if secure else "http://testserver"
    return TestClient(web, base_url=base, headers={"User-Agent": agent})


@pytest.fixture
def phone(db: Path, clock: Clock) -> Iterator[TestClient]:
    with client_for(db, clock) as client:
        yield client


@pytest.fixture
def laptop(db: Path, clock: Clock) -> Iterator[TestClient]:
    with client_for(db, clock, LAPTOP) as client:
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def page_sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    form = client.get("/signin")
    return client.post(
        "/signin",
        data={"username": username, "password": password, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )


def api_sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    csrf: str = response.json()["csrf"]
    return csrf


def change_on_page(client: TestClient, current: str, new: str, again: str | None = None) -> Any:
    page = client.get("/account")
    return client.post(
        "/account/password",
        data={
            "csrf": csrf_of(page.text),
            "current": current,
            "new": new,
            "again": new if again is None else again,
        },
        follow_redirects=False,
    )


def is_problem(response: Any, status: int, kind: str) -> bool:
    return bool(
        response.status_code == status
        and response.headers["content-type"].startswith("application/problem+json")
        and response.json()["type"].endswith("/" + kind)
    )


# -- the account page --------------------------------------------------------------------------


def test_every_page_header_links_to_the_account_page_beside_sign_out(phone: TestClient) -> None:
    page_sign_in(phone, "hannah")

    for path in (BOARD, BOARD + "/day", "/account"):
        html = phone.get(path).text
        header = html.split("</header>")[0]
        assert 'href="/account"' in header, path
        assert 'action="/signout"' in header, path


def test_the_account_page_has_password_fields_a_manager_can_fill(phone: TestClient) -> None:
    page_sign_in(phone, "hannah")

    html = phone.get("/account").text

    current = re.search(r'<input name="current"[^>]*>', html)
    new = re.findall(r'<input name="(?:new|again)"[^>]*>', html)
    assert current is not None
    assert 'type="password"' in current.group(0)
    assert 'autocomplete="current-password"' in current.group(0)
    assert len(new) == 2
    assert all('type="password"' in f and 'autocomplete="new-password"' in f for f in new)
    assert "onpaste" not in html
    assert "oncopy" not in html


def test_changing_the_password_on_the_page_signs_the_other_devices_out(
    phone: TestClient, laptop: TestClient
) -> None:
    page_sign_in(phone, "hannah")
    page_sign_in(laptop, "hannah")

    done = change_on_page(phone, PASSWORD, NEW_PASSWORD)

    assert done.status_code == 303
    assert done.headers["location"] == "/account?done=password&count=1"
    assert (
        "Your password is changed. 1 other session ended."
        in phone.get(done.headers["location"]).text
    )
    assert phone.get(BOARD).status_code == 200
    assert laptop.get(BOARD, follow_redirects=False).headers["location"].startswith("/signin")
    assert page_sign_in(laptop, "hannah").status_code == 401
    assert page_sign_in(laptop, "hannah", NEW_PASSWORD).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "again", "status", "sentence"),
    [
        pytest.param(
            "not my password",
            NEW_PASSWORD,
            None,
            403,
            "current password is not correct",
            id="wrong-current",
        ),
        pytest.param(PASSWORD, "short one", None, 422, "needs at least 12", id="too-short"),
        pytest.param(
            PASSWORD, "FinalFantasy#2024", None, 422, "leaked in data breaches", id="breached"
        ),
        pytest.param(
            PASSWORD,
            NEW_PASSWORD,
            NEW_PASSWORD + "!",
            422,
            "two new passwords differ",
            id="mistyped",
        ),
        pytest.param(PASSWORD, PASSWORD, None, 422, "same as the current one", id="unchanged"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    phone: TestClient, current: str, new: str, again: str | None, status: int, sentence: str
) -> None:
    page_sign_in(phone, "hannah")

    refused = change_on_page(phone, current, new, again)

    assert refused.status_code == status
    assert "Nothing was changed." in refused.text
    assert sentence in refused.text
    phone.cookies.clear()
    assert page_sign_in(phone, "hannah").status_code == 303, "the old password still works"


def test_your_sessions_lists_each_device_and_ends_one_after_the_password(
    phone: TestClient, laptop: TestClient
) -> None:
    page_sign_in(phone, "hannah")
    page_sign_in(laptop, "hannah")

    html = laptop.get("/account").text
    assert "Chrome on Android" in html
    assert "Firefox on Linux" in html
    assert html.count("this device") == 1
    ids = re.findall(r'formaction="/account/sessions/([0-9a-f]+)/end"', html)
    assert len(ids) == 1, "only the other session has an end button"
    end = f"/account/sessions/{ids[0]}/end"

    wrong = laptop.post(end, data={"csrf": csrf_of(html), "password": "not it at all"})
    assert wrong.status_code == 403
    assert "password is not correct" in wrong.text
    assert phone.get(BOARD).status_code == 200

    done = laptop.post(
        end, data={"csrf": csrf_of(html), "password": PASSWORD}, follow_redirects=False
    )
    assert done.headers["location"] == "/account?done=ended"
    assert phone.get(BOARD, follow_redirects=False).status_code == 303, "the phone is signed out"
    assert laptop.get(BOARD).status_code == 200
    assert "No other device is signed in as you." in laptop.get("/account").text


def test_ending_all_other_sessions_from_the_page(db: Path, clock: Clock, phone: TestClient) -> None:
    others = [client_for(db, clock, LAPTOP) for _ in range(2)]
    for other in others:
        page_sign_in(other, "hannah")
    page_sign_in(phone, "hannah")
    html = phone.get("/account").text

    done = phone.post(
        "/account/sessions/end-others",
        data={"csrf": csrf_of(html), "password": PASSWORD},
        follow_redirects=False,
    )

    assert done.headers["location"] == "/account?done=ended-others&count=2"
    assert "2 other sessions ended" in phone.get(done.headers["location"]).text
    assert all(o.get(BOARD, follow_redirects=False).status_code == 303 for o in others)
    for other in others:
        other.close()


def test_the_account_forms_need_the_sessions_csrf_token(
    phone: TestClient, laptop: TestClient
) -> None:
    page_sign_in(phone, "hannah")
    page_sign_in(laptop, "hannah")

    forged = phone.post(
        "/account/password",
        data={"csrf": "forged", "current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD},
    )
    ended = phone.post(
        "/account/sessions/end-others", data={"csrf": "forged", "password": PASSWORD}
    )

    assert forged.status_code == ended.status_code == 403
    assert "CSRF" in forged.text
    assert laptop.get(BOARD).status_code == 200
    assert page_sign_in(laptop, "hannah").status_code == 303


def test_ending_one_session_and_every_account_api_post_need_the_csrf_token(
    phone: TestClient, laptop: TestClient
) -> None:
    """The forms and requests the review found untested: each one refused without the
    session's own CSRF token, and nothing changed."""
    page_sign_in(phone, "hannah")
    page_sign_in(laptop, "hannah")
    other = next(s["id"] for s in phone.get("/api/account/sessions").json() if not s["current"])

    page = phone.post(
        f"/account/sessions/{other}/end", data={"csrf": "forged", "password": PASSWORD}
    )
    assert page.status_code == 403
    assert "CSRF" in page.text
    requests = (
        (f"/api/account/sessions/{other}/end", {"password": PASSWORD}),
        ("/api/account/sessions/end-others", {"password": PASSWORD}),
        ("/api/account/password", {"current": PASSWORD, "new": NEW_PASSWORD}),
    )
    for path, body in requests:
        for headers in ({}, {CSRF_HEADER: "forged"}):
            refused = phone.post(path, json=body, headers=headers)
            assert is_problem(refused, 403, "not-authorised"), (path, headers, refused.text)

    assert laptop.get(BOARD).status_code == 200  # still signed in
    assert other in {s["id"] for s in phone.get("/api/account/sessions").json()}
    assert page_sign_in(laptop, "hannah").status_code == 303  # the password is unchanged


def test_the_account_page_needs_a_session(phone: TestClient) -> None:
    response = phone.get("/account", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/account"


# -- temporary passwords: nothing but the change ------------------------------------------------


def test_a_temporary_password_sends_every_page_to_the_account_page_until_changed(
    db: Path, phone: TestClient
) -> None:
    temporary = temporary_password(db)
    assert page_sign_in(phone, "jack", temporary).status_code == 303

    for path in (BOARD, BOARD + "/day", "/", "/q/F01"):
        sent = phone.get(path, follow_redirects=False)
        assert sent.status_code == 303, path
        assert sent.headers["location"].startswith("/account?next="), path
    html = phone.get(BOARD).text  # followed to the account page
    assert "You signed in with a temporary password." in html
    assert "Your sessions" not in html
    acted = phone.post(f"{BOARD}/act/take", data={"csrf": csrf_of(html)}, follow_redirects=False)
    assert acted.headers["location"].startswith("/account")

    done = phone.post(
        "/account/password",
        data={
            "csrf": csrf_of(html),
            "current": temporary,
            "new": NEW_PASSWORD,
            "again": NEW_PASSWORD,
            "next": BOARD,
        },
        follow_redirects=False,
    )

    assert done.headers["location"] == BOARD, "on to where the person was going"
    board = phone.get(BOARD)
    assert board.status_code == 200
    assert "Dust Road" in board.text


def test_a_temporary_password_session_can_only_change_it_over_the_api(
    db: Path, phone: TestClient
) -> None:
    temporary = temporary_password(db)
    signed = phone.post("/api/session", json={"username": "jack", "password": temporary})
    assert signed.json()["must_change_password"] is True
    csrf = signed.json()["csrf"]

    board = phone.get(f"/api/productions/{PRODUCTION}/board")
    assert is_problem(board, 403, "password-change-needed")
    assert "temporary password" in board.json()["detail"]
    assert "/api/account/password" in board.json()["remedy"]
    assert is_problem(phone.get("/api/account/sessions"), 403, "password-change-needed")
    assert phone.get("/api/session").json()["must_change_password"] is True
    assert phone.get("/api/account").json()["temporary_until"] == "2026-03-05T06:00:00Z"

    changed = phone.post(
        "/api/account/password",
        json={"current": temporary, "new": NEW_PASSWORD},
        headers={CSRF_HEADER: csrf},
    )

    assert changed.status_code == 200, changed.text
    assert phone.get(f"/api/productions/{PRODUCTION}/board").status_code == 200
    assert phone.get("/api/session").json()["must_change_password"] is False


def test_a_temporary_password_session_sending_a_malformed_body_is_told_the_right_thing(
    db: Path, phone: TestClient
) -> None:
    csrf = api_sign_in(phone, "jack", temporary_password(db))

    malformed = phone.post("/api/account/password", json={"new": 7}, headers={CSRF_HEADER: csrf})
    elsewhere = phone.post(
        f"/api/productions/{PRODUCTION}/actions/take", json={"args": 7}, headers={CSRF_HEADER: csrf}
    )

    assert is_problem(malformed, 422, "invalid-input")
    assert is_problem(elsewhere, 403, "password-change-needed")


def test_a_temporary_password_session_may_still_sign_out(db: Path, phone: TestClient) -> None:
    page_sign_in(phone, "jack", temporary_password(db))
    html = phone.get("/account").text

    out = phone.post("/signout", data={"csrf": csrf_of(html)}, follow_redirects=False)

    assert out.headers["location"] == "/signin"
    assert phone.get("/account", follow_redirects=False).headers["location"].startswith("/signin")


def test_an_expired_temporary_password_is_refused_with_what_to_do(
    db: Path, clock: Clock, phone: TestClient
) -> None:
    clock.advance(hours=72)

    api = phone.post("/api/session", json={"username": "jack", "password": temporary_password(db)})
    page = page_sign_in(phone, "jack", temporary_password(db))

    assert is_problem(api, 403, "not-authorised")
    assert "temporary password expired" in api.json()["detail"]
    assert "Ask the node's operator" in api.json()["remedy"]
    assert page.status_code == 401
    assert "temporary password expired" in page.text


# -- the account API ---------------------------------------------------------------------------


def test_the_account_api_lists_sessions_by_public_id_and_ends_them(
    clock: Clock, phone: TestClient, laptop: TestClient
) -> None:
    phone_csrf = api_sign_in(phone, "hannah")
    clock.advance(minutes=2)
    laptop_csrf = api_sign_in(laptop, "hannah")
    token = phone.cookies.get(COOKIE)
    assert token

    listed = laptop.get("/api/account/sessions")

    assert listed.status_code == 200
    rows = listed.json()
    assert [(r["browser"], r["current"]) for r in rows] == [
        ("Firefox on Linux", True),
        ("Chrome on Android", False),
    ]
    assert {r["client"] for r in rows} == {"testclient"}
    assert set(rows[0]) == {
        "id",
        "signed_in",
        "last_seen",
        "idle_expires",
        "absolute_expires",
        "client",
        "browser",
        "current",
    }
    assert token not in listed.text
    assert not re.search(r"[0-9a-f]{64}", listed.text), "no token hash leaves the server"
    other = rows[1]["id"]

    no_csrf = laptop.post(f"/api/account/sessions/{other}/end", json={"password": PASSWORD})
    wrong = laptop.post(
        f"/api/account/sessions/{other}/end",
        json={"password": "not it at all"},
        headers={CSRF_HEADER: laptop_csrf},
    )
    mine = laptop.post(
        f"/api/account/sessions/{rows[0]['id']}/end",
        json={"password": PASSWORD},
        headers={CSRF_HEADER: laptop_csrf},
    )
    unknown = laptop.post(
        "/api/account/sessions/0123456789abcdef/end",
        json={"password": PASSWORD},
        headers={CSRF_HEADER: laptop_csrf},
    )
    assert is_problem(no_csrf, 403, "not-authorised")
    assert is_problem(wrong, 403, "not-authorised")
    assert is_problem(mine, 422, "invalid-input")
    assert is_problem(unknown, 404, "not-found")
    assert phone.get("/api/session").status_code == 200

    ended = laptop.post(
        f"/api/account/sessions/{other}/end",
        json={"password": PASSWORD},
        headers={CSRF_HEADER: laptop_csrf},
    )

    assert ended.json() == {"ended": 1}
    assert is_problem(phone.get("/api/session"), 401, "sign-in-needed")
    assert phone_csrf != laptop_csrf


def test_the_account_api_ends_every_other_session(
    db: Path, clock: Clock, phone: TestClient
) -> None:
    others = [client_for(db, clock, LAPTOP) for _ in range(2)]
    for other in others:
        api_sign_in(other, "hannah")
    csrf = api_sign_in(phone, "hannah")

    ended = phone.post(
        "/api/account/sessions/end-others", json={"password": PASSWORD}, headers={CSRF_HEADER: csrf}
    )

    assert ended.json() == {"ended": 2}
    assert [o.get("/api/session").status_code for o in others] == [401, 401]
    assert len(phone.get("/api/account/sessions").json()) == 1
    for other in others:
        other.close()


def test_the_account_api_changes_the_password_with_problem_json_refusals(
    phone: TestClient, laptop: TestClient
) -> None:
    csrf = api_sign_in(phone, "hannah")
    api_sign_in(laptop, "hannah")

    weak = phone.post(
        "/api/account/password",
        json={"current": PASSWORD, "new": "Password2026!"},
        headers={CSRF_HEADER: csrf},
    )
    wrong = phone.post(
        "/api/account/password",
        json={"current": "not it at all", "new": NEW_PASSWORD},
        headers={CSRF_HEADER: csrf},
    )
    no_csrf = phone.post("/api/account/password", json={"current": PASSWORD, "new": NEW_PASSWORD})
    assert is_problem(weak, 422, "invalid-input")
    assert "easy to guess" in weak.json()["detail"]
    assert is_problem(wrong, 403, "not-authorised")
    assert is_problem(no_csrf, 403, "not-authorised")
    assert laptop.get("/api/session").status_code == 200

    changed = phone.post(
        "/api/account/password",
        json={"current": PASSWORD, "new": NEW_PASSWORD},
        headers={CSRF_HEADER: csrf},
    )

    assert changed.json() == {"other_sessions_ended": 1}
    assert laptop.get("/api/session").status_code == 401
    assert phone.get("/api/account").json()["must_change_password"] is False


# -- per-client throttling ----------------------------------------------------------------------


def test_twenty_failed_sign_ins_from_one_address_pause_it_whatever_the_usernames(
    phone: TestClient,
) -> None:
    for n in range(19):
        spray = phone.post(
            "/api/session", json={"username": f"crew{n}", "password": "Summer2026!!"}
        )
        assert "network address" not in spray.json()["remedy"]
    twentieth = phone.post("/api/session", json={"username": "crew19", "password": "Summer2026!!"})
    assert "network address is now paused until 06:15 UTC" in twentieth.json()["remedy"]

    paused = phone.post("/api/session", json={"username": "hannah", "password": PASSWORD})
    page = page_sign_in(phone, "hannah")

    assert is_problem(paused, 403, "not-authorised")
    assert paused.json()["detail"].startswith("Sign-in from this network address is paused")
    assert "Try again after 06:15 UTC (in 15 minutes)." in paused.json()["remedy"]
    assert page.status_code == 401
    assert "Try again after 06:15 UTC" in page.text


# -- cookie names --------------------------------------------------------------------------------


def test_behind_tls_every_cookie_is_host_prefixed_secure_and_for_the_whole_site(
    db: Path, clock: Clock
) -> None:
    with client_for(db, clock, secure=True) as client:
        form = client.get("/signin")
        login_cookie = form.headers["set-cookie"]
        signed = client.post(
            "/signin",
            data={"username": "hannah", "password": PASSWORD, "csrf": csrf_of(form.text)},
            follow_redirects=False,
        )
        cookies = signed.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith(f"__Host-{COOKIE}="))
        board = client.get(BOARD)
        planted = TestClient(client.app, base_url="https://testserver")
        planted.cookies.set(COOKIE, client.cookies[f"__Host-{COOKIE}"])
        unprefixed = planted.get(BOARD, follow_redirects=False)
        out = client.post("/signout", data={"csrf": csrf_of(board.text)}, follow_redirects=False)

    assert login_cookie.startswith("__Host-coldcheck_signin=")
    for cookie in (login_cookie, session):
        attributes = [a.strip().lower() for a in cookie.split(";")]
        assert "secure" in attributes
        assert "path=/" in attributes
        assert "httponly" in attributes
        assert not any(a.startswith("domain") for a in attributes)
    assert any(
        c.startswith("__Host-coldcheck_signin=") and "max-age=0" in c.lower() for c in cookies
    )
    assert board.status_code == 200
    assert unprefixed.status_code == 303, "the unprefixed name is not read behind TLS"
    cleared = out.headers.get_list("set-cookie")
    assert any(c.startswith(f'__Host-{COOKIE}=""') and "Secure" in c for c in cleared)


def test_without_tls_the_cookies_keep_their_plain_names(phone: TestClient) -> None:
    form = phone.get("/signin")
    signed = page_sign_in(phone, "hannah")
    api = phone.post("/api/session", json={"username": "hannah", "password": PASSWORD})

    assert form.headers["set-cookie"].startswith("coldcheck_signin=")
    for cookie in (*signed.headers.get_list("set-cookie"), api.headers["set-cookie"]):
        assert not cookie.startswith("__Host-")
        assert "secure" not in cookie.lower()
    assert api.headers["set-cookie"].startswith(f"{COOKIE}=")


def test_the_api_sets_and_reads_the_host_prefixed_cookie_behind_tls(db: Path, clock: Clock) -> None:
    with client_for(db, clock, secure=True) as client:
        signed = client.post("/api/session", json={"username": "hannah", "password": PASSWORD})
        board = client.get(f"/api/productions/{PRODUCTION}/board")

    assert signed.headers["set-cookie"].startswith(f"__Host-{COOKIE}=")
    assert board.status_code == 200
