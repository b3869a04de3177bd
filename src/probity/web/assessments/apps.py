from __future__ import annotations

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "probity.web.assessments"
    label = "assessments"
    verbose_name = "Threat assessment judgements"
    default_auto_field = "django.db.models.BigAutoField"
