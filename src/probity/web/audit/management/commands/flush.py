"""`flush` (empty every table), which must also empty the append-only access log.

Django's own flush would be refused by the access log's triggers. This override lifts them
for the flush and puts them back, and refuses outright in production: emptying the database
erases the access log, which only a deliberate, owner-level act outside Probity may do.
Test runners use flush between transactional tests.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

_SQLITE_LIFT = ["DROP TRIGGER IF EXISTS audit_accesslog_no_update",
                "DROP TRIGGER IF EXISTS audit_accesslog_no_delete"]


class Command(DjangoFlush):
    help = DjangoFlush.help + " Refused in production (it would erase the access log)."

    def handle(self, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("flush would erase the access log: refused with "
                               "PROBITY_ENV=production")
        from importlib import import_module

        migration = import_module("probity.web.audit.migrations.0002_append_only")
        connection = connections[options["database"]]
        tables = connection.introspection.table_names()
        present = "audit_accesslog" in tables
        if present:
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    for sql in _SQLITE_LIFT:
                        cursor.execute(sql)
                elif connection.vendor == "postgresql":
                    cursor.execute("ALTER TABLE audit_accesslog DISABLE TRIGGER USER")
        try:
            super().handle(**options)
        finally:
            if present:
                with connection.cursor() as cursor:
                    if connection.vendor == "sqlite":
                        for sql in migration.SQLITE:
                            cursor.execute(sql)
                    elif connection.vendor == "postgresql":
                        cursor.execute("ALTER TABLE audit_accesslog ENABLE TRIGGER USER")
