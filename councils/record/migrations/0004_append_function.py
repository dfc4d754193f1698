"""PostgreSQL appends an entry and its pending marker through one stored function.

A call of `councils_record_append(...)` is parsed in no time and runs
statements whose plans the server keeps for the session, where an INSERT
sent as text is planned again for every action. Unlike a prepared
statement, the function works through any connection pooler.
"""

from django.db import migrations

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION councils_record_append(
    p_event varchar, p_council bigint, p_created_at timestamptz, p_data bytea, p_leaf_hash bytea
) RETURNS void AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO record_entry (event, council_id, created_at, data, leaf_hash)
        VALUES (p_event, p_council, p_created_at, p_data, p_leaf_hash)
        RETURNING id INTO new_id;
    INSERT INTO record_pending (entry_id) VALUES (new_id);
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS councils_record_append(varchar, bigint, timestamptz, bytea, bytea)")


class Migration(migrations.Migration):
    dependencies = [("record", "0003_lighter_inserts")]

    operations = [migrations.RunPython(forwards, backwards)]
