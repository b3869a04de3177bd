from __future__ import annotations

from django.apps import AppConfig


class VettingRegisterConfig(AppConfig):
    name = "probity.web.vetting_register"
    label = "vetting_register"
    verbose_name = "Vetting register"
