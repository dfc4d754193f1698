"""The verifier replays recall and agenda petitions: who signed, once, in time, up to the threshold."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from councils.cli.main import main
from councils.core.ledger.encoding import format_time
from councils.federation import actions as federation_actions
from councils.federation.models import Seat
from councils.mandates import actions as recall_actions
from councils.mandates.models import RecallPetition
from councils.motions import actions as motion_actions
from councils.motions.models import Motion, Vote
from councils.petitions import actions as petition_actions
from councils.petitions.models import AgendaPetition
from tests.membership.support import NOW, adopt, vote_through
from tests.record.support import documents, find, signed_bundle, verify_forged, verify_genuine


@pytest.fixture
def ready(cast):
    """Riverside's four members: two force a recall vote, three an agenda item."""
    adopt(cast, recall_signature_share="0.50", agenda_petition_share="0.75", agenda_petition_councils=1)
    return cast


def recalled(cast) -> RecallPetition:
    seat = Seat.objects.get(user=cast.bob, council=cast.district, ended_at__isnull=True)
    petition = recall_actions.start_recall(actor=cast.erin, seat=seat, now=NOW)
    recall_actions.sign_recall(actor=cast.frank, petition=petition, now=NOW + timedelta(hours=1))
    petition.refresh_from_db()
    vote = Vote.objects.get(uuid=petition.vote_uuid)
    for voter in (cast.alice, cast.erin, cast.frank):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=NOW + timedelta(days=1))
    # Bob has yet to vote: the rules close the vote at its closing time, not before.
    motion_actions.close_vote(actor=None, vote=vote, now=vote.closes_at)
    petition.refresh_from_db()
    assert petition.status == RecallPetition.Status.RECALLED
    return petition


def forced(cast) -> AgendaPetition:
    petition = petition_actions.start_agenda_petition(
        actor=cast.erin, council=cast.riverside, title="Heat in the depot", text="Discuss the heat.", now=NOW
    )
    for user in (cast.frank, cast.alice):
        petition_actions.sign_agenda_petition(actor=user, petition=petition, now=NOW + timedelta(hours=2))
    petition.refresh_from_db()
    assert petition.status == AgendaPetition.Status.FORCED
    return petition


def backed(cast) -> AgendaPetition:
    """A petition to Eastside District (bob and dave sit there) forced by the backing of Riverside."""
    with transaction.atomic():
        federation_actions.seat_delegate(
            from_council=cast.harbour, user=cast.dave, election_uuid=None, term_ends_at=None, now=NOW
        )
    petition = petition_actions.start_agenda_petition(
        actor=cast.bob, council=cast.district, title="Transit", text="Free transit passes.", now=NOW
    )
    support = petition_actions.propose_council_support(
        actor=cast.erin, petition=petition, council=cast.riverside, now=NOW
    )
    motion = Motion.objects.get(uuid=support.motion_uuid)
    motion_actions.second_motion(actor=cast.frank, motion=motion, now=NOW)
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW)
    vote_through(vote, yes=[cast.alice, cast.erin, cast.frank], now=NOW + timedelta(hours=1))
    petition.refresh_from_db()
    assert petition.status == AgendaPetition.Status.FORCED
    return petition


def problems_of(docs: list[dict[str, Any]]) -> list[str]:
    return verify_forged(docs).problems


def assert_caught(docs: list[dict[str, Any]], explanation: str) -> None:
    problems = problems_of(docs)
    assert any(explanation in p for p in problems), problems


def test_genuine_petitions_replay_cleanly(ready):
    forced(ready)
    backed(ready)
    recalled(ready)
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
    events = {d["event"] for d in documents()}
    assert {"recall.vote_called", "recall.decided", "agenda.item_forced", "agenda.petition_backed"} <= events


def test_a_recall_threshold_below_the_constitution_s_share_is_caught(ready):
    petition = recalled(ready)
    docs = documents()
    docs[find(docs, "recall.petition_started")]["payload"]["threshold"] = 1
    assert_caught(
        docs,
        f"recall petition {petition.uuid} asks for 1 signature, but the constitution's share (0.50) "
        "of the 4 members entitled to sign is 2",
    )


def test_a_recall_signer_outside_the_frozen_electorate_is_caught(ready):
    petition = recalled(ready)
    docs = documents()
    docs[find(docs, "recall.signed", 1)]["actor"] = str(ready.dave.uuid)
    assert_caught(
        docs, f"{ready.dave.uuid} signed recall petition {petition.uuid} but was not among the members"
    )


def test_a_frozen_electorate_that_is_not_the_council_s_voters_is_caught(ready):
    petition = recalled(ready)
    docs = documents()
    started = docs[find(docs, "recall.petition_started")]["payload"]
    started["eligible_signers"] = sorted([*started["eligible_signers"][1:], str(ready.dave.uuid)])
    assert_caught(
        docs,
        f"the members entitled to sign recall petition {petition.uuid} are not the council's voters",
    )


def test_a_recall_signature_given_twice_is_caught(ready):
    petition = recalled(ready)
    docs = documents()
    docs[find(docs, "recall.signed", 1)]["actor"] = str(ready.erin.uuid)
    assert_caught(docs, f"{ready.erin.uuid} signed recall petition {petition.uuid} twice")


def test_a_recall_signature_after_the_window_is_caught(ready):
    petition = recalled(ready)
    docs = documents()
    docs[find(docs, "recall.signed", 1)]["at"] = format_time(NOW + timedelta(days=31))
    assert_caught(
        docs,
        f"{ready.frank.uuid} signed recall petition {petition.uuid} after its 30-day window closed "
        f"({NOW + timedelta(days=30):%Y-%m-%d %H:%M})",
    )


def test_a_recall_window_longer_than_the_constitution_s_is_caught(ready):
    petition = recalled(ready)
    docs = documents()
    docs[find(docs, "recall.petition_started")]["payload"]["window_days"] = 90
    assert_caught(
        docs, f"recall petition {petition.uuid} applies a 90-day window to sign; the constitution sets 30"
    )


def test_a_recall_vote_opened_late_is_caught(ready):
    petition = recalled(ready)
    docs = documents()
    late = format_time(NOW + timedelta(days=20))
    for event in ("vote.opened", "recall.vote_called"):
        docs[find(docs, event)]["at"] = late
    assert_caught(
        docs,
        f"the recall vote on recall petition {petition.uuid} was opened more than 14 days after the "
        f"petition reached its threshold ({NOW + timedelta(hours=1):%Y-%m-%d %H:%M})",
    )


def test_a_recall_vote_closing_after_the_days_to_hold_it_is_caught(ready):
    petition = recalled(ready)
    docs = documents()
    late = NOW + timedelta(days=20)
    docs[find(docs, "vote.opened")]["payload"]["closes_at"] = format_time(late)
    assert_caught(
        docs,
        f"the recall vote on recall petition {petition.uuid} closes {late:%Y-%m-%d %H:%M}, but it "
        "must be held within 14 days of the petition reaching its threshold, by "
        f"{NOW + timedelta(days=14, hours=1):%Y-%m-%d %H:%M}",
    )


def test_a_recall_vote_without_a_closing_time_is_caught(ready):
    petition = recalled(ready)
    docs = documents()
    docs[find(docs, "vote.opened")]["payload"]["closes_at"] = None
    assert_caught(
        docs,
        f"the recall vote on recall petition {petition.uuid} has no closing time, but it must be held "
        "within 14 days",
    )


def test_a_recall_ballot_after_the_days_to_hold_the_vote_is_caught(ready):
    petition = recalled(ready)
    docs = documents()
    docs[find(docs, "ballot.cast", 2)]["at"] = format_time(NOW + timedelta(days=15))
    assert_caught(
        docs,
        f"a ballot was recorded in the recall vote on recall petition {petition.uuid} after the 14 days "
        f"within which it had to be held ({NOW + timedelta(days=14, hours=1):%Y-%m-%d %H:%M})",
    )


def test_a_recall_vote_called_short_of_the_threshold_is_caught(ready):
    petition = recalled(ready)
    docs = documents()
    del docs[find(docs, "recall.signed", 1)]
    assert_caught(
        docs, f"a recall vote was called with 1 signature on recall petition {petition.uuid}, short of the 2"
    )


def test_an_agenda_threshold_below_the_constitution_s_share_is_caught(ready):
    petition = forced(ready)
    docs = documents()
    docs[find(docs, "agenda.petition_started")]["payload"]["threshold"] = 1
    assert_caught(
        docs,
        f"agenda petition {petition.uuid} asks for 1 signature, but the constitution's share (0.75) "
        "of the 4 members entitled to sign is 3",
    )


def test_an_agenda_signer_outside_the_frozen_electorate_is_caught(ready):
    petition = forced(ready)
    docs = documents()
    docs[find(docs, "agenda.petition_signed", 1)]["actor"] = str(ready.carol.uuid)
    assert_caught(
        docs, f"{ready.carol.uuid} signed agenda petition {petition.uuid} but was not among the members"
    )


def test_an_agenda_signature_given_twice_is_caught(ready):
    petition = forced(ready)
    docs = documents()
    docs[find(docs, "agenda.petition_signed", 1)]["actor"] = str(ready.erin.uuid)
    assert_caught(docs, f"{ready.erin.uuid} signed agenda petition {petition.uuid} twice")


def test_an_agenda_signature_after_the_window_is_caught(ready):
    petition = forced(ready)
    docs = documents()
    docs[find(docs, "agenda.petition_signed", 1)]["at"] = format_time(NOW + timedelta(days=40))
    assert_caught(docs, f"signed agenda petition {petition.uuid} after its 30-day window closed")


def test_an_item_forced_short_of_the_threshold_is_caught(ready):
    petition = forced(ready)
    docs = documents()
    del docs[find(docs, "agenda.petition_signed", 1)]
    assert_caught(
        docs,
        f"an item was forced onto the agenda with 2 signatures on agenda petition {petition.uuid}, "
        "short of the 3 needed",
    )


def test_an_item_forced_by_too_few_councils_is_caught(ready):
    petition = backed(ready)
    docs = documents()
    docs[find(docs, "agenda.petition_started")]["payload"]["councils_threshold"] = 2
    problems = problems_of(docs)
    assert any(
        f"agenda petition {petition.uuid} may be forced by the backing of 2 councils, but the constitution "
        "sets 1" in p
        for p in problems
    ), problems


def test_a_backing_without_the_council_s_adopted_motion_is_caught(ready):
    petition = backed(ready)
    docs = documents()
    del docs[find(docs, "agenda.support_proposed")]
    problems = problems_of(docs)
    assert any(
        f"agenda petition {petition.uuid} counts the backing of a council that did not adopt" in p
        for p in problems
    ), problems
    assert any(
        f"an item was forced onto the agenda with the backing of 0 councils for agenda petition "
        f"{petition.uuid}, which needs 1" in p
        for p in problems
    ), problems


@pytest.mark.parametrize("backer", ["city", "loop"])
def test_a_backing_council_not_below_the_congress_is_caught(ready, backer):
    petition = backed(ready)
    docs = documents()
    if backer == "city":
        # A council above the congress cannot back a petition to it.
        docs[find(docs, "agenda.support_proposed")]["council"] = str(ready.city.uuid)
        council = ready.city
    else:
        # A forged tree in which Riverside is its own parent puts it below nothing.
        created = next(d for d in docs if d["payload"].get("council") == str(ready.riverside.uuid))
        created["payload"]["parent"] = str(ready.riverside.uuid)
        council = ready.riverside
    assert_caught(
        docs,
        f"agenda petition {petition.uuid} counts the backing of council {council.uuid}, which does not sit "
        f"below council {ready.district.uuid}, whose agenda the petition is for",
    )


def test_a_backing_council_whose_place_is_unseen_is_noted(ready):
    backed(ready)
    docs = documents()
    # Riverside's parent is a council created in no entry this reader has.
    created = next(d for d in docs if d["payload"].get("council") == str(ready.riverside.uuid))
    created["payload"]["parent"] = str(uuid.uuid4())
    verdict = verify_forged(docs)
    assert verdict.problems == []
    assert verdict.notes == [
        "some petitions are backed by councils whose place in the federation you may not read"
    ]


def test_a_congress_petition_without_a_backing_threshold_is_caught(ready):
    petition = backed(ready)
    docs = documents()
    docs[find(docs, "agenda.petition_started")]["payload"]["councils_threshold"] = None
    assert_caught(docs, f"agenda petition {petition.uuid} may be forced by the backing of None councils")


def test_old_petition_entries_are_noted_not_failed(ready):
    recalled(ready)
    forced(ready)
    docs = documents()
    for event in ("recall.petition_started", "agenda.petition_started"):
        payload = docs[find(docs, event)]["payload"]
        del payload["eligible_signers"]
        payload.pop("window_days")
    docs[find(docs, "recall.vote_called")]["payload"].pop("within_days")
    verdict = verify_forged(docs)
    assert verdict.problems == []
    assert any("not checked for who signed" in n for n in verdict.notes), verdict.notes


def test_cli_rejects_a_forged_petition_bundle(ready, tmp_path, capsys):
    petition = forced(ready)
    docs = documents()
    docs[find(docs, "agenda.petition_started")]["payload"]["threshold"] = 1
    assert main(["verify", "--bundle", str(signed_bundle(tmp_path, docs))]) == 1
    assert f"agenda petition {petition.uuid} asks for 1 signature" in capsys.readouterr().out


def test_cli_rejects_a_recall_vote_held_too_long_and_a_backing_from_outside(ready, tmp_path, capsys):
    petition, recall = backed(ready), recalled(ready)
    docs = documents()
    opened = next(d for d in docs if d["payload"].get("vote") == str(recall.vote_uuid))
    opened["payload"]["closes_at"] = format_time(NOW + timedelta(days=20))
    docs[find(docs, "agenda.support_proposed")]["council"] = str(ready.city.uuid)
    assert main(["verify", "--bundle", str(signed_bundle(tmp_path, docs))]) == 1
    out = capsys.readouterr().out
    assert f"the recall vote on recall petition {recall.uuid} closes" in out
    assert f"agenda petition {petition.uuid} counts the backing of council {ready.city.uuid}" in out
