"""Partner organisations, engagement with them, and the concern reporting routes."""
from __future__ import annotations

from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "probity.web.partners"
    label = "partners"
    verbose_name = "Partners and concerns"
