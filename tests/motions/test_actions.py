from __future__ import annotations

import json
from datetime import timedelta
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import transaction

from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.federation import actions as federation_actions
from councils.mandates import actions as mandate_actions
from councils.membership import actions as membership_actions
from councils.motions import actions, outcomes
from councils.motions.models import (
    NamedBallot,
    Participation,
    PendingBallot,
    SecretBallot,
    VoteEligibility,
)
from councils.record.models import Entry
from tests.membership.support import invited_candidate, seat, upheld_case
from tests.motions.conftest import LATER, NOW


def payload(event: str) -> dict:
    entry = Entry.objects.filter(event=event).order_by("-id").first()
    assert entry is not None, f"no {event} entry"
    return json.loads(bytes(entry.data))["payload"]


def test_member_tables_motion_and_it_awaits_seconders(cast):
    motion = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="  Canteen  ", text="Open a canteen.", now=NOW
    )
    assert (motion.state, motion.title, motion.seconds_required) == ("draft", "Canteen", 1)
    assert payload("motion.tabled")["text"] == "Open a canteen."


@pytest.mark.parametrize(
    ("who", "error"), [("carol", PermissionDeniedError), ("dave", PermissionDeniedError)]
)
def test_non_voters_cannot_table(cast, who, error):
    with pytest.raises(error):
        actions.table_motion(actor=getattr(cast, who), council=cast.riverside, title="T", text="X", now=NOW)


@pytest.mark.parametrize(
    ("title", "text", "seconds", "match"),
    [
        ("", "text", None, "title"),
        ("T", "   ", None, "text"),
        ("T" * 201, "text", None, "200"),
        ("T", "text", 4, "too few"),
        ("T", "text", -1, "between"),
    ],
)
def test_bad_motion_input_is_refused(cast, title, text, seconds, match):
    with pytest.raises(InvalidInputError, match=match):
        actions.table_motion(
            actor=cast.bob,
            council=cast.riverside,
            title=title,
            text=text,
            now=NOW,
            seconds_required=seconds,
        )


def test_unknown_kind_is_refused(cast):
    with pytest.raises(InvalidInputError, match="kind"):
        actions.table_motion(actor=None, council=cast.riverside, title="T", text="X", now=NOW, kind="coup")


def test_motion_needs_configured_number_of_other_seconders(cast):
    motion = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="T", text="X", now=NOW, seconds_required=2
    )
    with pytest.raises(ConflictError, match="another member"):
        actions.second_motion(actor=cast.bob, motion=motion, now=NOW)
    motion = actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    assert motion.state == "draft"
    with pytest.raises(ConflictError, match="already seconded"):
        actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.second_motion(actor=cast.carol, motion=motion, now=NOW)
    motion = actions.second_motion(actor=cast.frank, motion=motion, now=NOW)
    assert motion.state == "seconded"
    assert payload("motion.seconded")["seconds"] == 2
    with pytest.raises(ConflictError, match="not waiting"):
        actions.second_motion(actor=cast.alice, motion=motion, now=NOW)


def test_draft_motion_cannot_be_put_to_vote(cast):
    motion = actions.table_motion(actor=cast.bob, council=cast.riverside, title="T", text="X", now=NOW)
    with pytest.raises(ConflictError, match="seconders"):
        actions.open_vote(actor=cast.alice, motion=motion, now=NOW)


def test_only_officers_open_and_close_votes(cast, motion):
    with pytest.raises(PermissionDeniedError):
        actions.open_vote(actor=cast.bob, motion=motion, now=NOW)
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    with pytest.raises(PermissionDeniedError):
        actions.close_vote(actor=cast.bob, vote=vote, now=LATER)


def test_opening_freezes_electorate_and_records_its_hash(cast, motion):
    from councils.core.rules.votes import electorate_digest

    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    voters = {cast.alice, cast.bob, cast.erin, cast.frank}
    assert {e.voter for e in VoteEligibility.objects.filter(vote=vote)} == voters
    opened = payload("vote.opened")
    assert opened["electorate"] == 4
    assert opened["electorate_sha256"] == electorate_digest(
        voter_uuids=[str(u.uuid) for u in voters], text="Elect two safety reps."
    )
    newcomer = federation_actions.add_founding_member(
        actor=None, council=cast.riverside, user=_user("gina"), now=NOW
    )
    with pytest.raises(PermissionDeniedError, match="electorate"):
        actions.cast_vote(actor=newcomer.user, vote=vote, choice="yes", now=NOW)
    assert "members_before" not in opened


def test_an_electorate_limited_to_longer_standing_members(cast, motion):
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=_user("gina"), now=LATER)
    vote = actions.open_vote(actor=None, motion=motion, now=LATER, method="named", members_before=LATER)
    assert vote.electorate_size == 4  # gina joined at LATER itself, not before it
    assert payload("vote.opened")["members_before"] == "2026-03-01T09:05:00.000000Z"
    district = actions.table_motion(
        actor=cast.bob, council=cast.district, title="Levy", text="Raise a levy.", now=NOW, seconds_required=0
    )
    with pytest.raises(InvalidInputError, match="Only a base council"):
        actions.open_vote(actor=None, motion=district, now=LATER, members_before=LATER)


def _user(username):
    from councils.accounts.models import User

    return User.objects.create_user(username=username, password="x" * 12)


def test_named_vote_can_be_changed_but_never_counted_twice(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    receipt = actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=NOW)
    assert receipt.changed and receipt.choice == "no"
    assert NamedBallot.objects.filter(vote=vote).count() == 1
    assert payload("vote.changed") == {"vote": str(vote.uuid), "voter": str(cast.bob.uuid), "choice": "no"}
    result = actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    assert (result.yes, result.no) == (0, 1)
    with pytest.raises(ConflictError, match="closed"):
        actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=LATER)
    # Someone outside the electorate is told that, not whether the vote is still open.
    with pytest.raises(PermissionDeniedError, match="not in the electorate"):
        actions.cast_vote(actor=cast.carol, vote=vote, choice="yes", now=LATER)


def test_change_is_refused_when_vote_does_not_allow_it(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named", allow_change=False)
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    with pytest.raises(ConflictError, match="does not allow changes"):
        actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=NOW)


def test_retry_with_same_idempotency_key_gives_same_answer_and_one_entry(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named", allow_change=False)
    first = actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW, idempotency_key="k1")
    again = actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW, idempotency_key="k1")
    assert again.repeated and again.choice == first.choice == "yes"
    assert Entry.objects.filter(event="vote.cast").count() == 1


def test_secret_retry_with_same_key_returns_same_receipt(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    first = actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW, idempotency_key="abc")
    again = actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW, idempotency_key="abc")
    assert again.repeated and again.receipt == first.receipt
    assert Participation.objects.filter(vote=vote).count() == 1
    with pytest.raises(ConflictError, match="cannot be changed"):
        actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=NOW, idempotency_key="other")


def test_secret_voters_sending_the_same_key_get_different_receipts(cast, motion):
    # A client that derives its key from the vote sends every voter's cast with the same key.
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    bob = actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW, idempotency_key="same")
    erin = actions.cast_vote(actor=cast.erin, vote=vote, choice="no", now=NOW, idempotency_key="same")
    assert bob.receipt != erin.receipt
    actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    published = {b.receipt: b.choice for b in SecretBallot.objects.filter(vote=vote)}
    assert published == {bob.receipt: "yes", erin.receipt: "no"}


def test_bad_choice_and_bad_key_are_refused(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    with pytest.raises(InvalidInputError, match="Choose"):
        actions.cast_vote(actor=cast.bob, vote=vote, choice="maybe", now=NOW)
    with pytest.raises(InvalidInputError, match="Idempotency"):
        actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW, idempotency_key="x" * 201)
    with pytest.raises(PermissionDeniedError):
        actions.cast_vote(actor=None, vote=vote, choice="yes", now=NOW)


def test_secret_ballot_writes_participation_and_sealed_pending_ballot_only(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    assert not vote.allow_change
    key_file = Path(settings.COUNCILS_BALLOT_KEY_DIR) / f"{vote.uuid}.key"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    receipt = actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    assert receipt.choice is None and len(receipt.receipt) == 16
    cast_entry = payload("ballot.cast")
    assert cast_entry == {"vote": str(vote.uuid), "voter": str(cast.bob.uuid)}
    pending = PendingBallot.objects.get(vote=vote)
    assert b"yes" not in bytes(pending.sealed) and receipt.receipt.encode() not in bytes(pending.sealed)
    assert not SecretBallot.objects.filter(vote=vote).exists()


def test_closing_secret_vote_publishes_anonymous_ballots_and_deletes_key(cast, motion, settings):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    receipts = {}
    for user, choice in [(cast.alice, "yes"), (cast.bob, "no"), (cast.erin, "yes")]:
        receipts[actions.cast_vote(actor=user, vote=vote, choice=choice, now=NOW).receipt] = choice
    with transaction.atomic():
        pass
    result = actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    assert (result.yes, result.no, result.abstain, result.outcome) == (2, 1, 0, "adopted")
    closed = payload("vote.closed")
    assert {b["receipt"]: b["choice"] for b in closed["ballots"]} == receipts
    assert "voter" not in json.dumps(closed["ballots"])
    assert not PendingBallot.objects.filter(vote=vote).exists()
    assert SecretBallot.objects.filter(vote=vote).count() == 3


def test_secret_key_is_deleted_once_close_commits(cast, motion, django_capture_on_commit_callbacks):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    key_file = Path(settings.COUNCILS_BALLOT_KEY_DIR) / f"{vote.uuid}.key"
    with django_capture_on_commit_callbacks(execute=True):
        actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    assert not key_file.exists()


def test_flusher_waits_for_a_batch_of_k(cast, motion, settings, django_capture_on_commit_callbacks):
    settings.COUNCILS_SECRET_BATCH_SIZE = 3
    settings.COUNCILS_SECRET_BATCH_SECONDS = 3600
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    for user in (cast.alice, cast.bob):
        with django_capture_on_commit_callbacks(execute=True):
            actions.cast_vote(actor=user, vote=vote, choice="yes", now=NOW)
    assert PendingBallot.objects.filter(vote=vote).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        actions.cast_vote(actor=cast.erin, vote=vote, choice="no", now=NOW)
    assert PendingBallot.objects.filter(vote=vote).count() == 0
    assert SecretBallot.objects.filter(vote=vote).count() == 3


def test_flusher_releases_small_batch_after_waiting(
    cast, motion, settings, django_capture_on_commit_callbacks
):
    settings.COUNCILS_SECRET_BATCH_SIZE = 25
    settings.COUNCILS_SECRET_BATCH_SECONDS = 0
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    with django_capture_on_commit_callbacks(execute=True):
        actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    assert SecretBallot.objects.filter(vote=vote).count() == 1


def test_flush_outside_transaction_is_refused(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    from django.db import connection

    assert connection.in_atomic_block  # the test's own transaction; emulate autocommit below
    with pytest.raises(RuntimeError):
        connection.in_atomic_block = False
        try:
            actions.flush_pending_ballots(vote=vote)
        finally:
            connection.in_atomic_block = True


def test_quorum_missed_sends_motion_back_to_await_a_vote(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named", quorum=3)
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    actions.cast_vote(actor=cast.erin, vote=vote, choice="abstain", now=NOW)
    result = actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    assert result.outcome == "no_quorum"
    motion.refresh_from_db()
    assert motion.state == "seconded"
    again = actions.open_vote(actor=cast.alice, motion=motion, now=LATER, method="named")
    assert again.pk != vote.pk


def test_threshold_and_quorum_are_validated_at_opening(cast, motion):
    with pytest.raises(InvalidInputError, match="quorum"):
        actions.open_vote(actor=cast.alice, motion=motion, now=NOW, quorum=5)
    with pytest.raises(InvalidInputError, match="threshold"):
        actions.open_vote(actor=cast.alice, motion=motion, now=NOW, threshold="most")
    with pytest.raises(InvalidInputError, match="future"):
        actions.open_vote(actor=cast.alice, motion=motion, now=NOW, closes_at=NOW)


def test_vote_with_closing_time_stays_open_for_officers_until_everyone_voted(cast, motion):
    vote = actions.open_vote(
        actor=cast.alice, motion=motion, now=NOW, method="named", closes_at=NOW + timedelta(hours=1)
    )
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    with pytest.raises(ConflictError, match="closing time"):
        actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    with pytest.raises(ConflictError, match="time is over"):
        actions.cast_vote(actor=cast.erin, vote=vote, choice="yes", now=NOW + timedelta(hours=2))
    result = actions.close_vote(actor=None, vote=vote, now=NOW + timedelta(hours=2))
    assert result.outcome == "adopted"
    with pytest.raises(ConflictError, match="already closed"):
        actions.close_vote(actor=cast.alice, vote=vote, now=NOW + timedelta(hours=2))


def test_delegate_body_votes_by_roll_call_by_default(cast):
    motion = actions.table_motion(actor=None, council=cast.district, title="T", text="X", now=NOW)
    assert motion.state == "seconded"
    vote = actions.open_vote(actor=None, motion=motion, now=NOW)
    assert vote.method == "named" and vote.electorate_size == 1
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.cast_vote(actor=cast.alice, vote=vote, choice="yes", now=NOW)
    assert actions.close_vote(actor=None, vote=vote, now=LATER).adopted


def test_base_council_votes_in_secret_by_default(cast, motion):
    assert actions.open_vote(actor=cast.alice, motion=motion, now=NOW).method == "secret"


def test_adopted_amendment_is_merged_into_motion_text(cast, motion):
    amendment = actions.propose_amendment(
        actor=cast.frank, motion=motion, text="Elect three safety reps.", now=NOW
    )
    assert amendment.kind == "amendment" and amendment.base_text == "Elect two safety reps."
    actions.second_motion(actor=cast.bob, motion=amendment, now=NOW)
    with pytest.raises(ConflictError, match="amendment"):
        vote_a = actions.open_vote(actor=cast.alice, motion=amendment, now=NOW, method="named")
        actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    for user in (cast.alice, cast.bob):
        actions.cast_vote(actor=user, vote=vote_a, choice="yes", now=NOW)
    actions.close_vote(actor=cast.alice, vote=vote_a, now=LATER)
    motion.refresh_from_db()
    assert motion.text == "Elect three safety reps."
    assert payload("motion.amended")["amendment"] == str(amendment.uuid)
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=LATER, method="named")
    assert vote.text == "Elect three safety reps."


def test_stale_amendment_cannot_be_voted(cast, motion):
    first = actions.propose_amendment(actor=cast.frank, motion=motion, text="A", now=NOW, seconds_required=0)
    second = actions.propose_amendment(actor=cast.frank, motion=motion, text="B", now=NOW, seconds_required=0)
    vote = actions.open_vote(actor=cast.alice, motion=first, now=NOW, method="named")
    with pytest.raises(ConflictError, match="Another amendment"):
        actions.open_vote(actor=cast.alice, motion=second, now=NOW, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    with pytest.raises(ConflictError, match="changed since"):
        actions.open_vote(actor=cast.alice, motion=second, now=LATER, method="named")


def test_amendments_are_numbered_in_the_order_proposed_unless_titled(cast, motion):
    titles = [
        actions.propose_amendment(actor=cast.frank, motion=motion, text=text, now=NOW, title=title).title
        for text, title in (("A", ""), ("B", "Night shift"), ("C", ""))
    ]
    assert titles == ["Amendment 1 to: Safety reps", "Night shift", "Amendment 3 to: Safety reps"]


def test_amendment_rules(cast, motion):
    with pytest.raises(InvalidInputError, match="does not change"):
        actions.propose_amendment(actor=cast.frank, motion=motion, text=motion.text, now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.propose_amendment(actor=cast.carol, motion=motion, text="Other", now=NOW)
    amendment = actions.propose_amendment(actor=cast.frank, motion=motion, text="Other", now=NOW)
    with pytest.raises(ConflictError, match="not an amendment"):
        actions.propose_amendment(actor=cast.frank, motion=amendment, text="Again", now=NOW)


def motion_state(motion):
    motion.refresh_from_db()
    return motion.state


def test_seconded_amendment_is_voted_on_before_its_motion(cast, motion):
    first = actions.propose_amendment(
        actor=cast.frank, motion=motion, text="A", title="Three reps", now=NOW, seconds_required=0
    )
    second = actions.propose_amendment(
        actor=cast.frank, motion=motion, text="B", title="Four reps", now=NOW, seconds_required=0
    )
    with pytest.raises(
        ConflictError, match="The seconded amendments “Three reps”, “Four reps” await their votes"
    ):
        actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    actions.withdraw_motion(actor=cast.frank, motion=second, now=NOW)
    with pytest.raises(ConflictError, match="The seconded amendment “Three reps” awaits its vote"):
        actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    assert motion_state(motion) == "seconded"
    vote = actions.open_vote(actor=cast.alice, motion=first, now=NOW, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=NOW)
    actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    assert actions.open_vote(actor=cast.alice, motion=motion, now=LATER, method="named").text == motion.text


def test_amendment_left_behind_by_a_change_of_text_does_not_hold_its_motion_up(cast, motion):
    first = actions.propose_amendment(actor=cast.frank, motion=motion, text="A", now=NOW, seconds_required=0)
    stale = actions.propose_amendment(actor=cast.frank, motion=motion, text="B", now=NOW, seconds_required=0)
    vote = actions.open_vote(actor=cast.alice, motion=first, now=NOW, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    assert actions.open_vote(actor=cast.alice, motion=motion, now=LATER, method="named").text == "A"
    assert motion_state(stale) == "seconded"


def test_deciding_motion_lapses_its_pending_amendments(cast, motion):
    amendment = actions.propose_amendment(actor=cast.frank, motion=motion, text="Other", now=NOW)
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=NOW)
    assert actions.close_vote(actor=cast.alice, vote=vote, now=LATER).outcome == "rejected"
    amendment.refresh_from_db()
    assert (amendment.state, amendment.decided_at) == ("lapsed", None)
    assert amendment.get_state_display() == "Lapsed with its motion"
    with pytest.raises(ConflictError, match="under debate"):
        actions.propose_amendment(actor=cast.frank, motion=motion, text="Late", now=LATER)


def test_withdrawing_a_motion_lapses_the_amendments_their_movers_did_not_withdraw(cast, motion):
    pending = actions.propose_amendment(actor=cast.frank, motion=motion, text="Other", now=NOW)
    dropped = actions.propose_amendment(actor=cast.frank, motion=motion, text="Another", now=NOW)
    actions.withdraw_motion(actor=cast.frank, motion=dropped, now=NOW)
    actions.withdraw_motion(actor=cast.bob, motion=motion, now=LATER)
    assert [motion_state(m) for m in (motion, pending, dropped)] == ["withdrawn", "lapsed", "withdrawn"]


def test_amendments_stored_as_withdrawn_when_they_lapsed_are_migrated_to_lapsed(cast, motion):
    migration = import_module("councils.motions.migrations.0005_lapsed_amendments")
    pending = actions.propose_amendment(actor=cast.frank, motion=motion, text="Other", now=NOW)
    dropped = actions.propose_amendment(actor=cast.frank, motion=motion, text="Another", now=NOW)
    actions.withdraw_motion(actor=cast.frank, motion=dropped, now=NOW)
    actions.withdraw_motion(actor=cast.bob, motion=motion, now=LATER)
    # Back to how lapsed amendments were stored before they had a state of their own.
    migration.mark_withdrawn(django_apps, None)
    assert [motion_state(m) for m in (motion, pending, dropped)] == ["withdrawn", "withdrawn", "withdrawn"]
    migration.mark_lapsed(django_apps, None)
    assert [motion_state(m) for m in (motion, pending, dropped)] == ["withdrawn", "lapsed", "withdrawn"]


def test_only_the_mover_withdraws_before_the_vote(cast, motion):
    with pytest.raises(PermissionDeniedError):
        actions.withdraw_motion(actor=cast.erin, motion=motion, now=NOW)
    with pytest.raises(PermissionDeniedError, match="a chair cannot withdraw a member's motion"):
        actions.withdraw_motion(actor=cast.alice, motion=motion, now=NOW)
    withdrawn = actions.withdraw_motion(actor=cast.bob, motion=motion, now=NOW)
    assert withdrawn.state == "withdrawn"
    with pytest.raises(ConflictError):
        actions.withdraw_motion(actor=cast.bob, motion=motion, now=NOW)


def test_adopted_motion_is_forwarded_to_parent_with_origin(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    with pytest.raises(ConflictError, match="adopted"):
        actions.forward_motion(actor=cast.alice, motion=motion, now=NOW)
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    with pytest.raises(PermissionDeniedError):
        actions.forward_motion(actor=cast.bob, motion=motion, now=LATER)
    incoming = actions.forward_motion(actor=cast.alice, motion=motion, now=LATER)
    motion.refresh_from_db()
    assert motion.state == "forwarded"
    assert (incoming.council, incoming.forwarded_from, incoming.state) == (cast.district, motion, "seconded")
    assert payload("motion.forwarded")["to_motion"] == str(incoming.uuid)
    assert payload("motion.tabled")["forwarded_from"] == str(motion.uuid)


def test_motion_of_top_council_cannot_be_forwarded(cast):
    # Bob, seated up the tree, is the National Congress's one voter and adopts the motion.
    for below in (cast.district, cast.city):
        seat(cast, from_council=below, users=[cast.bob])
    motion = actions.table_motion(actor=None, council=cast.national, title="T", text="X", now=NOW)
    vote = actions.open_vote(actor=None, motion=motion, now=NOW, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    assert actions.close_vote(actor=None, vote=vote, now=NOW).adopted
    with pytest.raises(ConflictError, match="no council above"):
        actions.forward_motion(actor=None, motion=motion, now=NOW)


def test_outcome_handler_runs_in_the_close_transaction(cast, monkeypatch):
    monkeypatch.setattr(outcomes, "_HANDLERS", {})
    seen = []

    def handler(*, motion, result, now):
        seen.append((motion.subject_uuid, result.outcome, now))
        if result.adopted:
            raise ConflictError("seat already vacated")

    outcomes.register("recall", handler)
    try:
        with pytest.raises(ValueError, match="already has"):
            outcomes.register("recall", lambda **kw: None)
        motion = actions.table_motion(
            actor=None,
            council=cast.riverside,
            title="Recall",
            text="Recall bob.",
            now=NOW,
            kind="recall",
            subject_uuid=cast.bob.uuid,
        )
        vote = actions.open_vote(actor=None, motion=motion, now=NOW, method="named")
        actions.cast_vote(actor=cast.erin, vote=vote, choice="yes", now=NOW)
        with pytest.raises(ConflictError, match="vacated"):
            actions.close_vote(actor=None, vote=vote, now=LATER)
        vote.refresh_from_db()
        assert vote.is_open and seen == [(cast.bob.uuid, "adopted", LATER)]
        assert not Entry.objects.filter(event="vote.closed").exists()
    finally:
        outcomes.unregister("recall")
    with pytest.raises(ValueError, match="unknown"):
        outcomes.register("coup", handler)
    assert outcomes.handler_for("recall") is None


def test_officer_cannot_withdraw_a_motion_put_by_the_rules(cast):
    motion = actions.table_motion(
        actor=None, council=cast.riverside, title="Recall", text="Recall.", now=NOW, kind="recall"
    )
    with pytest.raises(PermissionDeniedError, match="put by the rules"):
        actions.withdraw_motion(actor=cast.alice, motion=motion, now=NOW)
    assert actions.withdraw_motion(actor=None, motion=motion, now=NOW).state == "withdrawn"


def test_officer_cannot_close_a_vote_the_rules_opened_before_anyone_voted(cast):
    motion = actions.table_motion(
        actor=None, council=cast.riverside, title="Recall", text="Recall.", now=NOW, kind="recall"
    )
    vote = actions.open_vote(actor=None, motion=motion, now=NOW, method="secret")
    with pytest.raises(ConflictError, match="Nobody has voted"):
        actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=NOW)
    assert actions.close_vote(actor=cast.alice, vote=vote, now=LATER).outcome == "rejected"


def test_is_voter_answers_as_memberships_and_seats_say(cast, django_capture_on_commit_callbacks):
    """The written-out `is_voter` against the rule in ORM terms, for everyone and every council."""
    from councils.federation.models import Membership, Seat
    from councils.federation.queries import is_voter

    # Dave sat for Harbour Works in the district and has left; Frank is suspended; Gina is a candidate.
    seat(cast, from_council=cast.harbour, users=[cast.dave])
    membership_actions.leave_membership(
        actor=cast.dave, membership=Membership.objects.get(user=cast.dave), now=NOW
    )
    assert not Seat.objects.filter(user=cast.dave, ended_at__isnull=True).exists()
    upheld_case(cast, now=NOW)
    gina = invited_candidate(
        django_capture_on_commit_callbacks, actor=cast.alice, council=cast.riverside, username="gina", now=NOW
    )

    def rule(user, council):
        if council.is_base:
            return Membership.objects.filter(
                user=user, council=council, ended_at__isnull=True, status=Membership.Status.FULL
            ).exists()
        return Seat.objects.filter(user=user, council=council, ended_at__isnull=True).exists()

    councils = (cast.national, cast.city, cast.district, cast.riverside, cast.harbour)
    people = (cast.alice, cast.bob, cast.carol, cast.dave, cast.erin, cast.frank, gina)
    answers = {(u.username, c.name): is_voter(user=u, council=c) for u in people for c in councils}
    assert answers == {(u.username, c.name): rule(u, c) for u in people for c in councils}
    assert {k for k, v in answers.items() if v} == {
        ("alice", "Riverside Depot"),
        ("bob", "Riverside Depot"),
        ("bob", "Eastside District"),
        ("erin", "Riverside Depot"),
    }


def test_a_delegate_casts_in_a_higher_council_only_while_seated(cast):
    from councils.federation.models import Seat

    tabled = actions.table_motion(actor=None, council=cast.district, title="Depots", text="Merge.", now=NOW)
    vote = actions.open_vote(actor=None, motion=tabled, now=NOW, method="named", allow_change=True)
    assert actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW).choice == "yes"
    with pytest.raises(PermissionDeniedError):
        actions.cast_vote(actor=cast.erin, vote=vote, choice="yes", now=NOW)  # not in the electorate
    mandate_actions.resign_seat(actor=cast.bob, seat=Seat.objects.get(user=cast.bob), now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=NOW)
    assert NamedBallot.objects.get(vote=vote).choice == "yes"
