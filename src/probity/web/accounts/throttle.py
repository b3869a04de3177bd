"""Sign-in throttling, kept in the database so that every server process sees the same count.

Counted per submitted username (whether or not the account exists, so the lock-out itself tells
an attacker nothing) and per client address. Limits (environment, read by settings):
PROBITY_LOGIN_MAX_FAILURES (default 5 per username) and PROBITY_LOGIN_MAX_FAILURES_PER_IP
(default 100; 0 turns the per-address limit off, e.g. behind a proxy that hides addresses)
within PROBITY_LOGIN_WINDOW_MINUTES (default 15).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpRequest

from probity.web.accounts.models import LoginFailure

__all__ = ["client_ip", "login_failure_record", "login_failures_clear", "login_throttled",
           "username_digest"]


def username_digest(username: str) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, username.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()


def client_ip(request: HttpRequest) -> str | None:
    """The connecting address (REMOTE_ADDR; a proxy's own address when behind one)."""
    address = request.META.get("REMOTE_ADDR") or None
    return str(address) if address else None


def _window_start() -> datetime:
    minutes = int(getattr(settings, "PROBITY_LOGIN_WINDOW_MINUTES", 15))
    return datetime.now(UTC) - timedelta(minutes=minutes)


def login_throttled(*, username: str, ip: str | None) -> bool:
    """True when this username, or this address, has failed too often within the window."""
    since = _window_start()
    per_user = int(getattr(settings, "PROBITY_LOGIN_MAX_FAILURES", 5))
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username_digest=username_digest(username)).count() >= per_user:
        return True
    per_ip = int(getattr(settings, "PROBITY_LOGIN_MAX_FAILURES_PER_IP", 100))
    return bool(per_ip and ip and recent.filter(ip=ip).count() >= per_ip)


def login_failure_record(*, username: str, ip: str | None, stage: str) -> None:
    LoginFailure.objects.create(username_digest=username_digest(username), ip=ip, stage=stage,
                                at=datetime.now(UTC))
    # Keep the table small: nothing older than a day is ever needed.
    LoginFailure.objects.filter(at__lt=datetime.now(UTC) - timedelta(days=1)).delete()


def login_failures_clear(*, username: str) -> None:
    """After a complete sign-in (password and code) the username's count starts again."""
    LoginFailure.objects.filter(username_digest=username_digest(username)).delete()
