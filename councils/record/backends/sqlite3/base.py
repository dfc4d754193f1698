"""SQLite, inserting the transaction's record entries just before COMMIT."""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any, ClassVar

from django.db.backends.sqlite3 import base

from councils.record import guard
from councils.record.backends import ENTRY_COLUMNS, KeptEntry, RecordingWrapperMixin

# Open connections kept, per database file, for the connections Django opens next.
IDLE_CONNECTIONS = 8


class DatabaseWrapper(RecordingWrapperMixin, base.DatabaseWrapper):
    """Also keeps the SQLite connections Django closes open, and gives them to the next it opens.

    Under ASGI every request runs in a thread of its own, and Django's
    connections belong to a thread: each request would open the database file
    anew, read its schema and start with an empty page cache, which costs a
    live part's fetch more than its queries. A connection is kept only outside
    any transaction; its pragmas (WAL, synchronous=FULL, foreign keys) are
    those it was opened with, so what is written is as durable as before.
    Connections to a file since removed (a restore replaces the database) are
    closed rather than given out.
    """

    # Per database name: the file the kept connections have open, and the connections.
    _idle: ClassVar[dict[str, tuple[tuple[int, int] | None, list[sqlite3.Connection]]]] = {}
    _idle_lock: ClassVar[threading.Lock] = threading.Lock()

    def _file(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self.settings_dict["NAME"])
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The id of the first entry the transaction wrote: it marks every entry of the transaction
        # (`Pending.xact`), as nothing else writes between them. A savepoint rolled back may drop that
        # entry, but no other transaction can take its id before this one ends, so the mark stays.
        self.transaction_mark: int | None = None

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        if not self.is_in_memory_db():
            name, file = str(self.settings_dict["NAME"]), self._file()
            with self._idle_lock:
                kept_for, idle = self._idle.get(name, (None, []))
                if idle and kept_for == file:
                    return idle.pop()
                stale = self._idle.pop(name, (None, []))[1]
            for raw in stale:
                raw.close()
        opened = super().get_new_connection(conn_params)
        # Here rather than on Django's `connection_created`: a receiver of that signal, even one that
        # ignores PostgreSQL, cost every checkout from the PostgreSQL pool 35,000 instructions (callgrind).
        guard.register(opened)
        return opened

    def _commit(self) -> None:
        super()._commit()
        self.transaction_mark = None

    def _rollback(self) -> None:
        self.transaction_mark = None
        super()._rollback()

    def _close(self) -> None:
        self.transaction_mark = None
        raw = self.connection
        if raw is not None and not self.in_atomic_block and not raw.in_transaction:
            name, file = str(self.settings_dict["NAME"]), self._file()
            with self._idle_lock:
                kept_for, idle = self._idle.setdefault(name, (file, []))
                if file is not None and kept_for == file and len(idle) < IDLE_CONNECTIONS:
                    idle.append(raw)
                    self.kept_entries = []
                    return
        super()._close()

    def _insert_entries(self, kept: list[KeptEntry], *, commit: bool) -> None:
        cursor = self.connection.cursor()
        try:
            for event, council_id, created_at, data, leaf in kept:
                cursor.execute(
                    f"INSERT INTO record_entry {ENTRY_COLUMNS} VALUES (?, ?, ?, ?, ?)",  # noqa: S608
                    (event, council_id, self.ops.adapt_datetimefield_value(created_at), data, leaf),
                )
                entry_id = cursor.lastrowid
                if self.transaction_mark is None:
                    self.transaction_mark = entry_id
                cursor.execute(
                    "INSERT INTO record_pending (entry_id, xact) VALUES (?, ?)",
                    (entry_id, self.transaction_mark),
                )
        finally:
            cursor.close()
