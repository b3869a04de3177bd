"""Navigation by role: each entry appears only to users holding its permission."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from probity.web.core.roles import ROLES, roles_of

# (label, url name, permission needed)
NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("Alerts", "alerts:queue", "alerts.view_alert"),
    ("Reports", "casework:report_list", "casework.view_report"),
    ("Dashboard", "casework:dashboard", "casework.view_report"),
    ("Threat assessment", "assessments:index", "assessments.view_judgementsection"),
    ("Access log", "audit:log", "audit.view_accesslog"),
    ("Vetting", "vetting_register:compliance", "vetting_register.view_compliance"),
    ("Concern intake", "concerns:intake", "partners.view_concern"),
    ("Partners", "partners:list", "partners.view_partner"),
    ("App review", "app_review:coverage", "app_review.view_reviewitem"),
)


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    items = []
    for label, url_name, permission in NAVIGATION:
        if user.has_perm(permission):
            url = reverse(url_name)
            items.append({"label": label, "url": url,
                          "active": request.path.startswith(url)})
    labels = {role.name: role.label for role in ROLES}
    return {"nav_items": items, "user_roles": [labels[name] for name in roles_of(user)]}
