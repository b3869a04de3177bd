from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from probity.web.accounts.totp import totp_code


class Command(BaseCommand):
    help = ("Print the current 6-digit code for a TOTP key you hold (the key printed by "
            "`probity demo`); stands in for an authenticator app in a demo. Reads no account.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("secret", help="base32 key, e.g. as printed by `probity demo`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(totp_code(str(options["secret"])))
        except (ValueError, TypeError) as exc:
            raise CommandError(f"not a base32 TOTP key: {exc}") from exc
