"""Reports: intake validation, national categories, 3x5x2, APSP, IOPC criteria and deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from probity.errors import ConfigurationError
from probity.web.audit.models import AccessLog
from probity.web.casework.categories import NationalCategory
from probity.web.casework.iopc import referral_deadline
from probity.web.casework.models import Report
from probity.web.casework.services import (
    PersonInput,
    report_assess_referral,
    report_create,
    report_grant_access,
)
from probity.web.core.errors import InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db

BASE = dict(source="public_complaint", national_category="abuse_of_authority",
            abuse_of_position_sexual_purpose=False, source_evaluation="1",
            intelligence_assessment="A", handling_code="P", narrative="Complainant says ...",
            received_on=date(2025, 2, 3), subjects=["S0001"])


def test_twelve_national_categories() -> None:
    assert len(NationalCategory.values) == 12
    assert "sexual_misconduct" in NationalCategory.values


def test_every_field_problem_is_reported_at_once_and_nothing_written(make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    with pytest.raises(InvalidInput) as info:
        report_create(actor=analyst, source="rumour", national_category="gossip",
                      abuse_of_position_sexual_purpose=False, source_evaluation="4",
                      intelligence_assessment="F", handling_code="X", narrative=" ",
                      received_on=date(2999, 1, 1), subjects=[],
                      persons=[PersonInput(role="victim")])
    assert set(info.value.errors) == {"source", "national_category", "source_evaluation",
                                      "intelligence_assessment", "handling_code", "narrative",
                                      "received_on", "subjects", "persons[1]"}
    assert Report.objects.count() == 0 and AccessLog.objects.count() == 0


def test_apsp_only_within_sexual_misconduct(make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    with pytest.raises(InvalidInput) as info:
        report_create(actor=analyst, **{**BASE, "abuse_of_position_sexual_purpose": True})
    assert "abuse_of_position_sexual_purpose" in info.value.errors


def test_apsp_report_is_marked_for_mandatory_referral(make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    report = report_create(actor=analyst, **{**BASE, "national_category": "sexual_misconduct",
                                             "abuse_of_position_sexual_purpose": True},
                           persons=[PersonInput(role="victim", name="Gail Rowe",
                                                vulnerability=("domestic_abuse_victim",))])
    assert report.referral_criteria == ["serious_corruption"]
    assert report.referral_due_at == referral_deadline(identified_at=report.referral_identified_at)


def test_legacy_grading_is_kept_readable(make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    report = report_create(actor=analyst, **BASE, legacy_grading="B2 4")
    assert report.legacy_grading == "B2 4" and report.grading == "1AP"


@pytest.mark.parametrize("identified,expected", [
    # winter (GMT): end of next day 23:59:59 UTC
    (datetime(2025, 1, 15, 10, 0, tzinfo=UTC), datetime(2025, 1, 16, 23, 59, 59, tzinfo=UTC)),
    # summer (BST): 23:59:59 local is 22:59:59 UTC; 23:30 UTC is already the 16th in London
    (datetime(2025, 7, 15, 23, 30, tzinfo=UTC), datetime(2025, 7, 17, 22, 59, 59, tzinfo=UTC)),
])
def test_end_of_next_day_rule(identified: datetime, expected: datetime) -> None:
    assert referral_deadline(identified_at=identified, rule="end_of_next_day") == expected


def test_hours_rule_and_bad_rule() -> None:
    at = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    assert referral_deadline(identified_at=at, rule="hours:48") == datetime(2025, 1, 17, 10, 0, tzinfo=UTC)
    for bad in ("hours:0", "hours:x", "tomorrow"):
        with pytest.raises(ConfigurationError, match="PROBITY_IOPC_DEADLINE_RULE"):
            referral_deadline(identified_at=at, rule=bad)


def test_configured_rule_is_used(settings, make_user) -> None:  # type: ignore[no-untyped-def]
    settings.IOPC_DEADLINE_RULE = "hours:4"
    analyst = make_user("ann", "analyst")
    report = report_create(actor=analyst, **{**BASE, "national_category": "sexual_misconduct",
                                             "abuse_of_position_sexual_purpose": True})
    assert (report.referral_due_at - report.referral_identified_at).total_seconds() == 4 * 3600


def test_referral_assessment_by_appropriate_authority_only(make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    authority = make_user("aa", "appropriate_authority")
    report = report_create(actor=analyst, **BASE)
    assert report.referral_due_at is None
    with pytest.raises(NotPermitted):
        report_assess_referral(actor=analyst, report=report, criteria=["serious_assault"],
                               purpose="assess")
    updated = report_assess_referral(actor=authority, report=report,
                                     criteria=["serious_assault", "same_incident"],
                                     purpose="referral decision")
    assert updated.referral_criteria == ["serious_assault", "same_incident"]
    first_due = updated.referral_due_at
    assert first_due is not None
    again = report_assess_referral(actor=authority, report=updated, criteria=["serious_assault"],
                                   purpose="referral decision")
    assert again.referral_due_at == first_due  # the clock runs from the first identification
    with pytest.raises(InvalidInput):
        report_assess_referral(actor=authority, report=again, criteria=["made_up"], purpose="x")


def test_apsp_criterion_cannot_be_unticked(make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    authority = make_user("aa", "appropriate_authority")
    report = report_create(actor=analyst, **{**BASE, "national_category": "sexual_misconduct",
                                             "abuse_of_position_sexual_purpose": True})
    with pytest.raises(InvalidInput, match="serious corruption"):
        report_assess_referral(actor=authority, report=report, criteria=[], purpose="x")


def test_grant_access_by_team_only_and_logged(make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    investigator = make_user("ivan", "investigator")
    outsider = make_user("otto", "investigator")
    report = report_create(actor=analyst, **BASE)
    with pytest.raises(NotPermitted):
        report_grant_access(actor=outsider, report=report, username="otto", purpose="x")
    report_grant_access(actor=analyst, report=report, username="ivan", purpose="investigation")
    assert set(report.team.values_list("username", flat=True)) == {"ann", "ivan"}
    entry = AccessLog.objects.filter(action="change").get()
    assert entry.fields_shown == "team+=ivan"
    assert investigator.report_teams.count() == 1


def test_web_intake_then_detail_with_purpose(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("analyst")
    bad = client.post(reverse("casework:report_new"), {"source": "public_complaint"})
    assert bad.status_code == 400 and b"Select one of the 12 national categories" in bad.content
    ok = client.post(reverse("casework:report_new"), {
        "source": "partner_concern", "received_on": "2025-03-01", "subjects": "S0007",
        "national_category": "sexual_misconduct", "apsp": "yes", "source_evaluation": "2",
        "intelligence_assessment": "B", "handling_code": "C",
        "narrative": "Support worker reports an officer texting a client.",
        "person_role": "victim", "person_name": "Hana Pike",
        "person_vulnerability": ["domestic_abuse_victim", "mental_health"]})
    report = Report.objects.get()
    url = reverse("casework:report_detail", args=[report.pk])
    assert ok["Location"] == url
    # the author's purpose is set on creation; a colleague is asked first
    colleague = client_for("investigator")
    report.team.add(colleague.user)
    assert b"Hana Pike" not in colleague.get(url).content
    colleague.post(url, {"stated_purpose": "Assessing partner concern for referral"})
    assert b"Hana Pike" in colleague.get(url).content
    page = client.get(url).content.decode()
    assert "Hana Pike" in page and "mental_health" in page
    assert "Abuse of position for a sexual purpose" in page and "refer by" in page
    listing = client.get(reverse("casework:report_list")).content.decode()
    assert report.reference in listing and "APSP" in listing
