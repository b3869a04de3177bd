"""Investigations and reg 42 outcomes: the allowed table (against a literal reading of the
regulations written out here, independently of the code), the services (role, need-to-know,
nothing written when refused, access log in the same transaction) and the pages."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probity.errors import ProbityError
from probity.web.audit.models import AccessLog
from probity.web.casework.services import PersonInput, report_create
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted
from probity.web.investigations.models import (
    ConductOutcome,
    Investigation,
    ListNotification,
    SafeguardingAction,
)
from probity.web.investigations.rules import (
    Finding,
    Forum,
    Outcome,
    OutcomeFacts,
    OutcomeNotAllowed,
    Severity,
    SubjectLeft,
    outcome_allowed,
)
from probity.web.investigations.selectors import investigation_get_for, outcomes_panel_for
from probity.web.investigations.services import (
    advisory_review_years,
    criminal_outcome_record,
    departure_record,
    forum_decide,
    list_notify,
    log_entry_add,
    outcome_record,
    safeguarding_record,
    severity_assess,
)

PURPOSE = "Investigation: recording the proceedings"
TODAY = datetime.now(UTC).date()

# Reg 42 as the brief and domain notes state it, written out literally: (forum, severity the
# forum was convened for, finding) -> outcomes; "*" marks outcomes needing a live final
# written warning or several unconnected incidents.
SPEC: dict[tuple[str, str, str], set[str]] = {
    ("rprp", "no_case_to_answer", "practice_requiring_improvement"): {"reflective_practice"},
    ("rprp", "misconduct", "practice_requiring_improvement"): {"reflective_practice"},
    ("meeting", "misconduct", "not_proven"): {"no_action"},
    ("meeting", "misconduct", "misconduct"): {"no_action", "management_advice",
                                              "written_warning", "final_written_warning"},
    ("hearing", "misconduct", "not_proven"): {"no_action"},
    ("hearing", "misconduct", "misconduct"): {"written_warning", "final_written_warning",
                                              "reduction_in_rank*", "dismissal_without_notice*",
                                              "would_have_been_dismissed*"},
    ("hearing", "gross_misconduct", "not_proven"): {"no_action"},
    ("hearing", "gross_misconduct", "misconduct"): {"written_warning", "final_written_warning",
                                                    "reduction_in_rank*",
                                                    "dismissal_without_notice*",
                                                    "would_have_been_dismissed*"},
    ("hearing", "gross_misconduct", "gross_misconduct"): {"final_written_warning",
                                                          "reduction_in_rank",
                                                          "dismissal_without_notice",
                                                          "would_have_been_dismissed"},
}


def spec_allows(f: OutcomeFacts) -> bool:
    outcomes = SPEC.get((f.forum, f.severity, f.finding), set())
    if f.outcome in outcomes:
        pass
    elif f"{f.outcome}*" in outcomes:
        if not (f.final_written_warning_live or f.several_unconnected_incidents):
            return False
    else:
        return False
    if f.outcome == "would_have_been_dismissed":
        return bool(f.subject_left)
    if f.subject_left:  # a former officer: would have been dismissed, or nothing
        return f.outcome == "no_action"
    return True


ALL_FACTS = [OutcomeFacts(forum=fo, severity=se, finding=fi, outcome=ou,
                          final_written_warning_live=fw, several_unconnected_incidents=sev,
                          subject_left=left)
             for fo, se, fi, ou, fw, sev, left in itertools.product(
                 Forum.values, Severity.values, Finding.values, Outcome.values,
                 (False, True), (False, True), SubjectLeft.values)]


def test_the_table_matches_reg_42_for_every_combination() -> None:
    wrong = [f for f in ALL_FACTS if outcome_allowed(f) != spec_allows(f)]
    assert len(ALL_FACTS) == 3 * 3 * 4 * 8 * 2 * 2 * 3
    assert wrong == []
    assert sum(map(outcome_allowed, ALL_FACTS)) > 50  # the table is not empty


@pytest.mark.parametrize("facts", [
    OutcomeFacts("meeting", "misconduct", "misconduct", "dismissal_without_notice",
                 final_written_warning_live=True),
    OutcomeFacts("meeting", "misconduct", "misconduct", "reduction_in_rank"),
    OutcomeFacts("rprp", "misconduct", "practice_requiring_improvement", "written_warning"),
    OutcomeFacts("hearing", "misconduct", "misconduct", "dismissal_without_notice"),
    OutcomeFacts("hearing", "gross_misconduct", "gross_misconduct", "written_warning"),
    OutcomeFacts("hearing", "gross_misconduct", "gross_misconduct", "dismissal_without_notice",
                 subject_left="resigned"),
    OutcomeFacts("hearing", "gross_misconduct", "gross_misconduct",
                 "would_have_been_dismissed"),
    OutcomeFacts("meeting", "gross_misconduct", "gross_misconduct", "final_written_warning"),
])
def test_forbidden_combinations_are_probity_errors(facts: OutcomeFacts) -> None:
    from probity.web.investigations.rules import outcome_check

    with pytest.raises(OutcomeNotAllowed) as caught:
        outcome_check(facts)
    assert isinstance(caught.value, ProbityError)
    assert caught.value.errors  # names the field and what is allowed


# ---------------------------------------------------------------------------------- services

@pytest.fixture
def people(make_user: Callable[..., Any]) -> dict[str, Any]:
    return {"analyst": make_user("ana", "analyst"), "inv": make_user("ivan", "investigator"),
            "aa": make_user("aaron", "appropriate_authority"),
            "outsider_aa": make_user("otto", "appropriate_authority")}


def _case(people: dict[str, Any], n: int = 0) -> Any:
    report = report_create(
        actor=people["analyst"], source="public_complaint",
        national_category="sexual_misconduct", abuse_of_position_sexual_purpose=True,
        source_evaluation="2", intelligence_assessment="B", handling_code="C",
        narrative=f"Officer contacted a victim after the case closed ({n}).",
        received_on=TODAY - timedelta(days=200), subjects=["S0001", "S0002"],
        persons=[PersonInput(role="victim", name="Vera Victim"),
                 PersonInput(role="witness", name="Will Witness")])
    report.team.add(people["inv"], people["aa"])
    return report


def _to_forum(people: dict[str, Any], report: Any, severity: str, forum: str) -> None:
    severity_assess(actor=people["aa"], report=report, severity=severity,
                    rationale="Evidence of repeated contact.", assessed_on=TODAY - timedelta(90),
                    purpose=PURPOSE)
    forum_decide(actor=people["aa"], report=report, forum=forum,
                 forum_date=TODAY - timedelta(30), purpose=PURPOSE)


def _log_count(report: Any) -> int:
    return AccessLog.objects.filter(object_type="report", object_id=str(report.pk)).count()


@pytest.mark.django_db
def test_gross_misconduct_hearing_dismissal_then_barred_list(people: dict[str, Any]) -> None:
    report = _case(people)
    log_entry_add(actor=people["inv"], report=report, entry_date=TODAY - timedelta(100),
                  entry="Interviewed the victim.", purpose=PURPOSE)
    _to_forum(people, report, "gross_misconduct", "hearing")
    before = _log_count(report)
    row = outcome_record(actor=people["aa"], report=report, staff_id="S0001",
                         finding="gross_misconduct", outcome="dismissal_without_notice",
                         decided_on=TODAY - timedelta(29), purpose=PURPOSE)
    assert (row.forum, row.severity, row.recorded_by) == ("hearing", "gross_misconduct",
                                                           people["aa"])
    entry = AccessLog.objects.order_by("-sequence").first()
    assert entry is not None and entry.actor_id == people["aa"].pk
    assert "outcome=S0001:dismissal_without_notice" in entry.fields_shown
    assert _log_count(report) == before + 1
    note = list_notify(actor=people["aa"], report=report, staff_id="S0001", kind="barred",
                       notified_on=TODAY - timedelta(20), purpose=PURPOSE)
    assert note.review_due_on is None
    with pytest.raises(InvalidInput):  # S0002 has no dismissal outcome
        list_notify(actor=people["aa"], report=report, staff_id="S0002", kind="barred",
                    notified_on=TODAY, purpose=PURPOSE)
    with pytest.raises(InvalidTransition):  # one outcome per subject
        outcome_record(actor=people["aa"], report=report, staff_id="S0001",
                       finding="gross_misconduct", outcome="reduction_in_rank",
                       decided_on=TODAY, purpose=PURPOSE)


@pytest.mark.django_db
def test_forbidden_outcome_writes_nothing(people: dict[str, Any]) -> None:
    report = _case(people)
    _to_forum(people, report, "misconduct", "meeting")
    before = (_log_count(report), ConductOutcome.objects.count())
    with pytest.raises(OutcomeNotAllowed):
        outcome_record(actor=people["aa"], report=report, staff_id="S0001",
                       finding="misconduct", outcome="dismissal_without_notice",
                       decided_on=TODAY, final_written_warning_live=True, purpose=PURPOSE)
    assert (_log_count(report), ConductOutcome.objects.count()) == before


@pytest.mark.django_db
def test_misconduct_hearing_dismissal_needs_recorded_facts(people: dict[str, Any]) -> None:
    report = _case(people)
    _to_forum(people, report, "misconduct", "hearing")
    with pytest.raises(OutcomeNotAllowed, match="live final written warning"):
        outcome_record(actor=people["aa"], report=report, staff_id="S0001",
                       finding="misconduct", outcome="dismissal_without_notice",
                       decided_on=TODAY, purpose=PURPOSE)
    row = outcome_record(actor=people["aa"], report=report, staff_id="S0001",
                         finding="misconduct", outcome="dismissal_without_notice",
                         decided_on=TODAY, several_unconnected_incidents=True, purpose=PURPOSE)
    assert row.several_unconnected_incidents and not row.final_written_warning_live


@pytest.mark.django_db
def test_resigned_subject_would_have_been_dismissed_and_lists(people: dict[str, Any],
                                                             settings: Any) -> None:
    report = _case(people)
    departure_record(actor=people["inv"], report=report, staff_id="S0002", how="resigned",
                     left_on=TODAY - timedelta(60), purpose=PURPOSE)
    _to_forum(people, report, "gross_misconduct", "hearing")
    with pytest.raises(OutcomeNotAllowed):
        outcome_record(actor=people["aa"], report=report, staff_id="S0002",
                       finding="gross_misconduct", outcome="dismissal_without_notice",
                       decided_on=TODAY, purpose=PURPOSE)
    outcome_record(actor=people["aa"], report=report, staff_id="S0002",
                   finding="gross_misconduct", outcome="would_have_been_dismissed",
                   decided_on=TODAY, purpose=PURPOSE)
    settings.PROBITY_ADVISORY_LIST_REVIEW_YEARS = 3
    notified = date(2024, 2, 29) if report.received_on <= date(2024, 2, 29) else TODAY
    advisory = list_notify(actor=people["aa"], report=report, staff_id="S0002", kind="advisory",
                           notified_on=max(notified, report.received_on), purpose=PURPOSE)
    assert advisory.review_due_on is not None
    assert advisory.review_due_on.year == advisory.notified_on.year + 3
    barred = list_notify(actor=people["aa"], report=report, staff_id="S0002", kind="barred",
                         notified_on=TODAY, purpose=PURPOSE)
    assert barred.kind == "barred"
    with pytest.raises(InvalidInput, match="resigned or retired"):  # S0001 did not leave
        list_notify(actor=people["aa"], report=report, staff_id="S0001", kind="advisory",
                    notified_on=TODAY, purpose=PURPOSE)
    with pytest.raises(InvalidTransition):
        list_notify(actor=people["aa"], report=report, staff_id="S0002", kind="barred",
                    notified_on=TODAY, purpose=PURPOSE)
    assert ListNotification.objects.count() == 2


@pytest.mark.parametrize("years", [2, 6, "5", True])
def test_advisory_review_period_is_validated(settings: Any, years: object) -> None:
    settings.PROBITY_ADVISORY_LIST_REVIEW_YEARS = years
    with pytest.raises(ImproperlyConfigured, match="3 to 5"):
        advisory_review_years()


@pytest.mark.django_db
def test_roles_and_need_to_know(people: dict[str, Any]) -> None:
    report = _case(people)
    with pytest.raises(NotPermitted):  # investigators do not assess severity
        severity_assess(actor=people["inv"], report=report, severity="misconduct",
                        rationale="x", assessed_on=TODAY, purpose=PURPOSE)
    with pytest.raises(NotPermitted):  # an appropriate authority outside the team
        severity_assess(actor=people["outsider_aa"], report=report, severity="misconduct",
                        rationale="x", assessed_on=TODAY, purpose=PURPOSE)
    with pytest.raises(NotPermitted):  # the authority does not write the investigator's log
        log_entry_add(actor=people["aa"], report=report, entry_date=TODAY, entry="x",
                      purpose=PURPOSE)
    assert not Investigation.objects.exists()
    with pytest.raises(InvalidTransition):  # forum before severity
        forum_decide(actor=people["aa"], report=report, forum="hearing", forum_date=TODAY,
                     purpose=PURPOSE)
    severity_assess(actor=people["aa"], report=report, severity="no_case_to_answer",
                    rationale="No evidence.", assessed_on=TODAY, purpose=PURPOSE)
    with pytest.raises(InvalidInput, match="not a forum"):
        forum_decide(actor=people["aa"], report=report, forum="hearing", forum_date=TODAY,
                     purpose=PURPOSE)


@pytest.mark.django_db
def test_criminal_outcome_and_safeguarding(people: dict[str, Any]) -> None:
    report = _case(people)
    with pytest.raises(InvalidInput, match="offence"):
        criminal_outcome_record(actor=people["inv"], report=report, staff_id="S0001",
                                outcome="convicted", offence="", decided_on=TODAY,
                                purpose=PURPOSE)
    with pytest.raises(InvalidInput, match="not a subject"):
        criminal_outcome_record(actor=people["inv"], report=report, staff_id="S9999",
                                outcome="nfa", offence="", decided_on=TODAY, purpose=PURPOSE)
    row = criminal_outcome_record(actor=people["inv"], report=report, staff_id="S0001",
                                  outcome="convicted", offence="misconduct_in_public_office",
                                  decided_on=TODAY, purpose=PURPOSE)
    assert row.get_offence_display() == "Misconduct in public office"
    victim = report.persons.get(role="victim")
    witness = report.persons.get(role="witness")
    with pytest.raises(InvalidInput, match="victims"):
        safeguarding_record(actor=people["inv"], report=report, person_id=witness.pk,
                            kind="welfare_contact", organisation="", taken_on=TODAY,
                            purpose=PURPOSE)
    with pytest.raises(InvalidInput, match="support organisation"):
        safeguarding_record(actor=people["inv"], report=report, person_id=victim.pk,
                            kind="support_referral", organisation=" ", taken_on=TODAY,
                            purpose=PURPOSE)
    action = safeguarding_record(actor=people["inv"], report=report, person_id=victim.pk,
                                 kind="support_referral", organisation="Rape Crisis",
                                 taken_on=TODAY, purpose=PURPOSE)
    assert (action.taken_by, action.organisation) == (people["inv"], "Rape Crisis")
    assert SafeguardingAction.objects.count() == 1
    with pytest.raises(InvalidInput, match="today or in the past"):
        log_entry_add(actor=people["inv"], report=report, entry_date=TODAY + timedelta(1),
                      entry="Future", purpose=PURPOSE)


@pytest.mark.django_db
def test_selectors_respect_need_to_know(people: dict[str, Any]) -> None:
    from django.http import Http404

    mine, other = _case(people, 1), _case(people, 2)
    _to_forum(people, mine, "gross_misconduct", "hearing")
    _to_forum(people, other, "gross_misconduct", "hearing")
    outcome_record(actor=people["aa"], report=mine, staff_id="S0001",
                   finding="gross_misconduct", outcome="final_written_warning",
                   decided_on=TODAY, purpose=PURPOSE)
    outcome_record(actor=people["aa"], report=other, staff_id="S0001",
                   finding="gross_misconduct", outcome="reduction_in_rank", decided_on=TODAY,
                   purpose=PURPOSE)
    other.team.remove(people["aa"])  # no longer on its team: it drops out of every figure
    panel = outcomes_panel_for(viewer=people["aa"])
    assert panel.by_outcome == [("Final written warning", 1)]
    assert panel.awaiting_outcome == 0
    with pytest.raises(Http404):
        investigation_get_for(viewer=people["aa"], report_id=other.pk, purpose=PURPOSE)
    detail = investigation_get_for(viewer=people["aa"], report_id=mine.pk, purpose=PURPOSE)
    assert [o.outcome for o in detail.outcomes] == ["final_written_warning"]
    assert AccessLog.objects.order_by("-sequence").first().action == "view"  # type: ignore[union-attr]


# Hypothesis over the whole table through the service: allowed combinations write exactly one
# outcome and one access log row; forbidden ones raise a ProbityError and write nothing.
@pytest.mark.django_db
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(severity=st.sampled_from(Severity.values), forum=st.sampled_from(Forum.values),
       finding=st.sampled_from(Finding.values), outcome=st.sampled_from(Outcome.values),
       fww=st.booleans(), several=st.booleans(),
       left=st.sampled_from(SubjectLeft.values))
def test_service_enforces_the_table(people: dict[str, Any], severity: str, forum: str,
                                    finding: str, outcome: str, fww: bool, several: bool,
                                    left: str) -> None:
    report = _case(people)
    if left:
        departure_record(actor=people["inv"], report=report, staff_id="S0001", how=left,
                         left_on=TODAY - timedelta(100), purpose=PURPOSE)
    severity_assess(actor=people["aa"], report=report, severity=severity, rationale="Reasons.",
                    assessed_on=TODAY - timedelta(90), purpose=PURPOSE)
    try:
        forum_decide(actor=people["aa"], report=report, forum=forum,
                     forum_date=TODAY - timedelta(30), purpose=PURPOSE)
    except InvalidInput:
        assert not outcome_allowed(OutcomeFacts(forum, severity, finding, outcome, fww, several,
                                                left))
        return
    facts = OutcomeFacts(forum, severity, finding, outcome, fww, several, left)
    before = (_log_count(report), ConductOutcome.objects.count())
    try:
        outcome_record(actor=people["aa"], report=report, staff_id="S0001", finding=finding,
                       outcome=outcome, decided_on=TODAY, final_written_warning_live=fww,
                       several_unconnected_incidents=several, purpose=PURPOSE)
    except OutcomeNotAllowed:
        assert not spec_allows(facts)
        assert (_log_count(report), ConductOutcome.objects.count()) == before
    else:
        assert spec_allows(facts)
        assert (_log_count(report), ConductOutcome.objects.count()) == (before[0] + 1,
                                                                          before[1] + 1)


# ------------------------------------------------------------------------------------- pages

@pytest.mark.django_db
def test_pages_record_an_outcome_and_dashboard_shows_it(people: dict[str, Any]) -> None:
    report = _case(people)
    client = Client()
    client.force_login(people["aa"])
    url = reverse("investigations:case", kwargs={"report_id": report.pk})
    asked = client.get(url)
    assert asked.status_code == 200 and b"Purpose" in asked.content
    client.post(url, {"stated_purpose": PURPOSE})
    client.post(reverse("investigations:severity", kwargs={"report_id": report.pk}),
                {"severity": "gross_misconduct", "rationale": "Serious corruption",
                 "assessed_on": TODAY.isoformat()})
    client.post(reverse("investigations:forum", kwargs={"report_id": report.pk}),
                {"forum": "hearing", "forum_date": TODAY.isoformat()})
    refused = client.post(reverse("investigations:outcome", kwargs={"report_id": report.pk}),
                          {"staff_id": "S0001", "finding": "gross_misconduct",
                           "outcome": "written_warning", "decided_on": TODAY.isoformat()},
                          follow=True)
    assert b"is not an outcome" in refused.content
    client.post(reverse("investigations:outcome", kwargs={"report_id": report.pk}),
                {"staff_id": "S0001", "finding": "gross_misconduct",
                 "outcome": "reduction_in_rank", "decided_on": TODAY.isoformat()})
    page = client.get(url)
    assert b"Reduction in rank" in page.content
    assert ConductOutcome.objects.get().outcome == "reduction_in_rank"
    board = client.get(reverse("casework:dashboard"))
    if b"outcomes-panel" in board.content:  # the dashboard includes the panel
        assert b"Reduction in rank" in board.content
    rules = client.get(reverse("investigations:rules"))
    assert b"Would have been dismissed" in rules.content
