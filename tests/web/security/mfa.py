"""Helpers to sign in through the real two-step journey (password, then TOTP)."""

from __future__ import annotations

import re
import time
from typing import Any

from django.test import Client
from django.urls import reverse

from probity.web.accounts.totp import totp_code

SECRET_RE = re.compile(rb'data-testid="totp-secret">([A-Z2-7]+)<')


def enrol_and_sign_in(client: Client, username: str, password: str) -> str:
    """First sign-in: password, enrolment page, code. Returns the TOTP key it enrolled."""
    step = client.post(reverse("login"), {"username": username, "password": password})
    assert step.status_code == 302 and step["Location"] == reverse("login_enrol"), step
    page = client.get(reverse("login_enrol"))
    found = SECRET_RE.search(page.content)
    assert found, "the enrolment page shows the key"
    secret = found.group(1).decode()
    done = client.post(reverse("login_enrol"), {"token": totp_code(secret)})
    assert done.status_code == 302 and "_auth_user_id" in client.session
    return secret


def sign_in(client: Client, username: str, password: str, secret: str,
            *, offset: int = 30) -> Any:
    """A later sign-in with an enrolled key (offset: a later 30 s step than the last code)."""
    step = client.post(reverse("login"), {"username": username, "password": password})
    assert step.status_code == 302 and step["Location"] == reverse("login_verify"), step
    return client.post(reverse("login_verify"),
                       {"token": totp_code(secret, at=time.time() + offset)})


def browser_complete_mfa(page: Any) -> None:
    """In a Playwright page just past the password step: enrol (first sign-in), enter code."""
    page.wait_for_url(re.compile(r".*/login/(enrol|verify)/$"))
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_label("6-digit code").fill(totp_code(secret))
    page.get_by_role("button", name="Continue").click()
