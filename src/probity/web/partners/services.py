"""Every change to partners, engagements and concerns, with the actor explicit.

Each service validates all its input before writing (InvalidInput names every field) and
writes the access-log entry in the same transaction as the change.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from probity.web.audit.services import access_log_record
from probity.web.casework.categories import ReportSource
from probity.web.casework.models import Report
from probity.web.casework.services import report_create
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted
from probity.web.partners.models import (
    Concern,
    ConcernAddition,
    ConcernAttempt,
    ConcernRoute,
    Engagement,
    EngagementKind,
    Partner,
    PartnerType,
)

__all__ = ["CONCERN_LIMITS", "concern_submit", "concern_add_information", "concern_record_report",
           "concern_throttled", "concern_attempt_record", "engagement_create", "partner_create",
           "partner_update"]

# Longest value accepted per field (characters); longer is refused, never truncated.
CONCERN_LIMITS = {"reporter_name": 200, "reporter_contact": 200, "organisation": 200,
                  "about": 500, "narrative": 10000, "text": 10000}
_PARTNER_LIMITS = {"name": 200, "area": 200, "contacts": 2000, "isa_reference": 100}
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I  # pragma: allowlist secret (the alphabet of public reference codes)
_SOURCE_BY_ROUTE = {ConcernRoute.PARTNER: ReportSource.PARTNER_CONCERN,
                    ConcernRoute.PUBLIC: ReportSource.PUBLIC_COMPLAINT,
                    ConcernRoute.INTERNAL: ReportSource.CONFIDENTIAL_INTERNAL_REPORT}


def _too_long(values: dict[str, str], limits: dict[str, int]) -> dict[str, str]:
    return {name: f"Must be {limits[name]:,} characters or fewer"
            for name, value in values.items() if name in limits and len(value) > limits[name]}


def _partner_errors(*, name: str, partner_type: str, area: str, contacts: str,
                    isa_reference: str, isa_review_on: date | None) -> dict[str, str]:
    errors = _too_long({"name": name, "area": area, "contacts": contacts,
                        "isa_reference": isa_reference}, _PARTNER_LIMITS)
    if not name.strip():
        errors["name"] = "Enter the organisation's name"
    if partner_type not in PartnerType.values:
        errors["partner_type"] = "Select the type of organisation"
    if not area.strip():
        errors["area"] = "Enter the area the organisation covers"
    if isa_reference.strip() and isa_review_on is None:
        errors["isa_review_on"] = "Enter when the information-sharing agreement is reviewed"
    return errors


def partner_create(*, actor: Any, name: str, partner_type: str, area: str, contacts: str = "",
                   isa_reference: str = "", isa_review_on: date | None = None) -> Partner:
    if not actor.has_perm("partners.add_partner"):
        raise NotPermitted("your role may not add partner organisations")
    errors = _partner_errors(name=name, partner_type=partner_type, area=area, contacts=contacts,
                             isa_reference=isa_reference, isa_review_on=isa_review_on)
    if not errors.get("name") and Partner.objects.filter(name__iexact=name.strip()).exists():
        errors["name"] = "A partner with this name is already registered"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        partner = Partner.objects.create(
            name=name.strip(), partner_type=partner_type, area=area.strip(),
            contacts=contacts.strip(), isa_reference=isa_reference.strip(),
            isa_review_on=isa_review_on, created_by=actor, created_at=datetime.now(UTC))
        access_log_record(actor=actor, action="create", object_type="partner",
                          object_id=partner.pk, purpose="partner registry",
                          fields_shown=["name", "type", "area", "contacts", "isa"])
    return partner


def partner_update(*, actor: Any, partner: Partner, contacts: str, isa_reference: str,
                   isa_review_on: date | None) -> Partner:
    """Change a partner's contacts and information-sharing agreement."""
    if not actor.has_perm("partners.change_partner"):
        raise NotPermitted("your role may not change partner organisations")
    errors = _partner_errors(name=partner.name, partner_type=partner.partner_type,
                             area=partner.area, contacts=contacts, isa_reference=isa_reference,
                             isa_review_on=isa_review_on)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        locked.contacts = contacts.strip()
        locked.isa_reference = isa_reference.strip()
        locked.isa_review_on = isa_review_on
        locked.save(update_fields=["contacts", "isa_reference", "isa_review_on"])
        access_log_record(actor=actor, action="change", object_type="partner",
                          object_id=locked.pk, purpose="partner registry",
                          fields_shown=["contacts", "isa"])
    return locked


def engagement_create(*, actor: Any, partner: Partner, kind: str, topic: str, audience: str,
                      held_on: date | None) -> Engagement:
    """Record a briefing, input or other contact with a partner."""
    if not actor.has_perm("partners.add_engagement"):
        raise NotPermitted("your role may not record engagements")
    errors = _too_long({"topic": topic, "audience": audience}, {"topic": 300, "audience": 300})
    if kind not in EngagementKind.values:
        errors["kind"] = "Select what kind of engagement it was"
    if not topic.strip():
        errors["topic"] = "Enter the topic"
    if not audience.strip():
        errors["audience"] = "Enter the audience"
    if held_on is None:
        errors["held_on"] = "Enter the date, for example 2026-03-31"
    elif held_on > datetime.now(UTC).date():
        errors["held_on"] = "The date must be today or in the past"
    if errors:
        raise InvalidInput(errors)
    assert held_on is not None
    with transaction.atomic():
        engagement = Engagement.objects.create(
            partner=partner, kind=kind, topic=topic.strip(), audience=audience.strip(),
            held_on=held_on, recorded_by=actor, recorded_at=datetime.now(UTC))
        access_log_record(actor=actor, action="create", object_type="partner",
                          object_id=partner.pk, purpose="engagement log",
                          fields_shown=[f"engagement={engagement.pk}"])
    return engagement


# ---- concerns ------------------------------------------------------------------------------

def _address_digest(address: str | None) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, (address or "unknown").encode("utf-8"), hashlib.sha256).hexdigest()


def concern_throttled(*, address: str | None) -> bool:
    """True when this address has used the public forms too often within the last hour."""
    limit = int(getattr(settings, "PROBITY_CONCERN_MAX_PER_HOUR", 5))
    since = datetime.now(UTC) - timedelta(hours=1)
    return ConcernAttempt.objects.filter(address_digest=_address_digest(address),
                                         at__gte=since).count() >= limit


def concern_attempt_record(*, address: str | None) -> None:
    """Count one use of a public form (valid or not) against the address's hourly limit."""
    now = datetime.now(UTC)
    with transaction.atomic():
        ConcernAttempt.objects.create(address_digest=_address_digest(address), at=now)
        ConcernAttempt.objects.filter(at__lt=now - timedelta(days=1)).delete()


def _new_reference() -> str:
    while True:
        body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(12))
        reference = f"PC-{body[:4]}-{body[4:8]}-{body[8:]}"
        if not Concern.objects.filter(reference=reference).exists():
            return reference


def concern_fields_validate(*, route: str, anonymous: bool, reporter_name: str,
                            reporter_contact: str, organisation: str, about: str,
                            narrative: str) -> dict[str, str]:
    errors = _too_long({"reporter_name": reporter_name, "reporter_contact": reporter_contact,
                        "organisation": organisation, "about": about, "narrative": narrative},
                       CONCERN_LIMITS)
    if route not in ConcernRoute.values:
        errors["route"] = "Select who is reporting"
    if not about.strip() and "about" not in errors:
        errors["about"] = "Tell us who the concern is about (name, rank, collar number, station)"
    if not narrative.strip() and "narrative" not in errors:
        errors["narrative"] = "Describe the concern"
    if anonymous and (reporter_name.strip() or reporter_contact.strip()):
        errors["anonymous"] = ("You chose to stay anonymous: leave your name and contact "
                               "details empty, or untick the anonymous option")
    if route == ConcernRoute.PARTNER and not organisation.strip() and "organisation" not in errors:
        errors["organisation"] = "Enter the organisation you work for"
    return errors


def concern_submit(*, route: str, anonymous: bool, reporter_name: str = "",
                   reporter_contact: str = "", organisation: str = "", about: str,
                   narrative: str, actor: Any = None) -> Concern:
    """Store a concern from the public form (actor None) or the internal route (actor: the
    signed-in member of staff). Only what the reporter entered is stored; on the internal
    route the reporter's account is kept unless they chose to be anonymous."""
    if route == ConcernRoute.INTERNAL:
        if actor is None or not getattr(actor, "is_authenticated", False):
            raise NotPermitted("the internal route is for signed-in staff")
    elif actor is not None and getattr(actor, "is_authenticated", False):
        # A signed-in user on the public form is still recorded as the form's user: nobody.
        actor = None
    errors = concern_fields_validate(route=route, anonymous=anonymous,
                                     reporter_name=reporter_name,
                                     reporter_contact=reporter_contact,
                                     organisation=organisation, about=about, narrative=narrative)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        concern = Concern.objects.create(
            reference=_new_reference(), route=route, received_at=datetime.now(UTC),
            anonymous=anonymous, reporter_name=reporter_name.strip(),
            reporter_contact=reporter_contact.strip(), organisation=organisation.strip(),
            about=about.strip(), narrative=narrative.strip(),
            submitted_by=actor if route == ConcernRoute.INTERNAL and not anonymous else None)
        access_log_record(actor=actor if concern.submitted_by_id else None, action="create",
                          object_type="concern", object_id=concern.pk,
                          purpose=f"concern received ({route})",
                          fields_shown=["about", "narrative"])
    return concern


def concern_add_information(*, reference: str, text: str) -> bool:
    """Add information to a concern by its receipt reference. Returns whether it was added;
    callers must not tell the sender which (a reference is not confirmed to exist)."""
    if not text.strip():
        raise InvalidInput({"text": "Enter the information to add"})
    if len(text) > CONCERN_LIMITS["text"]:
        raise InvalidInput({"text": f"Must be {CONCERN_LIMITS['text']:,} characters or fewer"})
    with transaction.atomic():
        concern = Concern.objects.filter(reference=reference.strip().upper()).first()
        if concern is None or concern.route == ConcernRoute.INTERNAL:
            return False
        ConcernAddition.objects.create(concern=concern, text=text.strip(),
                                       received_at=datetime.now(UTC))
        access_log_record(actor=None, action="change", object_type="concern",
                          object_id=concern.pk, purpose="reporter added information",
                          fields_shown=["addition"])
    return True


def concern_record_report(*, actor: Any, concern: Concern, national_category: str,
                          subjects: Sequence[str], source_evaluation: str,
                          intelligence_assessment: str, handling_code: str,
                          purpose: str) -> Report:
    """An analyst records the concern as a casework report (source by route: partner
    concern, public complaint or confidential internal report); the grading, category and
    subjects are the analyst's, the narrative is the reporter's words."""
    if not actor.has_perm("partners.record_concern"):
        raise NotPermitted("your role may not record concerns as reports")
    if concern.route == ConcernRoute.INTERNAL and not actor.has_perm(
            "partners.view_internal_concern"):
        raise NotPermitted("confidential internal reports are restricted")
    additions = "".join(f"\n\nAdded {a.received_at:%Y-%m-%d %H:%M} UTC:\n{a.text}"
                        for a in concern.additions.all())
    narrative = (f"Concern {concern.reference} ({concern.get_route_display()}). About: "
                 f"{concern.about}\n\n{concern.narrative}{additions}")
    with transaction.atomic():
        locked = Concern.objects.select_for_update().get(pk=concern.pk)
        if locked.status != Concern.Status.NEW:
            raise InvalidTransition("this concern has already been dealt with")
        report = report_create(
            actor=actor, source=_SOURCE_BY_ROUTE[ConcernRoute(locked.route)],
            national_category=national_category, abuse_of_position_sexual_purpose=False,
            source_evaluation=source_evaluation,
            intelligence_assessment=intelligence_assessment, handling_code=handling_code,
            narrative=narrative[:20000], received_on=locked.received_at.date(),
            subjects=list(subjects))
        locked.status = Concern.Status.RECORDED
        locked.report = report
        locked.handled_by = actor
        locked.save(update_fields=["status", "report", "handled_by"])
        access_log_record(actor=actor, action="change", object_type="concern",
                          object_id=locked.pk, purpose=purpose,
                          fields_shown=[f"report={report.pk}"])
    return report
