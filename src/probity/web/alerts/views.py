"""Alert triage pages. Views only translate HTTP to selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from probity.web.alerts.models import Alert
from probity.web.alerts.selectors import (
    alert_get_for,
    alert_queue,
    alert_summary_for,
    indicator_effectiveness,
)
from probity.web.alerts.services import alert_triage
from probity.web.audit.services import access_log_record
from probity.web.casework.categories import (
    HandlingCode,
    IntelligenceAssessment,
    NationalCategory,
    SourceEvaluation,
)
from probity.web.core.access import requires
from probity.web.core.errors import InvalidInput, InvalidTransition
from probity.web.core.purpose import purpose_gate, purpose_get, purpose_set


@require_GET
@requires("alerts.view_alert")
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Alert.Status.NEW)
    if status not in Alert.Status.values:
        status = Alert.Status.NEW
    with transaction.atomic():
        alerts = alert_queue(viewer=request.user, status=status)
        page = Paginator(alerts, 50).get_page(request.GET.get("page"))
        access_log_record(actor=request.user, action="search", object_type="alert",
                          object_id="queue", purpose="alert queue",
                          fields_shown=["pseudonym", "score", "rank", "reasons",
                                        f"status={status}", f"page={page.number}"])
    return render(request, "alerts/queue.html", {
        "page": page, "status": status, "statuses": Alert.Status.choices,
        "effectiveness": indicator_effectiveness(viewer=request.user),
    })


def _decision_context() -> dict[str, object]:
    return {"categories": NationalCategory.choices, "source_evaluations": SourceEvaluation.choices,
            "assessments": IntelligenceAssessment.choices, "handling_codes": HandlingCode.choices}


@require_http_methods(["GET", "POST"])
@requires("alerts.view_alert", "alerts.triage_alert")
def detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    summary = alert_summary_for(viewer=request.user, alert_id=alert_id)
    gate = purpose_gate(request, object_type="alert", object_id=alert_id, summary={
        "Alert": summary.pk, "Subject": summary.pseudonym, "Score": f"{summary.score:g}",
        "Rank": summary.rank, "Reasons": summary.reasons})
    if isinstance(gate, HttpResponse):
        return gate
    found = alert_get_for(viewer=request.user, alert_id=alert_id, purpose=gate)
    return render(request, "alerts/detail.html", {"detail": found, "purpose": gate,
                                                  **_decision_context()})


@require_POST
@requires("alerts.view_alert", "alerts.triage_alert")
def decide(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = alert_summary_for(viewer=request.user, alert_id=alert_id)
    purpose = purpose_get(request, object_type="alert", object_id=alert_id)
    if not purpose:
        return redirect("alerts:detail", alert_id=alert_id)
    post = request.POST
    try:
        report = alert_triage(
            actor=request.user, alert=alert, decision=post.get("decision", ""),
            reason=post.get("reason", ""), purpose=purpose,
            report_fields={
                "national_category": post.get("national_category", ""),
                "abuse_of_position_sexual_purpose": post.get("apsp") == "yes",
                "source_evaluation": post.get("source_evaluation", ""),
                "intelligence_assessment": post.get("intelligence_assessment", ""),
                "handling_code": post.get("handling_code", ""),
                "narrative": post.get("narrative", ""),
            })
    except InvalidInput as exc:
        found = alert_get_for(viewer=request.user, alert_id=alert_id, purpose=purpose)
        return render(request, "alerts/detail.html", {
            "detail": found, "purpose": purpose, "errors": exc.errors, "form": post,
            **_decision_context()}, status=400)
    except InvalidTransition as exc:
        messages.error(request, str(exc))
        return redirect("alerts:detail", alert_id=alert_id)
    if report is not None:
        # The analyst's stated purpose carries over to the report they just created.
        purpose_set(request, object_type="report", object_id=report.pk, purpose=purpose)
        messages.success(request, f"Alert developed as intelligence: report {report.reference}")
        return redirect("casework:report_detail", report_id=report.pk)
    messages.success(request, "Alert closed: no further action, reason recorded")
    return redirect("alerts:queue")
