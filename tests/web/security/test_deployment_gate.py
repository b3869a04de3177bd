"""Deployment gate (check --deploy in production settings), fail-fast start-up, and the
security headers on every kind of page: no-store, CSP with a nonce, frame and referrer rules."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from probity.web.accounts.access import ACCESS, ANONYMOUS

from .test_access_matrix_generated import URLS, _url, build_world

PROBITY = str(Path(sys.executable).with_name("probity"))
GOOD_KEY = "k" * 20 + "-Zq9!x" * 10
TEMPLATE_ROOT = Path(__file__).parents[3] / "src" / "probity" / "web"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PROBITY_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE",
                                                         "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"PROBITY_DATA_DIR": str(tmp_path), **extra})
    return env


def _probity(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PROBITY, *args], capture_output=True, text=True, timeout=180,
                          env=_env(tmp_path, **extra))


def _django(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """`django-admin` with Probity's settings, without the CLI's start-up cost."""
    code = ("import sys; from django.core.management import execute_from_command_line; "
            "execute_from_command_line(['manage', *sys.argv[1:]])")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=180, env=_env(tmp_path, **extra,
                                                DJANGO_SETTINGS_MODULE="probity.web.config.settings"))


PRODUCTION = {"PROBITY_ENV": "production", "PROBITY_SECRET_KEY": GOOD_KEY,
              "PROBITY_ALLOWED_HOSTS": "probity.force.example"}


def test_probity_manage_check_deploy_passes_in_production(tmp_path: Path) -> None:
    result = _probity(tmp_path, "manage", "check", "--deploy", "--fail-level", "WARNING",
                      **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_gate_fails_when_production_is_weakened(tmp_path: Path) -> None:
    result = _django(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                     **PRODUCTION, PROBITY_SECURE_COOKIES="0")
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout  # SESSION_COOKIE_SECURE
    assert "security.W016" in result.stderr + result.stdout  # CSRF_COOKIE_SECURE


def test_the_gate_passes_with_the_redirect_left_to_the_proxy(tmp_path: Path) -> None:
    result = _django(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                     **PRODUCTION, PROBITY_SSL_REDIRECT="0")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("key, message", [("", "PROBITY_SECRET_KEY is not set"),
                                          ("short-key", "shorter than 50 characters")])
def test_production_without_a_usable_secret_key_does_not_start(tmp_path: Path, key: str,
                                                               message: str) -> None:
    env = {**PRODUCTION, "PROBITY_SECRET_KEY": key}
    # (the CLI's exit 3 without a traceback: tests/web/test_web_settings.py)
    result = _django(tmp_path, "check", **env)
    assert result.returncode != 0 and "ConfigurationError" in result.stderr
    assert message in result.stderr
    assert not (tmp_path / "secret_key").exists()


PROXY_SCRIPT = """
import django; django.setup()
from django.test import Client
c = Client()
plain = c.get('/health', HTTP_HOST='probity.force.example')
proxied = c.get('/health', HTTP_HOST='probity.force.example', HTTP_X_FORWARDED_PROTO='https')
print(plain.status_code, plain.get('Location', ''))
print(proxied.status_code, proxied.get('Strict-Transport-Security', ''))
print(c.get('/health', HTTP_HOST='evil.example', HTTP_X_FORWARDED_PROTO='https').status_code)
"""


def test_production_behind_a_tls_proxy_redirects_http_and_sends_hsts(tmp_path: Path) -> None:
    env = _env(tmp_path, **PRODUCTION, DJANGO_SETTINGS_MODULE="probity.web.config.settings")
    result = subprocess.run([sys.executable, "-c", PROXY_SCRIPT], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    plain, proxied, bad_host = result.stdout.splitlines()[-3:]
    assert plain == "301 https://probity.force.example/health"
    assert proxied.startswith("200 max-age=31536000; includeSubDomains")
    assert bad_host == "400"


# --- headers on the pages themselves (development settings, in process) ------------------


def _check_headers(response: Any, where: str) -> list[str]:
    problems = []
    if response.get("Cache-Control") != "no-store":
        problems.append(f"{where}: Cache-Control {response.get('Cache-Control')!r}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"{where}: X-Frame-Options {response.get('X-Frame-Options')!r}")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append(f"{where}: Referrer-Policy {response.get('Referrer-Policy')!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{where}: X-Content-Type-Options missing")
    csp = response.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'", "form-action 'self'"):
        if directive not in csp:
            problems.append(f"{where}: CSP lacks {directive!r}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"{where}: CSP allows unsafe-inline/eval")
    return problems


@pytest.mark.django_db
def test_every_page_an_allowed_user_can_open_carries_the_security_headers(
        loaded_run: Any, make_user: Callable[..., Any]) -> None:
    world = build_world(loaded_run, make_user)
    report = world["report"]
    problems: list[str] = []
    opened = 0
    for name in sorted(set(URLS) & set(ACCESS)):
        roles = sorted(ACCESS[name].get)
        if not roles:
            continue
        principal = roles[0]
        client = Client()
        if principal != ANONYMOUS:
            user = make_user(f"h_{name.replace(':', '_')}", *([principal] if principal != "no_role"
                                                            else []))
            report.team.add(user)
            client.force_login(user)
        response = client.get(_url(name, world))
        problems += _check_headers(response, f"GET {name} as {principal}")
        opened += 1
    assert opened >= 10 and problems == []


@pytest.mark.django_db
def test_error_pages_and_static_files(client_for: Callable[[str], Client]) -> None:
    analyst = client_for("analyst")
    assert _check_headers(analyst.get("/no-such-page/"), "404") == []
    assert _check_headers(analyst.get(reverse("audit:log")), "403") == []
    static = Client().get("/static/probity/probity.css")
    assert static.status_code == 200 and static.get("Cache-Control") != "no-store"


@pytest.mark.django_db
def test_the_inline_script_carries_this_responses_nonce(client_for: Callable[[str], Client]) -> None:
    client = client_for("analyst")
    nonces = []
    for _ in range(2):
        response = client.get(reverse("home"))
        header = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
        assert header, response["Content-Security-Policy"]
        assert f'<script nonce="{header.group(1)}">'.encode() in response.content
        nonces.append(header.group(1))
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22


def test_no_template_has_an_inline_script_without_a_nonce() -> None:
    offenders = []
    for template in TEMPLATE_ROOT.rglob("templates/**/*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text(encoding="utf-8")):
            if "src=" not in tag and "nonce=" not in tag:
                offenders.append(f"{template.relative_to(TEMPLATE_ROOT)}: {tag}")
            if re.search(r"\son[a-z]+=", tag):
                offenders.append(f"{template.relative_to(TEMPLATE_ROOT)}: handler in {tag}")
    assert offenders == []
