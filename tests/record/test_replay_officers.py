"""The verifier follows who held which office when, and reports an officer's act forged as anyone else's."""

from __future__ import annotations

import copy
import io
import uuid
from datetime import timedelta

import pytest

from councils.accounts import actions as account_actions
from councils.core.errors import ConflictError
from councils.elections import actions as election_actions
from councils.federation import actions as federation_actions
from councils.federation.models import Council, Office
from councils.meetings import actions as meeting_actions
from councils.motions import actions as motion_actions
from councils.record.verification import verify_database
from tests.conftest import NOW
from tests.record.support import documents, find, verify_forged, verify_genuine

STARTS = NOW + timedelta(days=2)
UNKNOWN = "some officers' acts are in councils whose offices the record does not show"


def _meeting(cast) -> None:
    """Alice, Riverside's chair, calls, holds and closes a meeting, marks Erin present and approves
    its minutes."""
    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="General", starts_at=STARTS, place="Canteen", now=NOW
    )
    meeting_actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="Rota", now=NOW)
    meeting_actions.open_meeting(actor=cast.alice, meeting=meeting, now=STARTS)
    meeting_actions.mark_present(actor=cast.bob, meeting=meeting, user=cast.bob, now=STARTS)
    meeting_actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.erin, now=STARTS)
    meeting_actions.take_next_item(actor=cast.alice, meeting=meeting, now=STARTS + timedelta(minutes=5))
    meeting_actions.close_meeting(actor=cast.alice, meeting=meeting, now=STARTS + timedelta(hours=1))
    meeting_actions.approve_minutes(actor=cast.alice, meeting=meeting, now=STARTS + timedelta(hours=2))


def _motion(cast) -> None:
    """Bob's motion, seconded by Erin, put to the vote, closed and forwarded by Alice."""
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety", text="We demand a safe depot.", now=NOW
    )
    motion_actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW)
    for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=NOW)
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    motion_actions.forward_motion(actor=cast.alice, motion=motion, now=NOW)


def _chair_election(cast) -> None:
    """Frank, Riverside's election officer, runs the election of its chair, which Erin wins: Alice's
    office is vacated at the certification and Erin's filled."""
    election = election_actions.call_election(
        actor=cast.frank, council=cast.riverside, kind="office", role="chair", title="Chair", now=NOW
    )
    erin = election_actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    election_actions.open_voting(
        actor=cast.frank, election=election, closes_at=NOW + timedelta(hours=1), now=NOW
    )
    for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
        election_actions.cast_ballot(actor=voter, election=election, ranking=[str(erin.uuid)], now=NOW)
    election_actions.close_election(actor=cast.frank, election=election, now=NOW + timedelta(minutes=30))
    election_actions.certify_election(actor=cast.frank, election=election, now=NOW + timedelta(hours=1))


def _invitations(cast) -> None:
    invitation = account_actions.invite_member(
        actor=cast.alice, council=cast.riverside, email="gita@example.org", base_url="http://x", now=NOW
    )
    account_actions.revoke_invitation(actor=cast.alice, invitation_uuid=str(invitation.uuid), now=NOW)


@pytest.fixture
def officers_at_work(cast):
    # Frank is appointed Riverside's election officer at its founding, before it votes.
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.riverside, user=cast.frank, role=Office.Role.ELECTION_OFFICER, now=NOW
    )
    _invitations(cast)
    _motion(cast)
    _meeting(cast)
    _chair_election(cast)
    # Erin, the new chair, calls the next meeting.
    meeting_actions.schedule_meeting(
        actor=cast.erin,
        council=cast.riverside,
        title="Next",
        starts_at=STARTS + timedelta(days=7),
        place="Canteen",
        now=NOW + timedelta(days=5),
    )
    return cast


def _officer_problems(docs) -> list[str]:
    """What the verifier says of who acted as an officer, without "Rule broken at entry N: "."""
    return [p.split(": ", 1)[1].rstrip(".") for p in verify_forged(docs).problems if "who was not the" in p]


def test_a_genuine_record_of_officers_at_work_replays_cleanly(officers_at_work):
    verdict = verify_genuine()
    assert verdict.problems == []
    assert not any(UNKNOWN in n for n in verdict.notes)
    assert verify_database() == []


@pytest.mark.parametrize(
    ("event", "nth", "what"),
    [
        ("vote.opened", 0, "vote {vote} was opened"),
        ("vote.closed", 0, "vote {vote} was closed"),
        ("motion.forwarded", 0, "motion {motion} was forwarded to the council above"),
        ("meeting.scheduled", 0, "meeting {meeting} was called"),
        ("meeting.item_added", 0, "an item was put on the agenda of meeting {meeting}"),
        ("meeting.opened", 0, "meeting {meeting} was opened"),
        ("meeting.attended", 1, "{member} was marked present at meeting {meeting}"),
        ("meeting.item_taken", 0, "an item of meeting {meeting} was taken"),
        ("meeting.closed", 0, "meeting {meeting} was closed"),
        ("meeting.minutes_approved", 0, "the minutes of meeting {meeting} were approved"),
        ("election.called", 0, "election {election} was called"),
        ("election.opened", 0, "the poll of election {election} was opened"),
        ("election.closed", 0, "the poll of election {election} was closed"),
        ("election.certified", 0, "election {election} was certified"),
        ("invitation.sent", 0, "invitation {invitation} was sent"),
        ("invitation.revoked", 0, "invitation {invitation} was withdrawn"),
    ],
)
def test_an_officers_act_forged_as_a_members_is_caught(officers_at_work, event, nth, what):
    cast = officers_at_work
    docs = documents()
    forged = docs[find(docs, event, nth)]
    forged["actor"] = str(cast.bob.uuid)
    who = "the chair or election officer" if event.startswith("election.") else "the chair or secretary"
    assert _officer_problems(docs) == [
        f"{what.format(**forged['payload'])} by {cast.bob.uuid}, who was not {who} of council "
        f"{cast.riverside.uuid} at that moment"
    ]


def test_a_secretary_does_not_run_elections(officers_at_work):
    cast = officers_at_work
    docs = documents()
    # Bob as Riverside's secretary from its founding: an office like the first, held all along.
    first = find(docs, "office.founding_filled")
    secretary = copy.deepcopy(docs[first])
    secretary["payload"].update(office=str(uuid.uuid4()), holder=str(cast.bob.uuid), role="secretary")
    docs.insert(first + 1, secretary)
    assert _officer_problems(docs) == []
    docs[find(docs, "election.opened")]["actor"] = str(cast.bob.uuid)
    [problem] = _officer_problems(docs)
    assert "the poll of election" in problem and "who was not the chair or election officer" in problem


def test_founding_officers_are_appointed_only_before_their_councils_first_vote(officers_at_work):
    """Once Riverside has voted, its officers are elected: the app refuses a founding appointment, and
    the verifier reports one a forger slips in after its first vote."""
    cast = officers_at_work
    with pytest.raises(ConflictError, match="founding officers are appointed only before its first vote"):
        federation_actions.appoint_founding_officer(
            actor=None, council=cast.riverside, user=cast.bob, role=Office.Role.SECRETARY, now=NOW
        )
    assert not Office.objects.filter(user=cast.bob).exists()
    # Harbour has held no vote yet: its founding officers may still be appointed.
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.harbour, user=cast.dave, role=Office.Role.CHAIR, now=NOW
    )
    docs = documents()
    assert verify_forged(docs).problems == []
    frank = docs.pop(
        next(i for i, d in enumerate(docs) if d["payload"].get("holder") == str(cast.frank.uuid))
    )
    voted = find(docs, "vote.opened")
    docs.insert(voted + 1, frank)
    assert [p.split(": ", 1)[1] for p in verify_forged(docs).problems] == [
        f"{cast.frank.uuid} was appointed founding election_officer of council {cast.riverside.uuid} after "
        f"its first vote or election (entry {voted}): from then on its officers are elected."
    ]
    # Without Riverside's creation, whether it had voted is noted, not judged.
    del docs[find(docs, "council.created", 3)]
    verdict = verify_forged(docs)
    assert not [p for p in verdict.problems if "appointed founding" in p]
    assert any("some founding officers were appointed in councils whose creation" in n for n in verdict.notes)


def test_a_chair_whose_office_was_vacated_acts_no_more(officers_at_work):
    cast = officers_at_work
    docs = documents()
    # Alice stopped being chair when the election she lost was certified.
    last = find(docs, "meeting.scheduled", 1)
    assert docs[find(docs, "office.vacated")]["payload"]["holder"] == str(cast.alice.uuid)
    docs[last]["actor"] = str(cast.alice.uuid)
    meeting = docs[last]["payload"]["meeting"]
    assert _officer_problems(docs) == [
        f"meeting {meeting} was called by {cast.alice.uuid}, who was not the chair or secretary of council "
        f"{cast.riverside.uuid} at that moment"
    ]


def test_an_officer_of_another_council_is_no_officer_here(officers_at_work):
    cast = officers_at_work
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.harbour, user=cast.dave, role=Office.Role.CHAIR, now=NOW
    )
    docs = documents()
    docs.insert(find(docs, "office.founding_filled") + 1, docs.pop())
    docs[find(docs, "vote.opened")]["actor"] = str(cast.dave.uuid)
    [problem] = _officer_problems(docs)
    assert (
        f"by {cast.dave.uuid}, who was not the chair or secretary of council {cast.riverside.uuid}" in problem
    )


def test_acts_of_the_rules_and_of_councils_the_reader_cannot_see_are_not_judged(officers_at_work):
    docs = documents()
    docs[find(docs, "vote.closed")]["actor"] = None
    assert _officer_problems(docs) == []
    # Without Riverside's creation, its offices are not known from the start: noted, not judged.
    created = find(docs, "council.created", 3)
    assert docs[created]["payload"]["name"] == "Riverside Depot"
    del docs[created]
    docs[find(docs, "vote.opened")]["actor"] = str(officers_at_work.bob.uuid)
    verdict = verify_forged(docs)
    assert not [p for p in verdict.problems if "who was not the" in p]
    assert any(UNKNOWN in n for n in verdict.notes)


def test_the_founding_officers_of_a_federation_founded_from_a_file_act_from_the_start(db, tmp_path):
    """`init_federation` creates the councils and appoints their first officers, acting for nobody."""
    from django.core.management import call_command

    from councils.accounts.models import User
    from tests.membership.test_commands import CSV_OK, TOML

    (tmp_path / "constitution.toml").write_text(TOML)
    (tmp_path / "members.csv").write_text(CSV_OK)
    call_command("init_federation", "--from-file", str(tmp_path / "constitution.toml"), stdout=io.StringIO())
    call_command("import_members", str(tmp_path / "members.csv"), stdout=io.StringIO())
    nadia, omar = User.objects.get(username="nadia"), User.objects.get(username="omar")
    north = Council.objects.get(name="North Depot")
    meeting_actions.schedule_meeting(
        actor=nadia, council=north, title="First", starts_at=STARTS, place="Depot", now=NOW
    )
    motion = motion_actions.table_motion(
        actor=None, council=north, title="First", text="First vote.", now=NOW
    )
    motion_actions.open_vote(actor=nadia, motion=motion, now=NOW)
    verdict = verify_genuine()
    assert verdict.problems == [] and not any(UNKNOWN in n for n in verdict.notes)
    docs = documents()
    docs[find(docs, "meeting.scheduled")]["actor"] = str(omar.uuid)
    [problem] = _officer_problems(docs)
    assert problem.endswith(
        f"by {omar.uuid}, who was not the chair or secretary of council {north.uuid} at that moment"
    )
