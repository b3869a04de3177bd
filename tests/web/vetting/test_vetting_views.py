"""Person records: purpose first, every view logged in its transaction; the vetting officer
records decisions through the pages; auditors read but cannot change; others are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from probity.web.audit.models import AccessLog
from probity.web.vetting_register.models import (
    AftercareRecord,
    AssessmentEvent,
    RevettingTrigger,
    VettingAssessment,
)

pytestmark = pytest.mark.django_db
PURPOSE = "Renewal of vetting for post move"


def _signed_in(user: Any, staff_id: str = "S0001", purpose: bool = True) -> Client:
    client = Client()
    client.force_login(user)
    if purpose:
        response = client.post(reverse("vetting_register:person", args=[staff_id]),
                               {"stated_purpose": PURPOSE})
        assert response.status_code == 302
    return client


def test_the_record_asks_for_a_purpose_then_logs_the_view(officer: Any,
                                                          small_register: Any) -> None:
    client = _signed_in(officer, purpose=False)
    url = reverse("vetting_register:person", args=["S0001"])
    first = client.get(url)
    assert b"stated_purpose" in first.content and b"Alex" not in first.content
    assert not AccessLog.objects.filter(object_type="vetting_record").exists()
    client.post(url, {"stated_purpose": PURPOSE})
    page = client.get(url)
    assert page.status_code == 200 and b"Alex" in page.content
    assert b"Response constable" in page.content and b"RV" in page.content
    entry = AccessLog.objects.get(object_type="vetting_record", action="view")
    assert (entry.object_id, entry.purpose, entry.actor_id) == ("S0001", PURPOSE, officer.pk)
    assert client.get(reverse("vetting_register:person", args=["S9999"])).status_code == 404


def test_officer_opens_and_decides_through_the_pages(officer: Any, small_register: Any) -> None:
    client = _signed_in(officer)
    response = client.post(reverse("vetting_register:assessment_new", args=["S0001"]), {
        "kind": "vetting", "reason": "renewal", "level": "rv", "opened_on": "2025-01-10",
        "rationale": "Renewal falls due this year"})
    assert response.status_code == 302
    assessment = VettingAssessment.objects.get(staff_id="S0001")
    client.post(reverse("vetting_register:assessment_action", args=["S0001"]), {
        "assessment": assessment.pk, "action": "grant_with_mitigation",
        "rationale": "Debts disclosed, managed by a repayment plan",
        "mitigation": "Annual finance review", "effective_on": "2025-02-01"})
    assessment.refresh_from_db()
    assert assessment.status == "granted_with_mitigation"
    # a forbidden step through the page: refused, message shown, nothing written
    events = AssessmentEvent.objects.count()
    response = client.post(reverse("vetting_register:assessment_action", args=["S0001"]), {
        "assessment": assessment.pk, "action": "refuse", "rationale": "Changed our mind now",
        "effective_on": "2025-02-02"}, follow=True)
    assert b"Not recorded" in response.content and b"cannot be moved" in response.content
    assert AssessmentEvent.objects.count() == events
    page = client.get(reverse("vetting_register:person", args=["S0001"])).content
    assert b"Annual finance review" in page and b"Debts disclosed" in page
    client.post(reverse("vetting_register:aftercare_new", args=["S0001"]), {
        "kind": "change_of_circumstances", "occurred_on": "2025-03-01",
        "summary": "Reports a new partner with a conviction", "outcome": "concern"})
    trigger = RevettingTrigger.objects.get(staff_id="S0001")
    client.post(reverse("vetting_register:trigger_close", args=["S0001"]), {
        "trigger": trigger.pk, "resolution": "Conviction spent and minor; no risk"})
    trigger.refresh_from_db()
    assert trigger.status == "no_action" and AftercareRecord.objects.count() == 1
    client.post(reverse("vetting_register:trigger_new", args=["S0001"]), {
        "trigger": "screening_finding", "occurred_on": "", "detail": "Linked to an incident as suspect"})
    assert RevettingTrigger.objects.filter(trigger="screening_finding").count() == 1


def test_changes_need_the_stated_purpose_first(officer: Any, small_register: Any) -> None:
    client = _signed_in(officer, purpose=False)
    response = client.post(reverse("vetting_register:assessment_new", args=["S0001"]), {
        "kind": "vetting", "reason": "renewal", "level": "rv", "opened_on": "2025-01-10",
        "rationale": "Renewal falls due this year"})
    assert response.status_code == 302
    assert not VettingAssessment.objects.exists()


def test_auditor_reads_records_but_cannot_change_them(auditor: Any, officer: Any,
                                                      small_register: Any) -> None:
    client = _signed_in(auditor)
    page = client.get(reverse("vetting_register:person", args=["S0001"]))
    assert page.status_code == 200 and b"Open an assessment" not in page.content
    for name in ("assessment_new", "assessment_action", "trigger_new", "trigger_close",
                 "aftercare_new"):
        response = client.post(reverse(f"vetting_register:{name}", args=["S0001"]),
                               {"kind": "vetting", "reason": "renewal", "level": "rv",
                                "opened_on": "2025-01-10", "rationale": "Should not work"})
        assert response.status_code == 403, name
    assert not VettingAssessment.objects.exists()
    assert client.get(reverse("vetting_register:posts")).status_code == 200
    assert client.get(reverse("vetting_register:worklist")).status_code == 200


def test_posts_and_worklist_list_requirements_and_leavers(officer: Any,
                                                          small_register: Any) -> None:
    from datetime import date

    from probity.web.vetting_register.services import assessment_open

    assessment_open(actor=officer, staff_id="S0003", kind="vetting", reason="renewal",
                    level="rv", opened_on=date(2025, 1, 5), rationale="Renewal before leaving")
    client = _signed_in(officer)
    posts = client.get(reverse("vetting_register:posts")).content.decode()
    assert "Intelligence analyst" in posts and "MV" in posts
    work = client.get(reverse("vetting_register:worklist")).content.decode()
    leavers = work.split('data-testid="leavers"')[1].split("</ul>")[0]
    assert "S0003" in leavers and "2025-02-01" in leavers and "S0001" not in leavers


@pytest.mark.parametrize("role", ["analyst", "investigator", "appropriate_authority",
                                  "partner_liaison", "administrator", ""])
def test_other_roles_cannot_open_or_change_records(make_user: Any, small_register: Any,
                                                   role: str) -> None:
    client = _signed_in(make_user(f"x_{role}", *([role] if role else [])), purpose=False)
    assert client.get(reverse("vetting_register:person", args=["S0001"])).status_code == 403
    assert client.post(reverse("vetting_register:person", args=["S0001"]),
                       {"stated_purpose": PURPOSE}).status_code == 403
    assert client.post(reverse("vetting_register:assessment_new", args=["S0001"]),
                       {}).status_code == 403
    assert not AccessLog.objects.filter(object_type="vetting_record").exists()
