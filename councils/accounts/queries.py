"""Reads of accounts: who is acting, invitations a council has sent, and what is kept about a person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from councils.accounts.models import Invitation, User
from councils.core.ledger.encoding import format_time
from councils.core.rules.digests import DEFAULT_FREQUENCY
from councils.digests.models import DigestPreference
from councils.federation.models import Council
from councils.membership.models import Appeal, Application, DisciplineCase
from councils.motions.models import NamedBallot
from councils.petitions.models import AgendaSignature
from councils.record.queries import indexes_containing


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


def _when(value: datetime | None) -> str | None:
    # As the API writes every time: ISO 8601 in UTC with a Z, to the microsecond.
    return format_time(value) if value is not None else None


def erasure_refusals(*, user: User, yourself: bool = False) -> list[str]:
    """Why `user`'s personal data cannot be erased yet; empty once they have left and nothing is pending.

    `yourself` words the reasons for the person themselves ("You are ..."), otherwise for an operator.
    """
    reasons = []
    for membership in user.memberships.filter(ended_at__isnull=True).select_related("council"):
        reasons.append(
            (
                _("You are still a member of %(council)s (%(status)s).")
                if yourself
                else _("They are still a member of %(council)s (%(status)s).")
            )
            % {"council": membership.council.name, "status": membership.get_status_display()}
        )
    for office in user.offices.filter(ended_at__isnull=True).select_related("council"):
        reasons.append(
            (
                _("You hold the office of %(role)s of %(council)s.")
                if yourself
                else _("They hold the office of %(role)s of %(council)s.")
            )
            % {"role": office.get_role_display().lower(), "council": office.council.name}
        )
    for seat in user.seats.filter(ended_at__isnull=True).select_related("council", "from_council"):
        reasons.append(
            (
                _("You sit for %(sender)s in %(body)s.")
                if yourself
                else _("They sit for %(sender)s in %(body)s.")
            )
            % {"sender": seat.from_council.name, "body": seat.council.name}
        )
    for case in DisciplineCase.objects.filter(membership__user=user).select_related("council"):
        if case.is_open:
            reasons.append(
                (
                    _("Your discipline case in %(council)s is not finished (%(status)s).")
                    if yourself
                    else _("Their discipline case in %(council)s is not finished (%(status)s).")
                )
                % {"council": case.council.name, "status": case.get_status_display()}
            )
        for appeal in case.appeals.filter(status__in=(Appeal.Status.LODGED, Appeal.Status.VOTING)):
            reasons.append(
                (
                    _("Your appeal to %(council)s is not decided yet.")
                    if yourself
                    else _("Their appeal to %(council)s is not decided yet.")
                )
                % {"council": appeal.council.name}
            )
    for application in user.applications.filter(decided_at__isnull=True).exclude(
        status__in=(Application.Status.WITHDRAWN, Application.Status.REJECTED, Application.Status.ADMITTED)
    ):
        reasons.append(
            (
                _("Your application to %(council)s is still open.")
                if yourself
                else _("Their application to %(council)s is still open.")
            )
            % {"council": application.council.name}
        )
    return reasons


def record_indexes_naming(*, user: User) -> list[int]:
    """The log positions of the entries that name `user` by their pseudonym (UUID)."""
    return indexes_containing(str(user.uuid).encode())


def personal_data(*, user: User) -> dict[str, Any]:
    """Everything kept about `user`, as one JSON document: the right of access.

    Secret ballots are never linked to their voters, so no ballot appears here: only that the person
    took part, which the turnout shows anyway, is kept with their name.
    """
    preference = DigestPreference.objects.filter(user=user).first()
    cases = (
        DisciplineCase.objects.filter(membership__user=user)
        .select_related("council")
        .prefetch_related("defences", "appeals__council")
    )
    return {
        "account": {
            "uuid": str(user.uuid),
            "username": user.username,
            "display_name": user.display_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "has_totp": user.has_totp,
        },
        "memberships": [
            {
                "uuid": str(m.uuid),
                "council": m.council.name,
                "status": m.status,
                "joined_at": _when(m.joined_at),
                "full_since": _when(m.full_since),
                "ended_at": _when(m.ended_at),
            }
            for m in user.memberships.select_related("council").order_by("joined_at", "id")
        ],
        "offices": [
            {
                "council": o.council.name,
                "role": o.role,
                "started_at": _when(o.started_at),
                "ended_at": _when(o.ended_at),
                "ended_reason": o.ended_reason,
            }
            for o in user.offices.select_related("council").order_by("started_at", "id")
        ],
        "seats": [
            {
                "council": s.council.name,
                "for_council": s.from_council.name,
                "started_at": _when(s.started_at),
                "ended_at": _when(s.ended_at),
                "ended_reason": s.ended_reason,
            }
            for s in user.seats.select_related("council", "from_council").order_by("started_at", "id")
        ],
        "applications": [
            {
                "uuid": str(a.uuid),
                "council": a.council.name,
                "status": a.status,
                "statement": a.statement,
                "applied_at": _when(a.applied_at),
                "decided_at": _when(a.decided_at),
            }
            for a in user.applications.select_related("council").order_by("applied_at", "id")
        ],
        "cases": [
            {
                "uuid": str(c.uuid),
                "council": c.council.name,
                "status": c.status,
                "penalty": c.penalty,
                "charges": c.charges,
                "charged_at": _when(c.charged_at),
                "hearing_notes": c.hearing_notes,
                "decided_at": _when(c.decided_at),
                "texts_erased_at": _when(c.texts_erased_at),
                "defences": [
                    {"statement": d.statement, "evidence": d.evidence, "submitted_at": _when(d.submitted_at)}
                    for d in c.defences.all()
                ],
                "appeals": [
                    {
                        "council": a.council.name,
                        "status": a.status,
                        "grounds": a.grounds,
                        "lodged_at": _when(a.lodged_at),
                    }
                    for a in c.appeals.all()
                ],
            }
            for c in cases
        ],
        "petitions_signed": [
            {
                "kind": "agenda",
                "petition": str(s.petition.uuid),
                "council": s.petition.council.name,
                "signed_at": _when(s.signed_at),
            }
            for s in AgendaSignature.objects.filter(user=user).select_related("petition__council")
        ]
        + [
            {
                "kind": "recall",
                "petition": str(s.petition.uuid),
                "council": s.petition.council.name,
                "signed_at": _when(s.signed_at),
            }
            for s in user.recall_signatures.select_related("petition__council")
        ],
        "platforms": [
            {"platform": p.platform.name, "joined_at": _when(p.joined_at), "left_at": _when(p.left_at)}
            for p in user.platform_memberships.select_related("platform")
        ],
        "named_votes": [
            {
                "motion": str(b.vote.motion.uuid),
                "title": b.vote.motion.title,
                "choice": b.choice,
                "cast_at": _when(b.cast_at),
                "changed_at": _when(b.changed_at),
            }
            for b in NamedBallot.objects.filter(voter=user)
            .select_related("vote__motion")
            .order_by("cast_at", "id")
        ],
        "digest": {
            "frequency": preference.frequency if preference is not None else DEFAULT_FREQUENCY,
            "sent_at": _when(preference.sent_at if preference is not None else None),
        },
        "tokens": [
            {
                "name": t.name,
                "created_at": _when(t.created_at),
                "last_used_at": _when(t.last_used_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in user.api_tokens.order_by("created_at", "id")
        ],
        "record_entries": record_indexes_naming(user=user),
    }
