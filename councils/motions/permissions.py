"""Who may do what to a motion or a vote. Actions and interfaces ask here."""

from __future__ import annotations

from typing import Any

from councils.core.errors import PermissionDeniedError
from councils.federation import permissions as council_policy
from councils.federation import queries as federation_queries
from councils.motions.models import Motion, Vote, VoteEligibility


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can(user: Any, action: str, obj: Motion | Vote) -> bool:
    """Answer whether `user` may perform `action` on a motion or a vote."""
    motion = obj.motion if isinstance(obj, Vote) else obj
    council = motion.council
    if action == "view":
        return federation_queries.can_view_council(viewer=user, council=council)
    if action in {"second", "amend"}:
        return council_policy.can(user, action, council)
    if action in {"open_vote", "close_vote", "forward"}:
        return council_policy.can(user, "chair", council)
    if action == "withdraw":
        # Only the mover: a chair who could withdraw members' motions could keep
        # opposition motions off the agenda.
        return _authenticated(user) and motion.tabled_by_id == user.id
    if action == "vote":
        return isinstance(obj, Vote) and can_vote(user, obj)
    raise ValueError(f"unknown motion action {action!r}")


def can_vote(
    user: Any, vote: Vote, *, in_electorate: bool | None = None, has_vote: bool | None = None
) -> bool:
    """Whether `user` may cast in `vote`: in the electorate frozen when it opened, and still a voter.

    `in_electorate` and `has_vote` (`federation_queries.is_voter` in the vote's
    council) pass what the caller has just read (the cast reads both with its
    lock), instead of asking the database again.
    """
    if not _authenticated(user):
        return False
    if in_electorate is None:
        in_electorate = VoteEligibility.objects.filter(vote=vote, voter=user).exists()
    if not in_electorate:
        return False
    if has_vote is None:
        has_vote = federation_queries.is_voter(user=user, council=vote.motion.council)
    return has_vote


REFUSALS = {
    "second": "Only members with a vote in this council may second a motion.",
    "amend": "Only members with a vote in this council may propose amendments.",
    "open_vote": "Only the council's chair or secretary may open a vote.",
    "close_vote": "Only the council's chair or secretary may close a vote.",
    "forward": "Only the council's chair or secretary may forward a motion.",
    "withdraw": "Only the mover may withdraw a motion; a chair cannot withdraw a member's motion.",
    "vote": "You are not in the electorate of this vote.",
}
# Parties (the accused and whoever brought the charges) are left out of the electorate of their case.
PARTY_REFUSAL = "As a party to this case you do not vote on it."


def is_party(user: Any, vote: Vote) -> bool:
    """Whether `user` was left out of `vote`'s electorate as a party to what it decides."""
    return _authenticated(user) and vote.parties.filter(pk=user.pk).exists()


def require(user: Any, action: str, obj: Motion | Vote) -> None:
    """Raise PermissionDeniedError unless `user` may perform `action`."""
    if not can(user, action, obj):
        raise PermissionDeniedError(REFUSALS.get(action, "You may not do that."))


def require_vote(
    user: Any, vote: Vote, *, in_electorate: bool | None = None, has_vote: bool | None = None
) -> None:
    """Raise PermissionDeniedError unless `user` may cast in `vote` (see `can_vote`)."""
    if not can_vote(user, vote, in_electorate=in_electorate, has_vote=has_vote):
        raise PermissionDeniedError(PARTY_REFUSAL if is_party(user, vote) else REFUSALS["vote"])
