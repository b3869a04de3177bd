from __future__ import annotations

from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "probity.web.investigations"
    label = "investigations"
    verbose_name = "Investigations and outcomes"
