"""The database itself refuses UPDATE and DELETE on the record's insert-only tables.

PostgreSQL: a row trigger raising an exception. SQLite: triggers that abort
unless the connection's `councils_record_guard()` function (registered by
councils.record.apps) says a test database is being flushed; a connection
without that function, such as the sqlite3 shell, cannot rewrite the log.
"""

from django.db import migrations

TABLES = ["record_entry", "record_sequence", "record_node", "record_checkpoint", "record_cosignature"]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION councils_record_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the record is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION councils_record_refuse()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    "WHEN councils_record_guard() "
                    f"BEGIN SELECT RAISE(ABORT, 'the record is append-only: {operation} on {table} refused'); END"
                )
    else:
        raise RuntimeError(f"the record's write guard has no triggers for {vendor}")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS councils_record_refuse()")


def create_log_state(apps, schema_editor):
    apps.get_model("record", "LogState").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("record", "0001_initial")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(create_log_state, migrations.RunPython.noop),
    ]
