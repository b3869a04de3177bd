"""The vetting unit's own records, beside the register copied from the extract.

The register itself (posts with required levels, clearances) is the workforce app's copy of
the extract (`probity.web.workforce.models.Post`, `VettingClearance`). This app adds:

- `RegisterChangeRecord`: every change to the register or to the records below, with who,
  when and what (before and after). Never updated or deleted by the app (decision 0092).
- `VettingAssessment` and `AssessmentEvent`: vetting and withdrawal assessments moving
  through the allowed-transition table (`transitions.py`), each step with its rationale.
- `RevettingTrigger`: reasons to re-vet (misconduct short of dismissal, complaint pattern,
  screening finding, aftercare concern).
- `AftercareRecord`: change-of-circumstances reports and annual integrity reviews.

Rows are written only by `services.py`; reads go through `selectors.py` with the viewer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from probity.extract.schema import VETTING_LEVEL_ORDER
from probity.web.vetting_register.transitions import ACTIONS, KINDS, STATUSES

LEVEL_CHOICES = [(level, level.upper()) for level in VETTING_LEVEL_ORDER]


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ").capitalize()) for v in values]


class VettingAssessment(models.Model):
    class Reason(models.TextChoices):
        INITIAL = "initial", "Initial vetting"
        RENEWAL = "renewal", "Renewal"
        REVETTING = "revetting", "Re-vetting (trigger)"
        POST_CHANGE = "post_change", "Move to a post needing a higher level"
        AFTERCARE = "aftercare", "Aftercare concern"

    staff_id = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=16, choices=_choices(KINDS))
    reason = models.CharField(max_length=16, choices=Reason.choices)
    level = models.CharField(max_length=8, choices=LEVEL_CHOICES)
    status = models.CharField(max_length=24, choices=_choices(STATUSES), default="open")
    opened_on = models.DateField()
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    mitigation = models.TextField(blank=True, default="")
    trigger = models.ForeignKey("RevettingTrigger", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="assessments")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = ()
        permissions = [
            ("view_compliance", "See vetting compliance figures (counts, no names)"),
            ("view_register", "See the vetting register and people's vetting records"),
            ("change_register", "Record vetting decisions, appeals, aftercare and triggers"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} assessment {self.pk} of {self.staff_id} ({self.status})"


class AssessmentEvent(models.Model):
    assessment = models.ForeignKey(VettingAssessment, on_delete=models.PROTECT,
                                   related_name="events")
    action = models.CharField(max_length=24, choices=_choices(("open", *ACTIONS)))
    from_status = models.CharField(max_length=24, blank=True, default="")
    to_status = models.CharField(max_length=24)
    rationale = models.TextField()
    effective_on = models.DateField()
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")

    class Meta:
        default_permissions = ()
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} -> {self.to_status}"


class RevettingTrigger(models.Model):
    class Kind(models.TextChoices):
        MISCONDUCT_UPHELD = "misconduct_upheld", "Misconduct outcome short of dismissal"
        COMPLAINT_PATTERN = "complaint_pattern", "Complaint pattern"
        SCREENING_FINDING = "screening_finding", "Screening finding (probity link)"
        AFTERCARE_CONCERN = "aftercare_concern", "Aftercare concern"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ASSESSMENT_OPENED = "assessment_opened", "Assessment opened"
        NO_ACTION = "no_action", "No action (reason recorded)"

    staff_id = models.CharField(max_length=64, db_index=True)
    trigger = models.CharField(max_length=24, choices=Kind.choices)
    occurred_on = models.DateField(null=True, blank=True)
    detail = models.TextField()
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(blank=True, default="")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.staff_id} {self.trigger}"


class AftercareRecord(models.Model):
    class Kind(models.TextChoices):
        CHANGE_OF_CIRCUMSTANCES = "change_of_circumstances", "Change of circumstances report"
        ANNUAL_INTEGRITY_REVIEW = "annual_integrity_review", "Annual integrity review"

    class Outcome(models.TextChoices):
        NO_CONCERN = "no_concern", "No concern"
        CONCERN = "concern", "Concern: re-vetting trigger raised"

    staff_id = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    occurred_on = models.DateField()
    summary = models.TextField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    trigger = models.OneToOneField(RevettingTrigger, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="aftercare")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.staff_id} {self.kind} {self.occurred_on}"


class RegisterChangeRecord(models.Model):
    """One change: to the register by an extract load, or to a vetting record by a person."""

    class Source(models.TextChoices):
        EXTRACT_LOAD = "extract_load", "Extract load"
        ASSESSMENT = "assessment", "Assessment"
        TRIGGER = "trigger", "Re-vetting trigger"
        AFTERCARE = "aftercare", "Aftercare"

    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    extract_load = models.ForeignKey("workforce.ExtractLoad", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    staff_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    entity = models.CharField(max_length=24)      # post, clearance, staff_post, assessment, ...
    key = models.CharField(max_length=200)
    change = models.CharField(max_length=16)      # added, removed, changed
    field = models.CharField(max_length=64, blank=True, default="")
    before = models.TextField(blank=True, default="")
    after = models.TextField(blank=True, default="")

    class Meta:
        default_permissions = ()
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.entity} {self.key} {self.change} {self.field}"
