from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from councils.accounts.models import User
from councils.elections import queries as election_queries
from councils.federation import queries
from councils.federation.models import Membership, Office, Seat
from councils.meetings import queries as meeting_queries
from councils.membership import queries as membership_queries
from councils.motions import queries as motion_queries


def _my_roles(user: User) -> dict[int, list[str]]:
    """What the person is in each council they take part in, for the badges on the home page."""
    roles: dict[int, list[str]] = {}
    for membership in Membership.objects.filter(user=user, ended_at__isnull=True):
        roles.setdefault(membership.council_id, []).append(str(membership.get_status_display()))
    for seat in Seat.objects.filter(user=user, ended_at__isnull=True).select_related("from_council"):
        roles.setdefault(seat.council_id, []).append(
            str(_("Delegate of %(c)s") % {"c": seat.from_council.name})
        )
    for office in Office.objects.filter(user=user, ended_at__isnull=True):
        roles.setdefault(office.council_id, []).append(str(office.get_role_display()))
    return roles


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """My councils for members; the public councils for everyone else."""
    context: dict[str, Any] = {}
    if request.user.is_authenticated:
        roles = _my_roles(request.user)
        councils = list(queries.list_participant_councils(user=request.user))
        context["my_councils"] = [(council, roles.get(council.id, [])) for council in councils]
        context["open_votes"] = motion_queries.list_open_votes_for(user=request.user)
        context["next_meetings"] = meeting_queries.list_upcoming_for(user=request.user, now=timezone.now())
        # Notice of charges reaches the accused here too, not only by e-mail.
        cases = membership_queries.list_cases_against(user=request.user)
        context["my_cases"] = [c for c in cases if c.is_open]
        context["open_elections"] = list(election_queries.list_upcoming_for(user=request.user)[:5])
        # A candidate member is told what they may not do yet, and whether their admission is decided.
        context["candidacy"] = membership_queries.current_candidacy(user=request.user)
    else:
        context["public_councils"] = queries.list_visible_councils(viewer=None).filter(parent__isnull=True)
    return render(request, "web/home.html", context)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """The site's icon where browsers look for it on pages that name none: the record's plain-text ones."""
    return redirect(static("web/favicon.svg"), permanent=True)


urlpatterns = [path("", home, name="home"), path("favicon.ico", favicon, name="favicon")]
