"""Alert triage pages. Views only translate HTTP to selectors and services."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from probity.web.alerts.models import Alert, WatchListEntry
from probity.web.alerts.selectors import (
    alert_get_for,
    alert_queue_page,
    alert_summary_for,
    indicator_effectiveness,
    watch_entries_for_alert,
    watched_alerts,
)
from probity.web.alerts.services import alert_triage, watch_list_add, watch_list_end
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
    page = alert_queue_page(viewer=request.user, status=status, number=request.GET.get("page"))
    with transaction.atomic():
        access_log_record(actor=request.user, action="search", object_type="alert",
                          object_id="queue", purpose="alert queue",
                          fields_shown=["pseudonym", "score", "rank", "reasons",
                                        f"status={status}", f"page={page.number}"])
    return render(request, "alerts/queue.html", {
        "page": page, "status": status, "statuses": Alert.Status.choices,
        "watched": list(watched_alerts(viewer=request.user)[:200]),
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
    return render(request, "alerts/detail.html", {
        "detail": found, "purpose": gate, **_decision_context(),
        "watch": watch_entries_for_alert(viewer=request.user, alert=found.alert)})


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
            "watch": watch_entries_for_alert(viewer=request.user, alert=found.alert),
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


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


@require_POST
@requires("alerts.view_alert", "alerts.triage_alert")
def watch(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = alert_summary_for(viewer=request.user, alert_id=alert_id)
    purpose = purpose_get(request, object_type="alert", object_id=alert_id)
    if not purpose:
        return redirect("alerts:detail", alert_id=alert_id)
    try:
        entry = watch_list_add(actor=request.user, alert=alert,
                               reason=request.POST.get("watch_reason", ""),
                               expires_on=_parse_date(request.POST.get("watch_expires_on", "")),
                               purpose=purpose)
    except InvalidInput as exc:
        messages.error(request, "; ".join(exc.errors.values()))
    else:
        messages.success(request, f"Subject under monitoring until {entry.expires_on}")
    return redirect("alerts:detail", alert_id=alert_id)


@require_POST
@requires("alerts.view_alert", "alerts.triage_alert")
def watch_end(request: HttpRequest, alert_id: int, entry_id: int) -> HttpResponse:
    alert = alert_summary_for(viewer=request.user, alert_id=alert_id)
    purpose = purpose_get(request, object_type="alert", object_id=alert_id)
    if not purpose:
        return redirect("alerts:detail", alert_id=alert_id)
    entry = WatchListEntry.objects.filter(pk=entry_id, staff_id=alert.staff_id).first()
    if entry is None:
        raise Http404
    try:
        watch_list_end(actor=request.user, entry=entry,
                       reason=request.POST.get("end_reason", ""), purpose=purpose)
    except (InvalidInput, InvalidTransition) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Monitoring ended")
    return redirect("alerts:detail", alert_id=alert_id)
