"""The trader's first ten minutes in a real browser (Playwright driving Debian's Chromium):
setup → login → Connect → the simulator's login page → back on the dashboard with funds
(and analyzer mode switched on and off there)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from algodesk.demo import DEMO_OTP, DEMO_PASSWORD, DEMO_USER_ID
from tests.conftest import free_port
from tests.web.platform import ADMIN, ADMIN_PASSWORD, PlatformProcess

CHROMIUM = "/usr/bin/chromium"
# Generous waits: on a busy 2-core machine a page load can take seconds; a wait ends as
# soon as the condition holds, so this costs nothing when things are quick.
expect.set_options(timeout=20_000)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Chromium is missing: `make test` installs it "
                    "(apt-get install -y chromium)")
    with sync_playwright() as playwright:
        # Chromium never loads a page under libfaketime (`make test-at`): it runs on the
        # real clock, which only cookie lifetimes could notice (sent as Max-Age).
        real_clock = {k: v for k, v in os.environ.items()
                      if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS, env=real_clock)
        try:
            yield browser
        finally:
            browser.close()


def test_setup_login_connect_dashboard(chromium: Browser, tmp_path: Path) -> None:
    platform = PlatformProcess(tmp_path / "platform",
                               env={"SIMULATOR_PORT": str(free_port()), "BROKER_API_KEY": ""})
    platform.start()
    page = chromium.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(platform.base_url + "/")
        expect(page).to_have_url(platform.base_url + "/setup")
        expect(page.locator("#demo-banner")).to_contain_text("DEMO MODE")
        page.fill("#username", ADMIN)
        page.fill("#password", ADMIN_PASSWORD)
        page.fill("#confirm", ADMIN_PASSWORD)
        page.click("button[type=submit]")

        expect(page).to_have_url(platform.base_url + "/login?m=created")
        page.fill("#username", ADMIN)
        page.fill("#password", ADMIN_PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Dashboard")
        expect(page.locator("#broker-state")).to_contain_text("Not connected")

        page.click("nav a[href='/broker']")
        expect(page.locator("#broker-state")).to_contain_text("not connected")
        page.click("#connect")
        # The simulator's portal, on its own port, as ICICI's would be.
        expect(page.locator("h1")).to_have_text("Login to Breeze API")
        assert f":{platform.env['SIMULATOR_PORT']}/apiuser/login" in page.url
        page.fill("#user_id", DEMO_USER_ID)
        page.fill("#password", DEMO_PASSWORD)
        page.fill("#otp", DEMO_OTP)
        page.click("button[type=submit]")

        # Its auto-submitted form posts the API_Session to /icici/callback.
        expect(page).to_have_url(platform.base_url + "/?m=connected")
        expect(page.locator("#customer-name")).to_have_text("DEMO TRADER")
        expect(page.locator("#customer-id")).to_have_text(DEMO_USER_ID)
        expect(page.locator("#funds-limit")).to_have_text(
            re.compile(r"^₹[\d,]+\.\d\d$"))
        expect(page.locator("#funds-available")).to_contain_text("₹")
        expect(page.locator("#demo-banner")).to_be_visible()
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

        # Analyzer mode's switch on the dashboard: on (the badge shows), off again.
        expect(page.locator("#analyzer-mode")).to_contain_text("Off")
        expect(page.locator("#analyzer-banner")).to_have_count(0)
        page.click("#analyzer-switch")
        expect(page).to_have_url(platform.base_url + "/?m=analyzer_analyze")
        expect(page.locator("#analyzer-mode")).to_contain_text("On")
        expect(page.locator("#analyzer-banner")).to_contain_text("ANALYZER MODE")
        page.click("#analyzer-switch")
        expect(page).to_have_url(platform.base_url + "/?m=analyzer_live")
        expect(page.locator("#analyzer-mode")).to_contain_text("Off")
        expect(page.locator("#analyzer-banner")).to_have_count(0)

        page.click("nav a[href='/broker']")
        expect(page.locator("#broker-state")).to_contain_text(
            f"connected as DEMO TRADER ({DEMO_USER_ID})")
    finally:
        page.close()
        platform.stop()


def test_api_key_page_copy_and_refresh(chromium: Browser, tmp_path: Path) -> None:
    """Generate a key, copy it with the button, refresh: the refresh neither shows the
    key again nor rotates it (the POST answered with a redirect)."""
    platform = PlatformProcess(tmp_path / "platform",
                               env={"SIMULATOR_PORT": str(free_port()), "BROKER_API_KEY": ""})
    platform.start()
    admin = platform.browser()
    try:
        assert admin.setup().status_code == 303
    finally:
        admin.close()
    context = chromium.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(platform.base_url + "/login")
        page.fill("#username", ADMIN)
        page.fill("#password", ADMIN_PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Dashboard")
        favicon = page.request.get(platform.base_url + "/favicon.ico")
        assert favicon.ok and favicon.headers["content-type"].startswith("image/svg+xml")
        assert page.locator("link[rel=icon]").get_attribute("href") == "/static/favicon.svg"

        page.click("nav a[href='/apikey']")
        page.click("#generate")
        expect(page).to_have_url(platform.base_url + "/apikey")
        key = page.locator("#new-api-key").inner_text()
        assert re.fullmatch(r"[0-9a-f]{64}", key)
        page.click("#copy-key")
        expect(page.locator("#copy-key")).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == key

        page.reload()
        expect(page.locator("#new-api-key")).to_have_count(0)
        assert key not in page.content()
        # Still the same key: the refresh rotated nothing. (The broker is not connected,
        # so a valid key is told where to log in; a stale one would be "Invalid".)
        answer = platform.api("ping", {"apikey": key}).json()
        assert answer["message"] != "Invalid openalgo apikey"
        assert "/broker" in answer["message"], answer
    finally:
        context.close()
        platform.stop()
