"""`probity manage load_app_findings (--extract DIR | --report apps.csv)`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from probity.errors import ProbityError


class Command(BaseCommand):
    help = "Load device app findings into the app review (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--extract", type=Path, help="A Force Extract v1 directory.")
        group.add_argument("--report", type=Path, help="CSV written by `probity apps report`.")

    def handle(self, *args: Any, **options: Any) -> None:
        from probity.web.app_review.services import findings_load

        try:
            load = findings_load(actor=None, extract_dir=options["extract"],
                                 report_csv=options["report"])
        except ProbityError as exc:
            raise CommandError(str(exc)) from exc
        known = "" if load.devices is None else (
            f"; {load.devices_with_inventory} of {load.devices} devices have an app inventory")
        self.stdout.write(f"loaded {load.findings} findings{known}")
