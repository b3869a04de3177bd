"""Partner registry and engagement pages; the public concern form; the internal route;
the analysts' concern intake. Views hold no rules: services and selectors do."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from probity.web.accounts.throttle import client_ip
from probity.web.audit.services import access_log_record
from probity.web.casework.categories import (
    HandlingCode,
    IntelligenceAssessment,
    NationalCategory,
    SourceEvaluation,
)
from probity.web.core.access import requires, signed_in
from probity.web.core.errors import InvalidInput, InvalidTransition
from probity.web.core.purpose import purpose_gate
from probity.web.partners.models import ConcernRoute, EngagementKind, PartnerType
from probity.web.partners.selectors import (
    concern_get_for,
    concern_intake,
    concern_visible,
    no_contact_cutoff,
    partner_get_for,
    partner_list,
)
from probity.web.partners.services import (
    CONCERN_LIMITS,
    concern_add_information,
    concern_attempt_record,
    concern_record_report,
    concern_submit,
    concern_throttled,
    engagement_create,
    partner_create,
    partner_update,
)

HONEYPOT = "website"  # hidden from people (and screen readers); bots fill it in


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _text(request: HttpRequest, name: str) -> str:
    return str(request.POST.get(name, ""))


# ---- partner registry (partner liaison) ----------------------------------------------------

@require_GET
@requires("partners.view_partner")
def partner_list_view(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        rows = partner_list(viewer=request.user)
        access_log_record(actor=request.user, action="search", object_type="partner",
                          object_id="list", purpose="partner registry",
                          fields_shown=["name", "type", "area", "last_contact", "isa_review"])
    today = datetime.now(UTC).date()
    return render(request, "partners/partner_list.html", {
        "rows": rows, "cutoff": no_contact_cutoff(today=today),
        "months": settings.PROBITY_PARTNER_NO_CONTACT_MONTHS,
        "no_contact": sum(r.no_recent_contact for r in rows),
        "isa_overdue": sum(r.isa_review_overdue for r in rows)})


@require_http_methods(["GET", "POST"])
@requires("partners.add_partner")
def partner_new(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"types": PartnerType.choices, "form": request.POST}
    if request.method == "POST":
        try:
            partner = partner_create(
                actor=request.user, name=_text(request, "name"),
                partner_type=_text(request, "partner_type"), area=_text(request, "area"),
                contacts=_text(request, "contacts"),
                isa_reference=_text(request, "isa_reference"),
                isa_review_on=_date(_text(request, "isa_review_on")))
        except InvalidInput as exc:
            context["errors"] = exc.errors
            return render(request, "partners/partner_new.html", context, status=400)
        messages.success(request, f"{partner.name} added to the registry")
        return redirect("partners:detail", partner_id=partner.pk)
    return render(request, "partners/partner_new.html", context)


@require_http_methods(["GET", "POST"])
@requires("partners.view_partner")
def partner_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner, engagements = partner_get_for(viewer=request.user, partner_id=partner_id)
    context: dict[str, object] = {"partner": partner, "engagements": engagements,
                                  "kinds": EngagementKind.choices, "form": {}}
    if request.method == "POST":
        try:
            partner_update(actor=request.user, partner=partner,
                           contacts=_text(request, "contacts"),
                           isa_reference=_text(request, "isa_reference"),
                           isa_review_on=_date(_text(request, "isa_review_on")))
        except InvalidInput as exc:
            context["update_errors"] = exc.errors
            return render(request, "partners/partner_detail.html", context, status=400)
        messages.success(request, "Partner details saved")
        return redirect("partners:detail", partner_id=partner.pk)
    return render(request, "partners/partner_detail.html", context)


@require_POST
@requires("partners.view_partner", "partners.add_engagement")
def engagement_new(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner, engagements = partner_get_for(viewer=request.user, partner_id=partner_id)
    try:
        engagement_create(actor=request.user, partner=partner, kind=_text(request, "kind"),
                          topic=_text(request, "topic"), audience=_text(request, "audience"),
                          held_on=_date(_text(request, "held_on")))
    except InvalidInput as exc:
        return render(request, "partners/partner_detail.html", {
            "partner": partner, "engagements": engagements, "kinds": EngagementKind.choices,
            "errors": exc.errors, "form": request.POST}, status=400)
    messages.success(request, "Engagement recorded")
    return redirect("partners:detail", partner_id=partner.pk)


# ---- the public concern form (no account) --------------------------------------------------

def _oversized(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > int(settings.PROBITY_CONCERN_MAX_BYTES)


def _public_guard(request: HttpRequest, template: str) -> HttpResponse | None:
    """Refuse floods (429), oversized bodies (413) and bot submissions (400) before any
    field is read or anything stored. Every POST counts against the address's limit."""
    if _oversized(request):
        return render(request, template, {"refused": "too_large", "limits": CONCERN_LIMITS},
                      status=413)
    address = client_ip(request)
    if concern_throttled(address=address):
        response = render(request, template, {"refused": "too_many", "limits": CONCERN_LIMITS},
                          status=429)
        response["Retry-After"] = "3600"
        return response
    concern_attempt_record(address=address)
    if request.POST.get(HONEYPOT, ""):
        return render(request, template, {"refused": "rejected", "limits": CONCERN_LIMITS},
                      status=400)
    return None


@csrf_protect
@require_http_methods(["GET", "POST"])
def concern_new(request: HttpRequest) -> HttpResponse:
    """Open to everyone, signed in or not: partners and the public pass a concern."""
    template = "partners/concern_new.html"
    context: dict[str, object] = {"limits": CONCERN_LIMITS, "form": {}}
    if request.method == "GET":
        return render(request, template, context)
    refused = _public_guard(request, template)
    if refused is not None:
        return refused
    route = _text(request, "route")
    if route == ConcernRoute.INTERNAL:
        route = ""  # the internal route has its own page
    try:
        concern = concern_submit(
            route=route, anonymous=request.POST.get("anonymous") == "yes",
            reporter_name=_text(request, "reporter_name"),
            reporter_contact=_text(request, "reporter_contact"),
            organisation=_text(request, "organisation"), about=_text(request, "about"),
            narrative=_text(request, "narrative"))
    except InvalidInput as exc:
        context.update(errors=exc.errors, form=request.POST)
        return render(request, template, context, status=400)
    # The reference only: nothing about what happens next, or who will read it.
    return render(request, "partners/concern_received.html", {"reference": concern.reference})


@csrf_protect
@require_http_methods(["GET", "POST"])
def concern_add(request: HttpRequest) -> HttpResponse:
    """Add information to an earlier concern by its receipt reference. The answer is the same
    whether or not the reference exists."""
    template = "partners/concern_add.html"
    context: dict[str, object] = {"limits": CONCERN_LIMITS, "form": {}}
    if request.method == "GET":
        return render(request, template, context)
    refused = _public_guard(request, template)
    if refused is not None:
        return refused
    try:
        concern_add_information(reference=_text(request, "reference")[:40],
                                text=_text(request, "text"))
    except InvalidInput as exc:
        context.update(errors=exc.errors, form=request.POST)
        return render(request, template, context, status=400)
    return render(request, template, {"done": True})


# ---- the confidential internal route (signed-in staff) -------------------------------------

@require_http_methods(["GET", "POST"])
@signed_in
def concern_internal(request: HttpRequest) -> HttpResponse:
    template = "partners/concern_internal.html"
    context: dict[str, object] = {"limits": CONCERN_LIMITS, "form": {}}
    if request.method == "GET":
        return render(request, template, context)
    if _oversized(request):
        return render(request, template, {"refused": "too_large", **context}, status=413)
    try:
        concern = concern_submit(
            route=ConcernRoute.INTERNAL, anonymous=request.POST.get("anonymous") == "yes",
            about=_text(request, "about"), narrative=_text(request, "narrative"),
            actor=request.user)
    except InvalidInput as exc:
        context.update(errors=exc.errors, form=request.POST)
        return render(request, template, context, status=400)
    return render(request, "partners/concern_received.html",
                  {"reference": concern.reference, "internal": True})


# ---- the analysts' intake -----------------------------------------------------------------

@require_GET
@requires("partners.view_concern")
def concern_intake_view(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        concerns = list(concern_intake(viewer=request.user))
        access_log_record(actor=request.user, action="search", object_type="concern",
                          object_id="intake", purpose="concern intake",
                          fields_shown=["reference", "route", "received_at"])
    return render(request, "partners/concern_intake.html", {"concerns": concerns})


def _record_context() -> dict[str, object]:
    return {"categories": NationalCategory.choices,
            "source_evaluations": SourceEvaluation.choices,
            "assessments": IntelligenceAssessment.choices, "handling_codes": HandlingCode.choices}


@require_http_methods(["GET", "POST"])
@requires("partners.view_concern")
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    if not concern_visible(viewer=request.user, concern_id=concern_id):
        raise Http404  # before asking for a purpose: no hint that it exists
    gate = purpose_gate(request, object_type="concern", object_id=concern_id)
    if isinstance(gate, HttpResponse):
        return gate
    concern = concern_get_for(viewer=request.user, concern_id=concern_id, purpose=gate)
    return render(request, "partners/concern_detail.html",
                  {"concern": concern, "additions": list(concern.additions.all()),
                   "form": {}, **_record_context()})


@require_POST
@requires("partners.view_concern", "partners.record_concern")
def concern_record(request: HttpRequest, concern_id: int) -> HttpResponse:
    if not concern_visible(viewer=request.user, concern_id=concern_id):
        raise Http404
    gate = purpose_gate(request, object_type="concern", object_id=concern_id)
    if isinstance(gate, HttpResponse):
        return gate
    concern = concern_get_for(viewer=request.user, concern_id=concern_id, purpose=gate)
    subjects = [s.strip() for s in _text(request, "subjects").replace(",", " ").split() if s]
    try:
        report = concern_record_report(
            actor=request.user, concern=concern,
            national_category=_text(request, "national_category"), subjects=subjects,
            source_evaluation=_text(request, "source_evaluation"),
            intelligence_assessment=_text(request, "intelligence_assessment"),
            handling_code=_text(request, "handling_code"),
            purpose=gate)
    except (InvalidInput, InvalidTransition) as exc:
        errors = exc.errors if isinstance(exc, InvalidInput) else {"status": str(exc)}
        return render(request, "partners/concern_detail.html",
                      {"concern": concern, "additions": list(concern.additions.all()),
                       "errors": errors, "form": request.POST, **_record_context()},
                      status=400)
    messages.success(request, f"Recorded as report {report.reference}")
    return redirect("casework:report_detail", report_id=report.pk)
