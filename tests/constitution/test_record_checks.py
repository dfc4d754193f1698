"""`verify_record` compares the constitution version each decision names with the versions adopted."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import transaction

from councils.constitution import actions as constitution_actions
from councils.constitution.models import Amendment, ConstitutionVersion
from councils.federation.models import Seat
from councils.mandates import actions as mandate_actions
from councils.membership import actions as membership_actions
from councils.motions import actions as motion_actions
from councils.motions.models import Motion
from councils.record import sequencer
from councils.record.actions import append_entry
from councils.record.models import Sequence
from councils.record.verification import verify_database
from tests.conftest import make_user
from tests.membership.support import (
    LATER,
    NOW,
    adopt,
    adopt_before_newer_settings,
    make_national_body,
    payloads,
    vote_through,
)

STATE = "[constitution]"

# Each test edits the database behind the record, and checks what `verify_record` says of it.
pytestmark = pytest.mark.tampers


def _decisions(cast, now):
    mandate_actions.start_recall(actor=cast.erin, seat=Seat.objects.get(user=cast.bob), now=now)
    membership_actions.apply_for_membership(actor=make_user("gina", "Gina"), council=cast.riverside, now=now)


def test_decisions_under_the_defaults_then_under_version_one_match(cast):
    _decisions(cast, NOW)
    adopt(cast)
    membership_actions.apply_for_membership(actor=make_user("hugo", "Hugo"), council=cast.harbour, now=LATER)
    assert [p for p in verify_database() if p.startswith(STATE)] == []


def test_a_decision_naming_a_version_never_adopted_is_reported(cast):
    with transaction.atomic():
        append_entry(
            event="recall.petition_started",
            actor=None,
            council=cast.riverside,
            payload={"petition": "x", "constitution_version": 1},
            now=NOW,
        )
    adopt(cast)
    sequencer.sequence_pending(now=NOW)
    first = Sequence.objects.get(entry__event="recall.petition_started").index
    with transaction.atomic():
        append_entry(
            event="membership.applied",
            actor=None,
            council=cast.riverside,
            payload={"application": "y", "constitution": 2},
            now=NOW + timedelta(days=1),
        )
    problems = [p for p in verify_database() if p.startswith(STATE)]
    assert problems == [
        f"[constitution] Entry {first} (recall.petition_started) says it applied constitution version 1, "
        "but its federation had adopted none, so the defaults (version 0) applied.",
        "[constitution] A pending entry (membership.applied) says it applied constitution version 2, "
        "but its federation had adopted only up to version 1.",
    ]


def amend(cast, *, now, **changes) -> None:
    """Amend the constitution in force as `changes` say, by the top council's two thirds."""
    amendment = constitution_actions.propose_constitution_amendment(
        actor=cast.alice,
        federation=cast.federation,
        changes=changes,
        explanation="",
        now=now,
    )
    motion_actions.second_motion(
        actor=cast.erin, motion=Motion.objects.get(uuid=amendment.motion_uuid), now=now
    )
    vote = constitution_actions.open_amendment_vote(
        actor=cast.alice, amendment=amendment, now=now, method="named"
    )
    vote_through(vote, yes=[cast.alice, cast.erin, cast.frank], now=now + timedelta(hours=1))


HASHES = "[constitution_hashes]"


def test_amending_a_version_adopted_before_newer_settings_names_it_by_its_adopted_hash(cast, monkeypatch):
    adopt_before_newer_settings(cast, monkeypatch)
    make_national_body(cast)
    amend(cast, now=NOW, sponsors_required=1)
    amend(cast, now=NOW + timedelta(days=1), sponsors_required=3)
    assert [p for p in verify_database() if p.startswith(HASHES)] == []


def test_an_amendment_naming_another_text_than_the_version_adopted_is_reported(cast):
    adopt(cast)
    make_national_body(cast)
    amend(cast, now=NOW, sponsors_required=1)
    [amended] = payloads("constitution.amended")
    with transaction.atomic():
        append_entry(
            event="constitution.amended",
            actor=None,
            council=cast.national,
            payload={**amended, "constitution": 3, "previous": 2, "old_hash": "0" * 64, "new_hash": "1" * 64},
            now=LATER,
        )
    assert [p for p in verify_database() if p.startswith(HASHES)] == [
        f"{HASHES} A pending entry (constitution.amended) names constitution version 2 by the hash "
        f"{'0' * 64}, but its federation adopted that version with the hash {amended['new_hash']}."
    ]


def propose(cast, *, now, **changes):
    """Propose an amendment and put it to the top council's vote; return it and its open vote."""
    amendment = constitution_actions.propose_constitution_amendment(
        actor=cast.alice, federation=cast.federation, changes=changes, explanation="", now=now
    )
    motion_actions.second_motion(
        actor=cast.erin, motion=Motion.objects.get(uuid=amendment.motion_uuid), now=now
    )
    vote = constitution_actions.open_amendment_vote(
        actor=cast.alice, amendment=amendment, now=now, method="named"
    )
    return amendment, vote


def _amended(cast) -> tuple[Amendment, Amendment]:
    """Version 1 adopted at founding, amended to version 2; a second amendment rejected."""
    adopt(cast)
    make_national_body(cast)
    adopted, vote = propose(cast, now=NOW, sponsors_required=1)
    vote_through(vote, yes=[cast.alice, cast.erin, cast.frank], now=NOW + timedelta(hours=1))
    rejected, vote = propose(cast, now=LATER, sponsors_required=3)
    vote_through(vote, no=[cast.alice, cast.erin, cast.frank], now=LATER + timedelta(hours=1))
    adopted.refresh_from_db()
    rejected.refresh_from_db()
    return adopted, rejected


def test_versions_and_amendments_match_their_record(cast):
    adopted, rejected = _amended(cast)
    assert (adopted.status, rejected.status) == ("adopted", "rejected")
    assert verify_database() == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"content_hash": "0" * 64}, f" is named by the hash {'0' * 64} but the record adopted it with "),
        ({"document": {"sponsors_required": 9}}, "'s text is not the text the record adopted"),
        ({"adopted_at": LATER}, " was adopted at 2026-"),
        ({"adopted_by_motion": None}, " was adopted by another motion than the record says."),
    ],
)
def test_a_version_changed_in_the_database_is_detected(cast, change, problem):
    _amended(cast)
    ConstitutionVersion.objects.filter(version=2).update(**change)
    [line] = verify_database()
    assert line.startswith(
        f"[constitution_versions] Constitution version 2 of federation {cast.federation.uuid}"
    )
    assert problem in line


def test_a_version_deleted_or_added_in_the_database_is_detected(cast):
    _amended(cast)
    version = ConstitutionVersion.objects.get(version=2)
    version.delete()
    federation = cast.federation.uuid
    assert (
        f"[constitution_versions] Constitution version 2 of federation {federation} "
        "is in the record but has vanished."
    ) in verify_database()
    ConstitutionVersion.objects.create(
        federation=cast.federation,
        version=2,
        document=version.document,
        content_hash=version.content_hash,
        adopted_at=LATER,
    )
    ConstitutionVersion.objects.create(
        federation=cast.federation,
        version=3,
        document=version.document,
        content_hash=version.content_hash,
        adopted_at=LATER,
    )
    assert (
        f"[constitution_versions] Constitution version 3 of federation {federation} "
        "exists but the record never adopted it."
    ) in verify_database()


@pytest.mark.parametrize(
    ("which", "change", "problem"),
    [
        ("rejected", {"status": "adopted"}, "'s status is 'adopted' but the record says 'rejected'."),
        ("adopted", {"base_version": 2}, "'s base version is 2 but the record says 1."),
        ("adopted", {"refusal": "No."}, "'s refusal is 'No.' but the record says ''."),
        ("adopted", {"proposed_by": None}, "'s proposed by is None but the record says"),
        ("adopted", {"document": {"sponsors_required": 9}}, "'s text is not the text the record holds"),
        ("adopted", {"proposed_at": LATER}, " was proposed at 2026-"),
        ("rejected", {"decided_at": NOW}, " was decided at 2026-"),
    ],
)
def test_an_amendment_changed_in_the_database_is_detected(cast, which, change, problem):
    adopted, rejected = _amended(cast)
    amendment = adopted if which == "adopted" else rejected
    Amendment.objects.filter(pk=amendment.pk).update(**change)
    [line] = verify_database()
    assert line.startswith(f"[amendments] Amendment {amendment.uuid}")
    assert problem in line


def test_an_amendment_deleted_or_added_in_the_database_is_detected(cast):
    _, rejected = _amended(cast)
    rejected.delete()
    assert verify_database() == [
        f"[amendments] Amendment {rejected.uuid} is in the record but has vanished from the database."
    ]
    gone = rejected.uuid
    rejected.pk, rejected.uuid = None, uuid.uuid4()
    rejected.save()
    assert verify_database() == [
        f"[amendments] Amendment {rejected.uuid} (rejected) exists but the record never received it.",
        f"[amendments] Amendment {gone} is in the record but has vanished from the database.",
    ]
