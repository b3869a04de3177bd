from __future__ import annotations

from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "probity.web.workforce"
    label = "workforce"
    verbose_name = "Workforce and person records"
