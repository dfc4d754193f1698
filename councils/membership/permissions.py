"""Who may do what in admission and discipline. Actions and interfaces ask here."""

from __future__ import annotations

from typing import Any

from councils.core.errors import PermissionDeniedError
from councils.federation import permissions as council_policy
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Membership
from councils.membership.models import Appeal, Application, DisciplineCase


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_full_member(user: Any, council: Council) -> bool:
    if not _authenticated(user):
        return False
    return Membership.objects.filter(
        user=user, council=council, ended_at__isnull=True, status=Membership.Status.FULL
    ).exists()


def can(user: Any, action: str, obj: Council | Application | DisciplineCase | Appeal) -> bool:
    """Answer whether `user` may perform `action` on a council's admissions or a case."""
    if isinstance(obj, Application):
        council = obj.council
        if action == "view":
            return (
                (_authenticated(user) and obj.applicant_id == user.id)
                or federation_queries.is_participant(user=user, council=council)
                or (
                    obj.is_flagged
                    and council.parent is not None
                    and federation_queries.is_participant(user=user, council=council.parent)
                )
            )
        if action == "sponsor":
            return is_full_member(user, council)
        if action == "withdraw":
            return _authenticated(user) and obj.applicant_id == user.id
        if action == "call_vote":
            return council_policy.can(user, "chair", council)
        if action == "call_approval_vote":
            # The council that approves a flagged admission: the one above, or where there is none, itself.
            return council_policy.can(user, "chair", council.parent or council)
    if isinstance(obj, DisciplineCase):
        council = obj.council
        if action == "view":
            return (
                (_authenticated(user) and obj.membership.user_id == user.id)
                or federation_queries.is_participant(user=user, council=council)
                or any(
                    federation_queries.is_participant(user=user, council=a.council) for a in obj.appeals.all()
                )
            )
        if action in {"defend", "appeal"}:
            return _authenticated(user) and obj.membership.user_id == user.id
        if action in {"hold_hearing", "call_vote"}:
            return council_policy.can(user, "chair", council)
        if action == "withdraw":
            return _authenticated(user) and obj.charged_by_id == user.id
        if action == "end_suspension":
            return (_authenticated(user) and obj.membership.user_id == user.id) or council_policy.can(
                user, "chair", council
            )
    if isinstance(obj, Appeal) and action == "call_vote":
        return council_policy.can(user, "chair", obj.council)
    if isinstance(obj, Council):
        if action == "list":
            return federation_queries.is_participant(user=user, council=obj)
        if action == "charge":
            return is_full_member(user, obj)
    raise ValueError(f"unknown membership action {action!r} on {type(obj).__name__}")


MESSAGES = {
    "sponsor": "Only full members of the applicant's council may sponsor an application.",
    "withdraw": "Only the person who made it may withdraw this.",
    "call_vote": "Only the council's chair or secretary may call this vote.",
    "call_approval_vote": "Only the chair or secretary of the council that approves (the council above, or "
    "where there is none this council) may call the approval vote.",
    "defend": "Only the accused member answers the charges.",
    "appeal": "Only the disciplined member may appeal.",
    "hold_hearing": "Only the council's chair or secretary may record the hearing.",
    "end_suspension": "Only the suspended member or the council's chair or secretary may end a suspension.",
    "charge": "Charges are brought by a full member of the accused member's own base council.",
    "list": "Only the council's own members, delegates and officers see its admissions and cases.",
}


def require(user: Any, action: str, obj: Council | Application | DisciplineCase | Appeal) -> None:
    if not can(user, action, obj):
        raise PermissionDeniedError(MESSAGES.get(action, "You may not do that."))
