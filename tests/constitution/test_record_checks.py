"""`verify_record` compares the constitution version each decision names with the versions adopted."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from councils.federation.models import Seat
from councils.mandates import actions as mandate_actions
from councils.membership import actions as membership_actions
from councils.record import sequencer
from councils.record.actions import append_entry
from councils.record.models import Sequence
from councils.record.verification import verify_database
from tests.conftest import make_user
from tests.membership.support import LATER, NOW, adopt

STATE = "[constitution]"


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
