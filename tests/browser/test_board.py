"""The live board in a real browser at phone size: sign-in, what the 1st AD sees at a glance,
updates as the ledger moves, and a plain warning when the connection is lost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from coldcheck.app import handlers as h
from tests.browser.conftest import ARTIFACTS, PASSWORD, PHONE, Served
from tests.conftest import PRODUCTION, make_app

pytestmark = pytest.mark.browser


@pytest.fixture
def browser(browser_path: str) -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        yield launched
        launched.close()


def signed_in(browser: Browser, served: Served, username: str) -> Page:
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{served.url}/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#connection")).to_contain_text("Live", timeout=10_000)
    return page


def test_a_wrong_password_is_told_plainly(browser: Browser, served: Served) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{served.url}/signin")
    page.get_by_label("Username").fill("ann")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not correct")


def test_the_board_shows_every_firearm_and_updates_itself(browser: Browser, served: Served) -> None:
    page = signed_in(browser, served, "ann")
    board = page.locator("#board")
    expect(board).to_contain_text("Firearms work allowed")
    expect(board).to_contain_text("UB-1873-001")
    expect(board).to_contain_text("Main safe")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "board-phone.png"), full_page=True)

    app = make_app(served.db)  # someone else records a fact: the armorer takes the revolver
    try:
        h.take(app, PRODUCTION, "P01", "F01")
    finally:
        app.close()
    expect(board).to_contain_text("With Hannah", timeout=8_000)
    box = page.get_by_role("button", name="Sign out").bounding_box()
    assert box is not None
    assert box["height"] >= 44  # a target a gloved finger can hit


def test_a_lost_connection_is_said_plainly_and_the_board_marked_stale(
    browser: Browser, served: Served
) -> None:
    page = signed_in(browser, served, "ann")
    served.stop()
    expect(page.locator("#connection")).to_contain_text("OUT OF DATE", timeout=10_000)
    expect(page.locator("#board")).to_have_class("stale")
    page.screenshot(path=str(ARTIFACTS / "board-connection-lost.png"))
