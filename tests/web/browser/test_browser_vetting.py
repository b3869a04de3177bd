"""Journey in a real browser: a vetting officer opens compliance, follows a figure to the
person below requirement, states a purpose and records a decision."""

from __future__ import annotations

import re

import pytest

from probity.web.audit.models import AccessLog
from probity.web.vetting_register.models import VettingAssessment

from ..conftest import PASSWORD
from ..security.mfa import browser_complete_mfa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_vetting_officer_opens_compliance_and_records_a_decision(  # type: ignore[no-untyped-def]
        live_server, browser, make_user) -> None:
    from datetime import date

    from probity.web.workforce.models import Post, StaffMember, Unit, VettingClearance

    Unit.objects.create(unit_id="U1", name="Response North", function="response")
    Post.objects.create(post_id="P2", title="Intelligence analyst", unit_id="U1",
                        required_vetting="mv")
    StaffMember.objects.create(staff_id="S0002", forename="Bea", surname="Moor",
                               staff_type="staff", unit_id="U1", post_id="P2",
                               start_date=date(2016, 1, 1))
    VettingClearance.objects.create(staff_id="S0002", level="rv", status="granted",
                                    decided_on=date(2021, 1, 1), expires_on=date(2099, 1, 1))
    make_user("vera", "vetting_officer")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("vera")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    browser_complete_mfa(page)
    page.wait_for_url(re.compile(r".*/$"))
    # one request at a time: the live server shares one in-memory SQLite between threads, and
    # a shared-cache table lock is not retried (a late favicon request could collide)
    page.wait_for_load_state("networkidle")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Vetting").click()
    summary = page.get_by_test_id("vetting-summary")
    assert summary.locator('[data-figure="serving"]').inner_text() == "1"
    summary.locator('[data-figure="below_requirement"]').get_by_role("link").click()
    assert "Bea" not in page.get_by_test_id("vetting-people").inner_text()  # ids only
    page.get_by_role("link", name="S0002").click()
    page.get_by_role("heading", name="Why do you need to open this vetting record?").wait_for()
    page.get_by_label("Purpose").fill("Below requirement for MV post: start vetting")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_test_id("meets").inner_text() == "no"
    page.get_by_label("Reason").select_option("post_change")
    page.get_by_label("Level").select_option("mv")
    page.get_by_label("Why").fill("Holds RV only; the post needs MV")
    page.get_by_role("button", name="Open assessment").click()
    page.get_by_label("Action").select_option("grant")
    page.get_by_label("Rationale").fill("MV checks complete with no adverse findings")
    page.get_by_role("button", name="Record", exact=True).click()
    assessment = VettingAssessment.objects.get(staff_id="S0002")
    page.get_by_test_id(f"assessment-{assessment.pk}").get_by_test_id("status").wait_for()
    assert page.get_by_test_id(f"assessment-{assessment.pk}").get_by_test_id(
        "status").inner_text() == "Granted"
    assert "MV checks complete" in page.get_by_test_id(f"assessment-{assessment.pk}").inner_text()
    context.close()
    assessment.refresh_from_db()
    assert assessment.status == "granted"
    assert AccessLog.objects.filter(
        action="view", object_type="vetting_record", object_id="S0002",
        purpose="Below requirement for MV post: start vetting").exists()
