"""The verifier holds a meeting to its notice and its time: no snap meeting, no early start."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from councils.cli.main import main
from councils.meetings import actions
from tests.conftest import NOW
from tests.record.support import documents, find, signed_bundle, verify_forged, verify_genuine

STARTS = NOW + timedelta(days=2)


def held(cast) -> None:
    """Riverside's meeting, called two days ahead, opened at its time; Bob comes and an item is taken."""
    meeting = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="General", starts_at=STARTS, place="Canteen", now=NOW
    )
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="Rota", now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=STARTS)
    actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=STARTS)
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=STARTS + timedelta(minutes=5))


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


def test_business_taken_without_the_quorum_is_caught(cast):
    held(cast)
    docs = documents()
    del docs[find(docs, "meeting.attended")]
    problems = verify_forged(docs).problems
    assert any("took an item with 0 of 4 voters present; 1 needed" in p for p in problems), problems


def test_attendance_the_chair_marked_in_one_go_makes_the_quorum_for_the_verifier(cast):
    meeting = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="General", starts_at=STARTS, place="Canteen", now=NOW
    )
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="Rota", now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=STARTS)
    actions.mark_present_many(actor=cast.alice, meeting=meeting, users=[cast.bob, cast.erin], now=STARTS)
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=STARTS + timedelta(minutes=5))
    assert verify_genuine().problems == []


def test_a_motion_put_on_one_agenda_twice_is_caught(cast):
    from councils.motions import actions as motion_actions

    meeting = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="General", starts_at=STARTS, place="Canteen", now=NOW
    )
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Canteen prices", text="Freeze them.", now=NOW
    )
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="motion", motion=motion, now=NOW)
    assert verify_genuine().problems == []
    docs = documents()
    added = find(docs, "meeting.item_added")
    again = json.loads(json.dumps(docs[added]))
    again["payload"].update(item=str(uuid.uuid4()), position=2)
    docs.append(again)
    problems = verify_forged(docs).problems
    twice = f'motion {motion.uuid} was put on the agenda of meeting "General" ({meeting.uuid}) twice'
    assert any(twice in p for p in problems), problems


def test_an_election_put_on_an_agenda_after_it_was_certified_is_caught(cast):
    from councils.elections import actions as election_actions
    from tests.elections.test_actions import CLOSES, run_delegate_election

    election, *_ = run_delegate_election(cast)
    meeting = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="General", starts_at=STARTS, place="Canteen", now=NOW
    )
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="election", election=election, now=CLOSES)
    election_actions.certify_election(actor=cast.alice, election=election, now=CLOSES)
    assert verify_genuine().problems == []
    docs = documents()
    # The item moved after the certification, as a server that ignored the rule would have written it.
    docs.append(docs.pop(find(docs, "meeting.item_added")))
    problems = verify_forged(docs).problems
    late = (
        f'({election.uuid}) was put on the agenda of meeting "General" ({meeting.uuid}) '
        "after it was certified"
    )
    assert any(late in p for p in problems), problems
