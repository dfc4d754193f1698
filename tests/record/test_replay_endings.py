"""The verifier checks that a seat or office ends with its cause: a recall with the recall's decision, a
member leaving with their leaving, a resignation by the delegate themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.cli.main import main
from councils.core.ledger import replay
from councils.core.ledger.encoding import format_time
from councils.core.ledger.replay import Item
from councils.core.ledger.verify import Verdict, check_entries, open_signed_checkpoint
from councils.federation.models import Membership, Seat
from councils.mandates import actions as mandate_actions
from councils.membership import actions as membership_actions
from tests.conftest import NOW
from tests.elections.test_vacancies import recall_the_chair
from tests.record.support import documents, find, sign, signed_bundle, verify_forged, verify_genuine
from tests.record.test_replay_vacancies import a_later_entry

pytestmark = pytest.mark.usefixtures("terms_of_one_post")

LEFT = NOW + timedelta(days=1)
LEFT_AT = format_time(LEFT)


def problems(docs) -> list[str]:
    return [p.split(": ", 1)[1] for p in verify_forged(docs).problems]


def checked_out(cast) -> list[dict]:
    """The record so far and a later entry (which shows the last action over), as documents to forge."""
    a_later_entry(cast)
    assert verify_genuine().problems == []
    docs = documents()
    assert problems(docs) == []
    return docs


def bob_leaves(cast) -> list[dict]:
    """Bob leaves Riverside Depot: his seat for it in Eastside District ends with his membership."""
    membership = Membership.objects.get(user=cast.bob)
    membership_actions.leave_membership(actor=cast.bob, membership=membership, now=LEFT)
    return checked_out(cast)


def test_a_seat_ended_as_left_but_not_listed_by_the_leaving_is_caught(cast):
    docs = bob_leaves(cast)
    unseated = docs[find(docs, "delegate.unseated")]
    seat, at = unseated["payload"]["seat"], unseated["at"]
    assert unseated["payload"]["reason"] == "left" and unseated["actor"] is None
    docs[find(docs, "member.left")]["payload"]["ended_seats"] = []
    assert problems(docs) == [
        f"delegate seat {seat} of {cast.bob.uuid} ended at {at} as left, but no member.left entry of that "
        "action lists it."
    ]


def test_a_leaving_the_reader_may_not_see_is_noted_not_judged(cast):
    docs = bob_leaves(cast)
    hidden = find(docs, "member.left")
    seen = replay.replay(None if i == hidden else Item.from_document(i, d) for i, d in enumerate(docs))
    assert not [p for p in seen.problems if "lists it" in p.message]
    assert (
        "some seats and offices ended with entries you may not read: whether their cause came with them "
        "was not checked" in seen.notes
    )


def test_a_seat_vacated_whose_seating_the_reader_may_not_see_is_noted_not_judged(cast):
    docs = bob_leaves(cast)
    seat = docs[find(docs, "delegate.unseated")]["payload"]["seat"]
    hidden = find(docs, "delegate.seated")
    seen = replay.replay(None if i == hidden else Item.from_document(i, d) for i, d in enumerate(docs))
    assert seen.problems == []
    assert "some delegate seats vacated were filled in entries you may not read: not checked" in seen.notes
    # A forger who drops the seating from a log everyone reads is caught.
    del docs[hidden]
    assert f"delegate seat {seat} is vacated but the record never seated it." in problems(docs)


def test_a_seat_ended_for_another_members_leaving_is_caught(cast):
    docs = bob_leaves(cast)
    seat = docs[find(docs, "delegate.unseated")]["payload"]["seat"]
    docs[find(docs, "delegate.unseated")]["payload"]["delegate"] = str(cast.erin.uuid)
    assert (
        f"delegate seat {seat} of {cast.erin.uuid} ended at {LEFT_AT} as left, but no member.left "
        "entry of that action lists it." in problems(docs)
    )


def test_a_seat_ended_as_left_by_a_person_is_caught(cast):
    docs = bob_leaves(cast)
    unseated = docs[find(docs, "delegate.unseated")]
    unseated["actor"] = str(cast.bob.uuid)
    assert (
        f"delegate seat {unseated['payload']['seat']} of {cast.bob.uuid} ended as left by {cast.bob.uuid}, "
        "but only the rules end it so." in problems(docs)
    )


def test_a_seat_ended_for_a_cause_of_another_kind_is_caught(cast):
    docs = bob_leaves(cast)
    unseated = docs[find(docs, "delegate.unseated")]
    unseated["payload"]["reason"] = "expelled"
    assert problems(docs) == [
        f"delegate seat {unseated['payload']['seat']} of {cast.bob.uuid} ended at {LEFT_AT} as expelled, "
        "but no member.expelled entry of that action lists it."
    ]


def test_an_office_recalled_without_the_recalls_decision_is_caught(cast):
    recall_the_chair(cast)
    docs = checked_out(cast)
    vacated = docs[find(docs, "office.vacated")]
    assert vacated["payload"]["reason"] == "recalled" and vacated["actor"] is None
    decided = docs[find(docs, "recall.decided")]
    assert decided["payload"]["ended_offices"] == [vacated["payload"]["office"]]
    decided["payload"]["ended_offices"] = []
    assert problems(docs) == [
        f"office {vacated['payload']['office']} of {cast.alice.uuid} ended at {vacated['at']} as recalled, "
        "but no recall.decided entry of that action lists it."
    ]


def test_an_office_resigned_or_ended_for_no_reason_the_rules_know_is_caught(cast):
    recall_the_chair(cast)
    docs = checked_out(cast)
    vacated = docs[find(docs, "office.vacated")]
    office, alice = vacated["payload"]["office"], cast.alice.uuid
    vacated["payload"]["reason"], vacated["actor"] = "resigned", str(alice)
    assert f"office {office} of {alice} ended as resigned, but no office is resigned." in problems(docs)
    vacated["payload"]["reason"], vacated["actor"] = "stepped_aside", None
    assert f"office {office} of {alice} ended for 'stepped_aside', which ends no seat or office." in problems(
        docs
    )


def test_a_seat_resigned_by_anyone_but_its_delegate_is_caught(cast):
    seat = Seat.objects.get(user=cast.bob)
    mandate_actions.resign_seat(actor=cast.bob, seat=seat, now=LEFT)
    docs = checked_out(cast)
    unseated = docs[find(docs, "delegate.unseated")]
    assert unseated["payload"]["reason"] == "resigned" and unseated["actor"] == str(cast.bob.uuid)
    unseated["actor"] = str(cast.alice.uuid)
    assert problems(docs) == [
        f"delegate seat {seat.uuid} of {cast.bob.uuid} ended as resigned by {cast.alice.uuid}: only the "
        "delegate resigns their seat."
    ]


# The log's last action: no later entry shows it over, the end of the log does.


def test_a_log_ending_with_a_genuine_leaving_checks_out_and_a_forged_one_is_caught(cast):
    membership = Membership.objects.get(user=cast.bob)
    membership_actions.leave_membership(actor=cast.bob, membership=membership, now=LEFT)
    assert verify_genuine().problems == []
    docs = documents()
    assert docs[-1]["event"] == "member.left" and problems(docs) == []
    seat = docs[find(docs, "delegate.unseated")]["payload"]["seat"]
    docs[-1]["payload"]["ended_seats"] = []
    assert problems(docs) == [
        f"delegate seat {seat} of {cast.bob.uuid} ended at {LEFT_AT} as left, but no member.left entry of "
        "that action lists it."
    ]


def test_a_log_ending_with_a_genuine_recall_checks_out_and_a_forged_one_is_caught(cast):
    recall_the_chair(cast)
    assert verify_genuine().problems == []
    docs = documents()
    last = [d for d in docs if d["at"] == docs[-1]["at"]]
    assert "recall.decided" in {d["event"] for d in last} and problems(docs) == []
    vacated = docs[find(docs, "office.vacated", -1)]
    docs[find(docs, "recall.decided", -1)]["payload"]["ended_offices"] = []
    assert problems(docs) == [
        f"office {vacated['payload']['office']} of {cast.alice.uuid} ended at {vacated['at']} as recalled, "
        "but no recall.decided entry of that action lists it."
    ]


def test_an_ending_written_alone_at_the_end_of_the_log_is_caught(cast, tmp_path, capsys):
    """A rogue server appends an ending as if the rules recalled the delegate: `councils verify` says so."""
    seat = Seat.objects.get(user=cast.bob)
    docs = documents()
    forged = {
        **docs[-1],
        "event": "delegate.unseated",
        "actor": None,
        "council": str(seat.council.uuid),
        "at": LEFT_AT,
        "payload": {"seat": str(seat.uuid), "delegate": str(cast.bob.uuid), "reason": "recalled"},
    }
    expected = (
        f"Rule broken at entry {len(docs)}: delegate seat {seat.uuid} of {cast.bob.uuid} ended at {LEFT_AT} "
        "as recalled, but no recall.decided entry of that action lists it."
    )
    assert verify_forged([*docs, forged]).problems == [expected]
    assert main(["verify", "--bundle", str(signed_bundle(tmp_path, [*docs, forged]))]) == 1
    assert expected.removeprefix("Rule broken at ").rstrip(".") in capsys.readouterr().out


def test_the_last_actions_ending_is_noted_not_judged_when_its_cause_may_be_unread(cast):
    membership = Membership.objects.get(user=cast.bob)
    membership_actions.leave_membership(actor=cast.bob, membership=membership, now=LEFT)
    docs = documents()
    docs[-1]["payload"]["ended_seats"] = []
    seen = replay.replay([None, *(Item.from_document(i, d) for i, d in enumerate(docs) if i)])
    assert seen.problems == []
    assert (
        "some seats and offices ended with entries you may not read: whether their cause came with them "
        "was not checked" in seen.notes
    )


def test_entries_stopping_short_of_the_checkpoint_leave_the_last_action_unjudged(cast):
    """The entry of a leaving's cause may be among those missing: only that they are missing is reported."""
    membership = Membership.objects.get(user=cast.bob)
    membership_actions.leave_membership(actor=cast.bob, membership=membership, now=LEFT)
    docs = documents()
    text, vkey, data = sign(docs)
    verdict = Verdict()
    checkpoint = open_signed_checkpoint(text, vkey, verdict=verdict)
    assert checkpoint is not None
    check_entries(((i, d, None) for i, d in enumerate(data[:-1])), checkpoint, verdict)
    assert verdict.problems == [
        f"The checkpoint covers {len(docs)} entries but {len(docs) - 1} were provided."
    ]
