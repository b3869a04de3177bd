from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from probity.web.core.access import requires


@require_GET
@requires("casework.view_report")
def report_list(request: HttpRequest) -> HttpResponse:
    return render(request, "casework/report_list.html", {"reports": []})
