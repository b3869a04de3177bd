"""Vetting register pages. Thin: parse the request, call a selector or service, render."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from probity.vetting.compliance import CATEGORIES
from probity.vetting.export import GROUP_COLUMNS, STAFF_COLUMNS
from probity.web.core.access import requires
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted
from probity.web.core.purpose import purpose_gate, purpose_get
from probity.web.vetting_register.models import (
    LEVEL_CHOICES,
    AftercareRecord,
    RevettingTrigger,
    VettingAssessment,
)
from probity.web.vetting_register.selectors import (
    COMPLIANCE_PERMISSION,
    LIST_CATEGORIES,
    REGISTER_PERMISSION,
    compliance_for,
    posts_for,
    staff_in_category,
    vetting_record_for,
    worklist_for,
)
from probity.web.vetting_register.services import (
    CHANGE_PERMISSION,
    aftercare_record,
    assessment_open,
    assessment_transition,
    trigger_record,
    trigger_resolve,
)
from probity.web.vetting_register.transitions import KINDS

_OBJECT = "vetting_record"


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def _report_args(request: HttpRequest) -> dict[str, object]:
    due = _int(request.GET.get("due_days"))
    return {"as_of": _date(request.GET.get("as_of")),
            "due_days": due if due is not None and 0 < due <= 3650 else None}


@require_GET
@requires(COMPLIANCE_PERMISSION)
def compliance(request: HttpRequest) -> HttpResponse:
    report = compliance_for(viewer=request.user, **_report_args(request))  # type: ignore[arg-type]
    totals = report.totals()
    summary = [(c, report.due_key if c == "due" else c, len(report.staff_ids(c)))
               for c in CATEGORIES]
    return render(request, "vetting_register/compliance.html", {
        "report": report, "totals": totals, "summary": summary,
        "reasons": report.reason_counts().items(),
        "can_list": request.user.has_perm(REGISTER_PERMISSION),
        "query": request.GET.urlencode(),
    })


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@requires(COMPLIANCE_PERMISSION)
def compliance_csv(request: HttpRequest) -> HttpResponse:
    """?table=summary|by_unit|by_staff_type (counts) or staff (names: register permission;
    optional category, unit, staff_type filters)."""
    table = request.GET.get("table", "summary")
    if table not in ("summary", "by_unit", "by_staff_type", "staff"):
        return HttpResponse("table must be summary, by_unit, by_staff_type or staff",
                            status=400, content_type="text/plain")
    report = compliance_for(viewer=request.user, **_report_args(request))  # type: ignore[arg-type]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if table == "staff":
        people = staff_in_category(viewer=request.user, report=report,
                                   category=request.GET.get("category", ""),
                                   unit_id=request.GET.get("unit", ""),
                                   staff_type=request.GET.get("staff_type", ""), export=True)
        writer.writerow(STAFF_COLUMNS)
        for person in people:
            row = person.to_dict()
            writer.writerow([_cell(row[c]) for c in STAFF_COLUMNS])
    elif table == "summary":
        writer.writerow(("category", "count"))
        writer.writerow(("serving", report.serving))
        writer.writerow(("compliant", report.totals().compliant))
        for category in CATEGORIES:
            writer.writerow((report.due_key if category == "due" else category,
                             len(report.staff_ids(category))))
        for reason, count in report.reason_counts().items():
            writer.writerow((f"no_clearance_reason:{reason}", count))
    else:
        writer.writerow(GROUP_COLUMNS)
        for group in report.by_unit if table == "by_unit" else report.by_staff_type:
            row = group.to_dict()
            writer.writerow([_cell(row[c]) for c in GROUP_COLUMNS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="vetting-{table}-{report.as_of.isoformat()}.csv"')
    return response


@require_GET
@requires(REGISTER_PERMISSION)
def staff_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    report = compliance_for(viewer=request.user, **_report_args(request))  # type: ignore[arg-type]
    people = staff_in_category(viewer=request.user, report=report, category=category,
                               unit_id=request.GET.get("unit", ""),
                               staff_type=request.GET.get("staff_type", ""))
    return render(request, "vetting_register/staff_list.html", {
        "report": report, "people": people, "category": category,
        "categories": LIST_CATEGORIES, "unit": request.GET.get("unit", ""),
        "staff_type": request.GET.get("staff_type", ""), "query": request.GET.urlencode()})


@require_GET
@requires(REGISTER_PERMISSION)
def posts(request: HttpRequest) -> HttpResponse:
    return render(request, "vetting_register/posts.html",
                  {"rows": posts_for(viewer=request.user)})


@require_GET
@requires(REGISTER_PERMISSION)
def worklist(request: HttpRequest) -> HttpResponse:
    return render(request, "vetting_register/worklist.html",
                  {"work": worklist_for(viewer=request.user)})


@require_http_methods(["GET", "POST"])
@requires(REGISTER_PERMISSION)
def person(request: HttpRequest, staff_id: str) -> HttpResponse:
    from django.http import Http404

    from probity.web.workforce.models import StaffMember

    if not StaffMember.objects.filter(staff_id=staff_id).exists():
        raise Http404
    gate = purpose_gate(request, object_type=_OBJECT, object_id=staff_id)
    if isinstance(gate, HttpResponse):
        return gate
    record = vetting_record_for(viewer=request.user, staff_id=staff_id, purpose=gate)
    return render(request, "vetting_register/person.html", {
        "record": record, "purpose": gate,
        "can_change": request.user.has_perm(CHANGE_PERMISSION),
        "kinds": KINDS, "reasons": VettingAssessment.Reason.choices, "levels": LEVEL_CHOICES,
        "trigger_kinds": RevettingTrigger.Kind.choices,
        "aftercare_kinds": AftercareRecord.Kind.choices,
        "aftercare_outcomes": AftercareRecord.Outcome.choices,
        "today": dt.datetime.now(dt.UTC).date().isoformat(),
    })


def _back(request: HttpRequest, staff_id: str) -> HttpResponse | None:
    """Changes need the purpose stated on the record page first."""
    if not purpose_get(request, object_type=_OBJECT, object_id=staff_id):
        return redirect("vetting_register:person", staff_id=staff_id)
    return None


def _report_error(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, InvalidInput):
        messages.error(request, "Not recorded: " + "; ".join(
            f"{k.replace('_', ' ')}: {v}" for k, v in exc.errors.items()))
    else:
        messages.error(request, f"Not recorded: {exc}")


@require_POST
@requires(REGISTER_PERMISSION, CHANGE_PERMISSION)
def assessment_new(request: HttpRequest, staff_id: str) -> HttpResponse:
    if (back := _back(request, staff_id)) is not None:
        return back
    post = request.POST
    try:
        assessment_open(actor=request.user, staff_id=staff_id, kind=post.get("kind", ""),
                        reason=post.get("reason", ""), level=post.get("level", ""),
                        opened_on=_date(post.get("opened_on")),
                        rationale=post.get("rationale", ""),
                        trigger_id=_int(post.get("trigger")))
    except (InvalidInput, NotPermitted) as exc:
        _report_error(request, exc)
    else:
        messages.success(request, "Assessment opened")
    return redirect("vetting_register:person", staff_id=staff_id)


@require_POST
@requires(REGISTER_PERMISSION, CHANGE_PERMISSION)
def assessment_action(request: HttpRequest, staff_id: str) -> HttpResponse:
    if (back := _back(request, staff_id)) is not None:
        return back
    post = request.POST
    assessment_id = _int(post.get("assessment"))
    action = post.get("action", "")
    try:
        if assessment_id is None:
            raise InvalidInput({"assessment": "choose the assessment"})
        assessment_transition(actor=request.user, assessment_id=assessment_id,
                              action=action, rationale=post.get("rationale", ""),
                              effective_on=_date(post.get("effective_on")),
                              mitigation=post.get("mitigation", ""), staff_id=staff_id)
    except (InvalidInput, InvalidTransition, NotPermitted) as exc:
        _report_error(request, exc)
    else:
        messages.success(request, f"Recorded: {action.replace('_', ' ')}")
    return redirect("vetting_register:person", staff_id=staff_id)


@require_POST
@requires(REGISTER_PERMISSION, CHANGE_PERMISSION)
def trigger_new(request: HttpRequest, staff_id: str) -> HttpResponse:
    if (back := _back(request, staff_id)) is not None:
        return back
    post = request.POST
    try:
        trigger_record(actor=request.user, staff_id=staff_id, trigger=post.get("trigger", ""),
                       occurred_on=_date(post.get("occurred_on")),
                       detail=post.get("detail", ""))
    except (InvalidInput, NotPermitted) as exc:
        _report_error(request, exc)
    else:
        messages.success(request, "Re-vetting trigger recorded")
    return redirect("vetting_register:person", staff_id=staff_id)


@require_POST
@requires(REGISTER_PERMISSION, CHANGE_PERMISSION)
def trigger_close(request: HttpRequest, staff_id: str) -> HttpResponse:
    if (back := _back(request, staff_id)) is not None:
        return back
    try:
        trigger_id = _int(request.POST.get("trigger"))
        if trigger_id is None:
            raise InvalidInput({"trigger": "choose the trigger"})
        trigger_resolve(actor=request.user, trigger_id=trigger_id,
                        resolution=request.POST.get("resolution", ""), staff_id=staff_id)
    except (InvalidInput, InvalidTransition, NotPermitted) as exc:
        _report_error(request, exc)
    else:
        messages.success(request, "Trigger closed with no action")
    return redirect("vetting_register:person", staff_id=staff_id)


@require_POST
@requires(REGISTER_PERMISSION, CHANGE_PERMISSION)
def aftercare_new(request: HttpRequest, staff_id: str) -> HttpResponse:
    if (back := _back(request, staff_id)) is not None:
        return back
    post = request.POST
    try:
        aftercare_record(actor=request.user, staff_id=staff_id, kind=post.get("kind", ""),
                         occurred_on=_date(post.get("occurred_on")),
                         summary=post.get("summary", ""), outcome=post.get("outcome", ""))
    except (InvalidInput, NotPermitted) as exc:
        _report_error(request, exc)
    else:
        messages.success(request, "Aftercare recorded")
    return redirect("vetting_register:person", staff_id=staff_id)
