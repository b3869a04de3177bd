"""Partner organisations, the engagement log, and concerns passed to the unit.

A concern stores only what the reporter entered (plus when it arrived and its reference);
the address a submission came from is kept apart, as a keyed digest, only to limit floods,
and is deleted after a day (ConcernAttempt).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PartnerType(models.TextChoices):
    DOMESTIC_ABUSE_SERVICE = "domestic_abuse_service", "Domestic abuse service"
    SEXUAL_VIOLENCE_SERVICE = "sexual_violence_service", "Sexual violence service"
    SEX_WORKER_SUPPORT = "sex_worker_support", "Sex-worker support"
    MASH = "mash", "Multi-agency safeguarding hub (MASH)"
    WITNESS_CARE = "witness_care", "Witness care"
    OTHER = "other", "Other"


class EngagementKind(models.TextChoices):
    BRIEFING = "briefing", "Briefing delivered"
    INPUT = "input", "Input or training delivered"
    MEETING = "meeting", "Meeting"
    OTHER = "other", "Other contact"


class Partner(models.Model):
    name = models.CharField(max_length=200, unique=True)
    partner_type = models.CharField(max_length=40, choices=PartnerType.choices)
    area = models.CharField(max_length=200)
    contacts = models.TextField(blank=True, default="",
                                help_text="Named contacts and how to reach them")
    isa_reference = models.CharField(max_length=100, blank=True, default="",
                                     help_text="Information-sharing agreement reference")
    isa_review_on = models.DateField(null=True, blank=True,
                                     help_text="When the information-sharing agreement is due "
                                               "for review")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        default_permissions = ("view", "add", "change")

    def __str__(self) -> str:
        return self.name


class Engagement(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="engagements")
    kind = models.CharField(max_length=16, choices=EngagementKind.choices)
    topic = models.CharField(max_length=300)
    audience = models.CharField(max_length=300)
    held_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-pk"]
        default_permissions = ("view", "add")
        indexes = [models.Index(fields=["partner", "held_on"])]

    def __str__(self) -> str:
        return f"{self.partner} {self.held_on} {self.topic}"


class ConcernRoute(models.TextChoices):
    PARTNER = "partner", "Partner organisation"
    PUBLIC = "public", "Member of the public"
    INTERNAL = "internal", "Confidential internal report (staff)"


class Concern(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        RECORDED = "recorded", "Recorded as a report"
        CLOSED = "closed", "Closed without a report"

    reference = models.CharField(max_length=20, unique=True)
    route = models.CharField(max_length=16, choices=ConcernRoute.choices)
    received_at = models.DateTimeField()
    anonymous = models.BooleanField(default=False)
    reporter_name = models.CharField(max_length=200, blank=True, default="")
    reporter_contact = models.CharField(max_length=200, blank=True, default="")
    organisation = models.CharField(max_length=200, blank=True, default="")
    about = models.CharField(max_length=500, help_text="Who the concern is about, as entered")
    narrative = models.TextField()
    # Internal route only, and only when the reporter did not choose to be anonymous.
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    report = models.OneToOneField("casework.Report", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="concern")
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-received_at"]
        default_permissions = ("view",)
        permissions = [("view_internal_concern", "Can read confidential internal reports"),
                       ("record_concern", "Can record a concern as a casework report")]
        indexes = [models.Index(fields=["route", "status"])]

    def __str__(self) -> str:
        return self.reference


class ConcernAddition(models.Model):
    """More information the reporter added later, quoting the receipt reference."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="additions")
    text = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["received_at"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.concern} +{self.pk}"


class ConcernAttempt(models.Model):
    """One submission to a public form, for flood limiting: a keyed digest of the address."""

    address_digest = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.address_digest[:8]} {self.at}"
