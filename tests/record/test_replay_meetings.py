"""The verifier holds a meeting to its notice and its time: no snap meeting, no early start."""

from __future__ import annotations

from datetime import timedelta

from councils.cli.main import main
from councils.meetings import actions
from tests.conftest import NOW
from tests.record.support import documents, find, signed_bundle, verify_forged, verify_genuine

STARTS = NOW + timedelta(days=2)


def held(cast) -> None:
    """Riverside's meeting, called two days ahead, opened at its time."""
    meeting = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="General", starts_at=STARTS, place="Canteen", now=NOW
    )
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=STARTS)


def test_a_meeting_held_with_notice_and_on_time_checks_out(cast):
    held(cast)
    assert verify_genuine().problems == []


def test_a_snap_meeting_and_an_early_start_are_caught(cast, tmp_path, capsys):
    held(cast)
    docs = documents()
    docs[find(docs, "meeting.scheduled")]["payload"]["starts_at"] = (NOW + timedelta(hours=1)).isoformat()
    docs[find(docs, "meeting.opened")]["at"] = "2026-03-01T09:30:00.000000Z"
    problems = verify_forged(docs).problems
    snap = "was called for 2026-03-01 10:00, less than 48 hours after it was called"
    early = "was opened at 2026-03-01 09:30, before the time it was called for (2026-03-01 10:00)"
    assert any(snap in p for p in problems) and any(early in p for p in problems), problems
    path = signed_bundle(tmp_path, docs)
    assert main(["verify", "--bundle", str(path), "--forget"]) == 1
    out = capsys.readouterr().out
    assert snap in out and early in out
