"""The access log is append-only in the database itself: UPDATE and DELETE on its rows are
refused by triggers (SQLite and PostgreSQL), whatever code issues them. Removing a trigger
needs the table owner's rights, which the production application role does not hold
(docs/security.md); and any change made anyway breaks the hash chain."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_accesslog_no_update BEFORE UPDATE ON audit_accesslog
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only: rows cannot be updated'); END""",
    """CREATE TRIGGER audit_accesslog_no_delete BEFORE DELETE ON audit_accesslog
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only: rows cannot be deleted'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_accesslog_no_update",
                  "DROP TRIGGER IF EXISTS audit_accesslog_no_delete"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_accesslog_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the access log is append-only: rows cannot be %', lower(TG_OP)
             USING ERRCODE = 'insufficient_privilege'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_accesslog_no_change BEFORE UPDATE OR DELETE ON audit_accesslog
       FOR EACH ROW EXECUTE FUNCTION audit_accesslog_append_only()""",
    """CREATE TRIGGER audit_accesslog_no_truncate BEFORE TRUNCATE ON audit_accesslog
       FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslog_append_only()""",
]
POSTGRES_REVERSE = ["DROP TRIGGER IF EXISTS audit_accesslog_no_change ON audit_accesslog",
                    "DROP TRIGGER IF EXISTS audit_accesslog_no_truncate ON audit_accesslog",
                    "DROP FUNCTION IF EXISTS audit_accesslog_append_only()"]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE,
                  "postgresql": POSTGRES_REVERSE}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
