"""Pages for analysts: the year's judgement sections, and an edit page per section."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from probity.reports.judgements import JUDGEMENT_SECTIONS, SECTION_TITLES
from probity.web.assessments.access import can_read, can_write
from probity.web.assessments.models import JudgementSection
from probity.web.assessments.selectors import judgement_get, judgement_history
from probity.web.assessments.services import MAX_TEXT, judgement_save
from probity.web.core.errors import InvalidInput


def _guard(request: HttpRequest, check: Any) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not check(request.user):
        raise PermissionDenied
    return None


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return redirect("assessments:year", year=datetime.now(UTC).year - 1)


@require_GET
def year_view(request: HttpRequest, year: int) -> HttpResponse:
    if (refused := _guard(request, can_read)) is not None:
        return refused
    found = {j.section: j for j in JudgementSection.objects.filter(year=year)
             .select_related("author")}
    rows = [{"key": key, "title": title, "judgement": found.get(key),
             "kind": "Judgement" if key in JUDGEMENT_SECTIONS else "Commentary on the figures"}
            for key, title in SECTION_TITLES.items()]
    return render(request, "assessments/year.html", {
        "year": year, "rows": rows, "can_write": can_write(request.user),
        "previous": year - 1, "next": year + 1})


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, year: int, section: str) -> HttpResponse:
    if (refused := _guard(request, can_write)) is not None:
        return refused
    if section not in SECTION_TITLES:
        raise Http404("no such section")
    judgement = judgement_get(year=year, section=section)
    text = judgement.text if judgement else ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            judgement_save(actor=request.user, year=year, section=section, text=text)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, f"Saved: {SECTION_TITLES[section]}, {year}.")
            return redirect("assessments:year", year=year)
    return render(request, "assessments/edit.html", {
        "year": year, "section": section, "title": SECTION_TITLES[section], "text": text,
        "judgement": judgement, "errors": errors, "max_text": MAX_TEXT,
        "history": judgement_history(judgement=judgement) if judgement else [],
    }, status=400 if errors else 200)
