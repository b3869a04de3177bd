"""Fixtures for the web tests: one signed-in client per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from probity.web.core.roles import role_names, setup_roles

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture
def roles(db: None) -> None:
    setup_roles()


@pytest.fixture
def make_user(roles: None) -> Callable[..., object]:
    def make(username: str, *role: str, active: bool = True) -> object:
        user = get_user_model().objects.create_user(username=username, password=PASSWORD,
                                                    is_active=active)
        user.groups.set([Group.objects.get(name=name) for name in role])
        return user

    return make


@pytest.fixture
def client_for(make_user: Callable[..., object]) -> Callable[[str], Client]:
    """A test client signed in as a new user holding one role (or none: role="")."""

    def make(role: str) -> Client:
        client = Client()
        user = make_user(f"user_{role or 'norole'}", *([role] if role else []))
        client.force_login(user)  # type: ignore[arg-type]
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


ALL_ROLES = role_names()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # Test speed only; production keeps Django's default PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
