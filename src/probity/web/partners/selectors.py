"""Reads of partners and concerns, always for a viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import Http404

from probity.web.audit.services import access_log_record
from probity.web.partners.models import Concern, ConcernRoute, Partner

__all__ = ["PartnerRow", "concern_get_for", "concern_intake", "concern_visible", "no_contact_cutoff",
           "partner_get_for", "partner_list"]


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + (day.month - 1) - months, 12)
    month += 1
    for candidate in range(day.day, 0, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def no_contact_cutoff(*, today: date) -> date:
    """Partners with no engagement on or after this date are flagged (setting
    PROBITY_PARTNER_NO_CONTACT_MONTHS, default 6)."""
    months = int(getattr(settings, "PROBITY_PARTNER_NO_CONTACT_MONTHS", 6))
    return _months_before(today, months)


@dataclass(frozen=True)
class PartnerRow:
    partner: Partner
    last_contact: date | None
    no_recent_contact: bool
    isa_review_overdue: bool


def partner_list(*, viewer: Any, today: date | None = None) -> list[PartnerRow]:
    """Every partner with its last contact and the two flags: no contact since the cut-off
    (or never), and an information-sharing agreement past its review date."""
    if not viewer.has_perm("partners.view_partner"):
        raise PermissionDenied
    today = today or datetime.now(UTC).date()
    cutoff = no_contact_cutoff(today=today)
    rows = []
    for partner in Partner.objects.annotate(last_contact=Max("engagements__held_on")):
        last = partner.last_contact  # type: ignore[attr-defined]
        rows.append(PartnerRow(
            partner=partner, last_contact=last,
            no_recent_contact=last is None or last < cutoff,
            isa_review_overdue=partner.isa_review_on is not None and partner.isa_review_on < today))
    return rows


def partner_get_for(*, viewer: Any, partner_id: int) -> tuple[Partner, list[Any]]:
    """One partner and its engagement log; the view is logged (contacts are personal data)."""
    if not viewer.has_perm("partners.view_partner"):
        raise PermissionDenied
    with transaction.atomic():
        partner = Partner.objects.filter(pk=partner_id).first()
        if partner is None:
            raise Http404
        engagements = list(partner.engagements.select_related("recorded_by"))
        access_log_record(actor=viewer, action="view", object_type="partner",
                          object_id=partner.pk, purpose="partner registry",
                          fields_shown=["contacts", "isa", "engagements"])
    return partner, engagements


def _visible_concerns(viewer: Any) -> QuerySet[Concern]:
    if not viewer.has_perm("partners.view_concern"):
        raise PermissionDenied
    concerns = Concern.objects.all()
    if not viewer.has_perm("partners.view_internal_concern"):
        concerns = concerns.exclude(route=ConcernRoute.INTERNAL)
    return concerns


def concern_visible(*, viewer: Any, concern_id: int) -> bool:
    """Whether the viewer may open this concern (checked before asking for a purpose)."""
    return _visible_concerns(viewer).filter(pk=concern_id).exists()


def concern_intake(*, viewer: Any, status: str = Concern.Status.NEW) -> QuerySet[Concern]:
    """The intake queue: concerns in `status`, oldest first (internal reports only for those
    who may read them). The list shows reference, route and arrival only."""
    return _visible_concerns(viewer).filter(status=status).order_by("received_at")


def concern_get_for(*, viewer: Any, concern_id: int, purpose: str) -> Concern:
    """One concern in full; the view is logged with its purpose. A concern the viewer may not
    read is not found."""
    with transaction.atomic():
        concern = _visible_concerns(viewer).filter(pk=concern_id).first()
        if concern is None:
            raise Http404
        access_log_record(actor=viewer, action="view", object_type="concern",
                          object_id=concern.pk, purpose=purpose,
                          fields_shown=["reporter", "about", "narrative", "additions"])
    return concern
