"""PostgreSQL privileges on the record: a second lock beside the triggers that refuse rewrites.

Triggers (migrations 0002 and 0005) refuse UPDATE, DELETE and TRUNCATE on
the insert-only tables, but whoever owns a table can drop its triggers. So
after every `migrate`:

- nobody holds UPDATE, DELETE or TRUNCATE on those tables: not PUBLIC, not
  the role that runs the migrations (it owns the tables; it could grant
  them back to itself, which is why the server should not run as it);
- the role named by `DATABASE_APP_ROLE`, the one the server and its task
  worker connect as, gets what the application needs on every table
  (reading, inserting, and changing the tables that are not the record)
  and its sequences, but not those privileges and not ownership: it can
  neither rewrite the log nor drop the triggers.

`manage.py check --deploy --database default` warns when the server's own
role could rewrite the record.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import connections
from psycopg import sql

# The tables whose rows never change once written (the pending queue and the log's state do change).
INSERT_ONLY = ("record_entry", "record_sequence", "record_node", "record_checkpoint", "record_cosignature")
REWRITES = ("UPDATE", "DELETE", "TRUNCATE")


def apply(using: str = "default") -> None:
    """Revoke rewrites of the record from everyone; grant the app role what it needs (PostgreSQL only)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = sql.Identifier(cursor.fetchone()[0])
    tables = sql.SQL(", ").join(sql.Identifier(t) for t in INSERT_ONLY)
    rewrites = sql.SQL(", ").join(sql.SQL(p) for p in REWRITES)
    statements = [sql.SQL("REVOKE {} ON {} FROM PUBLIC, CURRENT_USER").format(rewrites, tables)]
    role = settings.DATABASE_APP_ROLE
    if role:
        name = sql.Identifier(role)
        statements += [
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, name),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
                schema, name
            ),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, name),
            sql.SQL("REVOKE {} ON {} FROM {}").format(rewrites, tables, name),
        ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement.as_string(connection.connection))


def after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    apply(using)


@checks.register(checks.Tags.database, deploy=True)
def check_role(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when the role the server connects as could rewrite the record."""
    found: list[checks.CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            role, superuser = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename = ANY(%s) AND tableowner = current_user",
                [list(INSERT_ONLY)],
            )
            owner = cursor.fetchone()[0] > 0
            cursor.execute(
                "SELECT coalesce(bool_or(has_table_privilege(t, p)), false) "
                "FROM unnest(%s::text[]) AS t, unnest(%s::text[]) AS p WHERE to_regclass(t) IS NOT NULL",
                [list(INSERT_ONLY), list(REWRITES)],
            )
            rewrites = cursor.fetchone()[0]
        hint = (
            "Run the server as a role that neither owns the tables nor is a superuser, named in "
            "DATABASE_APP_ROLE when migrating (see docs/deployment.md)."
        )
        if superuser:
            found.append(
                checks.Warning(
                    f"The server connects to PostgreSQL as {role}, a superuser, which can switch off "
                    "the triggers that keep the record append-only.",
                    hint=hint,
                    id="record.W001",
                )
            )
        elif owner:
            found.append(
                checks.Warning(
                    f"The server connects to PostgreSQL as {role}, which owns the record's tables and "
                    "could drop the triggers that keep them append-only.",
                    hint=hint,
                    id="record.W002",
                )
            )
        elif rewrites:
            found.append(
                checks.Warning(
                    f"The server's PostgreSQL role {role} may UPDATE, DELETE or TRUNCATE "
                    "the record's tables.",
                    hint="Run `manage.py migrate` (it revokes those privileges) with DATABASE_APP_ROLE set.",
                    id="record.W003",
                )
            )
    return found
