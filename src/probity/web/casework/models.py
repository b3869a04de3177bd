"""Corruption reports: what came in, how it is recorded and graded, who it is about."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from probity.web.casework.categories import (
    HandlingCode,
    IntelligenceAssessment,
    InvestigationMode,
    IopcDecision,
    NationalCategory,
    PersonRole,
    ReportSource,
    SourceEvaluation,
)


class Report(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    source = models.CharField(max_length=40, choices=ReportSource.choices)
    national_category = models.CharField(max_length=40, choices=NationalCategory.choices)
    # Abuse of position for a sexual purpose: recorded within sexual misconduct only.
    abuse_of_position_sexual_purpose = models.BooleanField(default=False)
    source_evaluation = models.CharField(max_length=1, choices=SourceEvaluation.choices)
    intelligence_assessment = models.CharField(max_length=1,
                                               choices=IntelligenceAssessment.choices)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices)
    legacy_grading = models.CharField(max_length=20, blank=True, default="",
                                      help_text="5x5x5 grading of a legacy record, as written")
    narrative = models.TextField()
    received_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    source_alert = models.OneToOneField("alerts.Alert", on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="report")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="report_teams",
                                  blank=True)
    # IOPC mandatory referral (reg 4 / reg 7): the criteria met and when that became clear.
    referral_criteria = models.JSONField(default=list, blank=True)
    referral_identified_at = models.DateTimeField(null=True, blank=True)
    referral_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [("refer_report", "Can decide and record IOPC referral"),
                       ("submit_concern", "Can submit a partner concern")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(abuse_of_position_sexual_purpose=False)
                           | models.Q(national_category="sexual_misconduct")),
                name="report_apsp_within_sexual_misconduct",
            ),
        ]
        indexes = [models.Index(fields=["national_category", "status"]),
                   # the dashboard's referral lists: only reports with a deadline
                   models.Index(fields=["referral_due_at"], name="report_referral_due_idx",
                                condition=models.Q(referral_due_at__isnull=False)),
                   # the report list, newest first
                   models.Index(fields=["-created_at", "-id"], name="report_recent_idx")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"R{self.pk:06d}"

    @property
    def grading(self) -> str:
        return f"{self.source_evaluation}{self.intelligence_assessment}{self.handling_code}"


class ReportSubject(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="subjects")
    staff_id = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["report", "staff_id"],
                                               name="report_subject_unique")]

    def __str__(self) -> str:
        return f"{self.staff_id} on {self.report_id}"


class ReportPerson(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="persons")
    nominal_id = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=200, blank=True, default="")
    role = models.CharField(max_length=16, choices=PersonRole.choices)
    vulnerability = models.JSONField(default=list, blank=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.role} on {self.report_id}"


class ReportEvidence(models.Model):
    """Evidence carried over from an alert when it is developed as intelligence."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
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
        return f"{self.indicator} on {self.report_id}"


class Referral(models.Model):
    """A referral of a report to the IOPC and the IOPC's decision; a re-referral is another row."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="referrals")
    referred_at = models.DateTimeField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    criteria = models.JSONField(default=list)
    is_re_referral = models.BooleanField(default=False)
    reason = models.TextField(blank=True, default="")
    decision = models.CharField(max_length=20, choices=IopcDecision.choices,
                                default=IopcDecision.PENDING)
    mode = models.CharField(max_length=12, choices=InvestigationMode.choices, blank=True,
                            default="")
    decided_on = models.DateField(null=True, blank=True)
    decision_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                             null=True, blank=True, related_name="+")

    class Meta:
        default_permissions = ()
        ordering = ["referred_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(decision="investigation", decided_on__isnull=False)
                           & ~models.Q(mode=""))
                | (models.Q(decision="no_investigation", mode="", decided_on__isnull=False))
                | models.Q(decision="pending", mode="", decided_on__isnull=True),
                name="referral_decision_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk} of {self.report_id}"

    @property
    def is_legacy_mode(self) -> bool:
        return self.mode in ("managed", "supervised")
