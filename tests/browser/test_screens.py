"""The task screens in a real browser at phone size (360 px): the 1st AD's announcement refused
(R-29) on the announce screen, the armorer's per-chamber inspection grid, and a talent raising a
concern. Screenshots of the announce screen and the grid go to the artifacts directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from coldcheck.app import handlers as h
from tests.browser.conftest import ARTIFACTS, PASSWORD, PHONE, Served
from tests.conftest import PINS, PRODUCTION, make_app, prepare_issue

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(browser_path: str) -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        yield launched
        launched.close()


def open_screen(browser: Browser, served: Served, username: str, path: str) -> Page:
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{served.url}/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/p/{PRODUCTION}")
    page.goto(f"{served.url}/p/{PRODUCTION}{path}")
    return page


def big_enough(page: Page, name: str) -> None:
    box = page.get_by_role("button", name=name).first.bounding_box()
    assert box is not None
    assert box["height"] >= 48, (name, box)  # a target a gloved finger can hit


def test_the_first_ad_sees_an_announcement_refused_r29(browser: Browser, served: Served) -> None:
    app = make_app(served.db)
    try:
        prepare_issue(app)  # F01 inspected empty, shown to the 1st AD and the talent
    finally:
        app.close()
    page = open_screen(browser, served, "ann", "/announce")
    card = page.locator("#F01")
    expect(card).to_contain_text("May be announced COLD")
    expect(card).to_contain_text("all 6 chambers empty, barrel clear; checked by Hannah Reed")
    expect(page.locator("#F02")).to_contain_text("DO NOT ANNOUNCE")
    big_enough(page, "Announce COLD · F01")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screen-announce-phone.png"), full_page=True)

    app = make_app(served.db)  # meanwhile the armorer inspects again: not yet shown to anyone
    try:
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
    expect(page.locator("#screen-stale")).to_be_visible(timeout=8_000)
    card.get_by_label("Your PIN").fill(PINS["P03"])
    card.get_by_role("button", name="Announce COLD · F01").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("R-29")
    expect(refusal).to_contain_text("F01 may not be announced: it has not been shown to")
    expect(refusal).to_contain_text("Nothing was recorded")
    expect(page.locator("#F01")).to_contain_text("DO NOT ANNOUNCE")
    page.screenshot(path=str(ARTIFACTS / "screen-announce-refused-phone.png"), full_page=True)


def test_the_armorer_inspects_on_the_per_chamber_grid(browser: Browser, served: Served) -> None:
    page = open_screen(browser, served, "hannah", "/firearms/F01")
    page.get_by_role("button", name="Take F01 out of Main safe").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Hannah Reed took F01 out of Main safe"
    )
    grid = page.locator("form[data-action='inspect']")
    selects = grid.locator("select[name='positions']")
    expect(selects).to_have_count(6)
    grid.get_by_label("Set every position to").select_option("empty")  # one tap for all six
    for i in range(6):
        expect(selects.nth(i)).to_have_value("empty")
    grid.get_by_label("Chamber 3").select_option("unknown")  # then chamber by chamber
    grid.get_by_label("Chamber 3").select_option("empty")
    grid.get_by_label("Clear").check()
    grid.get_by_label("Your PIN").fill(PINS["P01"])
    box = selects.first.bounding_box()
    assert box is not None
    assert box["height"] >= 48
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    grid.screenshot(path=str(ARTIFACTS / "screen-inspection-grid-phone.png"))
    grid.get_by_role("button", name="Record the inspection").click()
    done = page.locator("#done")
    expect(done).to_contain_text("Hannah Reed inspected F01 (pre use): EMPTY; barrel clear.")
    expect(page.locator(".screen-state")).to_contain_text("Verified load: EMPTY")


def test_a_talent_raises_a_concern(browser: Browser, served: Served) -> None:
    page = open_screen(browser, served, "jack", "/concerns")
    page.get_by_label("Your concern").fill("Someone left the prop cart open by the saloon.")
    page.get_by_label("Stop firearms work until it is answered").check()
    big_enough(page, "Raise the concern")
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.locator("#done")).to_contain_text("Jack Colt raised concern C01 (STOP firearms")
    expect(page.locator("#C01")).to_contain_text("NOT ANSWERED")
    expect(page.locator(".screen-banner")).to_contain_text("STOP-WORK")
    assert page.get_by_role("button", name="Answer C01").count() == 0
