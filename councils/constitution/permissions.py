"""Who may do what to the constitution."""

from __future__ import annotations

from typing import Any

from councils.constitution.models import Amendment
from councils.core.errors import PermissionDeniedError
from councils.federation import permissions as council_permissions
from councils.federation.models import Council


def can(user: Any, action: str, obj: Council | Amendment) -> bool:
    """Answer whether `user` may perform `action`: propose in the top council, or open an amendment's vote."""
    if action == "propose":
        assert isinstance(obj, Council)
        return council_permissions.can(user, "table_motion", obj)
    if action == "open_vote":
        assert isinstance(obj, Amendment)
        return council_permissions.can(user, "chair", obj.council)
    raise ValueError(f"unknown constitution action {action!r}")


def require(user: Any, action: str, obj: Council | Amendment) -> None:
    if not can(user, action, obj):
        if action == "propose":
            raise PermissionDeniedError(
                "Only voters of the top council may propose a change to the constitution."
            )
        raise PermissionDeniedError(
            "Only the top council's chair or secretary may open the vote on an amendment."
        )
