"""PostgreSQL refuses to empty the record, and its privileges keep rewrites from every role."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from councils.record import privileges, sequencer
from councils.record.actions import append_entry
from tests.conftest import NOW
from tests.ops.sites import REPO

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE and privileges are PostgreSQL's; SQLite's triggers refuse every DELETE")


def _two_entries() -> None:
    for _ in range(2):
        with transaction.atomic():
            append_entry(event="test.happened", actor=None, council=None, payload={}, now=NOW)
    sequencer.sequence_pending(now=NOW)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", privileges.INSERT_ONLY)
def test_truncate_of_the_log_is_refused(table):
    _two_entries()
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {table} CASCADE")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert table == "record_cosignature" or cursor.fetchone()[0] > 0


def test_after_migrate_no_role_holds_a_rewrite_privilege():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relacl IS NOT NULL FROM pg_class c WHERE c.relname = ANY(%s)",
            [list(privileges.INSERT_ONLY)],
        )
        # An empty ACL means the owner's default, every privilege: the revocation must have made one.
        assert dict(cursor.fetchall()) == dict.fromkeys(privileges.INSERT_ONLY, True)
        cursor.execute(
            "SELECT c.relname, a.grantee::regrole::text, a.privilege_type "
            "FROM pg_class c, aclexplode(c.relacl) a "
            "WHERE c.relname = ANY(%s) AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')",
            [list(privileges.INSERT_ONLY)],
        )
        assert cursor.fetchall() == []


def _deploy_check(url: str) -> str:
    """What `check --deploy` says of the database, with `url`'s role, and its exit status."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="councils.config.settings", DATABASE_URL=url, DATABASE_POOL="0")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--database", "default", "--tag", "database", "--deploy"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return f"{result.stdout}{result.stderr}exit {result.returncode}"


@pytest.fixture
def app_role(transactional_db):
    """A login role like the one a server runs as, given its privileges as `migrate` gives them."""
    role = f"councils_app_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    settings.DATABASE_APP_ROLE = role
    privileges.apply()
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or "5432"
    yield role, f"postgres://{role}@{host}:{port}/{db['NAME']}"
    settings.DATABASE_APP_ROLE = ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


# Appends through the database's own procedure, bytes and leaf hash that do not match, to show the role may.
@pytest.mark.tampers
def test_the_app_role_writes_the_record_but_cannot_rewrite_or_unlock_it(app_role):
    _, url = app_role
    _two_entries()
    with psycopg.connect(url, autocommit=True) as app:
        app.execute(
            "CALL councils_record_append('test.by_app', NULL, now(), '\\x7b7d'::bytea, %s)", [b"\x01" * 32]
        )
        app.execute("UPDATE record_logstate SET size = size")  # the rest of the database is the app's
        refused = [
            "UPDATE record_entry SET event = 'forged.event'",
            "DELETE FROM record_sequence",
            "TRUNCATE record_node",
            "DROP TRIGGER record_entry_append_only ON record_entry",
            "ALTER TABLE record_checkpoint DISABLE TRIGGER ALL",
            "SET session_replication_role = replica",
        ]
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
        # Not being the owner, it cannot give itself back what was taken (PostgreSQL only warns).
        app.execute("GRANT UPDATE ON record_entry TO CURRENT_USER")
        assert app.execute("SELECT has_table_privilege('record_entry', 'UPDATE')").fetchone() == (False,)
    assert sequencer.sequence_pending(now=NOW).size == 3


def test_check_deploy_warns_about_a_role_that_could_rewrite_the_record(app_role):
    role, url = app_role
    db = connection.settings_dict
    superuser = f"postgres://{db['USER'] or 'postgres'}@{url.split('@', 1)[1]}"
    assert "record.W001" in _deploy_check(superuser)
    clean = _deploy_check(url)
    assert "record.W00" not in clean and clean.endswith("exit 0")
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT DELETE ON record_entry TO {role}")
    assert "record.W003" in _deploy_check(url)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE record_checkpoint OWNER TO {role}")
    try:
        assert "record.W002" in _deploy_check(url)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE record_checkpoint OWNER TO {db['USER'] or 'postgres'}")
