from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from probity.web.core.access import requires


@require_GET
@requires("alerts.view_alert")
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/queue.html", {"alerts": []})
