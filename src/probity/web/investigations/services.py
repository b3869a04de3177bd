"""Every change to an investigation goes through one of these functions, with the actor explicit.

Each checks the actor's role and need-to-know (membership of the report's team, as casework
does), validates all input before writing, and writes the access log entry in the same
transaction as the change: if the log write fails, nothing is recorded.

Who does what: investigators (casework.change_report) keep the investigation log and record
departures, criminal outcomes and safeguarding actions; the appropriate authority
(casework.refer_report) assesses severity, decides the forum, records the reg 42 outcome and
notifies the Barred and Advisory Lists.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from probity.web.audit.services import access_log_record
from probity.web.casework.categories import PersonRole
from probity.web.casework.models import Report
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted
from probity.web.investigations.models import (
    ConductOutcome,
    CriminalOutcome,
    Investigation,
    ListNotification,
    LogEntry,
    SafeguardingAction,
    SubjectDeparture,
)
from probity.web.investigations.rules import (
    DISMISSAL_OUTCOMES,
    FORUMS_FOR_SEVERITY,
    CriminalOutcomeKind,
    Forum,
    ListKind,
    Offence,
    OutcomeFacts,
    SafeguardingKind,
    Severity,
    SubjectLeft,
    outcome_check,
)

__all__ = ["INVESTIGATOR_PERMISSION", "AUTHORITY_PERMISSION", "advisory_review_years",
           "log_entry_add", "severity_assess", "forum_decide", "departure_record",
           "outcome_record", "criminal_outcome_record", "list_notify", "safeguarding_record"]

INVESTIGATOR_PERMISSION = "casework.change_report"
AUTHORITY_PERMISSION = "casework.refer_report"
ADVISORY_REVIEW_DEFAULT_YEARS = 5


def advisory_review_years() -> int:
    """Years until an Advisory List entry is reviewed: settings
    PROBITY_ADVISORY_LIST_REVIEW_YEARS, 3 to 5 (default 5)."""
    years = getattr(settings, "PROBITY_ADVISORY_LIST_REVIEW_YEARS", ADVISORY_REVIEW_DEFAULT_YEARS)
    if not isinstance(years, int) or isinstance(years, bool) or not 3 <= years <= 5:
        raise ImproperlyConfigured(
            f"PROBITY_ADVISORY_LIST_REVIEW_YEARS is {years!r}: expected a whole number of "
            "years from 3 to 5")
    return years


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _allow(*, actor: Any, report: Report, permission: str, what: str) -> None:
    if not actor.has_perm(permission):
        raise NotPermitted(f"your role may not {what}")
    if not report.team.filter(pk=actor.pk).exists():
        raise NotPermitted(f"only the report's team may {what}")


def _date_errors(errors: dict[str, str], *, key: str, value: date | None, report: Report,
                 label: str) -> None:
    if value is None:
        errors[key] = f"Enter the {label} (YYYY-MM-DD)"
    elif value > datetime.now(UTC).date():
        errors[key] = f"The {label} must be today or in the past"
    elif value < report.received_on:
        errors[key] = (f"The {label} cannot be before the report was received "
                       f"({report.received_on.isoformat()})")


def _subject_errors(errors: dict[str, str], *, report: Report, staff_id: str) -> None:
    if not report.subjects.filter(staff_id=staff_id).exists():
        errors["staff_id"] = f"{staff_id!r} is not a subject of report {report.reference}"


def _open(*, actor: Any, report: Report) -> Investigation:
    """The report's investigation, locked for this transaction (opened if new)."""
    Report.objects.select_for_update().get(pk=report.pk)
    found = Investigation.objects.select_for_update().filter(report=report).first()
    if found is not None:
        return found
    return Investigation.objects.create(report=report, opened_at=datetime.now(UTC),
                                        opened_by=actor)


def _log(*, actor: Any, report: Report, purpose: str, fields: list[str]) -> None:
    access_log_record(actor=actor, action="change", object_type="report", object_id=report.pk,
                      purpose=purpose, fields_shown=["investigation", *fields])


def log_entry_add(*, actor: Any, report: Report, entry_date: date | None, entry: str,
                  purpose: str) -> LogEntry:
    """An investigator adds an entry to the investigation log (the actor is the investigator)."""
    _allow(actor=actor, report=report, permission=INVESTIGATOR_PERMISSION,
           what="write the investigation log")
    errors: dict[str, str] = {}
    _date_errors(errors, key="entry_date", value=entry_date, report=report, label="entry date")
    text = entry.strip()
    if not text:
        errors["entry"] = "Enter the log entry"
    elif len(text) > 20000:
        errors["entry"] = "A log entry must be 20,000 characters or fewer"
    if errors:
        raise InvalidInput(errors)
    assert entry_date is not None
    with transaction.atomic():
        investigation = _open(actor=actor, report=report)
        row = LogEntry.objects.create(investigation=investigation, investigator=actor,
                                      entry_date=entry_date, entry=text,
                                      recorded_at=datetime.now(UTC))
        _log(actor=actor, report=report, purpose=purpose, fields=[f"log_entry={row.pk}"])
    return row


def severity_assess(*, actor: Any, report: Report, severity: str, rationale: str,
                    assessed_on: date | None, purpose: str) -> Investigation:
    """The appropriate authority's severity assessment. It can be revised until the forum's
    outcome is recorded; a revision that no longer fits the chosen forum clears the forum."""
    _allow(actor=actor, report=report, permission=AUTHORITY_PERMISSION,
           what="assess severity")
    errors: dict[str, str] = {}
    if severity not in Severity.values:
        errors["severity"] = ("Select the severity: no case to answer, misconduct or "
                              "gross misconduct")
    if not rationale.strip():
        errors["rationale"] = "Give the reasons for the assessment"
    elif len(rationale) > 20000:
        errors["rationale"] = "Reasons must be 20,000 characters or fewer"
    _date_errors(errors, key="assessed_on", value=assessed_on, report=report,
                 label="date of assessment")
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        investigation = _open(actor=actor, report=report)
        if investigation.outcomes.exists():
            raise InvalidTransition("an outcome is recorded: the severity can no longer change")
        investigation.severity = severity
        investigation.severity_rationale = rationale.strip()
        investigation.severity_assessed_on = assessed_on
        investigation.severity_assessed_by = actor
        fields = ["severity_assessed_on", "severity_assessed_by", "severity",
                  "severity_rationale"]
        if investigation.forum and investigation.forum not in FORUMS_FOR_SEVERITY[severity]:
            investigation.forum, investigation.forum_date = "", None
            investigation.forum_decided_by = None
            fields += ["forum", "forum_date", "forum_decided_by"]
        investigation.save(update_fields=fields)
        _log(actor=actor, report=report, purpose=purpose, fields=[f"severity={severity}"])
    return investigation


def forum_decide(*, actor: Any, report: Report, forum: str, forum_date: date | None,
                 purpose: str) -> Investigation:
    """The appropriate authority decides the forum: RPRP, misconduct meeting or hearing."""
    _allow(actor=actor, report=report, permission=AUTHORITY_PERMISSION, what="decide the forum")
    errors: dict[str, str] = {}
    if forum not in Forum.values:
        errors["forum"] = "Select the forum: RPRP, misconduct meeting or misconduct hearing"
    if forum_date is None:
        errors["forum_date"] = "Enter the date of the meeting, hearing or review (YYYY-MM-DD)"
    elif forum_date < report.received_on:
        errors["forum_date"] = "The date cannot be before the report was received"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        investigation = _open(actor=actor, report=report)
        if not investigation.severity:
            raise InvalidTransition("assess the severity before deciding the forum")
        if forum not in FORUMS_FOR_SEVERITY[investigation.severity]:
            raise InvalidInput({"forum": (
                f"{Forum(forum).label} is not a forum for "
                f"{Severity(investigation.severity).label.lower()}")})
        if investigation.outcomes.exists():
            raise InvalidTransition("an outcome is recorded: the forum can no longer change")
        investigation.forum, investigation.forum_date = forum, forum_date
        investigation.forum_decided_by = actor
        investigation.save(update_fields=["forum", "forum_date", "forum_decided_by"])
        _log(actor=actor, report=report, purpose=purpose, fields=[f"forum={forum}"])
    return investigation


def departure_record(*, actor: Any, report: Report, staff_id: str, how: str,
                     left_on: date | None, purpose: str) -> SubjectDeparture:
    """A subject resigned or retired while under investigation (an investigator records it)."""
    _allow(actor=actor, report=report, permission=INVESTIGATOR_PERMISSION,
           what="record that a subject left")
    errors: dict[str, str] = {}
    _subject_errors(errors, report=report, staff_id=staff_id)
    if how not in (SubjectLeft.RESIGNED, SubjectLeft.RETIRED):
        errors["how"] = "Select resigned or retired"
    _date_errors(errors, key="left_on", value=left_on, report=report, label="leaving date")
    if errors:
        raise InvalidInput(errors)
    assert left_on is not None
    with transaction.atomic():
        investigation = _open(actor=actor, report=report)
        if investigation.departures.filter(staff_id=staff_id).exists():
            raise InvalidTransition(f"{staff_id} is already recorded as having left")
        row = SubjectDeparture.objects.create(investigation=investigation, staff_id=staff_id,
                                              how=how, left_on=left_on, recorded_by=actor)
        _log(actor=actor, report=report, purpose=purpose,
             fields=[f"departure={staff_id}:{how}"])
    return row


def outcome_record(*, actor: Any, report: Report, staff_id: str, finding: str, outcome: str,
                   decided_on: date | None, final_written_warning_live: bool = False,
                   several_unconnected_incidents: bool = False, purpose: str
                   ) -> ConductOutcome:
    """The appropriate authority records the forum's finding and outcome for one subject.

    The combination of forum, severity, finding and outcome must be in the reg 42 table
    (rules.ALLOWED_OUTCOMES); otherwise OutcomeNotAllowed is raised and nothing is written."""
    _allow(actor=actor, report=report, permission=AUTHORITY_PERMISSION,
           what="record a misconduct outcome")
    errors: dict[str, str] = {}
    _subject_errors(errors, report=report, staff_id=staff_id)
    _date_errors(errors, key="decided_on", value=decided_on, report=report,
                 label="date of the outcome")
    if errors:
        raise InvalidInput(errors)
    assert decided_on is not None
    with transaction.atomic():
        investigation = _open(actor=actor, report=report)
        if not investigation.severity or not investigation.forum:
            raise InvalidTransition("assess the severity and decide the forum before recording "
                                    "an outcome")
        departure = investigation.departures.filter(staff_id=staff_id).first()
        left = departure.how if departure is not None else ""
        facts = OutcomeFacts(forum=investigation.forum, severity=investigation.severity,
                             finding=finding, outcome=outcome,
                             final_written_warning_live=final_written_warning_live,
                             several_unconnected_incidents=several_unconnected_incidents,
                             subject_left=left)
        outcome_check(facts)  # raises OutcomeNotAllowed: the transaction writes nothing
        if investigation.forum_date and decided_on < investigation.forum_date:
            raise InvalidInput({"decided_on": "The outcome cannot predate the forum's date"})
        if investigation.outcomes.filter(staff_id=staff_id).exists():
            raise InvalidTransition(f"the outcome for {staff_id} is already recorded")
        row = ConductOutcome.objects.create(
            investigation=investigation, staff_id=staff_id, forum=facts.forum,
            severity=facts.severity, finding=finding, outcome=outcome,
            final_written_warning_live=final_written_warning_live,
            several_unconnected_incidents=several_unconnected_incidents, subject_left=left,
            decided_on=decided_on, recorded_by=actor, recorded_at=datetime.now(UTC))
        _log(actor=actor, report=report, purpose=purpose,
             fields=[f"outcome={staff_id}:{outcome}", f"finding={finding}"])
    return row


def criminal_outcome_record(*, actor: Any, report: Report, staff_id: str, outcome: str,
                            offence: str, offence_detail: str = "", decided_on: date | None,
                            purpose: str) -> CriminalOutcome:
    """Charged, convicted, acquitted or no further action, with the offence where there is one
    (misconduct in public office; CJCA 2015 s26; other, described)."""
    _allow(actor=actor, report=report, permission=INVESTIGATOR_PERMISSION,
           what="record a criminal outcome")
    errors: dict[str, str] = {}
    _subject_errors(errors, report=report, staff_id=staff_id)
    if outcome not in CriminalOutcomeKind.values:
        errors["outcome"] = "Select charged, convicted, acquitted or no further action"
    if offence not in Offence.values:
        errors["offence"] = "Select the offence from the list"
    elif outcome == CriminalOutcomeKind.NFA and offence:
        errors["offence"] = "No further action names no offence"
    elif outcome in CriminalOutcomeKind.values and outcome != CriminalOutcomeKind.NFA \
            and not offence:
        errors["offence"] = "Select the offence charged or tried"
    elif offence == Offence.OTHER and not offence_detail.strip():
        errors["offence_detail"] = "Describe the offence"
    if len(offence_detail) > 200:
        errors["offence_detail"] = "At most 200 characters"
    _date_errors(errors, key="decided_on", value=decided_on, report=report, label="date")
    if errors:
        raise InvalidInput(errors)
    assert decided_on is not None
    with transaction.atomic():
        investigation = _open(actor=actor, report=report)
        row = CriminalOutcome.objects.create(
            investigation=investigation, staff_id=staff_id, outcome=outcome, offence=offence,
            offence_detail=offence_detail.strip(), decided_on=decided_on, recorded_by=actor)
        _log(actor=actor, report=report, purpose=purpose,
             fields=[f"criminal_outcome={staff_id}:{outcome}"])
    return row


def list_notify(*, actor: Any, report: Report, staff_id: str, kind: str,
                notified_on: date | None, purpose: str) -> ListNotification:
    """Notify the Barred List (dismissed, or would have been) or the Advisory List (resigned or
    retired under investigation; reviewed after PROBITY_ADVISORY_LIST_REVIEW_YEARS)."""
    _allow(actor=actor, report=report, permission=AUTHORITY_PERMISSION,
           what="notify the Barred or Advisory List")
    errors: dict[str, str] = {}
    _subject_errors(errors, report=report, staff_id=staff_id)
    if kind not in ListKind.values:
        errors["kind"] = "Select the Barred List or the Advisory List"
    _date_errors(errors, key="notified_on", value=notified_on, report=report,
                 label="date of notification")
    if errors:
        raise InvalidInput(errors)
    assert notified_on is not None
    review_years = advisory_review_years()
    with transaction.atomic():
        investigation = _open(actor=actor, report=report)
        if kind == ListKind.BARRED:
            if not investigation.outcomes.filter(staff_id=staff_id,
                                                 outcome__in=DISMISSAL_OUTCOMES).exists():
                raise InvalidInput({"kind": (
                    f"The Barred List is for subjects dismissed or who would have been: no such "
                    f"outcome is recorded for {staff_id}")})
            review = None
        else:
            if not investigation.departures.filter(staff_id=staff_id).exists():
                raise InvalidInput({"kind": (
                    f"The Advisory List is for subjects who resigned or retired under "
                    f"investigation: record {staff_id}'s departure first")})
            review = _add_years(notified_on, review_years)
        try:
            with transaction.atomic():
                row = ListNotification.objects.create(
                    investigation=investigation, staff_id=staff_id, kind=kind,
                    notified_on=notified_on, review_due_on=review, recorded_by=actor)
        except IntegrityError as exc:
            raise InvalidTransition(f"{staff_id} is already notified to that list") from exc
        _log(actor=actor, report=report, purpose=purpose,
             fields=[f"list_notification={staff_id}:{kind}"])
    return row


def safeguarding_record(*, actor: Any, report: Report, person_id: int, kind: str,
                        organisation: str, taken_on: date | None, notes: str = "",
                        purpose: str) -> SafeguardingAction:
    """A safeguarding action for a victim on the report (who took it: the actor)."""
    _allow(actor=actor, report=report, permission=INVESTIGATOR_PERMISSION,
           what="record safeguarding actions")
    errors: dict[str, str] = {}
    person = report.persons.filter(pk=person_id).first()
    if person is None:
        errors["person"] = f"Person {person_id} is not on report {report.reference}"
    elif person.role != PersonRole.VICTIM:
        errors["person"] = "Safeguarding actions are recorded for victims"
    if kind not in SafeguardingKind.values:
        errors["kind"] = "Select the safeguarding action"
    elif kind == SafeguardingKind.SUPPORT_REFERRAL and not organisation.strip():
        errors["organisation"] = "Name the support organisation referred to"
    if len(organisation) > 200:
        errors["organisation"] = "At most 200 characters"
    if len(notes) > 5000:
        errors["notes"] = "At most 5,000 characters"
    _date_errors(errors, key="taken_on", value=taken_on, report=report, label="date")
    if errors:
        raise InvalidInput(errors)
    assert taken_on is not None and person is not None
    with transaction.atomic():
        investigation = _open(actor=actor, report=report)
        row = SafeguardingAction.objects.create(
            investigation=investigation, person=person, kind=kind,
            organisation=organisation.strip(), taken_on=taken_on, taken_by=actor,
            notes=notes.strip())
        _log(actor=actor, report=report, purpose=purpose,
             fields=[f"safeguarding={person.pk}:{kind}"])
    return row
