"""The analyst's judgement sections in the web app, and the report reading them (and the
casework counts) from the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from probity.reports import GatherOptions, gather, threat_assessment
from probity.web.assessments.models import JudgementRevision, JudgementSection
from probity.web.assessments.services import MAX_TEXT, judgement_save
from probity.web.audit.models import AccessLog
from probity.web.core.errors import NotPermitted
from probity.web.core.roles import role_names, setup_roles

pytestmark = pytest.mark.django_db
YEAR = dt.datetime.now(dt.UTC).year - 1


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(name: str, *roles: str) -> Any:
    setup_roles()
    user = get_user_model().objects.create_user(username=name, password="x-long-password-123")
    user.groups.set([Group.objects.get(name=r) for r in roles])
    return user


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_analyst_writes_a_section_and_regeneration_keeps_it(tmp_path: Path) -> None:
    analyst = _user("analyst1", "analyst")
    client = _client(analyst)
    url = f"/assessments/{YEAR}/control_strategy/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Prevention: boundaries training for all PCSOs."})
    assert response.status_code == 302
    response = client.post(url, {"text": "Prevention: boundaries training for every role."})
    judgement = JudgementSection.objects.get(year=YEAR, section="control_strategy")
    assert judgement.text == "Prevention: boundaries training for every role."
    assert [r.text for r in JudgementRevision.objects.filter(judgement=judgement)] == [
        "Prevention: boundaries training for all PCSOs."]
    assert AccessLog.objects.filter(object_type="judgement",
                                    object_id=f"{YEAR}:control_strategy").count() == 2
    page = client.get(f"/assessments/{YEAR}/").content.decode()
    assert "boundaries training for every role" in page
    # the report reads the text from the database, twice, figures regenerated in between
    for _ in range(2):
        [html] = threat_assessment(GatherOptions(year=YEAR, force_code="TST"),
                                   out_dir=tmp_path, formats=["html"])
        text = html.read_text()
        assert "Prevention: boundaries training for every role." in text
        assert "Written by analyst1" in text


@pytest.mark.parametrize(("role", "read", "write"), [
    *[(r, r in ("analyst", "appropriate_authority"), r == "analyst") for r in role_names()],
    ("", False, False),
])
def test_who_may_read_and_write(role: str, read: bool, write: bool) -> None:
    client = _client(_user(f"u_{role or 'none'}", *([role] if role else [])))
    assert client.get(f"/assessments/{YEAR}/").status_code == (200 if read else 403)
    edit = f"/assessments/{YEAR}/recommendations/"
    assert client.get(edit).status_code == (200 if write else 403)
    assert client.post(edit, {"text": "x"}).status_code == (302 if write else 403)
    assert JudgementSection.objects.exists() == write


def test_anonymous_is_sent_to_sign_in_and_bad_input_writes_nothing() -> None:
    response = Client().get(f"/assessments/{YEAR}/")
    assert response.status_code == 302 and "login" in response["Location"]
    client = _client(_user("analyst2", "analyst"))
    assert client.get(f"/assessments/{YEAR}/no_such_section/").status_code == 404
    response = client.post(f"/assessments/{YEAR}/summary/", {"text": "x" * (MAX_TEXT + 1)})
    assert response.status_code == 400 and b"under 20,000 characters" in response.content
    assert not JudgementSection.objects.exists()
    with pytest.raises(NotPermitted):
        judgement_save(actor=_user("inv", "investigator"), year=YEAR, section="summary", text="t")


def test_casework_counts_come_from_the_database() -> None:
    from probity.web.casework.services import PersonInput, report_create

    analyst = _user("analyst3", "analyst")
    common = dict(actor=analyst, source_evaluation="2", intelligence_assessment="B",
                  handling_code="P", narrative="synthetic")
    report_create(**common, source="proactive_alert", national_category="sexual_misconduct",  # type: ignore[arg-type]
                  abuse_of_position_sexual_purpose=True, received_on=dt.date(YEAR, 3, 1),
                  subjects=["S001"], persons=[PersonInput(role="victim", nominal_id="N1",
                                                          vulnerability=("domestic_abuse_victim",))])
    report_create(**common, source="partner_concern", national_category="misusing_force_systems",  # type: ignore[arg-type]
                  abuse_of_position_sexual_purpose=False, received_on=dt.date(YEAR, 5, 1),
                  subjects=["S001", "S002"])
    from probity.web.casework.models import Report
    from probity.web.casework.services import referral_create, referral_record_decision

    authority = _user("aa1", "appropriate_authority")
    apsp_report = Report.objects.get(abuse_of_position_sexual_purpose=True)
    apsp_report.team.add(authority)
    referral = referral_create(actor=authority, report=apsp_report, reason="APSP",
                               purpose="refer")
    referral_record_decision(actor=authority, referral=referral, decision="investigation",
                             mode="directed", decided_on=dt.datetime.now(dt.UTC).date(),
                             purpose="record decision")
    Report.objects.exclude(pk=apsp_report.pk).get().team.add(_user("inv1", "investigator"))
    figures = gather(GatherOptions(year=YEAR, force_code="TST"))
    assert "casework database" in figures.sources_used
    volumes = figures.volumes
    assert volumes.by_year[YEAR]["sexual_misconduct"] == 1  # type: ignore[union-attr]
    assert volumes.apsp_by_year[YEAR] == 1  # type: ignore[union-attr]
    assert figures.sources.counts["proactive"] == 1 and figures.sources.counts["partner"] == 1  # type: ignore[union-attr]
    assert figures.subjects.subjects == 2  # type: ignore[union-attr]
    assert figures.victims.by_vulnerability["domestic_abuse_victim"] == 1  # type: ignore[union-attr]
    referrals = figures.referrals
    assert referrals.required == 1 and referrals.referred == 1  # type: ignore[union-attr]
    assert referrals.decisions["directed"] == 1  # type: ignore[union-attr]
    # the deadline runs from when the need to refer became clear (recording APSP, today)
    assert referrals.referred_on_time == 1 and referrals.referred_late == 0  # type: ignore[union-attr]
    capacity = figures.capacity
    # team members who are not investigators (the analyst, the authority) carry no caseload
    assert (capacity.open_cases, capacity.investigators, capacity.unassigned_open_cases) == (  # type: ignore[union-attr]
        2, 1, 1)
    assert capacity.open_per_investigator_max == 1  # type: ignore[union-attr]
    # outcomes say "No data" until the casework app records them (zero would mislead)
    from probity.reports.casework_db import recorded_kinds
    from probity.reports.figures import NoData

    assert isinstance(figures.outcomes, NoData) == ("outcome" not in recorded_kinds())
    # reading casework for the counts is itself logged (DPA 2018 s62)
    assert AccessLog.objects.filter(object_type="casework_aggregate").exists()
