"""Copies of the extract tables the web app needs to show who is who.

Identifiers are the extract's own opaque ids (the extract was validated before loading, so
its references hold); loading replaces these tables as a whole, in one transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExtractLoad(models.Model):
    force_code = models.CharField(max_length=16)
    force_name = models.CharField(max_length=200, blank=True, default="")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    source_path = models.TextField()
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    row_counts = models.JSONField(default=dict)

    class Meta:
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.force_code} loaded {self.loaded_at:%Y-%m-%d}"


class Unit(models.Model):
    unit_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    function = models.CharField(max_length=32)
    parent_unit_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        default_permissions = ("view",)

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    post_id = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    unit_id = models.CharField(max_length=64)
    required_vetting = models.CharField(max_length=8)

    class Meta:
        default_permissions = ("view",)

    def __str__(self) -> str:
        return self.title


class StaffMember(models.Model):
    staff_id = models.CharField(max_length=64, unique=True)
    forename = models.CharField(max_length=200)
    surname = models.CharField(max_length=200)
    staff_type = models.CharField(max_length=32)
    rank = models.CharField(max_length=100, blank=True, default="")
    unit_id = models.CharField(max_length=64)
    post_id = models.CharField(max_length=64, blank=True, default="")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        default_permissions = ("view",)

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        rank = f"{self.rank} " if self.rank else ""
        return f"{rank}{self.forename} {self.surname} ({self.staff_id})"


class VettingClearance(models.Model):
    staff_id = models.CharField(max_length=64, db_index=True)
    level = models.CharField(max_length=8)
    status = models.CharField(max_length=16)
    decided_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.staff_id} {self.level} {self.status}"


class Nominal(models.Model):
    nominal_id = models.CharField(max_length=64, unique=True)
    forename = models.CharField(max_length=200, blank=True, default="")
    surname = models.CharField(max_length=200, blank=True, default="")
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=16, blank=True, default="")
    postcode = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        default_permissions = ("view",)

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.forename} {self.surname}".strip() or "(no name recorded)"
        return f"{name} ({self.nominal_id})"


class NominalFlag(models.Model):
    nominal_id = models.CharField(max_length=64, db_index=True)
    flag = models.CharField(max_length=32)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)

    class Meta:
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.nominal_id} {self.flag}"
