"""Files written whole or not at all: an installation's files beside its database, and the CLI's state.

No Django here: the offline `councils` command uses it too.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def written_whole(target: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """Write `target` through a private temporary file beside it (mode 0600), fsynced, then renamed over it.

    A reader, or the next start after a crash, finds the old file or the new one, never part of
    either; on any error the temporary file is removed and `target` is left as it was. The directory
    is fsynced after the rename, so once this returns the new file survives a crash.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb" if binary else "w") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_directory(target.parent)


def fsync_directory(path: Path) -> None:
    """Make the names created or renamed in directory `path` survive a crash."""
    directory = os.open(path, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
