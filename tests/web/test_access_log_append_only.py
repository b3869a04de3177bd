"""The database itself refuses to update or delete access log rows (both engines)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from probity.web.audit.models import AccessLog
from probity.web.audit.services import access_log_record, access_log_verify

from .tamper import restore

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(make_user) -> AccessLog:  # type: ignore[no-untyped-def]
    restore()  # a browser test's flush may have run in this process with them lifted
    with transaction.atomic():
        return access_log_record(actor=make_user("gus", "analyst"), action="view",
                                 object_type="alert", object_id="7", purpose="triage review")


def test_update_is_refused(entry: AccessLog) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).update(purpose="nothing to see")
    entry.refresh_from_db()
    assert entry.purpose == "triage review"


def test_delete_is_refused(entry: AccessLog) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).delete()
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_raw_sql_update_is_refused(entry: AccessLog) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accesslog SET purpose = 'x'")
    assert access_log_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL only")
def test_truncate_is_refused_on_postgresql(entry: AccessLog) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE audit_accesslog")


def test_flush_is_refused_in_production(entry: AccessLog, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="erase the access log"):
        call_command("flush", interactive=False, verbosity=0)
    assert AccessLog.objects.filter(pk=entry.pk).exists()
