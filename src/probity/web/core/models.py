"""The core app holds no data of its own, only the permission to manage roles."""

from __future__ import annotations

from django.db import models


class RoleAdministration(models.Model):
    """Carrier of the `manage_roles` permission (no rows are ever stored)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("manage_roles", "Can assign roles to users")]

    def __str__(self) -> str:
        return "role administration"
