"""Amendments that lapsed with their motion were stored as withdrawn: mark them lapsed.

A mover's withdrawal always sets `decided_at`; a lapse never did. So a withdrawn amendment without
`decided_at` is one that lapsed (its record entry is `motion.withdrawn` with reason `lapsed`).
"""

from django.db import migrations


def mark_lapsed(apps, schema_editor):
    Motion = apps.get_model("motions", "Motion")
    Motion.objects.filter(amends__isnull=False, state="withdrawn", decided_at__isnull=True).update(
        state="lapsed"
    )


def mark_withdrawn(apps, schema_editor):
    Motion = apps.get_model("motions", "Motion")
    Motion.objects.filter(state="lapsed").update(state="withdrawn")


class Migration(migrations.Migration):
    dependencies = [
        ("motions", "0004_motion_state_lapsed"),
    ]

    operations = [
        migrations.RunPython(mark_lapsed, mark_withdrawn),
    ]
