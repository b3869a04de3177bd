"""Journey in a real browser: the appropriate authority opens a case, assesses severity,
decides a hearing, is refused an outcome reg 42 does not allow, records an allowed one; the
auditor then finds those changes in the access log and verifies the chain."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from probity.web.casework.services import PersonInput, report_create
from probity.web.investigations.models import ConductOutcome

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


def test_record_outcome_then_auditor_verifies_the_log(live_server, browser, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("anna", "analyst")
    alan = make_user("alan", "appropriate_authority")
    make_user("audrey", "auditor")
    today = datetime.now(UTC).date()
    report = report_create(
        actor=analyst, source="public_complaint", national_category="sexual_misconduct",
        abuse_of_position_sexual_purpose=True, source_evaluation="2",
        intelligence_assessment="B", handling_code="C",
        narrative="Officer messaged a victim after the case closed.",
        received_on=today - timedelta(days=120), subjects=["S0042"],
        persons=[PersonInput(role="victim", name="Hana Pike")])
    report.team.add(alan)

    context, page = _sign_in(browser, live_server.url, "alan")
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.get_by_label("Purpose").fill("Appropriate authority: misconduct proceedings")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Investigation and outcomes").click()
    page.get_by_test_id("investigation-reference").wait_for()
    page.get_by_label("Severity", exact=True).select_option("gross_misconduct")
    page.get_by_label("Reasons for the assessment").fill("Abuse of position for a sexual purpose")
    page.get_by_label("Date of assessment (YYYY-MM-DD)").fill(today.isoformat())
    page.get_by_role("button", name="Record severity").click()
    page.get_by_text("Severity assessment recorded").wait_for()
    page.get_by_label("Forum", exact=True).select_option("hearing")
    page.get_by_label("Date of the meeting, hearing or review (YYYY-MM-DD)").fill(today.isoformat())
    page.get_by_role("button", name="Record forum").click()
    page.get_by_text("Forum decided").wait_for()
    assert "Misconduct hearing" in page.get_by_test_id("forum").inner_text()
    # a written warning is not an outcome for gross misconduct proven at a hearing
    page.get_by_label("Finding").select_option("gross_misconduct")
    page.get_by_label("Outcome", exact=True).select_option("written_warning")
    page.get_by_label("Date of the outcome (YYYY-MM-DD)").fill(today.isoformat())
    page.get_by_role("button", name="Record outcome").click()
    page.get_by_text("is not an outcome of a misconduct hearing").wait_for()
    assert not ConductOutcome.objects.exists()
    page.get_by_label("Finding").select_option("gross_misconduct")
    page.get_by_label("Outcome", exact=True).select_option("dismissal_without_notice")
    page.get_by_label("Date of the outcome (YYYY-MM-DD)").fill(today.isoformat())
    page.get_by_role("button", name="Record outcome").click()
    page.get_by_text("Outcome recorded").wait_for()
    assert "Dismissal without notice" in page.get_by_test_id("outcomes").inner_text()
    page.get_by_label("List", exact=True).select_option("barred")
    page.get_by_label("Date notified (YYYY-MM-DD)").fill(today.isoformat())
    page.get_by_role("button", name="Record notification").click()
    page.get_by_text("List notification recorded").wait_for()
    assert "Police Barred List" in page.get_by_test_id("list-notifications").inner_text()
    page.goto(f"{live_server.url}/reports/dashboard/")
    assert "Dismissal without notice" in page.get_by_test_id("outcomes-panel").inner_text()
    context.close()

    outcome = ConductOutcome.objects.get()
    assert (outcome.outcome, outcome.recorded_by.username) == ("dismissal_without_notice", "alan")

    context, page = _sign_in(browser, live_server.url, "audrey")
    page.goto(f"{live_server.url}/audit/?actor=alan&object_type=report&object_id={report.pk}")
    rows = page.locator("tbody tr").all_inner_texts()
    changes = [r for r in rows if "Change" in r]
    assert len(changes) == 4, rows  # severity, forum, outcome, Barred List (not the refusal)
    assert all("misconduct proceedings" in r for r in changes)
    page.get_by_role("link", name="Verify the chain").click()
    assert page.get_by_test_id("verify-result").inner_text() == "Chain intact"
    context.close()
