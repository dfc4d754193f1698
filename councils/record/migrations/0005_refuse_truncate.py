"""PostgreSQL refuses TRUNCATE on the record's insert-only tables too.

Row triggers (0002) do not fire for TRUNCATE, which empties a table at
once; a statement trigger does. A superuser restoring or flushing a
throwaway database can still set `session_replication_role = replica`,
which no other role may set.
"""

from django.db import migrations

TABLES = ["record_entry", "record_sequence", "record_node", "record_checkpoint", "record_cosignature"]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION councils_record_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the record is append-only: TRUNCATE on % refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(POSTGRES_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION councils_record_refuse_truncate()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS councils_record_refuse_truncate()")


class Migration(migrations.Migration):
    dependencies = [("record", "0004_append_function")]

    operations = [migrations.RunPython(forwards, backwards)]
