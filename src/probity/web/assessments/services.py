"""Writes of judgement sections: every save keeps the previous text and is logged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from probity.reports.judgements import SECTION_TITLES
from probity.web.assessments.access import can_write
from probity.web.assessments.models import JudgementRevision, JudgementSection
from probity.web.audit.services import access_log_record
from probity.web.core.errors import InvalidInput, NotPermitted

__all__ = ["MAX_TEXT", "judgement_save"]

MAX_TEXT = 20_000


def judgement_save(*, actor: Any, year: int, section: str, text: str,
                   now: datetime | None = None) -> JudgementSection:
    """Set the analyst's text of one section of one year's assessment."""
    if not can_write(actor):
        raise NotPermitted("You may not write threat assessment judgements.")
    errors = {}
    if section not in SECTION_TITLES:
        errors["section"] = f"Unknown section {section!r}."
    if not 1990 <= year <= 2200:
        errors["year"] = f"{year} is not a year this service reports on."
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        errors["text"] = f"Keep the text under {MAX_TEXT:,} characters (it has {len(text):,})."
    if errors:
        raise InvalidInput(errors)
    now = now or datetime.now(UTC)
    with transaction.atomic():
        judgement = (JudgementSection.objects.select_for_update()
                     .filter(year=year, section=section).first())
        if judgement is None:
            judgement = JudgementSection.objects.create(year=year, section=section, text=text,
                                                        author=actor, updated_at=now)
            action = "create"
        else:
            if judgement.text == text:
                return judgement
            JudgementRevision.objects.create(judgement=judgement, text=judgement.text,
                                             author_id=judgement.author_id,
                                             saved_at=judgement.updated_at)
            judgement.text, judgement.author, judgement.updated_at = text, actor, now
            judgement.save(update_fields=["text", "author", "updated_at"])
            action = "change"
        access_log_record(actor=actor, action=action, object_type="judgement",
                          object_id=f"{year}:{section}", fields_shown=["text"])
    return judgement
