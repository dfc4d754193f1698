"""SQLite, inserting the transaction's record entries just before COMMIT."""

from __future__ import annotations

from django.db.backends.sqlite3 import base

from councils.record.backends import ENTRY_COLUMNS, KeptEntry, RecordingWrapperMixin


class DatabaseWrapper(RecordingWrapperMixin, base.DatabaseWrapper):
    def _insert_entries(self, kept: list[KeptEntry], *, commit: bool) -> None:
        cursor = self.connection.cursor()
        try:
            for event, council_id, created_at, data, leaf in kept:
                cursor.execute(
                    f"INSERT INTO record_entry {ENTRY_COLUMNS} VALUES (?, ?, ?, ?, ?)",  # noqa: S608
                    (event, council_id, self.ops.adapt_datetimefield_value(created_at), data, leaf),
                )
                cursor.execute("INSERT INTO record_pending (entry_id) VALUES (?)", (cursor.lastrowid,))
        finally:
            cursor.close()
