"""Reads of judgement sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from probity.web.assessments.models import JudgementRevision, JudgementSection

__all__ = ["JudgementView", "judgements_for_year", "judgement_get", "judgement_history"]


@dataclass(frozen=True)
class JudgementView:
    section: str
    text: str
    author: str
    updated_at: datetime


def judgements_for_year(*, year: int) -> list[JudgementView]:
    """The year's judgement texts, for the report (no viewer: the report holds no casework)."""
    rows = JudgementSection.objects.filter(year=year).select_related("author")
    return [JudgementView(section=j.section, text=j.text, author=_name(j.author),
                          updated_at=j.updated_at) for j in rows if j.text.strip()]


def judgement_get(*, year: int, section: str) -> JudgementSection | None:
    return JudgementSection.objects.filter(year=year, section=section).select_related("author").first()


def judgement_history(*, judgement: JudgementSection) -> list[JudgementRevision]:
    return list(judgement.revisions.select_related("author"))


def _name(user: Any) -> str:
    full = (user.get_full_name() or "").strip()
    return full or user.get_username()
