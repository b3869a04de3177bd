"""Sign-in events go into the hash-chained access log (ASVS 16.3.1): completed sign-ins,
failed passwords and codes, throttling, sign-outs and disabled accounts, with no username or
password in clear, and the chain still verifies."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from probity.web.audit.models import AccessLog
from probity.web.audit.services import access_log_verify

from ..conftest import PASSWORD
from .mfa import enrol_and_sign_in

pytestmark = pytest.mark.django_db

User = Callable[..., object]


def _events() -> list[tuple[str, str, str]]:
    return [(e.actor_username, e.object_id, e.fields_shown)
            for e in AccessLog.objects.filter(action="sign_in").order_by("sequence")]


def test_sign_in_and_out_are_chained_entries(client: Client, make_user: User) -> None:
    user = make_user("alice", "analyst")
    enrol_and_sign_in(client, "alice", PASSWORD)
    client.post(reverse("logout"))
    events = _events()
    assert [e[2].split(",")[0] for e in events] == ["outcome=signed_in", "outcome=signed_out"]
    assert all(e[0] == "alice" and e[1] == str(user.pk) for e in events)  # type: ignore[attr-defined]
    assert "address=127.0.0.1" in events[0][2]
    assert access_log_verify().ok


def test_failures_and_throttling_are_logged_without_the_name_typed(client: Client,
                                                                     make_user: User) -> None:
    make_user("bob", "analyst")
    for _ in range(6):  # five failures lock the name; the sixth try is refused
        client.post(reverse("login"), {"username": "Bob-Typo-Secret", "password": "wrong guess"})  # pragma: allowlist secret (a wrong password typed in the test)
    events = _events()
    outcomes = [e[2].split(",")[0] for e in events]
    assert outcomes == ["outcome=failed"] * 5 + ["outcome=throttled"]
    assert len({e[1] for e in events}) == 1 and events[0][1].startswith("name:")
    assert all(e[0] == "system" for e in events)
    stored = " ".join(f"{e.object_id} {e.fields_shown} {e.actor_username} {e.purpose}"
                      for e in AccessLog.objects.all())
    assert "Bob-Typo-Secret".lower() not in stored.lower() and "wrong guess" not in stored
    assert access_log_verify().ok


def test_a_wrong_code_is_logged_against_the_account(client: Client, make_user: User) -> None:
    user = make_user("carol", "analyst")
    client.post(reverse("login"), {"username": "carol", "password": PASSWORD})
    client.post(reverse("login_enrol"), {"token": "123"})
    assert _events() == [("system", str(user.pk),  # type: ignore[attr-defined]
                          "outcome=failed,stage=code,address=127.0.0.1")]


def test_disabling_is_logged_once(make_user: User) -> None:
    user = make_user("dora", "analyst")
    user.is_active = False  # type: ignore[attr-defined]
    user.save()  # type: ignore[attr-defined]
    user.save()  # type: ignore[attr-defined]  # saved again while disabled: not a new event
    assert [e[2] for e in _events()] == ["outcome=disabled,stage=sessions_ended=0"]
    assert access_log_verify().ok
