"""Who may read and write judgement sections: Django permissions, granted through the roles
in probity.web.core.roles (analysts write; analysts and the appropriate authority read)."""

from __future__ import annotations

from typing import Any

READ_PERMISSION = "assessments.view_judgementsection"
WRITE_PERMISSION = "assessments.write_judgement"


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_write(user: Any) -> bool:
    return _active(user) and bool(user.has_perm(WRITE_PERMISSION))


def can_read(user: Any) -> bool:
    return _active(user) and bool(user.has_perm(READ_PERMISSION) or user.has_perm(WRITE_PERMISSION))
