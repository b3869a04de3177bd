"""Security middleware: disabled accounts are signed out on their next request, idle sessions
end, and every response carries a Content-Security-Policy with a per-request nonce for the
one inline script."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class ActiveUserMiddleware:
    """After AuthenticationMiddleware: a session whose user is gone or disabled is ended.

    Django's ModelBackend already treats a disabled user as anonymous; this also deletes the
    session so that re-enabling the account does not bring an old session back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        signed_in_session = SESSION_KEY in request.session
        if signed_in_session and (not user.is_authenticated or not user.is_active):
            logout(request)  # flushes the session
            return redirect("login")
        return self.get_response(request)


LAST_SEEN = "_probity_last_seen"
# the last-seen time is written at most this often (seconds): no session write per request
_LAST_SEEN_RESOLUTION = 30


class IdleTimeoutMiddleware:
    """After ActiveUserMiddleware: a signed-in session unused for PROBITY_IDLE_MINUTES (default
    15) is ended and the user is sent to sign in again (ASVS 7.3.1). The absolute lifetime is
    the session cookie's age (PROBITY_SESSION_AGE_MINUTES, 8 hours), set at sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY in request.session:
            now = time.time()
            last = request.session.get(LAST_SEEN)
            if isinstance(last, int | float) and now - last > settings.PROBITY_IDLE_SECONDS:
                logout(request)  # flushes the session
                return redirect("login")
            if not isinstance(last, int | float) or now - last > _LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP.format(nonce=nonce))
        return response
