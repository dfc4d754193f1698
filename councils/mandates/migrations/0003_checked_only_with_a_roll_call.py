"""A mandate's `checked_at` is set only with its roll call's record entries: clear it where none were made."""

from django.db import migrations


def clear_unrecorded_checks(apps, schema_editor):
    Mandate = apps.get_model("mandates", "Mandate")
    Mandate.objects.filter(checked_at__isnull=False, roll_call__isnull=True).update(checked_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0002_platform_document_alerts"),
    ]

    operations = [
        migrations.RunPython(clear_unrecorded_checks, migrations.RunPython.noop),
    ]
