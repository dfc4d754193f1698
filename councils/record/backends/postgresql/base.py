"""PostgreSQL, sending the transaction's record entries in the same round trip as COMMIT."""

from __future__ import annotations

import psycopg
from django.db.backends.postgresql import base

from councils.record.backends import ENTRY_COLUMNS, KeptEntry, RecordingWrapperMixin

CHUNK = 1000


class DatabaseWrapper(RecordingWrapperMixin, base.DatabaseWrapper):
    def _insert_entries(self, kept: list[KeptEntry], *, commit: bool) -> None:
        # Identities are given in VALUES order, so the sequencer keeps the order of appending.
        with psycopg.ClientCursor(self.connection) as cursor:
            statements = []
            for start in range(0, len(kept), CHUNK):
                chunk = kept[start : start + CHUNK]
                rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
                statements.append(
                    cursor.mogrify(
                        f"WITH e AS (INSERT INTO record_entry {ENTRY_COLUMNS} VALUES {rows} RETURNING id) "  # noqa: S608
                        "INSERT INTO record_pending (entry_id) SELECT id FROM e",
                        [value for values in chunk for value in values],
                    )
                )
            if commit:
                statements.append("COMMIT")
            # Without parameters the client cursor sends one simple query: every statement, one round trip.
            cursor.execute("; ".join(statements))
