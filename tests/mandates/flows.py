"""Whole flows the accountability tests share: a motion above, a mandate on it, votes closed."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from councils.federation import actions as fa
from councils.mandates import actions
from councils.motions import actions as motion_actions
from councils.motions.models import Motion, Vote
from tests.conftest import NOW


def seat_dave_for_harbour(cast):
    """Give Eastside District a second delegate so its motions can be seconded."""
    with transaction.atomic():
        return fa.seat_delegate(
            from_council=cast.harbour, user=cast.dave, election_uuid=None, term_ends_at=None, now=NOW
        )


def district_motion(cast, *, title="Strike fund levy", now=NOW):
    """A motion pending in Eastside District, tabled by bob and seconded by dave."""
    motion = motion_actions.table_motion(
        actor=cast.bob,
        council=cast.district,
        title=title,
        text="That the district raises a strike fund levy.",
        now=now,
    )
    return motion_actions.second_motion(actor=cast.dave, motion=motion, now=now)


def adopt_mandate(cast, target, *, choice="yes", now=NOW):
    """Riverside adopts a mandate on `target`: proposed by erin, seconded by frank, carried by the members."""
    proposal = actions.propose_mandate(
        actor=cast.erin, council=cast.riverside, target_motion=target, choice=choice, now=now
    )
    own = Motion.objects.get(uuid=proposal.motion_uuid)
    motion_actions.second_motion(actor=cast.frank, motion=own, now=now)
    vote = motion_actions.open_vote(actor=cast.alice, motion=own, now=now)
    for user in (cast.alice, cast.erin, cast.frank):
        motion_actions.cast_vote(actor=user, vote=vote, choice="yes", now=now)
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=now + timedelta(minutes=5))
    proposal.refresh_from_db()
    return proposal.mandate


def district_vote(cast, target, *, bob, dave="yes", now=NOW):
    """Put the district motion to a named vote; bob and dave vote; the rules close it."""
    vote = motion_actions.open_vote(actor=None, motion=target, now=now)
    if bob:
        motion_actions.cast_vote(actor=cast.bob, vote=vote, choice=bob, now=now)
    motion_actions.cast_vote(actor=cast.dave, vote=vote, choice=dave, now=now)
    motion_actions.close_vote(actor=None, vote=vote, now=now + timedelta(minutes=10))
    return Vote.objects.get(pk=vote.pk)


def hold_district_meeting(cast, *, now=NOW):
    """Dave, made chair of Eastside District, holds and closes a meeting: its delegates then owe reports."""
    from councils.federation.models import Office
    from councils.meetings import actions as meeting_actions

    # Called a week ahead, with the notice the constitution requires.
    called = now - timedelta(days=7)
    if not Office.objects.filter(council=cast.district, user=cast.dave, role="chair").exists():
        fa.appoint_founding_officer(
            actor=None, council=cast.district, user=cast.dave, role="chair", now=called
        )
    meeting = meeting_actions.schedule_meeting(
        actor=cast.dave,
        council=cast.district,
        title="District meeting",
        starts_at=now,
        place="Hall",
        now=called,
    )
    meeting_actions.open_meeting(actor=cast.dave, meeting=meeting, now=now)
    return meeting_actions.close_meeting(actor=cast.dave, meeting=meeting, now=now + timedelta(hours=2))


def broken_mandate(cast):
    """Riverside instructs its delegate to vote yes on a district motion, and Bob votes no."""
    seat_dave_for_harbour(cast)
    target = district_motion(cast)
    adopt_mandate(cast, target, choice="yes")
    return district_vote(cast, target, bob="no")
