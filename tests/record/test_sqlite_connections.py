"""SQLite connections Django closes outside a transaction are kept open for the next it opens."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection

from councils.record.backends.sqlite3.base import IDLE_CONNECTIONS, DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own connections")


@pytest.fixture
def database(tmp_path: Path, django_db_blocker) -> Iterator[Path]:
    """A database file of the test's own, outside the test database."""
    path = tmp_path / "councils.sqlite3"
    with django_db_blocker.unblock():
        yield path
    for raw in DatabaseWrapper._idle.pop(str(path), (None, []))[1]:
        raw.close()


def opened(path: Path) -> DatabaseWrapper:
    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias="kept")
    wrapper.connect()
    return wrapper


def test_a_connection_closed_outside_a_transaction_serves_the_next_with_its_pragmas(database):
    first = opened(database)
    raw = first.connection
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
        cursor.execute("INSERT INTO t VALUES (1)")
    first.close()
    second = opened(database)
    assert second.connection is raw
    with second.cursor() as cursor:
        # As durable as a connection opened afresh: WAL, synchronous=FULL (2), foreign keys on.
        assert cursor.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert cursor.execute("PRAGMA synchronous").fetchone() == (2,)
        assert cursor.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert cursor.execute("SELECT n FROM t").fetchall() == [(1,)]
    second.close()


def test_a_connection_closed_inside_a_transaction_is_closed_for_good(database):
    first = opened(database)
    raw = first.connection
    raw.execute("BEGIN")
    raw.execute("CREATE TABLE t (n integer)")
    first.close()
    with pytest.raises(sqlite3.ProgrammingError):
        raw.execute("SELECT 1")
    second = opened(database)
    assert second.connection is not raw
    # What the closed transaction wrote never committed.
    with second.cursor() as cursor:
        assert cursor.execute("SELECT name FROM sqlite_master WHERE name = 't'").fetchall() == []
    second.close()


def test_only_so_many_connections_are_kept(database):
    wrappers = [opened(database) for _ in range(IDLE_CONNECTIONS + 2)]
    raws = [w.connection for w in wrappers]
    for wrapper in wrappers:
        wrapper.close()
    assert DatabaseWrapper._idle[str(database)][1] == raws[:IDLE_CONNECTIONS]
    with pytest.raises(sqlite3.ProgrammingError):
        raws[-1].execute("SELECT 1")


def test_a_connection_to_a_removed_file_is_closed_not_given_out(database):
    first = opened(database)
    raw = first.connection
    first.close()
    # As a restore does: the database's files are removed and it is written anew.
    for suffix in ("", "-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    second = opened(database)
    assert second.connection is not raw
    with pytest.raises(sqlite3.ProgrammingError):
        raw.execute("SELECT 1")
    with second.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
        cursor.execute("INSERT INTO t VALUES (1)")
    second.close()
    with closing(sqlite3.connect(database)) as reader:
        assert reader.execute("SELECT n FROM t").fetchall() == [(1,)]
