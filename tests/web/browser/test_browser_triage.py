"""Journey in a real browser: triage an alert into a report, then an auditor verifies the log."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from probity.web.alerts.models import Alert
from probity.web.audit.models import AccessLog

from ..conftest import PASSWORD
from ..security.mfa import browser_complete_mfa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    browser_complete_mfa(page)  # first sign-in: enrol the authenticator, enter its code
    page.wait_for_url(re.compile(r".*/$"))


def test_triage_alert_into_apsp_report_and_verify_log(live_server, browser, loaded_run,  # type: ignore[no-untyped-def]
                                                      make_user) -> None:
    make_user("anna", "analyst")
    make_user("audrey", "auditor")
    top = Alert.objects.get(scan_run=loaded_run, rank=1)
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    _sign_in(page, live_server.url, "anna")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Alerts").click()
    expect(page.get_by_test_id("score-notice")).to_be_visible()
    queue = page.get_by_test_id("alert-queue")
    assert "Stone" not in queue.inner_text()
    queue.get_by_role("link", name=top.pseudonym).click()
    page.get_by_role("heading", name="Why do you need to open this alert?").wait_for()
    page.get_by_label("Purpose").fill("Weekly ACU triage of proactive alerts")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_test_id("subject-name").inner_text() == "PC Alex Stone (S0001)"
    assert "Dana Vale" in page.get_by_test_id("persons-of-concern").inner_text()
    assert "contact_victim" in page.get_by_test_id("timeline").inner_text()
    page.get_by_label("Develop as intelligence").check()
    page.get_by_label("National category").select_option("sexual_misconduct")
    page.get_by_label("Abuse of position for a sexual purpose").check()
    page.get_by_label("Source evaluation").select_option("2")
    page.get_by_label("Intelligence assessment").select_option("B")
    page.get_by_label("Handling code").select_option("P")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_test_id("report-reference").wait_for()
    assert "Abuse of position for a sexual purpose" in page.get_by_test_id("category").inner_text()
    assert page.get_by_test_id("grading").inner_text().startswith("2BP")
    assert "refer by" in page.get_by_test_id("referral-due").inner_text()
    assert "Dana Vale" in page.get_by_test_id("persons").inner_text()
    context.close()

    top.refresh_from_db()
    assert top.status == "developed"
    assert AccessLog.objects.filter(action="view", object_type="alert",
                                    purpose="Weekly ACU triage of proactive alerts").exists()

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    _sign_in(page, live_server.url, "audrey")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Access log").click()
    assert "anna" in page.locator("table").inner_text()
    page.get_by_role("link", name="Verify the chain").click()
    assert page.get_by_test_id("verify-result").inner_text() == "Chain intact"
    context.close()
