"""Who may start and sign recalls, propose mandates, report back and declare pay."""

from __future__ import annotations

from typing import Any

from councils.core.errors import PermissionDeniedError
from councils.federation import queries
from councils.federation.models import Council, Office, Seat
from councils.mandates.models import RecallPetition, ReportDue


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can(user: Any, action: str, obj: Any) -> bool:
    """Answer whether `user` may perform `action` on `obj`."""
    if not _authenticated(user):
        return False
    if action in {"start_recall", "propose_mandate"}:
        assert isinstance(obj, Council)
        return queries.is_voter(user=user, council=obj)
    if action == "sign_recall":
        assert isinstance(obj, RecallPetition)
        return obj.signers.filter(user=user).exists() and queries.is_voter(user=user, council=obj.council)
    if action == "submit_report":
        assert isinstance(obj, ReportDue)
        return bool(obj.delegate_id == user.pk)
    if action in {"declare_pay", "resign"}:
        assert isinstance(obj, Office | Seat)
        return bool(obj.user_id == user.pk)
    raise ValueError(f"unknown mandates action {action!r}")


def require(user: Any, action: str, obj: Any) -> None:
    if can(user, action, obj):
        return
    if action == "start_recall":
        raise PermissionDeniedError(
            f"Only members with a vote in {obj.name} can start a recall of the delegates and officers "
            "it elected; no higher council can appoint, veto or remove them."
        )
    if action == "sign_recall":
        raise PermissionDeniedError(
            f"Only the members of {obj.council.name} who had a vote when this petition started can sign it, "
            "each for themselves."
        )
    if action == "propose_mandate":
        raise PermissionDeniedError(f"Only members with a vote in {obj.name} can propose a mandate.")
    if action == "submit_report":
        raise PermissionDeniedError("Only the delegate who owes this report can submit it.")
    if action == "declare_pay":
        raise PermissionDeniedError("Only the holder of an office declares its pay and expenses.")
    if action == "resign":
        raise PermissionDeniedError(
            f"Only the delegate can resign this seat. A higher council can never appoint, veto or remove "
            f"a lower council's delegate: only the members of {obj.from_council.name} can recall them, "
            "by petition and vote."
        )
    raise PermissionDeniedError("You may not do that.")
