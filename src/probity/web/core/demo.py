"""Demo users, one per role, with random passwords shown once and never stored in clear."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from probity.web.core.roles import ROLES, setup_roles

__all__ = ["create_demo_users", "DEMO_USER_PREFIX"]

DEMO_USER_PREFIX = "demo_"


def create_demo_users() -> list[tuple[str, str, str]]:
    """Create (or reset) one demo user per role: `demo_<role>` with a fresh random password.

    Returns [(username, role, password)]; the passwords exist only in this return value
    (the database keeps Django's salted hash), so print them once. Idempotent: running it
    again resets each demo user's password and roles.
    """
    setup_roles()
    user_model = get_user_model()
    created: list[tuple[str, str, str]] = []
    with transaction.atomic():
        for role in ROLES:
            username = f"{DEMO_USER_PREFIX}{role.name}"
            password = secrets.token_urlsafe(12)
            user, _ = user_model.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_active = True
            user.is_staff = False
            user.is_superuser = False
            user.save()
            user.groups.set([Group.objects.get(name=role.name)])
            created.append((username, role.name, password))
    return created
