from __future__ import annotations

from functools import cache
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from councils.accounts.names import told_apart
from councils.federation import permissions, queries
from councils.federation.models import Council, Membership
from councils.membership import queries as membership_queries
from councils.motions import queries as motion_queries
from councils.web.views import elections as election_views
from councils.web.views import mandates as mandate_views
from councils.web.views import meetings as meeting_views
from councils.web.views import membership as membership_views
from councils.web.views.common import domain_errors, live_page

# The parts of the council page that refresh themselves from the council's live stream, by the
# `part` an htmx request names (the first when it names none); the template says which events
# each part follows. None of them holds a form.
LIVE_PARTS = (
    "motions",
    "meetings",
    "elections",
    "accountability",
    "admissions",
    "count",
    "offices",
    "sent",
    "seats",
    "children",
    "members",
)


def _context(request: HttpRequest, council: Council) -> dict[str, Any]:
    """What the council page shows the viewer.

    Each value is a function the template calls when it shows it, at most once: a live part reads
    only what it shows, since everyone following the page fetches it at once.
    """
    user = request.user

    def members() -> list[tuple[Membership, str]] | None:
        # Members are named only to the council's own participants, who can tell namesakes apart.
        if council.is_base and queries.is_participant(user=user, council=council):
            memberships = list(queries.list_members(council=council))
            labels = told_apart(m.user for m in memberships)
            return [(m, label) for m, (_user, label) in zip(memberships, labels, strict=True)]
        return None

    children = cache(
        lambda: list(queries.list_visible_councils(viewer=user).filter(parent=council).order_by("name"))
    )
    return {
        "council": council,
        "ancestors": cache(lambda: list(reversed(queries.ancestors(council=council)))),
        "children": children,
        # Delegates come from the councils below; only those the viewer may open are linked.
        "linked_councils": cache(lambda: {c.id for c in children()}),
        "members": cache(members),
        "member_count": cache(lambda: queries.count_voters(council=council)),
        "seats": cache(lambda: list(queries.list_seats(council=council))),
        "delegates_sent": cache(lambda: list(queries.list_delegates_sent(council=council))),
        "offices": cache(lambda: list(queries.list_offices(council=council))),
        # A council its members formed is chaired for a while by a founder, who calls its first elections.
        "interim_chair": cache(
            lambda: (
                membership_queries.interim_chair(council=council)
                if queries.is_participant(user=user, council=council)
                else None
            )
        ),
        "can_vote": cache(lambda: permissions.can(user, "vote", council)),
        "can_invite": cache(lambda: council.is_base and permissions.can(user, "invite", council)),
        "council_motions": cache(lambda: list(motion_queries.list_motions(council=council)[:20])),
        "accountability": cache(lambda: mandate_views.council_section(request, council)),
        "membership_section": cache(lambda: membership_views.council_section(request, council)),
        "election_section": cache(lambda: election_views.council_section(request, council)),
        "meeting_section": cache(lambda: meeting_views.council_section(request, council)),
    }


@require_safe
@domain_errors
def council_detail(request: HttpRequest, council_id: UUID) -> HttpResponse:
    """The council page; to htmx, the one live part `?part=` names (the motions by default)."""
    council = queries.access_council(viewer=request.user, council_uuid=council_id)
    return live_page(
        request,
        "web/councils/detail.html",
        parts=LIVE_PARTS,
        context=lambda part: _context(request, council),
    )


urlpatterns = [path("<uuid:council_id>/", council_detail, name="council")]
