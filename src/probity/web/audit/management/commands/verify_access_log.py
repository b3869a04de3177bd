from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from probity.web.audit.services import access_log_verify


class Command(BaseCommand):
    help = "Verify the access log hash chain; exit 1 listing every break found."

    def handle(self, *args: Any, **options: Any) -> None:
        result = access_log_verify()
        if result.ok:
            self.stdout.write(f"access log verified: {result.entries} entries, chain intact")
            return
        for text in result.problems:
            self.stderr.write(text)
        raise CommandError(
            f"access log FAILED verification: {len(result.problems)} problem(s) in "
            f"{result.entries} entries"
        )
