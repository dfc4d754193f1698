"""Consistent snapshots of the database, and putting one back.

SQLite: the sqlite3 online backup API (a page-exact copy while the server
runs). PostgreSQL: `pg_dump --format=custom` inside an exported snapshot,
so the record state written to the manifest is read from the very same
snapshot; without pg_dump, a Django JSON dump taken in that snapshot.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from councils.ops.recordcheck import RecordState, read_state
from councils.record import privileges

SNAPSHOT_ALIAS = "ops_snapshot"
SQLITE, PG_CUSTOM, JSON = "sqlite3", "pg_dump-custom", "django-json"
FILE_NAMES = {SQLITE: "database.sqlite3", PG_CUSTOM: "database.pgdump", JSON: "database.json"}
# Rows that `migrate` itself writes: a freshly migrated database still counts as empty.
SEEDED_TABLES = {"django_content_type", "auth_permission", "record_logstate"}
JSON_EXCLUDES = ["contenttypes", "auth.permission", "sessions"]


class DatabaseError(Exception):
    """A snapshot or restore could not be made; the message says why."""


def choose_format(requested: str) -> str:
    """The database format for this backend: `native` (sqlite3 or pg_dump), `json`, or `auto`."""
    vendor = connection.vendor
    if requested == "json":
        return JSON
    if vendor == "sqlite":
        return SQLITE
    if vendor != "postgresql":
        raise DatabaseError(f"backups of {vendor} databases are not supported; use SQLite or PostgreSQL")
    if shutil.which("pg_dump") and shutil.which("pg_restore"):
        return PG_CUSTOM
    if requested == "native":
        raise DatabaseError("pg_dump and pg_restore are not on PATH (install postgresql-client)")
    return JSON


def _applied_migrations(using: str) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


@contextmanager
def _sqlite_alias(path: Path) -> Iterator[str]:
    """Open the file at `path` as a second Django database, to read it with the ORM."""
    config = dict(settings.DATABASES["default"], NAME=str(path), OPTIONS={})
    configured = connections.configure_settings({"default": config, SNAPSHOT_ALIAS: config})
    connections.settings[SNAPSHOT_ALIAS] = configured[SNAPSHOT_ALIAS]
    try:
        yield SNAPSHOT_ALIAS
    finally:
        connections[SNAPSHOT_ALIAS].close()
        del connections[SNAPSHOT_ALIAS]
        del connections.settings[SNAPSHOT_ALIAS]


def _sqlite_path() -> Path:
    name = str(settings.DATABASES["default"]["NAME"])
    if name.startswith("file:") or name == ":memory:":
        raise DatabaseError("an in-memory SQLite database cannot be backed up or restored")
    return Path(name)


def snapshot(directory: Path, fmt: str) -> tuple[str, RecordState, list[list[str]]]:
    """Write the database into `directory`; return its file name, its record state and applied migrations."""
    target = directory / FILE_NAMES[fmt]
    if connection.vendor == "sqlite":
        source = _sqlite_path()
        if not source.exists():
            raise DatabaseError(f"there is no database at {source}; run `manage.py migrate` first")
        copy = target if fmt == SQLITE else directory / "snapshot.sqlite3"
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(copy)) as out:
            live.backup(out)
        with _sqlite_alias(copy) as alias:
            state, migrations = read_state(alias), _applied_migrations(alias)
            if fmt == JSON:
                _dump_json(target, alias)
        if copy != target:
            copy.unlink()
        return target.name, state, migrations
    connection.ensure_connection()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The first statement of the transaction: every read below sees one snapshot.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (exported,) = cursor.fetchone()
        state, migrations = read_state(), _applied_migrations("default")
        if fmt == PG_CUSTOM:
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={exported}",
                    "--file",
                    str(target),
                    "--dbname",
                    _dsn(),
                ]
            )
        else:
            _dump_json(target, "default")
    return target.name, state, migrations


def _dump_json(target: Path, using: str) -> None:
    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        exclude=JSON_EXCLUDES,
        database=using,
        output=str(target),
        verbosity=0,
    )


LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "options", "application_name")


def _dsn() -> str:
    """A conninfo string for pg_dump/pg_restore (the password goes in PGPASSWORD, not on the command line)."""
    from psycopg.conninfo import make_conninfo

    db: dict[str, Any] = dict(settings.DATABASES["default"])
    options = db.get("OPTIONS", {})
    params = {key: options[key] for key in LIBPQ_OPTIONS if key in options}
    for key, setting in (("dbname", "NAME"), ("host", "HOST"), ("port", "PORT"), ("user", "USER")):
        if db.get(setting):
            params[key] = str(db[setting])
    return str(make_conninfo(**params))


def _run(command: list[str]) -> None:
    env = dict(os.environ)
    password = settings.DATABASES["default"].get("PASSWORD")
    if password:
        env["PGPASSWORD"] = str(password)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = result.stderr.strip() or result.stdout.strip()
        if "version mismatch" in message:
            message += (
                " (install postgresql-client of the server's major version, "
                "or back up with --database-format json)"
            )
        raise DatabaseError(f"{command[0]} failed: {message}")


def occupied_tables() -> dict[str, int]:
    """Tables of installed models that hold rows (beyond what `migrate` writes), with their row counts."""
    existing = set(connection.introspection.table_names())
    found: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table not in existing or table in found:
            continue
        if table in SEEDED_TABLES:
            if table == "record_logstate" and not model._default_manager.filter(size__gt=0).exists():
                continue
            if table != "record_logstate":
                continue
        count = model._default_manager.count()
        if count:
            found[table] = count
    return found


def restore(source: Path, fmt: str) -> None:
    """Replace the whole database with the snapshot at `source`."""
    if connection.vendor == "sqlite":
        target = _sqlite_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        connection.close()
        if fmt == SQLITE:
            with closing(sqlite3.connect(source)) as snap, closing(sqlite3.connect(target)) as live:
                snap.backup(live)
            return
        if fmt == PG_CUSTOM:
            raise DatabaseError(
                "this backup holds a PostgreSQL dump; restore it with DATABASE_URL set to PostgreSQL "
                "(to move between databases, back up with --database-format json)"
            )
        _drop_sqlite(target)
        _load_json(source)
        return
    if fmt == SQLITE:
        raise DatabaseError(
            "this backup holds a SQLite database; restore it with DATABASE_URL set to SQLite "
            "(to move between databases, back up with --database-format json)"
        )
    _drop_postgres()
    if fmt == PG_CUSTOM:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                _dsn(),
                str(source),
            ]
        )
        # The dump carries no privileges (--no-privileges): take away rewrites of the record again.
        privileges.apply()
        connection.close()
        return
    _load_json(source)


def _drop_sqlite(target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)


def _drop_postgres() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for table in connection.introspection.table_names(include_views=False):
            cursor.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
        # The record's stored routines (its append procedure, its refusal of rewrites), however many.
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "WHERE p.pronamespace = current_schema()::regnamespace AND p.proname LIKE 'councils\\_%%'"
        )
        for (function,) in cursor.fetchall():
            cursor.execute(f"DROP ROUTINE IF EXISTS {function} CASCADE")
    connection.close()


def _load_json(source: Path) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("loaddata", str(source), verbosity=0)
    connection.close()


def describe(using: str = "default") -> dict[str, Any]:
    """The database's vendor and server version, for the manifest."""
    db = connections[using]
    db.ensure_connection()
    version = ".".join(str(part) for part in db.get_database_version())
    return {"vendor": db.vendor, "server_version": version}
