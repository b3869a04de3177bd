"""Sign-in: TOTP for every user, throttling, no user enumeration, disabling ends sessions."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from probity.web.accounts.models import LoginFailure
from probity.web.accounts.totp import totp_code
from probity.web.core.demo import create_demo_users

from ..conftest import PASSWORD
from .mfa import enrol_and_sign_in, sign_in

pytestmark = pytest.mark.django_db

User = Callable[..., object]


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_password_alone_signs_nobody_in(client: Client, make_user: User) -> None:
    make_user("alice", "analyst")
    step = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert step.status_code == 302 and step["Location"] == reverse("login_enrol")
    assert not _signed_in(client)
    assert client.get(reverse("home")).status_code == 302  # still sent to sign in
    assert client.get(reverse("alerts:queue"))["Location"].startswith(reverse("login"))


def test_first_sign_in_enrols_a_totp_device_then_every_sign_in_needs_a_code(
        client: Client, make_user: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off is tested upstream
    user = make_user("alice", "analyst")
    page_before = client.get(reverse("login_enrol"))
    assert page_before["Location"] == reverse("login")  # no password step yet: no enrolment
    secret = enrol_and_sign_in(client, "alice", PASSWORD)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert not _signed_in(client)

    # Second sign-in: the verify step, never the enrolment page (no second device by password).
    step = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert step["Location"] == reverse("login_verify")
    assert client.get(reverse("login_enrol"))["Location"] == reverse("login_verify")
    wrong = client.post(reverse("login_verify"), {"token": "000000" if totp_code(secret) != "000000"
                                                   else "111111"})
    assert wrong.status_code == 200 and b"6-digit code" in wrong.content
    assert not _signed_in(client)
    ok = client.post(reverse("login_verify"), {"token": totp_code(secret, at=time.time() + 30)})
    assert ok.status_code == 302 and ok["Location"] == reverse("home")
    assert _signed_in(client)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_a_used_code_cannot_be_replayed(client: Client, make_user: User) -> None:
    make_user("alice", "analyst")
    secret = enrol_and_sign_in(client, "alice", PASSWORD)  # uses the code of this step
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    replay = client.post(reverse("login_verify"), {"token": totp_code(secret)})
    assert replay.status_code == 200 and not _signed_in(client)


def test_enrolment_keeps_the_same_key_until_confirmed(client: Client, make_user: User) -> None:
    make_user("alice", "analyst")
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    first = client.get(reverse("login_enrol")).content
    second = client.get(reverse("login_enrol")).content
    key = re.compile(rb'data-testid="totp-secret">([A-Z2-7]+)<')
    assert key.search(first).group(1) == key.search(second).group(1)  # type: ignore[union-attr]
    assert b'src="data:image/svg+xml;base64,' in first  # the QR code
    wrong = client.post(reverse("login_enrol"), {"token": "12345x"})
    assert wrong.status_code == 200 and not _signed_in(client)
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_pending_step_expires(client: Client, make_user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    make_user("alice", "analyst")
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 301)
    assert client.get(reverse("login_enrol"))["Location"] == reverse("login")


def test_next_is_kept_but_only_on_this_site(client: Client, make_user: User) -> None:
    make_user("alice", "analyst")
    client.post(reverse("login") + "?next=/alerts/",
                {"username": "alice", "password": PASSWORD, "next": "/alerts/"})
    page = client.get(reverse("login_enrol"))
    secret = re.search(rb'data-testid="totp-secret">([A-Z2-7]+)<', page.content).group(1)  # type: ignore[union-attr]
    done = client.post(reverse("login_enrol"), {"token": totp_code(secret.decode())})
    assert done["Location"] == "/alerts/"
    other = Client()
    other.post(reverse("login"), {"username": "alice", "password": PASSWORD,
                                  "next": "https://evil.example/"})
    done = other.post(reverse("login_verify"),
                      {"token": totp_code(secret.decode(), at=time.time() + 30)})
    assert done["Location"] == reverse("home")


def test_demo_users_are_enrolled_and_sign_in_with_password_and_code(db: None) -> None:
    logins = create_demo_users()
    username, role, password = logins[0]
    assert logins[0].otpauth_uri.startswith("otpauth://totp/")
    assert logins[0].totp_secret in logins[0].otpauth_uri
    client = Client()
    response = sign_in(client, username, password, logins[0].totp_secret, offset=0)
    assert response.status_code == 302 and _signed_in(client)
    again = create_demo_users()  # a reset gives a new key; the old one no longer works
    assert again[0].totp_secret != logins[0].totp_secret
    assert TOTPDevice.objects.filter(user__username=username).count() == 1


# --- throttling --------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["alice", "nobody"])
def test_five_failures_lock_the_username_for_everyone(who: str, make_user: User) -> None:
    make_user("alice", "analyst")
    attacker = Client(REMOTE_ADDR="10.0.0.66")
    for _ in range(5):
        r = attacker.post(reverse("login"), {"username": who, "password": "wrong-password-1"})
        assert r.status_code == 200
    locked = attacker.post(reverse("login"), {"username": who, "password": PASSWORD})
    assert locked.status_code == 429 and b"Too many failed attempts" in locked.content
    # the real user at another address is locked out too (until the window passes)
    owner = Client(REMOTE_ADDR="10.0.0.1")
    r = owner.post(reverse("login"), {"username": who.upper(), "password": PASSWORD})
    assert r.status_code == 429 and not _signed_in(owner)
    assert LoginFailure.objects.count() == 5
    LoginFailure.objects.update(at="2000-01-01T00:00:00Z")  # the window has passed
    if who == "alice":
        assert owner.post(reverse("login"),
                          {"username": "alice", "password": PASSWORD}).status_code == 302


def test_wrong_codes_count_towards_the_lock(client: Client, make_user: User) -> None:
    make_user("alice", "analyst")
    secret = enrol_and_sign_in(client, "alice", PASSWORD)
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    bad = "000000" if totp_code(secret, at=time.time() + 30) != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("login_verify"), {"token": bad})
    good = client.post(reverse("login_verify"), {"token": totp_code(secret, at=time.time() + 30)})
    assert good.status_code == 429 and not _signed_in(client)


def test_many_failures_from_one_address_lock_that_address(settings, make_user: User) -> None:  # type: ignore[no-untyped-def]
    settings.PROBITY_LOGIN_MAX_FAILURES_PER_IP = 8
    make_user("alice", "analyst")
    sprayer = Client(REMOTE_ADDR="10.9.9.9")
    for n in range(8):
        sprayer.post(reverse("login"), {"username": f"user{n}", "password": "wrong-password-1"})  # pragma: allowlist secret (test-only wrong password)
    r = sprayer.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert r.status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.2").post(
        reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302


def test_failures_store_no_username_in_clear(client: Client) -> None:
    client.post(reverse("login"), {"username": "MySecretPassword!", "password": "x"})
    row = LoginFailure.objects.get()
    assert "MySecretPassword" not in row.username_digest and len(row.username_digest) == 64


# --- no user enumeration -----------------------------------------------------------------

def _normalised(content: bytes) -> bytes:
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'nonce="[^"]+"', b"", content)  # per-request CSP nonce


def test_unknown_user_wrong_password_and_disabled_account_look_the_same(make_user: User) -> None:
    make_user("bob", "analyst")
    make_user("carol", "analyst", active=False)
    answers = []
    for username, password in [("bob", "nope-nope-nope"), ("nobody", "nope-nope-nope"),
                               ("carol", PASSWORD)]:
        response = Client().post(reverse("login"), {"username": username, "password": password})
        answers.append((response.status_code, _normalised(response.content)))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 200 and b"Enter a correct username and password" in answers[0][1]


class _CountingHasher(PBKDF2PasswordHasher):
    iterations = 20_000  # slow enough to dominate a request, fast enough for a test
    calls = 0

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        type(self).calls += 1
        return super().encode(password, salt, iterations)


def test_unknown_user_costs_the_same_hashing_and_time(settings, make_user: User) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = [f"{__name__}._CountingHasher"]
    settings.PROBITY_LOGIN_MAX_FAILURES = 1000
    user = get_user_model().objects.create_user(username="dave", password=PASSWORD)
    assert user.password.startswith("pbkdf2_sha256$20000$")
    client = Client()

    def attempt(username: str) -> float:
        started = time.perf_counter()
        client.post(reverse("login"), {"username": username, "password": "wrong-password-9"})  # pragma: allowlist secret (test-only wrong password)
        return time.perf_counter() - started

    for name in ("dave", "nobody"):  # warm up
        attempt(name)
    _CountingHasher.calls = 0
    attempt("dave")
    known_calls = _CountingHasher.calls
    _CountingHasher.calls = 0
    attempt("nobody")
    assert known_calls == _CountingHasher.calls == 1
    known_times, unknown_times = [], []
    for n in range(11):  # interleaved, so that machine load hits both alike
        known_times.append(attempt("dave"))
        unknown_times.append(attempt(f"nobody{n}"))
    known, unknown = statistics.median(known_times), statistics.median(unknown_times)
    assert 0.5 < unknown / known < 2.0, (known, unknown)


# --- disabling ends sessions -------------------------------------------------------------

def test_disabling_an_account_ends_its_sessions_at_once(make_user: User) -> None:
    user = make_user("erin", "analyst")
    browser_a, browser_b = Client(), Client()
    secret = enrol_and_sign_in(browser_a, "erin", PASSWORD)
    assert sign_in(browser_b, "erin", PASSWORD, secret).status_code == 302
    other = make_user("frank", "analyst")
    browser_c = Client()
    browser_c.force_login(other)  # type: ignore[arg-type]
    assert Session.objects.count() == 3
    user.is_active = False  # type: ignore[attr-defined]
    user.save()  # type: ignore[attr-defined]
    assert Session.objects.count() == 1  # both of erin's gone, frank's kept
    for browser in (browser_a, browser_b):
        response = browser.get(reverse("alerts:queue"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert browser_c.get(reverse("alerts:queue")).status_code == 200
    # re-enabling does not bring an old session back
    user.is_active = True  # type: ignore[attr-defined]
    user.save()  # type: ignore[attr-defined]
    assert browser_a.get(reverse("alerts:queue")).status_code == 302


def test_a_session_of_a_disabled_user_is_ended_even_without_the_signal(make_user: User) -> None:
    user = make_user("gina", "analyst")
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)  # type: ignore[attr-defined]  # bulk: no signal
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert Session.objects.count() == 0


def test_totp_code_command_gives_the_code_of_a_key_and_refuses_garbage() -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("totp_code", "JBSWY3DPEHPK3PXP", stdout=out)
    assert out.getvalue().strip() in {totp_code("JBSWY3DPEHPK3PXP", at=time.time() + d)
                                      for d in (-30, 0)}
    with pytest.raises(CommandError):
        call_command("totp_code", "not base32 !!")
