"""Who may read and write judgement sections.

The roles live in probity.web.core.roles (another area); until they grant this app's
permissions, holding the role is enough: analysts write, analysts and the appropriate
authority read. Django permissions granted directly also work.
"""

from __future__ import annotations

from typing import Any

from probity.web.core.roles import roles_of

WRITE_ROLES = ("analyst",)
READ_ROLES = ("analyst", "appropriate_authority")


def can_write(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(set(roles_of(user)) & set(WRITE_ROLES)) or user.has_perm(
        "assessments.write_judgement")


def can_read(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return can_write(user) or bool(set(roles_of(user)) & set(READ_ROLES)) or user.has_perm(
        "assessments.view_judgementsection")
