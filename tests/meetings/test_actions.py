from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.elections import actions as election_actions
from councils.meetings import actions, queries
from councils.meetings.models import AgendaItem, Meeting, Speaker
from councils.motions import actions as motion_actions
from councils.petitions import actions as petition_actions
from councils.record.models import Entry
from tests.petitions.test_petitions import carry, forced_item

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# Meetings are called a week ahead of NOW, well beyond the notice the constitution requires.
CALLED = NOW - timedelta(days=7)


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def entries(event: str) -> list[dict]:
    return [json.loads(bytes(e.data))["payload"] for e in Entry.objects.filter(event=event)]


@pytest.fixture
def meeting(cast) -> Meeting:
    return actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        # Called a week ahead, for the moment the tests open it.
        starts_at=NOW,
        place="Canteen",
        now=CALLED,
    )


def test_chair_schedules_and_others_cannot(cast, meeting):
    assert entries("meeting.scheduled")[0]["title"] == "General meeting"
    for who in (cast.bob, cast.carol, cast.dave):
        with pytest.raises(PermissionDeniedError):
            actions.schedule_meeting(
                actor=who, council=cast.riverside, title="x", starts_at=NOW, place="y", now=NOW
            )


def test_schedule_needs_place_or_link(cast):
    with pytest.raises(InvalidInputError, match="place"):
        actions.schedule_meeting(actor=cast.alice, council=cast.riverside, title="x", starts_at=NOW, now=NOW)
    with pytest.raises(InvalidInputError, match="https"):
        actions.schedule_meeting(
            actor=cast.alice, council=cast.riverside, title="x", starts_at=NOW, online_url="ftp://x", now=NOW
        )


def test_a_decided_or_withdrawn_motion_does_not_go_on_an_agenda(cast, meeting):
    """The web picker lists only open motions; the action refuses the rest from any client."""
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="New lockers", text="Buy them.", now=NOW
    )
    motion_actions.withdraw_motion(actor=cast.bob, motion=motion, now=NOW)
    motion.refresh_from_db()
    with pytest.raises(ConflictError) as refused:
        actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="motion", motion=motion, now=NOW)
    assert refused.value.code == "motion_decided"
    assert refused.value.message == (
        "“New lockers” is withdrawn: only a motion still to be decided goes on an agenda."
    )
    assert not meeting.items.filter(motion=motion).exists()


def test_a_motion_or_an_election_goes_on_one_agenda_once(cast, meeting):
    """The web picker leaves out what is on the agenda; the action refuses it from any client."""
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two.", now=NOW
    )
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
    )
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="motion", motion=motion, now=NOW)
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="election", election=election, now=NOW)
    with pytest.raises(ConflictError) as twice:
        actions.add_agenda_item(
            actor=cast.alice, meeting=meeting, kind="motion", motion=motion, title="Again", now=NOW
        )
    assert twice.value.code == "already_on_agenda"
    assert twice.value.message == "“Safety reps” is already on this meeting's agenda."
    with pytest.raises(ConflictError, match="is already on this meeting's agenda") as twice:
        actions.add_agenda_item(
            actor=cast.alice, meeting=meeting, kind="election", election=election, now=NOW
        )
    assert twice.value.code == "already_on_agenda"
    assert meeting.items.count() == 2 and len(entries("meeting.item_added")) == 2
    # Another meeting may take it up again.
    later = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="Next", starts_at=NOW, place="Canteen", now=CALLED
    )
    actions.add_agenda_item(actor=cast.alice, meeting=later, kind="motion", motion=motion, now=NOW)


def test_only_an_election_still_to_be_held_or_certified_goes_on_an_agenda(cast, meeting):
    from tests.elections.test_actions import CLOSES, run_delegate_election

    empty = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
    )
    election_actions.nominate(actor=cast.bob, election=empty, candidate=cast.bob, now=NOW)
    election_actions.open_voting(actor=cast.alice, election=empty, closes_at=CLOSES, now=NOW)
    failed = election_actions.close_election(actor=cast.alice, election=empty, now=CLOSES)
    closed, *_ = run_delegate_election(cast)
    assert closed.status == "closed"
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="election", election=closed, now=CLOSES)
    certified = election_actions.certify_election(actor=cast.alice, election=closed, now=CLOSES)
    assert (certified.status, failed.status) == ("certified", "failed")
    later = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="Next", starts_at=NOW, place="Canteen", now=CALLED
    )
    for election, state in ((certified, "certified"), (failed, "failed")):
        with pytest.raises(ConflictError) as over:
            actions.add_agenda_item(
                actor=cast.alice, meeting=later, kind="election", election=election, now=CLOSES
            )
        assert over.value.code == "election_over"
        assert over.value.message == (
            f"“{election.title}” is {state}: "
            "only an election still to be held or certified goes on an agenda."
        )
    assert not later.items.exists()


def test_agenda_items_link_motions_and_elections_of_the_council(cast, meeting):
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two.", now=NOW
    )
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
    )
    a = actions.add_agenda_item(
        actor=cast.alice, meeting=meeting, kind="report", title="Treasurer's report", now=NOW
    )
    b = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="motion", motion=motion, now=NOW)
    c = actions.add_agenda_item(
        actor=cast.alice, meeting=meeting, kind="election", election=election, now=NOW
    )
    assert [a.position, b.position, c.position] == [1, 2, 3] and b.title == "Safety reps"
    with pytest.raises(InvalidInputError):
        actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="motion", now=NOW)
    with pytest.raises(InvalidInputError):
        actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="dance", title="x", now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.add_agenda_item(actor=cast.bob, meeting=meeting, kind="other", title="x", now=NOW)
    items = actions.reorder_agenda(
        actor=cast.alice, meeting=meeting, order=[str(c.uuid), str(a.uuid), str(b.uuid)], now=NOW
    )
    assert [i.uuid for i in items] == [c.uuid, a.uuid, b.uuid]
    assert entries("meeting.agenda_reordered")[0]["order"] == [str(c.uuid), str(a.uuid), str(b.uuid)]
    with pytest.raises(InvalidInputError, match="exactly once"):
        actions.reorder_agenda(actor=cast.alice, meeting=meeting, order=[str(a.uuid)], now=NOW)


def test_session_takes_items_in_order_with_a_speakers_list(cast, meeting):
    first = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="report", title="Report", now=NOW)
    second = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="AOB", now=NOW)
    with pytest.raises(ConflictError):
        actions.join_speakers(actor=cast.bob, item=first, now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=at(1))
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.erin, now=at(1))
    with pytest.raises(PermissionDeniedError):
        actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.frank, now=at(1))
    with pytest.raises(InvalidInputError) as refused:
        actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.dave, now=at(1))
    assert refused.value.message == "That person does not take part in Riverside Depot."
    with pytest.raises(ConflictError):
        actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=at(1))
    assert actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(2)) == first
    bob = actions.join_speakers(actor=cast.bob, item=first, now=at(3))
    erin = actions.join_speakers(actor=cast.erin, item=first, now=at(4))
    with pytest.raises(PermissionDeniedError):
        actions.join_speakers(actor=cast.carol, item=first, now=at(4))
    with pytest.raises(ConflictError):
        actions.join_speakers(actor=cast.bob, item=first, now=at(4))
    assert actions.give_floor(actor=cast.alice, item=first, now=at(5)) == bob
    actions.leave_speakers(actor=cast.erin, speaker=erin, now=at(6))
    assert actions.give_floor(actor=cast.alice, item=first, now=at(7)) is None
    bob.refresh_from_db()
    assert bob.status == Speaker.Status.DONE
    assert actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(8)) == second
    first.refresh_from_db()
    assert first.status == AgendaItem.Status.DONE
    actions.close_meeting(actor=cast.alice, meeting=meeting, now=at(9))
    assert entries("meeting.closed")[0]["attendance"] == 2


def test_only_those_marked_present_ask_to_speak(cast, meeting):
    item = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="AOB", now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.alice, now=at(1))
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(2))
    # The chair who runs the meeting is no exception: whoever takes the floor is counted present.
    for absent in (cast.bob, cast.erin):
        with pytest.raises(ConflictError) as refused:
            actions.join_speakers(actor=absent, item=item, now=at(3))
        assert refused.value.code == "not_present"
        assert refused.value.message.startswith("Mark yourself present first")
    assert not item.speakers.exists()
    actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=at(4))
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.erin, now=at(4))
    bob = actions.join_speakers(actor=cast.bob, item=item, now=at(5))
    erin = actions.join_speakers(actor=cast.erin, item=item, now=at(5))
    assert [s.pk for s in item.speakers.order_by("requested_at", "id")] == [bob.pk, erin.pk]
    assert actions.give_floor(actor=cast.alice, item=item, now=at(6)) == bob


def test_the_speakers_list_is_recorded_with_who_acted(cast, meeting):
    item = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="AOB", now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    actions.mark_present_many(
        actor=cast.alice, meeting=meeting, users=[cast.bob, cast.erin, cast.frank], now=at(1)
    )
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(2))
    bob = actions.join_speakers(actor=cast.bob, item=item, now=at(3))
    erin = actions.join_speakers(actor=cast.erin, item=item, now=at(4))
    frank = actions.join_speakers(actor=cast.frank, item=item, now=at(5))
    assert actions.give_floor(actor=cast.alice, item=item, now=at(6)) == bob
    actions.leave_speakers(actor=cast.erin, speaker=erin, now=at(7))
    # The chair takes Frank off: the entry is the chair's, naming Frank's place and Frank.
    actions.leave_speakers(actor=cast.alice, speaker=frank, now=at(8))
    assert actions.give_floor(actor=cast.alice, item=item, now=at(9)) is None
    # Nobody has the floor and nobody waits: nothing changes, and nothing is recorded.
    assert actions.give_floor(actor=cast.alice, item=item, now=at(10)) is None
    kinds = ["meeting.speaker_joined", "meeting.speaker_withdrawn", "meeting.floor_given"]
    written = [json.loads(bytes(e.data)) for e in Entry.objects.filter(event__in=kinds).order_by("id")]

    def place(who, speaker, event, actor):
        payload = {"meeting": str(meeting.uuid), "item": str(item.uuid), "speaker": str(speaker.uuid)}
        return (event, str(actor.uuid), {**payload, "member": str(who.uuid)})

    def floor(speaker, ended):
        payload = {"meeting": str(meeting.uuid), "item": str(item.uuid)}
        named = {"speaker": speaker and str(speaker.uuid), "ended": ended and str(ended.uuid)}
        return ("meeting.floor_given", str(cast.alice.uuid), {**payload, **named})

    assert [(e["event"], e["actor"], e["payload"]) for e in written] == [
        place(cast.bob, bob, "meeting.speaker_joined", cast.bob),
        place(cast.erin, erin, "meeting.speaker_joined", cast.erin),
        place(cast.frank, frank, "meeting.speaker_joined", cast.frank),
        floor(bob, None),
        place(cast.erin, erin, "meeting.speaker_withdrawn", cast.erin),
        place(cast.frank, frank, "meeting.speaker_withdrawn", cast.alice),
        floor(None, bob),
    ]
    assert {e["council"] for e in written} == {str(cast.riverside.uuid)}
    assert [e["at"] for e in written] == [f"2026-03-01T09:0{m}:00.000000Z" for m in (3, 4, 5, 6, 7, 8, 9)]


def test_a_refused_place_on_the_list_leaves_no_entry(cast, rules, meeting):
    item = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="AOB", now=NOW)
    # A forced item the council votes off the agenda.
    forced = forced_item(cast)
    removal = petition_actions.propose_item_change(actor=cast.alice, item=forced, change="remove", now=NOW)
    carry(cast, removal.motion_uuid)
    withdrawn = AgendaItem.objects.get(forced_item_uuid=forced.uuid, status=AgendaItem.Status.WITHDRAWN)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=at(1))
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(2))
    bob = actions.join_speakers(actor=cast.bob, item=item, now=at(3))
    with pytest.raises(ConflictError):
        actions.join_speakers(actor=cast.bob, item=item, now=at(4))
    with pytest.raises(PermissionDeniedError):
        actions.leave_speakers(actor=cast.erin, speaker=bob, now=at(4))
    with pytest.raises(PermissionDeniedError):
        actions.give_floor(actor=cast.bob, item=item, now=at(4))
    actions.mark_present(actor=cast.erin, meeting=meeting, user=cast.erin, now=at(5))
    with pytest.raises(ConflictError, match="taken off the agenda"):
        actions.join_speakers(actor=cast.erin, item=withdrawn, now=at(5))
    assert len(entries("meeting.speaker_joined")) == 1
    assert entries("meeting.speaker_withdrawn") == entries("meeting.floor_given") == []


def test_minutes_report_decisions_and_freeze_with_the_checkpoint(cast, meeting):
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two.", now=NOW
    )
    motion = motion_actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    item = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="motion", motion=motion, now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=at(1))
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(2))
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, method="named", now=at(3))
    for who, choice in ((cast.alice, "yes"), (cast.bob, "yes"), (cast.erin, "no")):
        motion_actions.cast_vote(actor=who, vote=vote, choice=choice, now=at(4))
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=at(5))
    with pytest.raises(ConflictError):
        actions.approve_minutes(actor=cast.alice, meeting=meeting, now=at(6))
    meeting = actions.close_meeting(actor=cast.alice, meeting=meeting, now=at(6))
    draft, approved = queries.minutes_of(meeting=meeting)
    assert not approved
    decisions = draft["items"][0]["decisions"]
    closed = next(d for d in decisions if d["event"] == "vote.closed")
    assert "adopted" in closed["text"] and "Yes 2, no 1" in closed["text"]
    assert sorted(closed["roll_call"]) == ["Alice Adeyemi: yes", "Bob Novak: yes", "Erin Walsh: no"]
    assert draft["attendance"] == [{"person": str(cast.bob.uuid), "name": "Bob Novak"}]
    with pytest.raises(PermissionDeniedError):
        actions.approve_minutes(actor=cast.bob, meeting=meeting, now=at(7))
    meeting = actions.approve_minutes(actor=cast.alice, meeting=meeting, now=at(7))
    payload = entries("meeting.minutes_approved")[0]
    assert payload["minutes_hash"] == meeting.minutes_hash
    assert payload["checkpoint"]["size"] > 0 and payload["checkpoint"]["root"]
    assert item.uuid and meeting.minutes["checkpoint"] == payload["checkpoint"]
    with pytest.raises(ConflictError):
        actions.approve_minutes(actor=cast.alice, meeting=meeting, now=at(8))


def add_election_item(cast, meeting, election) -> None:
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="election", election=election, now=at(90))


@pytest.mark.parametrize("stage", ["scheduled", "closed"])
def test_an_outsider_marking_themselves_present_is_refused_before_the_meetings_stage(cast, meeting, stage):
    if stage == "closed":
        actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
        actions.close_meeting(actor=cast.alice, meeting=meeting, now=at(1))
    with pytest.raises(PermissionDeniedError, match="You may not attend in Riverside Depot"):
        actions.mark_present(actor=cast.dave, meeting=meeting, user=cast.dave, now=at(2))
    assert not entries("meeting.attended")


def test_minutes_of_a_meeting_that_held_an_election(cast, meeting):
    from tests.record.test_replay_elections import certified

    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    # Taken up by the meeting once counted: a certified election is over and goes on no agenda.
    certified(cast, before_certifying=lambda election: add_election_item(cast, meeting, election))
    meeting = actions.close_meeting(actor=cast.alice, meeting=meeting, now=at(180))
    draft, _ = queries.minutes_of(meeting=meeting)
    texts = [d["text"] for d in draft["items"][-1]["decisions"]]
    assert texts[-2].startswith("Counted: elected ") and texts[-1].startswith("Result certified: ")


def test_minutes_tell_a_countback_at_certification(cast, meeting):
    from councils.elections.models import Election
    from tests.record.test_replay_elections import counted_back

    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    counted_back(cast, before_certifying=lambda election: add_election_item(cast, meeting, election))
    assert meeting.items.get().election == Election.objects.get(council=cast.riverside, is_by_election=False)
    meeting = actions.close_meeting(actor=cast.alice, meeting=meeting, now=at(180))
    draft, _ = queries.minutes_of(meeting=meeting)
    texts = [d["text"] for d in draft["items"][-1]["decisions"]]
    assert (
        "Counted again without Erin Walsh, who no longer had a vote: elected Bob Novak, Frank Costa." in texts
    )
    assert texts[-1] == "Result certified: Bob Novak, Frank Costa"


@pytest.mark.parametrize(
    ("withdrawn", "told"),
    [
        (False, "Failed: no ballots were cast, so nobody was elected."),
        (True, "Failed: every candidate withdrew or was withdrawn, so nobody was elected."),
    ],
)
def test_minutes_report_an_election_that_failed(cast, meeting, withdrawn, told):
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
    )
    bob = election_actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="election", election=election, now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=at(1))
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(1))
    election_actions.open_voting(actor=cast.alice, election=election, closes_at=at(20), now=at(2))
    if withdrawn:
        election_actions.cast_ballot(actor=cast.erin, election=election, ranking=[str(bob.uuid)], now=at(3))
        election_actions.withdraw_all_candidacies(user=cast.bob, reason="expelled", now=at(4))
    election_actions.close_election(actor=None, election=election, now=at(20))
    meeting = actions.close_meeting(actor=cast.alice, meeting=meeting, now=at(21))
    draft, _ = queries.minutes_of(meeting=meeting)
    texts = [d["text"] for d in draft["items"][0]["decisions"] if d["event"] == "election.failed"]
    assert texts == [told]


def test_minutes_hash_is_recomputable(cast, meeting):
    import hashlib

    from councils.core.ledger.encoding import canonical_bytes

    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    actions.close_meeting(actor=cast.alice, meeting=meeting, now=at(1))
    meeting = actions.approve_minutes(actor=cast.alice, meeting=meeting, now=at(2))
    meeting.refresh_from_db()
    assert "sha256:" + hashlib.sha256(canonical_bytes(meeting.minutes)).hexdigest() == meeting.minutes_hash


def test_items_forced_by_petition_go_on_the_next_agenda_and_are_finished_at_close(cast):
    from councils.petitions import actions as petition_actions
    from councils.petitions.models import ForcedAgendaItem

    petition = petition_actions.start_agenda_petition(
        actor=cast.erin, council=cast.riverside, title="Heat in the depot", text="Discuss the heat.", now=NOW
    )
    petition.refresh_from_db()
    if petition.status == "open":
        petition_actions.sign_agenda_petition(actor=cast.frank, petition=petition, now=NOW)
    forced = ForcedAgendaItem.objects.get(petition=petition)
    meeting = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="Next", starts_at=NOW, place="Canteen", now=CALLED
    )
    item = meeting.items.get()
    assert (item.kind, item.title, item.forced_item_uuid) == ("petition", "Heat in the depot", forced.uuid)
    with pytest.raises(InvalidInputError):
        actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="petition", title="x", now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    actions.mark_present(actor=cast.erin, meeting=meeting, user=cast.erin, now=at(1))
    assert actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(1)) == item
    actions.close_meeting(actor=cast.alice, meeting=meeting, now=at(2))
    forced.refresh_from_db()
    assert forced.status == "dealt_with"


def test_a_forced_item_the_meeting_closed_without_taking_goes_on_the_next_meeting(cast):
    """Closing the meeting early is no way to keep a petition off the agenda: the item waits for the next."""
    from councils.petitions import actions as petition_actions
    from councils.petitions.models import ForcedAgendaItem

    petition = petition_actions.start_agenda_petition(
        actor=cast.erin, council=cast.riverside, title="Heat in the depot", text="Discuss the heat.", now=NOW
    )
    if petition.status == "open":
        petition_actions.sign_agenda_petition(actor=cast.frank, petition=petition, now=NOW)
    forced = ForcedAgendaItem.objects.get(petition=petition)
    first = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="First", starts_at=NOW, place="Canteen", now=CALLED
    )
    later = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="Later",
        starts_at=at(600),
        place="Canteen",
        now=CALLED,
    )
    assert not later.items.exists()
    actions.open_meeting(actor=cast.alice, meeting=first, now=at(0))
    closed = actions.close_meeting(actor=cast.alice, meeting=first, now=at(1))
    forced.refresh_from_db()
    assert (forced.status, forced.meeting_uuid) == ("placed", later.uuid)
    assert [i.title for i in later.items.all()] == ["Heat in the depot"]
    assert closed.items.get().status == "pending"
    [carried] = entries("agenda.item_carried_over")
    assert carried == {"item": str(forced.uuid), "meeting": str(first.uuid)}
    assert entries("meeting.closed")[0]["carried_over"] == [str(forced.uuid)]
    page = cast.client(cast.alice).get(f"/meetings/{first.uuid}/").content.decode()
    assert "Not reached: carried over to the next meeting" in page


def test_a_meeting_cannot_open_before_the_time_it_was_called_for(cast):
    meeting = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="Next", starts_at=at(60), place="Canteen", now=CALLED
    )
    with pytest.raises(
        ConflictError, match="called for 2026-03-01 10:00 UTC and cannot open before then"
    ) as early:
        actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(59))
    assert early.value.code == "meeting_not_yet"
    meeting.refresh_from_db()
    assert meeting.status == "scheduled" and not entries("meeting.opened")
    assert actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(60)).status == "open"


def test_demo_step_holds_a_past_meeting_and_schedules_the_next(cast):
    import random

    from councils.demo.build import Demo
    from councils.demo.elections import build_open_election
    from councils.demo.meetings import build_meetings

    demo = Demo(
        now=NOW,
        rng=random.Random(1),
        federation=cast.federation,
        national=cast.national,
        cities=[cast.city],
        districts=[cast.district],
        workplaces=[cast.riverside, cast.harbour],
        cast={u.username: u for u in (cast.alice, cast.bob, cast.carol, cast.dave, cast.erin, cast.frank)},
    )
    from councils.federation import actions as federation_actions

    # As in the demo, the district has a chair to hold its meeting.
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.carol, role="chair", now=NOW
    )
    build_open_election(demo)
    build_meetings(demo)
    past, upcoming = Meeting.objects.filter(council=cast.riverside).order_by("starts_at")
    assert past.minutes_hash and past.status == "closed"
    decisions = [d for item in past.minutes["items"] for d in item["decisions"]]
    assert any(d["event"] == "vote.closed" and d["roll_call"] for d in decisions)
    assert upcoming.status == "scheduled" and upcoming.items.filter(kind="election").exists()
    # The district's meeting closed after it was scheduled: bob, Riverside's delegate, reports back there.
    assert [item.report.delegate for item in upcoming.items.filter(kind="report_back")] == [cast.bob]


def test_closing_a_higher_councils_meeting_makes_each_delegate_owe_a_report_back(cast):
    from councils.federation import actions as federation_actions
    from councils.mandates.models import ReportDue
    from tests.mandates.flows import seat_dave_for_harbour

    dave_seat = seat_dave_for_harbour(cast)
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.dave, role="chair", now=NOW
    )
    meeting = actions.schedule_meeting(
        actor=cast.dave, council=cast.district, title="Congress", starts_at=NOW, place="Hall", now=CALLED
    )
    actions.open_meeting(actor=cast.dave, meeting=meeting, now=at(0))
    assert not ReportDue.objects.exists()
    actions.close_meeting(actor=cast.dave, meeting=meeting, now=at(90))
    owed = {(r.council, r.delegate, r.seat.from_council) for r in ReportDue.objects.select_related("seat")}
    assert owed == {(cast.riverside, cast.bob, cast.riverside), (cast.harbour, cast.dave, cast.harbour)}
    assert all(
        r.meeting_uuid == meeting.uuid and r.higher_council == cast.district for r in ReportDue.objects.all()
    )
    due = entries("report.due")
    assert sorted(e["delegate"] for e in due) == sorted([str(cast.bob.uuid), str(cast.dave.uuid)])
    assert dave_seat.uuid in {r.seat.uuid for r in ReportDue.objects.filter(delegate=cast.dave)}
    assert {e["meeting"] for e in due} == {str(meeting.uuid)}


def recorded(event: str) -> list[dict]:
    return [json.loads(bytes(e.data)) for e in Entry.objects.filter(event=event).order_by("id")]


def test_report_falling_due_goes_on_the_represented_councils_next_meeting(cast, meeting):
    from councils.mandates.models import ReportDue
    from councils.petitions.models import ForcedAgendaItem
    from tests.mandates.flows import hold_district_meeting

    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="Rota", now=NOW)
    district = hold_district_meeting(cast, now=at(30))
    report = ReportDue.objects.get(delegate=cast.bob)
    forced = ForcedAgendaItem.objects.get(report=report)
    _rota, item = meeting.items.order_by("position")
    assert (item.position, item.kind, item.report, item.forced_item_uuid) == (
        2,
        "report_back",
        report,
        forced.uuid,
    )
    assert item.title == "Report back on the meeting of Eastside District (2026-03-01)"
    assert (forced.status, forced.meeting_uuid, forced.petition) == ("placed", meeting.uuid, None)
    [forced_entry] = recorded("agenda.item_forced")
    assert forced_entry["actor"] is None and forced_entry["council"] == str(cast.riverside.uuid)
    assert forced_entry["payload"] == {
        "petition": None,
        "report": str(report.uuid),
        "item": str(forced.uuid),
        "by": "report_due",
    }
    [placed] = recorded("agenda.item_placed")
    assert (placed["actor"], placed["payload"]["meeting"]) == (None, str(meeting.uuid))
    added = [e for e in recorded("meeting.item_added") if e["payload"]["item"] == str(item.uuid)]
    assert [(e["actor"], e["payload"]["kind"], e["payload"]["report"]) for e in added] == [
        (None, "report_back", str(report.uuid))
    ]
    # The closed meeting above is not a meeting of Riverside: nothing went on its agenda.
    assert not district.items.exists()


def test_report_due_waits_for_the_next_meeting_scheduled(cast):
    from councils.mandates.models import ReportDue
    from councils.petitions.models import ForcedAgendaItem
    from tests.mandates.flows import hold_district_meeting

    past = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="Last", starts_at=NOW, place="Canteen", now=CALLED
    )
    actions.open_meeting(actor=cast.alice, meeting=past, now=at(0))
    actions.close_meeting(actor=cast.alice, meeting=past, now=at(1))
    hold_district_meeting(cast, now=at(30))
    report = ReportDue.objects.get(delegate=cast.bob)
    forced = ForcedAgendaItem.objects.get(report=report)
    assert forced.status == "pending" and not past.items.exists()
    starts = at(300) + timedelta(days=2)
    nxt = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="Next",
        starts_at=starts,
        place="Canteen",
        now=at(300),
    )
    [item] = nxt.items.all()
    assert (item.kind, item.report, item.position) == ("report_back", report, 1)
    actions.open_meeting(actor=cast.alice, meeting=nxt, now=starts)
    actions.mark_present(actor=cast.bob, meeting=nxt, user=cast.bob, now=starts)
    actions.take_next_item(actor=cast.alice, meeting=nxt, now=starts + timedelta(minutes=10))
    actions.close_meeting(actor=cast.alice, meeting=nxt, now=starts + timedelta(hours=1))
    forced.refresh_from_db()
    assert forced.status == "dealt_with"


def test_chair_cannot_take_a_report_back_off_the_agenda(cast, meeting):
    from councils.petitions import actions as petition_actions
    from councils.petitions.models import ForcedAgendaItem
    from tests.mandates.flows import hold_district_meeting

    hold_district_meeting(cast, now=at(30))
    forced = ForcedAgendaItem.objects.get(council=cast.riverside)
    for change in ("remove", "merge", "postpone"):
        with pytest.raises(PermissionDeniedError, match="a delegate's report back is due") as refused:
            petition_actions.change_forced_item(actor=cast.alice, item=forced, change=change, now=at(40))
        assert refused.value.code == "forced_item_protected"
    with pytest.raises(InvalidInputError):
        actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="report_back", title="x", now=NOW)
    proposal = petition_actions.propose_item_change(
        actor=cast.erin, item=forced, change="postpone", now=at(40)
    )
    motion = proposal.item.council.motions.get(uuid=proposal.motion_uuid)
    assert f"by the rules (report back {forced.report.uuid})" in motion.text
    forced.refresh_from_db()
    assert forced.status == "placed"


def test_a_meeting_is_called_with_the_notice_the_constitution_requires(cast):
    """A chair calling a meeting for the next minute would meet with only their side: it is refused."""
    called = dict(actor=cast.alice, council=cast.riverside, title="Snap", place="Canteen")
    with pytest.raises(InvalidInputError) as refused:
        actions.schedule_meeting(**called, starts_at=NOW + timedelta(hours=48, minutes=-1), now=NOW)
    assert refused.value.message == (
        "Rule (defaults apply: no constitution adopted yet): a meeting is called at least 48 hours ahead, "
        "so this one can start at 2026-03-03 09:00 UTC at the earliest."
    )
    assert not Meeting.objects.exists()
    # Start times are given to the minute: the minute the notice runs out is allowed.
    meeting = actions.schedule_meeting(
        **called, starts_at=NOW + timedelta(hours=48), now=NOW + timedelta(seconds=30)
    )
    assert meeting.starts_at == NOW + timedelta(hours=48)
    [scheduled] = entries("meeting.scheduled")
    assert (scheduled["notice_hours"], scheduled["constitution"]) == (48, 0)


def test_a_constitution_may_let_a_council_meet_at_once(cast):
    from councils.constitution.actions import adopt_initial_constitution

    adopt_initial_constitution(
        actor=None, federation=cast.federation, now=CALLED, document={"meeting_notice_hours": 0}
    )
    with pytest.raises(InvalidInputError, match=r"Rule \(constitution version 1\).* 2026-03-01 09:00 UTC"):
        actions.schedule_meeting(
            actor=cast.alice, council=cast.riverside, title="Late", starts_at=at(-1), place="Canteen", now=NOW
        )
    meeting = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="Now", starts_at=NOW, place="Canteen", now=NOW
    )
    assert actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW).status == "open"
    [scheduled] = entries("meeting.scheduled")
    assert (scheduled["notice_hours"], scheduled["constitution"]) == (0, 1)


@pytest.mark.constitution(meeting_quorum_share=Decimal("0.50"))
def test_no_business_is_taken_until_a_quorum_of_voters_is_present(cast, meeting, rules):
    """An item "taken" with nobody there is a decision of the chair alone: refused until a quorum comes."""
    item = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="Rota", now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    assert entries("meeting.opened")[0] == {
        "meeting": str(meeting.uuid),
        "quorum": 2,
        "voters": 4,
        "constitution": 1,
    }
    with pytest.raises(ConflictError, match=r"^No quorum: 0 of 4 present; 2 needed\.$") as refused:
        actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(1))
    assert refused.value.code == "meeting_inquorate"
    # An observer attends but has no vote: they do not make the quorum.
    actions.mark_present(actor=cast.carol, meeting=meeting, user=cast.carol, now=at(2))
    actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=at(2))
    with pytest.raises(ConflictError, match="1 of 4 present; 2 needed"):
        actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(3))
    item.refresh_from_db()
    assert item.status == "pending" and not entries("meeting.item_taken")
    actions.mark_present(actor=cast.erin, meeting=meeting, user=cast.erin, now=at(4))
    assert actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(5)) == item


@pytest.mark.constitution(meeting_quorum_share=Decimal(0))
def test_a_constitution_may_set_no_quorum(cast, meeting, rules):
    item = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="Rota", now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    assert entries("meeting.opened")[0]["quorum"] == 0
    assert actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(1)) == item


def test_chair_marks_several_present_at_once_with_an_entry_each_and_one_live_event(
    cast, meeting, local_broker, django_capture_on_commit_callbacks
):
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=at(1))
    published = []
    local_broker.subscribe(f"meeting-{meeting.uuid}", lambda _, event: published.append(event))
    with django_capture_on_commit_callbacks(execute=True):
        # Bob came in on his own while the chair was ticking the list: he is left as he is.
        marked = actions.mark_present_many(
            actor=cast.alice, meeting=meeting, users=[cast.erin, cast.bob, cast.carol, cast.erin], now=at(2)
        )
    assert [a.user for a in marked] == [cast.erin, cast.carol]
    assert published == [{"type": "attendance.changed"}]
    attended = [
        json.loads(bytes(e.data)) for e in Entry.objects.filter(event="meeting.attended").order_by("id")
    ]
    assert [(e["actor"], e["payload"]) for e in attended] == [
        (str(actor.uuid), {"meeting": str(meeting.uuid), "member": str(member.uuid)})
        for actor, member in ((cast.bob, cast.bob), (cast.alice, cast.erin), (cast.alice, cast.carol))
    ]
    assert queries.quorum(meeting=meeting).present == 2


def test_marking_several_present_is_for_the_chair_and_all_or_nothing(cast, meeting):
    with pytest.raises(ConflictError):
        actions.mark_present_many(actor=cast.alice, meeting=meeting, users=[cast.bob], now=at(0))
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    with pytest.raises(PermissionDeniedError):
        actions.mark_present_many(actor=cast.bob, meeting=meeting, users=[cast.bob, cast.erin], now=at(1))
    with pytest.raises(InvalidInputError) as refused:
        actions.mark_present_many(actor=cast.alice, meeting=meeting, users=[cast.erin, cast.dave], now=at(1))
    assert refused.value.message.startswith("1 of the people chosen do not take part in Riverside Depot")
    assert "Dave" not in refused.value.message
    with pytest.raises(InvalidInputError, match="at least one"):
        actions.mark_present_many(actor=cast.alice, meeting=meeting, users=[], now=at(1))
    assert not meeting.attendance.exists() and not entries("meeting.attended")


@pytest.mark.django_db(transaction=True)
def test_marking_someone_present_twice_outside_any_transaction_is_refused_and_nothing_is_left_broken(
    cast, meeting
):
    # The refused insert takes no savepoint of its own: the action's transaction rolls back whole,
    # and the connection goes on to the next action.
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=at(0))
    actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=at(1))
    with pytest.raises(ConflictError, match="already marked present"):
        actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.bob, now=at(2))
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.erin, now=at(3))
    assert queries.quorum(meeting=meeting).present == 2
    assert Entry.objects.filter(event="meeting.attended").count() == 2
