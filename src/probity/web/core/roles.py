"""Roles are Django groups holding permissions. `setup_roles` makes them so, idempotently.

A role grants what a user may *do*; need-to-know on individual records is decided by the
selectors of each app (a case visible only to its team and to those granted access).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction

__all__ = ["ROLES", "Role", "setup_roles", "role_names", "roles_of"]


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    description: str
    permissions: tuple[str, ...]  # "app_label.codename"


ROLES: tuple[Role, ...] = (
    Role("analyst", "Analyst", "Anti-corruption unit analyst: triages alerts, develops intelligence.",
         ("alerts.view_alert", "alerts.triage_alert", "casework.view_report",
          "casework.add_report", "workforce.view_staffmember",
          "assessments.view_judgementsection", "assessments.write_judgement",
          "partners.view_concern", "partners.view_internal_concern", "partners.record_concern",
          "app_review.view_reviewitem", "app_review.review_app")),
    Role("investigator", "Investigator", "PSD investigator: runs investigations.",
         ("casework.view_report", "casework.change_report", "workforce.view_staffmember")),
    Role("appropriate_authority", "Appropriate authority",
         "Chief officer's delegate: decides on IOPC referral, severity, proceedings.",
         ("casework.view_report", "casework.refer_report", "workforce.view_staffmember",
          "assessments.view_judgementsection")),
    Role("vetting_officer", "Vetting officer", "Vetting unit: decisions, renewals, withdrawal.",
         ("workforce.view_staffmember", "workforce.view_vettingclearance",
          "vetting_register.view_compliance", "vetting_register.view_register",
          "vetting_register.change_register")),
    Role("partner_liaison", "Partner liaison",
         "Links with organisations supporting vulnerable people; records partner concerns.",
         ("casework.submit_concern", "partners.view_partner", "partners.add_partner",
          "partners.change_partner", "partners.view_engagement", "partners.add_engagement")),
    Role("auditor", "Auditor", "Data protection officer or auditor: reviews the access log.",
         ("audit.view_accesslog", "audit.verify_accesslog",
          "vetting_register.view_compliance", "vetting_register.view_register")),
    Role("administrator", "Administrator", "Manages user accounts and roles; sees no casework.",
         ("auth.view_user", "auth.add_user", "auth.change_user", "core.manage_roles",
          "vetting_register.view_compliance")),
)
_BY_NAME = {role.name: role for role in ROLES}


def role_names() -> list[str]:
    return [role.name for role in ROLES]


def roles_of(user: object) -> list[str]:
    """The role names a user holds (groups that are roles), in the order of ROLES."""
    if not getattr(user, "is_authenticated", False):
        return []
    held = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
    return [name for name in role_names() if name in held]


def setup_roles(*, using: str = "default") -> dict[str, int]:
    """Create or update one group per role with exactly its permissions. Idempotent.

    Returns the number of permissions set per role. Raises LookupError naming a permission
    that does not exist (a migration is missing).
    """
    result: dict[str, int] = {}
    with transaction.atomic(using=using):
        for role in ROLES:
            group, _ = Group.objects.using(using).get_or_create(name=role.name)
            permissions = []
            for dotted in role.permissions:
                app_label, codename = dotted.split(".", 1)
                try:
                    permissions.append(Permission.objects.using(using).get(
                        content_type__app_label=app_label, codename=codename))
                except Permission.DoesNotExist as exc:
                    raise LookupError(
                        f"role {role.name!r} needs permission {dotted!r}, which does not exist: "
                        "run `probity manage migrate` first."
                    ) from exc
            group.permissions.set(permissions)
            result[role.name] = len(permissions)
    return result


def role(name: str) -> Role:
    return _BY_NAME[name]
