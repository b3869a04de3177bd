from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "probity.web.accounts"
    label = "accounts"
    verbose_name = "Probity accounts and security"

    def ready(self) -> None:
        from probity.web.accounts import signals

        signals.connect()
