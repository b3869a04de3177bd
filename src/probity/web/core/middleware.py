"""Responses about people must not be kept by browsers or proxies."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SensitiveResponseMiddleware:
    """`Cache-Control: no-store` on every non-static response (all pages may show personal data)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
