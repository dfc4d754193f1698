"""Create the database cache table, so that `migrate` alone prepares a database (no `createcachetable`).

The embedded default and any deployment without REDIS_URL cache in the
database (login rate limits); without this table a failed login would fail
with a server error. Nothing happens when the cache is not in the database.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
