"""Every change to a report goes through one of these functions, with the actor explicit.

Each validates all its input before writing, and writes the access log entry in the same
transaction as the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from probity.web.audit.services import access_log_record
from probity.web.casework.categories import (
    LEGACY_MODES,
    VULNERABILITY_FLAGS,
    HandlingCode,
    IntelligenceAssessment,
    InvestigationMode,
    IopcDecision,
    NationalCategory,
    PersonRole,
    ReportSource,
    SourceEvaluation,
)
from probity.web.casework.iopc import APSP_CRITERION, CRITERIA_CODES, referral_deadline
from probity.web.casework.models import (
    Referral,
    Report,
    ReportEvidence,
    ReportPerson,
    ReportSubject,
)
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted

# The Police (Complaints and Misconduct) Regulations 2020 replaced 'managed' and 'supervised'
# investigations; those modes are recordable only for decisions made before then.
REGULATIONS_2020_IN_FORCE = date(2020, 2, 1)

__all__ = ["PersonInput", "report_create", "report_grant_access", "report_assess_referral",
           "report_fields_validate", "referral_create", "referral_record_decision"]

_ID_MAX = 64


@dataclass(frozen=True)
class PersonInput:
    role: str
    nominal_id: str = ""
    name: str = ""
    vulnerability: tuple[str, ...] = field(default_factory=tuple)


def report_fields_validate(*, source: str, national_category: str,
                           abuse_of_position_sexual_purpose: bool, source_evaluation: str,
                           intelligence_assessment: str, handling_code: str, narrative: str,
                           received_on: date | None, subjects: Sequence[str],
                           persons: Sequence[PersonInput], legacy_grading: str = ""
                           ) -> dict[str, str]:
    """Every problem with a report's fields, by field name (empty when all is well)."""
    errors: dict[str, str] = {}
    if source not in ReportSource.values:
        errors["source"] = "Select where the report came from"
    if national_category not in NationalCategory.values:
        errors["national_category"] = "Select one of the 12 national categories"
    elif abuse_of_position_sexual_purpose and national_category != NationalCategory.SEXUAL_MISCONDUCT:
        errors["abuse_of_position_sexual_purpose"] = (
            "Abuse of position for a sexual purpose is recorded within sexual misconduct")
    if source_evaluation not in SourceEvaluation.values:
        errors["source_evaluation"] = "Select the source evaluation (1, 2 or 3)"
    if intelligence_assessment not in IntelligenceAssessment.values:
        errors["intelligence_assessment"] = "Select the intelligence assessment (A to E)"
    if handling_code not in HandlingCode.values:
        errors["handling_code"] = "Select the handling code (P or C)"
    if len(legacy_grading) > 20:
        errors["legacy_grading"] = "Legacy 5x5x5 grading must be 20 characters or fewer"
    if not narrative.strip():
        errors["narrative"] = "Enter the narrative"
    elif len(narrative) > 20000:
        errors["narrative"] = "Narrative must be 20,000 characters or fewer"
    if received_on is None:
        errors["received_on"] = "Enter the date the report was received"
    elif received_on > datetime.now(UTC).date():
        errors["received_on"] = "Date received must be today or in the past"
    if not subjects:
        errors["subjects"] = "Enter the staff id of at least one subject"
    for staff_id in subjects:
        if not staff_id or len(staff_id) > _ID_MAX:
            errors["subjects"] = f"Staff id {staff_id!r} must be 1 to 64 characters"
    if len(set(subjects)) != len(subjects):
        errors["subjects"] = "Each subject only once"
    for index, person in enumerate(persons, start=1):
        key = f"persons[{index}]"
        if person.role not in PersonRole.values:
            errors[key] = f"Select the person's role ({', '.join(PersonRole.values)})"
        elif not person.nominal_id and not person.name.strip():
            errors[key] = "Enter a person record id or a name"
        elif len(person.nominal_id) > _ID_MAX or len(person.name) > 200:
            errors[key] = "Person record id at most 64 characters, name at most 200"
        elif any(flag not in VULNERABILITY_FLAGS for flag in person.vulnerability):
            errors[key] = "Vulnerability must be from the list"
    return errors


def report_create(*, actor: Any, source: str, national_category: str,
                  abuse_of_position_sexual_purpose: bool, source_evaluation: str,
                  intelligence_assessment: str, handling_code: str, narrative: str,
                  received_on: date | None, subjects: Sequence[str],
                  persons: Sequence[PersonInput] = (), legacy_grading: str = "",
                  evidence: Iterable[dict[str, Any]] = (), source_alert: Any = None) -> Report:
    """Record a corruption report. The actor joins its team (need-to-know)."""
    if not actor.has_perm("casework.add_report"):
        raise NotPermitted("your role may not record reports")
    errors = report_fields_validate(
        source=source, national_category=national_category,
        abuse_of_position_sexual_purpose=abuse_of_position_sexual_purpose,
        source_evaluation=source_evaluation, intelligence_assessment=intelligence_assessment,
        handling_code=handling_code, narrative=narrative, received_on=received_on,
        subjects=subjects, persons=persons, legacy_grading=legacy_grading)
    if errors:
        raise InvalidInput(errors)
    assert received_on is not None
    now = datetime.now(UTC)
    with transaction.atomic():
        report = Report.objects.create(
            source=source, national_category=national_category,
            abuse_of_position_sexual_purpose=abuse_of_position_sexual_purpose,
            source_evaluation=source_evaluation, intelligence_assessment=intelligence_assessment,
            handling_code=handling_code, legacy_grading=legacy_grading.strip(),
            narrative=narrative.strip(), received_on=received_on, created_by=actor,
            created_at=now, source_alert=source_alert,
        )
        report.team.add(actor)
        ReportSubject.objects.bulk_create(
            ReportSubject(report=report, staff_id=staff_id) for staff_id in subjects)
        ReportPerson.objects.bulk_create(
            ReportPerson(report=report, role=p.role, nominal_id=p.nominal_id,
                         name=p.name.strip(), vulnerability=list(p.vulnerability))
            for p in persons)
        ReportEvidence.objects.bulk_create(ReportEvidence(report=report, **e) for e in evidence)
        if abuse_of_position_sexual_purpose:
            _referral_identify(report=report, criteria=[APSP_CRITERION], now=now)
            report.save(update_fields=["referral_criteria", "referral_identified_at",
                                       "referral_due_at"])
        access_log_record(actor=actor, action="create", object_type="report",
                          object_id=report.pk, purpose="record a corruption report",
                          fields_shown=["category", "grading", "subjects", "persons",
                                        "narrative"])
    return report


def _referral_identify(*, report: Report, criteria: list[str], now: datetime) -> None:
    report.referral_criteria = criteria
    if criteria and report.referral_identified_at is None:
        report.referral_identified_at = now
        report.referral_due_at = referral_deadline(identified_at=now)
    if not criteria:
        report.referral_identified_at = None
        report.referral_due_at = None


def report_assess_referral(*, actor: Any, report: Report, criteria: Sequence[str],
                           purpose: str) -> Report:
    """The appropriate authority records which mandatory referral criteria are met. The
    deadline runs from when the first criterion was recorded. APSP cannot be un-ticked."""
    if not actor.has_perm("casework.refer_report"):
        raise NotPermitted("only the appropriate authority decides on IOPC referral")
    unknown = [c for c in criteria if c not in CRITERIA_CODES]
    if unknown:
        raise InvalidInput({"criteria": f"Unknown criteria: {', '.join(unknown)}"})
    chosen = [c for c in CRITERIA_CODES if c in set(criteria)]
    if report.abuse_of_position_sexual_purpose and APSP_CRITERION not in chosen:
        raise InvalidInput({"criteria": "Abuse of position for a sexual purpose is serious "
                                        "corruption: that criterion must stay ticked"})
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _referral_identify(report=locked, criteria=chosen, now=datetime.now(UTC))
        locked.save(update_fields=["referral_criteria", "referral_identified_at",
                                   "referral_due_at"])
        access_log_record(actor=actor, action="change", object_type="report",
                          object_id=locked.pk, purpose=purpose,
                          fields_shown=["referral_criteria"])
    return locked


def report_grant_access(*, actor: Any, report: Report, username: str, purpose: str) -> Report:
    """A team member adds a colleague to the report's team (need-to-know grant), logged."""
    if not report.team.filter(pk=actor.pk).exists():
        raise NotPermitted("only the report's team may grant access to it")
    user_model = get_user_model()
    grantee = user_model.objects.filter(username=username, is_active=True).first()
    if grantee is None:
        raise InvalidInput({"username": "Enter the username of an active user"})
    with transaction.atomic():
        report.team.add(grantee)
        access_log_record(actor=actor, action="change", object_type="report",
                          object_id=report.pk, purpose=purpose,
                          fields_shown=[f"team+={grantee.get_username()}"])
    return report


def referral_create(*, actor: Any, report: Report, reason: str, purpose: str) -> Referral:
    """The appropriate authority refers the report to the IOPC (now). A referral made while
    an earlier one exists is a re-referral (new concerns arising later)."""
    if not actor.has_perm("casework.refer_report"):
        raise NotPermitted("only the appropriate authority refers to the IOPC")
    if not report.team.filter(pk=actor.pk).exists():
        raise NotPermitted("only the report's team may refer it")
    reason = reason.strip()
    if len(reason) > 5000:
        raise InvalidInput({"reason": "Reason must be 5,000 characters or fewer"})
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        earlier = locked.referrals.exists()
        if earlier and len(reason) < 10:
            raise InvalidInput({"reason": "Give the new concerns that make this a re-referral"})
        referral = Referral.objects.create(
            report=locked, referred_at=datetime.now(UTC), referred_by=actor,
            criteria=list(locked.referral_criteria), is_re_referral=earlier, reason=reason)
        access_log_record(actor=actor, action="change", object_type="report",
                          object_id=locked.pk, purpose=purpose,
                          fields_shown=[f"referral={referral.pk}",
                                        f"re_referral={str(earlier).lower()}"])
    return referral


def referral_record_decision(*, actor: Any, referral: Referral, decision: str, mode: str,
                             decided_on: date | None, purpose: str) -> Referral:
    """Record the IOPC's decision: no investigation, or an investigation and its mode."""
    if not actor.has_perm("casework.refer_report"):
        raise NotPermitted("only the appropriate authority records the IOPC's decision")
    if not referral.report.team.filter(pk=actor.pk).exists():
        raise NotPermitted("only the report's team may record the IOPC's decision")
    errors: dict[str, str] = {}
    if decision not in (IopcDecision.NO_INVESTIGATION, IopcDecision.INVESTIGATION):
        errors["decision"] = "Select the IOPC's decision"
    if decided_on is None:
        errors["decided_on"] = "Enter the date of the IOPC's decision"
    elif decided_on > datetime.now(UTC).date():
        errors["decided_on"] = "The decision date must be today or in the past"
    elif decided_on < referral.referred_at.date():
        errors["decided_on"] = "The decision cannot predate the referral"
    if decision == IopcDecision.INVESTIGATION:
        if mode not in InvestigationMode.values:
            errors["mode"] = "Select the mode of investigation"
        elif mode in LEGACY_MODES and decided_on is not None \
                and decided_on >= REGULATIONS_2020_IN_FORCE:
            errors["mode"] = ("Managed and supervised investigations ended with the 2020 "
                              "regulations: choose independent, directed or local")
    elif mode:
        errors["mode"] = "A mode applies only when the IOPC investigates"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.decision != IopcDecision.PENDING:
            raise InvalidTransition("the IOPC's decision on this referral is already recorded")
        locked.decision = decision
        locked.mode = mode if decision == IopcDecision.INVESTIGATION else ""
        locked.decided_on = decided_on
        locked.decision_recorded_by = actor
        locked.save(update_fields=["decision", "mode", "decided_on", "decision_recorded_by"])
        access_log_record(actor=actor, action="change", object_type="report",
                          object_id=locked.report_id, purpose=purpose,
                          fields_shown=[f"referral={locked.pk}", f"decision={decision}",
                                        f"mode={locked.mode}"])
    return locked
