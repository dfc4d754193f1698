"""Who may do what at a meeting: officers run it, participants attend and speak."""

from __future__ import annotations

from typing import Any

from councils.core.errors import PermissionDeniedError
from councils.federation import permissions as council_permissions
from councils.federation import queries
from councils.federation.models import Council
from councils.meetings.models import Meeting


def can(user: Any, action: str, obj: Meeting | Council) -> bool:
    """`view`, `manage` (schedule, agenda, chair the session, approve minutes), `attend`, `speak`."""
    council = obj if isinstance(obj, Council) else obj.council
    if action == "view":
        return queries.can_view_council(viewer=user, council=council)
    if action == "manage":
        return council_permissions.can(user, "manage_meetings", council)
    if action == "attend":
        return queries.is_participant(user=user, council=council)
    if action == "speak":
        return council_permissions.can(user, "speak", council)
    raise ValueError(f"unknown meeting action {action!r}")


def require(user: Any, action: str, obj: Meeting | Council) -> None:
    if not can(user, action, obj):
        council = obj if isinstance(obj, Council) else obj.council
        what = {"manage": "run meetings", "attend": "attend", "speak": "speak", "view": "see meetings"}[
            action
        ]
        raise PermissionDeniedError(f"You may not {what} in {council.name}.")
