"""The record's high-water mark: the largest checkpoint this installation may have published.

It lives in var/record_high_water, outside the database, so that it
survives the loss or replacement of the database. A restore compares the
backup with it: an older backup would take the log back to a size the public
has already seen beyond, which forks the log.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from councils.core.ledger.note import b64decode, b64encode
from councils.files import written_whole

FILE_NAME = "record_high_water"


@dataclass(frozen=True)
class HighWater:
    origin: str
    size: int
    root: bytes

    def as_json(self) -> dict[str, object]:
        return {"origin": self.origin, "size": self.size, "root": b64encode(self.root)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> HighWater:
        return cls(origin=str(data["origin"]), size=int(str(data["size"])), root=b64decode(str(data["root"])))


def path() -> Path:
    return Path(settings.VAR_DIR) / FILE_NAME


def read() -> HighWater | None:
    try:
        text = path().read_text()
    except FileNotFoundError:
        return None
    try:
        return HighWater.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"{path()} is damaged ({exc}); move it aside only if you know the log's size"
        ) from exc


@contextmanager
def _locked() -> Iterator[None]:
    """Serialise changes to the mark between the processes and threads of this installation.

    Without it two servers answering at once could each read the old mark and the smaller
    write could land last, taking the mark down.
    """
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target.with_name(target.name + ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _write(mark: HighWater) -> None:
    with written_whole(path()) as handle:
        json.dump(mark.as_json(), handle)


def raise_to(mark: HighWater) -> HighWater:
    """Keep the larger of the stored mark and `mark`; a mark never goes down except through `reset`."""
    with _locked():
        current = read()
        if current is not None and current.origin == mark.origin and current.size >= mark.size:
            return current
        _write(mark)
    return mark


def reset(mark: HighWater) -> None:
    """Start the mark again from `mark`: only after a restore the operator accepted as a fork."""
    with _locked():
        _write(mark)


def note_published() -> HighWater | None:
    """Raise the mark to the database's latest signed checkpoint (call where checkpoints are served)."""
    from councils.record.models import Checkpoint

    latest = Checkpoint.objects.order_by("-size", "-id").values("origin", "size", "root").first()
    if latest is None:
        return read()
    return raise_to(HighWater(origin=latest["origin"], size=latest["size"], root=bytes(latest["root"])))
