"""Database triggers: audit records cannot be changed or deleted, chain heads only move forward.

PostgreSQL and SQLite each get their own triggers. On PostgreSQL, also run the web app as a
role that does not own these tables and holds only SELECT and INSERT on them (see
docs/admin/postgresql.md): an owner could drop the triggers.
"""

from django.db import migrations

RECORD_TABLES = ("audits_processingrecord", "audits_accessrecord")
HEAD_TABLE = "audits_chainhead"

POSTGRES_FORWARD = [
    """CREATE FUNCTION meedoen_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit records are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE FUNCTION meedoen_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR NEW.position < OLD.position OR NEW.chain <> OLD.chain THEN
            RAISE EXCEPTION 'an audit chain head can only move forward'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END $$""",
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION meedoen_audit_append_only()"
        for table in RECORD_TABLES
    ),
    *(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION meedoen_audit_append_only()"
        for table in (*RECORD_TABLES, HEAD_TABLE)
    ),
    f"CREATE TRIGGER {HEAD_TABLE}_forward BEFORE UPDATE OR DELETE ON {HEAD_TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION meedoen_audit_head_forward()",
]
POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER {table}_append_only ON {table}" for table in RECORD_TABLES),
    *(f"DROP TRIGGER {table}_no_truncate ON {table}" for table in (*RECORD_TABLES, HEAD_TABLE)),
    f"DROP TRIGGER {HEAD_TABLE}_forward ON {HEAD_TABLE}",
    "DROP FUNCTION meedoen_audit_append_only()",
    "DROP FUNCTION meedoen_audit_head_forward()",
]

SQLITE_FORWARD = [
    *(
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit records are append-only: {op} is not allowed'); END"
        for table in RECORD_TABLES
        for op in ("UPDATE", "DELETE")
    ),
    f"CREATE TRIGGER {HEAD_TABLE}_forward BEFORE UPDATE ON {HEAD_TABLE} "
    "WHEN NEW.position < OLD.position OR NEW.chain <> OLD.chain "
    "BEGIN SELECT RAISE(ABORT, 'an audit chain head can only move forward'); END",
    f"CREATE TRIGGER {HEAD_TABLE}_no_delete BEFORE DELETE ON {HEAD_TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'an audit chain head can only move forward'); END",
]
SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER {table}_no_{op.lower()}"
        for table in RECORD_TABLES
        for op in ("UPDATE", "DELETE")
    ),
    f"DROP TRIGGER {HEAD_TABLE}_forward",
    f"DROP TRIGGER {HEAD_TABLE}_no_delete",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"meedoen supports PostgreSQL and SQLite, not {vendor}")
        for sql in statements[vendor]:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
