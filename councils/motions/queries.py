"""Reads of motions and votes. Access checks answer 404 for missing and hidden alike."""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, QuerySet

from councils.core.errors import NotFoundError
from councils.core.rules import votes as rules
from councils.federation import queries as federation_queries
from councils.federation.models import Council
from councils.motions.models import (
    Motion,
    NamedBallot,
    Participation,
    SecretBallot,
    Vote,
    VoteEligibility,
)
from councils.record import queries as record_queries

DECIDED_STATES = (Motion.State.ADOPTED, Motion.State.REJECTED, Motion.State.FORWARDED)
# The entries that say what became of a motion put to the vote (a recall's too).
DECISION_EVENTS = ("vote.closed", "motion.forwarded", "recall.decided")
# A motion (or amendment) that ended without a decision: its mover's withdrawal, or an amendment's lapse.
ENDED_STATES = (Motion.State.WITHDRAWN, Motion.State.LAPSED)
# One event records both ends; the page reads its payload to say which.
ENDING_EVENTS = ("motion.withdrawn",)


def _motions() -> QuerySet[Motion]:
    return Motion.objects.select_related(
        "council", "tabled_by", "forwarded_from", "forwarded_from__council", "amends"
    ).annotate(seconds_count=Count("seconds", distinct=True))


def access_motion(*, viewer: Any, motion_uuid: uuid_lib.UUID | str) -> Motion:
    """Return the motion, or raise NotFoundError when it is missing or its council is hidden from `viewer`."""
    try:
        motion = _motions().select_related("council__parent", "council__federation").get(uuid=motion_uuid)
    except (Motion.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such motion.") from None
    if not federation_queries.can_view_council(viewer=viewer, council=motion.council):
        raise NotFoundError("No such motion.")
    return motion


def get_motion(*, motion_uuid: uuid_lib.UUID | str) -> Motion:
    """The motion without an access check: only for answering the actor who just created it."""
    return _motions().get(uuid=motion_uuid)


def access_vote(*, viewer: Any, vote_uuid: uuid_lib.UUID | str) -> Vote:
    try:
        vote = Vote.objects.select_related("motion", "motion__council", "motion__council__parent").get(
            uuid=vote_uuid
        )
    except (Vote.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such vote.") from None
    if not federation_queries.can_view_council(viewer=viewer, council=vote.motion.council):
        raise NotFoundError("No such vote.")
    return vote


def list_motions(*, council: Council, state: str | None = None) -> QuerySet[Motion]:
    """The council's motions, newest first; amendments are listed under their motion instead."""
    motions = _motions().filter(council=council, amends__isnull=True)
    if state:
        motions = motions.filter(state=state)
    return motions.order_by("-tabled_at", "-id")


def list_open_motions(*, council: Council) -> QuerySet[Motion]:
    """The council's motions and amendments still to be decided, newest first.

    Awaiting seconders, seconded or voting: what a meeting can still debate.
    """
    return _motions().filter(council=council, state__in=Motion.OPEN_STATES).order_by("-tabled_at", "-id")


def list_amendments(*, motion: Motion) -> QuerySet[Motion]:
    return _motions().filter(amends=motion).order_by("tabled_at", "id")


def list_amendments_awaiting_vote(*, motion: Motion) -> QuerySet[Motion]:
    """Seconded amendments to the motion's current text: each is voted on (or withdrawn) before it."""
    return list_amendments(motion=motion).filter(state=Motion.State.SECONDED, base_text=motion.text)


def get_amendment_in_vote(*, motion: Motion) -> Motion | None:
    """The amendment to the motion whose vote is open: no other vote on the motion opens before it closes."""
    return list_amendments(motion=motion).filter(state=Motion.State.VOTING).first()


def list_seconders(*, motion: Motion) -> list[Any]:
    return [s.user for s in motion.seconds.select_related("user").order_by("seconded_at", "id")]


def list_votes(*, motion: Motion) -> QuerySet[Vote]:
    return Vote.objects.filter(motion=motion).order_by("opened_at", "id")


def current_vote(*, motion: Motion) -> Vote | None:
    return Vote.objects.filter(motion=motion).order_by("-opened_at", "-id").first()


def decisive_vote(*, motion: Motion) -> Vote | None:
    """The last closed vote on the motion: the one whose result stands."""
    return (
        Vote.objects.filter(motion=motion, closed_at__isnull=False)
        .select_related("motion")
        .order_by("-closed_at", "-id")
        .first()
    )


def list_decision_entries(*, motion: Motion) -> list[record_queries.Recorded]:
    """The record entries of a decided motion: its decisive vote's close, then its forwarding or recall.

    A withdrawn or lapsed motion has the entry that ended it instead, even after a vote without quorum.
    None while it is undecided. A vote closed without quorum decided nothing, so only the last close
    counts, as in `decisive_vote`.
    """
    if motion.state in ENDED_STATES:
        return record_queries.list_recorded(
            council_id=motion.council_id,
            events=ENDING_EVENTS,
            key="motion",
            subject=motion.uuid,
            read=ENDING_EVENTS,
        )
    if motion.state not in DECIDED_STATES:
        return []
    entries = record_queries.list_recorded(
        council_id=motion.council_id, events=DECISION_EVENTS, key="motion", subject=motion.uuid
    )
    closes = [i for i, entry in enumerate(entries) if entry.event == "vote.closed"]
    return [entry for i, entry in enumerate(entries) if i not in closes[:-1]]


def live_counts(*, vote: Vote) -> dict[str, int]:
    """Counts safe to show while a vote is open: the tally of a named vote, turnout only for a secret one."""
    if vote.is_secret:
        return {
            "turnout": Participation.objects.filter(vote=vote).count(),
            "electorate": vote.electorate_size,
        }
    counts = dict.fromkeys(rules.CHOICES, 0)
    for row in NamedBallot.objects.filter(vote=vote).order_by().values("choice").annotate(n=Count("id")):
        counts[row["choice"]] = row["n"]
    return {**counts, "turnout": sum(counts.values()), "electorate": vote.electorate_size}


def result_of(*, vote: Vote) -> rules.VoteResult | None:
    if vote.is_open:
        return None
    return rules.compute_result(
        yes=vote.yes or 0,
        no=vote.no or 0,
        abstain=vote.abstain or 0,
        electorate=vote.electorate_size,
        threshold=vote.threshold,
        quorum=vote.quorum,
    )


def is_eligible(*, vote: Vote, user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return VoteEligibility.objects.filter(vote=vote, voter=user).exists()


def my_named_choice(*, vote: Vote, user: Any) -> str | None:
    if vote.is_secret or not getattr(user, "is_authenticated", False):
        return None
    return NamedBallot.objects.filter(vote=vote, voter=user).values_list("choice", flat=True).first()


def has_voted(*, vote: Vote, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if vote.is_secret:
        return Participation.objects.filter(vote=vote, voter=user).exists()
    return NamedBallot.objects.filter(vote=vote, voter=user).exists()


def list_roll_call(*, vote: Vote) -> QuerySet[NamedBallot]:
    """Who voted how in a named vote; shown to those who may see the council."""
    return NamedBallot.objects.filter(vote=vote).select_related("voter").order_by("voter__username")


def list_published_ballots(*, vote: Vote) -> QuerySet[SecretBallot]:
    """The anonymous ballot set of a closed secret vote, ordered by receipt; nothing while it is open."""
    if vote.is_open or not vote.is_secret:
        return SecretBallot.objects.none()
    return SecretBallot.objects.filter(vote=vote).order_by("receipt")


def list_open_votes_for(*, user: Any) -> QuerySet[Vote]:
    """Open votes in which `user` is in the electorate, with whether they have voted yet."""
    if not getattr(user, "is_authenticated", False):
        return Vote.objects.none()
    voted = Exists(NamedBallot.objects.filter(vote=OuterRef("pk"), voter=user)) | Exists(
        Participation.objects.filter(vote=OuterRef("pk"), voter=user)
    )
    return (
        Vote.objects.filter(closed_at__isnull=True, eligibilities__voter=user)
        .select_related("motion", "motion__council")
        .annotate(has_voted=voted)
        .order_by("opened_at", "id")
    )
