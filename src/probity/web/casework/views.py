"""Report pages: list (own teams only), intake, detail (purpose first), IOPC referral, grants."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from probity.web.audit.services import access_log_record
from probity.web.casework.categories import (
    VULNERABILITY_FLAGS,
    HandlingCode,
    IntelligenceAssessment,
    InvestigationMode,
    IopcDecision,
    NationalCategory,
    PersonRole,
    ReportSource,
    SourceEvaluation,
)
from probity.web.casework.iopc import CRITERIA
from probity.web.casework.models import Referral
from probity.web.casework.selectors import (
    dashboard_for,
    report_get_for,
    report_get_for_change,
    report_list,
    report_list_count,
)
from probity.web.casework.services import (
    PersonInput,
    referral_create,
    referral_record_decision,
    report_assess_referral,
    report_create,
    report_grant_access,
)
from probity.web.core.access import requires
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted
from probity.web.core.pagination import CountedPaginator
from probity.web.core.purpose import purpose_gate, purpose_get, purpose_set


@require_GET
@requires("casework.view_report")
def report_list_view(request: HttpRequest) -> HttpResponse:
    reports = report_list(viewer=request.user)
    page = CountedPaginator(reports, 50, count=report_list_count(viewer=request.user)
                            ).get_page(request.GET.get("page"))
    with transaction.atomic():
        access_log_record(actor=request.user, action="search", object_type="report",
                          object_id="list", purpose="report list",
                          fields_shown=["reference", "category", "grading", "status",
                                        f"page={page.number}"])
    return render(request, "casework/report_list.html", {"page": page})


def _form_context() -> dict[str, object]:
    return {"categories": NationalCategory.choices, "source_evaluations": SourceEvaluation.choices,
            "assessments": IntelligenceAssessment.choices, "handling_codes": HandlingCode.choices,
            "sources": ReportSource.choices, "person_roles": PersonRole.choices,
            "vulnerability_flags": VULNERABILITY_FLAGS}


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@requires("casework.add_report")
def report_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "casework/report_new.html", {"form": {}, **_form_context()})
    post = request.POST
    persons = []
    if post.get("person_nominal_id", "").strip() or post.get("person_name", "").strip():
        persons.append(PersonInput(role=post.get("person_role", ""),
                                   nominal_id=post.get("person_nominal_id", "").strip(),
                                   name=post.get("person_name", "").strip(),
                                   vulnerability=tuple(post.getlist("person_vulnerability"))))
    try:
        report = report_create(
            actor=request.user, source=post.get("source", ""),
            national_category=post.get("national_category", ""),
            abuse_of_position_sexual_purpose=post.get("apsp") == "yes",
            source_evaluation=post.get("source_evaluation", ""),
            intelligence_assessment=post.get("intelligence_assessment", ""),
            handling_code=post.get("handling_code", ""),
            legacy_grading=post.get("legacy_grading", ""),
            narrative=post.get("narrative", ""),
            received_on=_parse_date(post.get("received_on", "")),
            subjects=[s.strip() for s in post.get("subjects", "").split(",") if s.strip()],
            persons=persons)
    except InvalidInput as exc:
        return render(request, "casework/report_new.html",
                      {"form": post, "errors": exc.errors, **_form_context()}, status=400)
    purpose_set(request, object_type="report", object_id=report.pk,
                purpose="recording this report")
    messages.success(request, f"Report {report.reference} recorded")
    return redirect("casework:report_detail", report_id=report.pk)


@require_http_methods(["GET", "POST"])
@requires("casework.view_report")
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report_get_for_change(viewer=request.user, report_id=report_id)  # need-to-know first: 404
    gate = purpose_gate(request, object_type="report", object_id=report_id)
    if isinstance(gate, HttpResponse):
        return gate
    found = report_get_for(viewer=request.user, report_id=report_id, purpose=gate)
    return render(request, "casework/report_detail.html", {
        "detail": found, "report": found.report, "purpose": gate, "criteria": CRITERIA,
        "can_refer": request.user.has_perm("casework.refer_report"),
        "referrals": list(found.report.referrals.all()),
        "iopc_decisions": [c for c in IopcDecision.choices if c[0] != IopcDecision.PENDING],
        "modes": InvestigationMode.choices,
    })


@require_POST
@requires("casework.view_report", "casework.refer_report")
def report_referral(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_get_for_change(viewer=request.user, report_id=report_id)
    purpose = purpose_get(request, object_type="report", object_id=report_id)
    if not purpose:
        return redirect("casework:report_detail", report_id=report_id)
    try:
        report_assess_referral(actor=request.user, report=report,
                               criteria=request.POST.getlist("criteria"), purpose=purpose)
    except InvalidInput as exc:
        messages.error(request, "; ".join(exc.errors.values()))
    else:
        messages.success(request, "IOPC referral assessment recorded")
    return redirect("casework:report_detail", report_id=report_id)


@require_POST
@requires("casework.view_report")
def report_grant(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_get_for_change(viewer=request.user, report_id=report_id)
    purpose = purpose_get(request, object_type="report", object_id=report_id)
    if not purpose:
        return redirect("casework:report_detail", report_id=report_id)
    try:
        report_grant_access(actor=request.user, report=report,
                            username=request.POST.get("username", "").strip(), purpose=purpose)
    except (InvalidInput, NotPermitted) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Access granted")
    return redirect("casework:report_detail", report_id=report_id)


@require_GET
@requires("casework.view_report")
def dashboard(request: HttpRequest) -> HttpResponse:
    board = dashboard_for(viewer=request.user)
    with transaction.atomic():
        access_log_record(actor=request.user, action="search", object_type="report",
                          object_id="dashboard", purpose="casework dashboard",
                          fields_shown=["counts", "referrals due", "referrals overdue",
                                        "outcomes"])
    return render(request, "casework/dashboard.html", {"board": board})


@require_POST
@requires("casework.view_report", "casework.refer_report")
def referral_new(request: HttpRequest, report_id: int) -> HttpResponse:
    report = report_get_for_change(viewer=request.user, report_id=report_id)
    purpose = purpose_get(request, object_type="report", object_id=report_id)
    if not purpose:
        return redirect("casework:report_detail", report_id=report_id)
    try:
        referral = referral_create(actor=request.user, report=report,
                                   reason=request.POST.get("reason", ""), purpose=purpose)
    except (InvalidInput, NotPermitted) as exc:
        messages.error(request, str(exc))
    else:
        kind = "Re-referral" if referral.is_re_referral else "Referral"
        messages.success(request, f"{kind} to the IOPC recorded")
    return redirect("casework:report_detail", report_id=report_id)


@require_POST
@requires("casework.view_report", "casework.refer_report")
def referral_decision(request: HttpRequest, report_id: int, referral_id: int) -> HttpResponse:
    report = report_get_for_change(viewer=request.user, report_id=report_id)
    purpose = purpose_get(request, object_type="report", object_id=report_id)
    if not purpose:
        return redirect("casework:report_detail", report_id=report_id)
    referral = Referral.objects.filter(pk=referral_id, report=report).first()
    if referral is None:
        raise Http404
    try:
        referral_record_decision(actor=request.user, referral=referral,
                                 decision=request.POST.get("decision", ""),
                                 mode=request.POST.get("mode", ""),
                                 decided_on=_parse_date(request.POST.get("decided_on", "")),
                                 purpose=purpose)
    except (InvalidInput, InvalidTransition, NotPermitted) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The IOPC's decision is recorded")
    return redirect("casework:report_detail", report_id=report_id)
