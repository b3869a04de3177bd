"""In a real browser: partner concerns (anonymous and named) sent through the public form
arrive in the analysts' intake and nowhere else; a partner liaison officer records an
engagement and the no-contact flag clears."""

from __future__ import annotations

import re

import pytest

from probity.web.audit.models import AccessLog
from probity.web.partners.models import Concern, Engagement

from ..conftest import PASSWORD
from ..security.mfa import browser_complete_mfa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    browser_complete_mfa(page)
    page.wait_for_url(re.compile(r".*/$"))


def _send_concern(page, base: str, *, anonymous: bool, about: str, what: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/concerns/new")
    page.get_by_label("Someone from a support organisation").check()
    page.get_by_label("Organisation (support organisations only)").fill("Eastside Women's Aid")
    page.get_by_label("Who is the concern about?").fill(about)
    page.get_by_label("What happened?").fill(what)
    if anonymous:
        page.get_by_label("I want to stay anonymous").check()
    else:
        page.get_by_label("Your name (leave empty to stay anonymous)").fill("Sam Worker")
    page.get_by_role("button", name="Send").click()
    reference = page.get_by_test_id("reference").inner_text().strip()
    assert re.fullmatch(r"PC-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    assert what not in page.content() and about not in page.content()  # reveals nothing
    return reference


def test_partner_concerns_reach_the_analysts_intake_only(live_server, browser,  # type: ignore[no-untyped-def]
                                                         make_user) -> None:
    make_user("ana", "analyst")
    make_user("leo", "partner_liaison")
    make_user("ivo", "investigator")
    public = browser.new_context()
    form = public.new_page()
    form.set_default_timeout(60_000)
    anonymous_ref = _send_concern(form, live_server.url, anonymous=True, about="PC 2231 Hale",
                                  what="He offered to drop charges for a date.")
    named_ref = _send_concern(form, live_server.url, anonymous=False, about="Sgt Moss",
                              what="She keeps visiting a client's home off duty.")
    public.close()
    stored = {c.reference: c for c in Concern.objects.all()}
    assert set(stored) == {anonymous_ref, named_ref}
    assert stored[anonymous_ref].anonymous and stored[anonymous_ref].reporter_name == ""
    assert stored[named_ref].reporter_name == "Sam Worker"
    assert {c.route for c in stored.values()} == {"partner"}

    for username in ("leo", "ivo"):  # not for the liaison officer, nor an investigator
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(60_000)
        _sign_in(page, live_server.url, username)
        menu = page.get_by_role("navigation", name="Menu")
        assert menu.get_by_role("link", name="Concern intake").count() == 0
        response = page.goto(f"{live_server.url}/concerns/intake/")
        assert response is not None and response.status == 403
        assert anonymous_ref not in page.content()
        context.close()

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    _sign_in(page, live_server.url, "ana")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Concern intake").click()
    intake = page.get_by_test_id("concern-intake")
    assert anonymous_ref in intake.inner_text() and named_ref in intake.inner_text()
    assert "Partner organisation" in intake.inner_text()
    intake.get_by_role("link", name=anonymous_ref).click()
    page.get_by_label("Purpose").fill("Weekly triage of partner concerns")
    page.get_by_role("button", name="Continue").click()
    concern = page.get_by_test_id("concern").inner_text()
    assert "He offered to drop charges for a date." in concern and "anonymous" in concern
    page.get_by_label("Subject staff ids (space or comma separated)").fill("S0042")
    page.get_by_label("National category").select_option("sexual_misconduct")
    page.get_by_role("button", name="Record report").click()
    page.wait_for_url(re.compile(r".*/reports/\d+/$"))
    context.close()
    recorded = Concern.objects.get(reference=anonymous_ref)
    assert recorded.report is not None and recorded.report.source == "partner_concern"
    assert AccessLog.objects.filter(object_type="concern", object_id=str(recorded.pk),
                                    action="view",
                                    purpose="Weekly triage of partner concerns").exists()


def test_liaison_officer_records_an_engagement(live_server, browser, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("lia", "partner_liaison")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    _sign_in(page, live_server.url, "lia")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Partners").click()
    page.get_by_role("link", name="Add a partner").click()
    page.get_by_label("Name").fill("Harbour Sexual Violence Centre")
    page.get_by_label("Type").select_option("sexual_violence_service")
    page.get_by_label("Area covered").fill("Coastal districts")
    page.get_by_label("Contacts").fill("Centre manager, 01632 960123")
    page.get_by_role("button", name="Add partner").click()
    page.get_by_role("heading", name="Harbour Sexual Violence Centre").wait_for()
    page.get_by_label("Kind").select_option("briefing")
    page.get_by_label("Topic").fill("Abuse of position for a sexual purpose")
    page.get_by_label("Audience").fill("ISVA team (8)")
    page.get_by_label("Date held (YYYY-MM-DD)").fill("2026-11-02")
    page.get_by_role("button", name="Record engagement").click()
    log = page.get_by_test_id("engagements").inner_text()
    assert "Abuse of position for a sexual purpose" in log and "2026-11-02" in log
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Partners").click()
    row = page.get_by_test_id("partner-list").inner_text()
    assert "2026-11-02" in row and "No recent contact" not in row
    context.close()
    engagement = Engagement.objects.get()
    assert engagement.recorded_by.get_username() == "lia" and engagement.kind == "briefing"
