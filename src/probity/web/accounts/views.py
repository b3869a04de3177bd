"""Two-step sign-in: password, then a TOTP code (enrolment on the first sign-in).

Nobody is signed in (no `_auth_user_id` in the session) until both factors pass: after the
password the session only holds a short-lived "pending" marker naming the user. Unknown users,
wrong passwords and disabled accounts get the same page and status, and the same hashing work
(Django's ModelBackend hashes the password once for an unknown user too).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from probity.web.accounts.events import sign_in_event_record
from probity.web.accounts.throttle import (
    client_ip,
    login_failure_record,
    login_failures_clear,
    login_throttled,
)
from probity.web.accounts.totp import (
    confirmed_device_exists,
    device_secret,
    otpauth_qr_svg,
    totp_device_pending,
)

logger = logging.getLogger("probity.security")

PENDING = "probity_mfa_pending"
PENDING_SECONDS = 300
THROTTLED_MESSAGE = ("Too many failed attempts. Wait 15 minutes and try again, or ask an "
                     "administrator.")
CODE_MESSAGE = "Enter the current 6-digit code from your authenticator app"


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _pending(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    data = request.session.get(PENDING)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return None
    return user, data


def _complete(request: HttpRequest, user: Any, data: dict[str, Any], device: Any) -> HttpResponse:
    from django_otp import login as otp_login

    request.session.pop(PENDING, None)
    login(request, user, backend=data["backend"])  # new session key
    otp_login(request, device)
    login_failures_clear(username=user.get_username())
    logger.info("sign-in complete: user_id=%s", user.pk)
    sign_in_event_record(outcome="signed_in", user=user, address=client_ip(request))
    return redirect(_safe_next(request, str(data.get("next", ""))))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next", request.GET.get("next", ""))
    if request.user.is_authenticated:
        return redirect(_safe_next(request, next_url))
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    status, throttled = 200, False
    if request.method == "POST":
        username, ip = request.POST.get("username", ""), client_ip(request)
        if login_throttled(username=username, ip=ip):
            status, throttled = 429, True
            logger.warning("sign-in refused (throttled): ip=%s", ip)
            sign_in_event_record(outcome="throttled", username=username, address=ip,
                                 stage="password")
        elif form.is_valid():
            user = form.get_user()
            request.session.cycle_key()
            request.session[PENDING] = {"user": user.pk, "backend": user.backend,
                                        "at": time.time(), "next": next_url}
            if confirmed_device_exists(user=user):
                return redirect("login_verify")
            return redirect("login_enrol")
        else:
            login_failure_record(username=username, ip=ip, stage="password")
            logger.warning("sign-in failed (password): ip=%s", ip)
            sign_in_event_record(outcome="failed", username=username, address=ip,
                                 stage="password")
    return render(request, "accounts/login.html",
                  {"form": form, "next": next_url, "throttled": throttled,
                   "throttled_message": THROTTLED_MESSAGE}, status=status)


def _token_step(request: HttpRequest, *, enrol: bool) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return redirect("login")
    user, data = pending
    has_device = confirmed_device_exists(user=user)
    if enrol and has_device:
        return redirect("login_verify")  # a second device is never added at sign-in
    if not enrol and not has_device:
        return redirect("login_enrol")
    device = totp_device_pending(user=user) if enrol else None
    error, status = "", 200
    if request.method == "POST":
        token = "".join(request.POST.get("token", "").split())
        ip = client_ip(request)
        if login_throttled(username=user.get_username(), ip=ip):
            error, status = THROTTLED_MESSAGE, 429
            sign_in_event_record(outcome="throttled", user=user, address=ip, stage="code")
        else:
            matched = None
            if token.isdigit() and len(token) == 6:
                if enrol:
                    assert device is not None
                    if device.verify_is_allowed()[0] and device.verify_token(token):
                        device.confirmed = True
                        device.save(update_fields=["confirmed"])
                        matched = device
                else:
                    from django_otp import match_token

                    matched = match_token(user, token)
            if matched is not None:
                return _complete(request, user, data, matched)
            login_failure_record(username=user.get_username(), ip=ip, stage="token")
            logger.warning("sign-in failed (code): user_id=%s ip=%s", user.pk, ip)
            sign_in_event_record(outcome="failed", user=user, address=ip, stage="code")
            error = CODE_MESSAGE
    context: dict[str, Any] = {"error": error, "enrol": enrol}
    if device is not None:
        context["secret"] = device_secret(device)
        context["qr"] = otpauth_qr_svg(device.config_url)
    return render(request, "accounts/token.html", context, status=status)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    return _token_step(request, enrol=False)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_enrol(request: HttpRequest) -> HttpResponse:
    return _token_step(request, enrol=True)
