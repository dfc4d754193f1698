"""Migrate the test database once per run and copy it into each xdist worker's.

Every worker would otherwise run all the migrations into a database of its own. The first worker to
get here migrates as Django does and keeps a copy, the template; the others, one at a time under a
file lock, take that copy instead of migrating: on SQLite through sqlite3's backup API, on PostgreSQL
as a database created from the template (`TEST["TEMPLATE"]`). A copy holds all that migrate leaves
in the database (tables, rows, the record's triggers and functions, privileges), and Django's own
steps after migrate still run. The template lives as long as the run: named after xdist's id of the
run, it is removed when the run ends (`remove_template`).
"""

from __future__ import annotations

import fcntl
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock


def _path(run: str, suffix: str) -> Path:
    return Path(tempfile.gettempdir()) / f"councils-test-db-{run}{suffix}"


def _template_name(connection: Any, run: str) -> str:
    """The PostgreSQL template: named as the test database, less xdist's worker suffix, and the run."""
    name = connection.settings_dict["TEST"]["NAME"].rsplit("_gw", 1)[0]
    return f"{name}_template_{run[:12]}"


@contextmanager
def _migrate_replaced(by: Callable[[], None]) -> Iterator[None]:
    """Within the block, `call_command("migrate", ...)` calls `by` instead; other commands run."""
    from django.core import management

    call_command = management.call_command

    def replaced(name: str, *args: Any, **options: Any) -> Any:
        return by() if name == "migrate" else call_command(name, *args, **options)

    with mock.patch.object(management, "call_command", replaced):
        yield


def _create_sqlite(
    connection: Any, run: str, create_test_db: Callable[..., str], *args: Any, **kwargs: Any
) -> str:
    template = _path(run, ".sqlite3")
    if template.exists():

        def load() -> None:
            connection.ensure_connection()
            with closing(sqlite3.connect(template)) as source:
                source.backup(connection.connection)

        with _migrate_replaced(load):
            return create_test_db(*args, **kwargs)
    name = create_test_db(*args, **kwargs)
    building = _path(run, ".building")
    with closing(sqlite3.connect(building)) as copy:
        connection.connection.backup(copy)
    building.replace(template)
    return name


def _create_postgresql(
    connection: Any, run: str, create_test_db: Callable[..., str], *args: Any, **kwargs: Any
) -> str:
    template = _template_name(connection, run)
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        exists = cursor.fetchone() is not None
    if exists:
        with (
            mock.patch.dict(connection.settings_dict["TEST"], TEMPLATE=template),
            _migrate_replaced(lambda: None),
        ):
            return create_test_db(*args, **kwargs)
    name = create_test_db(*args, **kwargs)
    connection.close()  # A database is copied only while no one is connected to it.
    with connection._nodb_cursor() as cursor:
        quote = connection.ops.quote_name
        cursor.execute(f"CREATE DATABASE {quote(template)} WITH TEMPLATE {quote(name)}")
    connection.ensure_connection()
    return name


@contextmanager
def migrated_once(connection: Any, run: str) -> Iterator[None]:
    """Within the block, the connection's test database is migrated once in the run, then copied."""
    create_test_db = connection.creation.create_test_db
    create = _create_sqlite if connection.vendor == "sqlite" else _create_postgresql

    def create_or_copy(*args: Any, **kwargs: Any) -> str:
        with open(_path(run, ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return create(connection, run, create_test_db, *args, **kwargs)

    with mock.patch.object(connection.creation, "create_test_db", create_or_copy):
        yield


def remove_template(run: str) -> None:
    """Remove the run's template (in the process that started the workers, once they are done)."""
    from django.db import connections

    connection = connections["default"]
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            name = connection.ops.quote_name(_template_name(connection, run))
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
    for suffix in (".sqlite3", ".building", ".lock"):
        _path(run, suffix).unlink(missing_ok=True)
