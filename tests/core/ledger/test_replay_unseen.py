"""Replaying rules whose evidence may be in entries the reader may not see: a note says what was not checked,
where a reader of every entry would be told of a problem."""

from __future__ import annotations

from typing import Any

from councils.core.ledger import replay
from councils.core.ledger.replay import Item
from councils.core.rules.constitution import Constitution

AT = "2026-03-01T09:00:00.000000Z"
CLOSES = "2026-03-15T09:00:00.000000Z"
SENDING, ABOVE = "c-1", "c-2"

Doc = dict[str, Any]


def doc(event: str, payload: dict[str, Any], *, council: str = SENDING, actor: str | None = None) -> Doc:
    return {"event": event, "at": AT, "actor": actor, "council": council, "payload": payload}


def run(docs: list[Doc | None]) -> replay.Replay:
    """Replay `docs`, each None an entry the reader may not see."""
    return replay.replay(None if d is None else Item.from_document(i, d) for i, d in enumerate(docs))


def seen_and_unseen(entry: Doc) -> tuple[replay.Replay, replay.Replay]:
    """`entry` replayed alone, then after an entry the reader may not see."""
    return run([entry]), run([None, entry])


SEATED = doc(
    "delegate.seated",
    {"seat": "s-1", "delegate": "u-a", "from_council": SENDING, "election": "e-1", "term_ends_at": None},
    council=ABOVE,
)
FILLED = doc("office.filled", {"office": "o-1", "role": "chair", "holder": "u-a"})
CERTIFIED_UNSEEN = (
    "some elections were certified, or called, in entries you may not read: whether the holders seated and "
    "ended with a certification came with it was not checked"
)


def test_a_holder_seated_by_a_certification_the_reader_may_not_see_is_noted_not_reported():
    for entry, problem in (
        (SEATED, "delegate seat s-1 was filled for u-a at"),
        (FILLED, "office o-1 (chair) of council c-1 was filled for u-a at"),
    ):
        seen, unseen = seen_and_unseen(entry)
        assert any(problem in p.message for p in seen.problems)
        assert CERTIFIED_UNSEEN not in seen.notes
        assert not any(problem in p.message for p in unseen.problems)
        assert CERTIFIED_UNSEEN in unseen.notes


def test_a_certification_of_an_election_called_out_of_sight_is_noted():
    certified = doc("election.certified", {"election": "e-1", "elected": [{"person": "u-a"}]})
    outcome = run([certified, {**SEATED, "council": ABOVE}])
    assert not any("did not certify them" in p.message for p in outcome.problems)
    assert CERTIFIED_UNSEEN in outcome.notes


def test_an_office_lost_with_a_seat_the_reader_may_not_see_is_noted():
    lost = doc("office.vacated", {"office": "o-1", "role": "chair", "holder": "u-a", "reason": "seat_lost"})
    seen, unseen = seen_and_unseen(lost)
    assert any("as held through a seat lost, but no seat of theirs" in p.message for p in seen.problems)
    assert not any("held through a seat lost" in p.message for p in unseen.problems)
    assert "some seats lost with the seat they were held through were not checked" in unseen.notes


def called(**changes: Any) -> Doc:
    """The rules call the delegates' by-election for the seats Riverside left unfilled."""
    payload = {
        "election": "e-2",
        "kind": "delegates",
        "title": "Delegates",
        "seats": 1,
        "is_by_election": True,
        "unfilled_seats": True,
        "apportioned": 2,
        "sitting": 1,
        "nominations_close_at": CLOSES,
        "constitution": 0,
    }
    return doc("election.called", {**payload, **changes})


def test_a_call_for_unfilled_seats_of_a_council_out_of_sight_notes_what_was_not_checked():
    outcome = run([None, called()])
    assert outcome.problems == []
    assert outcome.notes == [
        "some councils' delegates were seated in entries you may not read: their seats not checked",
        "some calls for unfilled seats are of councils whose voters or apportionment you may not read: "
        "their apportionment was not checked",
        "some by-elections the rules called for unfilled seats could not be timed: not checked",
    ]
    seen = run([called()])
    assert any("the record shows 0 sitting" in p.message for p in seen.problems)


def test_a_first_delegates_election_of_a_council_created_out_of_sight_is_noted():
    first = called(first=True, unfilled_seats=None, is_by_election=False, sitting=0, seats=2)
    outcome = run([None, first])
    assert outcome.problems == []
    assert "some first delegates' elections are of councils created in entries you may not read" in (
        outcome.notes
    )


def test_seats_called_again_in_a_council_out_of_sight_are_noted():
    again = called(after_failure="e-1", unfilled_seats=None)
    outcome = run([None, again])
    assert (
        "some delegates' elections the rules called again are of councils whose voters or apportionment "
        "you may not read: their seats were not checked"
    ) in outcome.notes
    assert not any("apportioned" in p.message for p in outcome.problems)


def test_an_item_withdrawn_from_a_meeting_out_of_sight_changes_nothing():
    withdrawn = doc("meeting.item_withdrawn", {"meeting": "mt-1", "item": "i-1"})
    outcome = run([None, withdrawn])
    assert (outcome.problems, outcome.replayed, outcome.not_replayed) == ([], 1, 1)
    assert "sessions" not in outcome.state or "mt-1" not in outcome.table("sessions")


def test_a_call_for_unfilled_seats_while_the_last_election_is_under_way_or_failed_is_caught():
    ordinary = doc(
        "election.called", {"election": "e-1", "kind": "delegates", "seats": 2, "is_by_election": False}
    )
    ordinary["actor"] = "u-officer"
    under_way = [p.message for p in run([None, ordinary, called()]).problems]
    assert any("while election e-1 was still under way" in p for p in under_way)
    failed = doc("election.failed", {"election": "e-1", "reason": "no_candidates"})
    after_failure = [p.message for p in run([None, ordinary, failed, called()]).problems]
    assert any(
        "while election e-1 was the last and had failed (that one is called again)" in p
        for p in after_failure
    )


def test_a_transfer_from_a_council_out_of_sight_is_noted():
    moved = doc(
        "member.transferred",
        {"member": "u-a", "membership": "m-2", "from_membership": "m-1", "from_council": ABOVE},
    )
    seen, unseen = seen_and_unseen(moved)
    assert any("from membership m-1, which the record never admitted" in p.message for p in seen.problems)
    assert "some transfers come from councils whose memberships you may not read" in unseen.notes
    assert not any("never admitted" in p.message for p in unseen.problems)


def test_a_slate_for_an_election_out_of_sight_is_noted():
    slate = doc("platform.slate_published", {"slate": "sl-1", "election": "e-9", "candidacies": []})
    outcome = run([None, slate])
    assert "some slates are for elections called in entries you may not read: their candidates were not " in (
        " ".join(outcome.notes)
    )


def test_an_admission_vote_opened_out_of_sight_is_noted():
    called_vote = doc(
        "membership.admission_vote_called", {"application": "a-1", "vote": "v-1", "motion": "mo-1"}
    )
    outcome = run([None, called_vote])
    assert "some admission or approval votes were opened in entries you may not read: not checked" in (
        outcome.notes
    )
    assert outcome.problems == []


def office_call(election: str = "e-1", *, actor: str | None = None, **changes: Any) -> Doc:
    payload = {
        "election": election,
        "kind": "office",
        "role": "chair",
        "title": "Chair",
        "seats": 1,
        "is_by_election": False,
        "constitution": 0,
        **changes,
    }
    return doc("election.called", payload, actor=actor)


def test_a_poll_under_a_constitution_the_record_does_not_hold_is_noted():
    opened = doc(
        "election.opened",
        {"election": "e-1", "seats": 1, "candidates": [], "closes_at": CLOSES, "constitution": 7},
        actor="u-officer",
    )
    outcome = run([office_call(actor="u-officer"), opened])
    assert (
        "some elections name a constitution version whose text the record does not hold: their closing "
        "times were not checked against its shortest and longest poll"
    ) in outcome.notes


def test_a_term_election_under_a_constitution_out_of_sight_is_noted():
    term = office_call(post_term_ends_at=CLOSES, constitution=7)
    outcome = run([term])
    assert any(
        "some elections the rules called name a constitution you may not read" in n for n in outcome.notes
    )


def test_an_election_called_again_is_judged_against_the_one_that_failed():
    def again(**changes: Any) -> Doc:
        return office_call("e-2", is_by_election=True, after_failure="e-1", **changes)

    by_an_officer = [p.message for p in run([office_call(), again(actor="u-officer")]).problems]
    assert any(
        "names a failed election to call again, but is not a by-election of the rules" in p
        for p in by_an_officer
    )
    not_failed = [p.message for p in run([office_call(), again()]).problems]
    assert any("again after election e-1, which had not failed" in p for p in not_failed)
    failed = doc("election.failed", {"election": "e-1", "reason": "no_candidates"})
    unread = run([office_call(nominations_close_at=AT), failed, again(constitution=7)])
    assert (
        "some elections the rules called again name a constitution you may not read: not checked"
        in unread.notes
    )
    too_many = [
        p.message for p in run([office_call(nominations_close_at=AT), failed, again(seats=2)]).problems
    ]
    assert any("e-2" in p and "seat" in p for p in too_many), too_many


def test_an_election_that_fails_twice_or_for_another_reason_before_its_poll_is_caught():
    call = office_call(nominations_close_at=AT)
    failed = doc("election.failed", {"election": "e-1", "reason": "no_candidates"})
    twice = [p.message for p in run([call, failed, failed]).problems]
    assert any("failed twice" in p for p in twice)
    other = doc("election.failed", {"election": "e-1", "reason": "no_ballots"})
    assert any(
        "failed before its poll opened for another reason than no candidates" in p.message
        for p in run([call, other]).problems
    )


def test_a_version_adopted_before_a_term_setting_existed_applies_its_default():
    document = {k: v for k, v in Constitution().to_document().items() if k != "term_nomination_days"}
    adopted = doc("constitution.adopted", {"constitution": 1, "document": {**document, "version": 1}})
    failed = doc("election.failed", {"election": "e-1", "reason": "no_candidates"})
    again = office_call("e-2", is_by_election=True, after_failure="e-1", constitution=1)
    problems = [
        p.message for p in run([adopted, office_call(nominations_close_at=AT), failed, again]).problems
    ]
    assert any("less than 14 days after election e-1 failed" in p for p in problems), problems


def test_a_motion_lapsed_that_amends_nothing_is_caught():
    tabled = doc("motion.tabled", {"motion": "mo-1", "text": "Strike."}, actor="u-a")
    lapsed = doc("motion.withdrawn", {"motion": "mo-1", "reason": "lapsed"})
    assert "motion mo-1 lapsed, but only amendments lapse when their motion is decided" in [
        p.message for p in run([tabled, lapsed]).problems
    ]


def test_an_item_withdrawn_from_an_agenda_may_be_put_on_it_again():
    added = doc("meeting.item_added", {"meeting": "mt-1", "item": "i-1", "motion": "mo-1"})
    withdrawn = doc("meeting.item_withdrawn", {"meeting": "mt-1", "item": "i-1"})
    again = doc("meeting.item_added", {"meeting": "mt-1", "item": "i-2", "motion": "mo-1"})
    assert "motion mo-1 was put on the agenda of meeting mt-1 twice" in [
        p.message for p in run([added, again]).problems
    ]
    assert not any("twice" in p.message for p in run([added, withdrawn, again]).problems)


def test_nominations_recorded_together_stand_as_accepted():
    recorded = doc(
        "election.nominations_recorded",
        {"election": "e-1", "nominations": [{"candidacy": "k-1", "candidate": "u-a"}]},
    )
    failed = doc("election.failed", {"election": "e-1", "reason": "no_candidates"})
    problems = [p.message for p in run([office_call(nominations_close_at=AT), recorded, failed]).problems]
    assert any("failed for want of candidates, but k-1 had accepted to stand" in p for p in problems), (
        problems
    )


def test_a_call_for_unfilled_seats_of_a_council_without_voters_is_caught():
    created = [
        doc(
            "council.created",
            {"council": ABOVE, "is_base": False, "parent": None, "members_per_delegate": 10},
        ),
        doc("council.created", {"council": SENDING, "is_base": True, "parent": ABOVE}),
    ]
    problems = [p.message for p in run([*created, called(sitting=0, apportioned=1)]).problems]
    assert any(
        "was called by the rules for unfilled seats of a council with no voters" in p for p in problems
    ), problems
