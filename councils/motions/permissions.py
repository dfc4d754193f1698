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
        if not isinstance(obj, Vote) or not _authenticated(user):
            return False
        return VoteEligibility.objects.filter(vote=obj, voter=user).exists() and federation_queries.is_voter(
            user=user, council=council
        )
    raise ValueError(f"unknown motion action {action!r}")


def require(user: Any, action: str, obj: Motion | Vote) -> None:
    """Raise PermissionDeniedError unless `user` may perform `action`."""
    if not can(user, action, obj):
        messages = {
            "second": "Only members with a vote in this council may second a motion.",
            "amend": "Only members with a vote in this council may propose amendments.",
            "open_vote": "Only the council's chair or secretary may open a vote.",
            "close_vote": "Only the council's chair or secretary may close a vote.",
            "forward": "Only the council's chair or secretary may forward a motion.",
            "withdraw": "Only the mover may withdraw a motion; a chair cannot withdraw a member's motion.",
            "vote": "You are not in the electorate of this vote.",
        }
        raise PermissionDeniedError(messages.get(action, "You may not do that."))
