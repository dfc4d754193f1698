"""The motions demo step, run on the test cast with a few more members, through actions only."""

from __future__ import annotations

import random

from councils.demo.build import Demo
from councils.demo.motions import build_motions
from councils.federation import actions as federation_actions
from councils.federation.models import Office
from councils.motions.models import Motion, Vote
from tests.motions.conftest import NOW
from tests.motions.test_actions import _user


def test_demo_step_leaves_motions_in_every_state(cast, django_capture_on_commit_callbacks):
    for i in range(8):
        federation_actions.add_founding_member(
            actor=None, council=cast.riverside, user=_user(f"m{i}"), now=NOW
        )
    federation_actions.add_founding_member(actor=None, council=cast.harbour, user=_user("h0"), now=NOW)
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.bob, role=Office.Role.CHAIR, now=NOW
    )
    from django.db import transaction

    with transaction.atomic():
        federation_actions.seat_delegate(
            from_council=cast.harbour, user=cast.dave, election_uuid=None, term_ends_at=None, now=NOW
        )
    demo = Demo(
        now=NOW,
        rng=random.Random(1),
        federation=cast.federation,
        national=cast.national,
        districts=[cast.district],
        workplaces=[cast.riverside, cast.harbour],
        cast={u.username: u for u in (cast.alice, cast.bob, cast.carol, cast.dave, cast.erin, cast.frank)},
    )
    with django_capture_on_commit_callbacks(execute=True):
        build_motions(demo)
    states = set(Motion.objects.values_list("state", flat=True))
    assert states >= {"draft", "seconded", "voting", "adopted", "rejected", "forwarded", "withdrawn"}
    open_votes = Vote.objects.filter(closed_at__isnull=True, motion__council=cast.riverside)
    assert {v.method for v in open_votes} == {"named", "secret"}
    for vote in open_votes:
        assert vote.eligibilities.filter(voter=cast.bob).exists()
        assert vote.eligibilities.filter(voter=cast.alice).exists()
    forwarded = Motion.objects.get(council=cast.district, forwarded_from__isnull=False)
    assert forwarded.forwarded_from.council == cast.riverside and forwarded.state == "adopted"
    district_vote = forwarded.votes.get()
    assert district_vote.method == "named" and district_vote.named_ballots.filter(voter=cast.bob).exists()
    assert Vote.objects.filter(closed_at__isnull=True, motion__council=cast.district).exists()
    amended = Motion.objects.get(title="Safety representatives")
    assert "three safety representatives" in amended.text
