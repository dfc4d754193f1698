"""Each pending marker names the transaction that wrote its entry (`Pending.xact`).

On PostgreSQL the column's default is `txid_current()`, the id of the
top-level transaction even inside a savepoint (64 bits, never wrapping
around): the stored function `councils_record_append` (0004) and the
engine's statements stay as they are. Markers queued before this
migration keep no transaction. SQLite's engine writes the column itself.
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE record_pending ALTER COLUMN xact SET DEFAULT txid_current()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE record_pending ALTER COLUMN xact DROP DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("record", "0005_refuse_truncate")]

    operations = [
        migrations.AddField(
            model_name="pending", name="xact", field=models.BigIntegerField(editable=False, null=True)
        ),
        migrations.RunPython(forwards, backwards),
    ]
