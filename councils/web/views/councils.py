from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from councils.federation import permissions, queries
from councils.motions import queries as motion_queries
from councils.web.views import elections as election_views
from councils.web.views import mandates as mandate_views
from councils.web.views import meetings as meeting_views
from councils.web.views import membership as membership_views
from councils.web.views.common import domain_errors


@require_GET
@domain_errors
def council_detail(request: HttpRequest, council_id: UUID) -> HttpResponse:
    council = queries.access_council(viewer=request.user, council_uuid=council_id)
    is_participant = queries.is_participant(user=request.user, council=council)
    children = list(
        queries.list_visible_councils(viewer=request.user).filter(parent=council).order_by("name")
    )
    context = {
        "council": council,
        "ancestors": list(reversed(queries.ancestors(council=council))),
        "children": children,
        # Delegates come from the councils below; only those the viewer may open are linked.
        "linked_councils": {c.id for c in children},
        "members": queries.list_members(council=council) if is_participant and council.is_base else None,
        "member_count": queries.count_voters(council=council),
        "seats": queries.list_seats(council=council),
        "delegates_sent": queries.list_delegates_sent(council=council),
        "offices": queries.list_offices(council=council),
        "is_participant": is_participant,
        "can_vote": permissions.can(request.user, "vote", council),
        "is_officer": permissions.can(request.user, "chair", council),
        "can_invite": council.is_base and permissions.can(request.user, "invite", council),
        "council_motions": motion_queries.list_motions(council=council)[:20],
        "accountability": mandate_views.council_section(request, council),
        "membership_section": membership_views.council_section(request, council),
        "election_section": election_views.council_section(request, council),
        "meeting_section": meeting_views.council_section(request, council),
    }
    return render(request, "web/councils/detail.html", context)


urlpatterns = [path("<uuid:council_id>/", council_detail, name="council")]
