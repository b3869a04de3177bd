"""Hypothesis drives assessments through random actions: no forbidden transition is ever
accepted, every allowed one is, and a refused one leaves no trace."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from probity.web.vetting_register.models import AssessmentEvent, RegisterChangeRecord
from probity.web.vetting_register.services import assessment_open, assessment_transition
from probity.web.vetting_register.transitions import ACTIONS, KINDS, ForbiddenTransition

pytestmark = pytest.mark.django_db

# The expected behaviour, written out independently of transitions.TRANSITIONS.
APPEAL = {"uphold_appeal": "appeal_upheld", "dismiss_appeal": "appeal_dismissed",
          "record_leaver": "left_before_outcome"}
MODEL = {
    "vetting": {"open": {"grant": "granted", "grant_with_mitigation": "granted_with_mitigation",
                         "refuse": "refused", "record_leaver": "left_before_outcome"},
                "refused": {"lodge_appeal": "appeal_lodged"}, "appeal_lodged": APPEAL},
    "withdrawal": {"open": {"withdraw": "withdrawn", "retain": "retained",
                            "record_leaver": "left_before_outcome"},
                   "withdrawn": {"lodge_appeal": "appeal_lodged"}, "appeal_lodged": APPEAL},
}


def test_no_forbidden_transition_is_ever_accepted(officer: Any, small_register: Any) -> None:
    from probity.web.workforce.models import StaffMember, VettingClearance

    for n in range(4, 40):
        StaffMember.objects.create(staff_id=f"S{n:04d}", forename="Test", surname=f"P{n}",
                                   staff_type="officer", unit_id="U1",
                                   start_date=date(2015, 1, 1))
        VettingClearance.objects.create(staff_id=f"S{n:04d}", level="rv", status="granted",
                                        decided_on=date(2020, 1, 1))
    people = iter(f"S{n:04d}" for n in range(4, 10_000))

    class Assessments(RuleBasedStateMachine):
        @initialize(kind=st.sampled_from(KINDS))
        def start(self, kind: str) -> None:
            staff_id = next(people)
            if not StaffMember.objects.filter(staff_id=staff_id).exists():
                StaffMember.objects.create(staff_id=staff_id, forename="T", surname="P",
                                           staff_type="officer", unit_id="U1",
                                           start_date=date(2015, 1, 1))
                VettingClearance.objects.create(staff_id=staff_id, level="rv",
                                                status="granted", decided_on=date(2020, 1, 1))
            self.kind = kind
            self.status = "open"
            self.day = date(2025, 1, 1)
            self.assessment = assessment_open(
                actor=officer, staff_id=staff_id, kind=kind, reason="renewal", level="rv",
                opened_on=self.day, rationale="Opened by the state machine")
            self.steps = 1

        @rule(action=st.sampled_from(ACTIONS), days=st.integers(0, 30))
        def act(self, action: str, days: int) -> None:
            self.day += timedelta(days=days)
            events = AssessmentEvent.objects.count()
            changes = RegisterChangeRecord.objects.count()
            allowed = MODEL[self.kind].get(self.status, {})
            try:
                done = assessment_transition(
                    actor=officer, assessment_id=self.assessment.pk, action=action,
                    rationale=f"Step {self.steps}: {action}", effective_on=self.day,
                    mitigation="Supervised access only for six months")
            except ForbiddenTransition:
                assert action not in allowed, f"{action} from {self.status} was refused"
                assert AssessmentEvent.objects.count() == events
                assert RegisterChangeRecord.objects.count() == changes
                return
            assert action in allowed, f"{action} from {self.status} ({self.kind}) was accepted"
            assert done.status == allowed[action]
            self.status = done.status
            self.steps += 1
            assert AssessmentEvent.objects.count() == events + 1

        @invariant()
        def database_agrees(self) -> None:
            if hasattr(self, "assessment"):
                self.assessment.refresh_from_db()
                assert self.assessment.status == self.status
                assert self.assessment.events.count() == self.steps
                assert (self.assessment.closed_at is not None) == (
                    not MODEL[self.kind].get(self.status))

    Assessments.TestCase.settings = settings(
        max_examples=25, stateful_step_count=10, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(Assessments, settings=Assessments.TestCase.settings)
