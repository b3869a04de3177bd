"""ASVS 7.3.1: a signed-in session unused for PROBITY_IDLE_MINUTES ends."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from probity.web.accounts.middleware import LAST_SEEN

pytestmark = pytest.mark.django_db


def _set_last_seen(client, seconds_ago: float) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    session[LAST_SEEN] = time.time() - seconds_ago
    session.save()


def test_idle_session_is_ended(client_for, settings) -> None:  # type: ignore[no-untyped-def]
    client = client_for("analyst")
    page = reverse("alerts:queue")
    assert client.get(page).status_code == 200
    assert LAST_SEEN in client.session  # the first request records the time
    _set_last_seen(client, settings.PROBITY_IDLE_SECONDS + 60)
    ended = client.get(page)
    assert ended.status_code == 302 and ended.url == reverse("login")
    assert SESSION_KEY not in client.session
    assert client.get(page).status_code == 302  # still signed out


def test_active_session_continues(client_for, settings) -> None:  # type: ignore[no-untyped-def]
    client = client_for("analyst")
    page = reverse("alerts:queue")
    assert client.get(page).status_code == 200
    _set_last_seen(client, settings.PROBITY_IDLE_SECONDS - 60)
    assert client.get(page).status_code == 200
    assert time.time() - client.session[LAST_SEEN] < 5  # activity moves the clock on
