"""Investigation pages: one page per case (purpose first, shared with the report's purpose),
with the investigator's and the appropriate authority's forms; each POST calls one service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from probity.web.casework.selectors import report_get_for_change
from probity.web.core.access import requires
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted
from probity.web.core.purpose import purpose_gate, purpose_get
from probity.web.investigations import services
from probity.web.investigations.rules import (
    ALLOWED_OUTCOMES,
    CONDITIONAL_OUTCOMES,
    FINDINGS_IN_FORUM,
    FORUMS_FOR_SEVERITY,
    CriminalOutcomeKind,
    Finding,
    Forum,
    ListKind,
    Offence,
    Outcome,
    SafeguardingKind,
    Severity,
    SubjectLeft,
)
from probity.web.investigations.selectors import investigation_get_for

_INVESTIGATOR = services.INVESTIGATOR_PERMISSION
_AUTHORITY = services.AUTHORITY_PERMISSION


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


@require_http_methods(["GET", "POST"])
@requires("casework.view_report")
def case(request: HttpRequest, report_id: int) -> HttpResponse:
    report_get_for_change(viewer=request.user, report_id=report_id)  # need-to-know first: 404
    gate = purpose_gate(request, object_type="report", object_id=report_id)
    if isinstance(gate, HttpResponse):
        return gate
    detail = investigation_get_for(viewer=request.user, report_id=report_id, purpose=gate)
    return render(request, "investigations/case.html", {
        "detail": detail, "report": detail.report, "inv": detail.investigation, "purpose": gate,
        "is_investigator": request.user.has_perm(_INVESTIGATOR),
        "is_authority": request.user.has_perm(_AUTHORITY),
        "severities": Severity.choices, "forums": Forum.choices, "findings": Finding.choices,
        "outcome_choices": Outcome.choices, "left_choices": SubjectLeft.choices[1:],
        "criminal_choices": CriminalOutcomeKind.choices, "offences": Offence.choices[1:],
        "list_kinds": ListKind.choices, "safeguarding_kinds": SafeguardingKind.choices,
    })


def _change(request: HttpRequest, report_id: int,
            action: Callable[[Any, str], object], done: str) -> HttpResponse:
    report = report_get_for_change(viewer=request.user, report_id=report_id)
    purpose = purpose_get(request, object_type="report", object_id=report_id)
    if not purpose:
        return redirect("investigations:case", report_id=report_id)
    try:
        action(report, purpose)
    except InvalidInput as exc:
        messages.error(request, "; ".join(exc.errors.values()))
    except (InvalidTransition, NotPermitted) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("investigations:case", report_id=report_id)


@require_POST
@requires("casework.view_report", _INVESTIGATOR)
def log_entry_new(request: HttpRequest, report_id: int) -> HttpResponse:
    post = request.POST
    return _change(request, report_id, lambda report, purpose: services.log_entry_add(
        actor=request.user, report=report, entry_date=_date(post.get("entry_date", "")),
        entry=post.get("entry", ""), purpose=purpose), "Log entry added")


@require_POST
@requires("casework.view_report", _AUTHORITY)
def severity(request: HttpRequest, report_id: int) -> HttpResponse:
    post = request.POST
    return _change(request, report_id, lambda report, purpose: services.severity_assess(
        actor=request.user, report=report, severity=post.get("severity", ""),
        rationale=post.get("rationale", ""), assessed_on=_date(post.get("assessed_on", "")),
        purpose=purpose), "Severity assessment recorded")


@require_POST
@requires("casework.view_report", _AUTHORITY)
def forum(request: HttpRequest, report_id: int) -> HttpResponse:
    post = request.POST
    return _change(request, report_id, lambda report, purpose: services.forum_decide(
        actor=request.user, report=report, forum=post.get("forum", ""),
        forum_date=_date(post.get("forum_date", "")), purpose=purpose), "Forum decided")


@require_POST
@requires("casework.view_report", _INVESTIGATOR)
def departure(request: HttpRequest, report_id: int) -> HttpResponse:
    post = request.POST
    return _change(request, report_id, lambda report, purpose: services.departure_record(
        actor=request.user, report=report, staff_id=post.get("staff_id", ""),
        how=post.get("how", ""), left_on=_date(post.get("left_on", "")), purpose=purpose),
        "Departure recorded")


@require_POST
@requires("casework.view_report", _AUTHORITY)
def outcome(request: HttpRequest, report_id: int) -> HttpResponse:
    post = request.POST
    return _change(request, report_id, lambda report, purpose: services.outcome_record(
        actor=request.user, report=report, staff_id=post.get("staff_id", ""),
        finding=post.get("finding", ""), outcome=post.get("outcome", ""),
        decided_on=_date(post.get("decided_on", "")),
        final_written_warning_live=post.get("fww_live") == "yes",
        several_unconnected_incidents=post.get("several_incidents") == "yes",
        purpose=purpose), "Outcome recorded")


@require_POST
@requires("casework.view_report", _INVESTIGATOR)
def criminal(request: HttpRequest, report_id: int) -> HttpResponse:
    post = request.POST
    return _change(request, report_id, lambda report, purpose: services.criminal_outcome_record(
        actor=request.user, report=report, staff_id=post.get("staff_id", ""),
        outcome=post.get("outcome", ""), offence=post.get("offence", ""),
        offence_detail=post.get("offence_detail", ""),
        decided_on=_date(post.get("decided_on", "")), purpose=purpose),
        "Criminal outcome recorded")


@require_POST
@requires("casework.view_report", _AUTHORITY)
def list_notification(request: HttpRequest, report_id: int) -> HttpResponse:
    post = request.POST
    return _change(request, report_id, lambda report, purpose: services.list_notify(
        actor=request.user, report=report, staff_id=post.get("staff_id", ""),
        kind=post.get("kind", ""), notified_on=_date(post.get("notified_on", "")),
        purpose=purpose), "List notification recorded")


@require_POST
@requires("casework.view_report", _INVESTIGATOR)
def safeguarding(request: HttpRequest, report_id: int) -> HttpResponse:
    post = request.POST
    return _change(request, report_id, lambda report, purpose: services.safeguarding_record(
        actor=request.user, report=report, person_id=_int(post.get("person", "")),
        kind=post.get("kind", ""), organisation=post.get("organisation", ""),
        taken_on=_date(post.get("taken_on", "")), notes=post.get("notes", ""),
        purpose=purpose), "Safeguarding action recorded")


@require_GET
@requires("casework.view_report")
def rules_view(request: HttpRequest) -> HttpResponse:
    """The reg 42 table as the services enforce it (no case data)."""
    rows = []
    for (forum_value, severity_value), findings in FINDINGS_IN_FORUM.items():
        for finding_value in Finding.values:
            if finding_value not in findings:
                continue
            key = (forum_value, finding_value)
            conditional = CONDITIONAL_OUTCOMES.get(key, frozenset())
            rows.append({
                "forum": Forum(forum_value).label, "severity": Severity(severity_value).label,
                "finding": Finding(finding_value).label,
                "outcomes": [(label, value in conditional) for value, label in Outcome.choices
                             if value in ALLOWED_OUTCOMES[key]]})
    forums = [(Severity(s).label, [Forum(f).label for f in Forum.values if f in fs])
              for s, fs in FORUMS_FOR_SEVERITY.items()]
    return render(request, "investigations/rules.html", {"rows": rows, "forums": forums})
