"""The verifier follows each meeting's attendance and speakers' list: only participants are marked present,
the floor goes in turn, and only to those present."""

from __future__ import annotations

import copy
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest

from councils.cli.main import main
from councils.meetings import actions
from councils.meetings.models import Speaker
from tests.conftest import NOW
from tests.record.support import documents, find, signed_bundle, verify_forged, verify_genuine

STARTS = NOW + timedelta(days=2)


def at(minutes: int):
    return STARTS + timedelta(minutes=minutes)


def earlier_list(cast) -> None:
    """A meeting held before, where Bob asked to speak: the record holds speakers' lists from then on."""
    earlier = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="Earlier", starts_at=STARTS, place="Canteen", now=NOW
    )
    item = actions.add_agenda_item(actor=cast.alice, meeting=earlier, kind="other", title="Rota", now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=earlier, now=STARTS)
    actions.mark_present(actor=cast.bob, meeting=earlier, user=cast.bob, now=STARTS)
    actions.take_next_item(actor=cast.alice, meeting=earlier, now=STARTS)
    actions.join_speakers(actor=cast.bob, item=item, now=STARTS)
    actions.close_meeting(actor=cast.alice, meeting=earlier, now=STARTS)


@pytest.fixture
def debate(cast):
    """Bob, then Erin and Alice ask to speak; Bob has the floor, the chair takes Erin off, Alice speaks."""
    meeting = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="General", starts_at=STARTS, place="Canteen", now=NOW
    )
    item = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="Rota", now=NOW)
    actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="AOB", now=NOW)
    earlier_list(cast)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=STARTS)
    actions.mark_present_many(
        actor=cast.alice, meeting=meeting, users=[cast.alice, cast.bob, cast.erin], now=STARTS
    )
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(1))
    bob = actions.join_speakers(actor=cast.bob, item=item, now=at(2))
    # Erin and Alice ask at the same moment: Erin, whose request the log holds first, comes first.
    erin = actions.join_speakers(actor=cast.erin, item=item, now=at(3))
    alice = actions.join_speakers(actor=cast.alice, item=item, now=at(3))
    actions.give_floor(actor=cast.alice, item=item, now=at(4))
    actions.leave_speakers(actor=cast.alice, speaker=erin, now=at(5))
    actions.give_floor(actor=cast.alice, item=item, now=at(6))
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(7))
    actions.close_meeting(actor=cast.alice, meeting=meeting, now=at(8))
    return SimpleNamespace(meeting=meeting, item=item, bob=bob, erin=erin, alice=alice)


def place(speaker) -> str:
    return f"{speaker.user.uuid} (place {speaker.uuid})"


def test_a_list_kept_in_turn_checks_out_with_the_chairs_removal_named(debate, cast):
    assert verify_genuine().problems == []
    docs = documents()
    removal = docs[find(docs, "meeting.speaker_withdrawn")]
    # The chair's removal reads as the chair's: the entry's actor is not the member it names.
    assert (removal["actor"], removal["payload"]["member"]) == (str(cast.alice.uuid), str(cast.erin.uuid))


def test_the_floor_given_out_of_turn_is_caught(debate, tmp_path, capsys):
    docs = documents()
    first = docs[find(docs, "meeting.floor_given")]
    first["payload"]["speaker"] = str(debate.erin.uuid)
    problems = verify_forged(docs).problems
    skipped = (
        f'the floor on item {debate.item.uuid} of meeting "General" ({debate.meeting.uuid}) was given to '
        f"{place(debate.erin)} out of turn: {place(debate.bob)} asked first and was still waiting"
    )
    assert any(skipped in str(p) for p in problems), problems
    path = signed_bundle(tmp_path, docs)
    assert main(["verify", "--bundle", str(path), "--forget"]) == 1
    assert skipped in capsys.readouterr().out


def test_the_floor_given_to_the_later_of_two_equal_requests_is_caught(debate):
    docs = documents()
    second = docs[find(docs, "meeting.floor_given", 1)]
    assert second["payload"]["speaker"] == str(debate.alice.uuid)
    # Without the chair's recorded removal, Erin (who asked at the same moment, earlier in the log)
    # is passed over.
    del docs[find(docs, "meeting.speaker_withdrawn")]
    problems = [str(p) for p in verify_forged(docs).problems]
    assert any(f"out of turn: {place(debate.erin)} asked first" in p for p in problems), problems


def test_the_floor_given_to_nobody_while_someone_waits_is_caught(debate):
    docs = documents()
    docs[find(docs, "meeting.floor_given")]["payload"]["speaker"] = None
    problems = [str(p) for p in verify_forged(docs).problems]
    assert any(f"was given to no one while {place(debate.bob)} was waiting" in p for p in problems), problems


def test_a_turn_ended_that_was_not_running_is_caught(debate):
    docs = documents()
    docs[find(docs, "meeting.floor_given", 1)]["payload"]["ended"] = str(debate.erin.uuid)
    problems = [str(p) for p in verify_forged(docs).problems]
    wrong = f"ends the turn of {place(debate.erin)}, but {place(debate.bob)} had the floor"
    assert any(wrong in p for p in problems), problems


def test_a_member_absent_asking_to_speak_is_caught(debate, cast):
    docs = documents()
    erin_present = next(
        i
        for i, d in enumerate(docs)
        if d["event"] == "meeting.attended" and d["payload"]["member"] == str(cast.erin.uuid)
    )
    del docs[erin_present]
    problems = [str(p) for p in verify_forged(docs).problems]
    absent = (
        f"{cast.erin.uuid} asked to speak on item {debate.item.uuid} of "
        f'meeting "General" ({debate.meeting.uuid}) without being recorded present'
    )
    assert any(absent in p for p in problems), problems


def test_an_observer_or_an_outsider_asking_to_speak_is_caught(debate, cast, tmp_path, capsys):
    """Carol observes Riverside and Dave works at Harbour: marked present, neither may ask to speak."""
    docs = documents()
    aob = docs[find(docs, "meeting.item_added", 1)]["payload"]["item"]
    present, joined = find(docs, "meeting.attended", 2), find(docs, "meeting.speaker_joined", 2)
    assert docs[joined]["payload"]["member"] == str(cast.erin.uuid)
    for person in (cast.dave, cast.carol):
        marked = copy.deepcopy(docs[present])
        marked["payload"]["member"] = str(person.uuid)
        asks = copy.deepcopy(docs[joined])
        asks["actor"] = str(person.uuid)
        asks["payload"].update(member=str(person.uuid), item=aob, speaker=str(uuid.uuid4()))
        docs.insert(joined + 1, asks)
        docs.insert(present + 1, marked)
    where = f'asked to speak on item {aob} of meeting "General" ({debate.meeting.uuid}), but was'
    riverside = cast.riverside.uuid
    observer = f"{cast.carol.uuid} {where} an observer of council {riverside} at that moment"
    outsider = f"{cast.dave.uuid} {where} not a participant of council {riverside} at that moment"
    # Bob, Erin and Alice, members of Riverside, asked as they may: the only problems are these two,
    # after Dave's being marked present at all (Carol, an observer, may attend).
    problems = [str(p) for p in verify_forged(docs).problems]
    assert f"{cast.dave.uuid} was marked present at" in problems[0], problems
    assert [observer in p for p in problems[1:]] == [True, False], problems
    assert [outsider in p for p in problems[1:]] == [False, True], problems
    path = signed_bundle(tmp_path, docs)
    assert main(["verify", "--bundle", str(path), "--forget"]) == 1
    out = capsys.readouterr().out
    assert observer in out and outsider in out


def test_an_observer_marked_present_by_the_chair_checks_out(debate, cast):
    """The app lets the chair mark Riverside's observer present: the replay agrees."""
    later = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="Next", starts_at=STARTS, place="Canteen", now=NOW
    )
    actions.open_meeting(actor=cast.alice, meeting=later, now=at(10))
    actions.mark_present(actor=cast.alice, meeting=later, user=cast.carol, now=at(10))
    verdict = verify_genuine()
    assert verdict.problems == []
    assert not any("had the right to attend" in n for n in verdict.notes), verdict.notes


def test_someone_marked_present_without_the_right_to_attend_is_caught(debate, cast, tmp_path, capsys):
    """Dave works at Harbour: the chair marking him present at Riverside's meeting is reported."""
    docs = documents()
    present = find(docs, "meeting.attended", 3)
    assert docs[present]["payload"]["member"] == str(cast.erin.uuid)
    marked = copy.deepcopy(docs[present])
    marked["payload"]["member"] = str(cast.dave.uuid)
    docs.insert(present + 1, marked)
    stranger = (
        f'{cast.dave.uuid} was marked present at meeting "General" ({debate.meeting.uuid}), but was not a '
        f"participant of council {cast.riverside.uuid} at that moment"
    )
    problems = [str(p) for p in verify_forged(docs).problems]
    assert len(problems) == 1 and stranger in problems[0], problems
    path = signed_bundle(tmp_path, docs)
    assert main(["verify", "--bundle", str(path), "--forget"]) == 1
    assert stranger in capsys.readouterr().out


def test_asking_twice_while_waiting_and_for_someone_else_are_caught(debate, cast):
    docs = documents()
    again = copy.deepcopy(docs[find(docs, "meeting.speaker_joined", 1)])
    again["payload"]["speaker"] = str(uuid.uuid4())
    docs.insert(find(docs, "meeting.speaker_joined", 2), again)
    docs[find(docs, "meeting.speaker_joined", 3)]["actor"] = str(cast.alice.uuid)
    problems = [str(p) for p in verify_forged(docs).problems]
    twice = f"{cast.bob.uuid} asked to speak on item {debate.item.uuid} of meeting "
    assert any(twice in p and "while already waiting to speak on it" in p for p in problems), problems
    on_behalf = f"{cast.alice.uuid} put {cast.erin.uuid} on the speakers' list of meeting"
    assert any(on_behalf in p for p in problems), problems


def test_asking_to_speak_on_an_item_done_with_is_caught(debate, cast):
    docs = documents()
    late = copy.deepcopy(docs[find(docs, "meeting.speaker_joined", 1)])
    late["payload"]["speaker"] = str(uuid.uuid4())
    docs.insert(find(docs, "meeting.closed", 1), late)
    problems = [str(p) for p in verify_forged(docs).problems]
    done = (
        f'item {debate.item.uuid} of meeting "General" ({debate.meeting.uuid}), which was already done with'
    )
    assert any(done in p for p in problems), problems


def test_a_withdrawal_of_someone_not_waiting_is_caught(debate, cast):
    docs = documents()
    forged = copy.deepcopy(docs[find(docs, "meeting.speaker_withdrawn")])
    forged["payload"].update(speaker=str(debate.bob.uuid), member=str(cast.bob.uuid))
    # Taken off just after Bob was given the floor: the chair cutting a speaker short.
    docs.insert(find(docs, "meeting.floor_given") + 1, forged)
    problems = [str(p) for p in verify_forged(docs).problems]
    cut = (
        f'{place(debate.bob)} was taken off the speakers\' list of meeting "General" ({debate.meeting.uuid}) '
        f"by {cast.alice.uuid} while they had the floor"
    )
    assert any(cut in p for p in problems), problems
    unknown = copy.deepcopy(forged)
    unknown["payload"]["speaker"] = str(uuid.uuid4())
    docs.append(unknown)
    problems = [str(p) for p in verify_forged(docs).problems]
    assert any("but nobody asked for it" in p for p in problems), problems


def test_a_removal_or_floor_by_someone_not_the_chair_is_caught(debate, cast):
    docs = documents()
    docs[find(docs, "meeting.speaker_withdrawn")]["actor"] = str(cast.frank.uuid)
    docs[find(docs, "meeting.floor_given")]["actor"] = str(cast.bob.uuid)
    problems = [str(p) for p in verify_forged(docs).problems]
    removed = f"{cast.erin.uuid} was taken off the speakers' list of meeting {debate.meeting.uuid}"
    removed += f" by {cast.frank.uuid}"
    floor = f"the floor was given at meeting {debate.meeting.uuid} by {cast.bob.uuid}"
    for wrong in (removed, floor):
        assert any(wrong in p and "who was not the chair or secretary" in p for p in problems), problems


def test_a_list_of_a_meeting_the_record_never_called_is_caught(debate):
    docs = documents()
    del docs[find(docs, "meeting.scheduled")]
    problems = [str(p) for p in verify_forged(docs).problems]
    assert any(
        f"the speakers' list of meeting {debate.meeting.uuid} changed, but the record never called it" in p
        for p in problems
    ), problems


def test_places_asked_for_before_the_list_was_recorded_are_noted_not_judged(cast):
    """A meeting in session when the list began to be recorded may give the floor to an unrecorded place."""
    meeting = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="General", starts_at=STARTS, place="Canteen", now=NOW
    )
    item = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="Rota", now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=STARTS)
    actions.mark_present_many(actor=cast.alice, meeting=meeting, users=[cast.bob, cast.erin], now=STARTS)
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=at(1))
    # As an older version wrote it: Erin's place, with no entry.
    Speaker.objects.create(item=item, user=cast.erin, requested_at=at(1))
    bob = actions.join_speakers(actor=cast.bob, item=item, now=at(2))
    actions.give_floor(actor=cast.alice, item=item, now=at(3))
    assert actions.give_floor(actor=cast.alice, item=item, now=at(4)) == bob
    verdict = verify_genuine()
    assert verdict.problems == []
    assert any("when the record began to hold speakers' lists" in n for n in verdict.notes), verdict.notes
    # A meeting opened once the record held places is judged whole: an unknown place is a problem there.
    later = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="Next", starts_at=STARTS, place="Canteen", now=NOW
    )
    next_item = actions.add_agenda_item(actor=cast.alice, meeting=later, kind="other", title="AOB", now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=later, now=at(5))
    actions.mark_present(actor=cast.bob, meeting=later, user=cast.bob, now=at(5))
    actions.take_next_item(actor=cast.alice, meeting=later, now=at(5))
    actions.join_speakers(actor=cast.bob, item=next_item, now=at(6))
    actions.give_floor(actor=cast.alice, item=next_item, now=at(7))
    docs = documents()
    docs[find(docs, "meeting.floor_given", 2)]["payload"]["speaker"] = str(uuid.uuid4())
    problems = [str(p) for p in verify_forged(docs).problems]
    assert any("who was not waiting to speak on it" in p for p in problems), problems
