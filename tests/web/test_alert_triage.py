"""Alert triage: purpose before identity, decisions by analysts only, reports carry evidence."""

from __future__ import annotations

import pytest
from django.urls import reverse

from probity.web.alerts.models import Alert
from probity.web.alerts.services import alert_triage
from probity.web.audit.models import AccessLog
from probity.web.audit.services import access_log_verify
from probity.web.casework.models import Report
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted

pytestmark = pytest.mark.django_db

GRADING = {"national_category": "sexual_misconduct", "abuse_of_position_sexual_purpose": True,
           "source_evaluation": "2", "intelligence_assessment": "B", "handling_code": "P"}


def _top(run) -> Alert:  # type: ignore[no-untyped-def]
    return Alert.objects.get(scan_run=run, rank=1)


def test_queue_is_ordered_by_score_pseudonymised_and_says_score_only_orders(loaded_run, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("analyst")
    page = client.get(reverse("alerts:queue"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "score only orders this queue for human review" in body
    top, second = _top(loaded_run), Alert.objects.get(scan_run=loaded_run, rank=2)
    assert body.index(top.pseudonym) < body.index(second.pseudonym)
    assert "S0001" not in body and "Stone" not in body  # no identity in the queue
    zero = Alert.objects.get(scan_run=loaded_run, rank=3)
    assert zero.pseudonym not in body  # score 0: nothing to review
    assert AccessLog.objects.filter(action="search", object_type="alert").count() == 1


def test_detail_asks_purpose_before_revealing_subject_and_logs_the_view(loaded_run, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("analyst")
    alert = _top(loaded_run)
    url = reverse("alerts:detail", args=[alert.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert b"Why do you need to open this alert?" in first.content
    assert b"Stone" not in first.content and b"Dana" not in first.content
    assert not AccessLog.objects.filter(action="view").exists()
    short = client.post(url, {"stated_purpose": "because"})
    assert short.status_code == 400 and b"Stone" not in short.content
    stated = client.post(url, {"stated_purpose": "Weekly ACU triage of proactive alerts"})
    assert stated.status_code == 302
    shown = client.get(url)
    body = shown.content.decode()
    assert "PC Alex Stone (S0001)" in body
    assert "Dana Vale (N0001)" in body and "domestic_abuse_victim" in body
    assert "after_case_lookup" in body and "contact_victim" in body
    entry = AccessLog.objects.get(action="view")
    assert (entry.object_type, entry.object_id) == ("alert", str(alert.pk))
    assert entry.purpose == "Weekly ACU triage of proactive alerts"
    assert entry.actor_username == "user_analyst"
    assert "subject" in entry.fields_shown
    assert access_log_verify().ok


def test_develop_creates_report_with_subject_persons_and_evidence(loaded_run, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    alert = _top(loaded_run)
    report = alert_triage(actor=analyst, alert=alert, decision="develop", reason="",
                          purpose="triage", report_fields=dict(GRADING))
    assert report is not None
    alert.refresh_from_db()
    assert alert.status == "developed" and alert.decided_by == analyst
    assert report.source == "proactive_alert" and report.source_alert == alert
    assert list(report.subjects.values_list("staff_id", flat=True)) == ["S0001"]
    persons = {p.nominal_id: p for p in report.persons.all()}
    assert set(persons) == {"N0001", "N0002"}
    assert persons["N0001"].vulnerability == ["domestic_abuse_victim"]
    assert report.evidence.count() == 2
    assert report.grading == "2BP"
    assert list(report.team.all()) == [analyst]
    assert report.referral_criteria == ["serious_corruption"]  # APSP is serious corruption
    assert report.referral_due_at is not None and report.referral_due_at > report.created_at
    actions = list(AccessLog.objects.values_list("action", "object_type"))
    assert ("create", "report") in actions and ("decide", "alert") in actions
    assert access_log_verify().ok


def test_no_further_action_needs_a_reason(loaded_run, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    alert = _top(loaded_run)
    with pytest.raises(InvalidInput) as info:
        alert_triage(actor=analyst, alert=alert, decision="no_further_action", reason="",
                     purpose="triage")
    assert "reason" in info.value.errors
    alert.refresh_from_db()
    assert alert.status == "new"
    alert_triage(actor=analyst, alert=alert, decision="no_further_action",
                 reason="Safeguarding officer: look-ups match her caseload", purpose="triage")
    alert.refresh_from_db()
    assert alert.status == "no_further_action"
    assert alert.decision_reason.startswith("Safeguarding officer")
    assert Report.objects.count() == 0


def test_invalid_grading_rolls_back_the_decision(loaded_run, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    alert = _top(loaded_run)
    before = AccessLog.objects.count()
    with pytest.raises(InvalidInput) as info:
        alert_triage(actor=analyst, alert=alert, decision="develop", reason="", purpose="t",
                     report_fields={**GRADING, "national_category": "theft_and_fraud"})
    assert "abuse_of_position_sexual_purpose" in info.value.errors
    alert.refresh_from_db()
    assert alert.status == "new"
    assert Report.objects.count() == 0 and AccessLog.objects.count() == before


def test_an_alert_is_decided_once(loaded_run, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    alert = _top(loaded_run)
    alert_triage(actor=analyst, alert=alert, decision="no_further_action",
                 reason="benign: officer in case", purpose="triage")
    with pytest.raises(InvalidTransition):
        alert_triage(actor=analyst, alert=alert, decision="develop", reason="", purpose="t",
                     report_fields=dict(GRADING))
    assert Report.objects.count() == 0


@pytest.mark.parametrize("role", ["investigator", "appropriate_authority", "vetting_officer",
                                  "partner_liaison", "auditor", "administrator"])
def test_only_analysts_triage(loaded_run, make_user, role: str) -> None:  # type: ignore[no-untyped-def]
    user = make_user(f"u_{role}", role)
    alert = _top(loaded_run)
    with pytest.raises(NotPermitted):
        alert_triage(actor=user, alert=alert, decision="no_further_action",
                     reason="not my job at all", purpose="x")
    alert.refresh_from_db()
    assert alert.status == "new"


def test_decision_through_the_web_develops_and_shows_report(loaded_run, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("analyst")
    alert = _top(loaded_run)
    url = reverse("alerts:detail", args=[alert.pk])
    decide = reverse("alerts:decide", args=[alert.pk])
    # no purpose yet: decision refused, back to the purpose page
    assert client.post(decide, {"decision": "no_further_action"})["Location"] == url
    client.post(url, {"stated_purpose": "Weekly ACU triage of proactive alerts"})
    bad = client.post(decide, {"decision": "develop", "national_category": ""})
    assert bad.status_code == 400 and b"Select one of the 12 national categories" in bad.content
    ok = client.post(decide, {"decision": "develop", "national_category": "sexual_misconduct",
                              "apsp": "yes", "source_evaluation": "1",
                              "intelligence_assessment": "A", "handling_code": "C"})
    report = Report.objects.get()
    assert ok["Location"] == reverse("casework:report_detail", args=[report.pk])


def test_effectiveness_share_per_indicator(loaded_run, make_user) -> None:  # type: ignore[no-untyped-def]
    from probity.web.alerts.selectors import indicator_effectiveness

    analyst = make_user("ann", "analyst")
    alert_triage(actor=analyst, alert=_top(loaded_run), decision="develop", reason="",
                 purpose="t", report_fields=dict(GRADING))
    alert_triage(actor=analyst, alert=Alert.objects.get(scan_run=loaded_run, rank=2),
                 decision="no_further_action", reason="benign: family member", purpose="t")
    rows = {r["indicator"]: r for r in indicator_effectiveness(viewer=analyst)}
    assert rows["after_case_lookup"]["share"] == 1.0
    assert rows["concentration"]["triaged"] == 1 and rows["concentration"]["share"] == 0.0
