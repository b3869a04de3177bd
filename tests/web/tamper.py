"""Tests only: lift and restore the append-only triggers, as an attacker holding the database
owner's rights could (tamper tests), or as the test runner must to flush the database after a
transactional test. Never called by the application."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module

from django.db import connection

_SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_accesslog_no_update",
                "DROP TRIGGER IF EXISTS audit_accesslog_no_delete"]


def lift() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in _SQLITE_DROP:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks
            cursor.execute("ALTER TABLE audit_accesslog DISABLE TRIGGER USER")


def restore() -> None:
    migration = import_module("probity.web.audit.migrations.0002_append_only")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in migration.SQLITE_REVERSE + migration.SQLITE:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_accesslog ENABLE TRIGGER USER")


@contextmanager
def append_only_lifted() -> Iterator[None]:
    lift()
    try:
        yield
    finally:
        restore()
