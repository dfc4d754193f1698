"""Who may see and do what with a platform. Its member list is the sensitive part."""

from __future__ import annotations

from typing import Any

from councils.core.errors import PermissionDeniedError
from councils.federation import queries as federation_queries
from councils.federation.models import Federation, Membership, Office
from councils.platforms.models import Platform, PlatformDocument, PlatformMember


def _authenticated(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_member_of_federation(user: Any, federation: Federation | int) -> bool:
    """A full member of one of the federation's base councils."""
    if not _authenticated(user):
        return False
    federation_id = federation if isinstance(federation, int) else federation.id
    return Membership.objects.filter(
        user=user, ended_at__isnull=True, status=Membership.Status.FULL, council__federation_id=federation_id
    ).exists()


def is_platform_member(user: Any, platform: Platform) -> bool:
    if not _authenticated(user):
        return False
    return PlatformMember.objects.filter(platform=platform, user=user, left_at__isnull=True).exists()


def is_credentials_officer(user: Any, federation: Federation | int) -> bool:
    if not _authenticated(user):
        return False
    federation_id = federation if isinstance(federation, int) else federation.id
    return Office.objects.filter(
        user=user,
        role=Office.Role.CREDENTIALS_OFFICER,
        ended_at__isnull=True,
        council__federation_id=federation_id,
    ).exists()


def can_view_platform(user: Any, platform: Platform) -> bool:
    return federation_queries.federations_of(user=user).filter(id=platform.federation_id).exists()


def can(user: Any, action: str, obj: Platform | PlatformDocument | Federation) -> bool:
    """Answer whether `user` may perform `action` on a platform, a document or (to found one) a federation."""
    if isinstance(obj, Federation):
        if action == "found":
            return is_member_of_federation(user, obj)
        raise ValueError(f"unknown platform action {action!r}")
    if isinstance(obj, PlatformDocument):
        if action == "view":
            return is_platform_member(user, obj.platform) or any(
                federation_queries.is_participant(user=user, council=c) for c in obj.councils.all()
            )
        raise ValueError(f"unknown platform action {action!r}")
    if action == "view":
        return can_view_platform(user, obj)
    if action == "view_members":
        return is_platform_member(user, obj) or is_credentials_officer(user, obj.federation_id)
    if action == "join":
        return is_member_of_federation(user, obj.federation_id)
    if action in {"leave", "publish", "run_slate"}:
        return is_platform_member(user, obj)
    raise ValueError(f"unknown platform action {action!r}")


MESSAGES = {
    "found": "Only full members of the federation may form a platform.",
    "view_members": "A platform's members are known only to its own members and to credentials officers.",
    "join": "Only full members of the federation may join a platform.",
    "leave": "You are not a member of this platform.",
    "publish": "Only the platform's members may publish through it.",
    "run_slate": "Only the platform's members may run a slate for it.",
}


def require(user: Any, action: str, obj: Platform | PlatformDocument | Federation) -> None:
    if not can(user, action, obj):
        raise PermissionDeniedError(MESSAGES.get(action, "You may not do that."))
