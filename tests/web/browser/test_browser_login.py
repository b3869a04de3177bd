"""Login journey in a real browser: sign in, see role navigation, sign out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..security.mfa import browser_complete_mfa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_signs_in_sees_alerts_and_signs_out(live_server, page, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("anna", "analyst")
    page.goto(f"{live_server.url}/alerts/")
    assert "/login/" in page.url
    assert page.get_by_role("note", name="Protective marking").inner_text() == "OFFICIAL-SENSITIVE"
    # styles are served locally (no CDN): the GOV.UK stylesheet loaded and applied
    assert page.evaluate(
        "() => [...document.styleSheets].some(s => s.href && s.href.includes('/static/govuk/'))")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Enter a correct username and password")).to_be_visible()
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    browser_complete_mfa(page)  # first sign-in: enrol the authenticator, enter its code
    page.wait_for_url(re.compile(r".*/alerts/$"))
    nav = page.get_by_role("navigation", name="Menu")
    expect(nav.get_by_role("link", name="Alerts")).to_be_visible()
    assert nav.get_by_role("link", name="Access log").count() == 0
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/login/$"))
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
