"""Failed sign-in attempts, kept for throttling (no usernames in clear: a keyed digest)."""

from __future__ import annotations

from django.db import models


class LoginFailure(models.Model):
    class Stage(models.TextChoices):
        PASSWORD = "password", "Password"  # pragma: allowlist secret (a choice label, not a password)
        TOKEN = "token", "Authenticator code"

    # HMAC-SHA256 of the submitted username (lower-cased) under the secret key: a password
    # typed into the username box never lands in the database.
    username_digest = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    stage = models.CharField(max_length=8, choices=Stage.choices)
    at = models.DateTimeField()

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["username_digest", "at"]),
                   models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.stage} failure at {self.at:%Y-%m-%dT%H:%M:%SZ}"
