"""Reads of the vetting register, always for a viewer. Person-level reads write an access
log entry in the same transaction as the read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from probity.vetting import ComplianceReport, StaffCompliance, VettingSettings
from probity.web.audit.services import access_log_record
from probity.web.vetting_register.models import (
    AftercareRecord,
    RegisterChangeRecord,
    RevettingTrigger,
    VettingAssessment,
)
from probity.web.vetting_register.register import register_compliance
from probity.web.vetting_register.transitions import allowed_actions
from probity.web.workforce.models import Post, StaffMember, Unit, VettingClearance

__all__ = [
    "COMPLIANCE_PERMISSION",
    "REGISTER_PERMISSION",
    "compliance_for",
    "posts_for",
    "staff_in_category",
    "vetting_record_for",
    "worklist_for",
]

COMPLIANCE_PERMISSION = "vetting_register.view_compliance"
REGISTER_PERMISSION = "vetting_register.view_register"
LIST_CATEGORIES = ("no_clearance", "below_requirement", "expired", "due", "lapsed",
                   "renewal_overdue", "compliant")


def _require(viewer: Any, permission: str) -> None:
    if viewer is None or not viewer.has_perm(permission):
        raise PermissionDenied


def vetting_settings(*, due_days: int | None = None) -> VettingSettings:
    """The force's settings (PROBITY_VETTING_SETTINGS, read as `probity vetting report
    --settings` reads it), with the page's renewal window if one was asked for."""
    from django.conf import settings as django_settings

    from probity.vetting import load_vetting_settings

    settings = load_vetting_settings(getattr(django_settings, "VETTING_SETTINGS_FILE", None))
    return settings.with_changes(due_days=due_days) if due_days is not None else settings


def compliance_for(*, viewer: Any, as_of: dt.date | None = None,
                   due_days: int | None = None) -> ComplianceReport:
    """Figures by unit and staff type (the same as `probity vetting report`); logged."""
    _require(viewer, COMPLIANCE_PERMISSION)
    with transaction.atomic():
        report = register_compliance(as_of=as_of, settings=vetting_settings(due_days=due_days))
        access_log_record(actor=viewer, action="search", object_type="vetting_register",
                          object_id="compliance", purpose="vetting compliance figures",
                          fields_shown=["counts by unit", "counts by staff type",
                                        f"as_of={report.as_of.isoformat()}"])
    return report


def staff_in_category(*, viewer: Any, report: ComplianceReport, category: str,
                      unit_id: str = "", staff_type: str = "", export: bool = False
                      ) -> list[StaffCompliance]:
    """The people behind one figure (names are need-to-know: the register permission)."""
    _require(viewer, REGISTER_PERMISSION)
    if category and category not in LIST_CATEGORIES:
        raise Http404
    people = [s for s in report.staff
              if (not category or getattr(s, category))
              and (not unit_id or s.unit_id == unit_id)
              and (not staff_type or s.staff_type == staff_type)]
    with transaction.atomic():
        access_log_record(actor=viewer, action="export" if export else "search",
                          object_type="vetting_register", object_id=category or "all",
                          purpose="vetting compliance list",
                          fields_shown=[f"unit={unit_id or 'all'}",
                                        f"staff_type={staff_type or 'all'}",
                                        f"as_of={report.as_of.isoformat()}",
                                        f"rows={len(people)}"])
    return people


@dataclass
class PostRow:
    post: Post
    unit_name: str
    holders: int


def posts_for(*, viewer: Any) -> list[PostRow]:
    """Every post with its required level and the number of staff recorded in it."""
    from django.db.models import Count

    _require(viewer, REGISTER_PERMISSION)
    units = dict(Unit.objects.values_list("unit_id", "name"))
    holders = dict(StaffMember.objects.exclude(post_id="").values("post_id")
                   .annotate(n=Count("pk")).values_list("post_id", "n"))
    with transaction.atomic():
        rows = [PostRow(post=p, unit_name=units.get(p.unit_id, p.unit_id),
                        holders=holders.get(p.post_id, 0))
                for p in Post.objects.order_by("unit_id", "post_id")]
        access_log_record(actor=viewer, action="search", object_type="vetting_register",
                          object_id="posts", purpose="posts and required vetting levels",
                          fields_shown=["post", "unit", "required level",
                                        f"rows={len(rows)}"])
    return rows


def _register_date() -> dt.date:
    """The date the register speaks for: the last extract's period end, else today."""
    from probity.web.workforce.models import ExtractLoad

    last = ExtractLoad.objects.order_by("-loaded_at", "-pk").first()
    if last is not None and last.period_end is not None:
        return last.period_end
    return dt.datetime.now(dt.UTC).date()


@dataclass
class ClearanceRow:
    clearance: VettingClearance
    current: bool
    satisfies_post: bool | None


@dataclass
class VettingRecord:
    staff: StaffMember
    post: Post | None
    unit_name: str
    as_of: dt.date
    clearances: list[ClearanceRow]
    meets_requirement: bool | None
    assessments: list[tuple[VettingAssessment, list[Any], tuple[str, ...]]]
    triggers: list[RevettingTrigger]
    aftercare: list[AftercareRecord]
    history: list[RegisterChangeRecord]


def vetting_record_for(*, viewer: Any, staff_id: str, purpose: str,
                       as_of: dt.date | None = None) -> VettingRecord:
    """One person's vetting record: clearances, assessments, triggers, aftercare and every
    recorded change. The view is logged with its purpose, in the same transaction."""
    _require(viewer, REGISTER_PERMISSION)
    settings = vetting_settings()
    with transaction.atomic():
        staff = StaffMember.objects.filter(staff_id=staff_id).first()
        if staff is None:
            raise Http404
        day = as_of or _register_date()
        post = Post.objects.filter(post_id=staff.post_id).first() if staff.post_id else None
        unit = Unit.objects.filter(unit_id=staff.unit_id).first()
        rows: list[ClearanceRow] = []
        for c in VettingClearance.objects.filter(staff_id=staff_id).order_by(
                "-decided_on", "level"):
            known = c.decided_on is None or c.decided_on <= day
            current = (known and c.status == "granted"
                       and (c.expires_on is None or c.expires_on > day))
            satisfies = (settings.satisfies(held=c.level, required=post.required_vetting)
                         if post is not None and post.required_vetting else None)
            rows.append(ClearanceRow(clearance=c, current=current, satisfies_post=satisfies))
        meets = None
        if post is not None and post.required_vetting:
            meets = any(r.current and r.satisfies_post for r in rows)
        assessments = [(a, list(a.events.select_related("actor")),
                        allowed_actions(kind=a.kind, status=a.status))
                       for a in VettingAssessment.objects.filter(staff_id=staff_id)
                       .order_by("-opened_at")]
        record = VettingRecord(
            staff=staff, post=post, unit_name=unit.name if unit else staff.unit_id, as_of=day,
            clearances=rows, meets_requirement=meets, assessments=assessments,
            triggers=list(RevettingTrigger.objects.filter(staff_id=staff_id)
                          .order_by("-recorded_at")),
            aftercare=list(AftercareRecord.objects.filter(staff_id=staff_id)
                           .order_by("-occurred_on")),
            history=list(RegisterChangeRecord.objects.filter(staff_id=staff_id)
                         .select_related("actor").order_by("-at", "-pk")[:200]),
        )
        access_log_record(actor=viewer, action="view", object_type="vetting_record",
                          object_id=staff_id, purpose=purpose,
                          fields_shown=["clearances", "post", "assessments", "triggers",
                                        "aftercare", "history"])
    return record


@dataclass
class Worklist:
    open_triggers: list[RevettingTrigger]
    in_progress: list[VettingAssessment]
    leavers: list[tuple[VettingAssessment, dt.date]]
    recent_changes: list[RegisterChangeRecord]


def worklist_for(*, viewer: Any) -> Worklist:
    """Open triggers, assessments in progress, and people who left while one was in
    progress (to be recorded as left before the outcome)."""
    _require(viewer, REGISTER_PERMISSION)
    with transaction.atomic():
        in_progress = list(VettingAssessment.objects.filter(
            status__in=("open", "appeal_lodged")).order_by("opened_on", "pk"))
        ends = dict(StaffMember.objects.filter(
            staff_id__in=[a.staff_id for a in in_progress], end_date__isnull=False)
            .values_list("staff_id", "end_date"))
        work = Worklist(
            open_triggers=list(RevettingTrigger.objects.filter(
                status=RevettingTrigger.Status.OPEN).order_by("staff_id", "trigger")),
            in_progress=in_progress,
            leavers=[(a, ends[a.staff_id]) for a in in_progress if a.staff_id in ends],
            recent_changes=list(RegisterChangeRecord.objects.select_related("actor")
                                .order_by("-at", "-pk")[:100]),
        )
        access_log_record(actor=viewer, action="search", object_type="vetting_register",
                          object_id="worklist", purpose="vetting worklist",
                          fields_shown=["open triggers", "assessments in progress",
                                        "leavers", "recent changes"])
    return work
