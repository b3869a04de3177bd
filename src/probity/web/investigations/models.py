"""The investigation of a casework report and what came of it (Police (Conduct) Regs 2020).

One Investigation per report (opened on the first thing recorded). Severity and the forum are
decided for the case by the appropriate authority; departures, outcomes, criminal outcomes and
Barred / Advisory List notifications are per subject (a staff id on the report); safeguarding
actions are per victim (a person on the report).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from probity.web.investigations.rules import (
    CriminalOutcomeKind,
    Finding,
    Forum,
    ListKind,
    Offence,
    Outcome,
    SafeguardingKind,
    Severity,
    SubjectLeft,
)

_USER = settings.AUTH_USER_MODEL


class Investigation(models.Model):
    report = models.OneToOneField("casework.Report", on_delete=models.PROTECT,
                                  related_name="investigation")
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(max_length=20, choices=Severity.choices, blank=True, default="")
    severity_rationale = models.TextField(blank=True, default="")
    severity_assessed_on = models.DateField(null=True, blank=True)
    severity_assessed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True,
                                             blank=True, related_name="+")
    forum = models.CharField(max_length=10, choices=Forum.choices, blank=True, default="")
    forum_date = models.DateField(null=True, blank=True)
    forum_decided_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+")

    class Meta:
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity="") | models.Q(severity_assessed_on__isnull=False),
                name="investigation_severity_dated"),
            models.CheckConstraint(
                condition=models.Q(forum="") | ~models.Q(severity=""),
                name="investigation_forum_after_severity"),
        ]

    def __str__(self) -> str:
        return f"investigation of report {self.report_id}"


class LogEntry(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT,
                                      related_name="log_entries")
    investigator = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    entry_date = models.DateField()
    entry = models.TextField()
    recorded_at = models.DateTimeField()

    class Meta:
        default_permissions = ()
        ordering = ["entry_date", "pk"]

    def __str__(self) -> str:
        return f"log {self.pk} of {self.investigation_id}"


class SubjectDeparture(models.Model):
    """A subject resigned or retired while under investigation (proceedings may continue)."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT,
                                      related_name="departures")
    staff_id = models.CharField(max_length=64)
    how = models.CharField(max_length=10, choices=SubjectLeft.choices)
    left_on = models.DateField()
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["investigation", "staff_id"],
                                    name="departure_once_per_subject"),
            models.CheckConstraint(condition=~models.Q(how=""), name="departure_how_given"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.how}"


class ConductOutcome(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT,
                                      related_name="outcomes")
    staff_id = models.CharField(max_length=64)
    forum = models.CharField(max_length=10, choices=Forum.choices)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    finding = models.CharField(max_length=40, choices=Finding.choices)
    outcome = models.CharField(max_length=32, choices=Outcome.choices)
    final_written_warning_live = models.BooleanField(default=False)
    several_unconnected_incidents = models.BooleanField(default=False)
    subject_left = models.CharField(max_length=10, choices=SubjectLeft.choices, blank=True,
                                    default="")
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["investigation", "staff_id"],
                                               name="outcome_once_per_subject")]
        indexes = [models.Index(fields=["outcome"])]

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.outcome}"


class CriminalOutcome(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT,
                                      related_name="criminal_outcomes")
    staff_id = models.CharField(max_length=64)
    outcome = models.CharField(max_length=12, choices=CriminalOutcomeKind.choices)
    offence = models.CharField(max_length=40, choices=Offence.choices, blank=True, default="")
    offence_detail = models.CharField(max_length=200, blank=True, default="")
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        default_permissions = ()
        ordering = ["decided_on", "pk"]

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.outcome}"


class ListNotification(models.Model):
    """Notification to the College of Policing's Barred List or Advisory List."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT,
                                      related_name="list_notifications")
    staff_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=ListKind.choices)
    notified_on = models.DateField()
    review_due_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["investigation", "staff_id", "kind"],
                                               name="list_notification_once")]

    def __str__(self) -> str:
        return f"{self.staff_id} on the {self.kind} list"


class SafeguardingAction(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT,
                                      related_name="safeguarding")
    person = models.ForeignKey("casework.ReportPerson", on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField(max_length=20, choices=SafeguardingKind.choices)
    organisation = models.CharField(max_length=200, blank=True, default="")
    taken_on = models.DateField()
    taken_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True, default="")

    class Meta:
        default_permissions = ()
        ordering = ["taken_on", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} for person {self.person_id}"
