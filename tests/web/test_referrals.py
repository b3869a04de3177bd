"""IOPC referral records: who and when, the IOPC's decision and mode, re-referral; dashboard."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from probity.web.audit.services import access_log_verify
from probity.web.casework.models import Referral, Report
from probity.web.casework.selectors import dashboard_for
from probity.web.casework.services import (
    referral_create,
    referral_record_decision,
    report_create,
)
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted

pytestmark = pytest.mark.django_db

APSP = dict(source="partner_concern", national_category="sexual_misconduct",
            abuse_of_position_sexual_purpose=True, source_evaluation="2",
            intelligence_assessment="B", handling_code="P", narrative="Texts to a victim.",
            received_on=date(2025, 3, 1), subjects=["S0001"])


@pytest.fixture
def people(make_user):  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    authority = make_user("aa", "appropriate_authority")
    report = report_create(actor=analyst, **APSP)
    report.team.add(authority)
    return analyst, authority, report


def test_refer_and_record_independent_investigation(people) -> None:  # type: ignore[no-untyped-def]
    analyst, authority, report = people
    with pytest.raises(NotPermitted):
        referral_create(actor=analyst, report=report, reason="", purpose="refer")
    referral = referral_create(actor=authority, report=report, reason="", purpose="refer")
    assert referral.referred_by == authority and not referral.is_re_referral
    assert referral.criteria == ["serious_corruption"]
    decided = referral_record_decision(actor=authority, referral=referral,
                                       decision="investigation", mode="independent",
                                       decided_on=datetime.now(UTC).date(), purpose="refer")
    assert (decided.decision, decided.mode) == ("investigation", "independent")
    with pytest.raises(InvalidTransition):
        referral_record_decision(actor=authority, referral=decided, decision="no_investigation",
                                 mode="", decided_on=datetime.now(UTC).date(), purpose="x")
    assert access_log_verify().ok


@pytest.mark.parametrize("decision,mode,decided_on,field", [
    ("investigation", "", "today", "mode"),
    ("investigation", "managed", "today", "mode"),           # legacy mode after 2020
    ("no_investigation", "local", "today", "mode"),
    ("maybe", "", "today", "decision"),
    ("no_investigation", "", None, "decided_on"),
    ("no_investigation", "", "future", "decided_on"),
])
def test_decision_validation(people, decision: str, mode: str, decided_on, field: str) -> None:  # type: ignore[no-untyped-def]
    _, authority, report = people
    referral = referral_create(actor=authority, report=report, reason="", purpose="refer")
    today = datetime.now(UTC).date()
    when = {"today": today, "future": today + timedelta(days=2), None: None}[decided_on]
    with pytest.raises(InvalidInput) as info:
        referral_record_decision(actor=authority, referral=referral, decision=decision,
                                 mode=mode, decided_on=when, purpose="x")
    assert field in info.value.errors
    referral.refresh_from_db()
    assert referral.decision == "pending"


def test_legacy_mode_is_recordable_for_old_decisions(people) -> None:  # type: ignore[no-untyped-def]
    _, authority, report = people
    referral = referral_create(actor=authority, report=report, reason="", purpose="refer")
    Referral.objects.filter(pk=referral.pk).update(
        referred_at=datetime(2019, 5, 1, tzinfo=UTC))
    referral.refresh_from_db()
    done = referral_record_decision(actor=authority, referral=referral,
                                    decision="investigation", mode="supervised",
                                    decided_on=date(2019, 6, 1), purpose="backfill")
    assert done.is_legacy_mode


def test_re_referral_needs_new_concerns(people) -> None:  # type: ignore[no-untyped-def]
    _, authority, report = people
    referral_create(actor=authority, report=report, reason="", purpose="refer")
    with pytest.raises(InvalidInput):
        referral_create(actor=authority, report=report, reason="", purpose="refer")
    again = referral_create(actor=authority, report=report,
                            reason="Second victim came forward", purpose="refer")
    assert again.is_re_referral and report.referrals.count() == 2


def test_dashboard_shows_overdue_and_only_the_viewers_reports(people, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst, authority, report = people
    Report.objects.filter(pk=report.pk).update(
        referral_due_at=datetime.now(UTC) - timedelta(hours=1))
    hidden = report_create(actor=make_user("other", "analyst"), **APSP)  # not on aa's team
    board = dashboard_for(viewer=authority)
    assert [r.pk for r in board.referrals_overdue] == [report.pk]
    assert board.open_by_category == [("Sexual misconduct", 1)]
    referral_create(actor=authority, report=report, reason="", purpose="refer")
    board = dashboard_for(viewer=authority)
    assert board.referrals_overdue == [] and board.awaiting_iopc == 1
    assert hidden.pk not in [r.pk for r in board.referrals_due]


def test_referral_through_the_web(people, client) -> None:  # type: ignore[no-untyped-def]
    _, authority, report = people
    client.force_login(authority)
    url = reverse("casework:report_detail", args=[report.pk])
    client.post(url, {"stated_purpose": "Appropriate authority referral decision"})
    client.post(reverse("casework:referral_new", args=[report.pk]), {"reason": ""})
    referral = Referral.objects.get()
    client.post(reverse("casework:referral_decision", args=[report.pk, referral.pk]),
                {"decision": "investigation", "mode": "directed",
                 "decided_on": datetime.now(UTC).date().isoformat()})
    referral.refresh_from_db()
    assert referral.mode == "directed"
    page = client.get(url).content.decode()
    assert "Directed" in page and "Re-refer to the IOPC" in page
    board = client.get(reverse("casework:dashboard"))
    assert board.status_code == 200 and b"Sexual misconduct" in board.content
