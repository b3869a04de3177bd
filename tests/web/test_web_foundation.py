"""Health, login/logout, roles, anonymous redirects, demo users."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from probity.web.core.demo import create_demo_users
from probity.web.core.roles import ROLES, setup_roles

from .conftest import PASSWORD
from .security.mfa import enrol_and_sign_in

pytestmark = pytest.mark.django_db

PROTECTED = ["home", "alerts:queue", "casework:report_list", "audit:log", "audit:verify"]


def test_health_reports_database_ok(client: Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_health_rejects_post(client: Client) -> None:
    assert client.post("/health").status_code == 405


@pytest.mark.parametrize("name", PROTECTED)
def test_anonymous_is_redirected_to_login(client: Client, name: str) -> None:
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_login_and_logout(client: Client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("alice", "analyst")
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b"OFFICIAL-SENSITIVE" in page.content
    enrol_and_sign_in(client, "alice", PASSWORD)  # password, then TOTP (tests/web/security)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert b"alice" in home.content and b"Analyst" in home.content
    assert b'href="/alerts/"' in home.content  # analysts see the alerts entry
    assert b'href="/audit/"' not in home.content  # and not the access log
    out = client.post(reverse("logout"))
    assert out.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_answer(client: Client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("bob", "analyst")
    wrong = client.post(reverse("login"), {"username": "bob", "password": "nope-nope-nope"})
    unknown = client.post(reverse("login"), {"username": "nobody", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert b"Enter a correct username and password" in wrong.content
    assert b"Enter a correct username and password" in unknown.content
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_sign_in(client: Client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("carol", "analyst", active=False)
    client.post(reverse("login"), {"username": "carol", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_every_role_group_exists_with_its_permissions(roles: None) -> None:
    for role in ROLES:
        group = Group.objects.get(name=role.name)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(role.permissions)


def test_setup_roles_is_idempotent_and_repairs(roles: None) -> None:
    Group.objects.get(name="auditor").permissions.clear()
    setup_roles()
    setup_roles()
    assert Group.objects.filter(name__in=[r.name for r in ROLES]).count() == len(ROLES)
    auditor = next(r for r in ROLES if r.name == "auditor")
    assert Group.objects.get(name="auditor").permissions.count() == len(auditor.permissions)


def test_only_analysts_may_triage_and_only_auditors_read_the_log(make_user) -> None:  # type: ignore[no-untyped-def]
    for role in ROLES:
        user = make_user(f"u_{role.name}", role.name)
        assert user.has_perm("alerts.triage_alert") == (role.name == "analyst")
        assert user.has_perm("audit.view_accesslog") == (role.name == "auditor")


def test_create_demo_users_one_per_role_with_working_random_passwords(db: None) -> None:
    first = create_demo_users()
    assert [role for _, role, _ in first] == [r.name for r in ROLES]
    second = create_demo_users()
    assert all(a[2] != b[2] for a, b in zip(first, second, strict=True))  # reset, fresh
    for username, role, password in second:
        user = get_user_model().objects.get(username=username)
        assert user.check_password(password)
        assert not user.check_password(first[0][2])
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert not user.is_superuser and not user.is_staff
