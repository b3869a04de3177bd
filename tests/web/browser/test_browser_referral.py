"""Journey in a real browser: record an APSP report, share it with the appropriate authority,
who refers it to the IOPC and records the IOPC's decision; the dashboard shows it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from probity.web.casework.models import Referral, Report

from ..conftest import PASSWORD
from ..security.mfa import browser_complete_mfa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser, base: str, username: str):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    browser_complete_mfa(page)  # first sign-in: enrol the authenticator, enter its code
    page.wait_for_url(re.compile(r".*/$"))
    return context, page


def test_record_apsp_report_refer_and_record_iopc_decision(live_server, browser, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("anna", "analyst")
    make_user("alan", "appropriate_authority")
    context, page = _sign_in(browser, live_server.url, "anna")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Record a report").click()
    page.get_by_label("Source", exact=True).select_option("partner_concern")
    page.get_by_label("Date received").fill("2025-03-01")
    page.get_by_label("Subjects (staff ids, separated by commas)").fill("S0042")
    page.get_by_label("National category").select_option("sexual_misconduct")
    page.get_by_label("Abuse of position for a sexual purpose").check()
    page.get_by_label("Source evaluation").select_option("2")
    page.get_by_label("Intelligence assessment").select_option("B")
    page.get_by_label("Handling code").select_option("C")
    page.get_by_label("Narrative", exact=True).fill("Support worker reports an officer texting a client.")
    page.get_by_label("Role", exact=True).select_option("victim")
    page.get_by_label("Name (when there is no person record)").fill("Hana Pike")
    page.get_by_label("domestic_abuse_victim").check()
    page.get_by_role("button", name="Record report").click()
    page.get_by_test_id("report-reference").wait_for()
    assert "refer by" in page.get_by_test_id("referral-due").inner_text()
    page.get_by_label("Give a colleague access (username)").fill("alan")
    page.get_by_role("button", name="Grant access").click()
    page.get_by_text("Access granted").wait_for()
    context.close()

    report = Report.objects.get()
    context, page = _sign_in(browser, live_server.url, "alan")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    assert report.reference in page.get_by_test_id("referrals-due").inner_text()
    page.get_by_role("link", name=report.reference).click()
    page.get_by_label("Purpose").fill("Appropriate authority: IOPC referral decision")
    page.get_by_role("button", name="Continue").click()
    assert "Hana Pike" in page.get_by_test_id("persons").inner_text()
    page.get_by_role("button", name="Refer to the IOPC").click()
    page.get_by_text("Referral to the IOPC recorded").wait_for()
    page.get_by_label("IOPC decision").select_option("investigation")
    page.get_by_label("Mode of investigation").select_option("independent")
    page.get_by_label("Date of decision (YYYY-MM-DD)").fill(datetime.now(UTC).date().isoformat())
    page.get_by_role("button", name="Record the IOPC's decision").click()
    page.get_by_text("The IOPC's decision is recorded").wait_for()
    assert "Independent" in page.get_by_test_id("referrals").inner_text()
    context.close()

    referral = Referral.objects.get()
    assert (referral.decision, referral.mode) == ("investigation", "independent")
    assert referral.referred_by.username == "alan"
