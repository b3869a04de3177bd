"""Reads of investigations, always for a viewer. Need-to-know is casework's: the report must be
on one of the viewer's teams (casework.selectors.report_get_for_change / report_list)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef

from probity.web.audit.services import access_log_record
from probity.web.casework.models import Report, ReportPerson
from probity.web.casework.selectors import report_get_for_change, report_list
from probity.web.investigations.models import (
    ConductOutcome,
    CriminalOutcome,
    Investigation,
    ListNotification,
    LogEntry,
    SafeguardingAction,
    SubjectDeparture,
)
from probity.web.investigations.rules import ListKind, Outcome

__all__ = ["InvestigationDetail", "investigation_get_for", "OutcomesPanel", "outcomes_panel_for"]


@dataclass
class InvestigationDetail:
    report: Report
    investigation: Investigation | None
    subjects: list[str]
    victims: list[ReportPerson]
    log_entries: list[LogEntry] = field(default_factory=list)
    departures: list[SubjectDeparture] = field(default_factory=list)
    outcomes: list[ConductOutcome] = field(default_factory=list)
    criminal_outcomes: list[CriminalOutcome] = field(default_factory=list)
    list_notifications: list[ListNotification] = field(default_factory=list)
    safeguarding: list[SafeguardingAction] = field(default_factory=list)


def investigation_get_for(*, viewer: Any, report_id: int, purpose: str) -> InvestigationDetail:
    """The investigation of one report on the viewer's teams (others: 404), view logged."""
    report = report_get_for_change(viewer=viewer, report_id=report_id)
    investigation = Investigation.objects.filter(report=report).select_related(
        "severity_assessed_by", "forum_decided_by").first()
    detail = InvestigationDetail(
        report=report, investigation=investigation,
        subjects=list(report.subjects.order_by("staff_id").values_list("staff_id", flat=True)),
        victims=list(report.persons.filter(role="victim").order_by("pk")))
    if investigation is not None:
        detail.log_entries = list(investigation.log_entries.select_related("investigator"))
        detail.departures = list(investigation.departures.order_by("staff_id"))
        detail.outcomes = list(investigation.outcomes.select_related("recorded_by")
                               .order_by("staff_id"))
        detail.criminal_outcomes = list(investigation.criminal_outcomes.all())
        detail.list_notifications = list(investigation.list_notifications
                                         .order_by("notified_on", "pk"))
        detail.safeguarding = list(investigation.safeguarding.select_related("person",
                                                                             "taken_by"))
    with transaction.atomic():
        access_log_record(actor=viewer, action="view", object_type="report", object_id=report.pk,
                          purpose=purpose,
                          fields_shown=["investigation", "severity", "forum", "log", "outcomes",
                                        "criminal outcomes", "list notifications",
                                        "safeguarding"])
    return detail


@dataclass
class OutcomesPanel:
    by_outcome: list[tuple[str, int]]
    barred: int
    advisory: int
    advisory_reviews_due: list[ListNotification]
    awaiting_outcome: int


def outcomes_panel_for(*, viewer: Any, today: date | None = None) -> OutcomesPanel:
    """Outcome counts over the viewer's reports only (the dashboard's need-to-know)."""
    today = today or datetime.now(UTC).date()
    report_list(viewer=viewer)  # raises PermissionDenied without the role (lazy: no query)
    # Need-to-know as report_list: the viewer's teams. Each table is read from its own (few)
    # rows with a per-report team check, not by joining every report the viewer may see.
    def on_team(report_field: str) -> Exists:
        return Exists(Report.team.through.objects.filter(report_id=OuterRef(report_field),
                                                         user=viewer))

    outcomes = ConductOutcome.objects.filter(on_team("investigation__report_id"))
    counts = dict(outcomes.values_list("outcome").annotate(n=Count("pk")))
    notes = ListNotification.objects.filter(on_team("investigation__report_id"))
    list_counts = dict(notes.values_list("kind").annotate(n=Count("pk")))
    soon = today.replace(year=today.year + 1) if not (today.month == 2 and today.day == 29) \
        else today.replace(year=today.year + 1, day=28)
    return OutcomesPanel(
        by_outcome=[(label, counts[value]) for value, label in Outcome.choices if value in counts],
        barred=list_counts.get(ListKind.BARRED, 0),
        advisory=list_counts.get(ListKind.ADVISORY, 0),
        advisory_reviews_due=list(notes.filter(kind=ListKind.ADVISORY, review_due_on__lte=soon)
                                  .select_related("investigation").order_by("review_due_on")[:20]),
        awaiting_outcome=Investigation.objects.exclude(forum="").filter(on_team("report_id"))
        .exclude(Exists(ConductOutcome.objects.filter(investigation_id=OuterRef("pk")))).count(),
    )
