from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from probity.web.core.roles import setup_roles


class Command(BaseCommand):
    help = "Create or update the role groups and their permissions (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, count in setup_roles().items():
            self.stdout.write(f"{name}: {count} permissions")
