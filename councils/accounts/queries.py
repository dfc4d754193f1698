"""Reads of accounts: invitations a council has sent."""

from __future__ import annotations

from django.db.models import QuerySet

from councils.accounts.models import Invitation
from councils.federation.models import Council


def list_invitations(*, council: Council) -> QuerySet[Invitation]:
    """Invitations sent to join `council`, newest first; only its officers may see them."""
    return (
        Invitation.objects.filter(council_uuid=council.uuid)
        .select_related("invited_by", "accepted_by")
        .order_by("-created_at", "-id")
    )
