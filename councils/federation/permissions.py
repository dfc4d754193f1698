"""Who may do what to a council. Each action names its policy check here."""

from __future__ import annotations

from typing import Any

from councils.core.errors import PermissionDeniedError
from councils.federation import queries
from councils.federation.models import Council, Office

OFFICER_ROLES = (Office.Role.CHAIR, Office.Role.SECRETARY)


def can(user: Any, action: str, council: Council) -> bool:
    """Answer whether `user` may perform `action` on `council`."""
    if action == "view":
        return queries.can_view_council(viewer=user, council=council)
    if action in {"invite", "manage_meetings", "chair"}:
        return queries.has_office(user=user, council=council, roles=OFFICER_ROLES)
    if action == "credentials":
        return queries.has_office(
            user=user, council=council, roles=(*OFFICER_ROLES, Office.Role.CREDENTIALS_OFFICER)
        )
    if action in {"vote", "table_motion", "second", "amend", "nominate"}:
        return queries.is_voter(user=user, council=council)
    if action == "speak":
        return queries.is_participant(user=user, council=council) and not queries.has_office(
            user=user, council=council, roles=(Office.Role.OBSERVER,)
        )
    raise ValueError(f"unknown council action {action!r}")


def require(user: Any, action: str, council: Council) -> None:
    """Raise PermissionDeniedError unless `user` may perform `action` on `council`."""
    if not can(user, action, council):
        raise PermissionDeniedError(f"You may not {action.replace('_', ' ')} in {council.name}.")
