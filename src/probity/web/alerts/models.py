"""Scan runs, their alerts (one per ranked subject) and the evidence behind each alert."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScanRun(models.Model):
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    ranked_file = models.TextField()
    ranked_sha256 = models.CharField(max_length=64)
    evidence_file = models.TextField()
    evidence_sha256 = models.CharField(max_length=64)
    alert_count = models.PositiveIntegerField()
    evidence_count = models.PositiveIntegerField()
    # Alerts with a score above 0 (the queue's size before any triage): counted once at load,
    # so the queue's count is this minus the few triaged, not a count over every alert.
    # Null for runs loaded before it existed (counted on first use).
    scored_count = models.PositiveIntegerField(null=True, blank=True)
    # Ranks are 1..N and scores never rise with rank (as `probity scan` writes them): the
    # queue's order is then rank order, and any page starts by rank, not by OFFSET.
    ranked_by_score = models.BooleanField(null=True, blank=True)
    # Random per run: pseudonyms are stable within a run and reveal nothing across runs.
    pseudonym_salt = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"scan run {self.pk} ({self.loaded_at:%Y-%m-%d %H:%M})"


class Alert(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "Awaiting triage"
        DEVELOPED = "developed", "Developed as intelligence"
        NO_FURTHER_ACTION = "no_further_action", "No further action"

    scan_run = models.ForeignKey(ScanRun, on_delete=models.PROTECT, related_name="alerts")
    staff_id = models.CharField(max_length=64)
    pseudonym = models.CharField(max_length=32)
    rank = models.PositiveIntegerField()
    score = models.FloatField()
    reasons = models.TextField(blank=True, default="")
    persons_of_concern = models.JSONField(default=list)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, default="")

    class Meta:
        default_permissions = ("view",)
        permissions = [("triage_alert", "Can triage alerts (reveal subject, decide)")]
        constraints = [
            models.UniqueConstraint(fields=["scan_run", "staff_id"], name="alert_unique_subject"),
            models.UniqueConstraint(fields=["scan_run", "rank"], name="alert_unique_rank"),
        ]
        indexes = [models.Index(fields=["status", "score"]),
                   models.Index(fields=["scan_run", "rank"]),
                   # the queue: filter, count and order straight from one index
                   models.Index(fields=["scan_run", "status", "-score", "rank"],
                                name="alert_queue_idx"),
                   models.Index(fields=["staff_id"], name="alert_staff_idx")]

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.pseudonym})"


class AlertEvidence(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.CharField(max_length=64)
    nominal_id = models.CharField(max_length=64, blank=True, default="")
    incident_id = models.CharField(max_length=64, blank=True, default="")
    first_ts = models.DateTimeField(null=True, blank=True)
    last_ts = models.DateTimeField(null=True, blank=True)
    count = models.FloatField(default=1.0)
    weight = models.FloatField(default=0.0)
    detail = models.TextField(blank=True, default="")

    class Meta:
        default_permissions = ()
        ordering = ["first_ts", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator} ({self.alert_id})"


class WatchListEntry(models.Model):
    """A subject under monitoring: every alert about them is surfaced whatever its rank."""

    staff_id = models.CharField(max_length=64, db_index=True)
    reason = models.TextField()
    expires_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    end_reason = models.TextField(blank=True, default="")

    class Meta:
        default_permissions = ()
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"watch {self.staff_id} until {self.expires_on}"
