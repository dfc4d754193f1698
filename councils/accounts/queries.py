"""Reads of accounts: who is acting, and invitations a council has sent."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from councils.accounts.models import Invitation, User
from councils.federation.models import Council


def list_invitations(*, council: Council) -> QuerySet[Invitation]:
    """Invitations sent to join `council`, newest first; only its officers may see them."""
    return (
        Invitation.objects.filter(council_uuid=council.uuid)
        .select_related("invited_by", "accepted_by")
        .order_by("-created_at", "-id")
    )


def acting_user(request: HttpRequest) -> User:
    """The authenticated caller of a write; login and API auth have already run."""
    user = request.user
    assert isinstance(user, User)
    return user
