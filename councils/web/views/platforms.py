"""Platform pages: list and form, join and leave, publish documents, run slates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any, cast
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from councils.accounts.models import User
from councils.constitution.queries import federation_for
from councils.core.errors import InvalidInputError
from councils.elections import queries as election_queries
from councils.elections.models import Candidacy, Election
from councils.federation import queries as federation_queries
from councils.federation.models import Federation
from councils.platforms import actions, permissions, queries
from councils.platforms.models import Platform, PlatformMember
from councils.web.views.common import domain_errors, live_page


def _me(request: HttpRequest) -> User:
    """The logged-in user (the views that act are behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


class PlatformForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    statement = forms.CharField(label=gettext_lazy("Statement"), widget=forms.Textarea, max_length=50_000)


class DocumentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea, max_length=50_000)
    councils = forms.MultipleChoiceField(
        label=gettext_lazy("Send to the members of"), widget=forms.CheckboxSelectMultiple
    )


class ElectionChoiceForm(forms.Form):
    """The first step of running a slate: which election, among those taking nominations or ballots."""

    election = forms.ChoiceField(
        label=gettext_lazy("Election"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Choose one of the elections listed: that one is not taking nominations or ballots."
            )
        },
    )


class SlateForm(forms.Form):
    """The second step: the slate's title and, among the election's nominees, its candidates in order."""

    title = forms.CharField(label=gettext_lazy("Title of the slate"), max_length=200)

    def __init__(self, *args: Any, nominees: list[Candidacy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nominees = nominees
        for candidacy in nominees:
            self.fields[f"place_{candidacy.uuid}"] = forms.IntegerField(
                label=candidacy.candidate.name, required=False, min_value=1, max_value=actions.SLATE_MAX
            )

    def places(self) -> list[tuple[Candidacy, forms.BoundField]]:
        return [(c, self[f"place_{c.uuid}"]) for c in self.nominees]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        placed = [(data[f"place_{c.uuid}"], c) for c in self.nominees if data.get(f"place_{c.uuid}")]
        if not placed and not any(f.startswith("place_") for f in self.errors):
            raise forms.ValidationError(_("Give at least one nominee a place on the slate."))
        taken = Counter(place for place, _c in placed)
        shared = sorted(place for place, n in taken.items() if n > 1)
        if shared:
            raise forms.ValidationError(
                _("Two candidates share place %(place)d: give each their own place.") % {"place": shared[0]}
            )
        data["candidates"] = [str(c.candidate.uuid) for _place, c in sorted(placed, key=lambda p: p[0])]
        return data


@dataclass(frozen=True)
class NamedSlate:
    """A slate as a reader sees it: its election (None when hidden from them) and its candidates' names."""

    title: str
    election: Election | None
    election_uuid: UUID
    candidates: list[str]


def _named_slates(viewer: Any, platform: Platform) -> list[NamedSlate]:
    slates = list(queries.list_slates(platform=platform))
    elections = {
        e.uuid: e
        for e in election_queries.list_visible_elections(viewer=viewer).filter(
            uuid__in={s.election_uuid for s in slates}
        )
    }
    # Candidates are named where their election is, to whoever may see it: a slate for an election in a
    # council hidden from the reader says how many stand in its order, not who.
    shown = {c for s in slates if s.election_uuid in elections for c in s.candidates}
    names = {str(u.uuid): u.name for u in User.objects.filter(uuid__in=shown)} if shown else {}
    return [
        NamedSlate(
            s.title,
            elections.get(s.election_uuid),
            s.election_uuid,
            [names.get(c, c) if s.election_uuid in elections else _("A candidate") for c in s.candidates],
        )
        for s in slates
    ]


def _status(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


# The live parts of the platforms page and of a platform's page, by the `part` an htmx request names
# (the first when it names none); the templates say which events each part follows. Joining and
# leaving publish no event, so the member counts are not live: the moment someone joins stays private.
LIST_PARTS = ("platforms",)
DETAIL_PARTS = ("documents", "slates")


def _followed_federation(user: Any) -> Federation | None:
    """The federation whose live stream the platforms page follows: the viewer's, when they belong to one."""
    federations = list(federation_queries.federations_of(user=user)[:2])
    return federations[0] if len(federations) == 1 else None


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def platform_list(request: HttpRequest) -> HttpResponse:
    """The platforms of the viewer's federation and the form to found one; to htmx, the list alone."""
    form = PlatformForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        federation = federation_for(viewer=request.user, federation_uuid=request.GET.get("federation"))
        platform = actions.found_platform(
            actor=_me(request),
            federation=federation,
            now=timezone.now(),
            **form.cleaned_data,
        )
        messages.success(request, _("The platform is formed; you are its first member."))
        return redirect("web:platform", platform.uuid)

    def context(part: str | None) -> dict[str, Any]:
        return {
            "platforms": queries.list_platforms(viewer=request.user),
            "form": form,
            "followed": _followed_federation(request.user) if part is None else None,
        }

    if request.method == "POST":
        return render(request, "web/platforms/list.html", context(None), status=422)
    return live_page(request, "web/platforms/list.html", parts=LIST_PARTS, context=context)


@require_safe
@login_required
@domain_errors
def platform_detail(request: HttpRequest, platform_id: UUID) -> HttpResponse:
    """A platform's page; to htmx, the one live part `?part=` names (its documents by default)."""
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    user = request.user

    def context(part: str | None) -> dict[str, Any]:
        # Each value is a function the template calls when it shows it, so a part reads only what it shows.
        is_member = cache(lambda: permissions.is_platform_member(user, platform))

        def members() -> list[PlatformMember] | None:
            if not permissions.can(user, "view_members", platform):
                return None
            return list(queries.list_members(viewer=user, platform=platform))

        return {
            "platform": platform,
            "member_count": cache(lambda: queries.count_members(platform=platform)),
            "members": cache(members),
            "is_member": is_member,
            "may_join": cache(lambda: not is_member() and permissions.can(user, "join", platform)),
            "documents": cache(lambda: queries.list_documents(viewer=user, platform=platform)),
            "slates": cache(lambda: _named_slates(user, platform)),
        }

    return live_page(request, "web/platforms/detail.html", parts=DETAIL_PARTS, context=context)


@require_safe
@login_required
@domain_errors
def document_detail(request: HttpRequest, document_id: UUID) -> HttpResponse:
    """One document, for the platform's members and the members of the councils it was sent to."""
    document = queries.access_document(viewer=request.user, document_uuid=document_id)
    return render(
        request, "web/platforms/document.html", {"document": document, "platform": document.platform}
    )


@require_POST
@login_required
@domain_errors
def platform_join(request: HttpRequest, platform_id: UUID) -> HttpResponse:
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    actions.join_platform(actor=_me(request), platform=platform, now=timezone.now())
    messages.success(
        request, _("You joined the platform. Only its members and credentials officers can see that.")
    )
    return redirect("web:platform", platform.uuid)


@require_POST
@login_required
@domain_errors
def platform_leave(request: HttpRequest, platform_id: UUID) -> HttpResponse:
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    actions.leave_platform(actor=_me(request), platform=platform, now=timezone.now())
    messages.success(request, _("You left the platform."))
    return redirect("web:platform", platform.uuid)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def platform_publish(request: HttpRequest, platform_id: UUID) -> HttpResponse:
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    permissions.require(request.user, "publish", platform)
    visible = federation_queries.list_visible_councils(viewer=request.user).filter(
        federation=platform.federation
    )
    form = DocumentForm(request.POST if request.method == "POST" else None)
    cast(forms.MultipleChoiceField, form.fields["councils"]).choices = [
        (str(c.uuid), c.name) for c in visible.order_by("name")
    ]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.publish_document(
            actor=_me(request),
            platform=platform,
            title=data["title"],
            body=data["body"],
            councils=list(visible.filter(uuid__in=data["councils"])),
            now=timezone.now(),
        )
        messages.success(
            request,
            _("The document is published, and the members of the councils you chose are alerted."),
        )
        return redirect("web:platform", platform.uuid)
    context = {"platform": platform, "form": form, "what": _("Publish a document")}
    return render(request, "web/platforms/form.html", context, status=_status(request))


def _slate_elections(viewer: Any, platform: Platform) -> list[Election]:
    """Elections of the platform's federation the viewer can see that take nominations or ballots."""
    return list(
        election_queries.list_visible_elections(viewer=viewer).filter(
            council__federation_id=platform.federation_id,
            status__in=[Election.Status.NOMINATING, Election.Status.VOTING],
        )
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def platform_slate(request: HttpRequest, platform_id: UUID) -> HttpResponse:
    """Run a slate in two steps that need no JavaScript: choose the election, then place its nominees."""
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    permissions.require(request.user, "run_slate", platform)
    elections = _slate_elections(request.user, platform)
    picker = ElectionChoiceForm(request.GET if "election" in request.GET else None)
    cast(forms.ChoiceField, picker.fields["election"]).choices = [
        # A council may call two elections of the same title, even in the same minute: the start of
        # its UUID, which begins the address of the election's page, tells them apart.
        (
            str(e.uuid),
            f"{e.council.name}: {e.title} ({e.get_status_display()}, "
            f"called {e.called_at:%Y-%m-%d %H:%M} UTC, no. {str(e.uuid)[:8]})",
        )
        for e in elections
    ]
    context: dict[str, Any] = {"platform": platform, "picker": picker, "elections": elections}
    if not picker.is_bound or not picker.is_valid():
        status = 422 if picker.is_bound or request.method == "POST" else 200
        return render(request, "web/platforms/slate.html", context, status=status)
    election = next(e for e in elections if str(e.uuid) == picker.cleaned_data["election"])
    nominees = [c for c in election_queries.list_candidacies(election=election) if c.withdrawn_at is None]
    form = SlateForm(request.POST if request.method == "POST" else None, nominees=nominees)
    if request.method == "POST" and form.is_valid():
        try:
            actions.run_slate(
                actor=_me(request),
                platform=platform,
                election_uuid=election.uuid,
                title=form.cleaned_data["title"],
                candidates=form.cleaned_data["candidates"],
                now=timezone.now(),
            )
        except InvalidInputError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The slate is published."))
            return redirect("web:platform", platform.uuid)
    context.update(election=election, form=form)
    return render(request, "web/platforms/slate.html", context, status=_status(request))


urlpatterns = [
    path("", platform_list, name="platforms"),
    path("<uuid:platform_id>/", platform_detail, name="platform"),
    path("<uuid:platform_id>/join/", platform_join, name="platform_join"),
    path("<uuid:platform_id>/leave/", platform_leave, name="platform_leave"),
    path("<uuid:platform_id>/publish/", platform_publish, name="platform_publish"),
    path("<uuid:platform_id>/slate/", platform_slate, name="platform_slate"),
    path("documents/<uuid:document_id>/", document_detail, name="platform_document"),
]
