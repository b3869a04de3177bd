"""Every write of the vetting unit's records. Each service takes the `actor`, checks the
actor's permission, validates everything before writing, and writes the change record and
the access log entry in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from probity.web.audit.services import access_log_record
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted
from probity.web.vetting_register.models import (
    LEVEL_CHOICES,
    AftercareRecord,
    AssessmentEvent,
    RegisterChangeRecord,
    RevettingTrigger,
    VettingAssessment,
)
from probity.web.vetting_register.transitions import FINAL_STATUSES, KINDS, next_status
from probity.web.workforce.models import StaffMember, VettingClearance

__all__ = [
    "CHANGE_PERMISSION",
    "aftercare_record",
    "assessment_open",
    "assessment_transition",
    "register_changes_record",
    "trigger_record",
    "trigger_resolve",
    "triggers_import",
]

CHANGE_PERMISSION = "vetting_register.change_register"
RATIONALE_MIN_LENGTH = 10
_LEVELS = {value for value, _ in LEVEL_CHOICES}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _require_change(actor: Any) -> None:
    if actor is None or not actor.has_perm(CHANGE_PERMISSION):
        raise NotPermitted("recording vetting decisions needs the vetting officer role")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _record(*, actor: Any, source: str, entity: str, key: str, change: str,
            staff_id: str = "", field: str = "", before: Any = None, after: Any = None,
            extract_load: Any = None) -> RegisterChangeRecord:
    return RegisterChangeRecord.objects.create(
        at=_now(), actor=actor if getattr(actor, "pk", None) else None, source=source,
        extract_load=extract_load, staff_id=staff_id, entity=entity, key=key, change=change,
        field=field, before=_text(before), after=_text(after))


def _rationale(value: str, errors: dict[str, str], *, field: str = "rationale") -> str:
    text = " ".join((value or "").split())
    if len(text) < RATIONALE_MIN_LENGTH:
        errors[field] = (f"give the reasons ({RATIONALE_MIN_LENGTH} characters or more); "
                         f"got {len(text)}")
    return text


def _staff(staff_id: str, errors: dict[str, str]) -> StaffMember | None:
    staff = StaffMember.objects.filter(staff_id=staff_id).first()
    if staff is None:
        errors["staff_id"] = f"{staff_id!r} is not in the loaded workforce"
    return staff


def register_changes_record(*, actor: Any, load: Any, before: Any, after: Any) -> int:
    """Record every difference between the register before and after an extract load
    (`probity.vetting.register_changes`). Called by the workforce load inside its
    transaction; `before` is None on the first load (nothing to compare with)."""
    from probity.vetting import register_changes

    if before is None:
        return 0
    rows = []
    at = _now()
    for change in register_changes(before=before, after=after):
        staff_id = change.key if change.entity == "staff_post" else (
            change.key.split("|", 1)[0] if change.entity == "clearance" else "")
        rows.append(RegisterChangeRecord(
            at=at, actor=actor if getattr(actor, "pk", None) else None,
            source=RegisterChangeRecord.Source.EXTRACT_LOAD, extract_load=load,
            staff_id=staff_id, entity=change.entity, key=change.key, change=change.change,
            field=change.field or "", before=_text(change.before), after=_text(change.after)))
    RegisterChangeRecord.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def assessment_open(*, actor: Any, staff_id: str, kind: str, reason: str, level: str,
                    opened_on: dt.date | None, rationale: str,
                    trigger_id: int | None = None) -> VettingAssessment:
    """Open a vetting or withdrawal assessment of one person."""
    _require_change(actor)
    errors: dict[str, str] = {}
    staff = _staff(staff_id, errors)
    if kind not in KINDS:
        errors["kind"] = f"{kind!r} is not one of {', '.join(KINDS)}"
    if reason not in VettingAssessment.Reason.values:
        errors["reason"] = f"{reason!r} is not one of {', '.join(VettingAssessment.Reason.values)}"
    if level not in _LEVELS:
        errors["level"] = f"{level!r} is not a vetting level ({', '.join(sorted(_LEVELS))})"
    if opened_on is None:
        errors["opened_on"] = "give the date the assessment started (YYYY-MM-DD)"
    text = _rationale(rationale, errors)
    if staff is not None and kind == "withdrawal" and not VettingClearance.objects.filter(
            staff_id=staff_id, level=level, status="granted").exists():
        errors["level"] = (f"{staff_id} holds no granted {level.upper()} clearance in the "
                           "register to assess for withdrawal")
    with transaction.atomic():
        trigger = None
        if trigger_id is not None:
            trigger = RevettingTrigger.objects.select_for_update().filter(
                pk=trigger_id, staff_id=staff_id).first()
            if trigger is None:
                errors["trigger"] = f"trigger {trigger_id} is not recorded for {staff_id}"
            elif trigger.status != RevettingTrigger.Status.OPEN:
                errors["trigger"] = f"trigger {trigger_id} is already {trigger.status}"
        if staff is not None and VettingAssessment.objects.filter(
                staff_id=staff_id, kind=kind, status__in=("open", "appeal_lodged")).exists():
            errors["kind"] = f"{staff_id} already has a {kind} assessment in progress"
        if errors:
            raise InvalidInput(errors)
        assert opened_on is not None  # noqa: S101 (checked above; for the type checker)
        now = _now()
        assessment = VettingAssessment.objects.create(
            staff_id=staff_id, kind=kind, reason=reason, level=level, status="open",
            opened_on=opened_on, opened_at=now, opened_by=actor, trigger=trigger)
        AssessmentEvent.objects.create(assessment=assessment, action="open", from_status="",
                                       to_status="open", rationale=text,
                                       effective_on=opened_on, at=now, actor=actor)
        _record(actor=actor, source="assessment", entity="assessment", key=str(assessment.pk),
                change="added", staff_id=staff_id, field="status", after="open")
        if trigger is not None:
            _record(actor=actor, source="trigger", entity="trigger", key=str(trigger.pk),
                    change="changed", staff_id=staff_id, field="status",
                    before=trigger.status, after=RevettingTrigger.Status.ASSESSMENT_OPENED)
            trigger.status = RevettingTrigger.Status.ASSESSMENT_OPENED
            trigger.resolution = f"assessment {assessment.pk} opened"
            trigger.save(update_fields=["status", "resolution"])
        access_log_record(actor=actor, action="create", object_type="vetting_record",
                          object_id=staff_id, purpose=f"open {kind} assessment",
                          fields_shown=[f"assessment={assessment.pk}", f"level={level}"])
    return assessment


def assessment_transition(*, actor: Any, assessment_id: int, action: str, rationale: str,
                          effective_on: dt.date | None, mitigation: str = "",
                          staff_id: str | None = None) -> VettingAssessment:
    """Move an assessment by one action of the allowed-transition table (decide, appeal,
    record a leaver). A forbidden action raises ForbiddenTransition and writes nothing."""
    _require_change(actor)
    with transaction.atomic():
        query = VettingAssessment.objects.select_for_update().filter(pk=assessment_id)
        if staff_id is not None:
            query = query.filter(staff_id=staff_id)
        assessment = query.first()
        if assessment is None:
            raise InvalidInput({"assessment": f"assessment {assessment_id} does not exist"
                                + (f" for {staff_id}" if staff_id else "")})
        to_status = next_status(kind=assessment.kind, status=assessment.status, action=action)
        errors: dict[str, str] = {}
        text = _rationale(rationale, errors)
        mitigation_text = " ".join((mitigation or "").split())
        if action == "grant_with_mitigation" and len(mitigation_text) < RATIONALE_MIN_LENGTH:
            errors["mitigation"] = "state the risk mitigation (conditions) of the grant"
        if effective_on is None:
            if action == "record_leaver":
                leaver = StaffMember.objects.filter(staff_id=assessment.staff_id).first()
                effective_on = leaver.end_date if leaver is not None else None
            if effective_on is None:
                errors["effective_on"] = "give the date (YYYY-MM-DD)"
        if effective_on is not None and effective_on < assessment.opened_on:
            errors["effective_on"] = (f"{effective_on.isoformat()} is before the assessment "
                                      f"started ({assessment.opened_on.isoformat()})")
        if errors:
            raise InvalidInput(errors)
        assert effective_on is not None  # noqa: S101 (checked above)
        now = _now()
        before = assessment.status
        AssessmentEvent.objects.create(assessment=assessment, action=action,
                                       from_status=before, to_status=to_status,
                                       rationale=text, effective_on=effective_on, at=now,
                                       actor=actor)
        assessment.status = to_status
        fields = ["status"]
        if action == "grant_with_mitigation":
            assessment.mitigation = mitigation_text
            fields.append("mitigation")
        if to_status in FINAL_STATUSES:
            assessment.closed_at = now
            fields.append("closed_at")
        assessment.save(update_fields=fields)
        _record(actor=actor, source="assessment", entity="assessment", key=str(assessment.pk),
                change="changed", staff_id=assessment.staff_id, field="status",
                before=before, after=to_status)
        access_log_record(actor=actor, action="decide", object_type="vetting_record",
                          object_id=assessment.staff_id, purpose=f"{action} ({assessment.kind})",
                          fields_shown=[f"assessment={assessment.pk}", f"status={to_status}"])
    return assessment


def _trigger_create(*, actor: Any, staff_id: str, trigger: str, occurred_on: dt.date | None,
                    detail: str) -> RevettingTrigger:
    row = RevettingTrigger.objects.create(
        staff_id=staff_id, trigger=trigger, occurred_on=occurred_on, detail=detail,
        recorded_at=_now(), recorded_by=actor if getattr(actor, "pk", None) else None)
    _record(actor=actor, source="trigger", entity="trigger", key=str(row.pk), change="added",
            staff_id=staff_id, field="trigger", after=trigger)
    return row


def trigger_record(*, actor: Any, staff_id: str, trigger: str, occurred_on: dt.date | None,
                   detail: str) -> RevettingTrigger:
    """Record a re-vetting trigger by hand (e.g. a misconduct outcome notified by PSD)."""
    _require_change(actor)
    errors: dict[str, str] = {}
    _staff(staff_id, errors)
    if trigger not in RevettingTrigger.Kind.values:
        errors["trigger"] = f"{trigger!r} is not one of {', '.join(RevettingTrigger.Kind.values)}"
    text = _rationale(detail, errors, field="detail")
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        row = _trigger_create(actor=actor, staff_id=staff_id, trigger=trigger,
                              occurred_on=occurred_on, detail=text)
        access_log_record(actor=actor, action="create", object_type="vetting_record",
                          object_id=staff_id, purpose="record re-vetting trigger",
                          fields_shown=[f"trigger={row.pk}"])
    return row


def trigger_resolve(*, actor: Any, trigger_id: int, resolution: str,
                    staff_id: str | None = None) -> RevettingTrigger:
    """Close an open trigger without an assessment, with the reason."""
    _require_change(actor)
    with transaction.atomic():
        query = RevettingTrigger.objects.select_for_update().filter(pk=trigger_id)
        if staff_id is not None:
            query = query.filter(staff_id=staff_id)
        row = query.first()
        if row is None:
            raise InvalidInput({"trigger": f"trigger {trigger_id} does not exist"})
        if row.status != RevettingTrigger.Status.OPEN:
            raise InvalidTransition(f"trigger {trigger_id} is already {row.status}: only an "
                                    "open trigger can be closed")
        errors: dict[str, str] = {}
        text = _rationale(resolution, errors, field="resolution")
        if errors:
            raise InvalidInput(errors)
        _record(actor=actor, source="trigger", entity="trigger", key=str(row.pk),
                change="changed", staff_id=row.staff_id, field="status", before=row.status,
                after=RevettingTrigger.Status.NO_ACTION)
        row.status = RevettingTrigger.Status.NO_ACTION
        row.resolution = text
        row.save(update_fields=["status", "resolution"])
        access_log_record(actor=actor, action="decide", object_type="vetting_record",
                          object_id=row.staff_id, purpose="close re-vetting trigger",
                          fields_shown=[f"trigger={row.pk}"])
    return row


def triggers_import(*, actor: Any, extract: Any, as_of: dt.date | None = None,
                    links: Any = None, rules: Any = None) -> list[RevettingTrigger]:
    """Record the re-vetting triggers `probity.vetting.revetting_triggers` finds in an opened
    extract (and `probity link` output). A trigger already recorded (same person, kind and
    date) is not recorded again."""
    from probity.vetting import revetting_triggers

    if actor is not None:
        _require_change(actor)
    found = revetting_triggers(extract=extract, as_of=as_of, links=links, rules=rules)
    created: list[RevettingTrigger] = []
    with transaction.atomic():
        for row in found.itertuples(index=False):
            day = row.date
            if day is not None and not isinstance(day, dt.date):
                day = None if str(day) in ("NaT", "nan", "None") else dt.date.fromisoformat(
                    str(day)[:10])
            elif isinstance(day, dt.datetime):
                day = day.date()
            if RevettingTrigger.objects.filter(staff_id=row.staff_id, trigger=row.trigger,
                                               occurred_on=day).exists():
                continue
            created.append(_trigger_create(actor=actor, staff_id=str(row.staff_id),
                                           trigger=str(row.trigger), occurred_on=day,
                                           detail=str(row.detail)))
        access_log_record(actor=actor, action="create", object_type="vetting_trigger",
                          object_id="import", purpose="re-vetting triggers from an extract",
                          fields_shown=[f"found={len(found)}", f"recorded={len(created)}"])
    return created


def aftercare_record(*, actor: Any, staff_id: str, kind: str, occurred_on: dt.date | None,
                     summary: str, outcome: str) -> AftercareRecord:
    """A change-of-circumstances report or an annual integrity review; a concern raises a
    re-vetting trigger (aftercare_concern) in the same transaction."""
    _require_change(actor)
    errors: dict[str, str] = {}
    _staff(staff_id, errors)
    if kind not in AftercareRecord.Kind.values:
        errors["kind"] = f"{kind!r} is not one of {', '.join(AftercareRecord.Kind.values)}"
    if outcome not in AftercareRecord.Outcome.values:
        errors["outcome"] = (f"{outcome!r} is not one of "
                             f"{', '.join(AftercareRecord.Outcome.values)}")
    if occurred_on is None:
        errors["occurred_on"] = "give the date (YYYY-MM-DD)"
    text = _rationale(summary, errors, field="summary")
    if errors:
        raise InvalidInput(errors)
    assert occurred_on is not None  # noqa: S101 (checked above)
    with transaction.atomic():
        trigger = None
        if outcome == AftercareRecord.Outcome.CONCERN:
            trigger = _trigger_create(actor=actor, staff_id=staff_id,
                                      trigger=RevettingTrigger.Kind.AFTERCARE_CONCERN,
                                      occurred_on=occurred_on,
                                      detail=f"{AftercareRecord.Kind(kind).label}: {text}")
        record = AftercareRecord.objects.create(
            staff_id=staff_id, kind=kind, occurred_on=occurred_on, summary=text,
            outcome=outcome, trigger=trigger, recorded_at=_now(), recorded_by=actor)
        _record(actor=actor, source="aftercare", entity="aftercare", key=str(record.pk),
                change="added", staff_id=staff_id, field="outcome", after=outcome)
        access_log_record(actor=actor, action="create", object_type="vetting_record",
                          object_id=staff_id, purpose=f"record {kind.replace('_', ' ')}",
                          fields_shown=[f"aftercare={record.pk}", f"outcome={outcome}"])
    return record
