"""Files written whole: the old file or the new one after any failure, and durable once written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from councils import files


@pytest.fixture
def synced(monkeypatch) -> list[str]:
    """The paths fsynced, in order (a file is named by what its descriptor points at when synced)."""
    names: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        names.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    return names


def test_new_file_is_owner_only_and_synced_with_its_directory(tmp_path: Path, synced: list[str]) -> None:
    target = tmp_path / "state" / "mark.json"
    with files.written_whole(target) as handle:
        handle.write("new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    temporary, directory = synced
    assert Path(temporary).parent == target.parent and Path(temporary).name.endswith(".tmp")
    # The rename itself survives a crash only once the directory is synced, after it.
    assert directory == str(target.parent)
    assert os.listdir(target.parent) == ["mark.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "mark.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.written_whole(target) as handle:
        handle.write("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["mark.json"]


def test_a_failed_sync_leaves_the_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "mark.json"
    target.write_text("old")

    def fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "fsync", fsync)
    with pytest.raises(OSError), files.written_whole(target) as handle:
        handle.write("new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["mark.json"]
