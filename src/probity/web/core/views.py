"""Home page and health check."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from probity.web.core.access import signed_in


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check; reveals nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@signed_in
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")
