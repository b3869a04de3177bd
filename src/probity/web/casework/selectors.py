"""Reads of reports, always for a viewer: a report is visible only to its team."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from probity.web.audit.services import access_log_record
from probity.web.casework.models import Report
from probity.web.workforce.models import Nominal, NominalFlag, StaffMember


def report_list(*, viewer: Any) -> QuerySet[Report]:
    """Reports on the viewer's teams only (lists and counts never show others)."""
    if not viewer.has_perm("casework.view_report"):
        raise PermissionDenied
    return Report.objects.filter(team=viewer).order_by("-created_at")


@dataclass
class ReportDetail:
    report: Report
    subjects: list[tuple[str, StaffMember | None]]
    persons: list[tuple[Any, Nominal | None, list[str]]]
    evidence: list[Any]


def report_get_for(*, viewer: Any, report_id: int, purpose: str) -> ReportDetail:
    """One report with subjects' and persons' names; the view is logged with its purpose.
    Reports outside the viewer's teams are not found (no hint that they exist)."""
    if not viewer.has_perm("casework.view_report"):
        raise PermissionDenied
    report = Report.objects.filter(pk=report_id, team=viewer).first()
    if report is None:
        raise Http404
    subject_ids = list(report.subjects.values_list("staff_id", flat=True))
    staff = {s.staff_id: s for s in StaffMember.objects.filter(staff_id__in=subject_ids)}
    persons = list(report.persons.all())
    nominal_ids = [p.nominal_id for p in persons if p.nominal_id]
    nominals = {n.nominal_id: n for n in Nominal.objects.filter(nominal_id__in=nominal_ids)}
    flags: dict[str, list[str]] = {}
    for flag in NominalFlag.objects.filter(nominal_id__in=nominal_ids):
        flags.setdefault(flag.nominal_id, []).append(flag.flag)
    evidence = list(report.evidence.all())
    # Reads first, outside any write transaction (SQLite has one writer); the entry is
    # committed before anything is returned, so no log entry means nothing is shown.
    with transaction.atomic():
        access_log_record(actor=viewer, action="view", object_type="report", object_id=report.pk,
                          purpose=purpose,
                          fields_shown=["category", "grading", "subjects", "persons",
                                        "narrative", "evidence"])
    return ReportDetail(
        report=report,
        subjects=[(sid, staff.get(sid)) for sid in subject_ids],
        persons=[(p, nominals.get(p.nominal_id), sorted(set(p.vulnerability)
                                                        | set(flags.get(p.nominal_id, []))))
                 for p in persons],
        evidence=evidence,
    )


def report_get_for_change(*, viewer: Any, report_id: int) -> Report:
    """The report for a change by its team (the change's service writes the log entry)."""
    if not viewer.has_perm("casework.view_report"):
        raise PermissionDenied
    report = Report.objects.filter(pk=report_id, team=viewer).first()
    if report is None:
        raise Http404
    return report


@dataclass
class Dashboard:
    open_by_category: list[tuple[str, int]]
    referrals_due: list[Report]
    referrals_overdue: list[Report]
    awaiting_iopc: int
    ageing: list[tuple[str, int]]


def dashboard_for(*, viewer: Any, now: Any = None) -> Dashboard:
    """Counts and lists over the viewer's reports only (need-to-know holds for dashboards)."""
    from datetime import UTC, datetime

    from django.db.models import Count

    from probity.web.casework.categories import NationalCategory

    if not viewer.has_perm("casework.view_report"):
        raise PermissionDenied
    now = now or datetime.now(UTC)
    # one team row per (report, member): no DISTINCT needed (it made SQLite copy every column)
    mine = Report.objects.filter(team=viewer)
    open_reports = mine.filter(status=Report.Status.OPEN)
    counts = dict(open_reports.values_list("national_category").annotate(n=Count("pk", distinct=True)))
    labels = dict(NationalCategory.choices)
    unreferred = open_reports.filter(referral_due_at__isnull=False, referrals__isnull=True)
    from datetime import timedelta

    from django.db.models import Q

    day_28 = now.date() - timedelta(days=28)
    day_90 = now.date() - timedelta(days=90)
    ages = open_reports.aggregate(
        young=Count("pk", distinct=True, filter=Q(received_on__gt=day_28)),
        middle=Count("pk", distinct=True, filter=Q(received_on__lte=day_28,
                                                   received_on__gte=day_90)),
        old=Count("pk", distinct=True, filter=Q(received_on__lt=day_90)))
    from probity.web.casework.models import Referral

    return Dashboard(
        open_by_category=[(labels[c], counts[c]) for c in NationalCategory.values if c in counts],
        referrals_due=list(unreferred.filter(referral_due_at__gte=now).order_by("referral_due_at")),
        referrals_overdue=list(unreferred.filter(referral_due_at__lt=now)
                               .order_by("referral_due_at")),
        awaiting_iopc=Referral.objects.filter(report__in=mine, decision="pending").count(),
        ageing=[("under 28 days", ages["young"]), ("28 to 90 days", ages["middle"]),
                ("over 90 days", ages["old"])],
    )
