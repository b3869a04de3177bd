"""Reads of the access log, for auditors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from probity.web.audit.models import AccessLog


def access_log_list(*, viewer: Any, actor_username: str = "", object_type: str = "",
                    object_id: str = "") -> QuerySet[AccessLog]:
    if not viewer.has_perm("audit.view_accesslog"):
        raise PermissionDenied
    rows = AccessLog.objects.order_by("-sequence")
    if actor_username:
        rows = rows.filter(actor_username=actor_username)
    if object_type:
        rows = rows.filter(object_type=object_type)
    if object_id:
        rows = rows.filter(object_id=object_id)
    return rows
