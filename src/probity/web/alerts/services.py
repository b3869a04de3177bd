"""Alert triage: the human decision on an alert, recorded with its reason.

A score only orders human review (DPA 2018 ss49-50): nothing here acts on a score; every
outcome is a person's decision with their rationale.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction

from probity.web.alerts.models import Alert, AlertEvidence, WatchListEntry
from probity.web.audit.services import access_log_record
from probity.web.casework.categories import PersonRole, ReportSource
from probity.web.casework.models import Report
from probity.web.casework.services import PersonInput, report_create
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted
from probity.web.workforce.models import NominalFlag

__all__ = ["alert_triage", "DECISIONS", "watch_list_add", "watch_list_end",
           "WATCH_MAX_DAYS"]

WATCH_MAX_DAYS = 366  # monitoring is reviewed at least yearly

DECISIONS = ("develop", "no_further_action")


def alert_triage(*, actor: Any, alert: Alert, decision: str, reason: str, purpose: str,
                 report_fields: dict[str, Any] | None = None) -> Report | None:
    """Decide an alert: `develop` (creates a report carrying the subject, the persons of
    concern and every evidence row) or `no_further_action` (a reason is required).

    Returns the new report when developed. Raises NotPermitted, InvalidTransition (already
    decided) or InvalidInput (every field problem at once); nothing is written then.
    """
    if not actor.has_perm("alerts.triage_alert"):
        raise NotPermitted("only analysts triage alerts")
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["decision"] = "Choose develop as intelligence or no further action"
    reason = reason.strip()
    if decision == "no_further_action" and len(reason) < 10:
        errors["reason"] = "Give the reason for no further action (at least 10 characters)"
    if len(reason) > 5000:
        errors["reason"] = "Reason must be 5,000 characters or fewer"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != Alert.Status.NEW:
            raise InvalidTransition(
                f"alert {locked.pk} was already decided ({locked.get_status_display()})")
        report = None
        if decision == "develop":
            fields = dict(report_fields or {})
            flags: dict[str, list[str]] = {}
            for flag in NominalFlag.objects.filter(nominal_id__in=locked.persons_of_concern):
                flags.setdefault(flag.nominal_id, []).append(flag.flag)
            persons = [PersonInput(role=PersonRole.VICTIM, nominal_id=nid,
                                   vulnerability=tuple(sorted(set(flags.get(nid, [])))))
                       for nid in locked.persons_of_concern]
            evidence = [
                {"indicator": e.indicator, "nominal_id": e.nominal_id,
                 "incident_id": e.incident_id, "first_ts": e.first_ts, "last_ts": e.last_ts,
                 "count": e.count, "weight": e.weight, "detail": e.detail}
                for e in AlertEvidence.objects.filter(alert=locked).order_by("first_ts", "pk")
            ]
            narrative = fields.pop("narrative", "") or (
                f"Developed from proactive alert {locked.pk} (scan run {locked.scan_run_id}, "
                f"rank {locked.rank}). Indicators: {locked.reasons}")
            report = report_create(
                actor=actor, source=ReportSource.PROACTIVE_ALERT,
                national_category=fields.pop("national_category", ""),
                abuse_of_position_sexual_purpose=bool(
                    fields.pop("abuse_of_position_sexual_purpose", False)),
                source_evaluation=fields.pop("source_evaluation", ""),
                intelligence_assessment=fields.pop("intelligence_assessment", ""),
                handling_code=fields.pop("handling_code", ""),
                narrative=narrative, received_on=datetime.now(UTC).date(),
                subjects=[locked.staff_id], persons=persons, evidence=evidence,
                source_alert=locked,
            )
            locked.status = Alert.Status.DEVELOPED
        else:
            locked.status = Alert.Status.NO_FURTHER_ACTION
        locked.decided_by = actor
        locked.decided_at = datetime.now(UTC)
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        access_log_record(actor=actor, action="decide", object_type="alert", object_id=locked.pk,
                          purpose=purpose,
                          fields_shown=[f"decision={decision}"]
                          + ([f"report={report.pk}"] if report else []))
    alert.refresh_from_db()
    return report


def watch_list_add(*, actor: Any, alert: Alert, reason: str, expires_on: date | None,
                   purpose: str) -> WatchListEntry:
    """Put an alert's subject under monitoring until `expires_on` (logged with the reason)."""
    if not actor.has_perm("alerts.triage_alert"):
        raise NotPermitted("only analysts decide on monitoring")
    today = datetime.now(UTC).date()
    errors: dict[str, str] = {}
    if len(reason.strip()) < 10:
        errors["watch_reason"] = "Give the reason for monitoring (at least 10 characters)"
    if expires_on is None:
        errors["watch_expires_on"] = "Enter the date monitoring ends"
    elif not today < expires_on <= today + timedelta(days=WATCH_MAX_DAYS):
        errors["watch_expires_on"] = (f"Monitoring must end after today and within "
                                      f"{WATCH_MAX_DAYS} days")
    if errors:
        raise InvalidInput(errors)
    assert expires_on is not None
    with transaction.atomic():
        entry = WatchListEntry.objects.create(
            staff_id=alert.staff_id, reason=reason.strip(), expires_on=expires_on,
            decided_by=actor, decided_at=datetime.now(UTC))
        access_log_record(actor=actor, action="decide", object_type="watch_list",
                          object_id=entry.pk, purpose=purpose,
                          fields_shown=[f"alert={alert.pk}", f"expires_on={expires_on}"])
    return entry


def watch_list_end(*, actor: Any, entry: WatchListEntry, reason: str,
                   purpose: str) -> WatchListEntry:
    if not actor.has_perm("alerts.triage_alert"):
        raise NotPermitted("only analysts decide on monitoring")
    if len(reason.strip()) < 10:
        raise InvalidInput({"end_reason": "Give the reason for ending monitoring"})
    with transaction.atomic():
        locked = WatchListEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.ended_at is not None:
            raise InvalidTransition("monitoring has already ended")
        locked.ended_at = datetime.now(UTC)
        locked.ended_by = actor
        locked.end_reason = reason.strip()
        locked.save(update_fields=["ended_at", "ended_by", "end_reason"])
        access_log_record(actor=actor, action="decide", object_type="watch_list",
                          object_id=locked.pk, purpose=purpose, fields_shown=["ended"])
    return locked
