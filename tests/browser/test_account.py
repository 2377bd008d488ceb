"""The account page in a real browser at phone size: a temporary password changed at the first
sign-in, and a forgotten device signed out from another one."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from coldcheck.app.accounts import Accounts
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from tests.browser.conftest import ARTIFACTS, PASSWORD, PHONE, Served
from tests.conftest import PRODUCTION

pytestmark = pytest.mark.browser

NEW_PASSWORD = "granite swallow teacup meadow"


@pytest.fixture
def browser(browser_path: str) -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        yield launched
        launched.close()


def sign_in(browser: Browser, served: Served, username: str, password: str) -> Page:
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{served.url}/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_a_temporary_password_is_changed_at_the_first_sign_in(
    browser: Browser, served: Served
) -> None:
    accounts = Accounts(SqliteAccountStore(served.db))
    try:
        ann = accounts.store.account_by_username("ann")
        assert ann is not None
        temporary = accounts.reset_password(ann.id).password
    finally:
        accounts.store.close()

    page = sign_in(browser, served, "ann", temporary)

    expect(page).to_have_url(re.compile(r"/account\?next="))
    expect(page.locator("#temporary")).to_contain_text("temporary password")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "account-temporary-phone.png"), full_page=True)
    page.get_by_label("Temporary password").fill(temporary)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change the password").click()

    expect(page).to_have_url(re.compile(f"/p/{PRODUCTION}$"))
    expect(page.locator("#connection")).to_contain_text("Live", timeout=10_000)


def test_a_forgotten_device_is_signed_out_from_the_phone(browser: Browser, served: Served) -> None:
    tablet = sign_in(browser, served, "hannah", PASSWORD)
    expect(tablet.locator("#connection")).to_contain_text("Live", timeout=10_000)
    phone = sign_in(browser, served, "hannah", PASSWORD)
    link = phone.get_by_role("link", name="hannah")
    box = link.bounding_box()
    assert box is not None
    assert box["height"] >= 44, "a gloved finger can hit the account link"
    link.click()

    expect(phone.get_by_role("heading", name="Your sessions")).to_be_visible()
    expect(phone.locator(".account-session")).to_have_count(2)
    expect(phone.locator(".account-session.current")).to_contain_text("this device")
    phone.get_by_label("Your password, to end a session").fill(PASSWORD)
    phone.get_by_role("button", name="End this session").click()

    expect(phone.get_by_role("status")).to_contain_text("The session is ended")
    expect(phone.locator(".account-session")).to_have_count(1)
    tablet.reload()
    expect(tablet).to_have_url(re.compile(r"/signin"))
