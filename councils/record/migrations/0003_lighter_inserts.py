"""Lighter inserts for every action: one index on `event` and no database check on `Pending.entry`.

SQLite would rebuild `record_entry` to alter the field, which would drop
its append-only triggers, so the event index is swapped by hand instead.
"""

import django.db.models.deletion
from django.db import migrations, models


def swap_event_index(apps, schema_editor):
    opclass = " varchar_pattern_ops" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute('DROP INDEX IF EXISTS "record_entry_event_f4d7ffb4"')
    schema_editor.execute('DROP INDEX IF EXISTS "record_entry_event_f4d7ffb4_like"')
    schema_editor.execute(f'CREATE INDEX "record_entry_event" ON "record_entry" ("event"{opclass})')


def restore_event_index(apps, schema_editor):
    schema_editor.execute('DROP INDEX IF EXISTS "record_entry_event"')
    schema_editor.execute('CREATE INDEX "record_entry_event_f4d7ffb4" ON "record_entry" ("event")')
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX "record_entry_event_f4d7ffb4_like" ON "record_entry" ("event" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0001_initial"),
        ("record", "0002_refuse_rewrites"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="entry",
                    name="event",
                    field=models.CharField(max_length=64),
                ),
                migrations.AddIndex(
                    model_name="entry",
                    index=models.Index(
                        fields=["event"], name="record_entry_event", opclasses=["varchar_pattern_ops"]
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(swap_event_index, restore_event_index)],
        ),
        migrations.AlterField(
            model_name="pending",
            name="entry",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                primary_key=True,
                related_name="+",
                serialize=False,
                to="record.entry",
            ),
        ),
    ]
