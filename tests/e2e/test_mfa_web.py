"""Two-step sign-in through the real ASGI app and the command line: the forced set-up at the
first sign-in under ``--mfa required``, the code step, recovery codes, the account page under
``--mfa optional``, the API's ``code`` field and its problems, and the administrator's reset.

The web app runs on a clock the test moves; codes are computed with pyotp at that time from the
key the set-up page shows, as a person would type it into their phone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import pyotp
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from coldcheck.app.accounts import Accounts
from coldcheck.app.settings import Settings
from coldcheck.app.twostep import MfaPolicy
from coldcheck.cli.main import app as cli_app
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from coldcheck.web.app import create_app
from coldcheck.web.auth import COOKIE, PENDING_COOKIE
from tests.conftest import PRODUCTION, make_app, seed
from tests.integration.test_accounts_service import Clock

PASSWORD = "saddle brass lantern"
USERS = {"hannah": "P01", "jack": "P02", "ann": "P03"}
BOARD = f"/p/{PRODUCTION}"
T0 = datetime(2026, 3, 2, 6, 0, 10, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "set.db"  # the path the ``cli`` fixture points COLDCHECK_DB at
    app = make_app(path)
    try:
        seed(app)
    finally:
        app.close()
    accounts = Accounts(SqliteAccountStore(path, create=True))
    try:
        for username, person in USERS.items():
            account = accounts.create_account(username, username.title(), PASSWORD)
            accounts.link(account.id, PRODUCTION, person)
    finally:
        accounts.store.close()
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


Serve = Callable[[MfaPolicy], TestClient]


@pytest.fixture
def serve(db: Path, clock: Clock) -> Iterator[Serve]:
    """A browser (a TestClient with its own cookies) on the web app under a policy."""
    opened: list[TestClient] = []

    def open_client(policy: MfaPolicy) -> TestClient:
        settings = Settings.load(str(db), env={"COLDCHECK_INSECURE_TEST_KDF": "1"})
        client = TestClient(
            create_app(settings, clock=clock, mfa=policy), base_url="http://testserver"
        )
        client.__enter__()
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(serve: Serve) -> TestClient:
    return serve(MfaPolicy.REQUIRED)


def field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field on the page"
    return found.group(1)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def password_step(client: TestClient, username: str, next_page: str = BOARD) -> str:
    """The sign-in form's first step; where it sends the browser."""
    form = client.get(f"/signin?next={next_page}")
    answer = client.post(
        "/signin",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf": field(form.text, "csrf"),
            "next": next_page,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def shown_key(html: str) -> str:
    """The key the set-up page shows for typing (groups of 4), as one base32 string."""
    found = re.search(r'<p class="mfa-secret"><code>([A-Z2-7 ]+)</code>', html)
    assert found, "no key shown"
    return found.group(1).replace(" ", "")


class Phone:
    def __init__(self, key: str, codes: list[str]) -> None:
        self.key = key
        self.codes = codes

    def code(self, clock: Clock, steps: int = 0) -> str:
        return pyotp.TOTP(self.key).at(clock.now, counter_offset=steps)


def enrol(client: TestClient, clock: Clock, username: str = "hannah") -> Phone:
    """Sign in for the first time under ``required``: set up the app, keep the codes."""
    assert password_step(client, username).startswith("/signin/enrol?")
    page = client.get(f"/signin/enrol?next={BOARD}")
    key = shown_key(page.text)
    done = client.post(
        "/signin/enrol",
        data={
            "code": pyotp.TOTP(key).at(clock.now),
            "csrf": field(page.text, "csrf"),
            "next": BOARD,
        },
    )
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code>([A-Z2-7-]+)</code></li>", done.text)
    assert len(codes) == 10
    clock.advance(minutes=1)  # the codes around the set-up's are then unused
    return Phone(key, codes)


def code_step(client: TestClient, code: str, *, recovery: bool = False) -> httpx.Response:
    page = client.get(f"/signin/code?next={BOARD}" + ("&recovery=1" if recovery else ""))
    assert page.status_code == 200, page.text
    data = {"code": code, "csrf": field(page.text, "csrf"), "next": BOARD}
    if recovery:
        data["recovery"] = "1"
    return client.post("/signin/code", data=data, follow_redirects=False)


def sign_out(client: TestClient) -> None:
    board = client.get(BOARD)
    client.post("/signout", data={"csrf": field(board.text, "csrf")})
    client.cookies.clear()


# -- the pages under --mfa required -----------------------------------------------------------


def test_the_first_sign_in_sets_up_an_app_before_anything_else(
    client: TestClient, clock: Clock
) -> None:
    answer_to = password_step(client, "hannah")
    assert answer_to == f"/signin/enrol?next={BOARD}"
    assert COOKIE not in client.cookies  # the password alone opens no session
    assert PENDING_COOKIE in client.cookies
    assert client.get(BOARD, follow_redirects=False).headers["location"].startswith("/signin")
    assert client.get("/api/session").status_code == 401

    page = client.get(answer_to)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "<svg" in page.text  # the QR code, inline
    key = shown_key(page.text)
    assert len(key) == 32
    assert re.search(r"<code>([A-Z2-7]{4} ){7}[A-Z2-7]{4}</code>", page.text)  # groups of 4
    code_input = re.search(r'<input name="code"[^>]*>', page.text)
    assert code_input
    assert 'inputmode="numeric"' in code_input.group(0)
    assert 'autocomplete="one-time-code"' in code_input.group(0)

    wrong = f"{(int(pyotp.TOTP(key).at(clock.now)) + 1) % 1_000_000:06d}"
    refused = client.post(
        "/signin/enrol", data={"code": wrong, "csrf": field(page.text, "csrf"), "next": BOARD}
    )
    assert refused.status_code == 401
    assert "does not match the authenticator app" in text(refused.text)
    assert shown_key(refused.text) == key  # the same key, to try again
    assert COOKIE not in client.cookies

    done = client.post(
        "/signin/enrol",
        data={
            "code": pyotp.TOTP(key).at(clock.now),
            "csrf": field(page.text, "csrf"),
            "next": BOARD,
        },
    )
    assert done.status_code == 200
    assert done.headers["cache-control"] == "no-store"
    assert "shown only this once" in text(done.text)
    assert len(re.findall(r"<li><code>[A-Z2-7]{4}(-[A-Z2-7]{4}){5}</code></li>", done.text)) == 10
    assert f'href="{BOARD}"' in done.text  # continue where the person was going
    cookies = done.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(f"{COOKIE}="))
    assert "HttpOnly" in session
    assert "SameSite=strict" in session
    assert any(c.startswith(f'{PENDING_COOKIE}=""') for c in cookies)  # cleared
    assert client.get(BOARD).status_code == 200
    account_page = client.get("/account/mfa").text
    assert "On:" in text(account_page)
    assert "<li><code>" not in account_page  # the codes were shown once, never again


def test_the_pending_cookie_is_httponly_strict_and_short_lived(client: TestClient) -> None:
    form = client.get("/signin")
    answer = client.post(
        "/signin",
        data={"username": "ann", "password": PASSWORD, "csrf": field(form.text, "csrf")},
        follow_redirects=False,
    )
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith(f"{PENDING_COOKIE}=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age=300" in cookie
    # its token is not a session, whatever cookie it is sent in
    client.cookies.set(COOKIE, client.cookies[PENDING_COOKIE])
    assert client.get("/api/session").status_code == 401


def test_an_account_with_an_app_signs_in_with_its_code(client: TestClient, clock: Clock) -> None:
    phone = enrol(client, clock)
    sign_out(client)
    assert password_step(client, "hannah") == f"/signin/code?next={BOARD}"
    assert COOKIE not in client.cookies
    page = client.get(f"/signin/code?next={BOARD}")
    assert "6-digit code" in text(page.text)
    assert 'inputmode="numeric" autocomplete="one-time-code"' in page.text

    wrong = code_step(client, "000000")
    assert wrong.status_code == 401
    assert "The code is not correct." in text(wrong.text)
    assert COOKIE not in client.cookies

    right = code_step(client, phone.code(clock))
    assert right.status_code == 303
    assert right.headers["location"] == BOARD
    assert client.get(BOARD).status_code == 200

    sign_out(client)
    password_step(client, "hannah")
    replayed = code_step(client, phone.code(clock))
    assert replayed.status_code == 401
    assert "already used" in text(replayed.text)


def test_a_recovery_code_signs_in_once_and_offers_a_new_app(
    client: TestClient, clock: Clock
) -> None:
    phone = enrol(client, clock)
    sign_out(client)
    password_step(client, "hannah")
    page = client.get(f"/signin/code?next={BOARD}&recovery=1")
    code_input = re.search(r'<input name="code"[^>]*>', page.text)
    assert code_input
    assert "inputmode" not in code_input.group(0)  # letters: the full keyboard
    signed = code_step(client, phone.codes[0].lower(), recovery=True)
    assert signed.status_code == 303
    where = signed.headers["location"]
    assert where.startswith("/account/mfa?")
    assert "recovered=9" in where
    offer = text(client.get(where).text)
    assert "You signed in with a recovery code." in offer
    assert "9 recovery codes left" in offer
    assert "set up a new authenticator app" in offer

    sign_out(client)
    password_step(client, "hannah")
    again = code_step(client, phone.codes[0], recovery=True)
    assert again.status_code == 401


def test_the_code_form_checks_its_csrf_token(client: TestClient, clock: Clock) -> None:
    phone = enrol(client, clock)
    sign_out(client)
    password_step(client, "hannah")
    forged = client.post(
        "/signin/code", data={"code": phone.code(clock), "csrf": "forged", "next": BOARD}
    )
    assert forged.status_code == 400
    assert "form expired" in text(forged.text)
    assert COOKIE not in client.cookies


def test_a_sign_in_waiting_over_5_minutes_goes_back_to_the_password(
    client: TestClient, clock: Clock
) -> None:
    phone = enrol(client, clock)
    sign_out(client)
    password_step(client, "hannah")
    page = client.get(f"/signin/code?next={BOARD}")
    clock.advance(minutes=5)
    late = client.post(
        "/signin/code",
        data={"code": phone.code(clock), "csrf": field(page.text, "csrf"), "next": BOARD},
        follow_redirects=False,
    )
    assert late.status_code == 303
    assert late.headers["location"].startswith("/signin?next=")
    shown = text(client.get(late.headers["location"]).text)
    assert "more than 5 minutes" in shown
    assert COOKIE not in client.cookies


def test_five_wrong_codes_end_the_sign_in_and_pause_the_username(
    client: TestClient, clock: Clock
) -> None:
    enrol(client, clock)
    sign_out(client)
    password_step(client, "hannah")
    for _ in range(4):
        assert code_step(client, "000000").status_code == 401
    fifth = code_step(client, "000000")
    assert fifth.status_code == 303
    shown = text(client.get(fifth.headers["location"]).text)
    assert "paused until" in shown
    form = client.get("/signin")
    paused = client.post(
        "/signin",
        data={"username": "hannah", "password": PASSWORD, "csrf": field(form.text, "csrf")},
    )
    assert paused.status_code == 401
    assert "paused" in text(paused.text)


# -- the account page under --mfa optional -----------------------------------------------------


def signed_in_with_password(client: TestClient) -> None:
    assert password_step(client, "hannah") == BOARD
    assert client.get(BOARD).status_code == 200


def test_under_optional_anyone_may_set_up_an_app_from_their_account_page(
    serve: Serve, clock: Clock
) -> None:
    here, elsewhere = serve(MfaPolicy.OPTIONAL), serve(MfaPolicy.OPTIONAL)
    signed_in_with_password(here)
    signed_in_with_password(elsewhere)
    assert 'href="/account"' in here.get(BOARD).text  # the page header: the account page,
    assert 'href="/account/mfa?' in here.get("/account").text  # and from there this one
    page = here.get("/account/mfa")
    assert "Off:" in text(page.text)
    csrf = field(page.text, "csrf")

    wrong = here.post(
        "/account/mfa/start", data={"password": "not my password at all", "csrf": csrf}
    )
    assert wrong.status_code == 401
    assert "The password is not correct" in text(wrong.text)
    assert "<svg" not in wrong.text

    start = here.post("/account/mfa/start", data={"password": PASSWORD, "csrf": csrf})
    assert start.status_code == 200
    key = shown_key(start.text)
    setup = field(start.text, "setup")  # this set-up's own token, carried by its form
    done = here.post(
        "/account/mfa/confirm",
        data={"code": pyotp.TOTP(key).at(clock.now), "csrf": csrf, "setup": setup, "next": "/"},
    )
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>", done.text)) == 10
    assert "other sessions were signed out" in text(done.text)
    assert here.get(BOARD).status_code == 200  # this session goes on
    assert elsewhere.get("/api/session").status_code == 401  # the others ended
    assert "On:" in text(here.get("/account/mfa").text)

    clock.advance(minutes=1)
    sign_out(here)
    assert password_step(here, "hannah") == f"/signin/code?next={BOARD}"  # the code, always
    assert code_step(here, pyotp.TOTP(key).at(clock.now)).status_code == 303


def test_confirming_a_set_up_without_starting_it_with_the_password_is_refused(
    serve: Serve, clock: Clock
) -> None:
    client = serve(MfaPolicy.OPTIONAL)
    signed_in_with_password(client)
    csrf = field(client.get("/account/mfa").text, "csrf")
    refused = client.post("/account/mfa/confirm", data={"code": "123456", "csrf": csrf})
    assert refused.status_code == 409
    assert "Start again" in text(refused.text)
    forged = client.post("/account/mfa/start", data={"password": PASSWORD, "csrf": "forged"})
    assert forged.status_code == 400
    assert "<svg" not in forged.text


def test_a_password_only_session_does_not_work_once_the_node_requires_a_code(
    serve: Serve,
) -> None:
    before = serve(MfaPolicy.OPTIONAL)
    signed_in_with_password(before)
    after = serve(MfaPolicy.REQUIRED)  # the node restarted with --mfa required
    after.cookies.set(COOKIE, before.cookies[COOKIE])
    assert after.get(BOARD, follow_redirects=False).status_code == 303
    assert after.get("/api/session").status_code == 401


# -- the API ------------------------------------------------------------------------------------


def api_sign_in(client: TestClient, username: str, code: str | None = None) -> httpx.Response:
    body = {"username": username, "password": PASSWORD}
    if code is not None:
        body["code"] = code
    return client.post("/api/session", json=body)


def test_the_api_takes_the_code_with_the_password(
    serve: Serve, client: TestClient, clock: Clock
) -> None:
    phone = enrol(client, clock)
    api = serve(MfaPolicy.REQUIRED)

    missing = api_sign_in(api, "hannah")
    assert missing.status_code == 401
    assert missing.headers["content-type"].startswith("application/problem+json")
    problem = missing.json()
    assert problem["type"].endswith("/code-needed")
    assert "authenticator app" in problem["detail"]
    assert "code" in problem["remedy"]

    wrong = api_sign_in(api, "hannah", "000000").json()
    assert (wrong["status"], wrong["type"].split("/")[-1]) == (401, "wrong-code")
    assert wrong["detail"] == "The code is not correct."

    right = api_sign_in(api, "hannah", phone.code(clock))
    assert right.status_code == 200
    assert right.json()["username"] == "hannah"
    assert api.get(f"/api/productions/{PRODUCTION}/board").status_code == 200

    replay = serve(MfaPolicy.REQUIRED)
    again = api_sign_in(replay, "hannah", phone.code(clock)).json()
    assert again["type"].endswith("/wrong-code")
    assert "already used" in again["detail"]

    recovered = api_sign_in(replay, "hannah", phone.codes[5])
    assert recovered.status_code == 200


def test_the_api_sends_an_account_without_an_app_to_the_sign_in_page(
    client: TestClient, serve: Serve
) -> None:
    refused = api_sign_in(client, "jack")
    assert refused.status_code == 403
    problem = refused.json()
    assert problem["type"].endswith("/enrolment-needed")
    assert "/signin" in problem["remedy"]
    assert COOKIE not in client.cookies
    assert api_sign_in(serve(MfaPolicy.OPTIONAL), "jack").status_code == 200


def test_a_wrong_password_is_refused_before_any_code(client: TestClient, clock: Clock) -> None:
    enrol(client, clock)
    wrong = client.post(
        "/api/session", json={"username": "hannah", "password": "not it at all", "code": "000000"}
    )
    assert wrong.status_code == 403
    assert wrong.json()["detail"] == "The username or password is not correct."


def test_the_openapi_document_describes_the_code(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["SignIn"]
    assert "code" in schema["properties"]
    assert "code" not in schema.get("required", [])


# -- the administrator on the node ------------------------------------------------------------


def test_an_administrator_shows_and_resets_a_lost_factor(
    client: TestClient, clock: Clock, cli: CliRunner
) -> None:
    phone = enrol(client, clock)
    shown = cli.invoke(cli_app, ["account", "show", "hannah", "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data["two_step"]["enrolled"] is not None
    assert data["two_step"]["recovery_codes_left"] == 10
    assert data["acts_as"] == [{"production": PRODUCTION, "person": "P01"}]
    assert phone.key not in shown.stdout
    assert "two-step sign-in: on since" in cli.invoke(cli_app, ["account", "show", "hannah"]).stdout

    reset = cli.invoke(cli_app, ["account", "mfa-reset", "hannah"])
    assert reset.exit_code == 0, reset.output
    assert "removed" in reset.stdout
    assert "1 session ended" in reset.stdout
    assert client.get(BOARD, follow_redirects=False).status_code == 303  # signed out
    events = json.loads(cli.invoke(cli_app, ["account", "events", "--json"]).stdout)
    assert events[0]["kind"] == "mfa_reset"
    assert events[0]["username"] == "hannah"

    client.cookies.clear()
    assert password_step(client, "hannah").startswith("/signin/enrol")  # set up again
    again = json.loads(cli.invoke(cli_app, ["account", "mfa-reset", "hannah", "--json"]).stdout)
    assert (again["had_app"], again["sessions_ended"]) == (False, 0)
    missing = cli.invoke(cli_app, ["account", "mfa-reset", "nobody"])
    assert missing.exit_code == 4


def test_the_served_node_requires_two_step_sign_in_unless_told_otherwise() -> None:
    from coldcheck.web.server import mfa_policy

    assert mfa_policy({}) is MfaPolicy.REQUIRED
    assert mfa_policy({"COLDCHECK_MFA": "required"}) is MfaPolicy.REQUIRED
    assert mfa_policy({"COLDCHECK_MFA": "Optional"}) is MfaPolicy.OPTIONAL
    with pytest.raises(SystemExit, match="must be 'required' or 'optional'"):
        mfa_policy({"COLDCHECK_MFA": "off"})


# -- what a password alone, a stolen cookie or an old sign-in must not do ------------------------


def stored(db: Path) -> SqliteAccountStore:
    return SqliteAccountStore(db)


def test_the_password_alone_cannot_plant_an_app_on_an_account_that_has_one(
    serve: Serve, clock: Clock, db: Path
) -> None:
    victim = serve(MfaPolicy.REQUIRED)
    phone = enrol(victim, clock)
    sign_out(victim)

    attacker = serve(MfaPolicy.REQUIRED)  # knows the password, nothing else
    assert password_step(attacker, "hannah") == f"/signin/code?next={BOARD}"
    csrf = field(attacker.get(f"/signin/code?next={BOARD}").text, "csrf")
    for form in ({"code": "000000", "csrf": csrf, "next": BOARD}, {"code": "0", "csrf": "x"}):
        planted = attacker.post("/signin/enrol", data=form, follow_redirects=False)
        assert planted.status_code == 303
        assert planted.headers["location"].startswith("/signin/code?")
        assert "mfa-secret" not in planted.text
    looked = attacker.get(f"/signin/enrol?next={BOARD}", follow_redirects=False)
    assert looked.status_code == 303
    store = stored(db)
    try:
        hannah = store.account_by_username("hannah")
        assert hannah is not None
        assert store.totp_enrolment(hannah.id) is None  # nothing was even started
    finally:
        store.close()

    # the victim, with a lost phone, signs in with a recovery code and sets up a new app: a
    # key of her own, never one someone else started
    password_step(victim, "hannah")
    assert code_step(victim, phone.codes[0], recovery=True).status_code == 303
    csrf_v = field(victim.get("/account/mfa").text, "csrf")
    start = victim.post(
        "/account/mfa/start", data={"password": PASSWORD, "code": phone.codes[1], "csrf": csrf_v}
    )
    key = shown_key(start.text)
    assert key != phone.key
    done = victim.post(
        "/account/mfa/confirm",
        data={
            "code": pyotp.TOTP(key).at(clock.now),
            "csrf": csrf_v,
            "setup": field(start.text, "setup"),
        },
    )
    assert done.status_code == 200
    assert api_sign_in(serve(MfaPolicy.REQUIRED), "hannah", "000000").status_code == 401


def test_a_stolen_session_cookie_can_neither_see_nor_confirm_a_set_up(
    serve: Serve, clock: Clock
) -> None:
    owner = serve(MfaPolicy.OPTIONAL)
    assert password_step(owner, "hannah") == BOARD
    csrf = field(owner.get("/account/mfa").text, "csrf")
    start = owner.post("/account/mfa/start", data={"password": PASSWORD, "csrf": csrf})
    key, setup = shown_key(start.text), field(start.text, "setup")

    thief = serve(MfaPolicy.OPTIONAL)  # a copy of the cookie, not the password
    thief.cookies.set(COOKIE, owner.cookies[COOKIE])
    csrf_t = field(thief.get("/account/mfa").text, "csrf")
    for guess in ("000000", pyotp.TOTP(key).at(clock.now)):
        for token in ("", "x" * 43):
            refused = thief.post(
                "/account/mfa/confirm", data={"code": guess, "csrf": csrf_t, "setup": token}
            )
            assert refused.status_code == 409
            assert "mfa-secret" not in refused.text
            assert "<svg" not in refused.text
            assert "<li><code>" not in refused.text
    no_password = thief.post("/account/mfa/start", data={"password": "", "csrf": csrf_t})
    assert no_password.status_code in (401, 422)
    assert "mfa-secret" not in no_password.text
    assert "Off:" in text(thief.get("/account/mfa").text)

    # the form that started it: a wrong code shows its key again, the right one confirms
    wrong = owner.post(
        "/account/mfa/confirm", data={"code": "000000", "csrf": csrf, "setup": setup}
    )
    assert wrong.status_code == 401
    assert shown_key(wrong.text) == key
    done = owner.post(
        "/account/mfa/confirm",
        data={"code": pyotp.TOTP(key).at(clock.now), "csrf": csrf, "setup": setup},
    )
    assert done.status_code == 200


def test_replacing_an_app_from_the_account_page_needs_the_password_and_a_code(
    client: TestClient, clock: Clock
) -> None:
    phone = enrol(client, clock)
    page = client.get("/account/mfa")
    assert 'name="code"' in page.text  # asked for beside the password
    csrf = field(page.text, "csrf")
    no_code = client.post("/account/mfa/start", data={"password": PASSWORD, "csrf": csrf})
    assert no_code.status_code == 401
    assert "type a code from it" in text(no_code.text)
    wrong = client.post(
        "/account/mfa/start", data={"password": PASSWORD, "code": "000000", "csrf": csrf}
    )
    assert wrong.status_code == 401
    assert "The code is not correct." in text(wrong.text)
    assert "mfa-secret" not in no_code.text + wrong.text
    right = client.post(
        "/account/mfa/start",
        data={"password": PASSWORD, "code": phone.code(clock), "csrf": csrf},
    )
    assert right.status_code == 200
    assert shown_key(right.text) != phone.key


def test_a_set_up_begun_before_a_password_reset_does_not_complete(
    serve: Serve, clock: Clock, cli: CliRunner, db: Path
) -> None:
    """Someone with the old password starts the forced set-up; the operator resets the
    password: that sign-in and its set-up are over."""
    attacker = serve(MfaPolicy.REQUIRED)
    assert password_step(attacker, "jack").startswith("/signin/enrol")
    page = attacker.get(f"/signin/enrol?next={BOARD}")
    key = shown_key(page.text)
    reset = cli.invoke(cli_app, ["account", "reset-password", "jack"])
    assert reset.exit_code == 0, reset.output
    late = attacker.post(
        "/signin/enrol",
        data={"code": pyotp.TOTP(key).at(clock.now), "csrf": field(page.text, "csrf")},
        follow_redirects=False,
    )
    assert late.status_code == 303
    assert late.headers["location"].startswith("/signin?")
    assert COOKIE not in attacker.cookies
    assert attacker.get("/api/session").status_code == 401
    store = stored(db)
    try:
        jack = store.account_by_username("jack")
        assert jack is not None
        assert store.totp(jack.id) is None
        assert store.totp_enrolment(jack.id) is None
    finally:
        store.close()


def test_a_right_password_is_logged_even_when_no_session_opens(
    serve: Serve, clock: Clock, db: Path
) -> None:
    victim = serve(MfaPolicy.REQUIRED)
    enrol(victim, clock)
    sign_out(victim)
    store = stored(db)
    try:
        before = store.events(1)[0].seq
        attacker = serve(MfaPolicy.REQUIRED)
        assert api_sign_in(attacker, "hannah").json()["type"].endswith("/code-needed")
        password_step(attacker, "hannah")
        assert api_sign_in(attacker, "jack").json()["type"].endswith("/enrolment-needed")
        logged = [e for e in reversed(store.events(20)) if e.seq > before]
    finally:
        store.close()
    assert [(e.kind.value, e.username) for e in logged] == [
        ("password_ok", "hannah"),
        ("password_ok", "hannah"),
        ("password_ok", "jack"),
    ]
    assert {e.client for e in logged} == {"testclient"}


def test_the_code_step_is_refused_while_the_address_is_paused(serve: Serve, clock: Clock) -> None:
    """A pending sign-in opened before its address was paused takes no more codes."""
    victim = serve(MfaPolicy.REQUIRED)
    phone = enrol(victim, clock)
    sign_out(victim)
    attacker = serve(MfaPolicy.REQUIRED)
    password_step(attacker, "hannah")
    for n in range(20):  # a password sprayed over many usernames pauses the address
        attacker.post("/api/session", json={"username": f"crew{n}", "password": "Summer2026!!"})
    paused = attacker.post("/api/session", json={"username": "hannah", "password": PASSWORD})
    assert "network address" in paused.json()["detail"]
    for code in ("000000", phone.code(clock)):
        refused = code_step(attacker, code)
        assert refused.status_code == 401
        assert "network address is paused" in text(refused.text)
    assert COOKIE not in attacker.cookies


def test_the_set_up_forms_check_their_csrf_token(serve: Serve, clock: Clock) -> None:
    client = serve(MfaPolicy.OPTIONAL)
    signed_in_with_password(client)
    csrf = field(client.get("/account/mfa").text, "csrf")
    start = client.post("/account/mfa/start", data={"password": PASSWORD, "csrf": csrf})
    key, setup = shown_key(start.text), field(start.text, "setup")
    forged = client.post(
        "/account/mfa/confirm",
        data={"code": pyotp.TOTP(key).at(clock.now), "csrf": "forged", "setup": setup},
    )
    assert forged.status_code == 400
    assert "form expired" in text(forged.text)
    assert "mfa-secret" not in forged.text
    assert "Off:" in text(client.get("/account/mfa").text)  # nothing was set up


def test_a_code_used_through_the_api_is_refused_in_the_pages(
    serve: Serve, client: TestClient, clock: Clock
) -> None:
    """One service (``TwoStep``) for both doors: a code is accepted once, whichever door."""
    phone = enrol(client, clock)
    sign_out(client)
    code = phone.code(clock)
    assert api_sign_in(serve(MfaPolicy.REQUIRED), "hannah", code).status_code == 200
    password_step(client, "hannah")
    replayed = code_step(client, code)
    assert replayed.status_code == 401
    assert "already used" in text(replayed.text)
    assert COOKIE not in client.cookies
