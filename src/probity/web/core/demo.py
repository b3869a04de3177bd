"""Demo users, one per role, with random passwords shown once and never stored in clear, and
an enrolled TOTP authenticator each (sign-in needs both)."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from probity.web.core.roles import ROLES, setup_roles

__all__ = ["create_demo_users", "DemoLogin", "DEMO_USER_PREFIX"]

DEMO_USER_PREFIX = "demo_"


class DemoLogin(tuple[str, str, str]):
    """(username, role, password), plus the TOTP key: `totp_secret` (base32, for typing into
    an authenticator app or `probity manage totp_code`) and `otpauth_uri` (for a QR code)."""

    totp_secret: str
    otpauth_uri: str

    def __new__(cls, username: str, role: str, password: str, *, totp_secret: str,
                otpauth_uri: str) -> DemoLogin:
        login = super().__new__(cls, (username, role, password))
        login.totp_secret = totp_secret
        login.otpauth_uri = otpauth_uri
        return login


def create_demo_users() -> list[DemoLogin]:
    """Create (or reset) one demo user per role: `demo_<role>` with a fresh random password.

    Returns [(username, role, password)] as `DemoLogin`s that also carry a fresh TOTP key
    (`totp_secret`, `otpauth_uri`); the passwords exist only in this return value (the
    database keeps Django's salted hash), so print them once. Idempotent: running it again
    resets each demo user's password, authenticator and roles.
    """
    setup_roles()
    user_model = get_user_model()
    from probity.web.accounts.totp import device_secret, totp_device_reset

    created: list[DemoLogin] = []
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
            device = totp_device_reset(user=user)
            created.append(DemoLogin(username, role.name, password,
                                     totp_secret=device_secret(device),
                                     otpauth_uri=device.config_url))
    return created
