"""Database engines that write an action's record entries with its commit.

`append_entry` does not send its entry to the database at once: the
connection keeps the transaction's entries and sends them in the same round
trip as COMMIT (on PostgreSQL one statement for all of them, followed by
COMMIT in one message). The entries are still part of the action's
transaction: they commit or roll back with it. Kept entries are sent before
a savepoint is taken, so whatever is kept was appended after the innermost
savepoint and rolling back any savepoint drops it. A statement that reads a
record table before the commit first sends what is kept, so reads inside
the transaction see the entries already appended. Entries sent early take
their ids before the commit, and another transaction may take ids between
them: each pending marker names its transaction (`Pending.xact`), which
the sequencer keeps together.

`DATABASES["default"]["ENGINE"]` names `councils.record.backends.postgresql`
or `councils.record.backends.sqlite3` (see councils/config/settings.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

# Columns in the order `KeptEntry` values are kept and sent.
ENTRY_COLUMNS = "(event, council_id, created_at, data, leaf_hash)"
# (event, council id, created at, canonical bytes, leaf hash), as Python values.
KeptEntry = tuple[str, int | None, datetime, bytes, bytes]
# Event names are dotted lower-case words ("motion.adopted"); a backend may write them into SQL as they are.
EVENT_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")


class RecordingWrapperMixin:
    """Keep the transaction's record entries on the connection and send them with its commit."""

    connection: Any
    execute_wrappers: list[Callable[..., Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_entries: list[KeptEntry] = []
        self.execute_wrappers.append(self._send_kept_before_record_reads)

    def keep_entry(self, values: KeptEntry) -> None:
        event, council_id, created_at, data, leaf = values
        if not EVENT_NAME.fullmatch(event) or len(event) > 64:
            raise ValueError(f"{event!r} is not a record event name (dotted lower-case words, at most 64)")
        if created_at.utcoffset() is None:
            raise ValueError("record times must be timezone-aware")
        if not (type(data) is bytes and type(leaf) is bytes and len(leaf) == 32):
            raise TypeError("an entry's data and leaf hash are bytes")
        if council_id is not None and type(council_id) is not int:
            raise TypeError("an entry's council is named by its integer id")
        self.kept_entries.append(values)

    def _send_kept_before_record_reads(
        self, execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any
    ) -> Any:
        if self.kept_entries and isinstance(sql, str) and "record_" in sql:
            self.send_kept_entries()
        return execute(sql, params, many, context)

    def send_kept_entries(self, *, commit: bool = False) -> None:
        """Insert the kept entries and their pending markers (and COMMIT, when asked) in one round trip."""
        kept, self.kept_entries = self.kept_entries, []
        with self.wrap_database_errors:  # type: ignore[attr-defined]
            self._insert_entries(kept, commit=commit)

    def _insert_entries(self, kept: list[KeptEntry], *, commit: bool) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        if self.kept_entries and self.connection is not None:
            self.send_kept_entries(commit=True)
        super()._commit()  # type: ignore[misc]

    def _rollback(self) -> None:
        self.kept_entries = []
        super()._rollback()  # type: ignore[misc]

    def _close(self) -> None:
        self.kept_entries = []
        super()._close()  # type: ignore[misc]

    def _savepoint(self, sid: str) -> None:
        if self.kept_entries:
            self.send_kept_entries()
        super()._savepoint(sid)  # type: ignore[misc]

    def _savepoint_rollback(self, sid: str) -> None:
        self.kept_entries = []
        super()._savepoint_rollback(sid)  # type: ignore[misc]
