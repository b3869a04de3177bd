"""Ending a user's sessions (on disabling the account, or by an administrator)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

__all__ = ["user_sessions_end"]


def user_sessions_end(*, user_id: int) -> int:
    """Delete every live session of the user; returns how many were ended."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=datetime.now(UTC)).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user_id):
            session.delete()
            ended += 1
    return ended
