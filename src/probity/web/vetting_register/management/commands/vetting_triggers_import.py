"""`probity manage vetting_triggers_import EXTRACT_DIR [--links links.csv] [--as-of D]`"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from probity.errors import ProbityError


class Command(BaseCommand):
    help = ("Record the re-vetting triggers found in an extract (misconduct upheld, complaint "
            "pattern) and in `probity link` output (screening findings); already recorded "
            "triggers are skipped.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("extract", type=Path, help="A Force Extract v1 directory.")
        parser.add_argument("--links", type=Path, default=None,
                            help="links.csv written by `probity link --out`.")
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: period_end).")

    def handle(self, *args: Any, **options: Any) -> None:
        from probity.extract import open_extract
        from probity.vetting import read_links
        from probity.web.vetting_register.services import triggers_import

        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else None
        except ValueError as exc:
            raise CommandError(f"--as-of {options['as_of']!r} is not a date (YYYY-MM-DD)") from exc
        try:
            links = read_links(options["links"]) if options["links"] else None
            with open_extract(options["extract"]) as extract:
                created = triggers_import(actor=None, extract=extract, as_of=as_of, links=links)
        except ProbityError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"recorded {len(created)} new re-vetting trigger(s)")
