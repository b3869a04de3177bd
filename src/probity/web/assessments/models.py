"""Judgement sections: one current text per (year, section), with every earlier text kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from probity.reports.judgements import SECTION_TITLES

SECTION_CHOICES = list(SECTION_TITLES.items())


class JudgementSection(models.Model):
    """The analyst's text for one section of one year's assessment."""

    year = models.PositiveSmallIntegerField()
    section = models.CharField(max_length=40, choices=SECTION_CHOICES)
    text = models.TextField(blank=True, default="")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        permissions = [("write_judgement", "Can write threat assessment judgement sections")]
        constraints = [models.UniqueConstraint(fields=["year", "section"],
                                               name="judgement_one_per_year_section")]
        ordering = ["-year", "section"]

    def __str__(self) -> str:
        return f"{self.year} {self.section}"


class JudgementRevision(models.Model):
    """A text as it stood before an edit replaced it (the history of a section)."""

    judgement = models.ForeignKey(JudgementSection, on_delete=models.PROTECT,
                                  related_name="revisions")
    text = models.TextField(blank=True, default="")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    saved_at = models.DateTimeField()

    class Meta:
        default_permissions = ()
        ordering = ["-saved_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.judgement} at {self.saved_at:%Y-%m-%d %H:%M}"
