"""SQLite triggers that refuse an INSERT over an existing audit record or chain head.

``INSERT OR REPLACE`` (``REPLACE INTO``) over an existing row deletes that row and inserts the
new one, and SQLite fires no DELETE trigger for it (unless recursive triggers are on): the
no-delete triggers of 0002 did not stop it, so the last record could be replaced by one that
fits the chain, and the head rewritten. These BEFORE INSERT triggers refuse any insert whose
position (or row id) is taken, and any insert of a chain head that exists; a plain insert over
a taken position now gets this message instead of the UNIQUE error.

PostgreSQL has no INSERT OR REPLACE: ``INSERT … ON CONFLICT DO UPDATE`` is an UPDATE and fires
the UPDATE triggers of 0002, so nothing is added there (tested in
tests/security/test_audit_truncation.py).

As 0002 notes: a later migration that makes SQLite rebuild one of these tables (AlterField and
the like) drops their triggers; it must create them again. ``meedoen audit verify`` reports
missing triggers.
"""

from django.db import migrations

RECORD_TABLES = ("audits_processingrecord", "audits_accessrecord")
HEAD_TABLE = "audits_chainhead"

SQLITE_FORWARD = [
    *(
        f"CREATE TRIGGER {table}_no_overwrite BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE position = NEW.position) "
        f"OR EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'audit records are append-only: an insert over an existing "
        "record is not allowed'); END"
        for table in RECORD_TABLES
    ),
    f"CREATE TRIGGER {HEAD_TABLE}_no_overwrite BEFORE INSERT ON {HEAD_TABLE} "
    f"WHEN EXISTS (SELECT 1 FROM {HEAD_TABLE} WHERE chain = NEW.chain) "
    f"OR EXISTS (SELECT 1 FROM {HEAD_TABLE} WHERE rowid = NEW.rowid) "
    "BEGIN SELECT RAISE(ABORT, 'an audit chain head can only move forward: it exists'); END",
]
SQLITE_BACKWARD = [
    *(f"DROP TRIGGER {table}_no_overwrite" for table in RECORD_TABLES),
    f"DROP TRIGGER {HEAD_TABLE}_no_overwrite",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            return  # ON CONFLICT DO UPDATE fires the UPDATE triggers of 0002
        if vendor != "sqlite":
            raise RuntimeError(f"meedoen supports PostgreSQL and SQLite, not {vendor}")
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audits", "0003_activity_index")]

    operations = [migrations.RunPython(_run(SQLITE_FORWARD), _run(SQLITE_BACKWARD))]
