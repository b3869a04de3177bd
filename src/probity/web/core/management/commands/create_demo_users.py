from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from probity.web.core.demo import create_demo_users


class Command(BaseCommand):
    help = "Create or reset one demo user per role; prints each password once."

    def handle(self, *args: Any, **options: Any) -> None:
        for username, role, password in create_demo_users():
            self.stdout.write(f"{role:24} {username:30} {password}")
