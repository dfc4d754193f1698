"""Who may do what to an election."""

from __future__ import annotations

from typing import Any

from councils.core.errors import PermissionDeniedError
from councils.elections.models import Election
from councils.federation import queries
from councils.federation.models import Council, Office

RUNNING_ROLES = (Office.Role.CHAIR, Office.Role.ELECTION_OFFICER)
ACTIONS = ("view", "call", "run", "nominate", "vote")


def can(user: Any, action: str, obj: Election | Council) -> bool:
    """Answer whether `user` may `action` an election (or, for "call", in a council)."""
    council = obj if isinstance(obj, Council) else obj.council
    if action == "view":
        return queries.can_view_council(viewer=user, council=council)
    if action in {"call", "run"}:
        return queries.has_office(user=user, council=council, roles=RUNNING_ROLES)
    if action in {"nominate", "vote"}:
        return queries.is_voter(user=user, council=council)
    raise ValueError(f"unknown election action {action!r}")


def require(user: Any, action: str, obj: Election | Council) -> None:
    if not can(user, action, obj):
        council = obj if isinstance(obj, Council) else obj.council
        what = {
            "call": "call an election",
            "run": "run this election",
            "nominate": "nominate",
            "vote": "vote",
            "view": "see this election",
        }[action]
        raise PermissionDeniedError(f"You may not {what} in {council.name}.")
