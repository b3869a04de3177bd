from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "probity.web.core"
    label = "core"
    verbose_name = "Probity core"

    def ready(self) -> None:
        post_migrate.connect(_setup_roles_after_migrate, dispatch_uid="probity_setup_roles")


def _setup_roles_after_migrate(sender: AppConfig, **kwargs: object) -> None:
    # Run once, after the last app's permissions exist (casework is installed last).
    if sender.label != "casework":
        return
    from probity.web.core.roles import setup_roles

    setup_roles(using=str(kwargs.get("using", "default")))
