"""App review pages: coverage, outstanding items, trends, one item with its decisions."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from probity.apps.review import ReviewRefused
from probity.web.app_review.models import ReviewStatus
from probity.web.app_review.selectors import (
    coverage_for,
    item_get_for,
    outstanding_for,
    trends_for,
)
from probity.web.app_review.services import review_decide
from probity.web.audit.services import access_log_record
from probity.web.core.access import requires
from probity.web.core.errors import InvalidInput


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


@require_GET
@requires("app_review.view_reviewitem")
def coverage(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        figures = coverage_for(viewer=request.user)
        access_log_record(actor=request.user, action="search", object_type="app_findings",
                          object_id="coverage", purpose="app review coverage",
                          fields_shown=["counts"])
    return render(request, "app_review/coverage.html", {"c": figures})


@require_GET
@requires("app_review.view_reviewitem")
def outstanding(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        rows = outstanding_for(viewer=request.user)
        access_log_record(actor=request.user, action="search", object_type="app_findings",
                          object_id="outstanding", purpose="app review outstanding",
                          fields_shown=["device_id", "staff_id", "app", "risk_class"])
    return render(request, "app_review/outstanding.html", {"rows": rows})


@require_GET
@requires("app_review.view_reviewitem")
def trends(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        months = trends_for(viewer=request.user)
        access_log_record(actor=request.user, action="search", object_type="app_findings",
                          object_id="trends", purpose="app review trends",
                          fields_shown=["counts"])
    return render(request, "app_review/trends.html",
                  {"months": months, "statuses": ReviewStatus.choices})


@require_http_methods(["GET", "POST"])
@requires("app_review.view_reviewitem")
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item, decisions = item_get_for(viewer=request.user, item_id=item_id)
    context: dict[str, object] = {"item": item, "decisions": decisions,
                                  "statuses": ReviewStatus.choices, "form": {}}
    if request.method == "POST":
        if not request.user.has_perm("app_review.review_app"):
            return HttpResponse(status=403)
        reason = str(request.POST.get("reason", ""))
        try:
            if len(reason) > 5000:
                raise InvalidInput({"reason": "Reason must be 5,000 characters or fewer"})
            review_decide(actor=request.user, item=item,
                          status=str(request.POST.get("status", "")), reason=reason,
                          expires_on=_date(str(request.POST.get("expires_on", ""))))
        except (ReviewRefused, InvalidInput) as exc:
            context.update(error=str(exc), form=request.POST)
            return render(request, "app_review/item.html", context, status=400)
        messages.success(request, "Decision recorded")
        return redirect("app_review:item", item_id=item.pk)
    return render(request, "app_review/item.html", context)
