from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from probity.web.core.demo import create_demo_users


class Command(BaseCommand):
    help = "Create or reset one demo user per role; prints each password and TOTP key once."

    def handle(self, *args: Any, **options: Any) -> None:
        for login in create_demo_users():
            username, role, password = login
            self.stdout.write(f"{role:24} {username:30} {password}  TOTP key {login.totp_secret}")
