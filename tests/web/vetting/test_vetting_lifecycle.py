"""Assessments, appeals, aftercare, triggers: allowed transitions are recorded with their
rationale, change record and access log entry; every other transition is refused and writes
nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from probity.errors import ProbityError
from probity.web.audit.models import AccessLog
from probity.web.audit.services import access_log_verify
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted
from probity.web.vetting_register.models import (
    AftercareRecord,
    AssessmentEvent,
    RegisterChangeRecord,
    RevettingTrigger,
    VettingAssessment,
)
from probity.web.vetting_register.services import (
    aftercare_record,
    assessment_open,
    assessment_transition,
    trigger_record,
    trigger_resolve,
)
from probity.web.vetting_register.transitions import (
    ACTIONS,
    FINAL_STATUSES,
    KINDS,
    STATUSES,
    TRANSITIONS,
    ForbiddenTransition,
)

pytestmark = pytest.mark.django_db
WHY = "Reasons recorded for the test"


def _counts() -> tuple[int, ...]:
    return (VettingAssessment.objects.count(), AssessmentEvent.objects.count(),
            RegisterChangeRecord.objects.count(), AccessLog.objects.count(),
            RevettingTrigger.objects.count(), AftercareRecord.objects.count())


def _open(actor: Any, staff_id: str = "S0001", kind: str = "vetting", **extra: Any
          ) -> VettingAssessment:
    return assessment_open(actor=actor, staff_id=staff_id, kind=kind,
                           reason=extra.pop("reason", "renewal"),
                           level=extra.pop("level", "rv"), opened_on=date(2025, 1, 10),
                           rationale=extra.pop("rationale", WHY), **extra)


def _act(actor: Any, assessment: VettingAssessment, action: str, **extra: Any
         ) -> VettingAssessment:
    return assessment_transition(actor=actor, assessment_id=assessment.pk, action=action,
                                 rationale=extra.pop("rationale", WHY),
                                 effective_on=extra.pop("effective_on", date(2025, 2, 1)),
                                 **extra)


def test_the_table_covers_every_kind_and_has_final_states() -> None:
    assert {k for k, _ in TRANSITIONS} == set(KINDS)
    for (_, status), moves in TRANSITIONS.items():
        assert status in STATUSES
        assert set(moves) <= set(ACTIONS) and set(moves.values()) <= set(STATUSES)
    assert {"granted", "granted_with_mitigation", "appeal_upheld", "appeal_dismissed",
            "retained", "left_before_outcome"} == set(FINAL_STATUSES)


def test_grant_refuse_appeal_record_rationale_history_and_log(officer: Any,
                                                              small_register: Any) -> None:
    granted = _act(officer, _open(officer), "grant", rationale="Checks clear, references good")
    assert granted.status == "granted" and granted.closed_at is not None
    events = list(granted.events.values_list("action", "from_status", "to_status", "rationale"))
    assert events == [("open", "", "open", WHY),
                      ("grant", "open", "granted", "Checks clear, references good")]
    refused = _act(officer, _open(officer, "S0002", level="mv"), "refuse")
    appealed = _act(officer, refused, "lodge_appeal")
    dismissed = _act(officer, appealed, "dismiss_appeal")
    assert dismissed.status == "appeal_dismissed"
    history = list(RegisterChangeRecord.objects.filter(staff_id="S0002", entity="assessment")
                   .values_list("before", "after", "actor__username"))
    assert history == [("", "open", "vo"), ("open", "refused", "vo"),
                       ("refused", "appeal_lodged", "vo"),
                       ("appeal_lodged", "appeal_dismissed", "vo")]
    decisions = AccessLog.objects.filter(action="decide", object_type="vetting_record",
                                         object_id="S0002")
    assert decisions.count() == 3
    assert access_log_verify().ok


def test_grant_with_mitigation_needs_the_mitigation(officer: Any, small_register: Any) -> None:
    assessment = _open(officer)
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        _act(officer, assessment, "grant_with_mitigation", mitigation="")
    assert "mitigation" in caught.value.errors
    assert _counts() == before
    done = _act(officer, assessment, "grant_with_mitigation",
                mitigation="No access to the intelligence database for 12 months")
    assert done.status == "granted_with_mitigation" and "intelligence" in done.mitigation


@pytest.mark.parametrize("kind", KINDS)
def test_every_forbidden_transition_is_refused_and_writes_nothing(
        officer: Any, small_register: Any, kind: str) -> None:
    from probity.web.workforce.models import VettingClearance

    VettingClearance.objects.create(staff_id="S0001", level="mv", status="granted",
                                    decided_on=date(2022, 1, 1))
    checked = 0
    for status in STATUSES:
        assessment = _open(officer, kind=kind, level="mv")
        VettingAssessment.objects.filter(pk=assessment.pk).update(status=status)
        for action in ACTIONS:
            if action in TRANSITIONS.get((kind, status), {}):
                continue
            before = _counts()
            with pytest.raises(ForbiddenTransition) as caught:
                _act(officer, assessment, action)
            assert isinstance(caught.value, ProbityError)
            assert action in str(caught.value)
            assert _counts() == before
            assert VettingAssessment.objects.get(pk=assessment.pk).status == status
            checked += 1
        VettingAssessment.objects.filter(pk=assessment.pk).update(status="granted")
    assert checked > 60


def test_bad_input_and_wrong_role_write_nothing(officer: Any, auditor: Any,
                                                small_register: Any) -> None:
    before = _counts()
    with pytest.raises(NotPermitted):
        _open(auditor)
    with pytest.raises(InvalidInput) as caught:
        assessment_open(actor=officer, staff_id="S9999", kind="sideways", reason="whim",
                        level="zz", opened_on=None, rationale="short")
    assert set(caught.value.errors) == {"staff_id", "kind", "reason", "level", "opened_on",
                                        "rationale"}
    with pytest.raises(InvalidInput) as caught:
        _open(officer, "S0002", kind="withdrawal", level="sc")
    assert "no granted SC" in caught.value.errors["level"]
    assert _counts() == before
    assessment = _open(officer)
    with pytest.raises(InvalidInput):
        _open(officer)  # one vetting assessment in progress at a time
    before = _counts()
    with pytest.raises(NotPermitted):
        _act(auditor, assessment, "grant")
    with pytest.raises(InvalidInput) as caught:
        _act(officer, assessment, "grant", rationale="ok", effective_on=date(2024, 1, 1))
    assert set(caught.value.errors) == {"rationale", "effective_on"}
    with pytest.raises(InvalidInput):
        assessment_transition(actor=officer, assessment_id=assessment.pk, action="grant",
                              rationale=WHY, effective_on=date(2025, 2, 1), staff_id="S0002")
    assert _counts() == before


def test_withdrawal_assessment_and_its_appeal(officer: Any, small_register: Any) -> None:
    withdrawal = _open(officer, kind="withdrawal", reason="revetting")
    withdrawn = _act(officer, withdrawal, "withdraw", rationale="Upheld gross misconduct finding")
    upheld = _act(officer, _act(officer, withdrawn, "lodge_appeal"), "uphold_appeal")
    assert upheld.status == "appeal_upheld"
    retained = _act(officer, _open(officer, kind="withdrawal"), "retain")
    assert retained.status == "retained"


def test_a_leaver_before_the_outcome_is_recorded_with_the_leaving_date(
        officer: Any, small_register: Any) -> None:
    assessment = _open(officer, "S0003")
    left = assessment_transition(actor=officer, assessment_id=assessment.pk,
                                 action="record_leaver", rationale="Left the force mid-way",
                                 effective_on=None)
    assert left.status == "left_before_outcome"
    assert left.events.last().effective_on == date(2025, 2, 1)  # S0003's end_date
    with pytest.raises(InvalidInput):  # still serving: no leaving date to default to
        assessment_transition(actor=officer, assessment_id=_open(officer).pk,
                              action="record_leaver", rationale=WHY, effective_on=None)


def test_triggers_open_assessments_or_close_with_reason(officer: Any,
                                                        small_register: Any) -> None:
    trigger = trigger_record(actor=officer, staff_id="S0001", trigger="misconduct_upheld",
                             occurred_on=date(2025, 1, 5),
                             detail="Written warning after misconduct meeting")
    assessment = _open(officer, reason="revetting", trigger_id=trigger.pk)
    trigger.refresh_from_db()
    assert trigger.status == "assessment_opened" and assessment.trigger_id == trigger.pk
    with pytest.raises(InvalidInput):  # an actioned trigger cannot prompt a second one
        _open(officer, "S0001", kind="withdrawal", trigger_id=trigger.pk)
    second = trigger_record(actor=officer, staff_id="S0002", trigger="complaint_pattern",
                            occurred_on=None, detail="Three complaints in a year")
    closed = trigger_resolve(actor=officer, trigger_id=second.pk,
                             resolution="Complaints were unfounded; no risk")
    assert closed.status == "no_action"
    before = _counts()
    with pytest.raises(InvalidTransition):
        trigger_resolve(actor=officer, trigger_id=second.pk, resolution="Closing again now")
    assert _counts() == before


def test_aftercare_concern_raises_a_trigger(officer: Any, small_register: Any) -> None:
    fine = aftercare_record(actor=officer, staff_id="S0001", kind="annual_integrity_review",
                            occurred_on=date(2025, 3, 1), summary="Review complete, no issues",
                            outcome="no_concern")
    assert fine.trigger is None
    concern = aftercare_record(actor=officer, staff_id="S0002", kind="change_of_circumstances",
                               occurred_on=date(2025, 3, 2),
                               summary="New partner has convictions for supply",
                               outcome="concern")
    assert concern.trigger is not None
    assert concern.trigger.trigger == "aftercare_concern" and concern.trigger.status == "open"
    assert "New partner" in concern.trigger.detail
    before = _counts()
    with pytest.raises(InvalidInput):
        aftercare_record(actor=officer, staff_id="S0002", kind="gossip", occurred_on=None,
                         summary="", outcome="maybe")
    assert _counts() == before


def test_triggers_import_from_an_extract(officer: Any, loaded_force: Any) -> None:
    from probity.extract import open_extract
    from probity.vetting import revetting_triggers
    from probity.web.vetting_register.services import triggers_import

    with open_extract(loaded_force) as extract:
        expected = revetting_triggers(extract=extract)
        created = triggers_import(actor=officer, extract=extract)
        again = triggers_import(actor=officer, extract=extract)
    assert len(created) == len(expected) and again == []
    assert sorted((t.staff_id, t.trigger) for t in created) == sorted(
        zip(expected["staff_id"], expected["trigger"], strict=True))


def test_triggers_import_command(loaded_force: Any, tmp_path: Any) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("vetting_triggers_import", str(loaded_force), stdout=out)
    assert "recorded" in out.getvalue()
    bad = tmp_path / "links.csv"
    bad.write_text("staff_id,nominal_id,match_probability,incident_roles\nS1,N1,lots,suspect\n",
                   encoding="utf-8")
    before = RevettingTrigger.objects.count()
    with pytest.raises(CommandError, match="match_probability"):
        call_command("vetting_triggers_import", str(loaded_force), "--links", str(bad))
    assert RevettingTrigger.objects.count() == before
