"""var/record_high_water: the largest checkpoint this installation may have published."""

from __future__ import annotations

import stat

import pytest

from councils.ops import highwater
from councils.ops.highwater import HighWater
from councils.record.sequencer import sequence_pending

A = HighWater(origin="councils.record/a", size=10, root=b"\x01" * 32)


@pytest.fixture
def var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_first_mark_is_written_owner_only(var) -> None:
    assert highwater.read() is None
    highwater.raise_to(A)
    assert highwater.read() == A
    assert stat.S_IMODE((var / "record_high_water").stat().st_mode) == 0o600


def test_mark_never_goes_down_except_by_reset(var) -> None:
    highwater.raise_to(A)
    smaller = HighWater(origin=A.origin, size=4, root=b"\x02" * 32)
    assert highwater.raise_to(smaller) == A
    larger = HighWater(origin=A.origin, size=11, root=b"\x03" * 32)
    assert highwater.raise_to(larger) == larger
    highwater.reset(smaller)
    assert highwater.read() == smaller


def test_marks_raised_at_once_by_many_processes_end_at_the_largest(var) -> None:
    """Servers answer /record/checkpoint at the same moment: none fails, and the mark never goes down."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with context.Pool(8) as pool:
        pool.starmap(_raise_many, [(str(var), start) for start in range(8)])
    assert highwater.read() == HighWater(origin=A.origin, size=8 * 50 - 1, root=b"\x01" * 32)
    assert sorted(p.name for p in var.iterdir()) == ["record_high_water", "record_high_water.lock"]


def _raise_many(var: str, start: int) -> None:
    from django.conf import settings

    settings.VAR_DIR = var
    for size in range(start, 8 * 50, 8):
        highwater.raise_to(HighWater(origin=A.origin, size=size, root=b"\x01" * 32))


def test_damaged_file_is_reported_not_ignored(var) -> None:
    (var / "record_high_water").write_text("{not json")
    with pytest.raises(ValueError, match="record_high_water is damaged"):
        highwater.read()


def test_note_published_takes_the_latest_signed_checkpoint(var, cast) -> None:
    checkpoint = sequence_pending()
    assert checkpoint is not None
    mark = highwater.note_published()
    assert mark == HighWater(origin=checkpoint.origin, size=checkpoint.size, root=bytes(checkpoint.root))
    assert highwater.read() == mark


def test_note_high_water_command_raises_the_mark(var, cast) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("note_high_water", stdout=out)
    assert "No checkpoint has been signed yet" in out.getvalue()
    assert highwater.read() is None
    checkpoint = sequence_pending()
    assert checkpoint is not None
    call_command("note_high_water", stdout=out)
    assert f"at size {checkpoint.size}" in out.getvalue()
    assert highwater.read() == HighWater(checkpoint.origin, checkpoint.size, bytes(checkpoint.root))


def test_note_high_water_reports_a_damaged_mark(var, db) -> None:
    from django.core.management import CommandError, call_command

    (var / "record_high_water").write_text("[]")
    with pytest.raises(CommandError, match="damaged"):
        call_command("note_high_water")
