"""Review items: one per device and catalogued app found on it; decisions on each.

Items come from app findings (`probity.apps.report.app_findings` over an extract, or the CSV
that `probity apps report` writes). The rules for decisions are `probity.apps.review`'s.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReviewStatus(models.TextChoices):
    APPROVED = "approved", "Approved for business use"
    EXCEPTION = "exception", "Exception (with an expiry)"
    REMOVAL_REQUIRED = "removal_required", "Removal required"
    REMOVED = "removed", "Removed"


class FindingsLoad(models.Model):
    """One load of findings, with the estate figures when they are known (from an extract)."""

    class Source(models.TextChoices):
        EXTRACT = "extract", "Force Extract"
        REPORT = "report", "probity apps report CSV"

    source = models.CharField(max_length=10, choices=Source.choices)
    source_path = models.TextField()
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    catalogue_version = models.PositiveIntegerField(null=True, blank=True)
    devices = models.PositiveIntegerField(null=True, blank=True)
    mobile_devices = models.PositiveIntegerField(null=True, blank=True)
    devices_with_inventory = models.PositiveIntegerField(null=True, blank=True)
    findings = models.PositiveIntegerField()

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.source} {self.loaded_at:%Y-%m-%d}"


class ReviewItem(models.Model):
    device_id = models.CharField(max_length=64)
    app_key = models.CharField(max_length=300, help_text="app id, trimmed and case-folded")
    app_id = models.CharField(max_length=300)
    app_name = models.CharField(max_length=300, blank=True, default="")
    staff_id = models.CharField(max_length=64, blank=True, default="")
    risk_class = models.CharField(max_length=40)
    reason = models.TextField(blank=True, default="")
    first_seen = models.DateField(null=True, blank=True)
    last_seen = models.DateField(null=True, blank=True)
    found_on = models.DateField(help_text="date of the load that first found it")
    last_load = models.ForeignKey(FindingsLoad, on_delete=models.PROTECT, related_name="items")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, blank=True,
                              default="", help_text="the latest decision; empty: not reviewed")
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["device_id", "app_key"]
        default_permissions = ("view",)
        permissions = [("review_app", "Can record app review decisions")]
        constraints = [models.UniqueConstraint(fields=["device_id", "app_key"],
                                               name="app_review_item_unique")]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["risk_class"])]

    def __str__(self) -> str:
        return f"{self.device_id} {self.app_id}"


class ReviewDecision(models.Model):
    item = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, related_name="decisions")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices)
    previous_status = models.CharField(max_length=20, blank=True, default="")
    reason = models.TextField()
    expires_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_on", "pk"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.item} {self.status} {self.decided_on}"
