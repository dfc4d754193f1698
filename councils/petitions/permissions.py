"""Who may start, sign and back agenda petitions, and propose changes to forced items."""

from __future__ import annotations

from typing import Any

from councils.core.errors import PermissionDeniedError
from councils.federation import queries
from councils.federation.models import Council
from councils.petitions.models import AgendaPetition


def can(user: Any, action: str, obj: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if action in {"start", "propose_support", "propose_change"}:
        assert isinstance(obj, Council)
        return queries.is_voter(user=user, council=obj)
    if action == "sign":
        assert isinstance(obj, AgendaPetition)
        return obj.signers.filter(user=user).exists() and queries.is_voter(user=user, council=obj.council)
    raise ValueError(f"unknown petitions action {action!r}")


def require(user: Any, action: str, obj: Any) -> None:
    if can(user, action, obj):
        return
    messages = {
        "start": "Only members with a vote in {name} can petition for an item on its agenda.",
        "sign": (
            "Only the members of {name} who had a vote when this petition started can sign it, "
            "each for themselves."
        ),
        "propose_support": "Only members with a vote in {name} can propose that it backs this petition.",
        "propose_change": "Only members with a vote in {name} can propose a change to its agenda.",
    }
    council = obj.council if isinstance(obj, AgendaPetition) else obj
    raise PermissionDeniedError(messages[action].format(name=council.name))
