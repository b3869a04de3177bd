"""Property-based state machines over the lifecycles in the web app: no forbidden transition is
ever accepted, whatever the order of actions, the actor's role or the input.

Allowed transitions (the specification these tests hold the services to):
  alert:      new -> developed | no_further_action           (then final)
  referral:   pending -> investigation | no_investigation     (then final; a re-referral is a
              new referral row, never a change to a decided one)
  watch list: active -> ended                                 (then final)
  report referral criteria: an APSP report always keeps `serious_corruption`; the deadline
              runs from the first time criteria were recorded and does not move while any
              criterion stays recorded.
Refused actions (NotPermitted, InvalidInput, InvalidTransition) change nothing.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from probity.web.alerts.models import Alert, ScanRun, WatchListEntry
from probity.web.alerts.services import alert_triage, watch_list_add, watch_list_end
from probity.web.audit.services import access_log_verify
from probity.web.casework.iopc import APSP_CRITERION, CRITERIA_CODES
from probity.web.casework.models import Referral, Report
from probity.web.casework.services import (
    referral_create,
    referral_record_decision,
    report_assess_referral,
    report_create,
)
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted
from probity.web.core.roles import role_names

pytestmark = pytest.mark.django_db

REFUSED = (NotPermitted, InvalidInput, InvalidTransition)
ALERT_NEXT = {"new": {"developed", "no_further_action"}, "developed": set(),
              "no_further_action": set()}
REFERRAL_NEXT = {"pending": {"investigation", "no_investigation"}, "investigation": set(),
                 "no_investigation": set()}
_ids = itertools.count(1)
ROLES = st.sampled_from(role_names())
REASONS = st.sampled_from(["", "short", "A reason that is long enough to record."])
REPORT_FIELDS = {"national_category": "misusing_force_systems", "source_evaluation": "2",
                 "intelligence_assessment": "C", "handling_code": "P"}


def _user(role: str) -> Any:
    user = get_user_model().objects.create_user(username=f"sm{next(_ids)}", password=None)
    user.groups.set([Group.objects.get(name=role)])
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


class Lifecycles(RuleBasedStateMachine):
    alerts = Bundle("alerts")
    referrals = Bundle("referrals")
    watches = Bundle("watches")

    def __init__(self) -> None:
        super().__init__()
        self.actors = {role: _user(role) for role in role_names()}
        self.aa = self.actors["appropriate_authority"]
        self.run = ScanRun.objects.create(**_scan_run_fields())
        self.alert_state: dict[int, str] = {}
        self.referral_state: dict[int, str] = {}
        self.watch_ended: dict[int, bool] = {}
        author = self.actors["analyst"]
        self.report = report_create(
            actor=author, source="confidential_internal_report",
            national_category="sexual_misconduct", abuse_of_position_sexual_purpose=True,
            source_evaluation="2", intelligence_assessment="C", handling_code="P",
            narrative="State machine report.", received_on=date(2025, 1, 5), subjects=["S9"])
        self.report.team.add(self.aa)
        self.first_identified = Report.objects.get(pk=self.report.pk).referral_identified_at

    # --- alerts ------------------------------------------------------------------------
    @rule(target=alerts)
    def new_alert(self) -> int:
        n = len(self.alert_state) + 1
        alert = Alert.objects.create(scan_run=self.run, staff_id=f"S{n}", pseudonym=f"P{n}",
                                     rank=n, score=1.0)
        self.alert_state[alert.pk] = "new"
        return alert.pk

    @rule(alert_id=alerts, role=ROLES,
          decision=st.sampled_from(["develop", "no_further_action", "", "close", "reopen"]),
          reason=REASONS)
    def triage(self, alert_id: int, role: str, decision: str, reason: str) -> None:
        before = self.alert_state[alert_id]
        reports_before = Report.objects.count()
        try:
            alert_triage(actor=self.actors[role], alert=Alert.objects.get(pk=alert_id),
                         decision=decision, reason=reason, purpose="state machine",
                         report_fields=dict(REPORT_FIELDS))
        except REFUSED:
            assert Alert.objects.get(pk=alert_id).status == before
            assert Report.objects.count() == reports_before
            valid = (role == "analyst" and decision in ("develop", "no_further_action")
                     and (decision == "develop" or len(reason.strip()) >= 10))
            assert not (valid and before == "new"), "a valid first decision was refused"
            return
        after = Alert.objects.get(pk=alert_id).status
        assert after in ALERT_NEXT[before], f"alert {before} -> {after} accepted"
        assert role == "analyst"
        self.alert_state[alert_id] = after
        assert Report.objects.count() == reports_before + (after == "developed")

    # --- referrals ---------------------------------------------------------------------
    @rule(target=referrals, role=ROLES, reason=REASONS)
    def refer(self, role: str, reason: str) -> int:
        actor = self.actors[role] if role != "appropriate_authority" else self.aa
        count = Referral.objects.filter(report=self.report).count()
        try:
            referral = referral_create(actor=actor, report=self.report, reason=reason,
                                       purpose="state machine")
        except REFUSED:
            assert Referral.objects.filter(report=self.report).count() == count
            return -1
        assert role == "appropriate_authority"
        assert referral.decision == "pending" and referral.is_re_referral == (count > 0)
        self.referral_state[referral.pk] = "pending"
        return referral.pk

    @rule(referral_id=referrals, role=ROLES,
          decision=st.sampled_from(["investigation", "no_investigation", "pending", ""]),
          mode=st.sampled_from(["", "independent", "local", "managed", "bogus"]),
          day=st.sampled_from([0, 1, -1, None]))
    def decide_referral(self, referral_id: int, role: str, decision: str, mode: str,
                        day: int | None) -> None:
        if referral_id < 0:
            return
        before = self.referral_state[referral_id]
        snapshot = Referral.objects.filter(pk=referral_id).values().get()
        today = datetime.now(UTC).date()
        decided_on = None if day is None else today + timedelta(days=day)
        try:
            referral_record_decision(actor=self.actors[role],
                                     referral=Referral.objects.get(pk=referral_id),
                                     decision=decision, mode=mode, decided_on=decided_on,
                                     purpose="state machine")
        except REFUSED:
            assert Referral.objects.filter(pk=referral_id).values().get() == snapshot
            valid = (role == "appropriate_authority" and day == 0 and (
                (decision == "no_investigation" and mode == "")
                or (decision == "investigation" and mode in ("independent", "local"))))
            assert not (valid and before == "pending"), "a valid decision was refused"
            return
        after = Referral.objects.get(pk=referral_id).decision
        assert after in REFERRAL_NEXT[before], f"referral {before} -> {after} accepted"
        self.referral_state[referral_id] = after

    # --- report referral criteria ------------------------------------------------------
    @rule(role=ROLES, criteria=st.lists(st.sampled_from([*CRITERIA_CODES, "made_up"]),
                                        max_size=3))
    def assess(self, role: str, criteria: list[str]) -> None:
        actor = self.actors[role] if role != "appropriate_authority" else self.aa
        before = Report.objects.filter(pk=self.report.pk).values().get()
        try:
            report_assess_referral(actor=actor, report=self.report, criteria=criteria,
                                   purpose="state machine")
        except REFUSED:
            assert Report.objects.filter(pk=self.report.pk).values().get() == before
            return
        assert role == "appropriate_authority" and "made_up" not in criteria

    # --- watch list --------------------------------------------------------------------
    @rule(target=watches, alert_id=alerts, role=ROLES, reason=REASONS,
          days=st.sampled_from([None, 0, 30, 400]))
    def watch(self, alert_id: int, role: str, reason: str, days: int | None) -> int:
        count = WatchListEntry.objects.count()
        expires = None if days is None else datetime.now(UTC).date() + timedelta(days=days)
        try:
            entry = watch_list_add(actor=self.actors[role], alert=Alert.objects.get(pk=alert_id),
                                   reason=reason, expires_on=expires, purpose="state machine")
        except REFUSED:
            assert WatchListEntry.objects.count() == count
            return -1
        assert role == "analyst" and days == 30 and len(reason.strip()) >= 10
        self.watch_ended[entry.pk] = False
        return entry.pk

    @rule(entry_id=watches, role=ROLES, reason=REASONS)
    def unwatch(self, entry_id: int, role: str, reason: str) -> None:
        if entry_id < 0:
            return
        snapshot = WatchListEntry.objects.filter(pk=entry_id).values().get()
        try:
            watch_list_end(actor=self.actors[role],
                           entry=WatchListEntry.objects.get(pk=entry_id), reason=reason,
                           purpose="state machine")
        except REFUSED:
            assert WatchListEntry.objects.filter(pk=entry_id).values().get() == snapshot
            return
        assert not self.watch_ended[entry_id], "an ended watch was ended again"
        self.watch_ended[entry_id] = True

    # --- invariants --------------------------------------------------------------------
    @invariant()
    def database_matches_the_model(self) -> None:
        for alert_id, state in self.alert_state.items():
            assert Alert.objects.get(pk=alert_id).status == state
        for referral_id, state in self.referral_state.items():
            assert Referral.objects.get(pk=referral_id).decision == state
        for entry_id, ended in self.watch_ended.items():
            assert (WatchListEntry.objects.get(pk=entry_id).ended_at is not None) == ended

    @invariant()
    def apsp_report_keeps_serious_corruption_and_its_deadline(self) -> None:
        report = Report.objects.get(pk=self.report.pk)
        assert APSP_CRITERION in report.referral_criteria
        assert report.referral_identified_at == self.first_identified

    def teardown(self) -> None:
        assert access_log_verify().ok


def _scan_run_fields() -> dict[str, Any]:
    return {"loaded_at": datetime.now(UTC), "ranked_file": "ranked.csv", "ranked_sha256": "0" * 64,
            "evidence_file": "evidence.csv", "evidence_sha256": "0" * 64, "alert_count": 0,
            "evidence_count": 0, "pseudonym_salt": f"salt{next(_ids)}"}


def test_no_forbidden_lifecycle_transition_is_ever_accepted(roles: None) -> None:
    run_state_machine_as_test(Lifecycles, settings=settings(
        max_examples=15, stateful_step_count=20, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
