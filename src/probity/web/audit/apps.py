from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "probity.web.audit"
    label = "audit"
    verbose_name = "Access log"
