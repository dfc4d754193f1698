"""`manage.py verify_record` compares each election, its candidates and its count with the record.

Each test edits the database directly, as an operator could, and expects one
plain line naming the election or candidacy. No line says how anyone voted.

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.elections import actions
from councils.elections.models import Ballot, Candidacy, Election, Participation
from councils.record import sequencer
from councils.record.verification import verify_database
from tests.record.test_replay_elections import NOW, certified

LATER = NOW + timedelta(days=3650)


@pytest.fixture
def election(cast) -> Election:
    """A delegates' election of Riverside Depot, voted online and on paper, counted and certified."""
    election, _ = certified(cast)
    sequencer.sequence_pending(now=NOW)
    return election


@pytest.fixture
def voting(cast) -> Election:
    """A secretary's election of Riverside Depot with its poll open: one nominee withdrew, one lapsed."""
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="secretary", now=NOW
    )
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    frank = actions.nominate(actor=cast.frank, election=election, candidate=cast.frank, now=NOW)
    actions.withdraw_candidacy(actor=cast.frank, candidacy=frank, now=NOW)
    actions.nominate(actor=cast.alice, election=election, candidate=cast.bob, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(hours=1), now=NOW)
    erin = election.candidacies.get(candidate=cast.erin)
    actions.cast_ballot(actor=cast.alice, election=election, approvals=[str(erin.uuid)], now=NOW)
    return election


def test_elections_at_every_step_match_their_record(election, voting, cast):
    nominating = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="treasurer", now=NOW
    )
    actions.nominate(actor=cast.alice, election=nominating, candidate=cast.erin, now=NOW)
    assert voting.candidacies.filter(withdrawn_at__isnull=False).count() == 2
    assert Election.objects.filter(status="certified").count() == 1
    assert verify_database() == []


@pytest.mark.tampers
def test_a_failed_poll_matches_its_record(cast):
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="secretary", now=NOW
    )
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    closes = NOW + timedelta(hours=1)
    actions.open_voting(actor=cast.alice, election=election, closes_at=closes, now=NOW)
    assert actions.close_election(actor=cast.alice, election=election, now=closes).status == "failed"
    assert verify_database() == []
    Election.objects.filter(pk=election.pk).update(failure_reason="no_candidates")
    assert verify_database() == [
        f"[elections] Election {election.uuid}'s reason for failing is 'no_candidates' "
        "but the record says 'no_ballots'."
    ]


@pytest.mark.tampers
def test_the_elections_the_rules_call_match_their_record(cast):
    called = actions.run_due_terms(now=NOW + timedelta(days=400)).called
    [harbour] = [e for e in called if e.council == cast.harbour]
    assert (harbour.called_for, harbour.called_by_id) == ("first_delegates", None)
    assert verify_database() == []
    Election.objects.filter(pk=harbour.pk).update(called_for="", nominations_close_at=LATER)
    assert verify_database() == [
        f"[elections] Election {harbour.uuid}'s reason the rules called it is '' "
        "but the record says 'first_delegates'.",
        f"[elections] Election {harbour.uuid}'s close of nominations is {LATER:%Y-%m-%dT%H:%M:%S}.000000Z "
        f"but the record says {harbour.nominations_close_at:%Y-%m-%dT%H:%M:%S}.000000Z.",
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"status": "voting"}, "is 'voting' but the record says 'certified'."),
        ({"kind": "office"}, "'s kind is 'office' but the record says 'delegates'."),
        ({"role": "chair"}, "'s office is 'chair' but the record says ''."),
        ({"title": "Chair"}, "'s title is 'Chair' but the record says 'Delegates of Riverside Depot"),
        ({"seats": 1}, "'s number of seats is 1 but the record says 2."),
        ({"method": "plurality"}, "'s counting method is 'plurality' but the record says 'scottish-stv'."),
        ({"is_by_election": True}, "'s by-election flag is True but the record says False."),
        ({"called_for": "unfilled_seats"}, "'s reason the rules called it is 'unfilled_seats'"),
        ({"failure_reason": "no_ballots"}, "'s reason for failing is 'no_ballots' but the record says ''."),
        ({"term_ends_at": LATER}, "'s term end is 2036-"),
        ({"closes_at": LATER}, "'s closing time is 2036-"),
        ({"opened_at": LATER}, "'s opening time is 2036-"),
        ({"closed_at": LATER}, "'s time it closed is 2036-"),
        ({"certified_at": LATER}, "'s certification time is 2036-"),
        ({"electorate_size": 40}, "'s electorate size is 40 but the record says 4."),
        ({"electorate_hash": "sha256:00"}, "'s electorate hash is 'sha256:00' but the record says"),
        ({"candidates_hash": "sha256:00"}, "'s candidates hash is 'sha256:00' but the record says"),
        ({"ballot_count": 40}, "'s number of ballots is 40 but the record says 4."),
        ({"ballot_set_hash": "sha256:00"}, "'s ballot set hash is 'sha256:00' but the record says"),
        ({"seed": "00"}, "'s counting seed is '00' but the record says"),
        ({"called_by": None}, " was called by someone other than the record says."),
        ({"council": "harbour"}, " is in another council than the record says."),
        ({"result": None}, " holds no count but the record counted it."),
    ],
)
@pytest.mark.tampers
def test_each_field_of_an_election_changed_in_the_database_is_detected(election, cast, change, problem):
    if "council" in change:
        change = {"council": cast.harbour}
    Election.objects.filter(pk=election.pk).update(**change)
    problems = verify_database()
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"[elections] Election {election.uuid}")
    assert problem in problems[0]


@pytest.mark.tampers
def test_a_count_changed_in_the_database_is_detected(election):
    result = dict(election.result)
    result["elected"] = list(reversed(result["elected"]))
    Election.objects.filter(pk=election.pk).update(result=result)
    assert verify_database() == [
        f"[elections] Election {election.uuid}'s count elected other candidates than the record says."
    ]
    Election.objects.filter(pk=election.pk).update(result={**election.result, "quota": "1"})
    assert verify_database() == [
        f"[elections] Election {election.uuid}'s count is not the count the record holds."
    ]


@pytest.mark.tampers
def test_a_count_slipped_into_an_open_poll_is_detected(voting):
    Election.objects.filter(pk=voting.pk).update(result={"elected": []})
    assert verify_database() == [
        f"[elections] Election {voting.uuid} holds a count but the record never counted it."
    ]


@pytest.mark.tampers
def test_a_candidacy_moved_to_another_election_is_detected(election, cast):
    other = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="treasurer", now=NOW
    )
    frank = election.candidacies.get(candidate=cast.frank)
    Candidacy.objects.filter(pk=frank.pk).update(election=other)
    assert verify_database() == [
        f"[elections] Candidacy {frank.uuid} is in another election than the record says."
    ]


@pytest.mark.tampers
def test_elections_deleted_or_added_without_the_record_are_detected(election, cast):
    nominating = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="treasurer", now=NOW
    )
    Election.objects.filter(pk=nominating.pk).delete()
    slipped = Election.objects.create(
        council=cast.riverside,
        kind="office",
        role="chair",
        title="Chair",
        seats=1,
        method="plurality",
        called_at=NOW,
    )
    assert set(verify_database()) == {
        f"[elections] Election {nominating.uuid} is in the record but has vanished from the database.",
        f"[elections] Election {slipped.uuid} (nominating) exists but the record never called it.",
    }


@pytest.mark.tampers
def test_candidacies_changed_in_the_database_are_detected(election, cast):
    bob = election.candidacies.get(candidate=cast.bob)
    frank = election.candidacies.get(candidate=cast.frank)
    Candidacy.objects.filter(pk=bob.pk).update(withdrawn_at=NOW)
    Candidacy.objects.filter(pk=frank.pk).update(is_elected=True, candidate=cast.alice)
    where = f"in election {election.uuid}"
    assert set(verify_database()) == {
        f"[elections] Candidacy {bob.uuid} {where} is 'withdrawn' but the record says 'accepted'.",
        f"[elections] Candidacy {frank.uuid} {where} is marked elected "
        "but the record's count did not elect it.",
        f"[elections] Candidacy {frank.uuid} {where} names another candidate than the record says.",
    }


@pytest.mark.tampers
def test_candidacies_deleted_or_added_without_the_record_are_detected(voting, cast):
    bob = voting.candidacies.get(candidate=cast.bob)
    Candidacy.objects.filter(pk=bob.pk).delete()
    slipped = Candidacy.objects.create(
        election=voting, candidate=cast.dave, nominated_by=cast.dave, nominated_at=NOW
    )
    assert set(verify_database()) == {
        f"[elections] Candidacy {bob.uuid} is in the record but has vanished from the database.",
        f"[elections] Candidacy {slipped.uuid} in election {voting.uuid} "
        "exists but the record never nominated it.",
    }


@pytest.mark.tampers
def test_a_ballot_changed_or_removed_is_detected_without_saying_how_anyone_voted(election):
    candidacies = [str(u) for u in election.candidacies.values_list("uuid", flat=True)]
    ballot = Ballot.objects.filter(election=election).first()
    Ballot.objects.filter(pk=ballot.pk).update(ranking=[[c] for c in reversed(candidacies)])
    problems = verify_database()
    assert problems == [
        f"[elections] Election {election.uuid}'s ballots are not the ballot set the record published."
    ]
    Ballot.objects.filter(pk=ballot.pk).delete()
    assert verify_database() == [
        f"[elections] Election {election.uuid}'s box holds 3 ballots but the record counted 4."
    ]


@pytest.mark.tampers
def test_a_ballot_slipped_into_an_open_poll_is_detected(voting):
    Ballot.objects.create(election=voting, ranking=[[str(voting.candidacies.first().uuid)]])
    assert verify_database() == [
        f"[elections] Election {voting.uuid}'s box holds 2 ballots but the record received 1."
    ]


@pytest.mark.tampers
def test_voters_marked_without_the_record_are_detected(voting, cast):
    Participation.objects.create(election=voting, user=cast.bob)
    assert (
        verify_database()
        == [
            f"[elections] Election {voting.uuid} marks 2 voters as having voted but the record received "
            "ballots from 1.",
            f"[elections] Election {voting.uuid}'s box holds 1 ballot but the record received 1.",
        ][:1]
    )
    Participation.objects.filter(election=voting, user=cast.alice).delete()
    assert verify_database() == [
        f"[elections] Election {voting.uuid} marks 1 voter as having voted but the record received "
        "ballots from 1, not all of them the same people."
    ]


def minutes(count: int):
    return NOW + timedelta(minutes=count)


def at(count: int) -> str:
    return f"2026-03-01T09:{count:02}:00.000000Z"


@pytest.fixture
def timed(cast) -> Election:
    """A secretary's election whose every step came at its own minute, up to the poll's opening at :10."""
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="secretary", now=NOW
    )
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=minutes(1))
    frank = actions.nominate(actor=cast.frank, election=election, candidate=cast.frank, now=minutes(2))
    actions.withdraw_candidacy(actor=cast.frank, candidacy=frank, now=minutes(3))
    bob = actions.nominate(actor=cast.alice, election=election, candidate=cast.bob, now=minutes(4))
    actions.accept_nomination(actor=cast.bob, candidacy=bob, now=minutes(5))
    actions.nominate(actor=cast.erin, election=election, candidate=cast.alice, now=minutes(6))
    actions.open_voting(actor=cast.alice, election=election, closes_at=minutes(70), now=minutes(10))
    sequencer.sequence_pending(now=NOW)
    return election


@pytest.mark.tampers
def test_an_election_called_at_another_time_is_detected(timed):
    assert verify_database() == []
    Election.objects.filter(pk=timed.pk).update(called_at=minutes(1))
    assert verify_database() == [
        f"[elections] Election {timed.uuid} was called at {at(1)}, but the record says {at(0)}."
    ]


@pytest.mark.parametrize(
    ("who", "change", "problem"),
    [
        ("erin", {"nominated_at": NOW}, f"was nominated at {at(0)}, but the record says {at(1)}."),
        ("erin", {"accepted_at": NOW}, f"was accepted at {at(0)}, but the record says {at(1)}."),
        ("bob", {"accepted_at": minutes(4)}, f"was accepted at {at(4)}, but the record says {at(5)}."),
        ("frank", {"withdrawn_at": minutes(10)}, f"was withdrawn at {at(10)}, but the record says {at(3)}."),
        # A nomination never accepted lapses as the poll opens.
        ("alice", {"withdrawn_at": minutes(6)}, f"was withdrawn at {at(6)}, but the record says {at(10)}."),
        ("alice", {"accepted_at": minutes(6)}, f"was accepted at {at(6)}, but the record never says so."),
    ],
)
@pytest.mark.tampers
def test_a_candidacy_time_moved_in_the_database_is_detected(timed, cast, who, change, problem):
    candidacy = timed.candidacies.get(candidate=getattr(cast, who))
    Candidacy.objects.filter(pk=candidacy.pk).update(**change)
    assert verify_database() == [f"[elections] Candidacy {candidacy.uuid} in election {timed.uuid} {problem}"]


@pytest.mark.tampers
def test_election_times_are_compared_to_the_millisecond(timed):
    Election.objects.filter(pk=timed.pk).update(opened_at=minutes(10) + timedelta(microseconds=999))
    assert verify_database() == []
    Election.objects.filter(pk=timed.pk).update(opened_at=minutes(10) + timedelta(milliseconds=1))
    assert verify_database() == [
        f"[elections] Election {timed.uuid}'s opening time is 2026-03-01T09:10:00.001000Z "
        f"but the record says {at(10)}."
    ]
