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
    # Run once, after the permissions of the last installed app exist.
    from django.apps import apps

    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    from probity.web.core.roles import setup_roles

    setup_roles(using=str(kwargs.get("using", "default")))
