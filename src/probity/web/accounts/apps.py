from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "probity.web.accounts"
    label = "accounts"
    verbose_name = "Probity accounts and security"

    def ready(self) -> None:
        from django.core import checks

        from probity.web.accounts import signals
        from probity.web.accounts.breached import breached_list_check

        signals.connect()
        checks.register(breached_list_check, checks.Tags.security, deploy=True)
