"""Reads of alerts, for a viewer. The queue shows pseudonyms only; the subject's identity is
revealed by `alert_get_for` with a stated purpose, and that access is logged."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from probity.web.alerts.models import Alert, AlertEvidence, ScanRun, WatchListEntry
from probity.web.audit.services import access_log_record
from probity.web.core.pagination import CountedPaginator
from probity.web.workforce.models import Nominal, NominalFlag, StaffMember, Unit


def _require_view(viewer: Any) -> None:
    if not viewer.has_perm("alerts.view_alert"):
        raise PermissionDenied


def scan_run_latest() -> ScanRun | None:
    return ScanRun.objects.order_by("-pk").first()


def alert_queue(*, viewer: Any, status: str = Alert.Status.NEW,
                min_score: float = 0.0) -> QuerySet[Alert]:
    """The latest scan run's alerts in this status, highest score first (ties by rank).

    Subjects appear only as pseudonyms; fields shown are pseudonym, score, rank, reasons."""
    _require_view(viewer)
    run = scan_run_latest()
    if run is None:
        return Alert.objects.none()
    alerts = Alert.objects.filter(scan_run=run, status=status).only(
        "pk", "pseudonym", "rank", "score", "reasons", "status", "scan_run_id")
    if status == Alert.Status.NEW:
        alerts = alerts.filter(score__gt=min_score)
    return alerts.order_by("-score", "rank")


QUEUE_PAGE_SIZE = 50
# every status but NEW, listed (an index seek each, where `!= new` would scan the run)
_DECIDED = [value for value in Alert.Status.values if value != Alert.Status.NEW]


def alert_queue_count(*, viewer: Any, status: str = Alert.Status.NEW) -> int:
    """How many alerts `alert_queue` holds, without counting a million rows on each page.

    Awaiting triage: the run's alerts scored above 0 (counted once, at load) less those already
    decided, which are few. Other statuses are counted (they hold only triaged alerts)."""
    _require_view(viewer)
    run = scan_run_latest()
    if run is None:
        return 0
    if status != Alert.Status.NEW:
        return alert_queue(viewer=viewer, status=status).count()
    if run.scored_count is None:  # a run loaded before scored_count existed
        run.scored_count = Alert.objects.filter(scan_run=run, score__gt=0).count()
        run.save(update_fields=["scored_count"])
    return run.scored_count - Alert.objects.filter(scan_run=run, status__in=_DECIDED,
                                                   score__gt=0).count()


def alert_queue_page(*, viewer: Any, status: str = Alert.Status.NEW,
                     number: Any = 1) -> Page[Alert]:
    """One page of `alert_queue` (as Paginator.get_page: a bad number gives the first page, one
    past the end the last), counted by `alert_queue_count`.

    When the run is ranked by score, the queue awaiting triage is rank order less the few
    decided alerts, so page N starts at a rank found from those alone and is read from the
    rank index: a deep page costs what the first page costs. Otherwise, OFFSET."""
    alerts = alert_queue(viewer=viewer, status=status)
    paginator = CountedPaginator(alerts, QUEUE_PAGE_SIZE,
                                 count=alert_queue_count(viewer=viewer, status=status))
    try:
        number = paginator.validate_number(number)
    except PageNotAnInteger:
        number = 1
    except EmptyPage:
        number = paginator.num_pages
    run = scan_run_latest()
    if run is None or status != Alert.Status.NEW or not run.ranked_by_score:
        return paginator.page(number)
    decided = sorted(Alert.objects.filter(scan_run=run, status__in=_DECIDED)
                     .values_list("rank", flat=True))
    wanted = (number - 1) * QUEUE_PAGE_SIZE + 1  # position in the queue, from 1
    first_rank = wanted
    while True:  # the least rank r with r - (decided ranks <= r) == wanted; never a decided one
        following = wanted + bisect_right(decided, first_rank)
        if following == first_rank:
            break
        first_rank = following
    rows = list(alerts.filter(rank__gte=first_rank).order_by("rank")[:QUEUE_PAGE_SIZE])
    return Page(rows, number, paginator)


def watched_staff_ids(*, on: Any = None) -> QuerySet[WatchListEntry]:
    from datetime import UTC, datetime

    today = on or datetime.now(UTC).date()
    return WatchListEntry.objects.filter(ended_at__isnull=True, expires_on__gte=today)


def watched_alerts(*, viewer: Any) -> QuerySet[Alert]:
    """Alerts awaiting triage about subjects under monitoring, whatever their score or rank."""
    _require_view(viewer)
    run = scan_run_latest()
    if run is None:
        return Alert.objects.none()
    # the few watched staff ids first, so the staff index is used (not a walk of the queue)
    staff_ids = list(watched_staff_ids().values_list("staff_id", flat=True))
    if not staff_ids:
        return Alert.objects.none()
    return (Alert.objects.filter(scan_run=run, status=Alert.Status.NEW, staff_id__in=staff_ids)
            .only("pk", "pseudonym", "rank", "score", "reasons", "status", "scan_run_id")
            .order_by("-score", "rank"))


def watch_entries_for_alert(*, viewer: Any, alert: Alert) -> list[WatchListEntry]:
    _require_view(viewer)
    return list(watched_staff_ids().filter(staff_id=alert.staff_id))


def alert_summary_for(*, viewer: Any, alert_id: int) -> Alert:
    """The pseudonymised alert (before a purpose is stated): no identity, no evidence."""
    _require_view(viewer)
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return alert


@dataclass
class TimelineEntry:
    evidence: AlertEvidence
    nominal: Nominal | None


@dataclass
class AlertDetail:
    alert: Alert
    subject: StaffMember | None
    unit: Unit | None
    persons_of_concern: list[tuple[str, Nominal | None, list[str]]]
    timeline: list[TimelineEntry]


def alert_get_for(*, viewer: Any, alert_id: int, purpose: str) -> AlertDetail:
    """The alert with its subject, persons of concern and evidence timeline; the view is
    logged (who, when, which alert, which fields, why); the entry is committed before the
    data is returned."""
    _require_view(viewer)
    if not viewer.has_perm("alerts.triage_alert"):
        raise PermissionDenied
    if not purpose:
        raise PermissionDenied
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    subject = StaffMember.objects.filter(staff_id=alert.staff_id).first()
    unit = Unit.objects.filter(unit_id=subject.unit_id).first() if subject else None
    evidence = list(AlertEvidence.objects.filter(alert=alert).order_by("first_ts", "pk"))
    nominal_ids = set(alert.persons_of_concern) | {e.nominal_id for e in evidence
                                                   if e.nominal_id}
    nominals = {n.nominal_id: n for n in Nominal.objects.filter(nominal_id__in=nominal_ids)}
    flags: dict[str, list[str]] = {}
    for flag in NominalFlag.objects.filter(nominal_id__in=alert.persons_of_concern):
        flags.setdefault(flag.nominal_id, []).append(flag.flag)
    # Reads first, outside any write transaction (SQLite has one writer); the entry is
    # committed before anything is returned, so no log entry means nothing is shown.
    with transaction.atomic():
        access_log_record(actor=viewer, action="view", object_type="alert", object_id=alert.pk,
                          purpose=purpose,
                          fields_shown=["subject", "persons_of_concern", "evidence"])
    return AlertDetail(
        alert=alert, subject=subject, unit=unit,
        persons_of_concern=[(nid, nominals.get(nid), sorted(set(flags.get(nid, []))))
                            for nid in alert.persons_of_concern],
        timeline=[TimelineEntry(evidence=e, nominal=nominals.get(e.nominal_id))
                  for e in evidence],
    )


def indicator_effectiveness(*, viewer: Any) -> list[dict[str, Any]]:
    """For each indicator: triaged alerts carrying it, how many were developed, the share."""
    _require_view(viewer)
    from django.db.models import Count, Q

    decided = [Alert.Status.DEVELOPED, Alert.Status.NO_FURTHER_ACTION]
    rows = (AlertEvidence.objects.filter(alert__status__in=decided)
            .values("indicator")
            .annotate(triaged=Count("alert", distinct=True),
                      developed=Count("alert", distinct=True,
                                      filter=Q(alert__status=Alert.Status.DEVELOPED)))
            .order_by("indicator"))
    return [{**row, "share": row["developed"] / row["triaged"] if row["triaged"] else 0.0}
            for row in rows]
