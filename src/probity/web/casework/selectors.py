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
    # newest first, each checked against the team table (the recent-reports index stops the
    # walk at the page: no sort of the viewer's 100,000 reports; docs/benchmarks.md, Web)
    from django.db.models import Exists, OuterRef

    on_team = Exists(Report.team.through.objects.filter(report_id=OuterRef("pk"), user=viewer))
    return Report.objects.filter(on_team).order_by("-created_at", "-pk")


def report_list_count(*, viewer: Any) -> int:
    """How many reports `report_list` holds: the viewer's team rows (one per report)."""
    if not viewer.has_perm("casework.view_report"):
        raise PermissionDenied
    return Report.team.through.objects.filter(user=viewer).count()


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
    list_max: int = 100  # lists this long were cut: say so


# the referral lists show at most this many (the most urgent first)
DASHBOARD_LIST_MAX = Dashboard.list_max


def dashboard_for(*, viewer: Any, now: Any = None) -> Dashboard:
    """Counts and lists over the viewer's reports only (need-to-know holds for dashboards).

    Shaped for a head of PSD on every team of 100,000 reports: categories and ageing in one
    pass over the viewer's open reports; the referral lists start from the few reports with a
    referral deadline and check team membership per report (docs/benchmarks.md, Web)."""
    from datetime import UTC, datetime, timedelta

    from django.db.models import Count, Exists, OuterRef, Q

    from probity.web.casework.categories import NationalCategory
    from probity.web.casework.models import Referral

    if not viewer.has_perm("casework.view_report"):
        raise PermissionDenied
    now = now or datetime.now(UTC)
    day_28 = now.date() - timedelta(days=28)
    day_90 = now.date() - timedelta(days=90)
    # one team row per (report, member): plain counts, no DISTINCT
    rows = (Report.objects.filter(team=viewer, status=Report.Status.OPEN)
            .values_list("national_category")
            .annotate(young=Count("pk", filter=Q(received_on__gt=day_28)),
                      middle=Count("pk", filter=Q(received_on__lte=day_28,
                                                  received_on__gte=day_90)),
                      old=Count("pk", filter=Q(received_on__lt=day_90))))
    by_category = {category: (young, middle, old) for category, young, middle, old in rows}
    labels = dict(NationalCategory.choices)
    on_team = Exists(Report.team.through.objects.filter(report_id=OuterRef("pk"), user=viewer))
    unreferred = (Report.objects.filter(status=Report.Status.OPEN, referral_due_at__isnull=False)
                  .exclude(Exists(Referral.objects.filter(report_id=OuterRef("pk"))))
                  .filter(on_team).order_by("referral_due_at"))
    awaiting = Referral.objects.filter(decision="pending").filter(
        Exists(Report.team.through.objects.filter(report_id=OuterRef("report_id"), user=viewer)))
    return Dashboard(
        open_by_category=[(labels[c], sum(by_category[c])) for c in NationalCategory.values
                          if c in by_category],
        referrals_due=list(unreferred.filter(referral_due_at__gte=now)[:DASHBOARD_LIST_MAX]),
        referrals_overdue=list(unreferred.filter(referral_due_at__lt=now)[:DASHBOARD_LIST_MAX]),
        awaiting_iopc=awaiting.count(),
        ageing=[(label, sum(ages[k] for ages in by_category.values()))
                for k, label in enumerate(("under 28 days", "28 to 90 days", "over 90 days"))],
    )
