"""The SQLite side of the record's write guard (see migration 0002_refuse_rewrites)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_state = threading.local()


def _guard() -> int:
    return 0 if getattr(_state, "lifted", False) else 1


def register(connection: sqlite3.Connection) -> None:
    """Give an SQLite connection the function the triggers ask (the engine calls it for each it opens)."""
    connection.create_function("councils_record_guard", 0, _guard, deterministic=False)


@contextmanager
def lifted() -> Iterator[None]:
    """Let this thread empty the record's tables: only for flushing a throwaway test database."""
    previous = getattr(_state, "lifted", False)
    _state.lifted = True
    try:
        yield
    finally:
        _state.lifted = previous
