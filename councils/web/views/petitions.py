"""Agenda petition pages: start, sign, have councils back a congress petition, propose changes by vote."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from councils.accounts.queries import acting_user
from councils.federation import queries as federation_queries
from councils.federation.models import Council
from councils.meetings.models import Meeting
from councils.petitions import actions, permissions, queries
from councils.petitions.models import AgendaPetition, ForcedAgendaItem, ItemChangeProposal
from councils.web.views.common import domain_errors


class PetitionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Item for the agenda"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("What the council should discuss"), widget=forms.Textarea, max_length=20_000
    )


class SupportForm(forms.Form):
    council = forms.UUIDField(label=gettext_lazy("Council that should back it"))


class ChangeForm(forms.Form):
    change = forms.ChoiceField(
        label=gettext_lazy("Change to put to the vote"), choices=ItemChangeProposal.Change.choices
    )
    merge_into = forms.ChoiceField(
        label=gettext_lazy("For a merge: the item to merge it with"), required=False, choices=[]
    )

    def __init__(self, *args: Any, item: ForcedAgendaItem | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = queries.list_merge_targets(item) if item is not None else []
        field = self.fields["merge_into"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(str(o.uuid), _merge_label(o)) for o in others]


def _merge_label(item: Any) -> str:
    # Every delegate's report back on one meeting above has the same title: the delegate tells them apart.
    if item.report is None:
        return str(item.title)
    return _("%(title)s (report by %(name)s)") % {"title": item.title, "name": item.report.delegate.name}


def forced_item_context(
    request: HttpRequest, item: ForcedAgendaItem | None, council: Council
) -> dict[str, Any]:
    """What a page showing a forced item of `council` needs: the item and, for its voters, the change form."""
    return {
        "item": item,
        # A status alone ("On a meeting's agenda") leaves members asking which meeting, and when.
        "meeting": Meeting.objects.filter(uuid=item.meeting_uuid).first()
        if item is not None and item.meeting_uuid
        else None,
        "change_form": ChangeForm(item=item),
        "may_propose_change": item is not None and permissions.can(request.user, "propose_change", council),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@domain_errors
def council_petitions(request: HttpRequest, council_id: UUID) -> HttpResponse:
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    form = PetitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        petition = actions.start_agenda_petition(
            actor=acting_user(request), council=council, now=timezone.now(), **form.cleaned_data
        )
        messages.success(request, _("Your petition has started and carries your signature."))
        return redirect("web:petition", petition.uuid)
    context = {
        "council": council,
        "form": form,
        "petitions": queries.list_petitions(council=council)[:50],
        "items": queries.list_items(council=council)[:50],
        "may_start": permissions.can(request.user, "start", council),
    }
    return render(
        request, "web/petitions/council.html", context, status=422 if request.method == "POST" else 200
    )


@require_safe
@domain_errors
def petition_detail(request: HttpRequest, petition_id: UUID) -> HttpResponse:
    petition = queries.access_petition(viewer=request.user, petition_uuid=petition_id)
    item = getattr(petition, "item", None) if petition.status == "forced" else None
    own_council = (
        federation_queries.current_membership(user=request.user) if request.user.is_authenticated else None
    )
    context = {
        "petition": petition,
        **forced_item_context(request, item, petition.council),
        "signatures": petition.signatures.count(),
        "councils": queries.count_supporting_councils(petition=petition),
        "signed": queries.has_signed(petition=petition, user=request.user),
        "may_sign": petition.status == "open" and permissions.can(request.user, "sign", petition),
        "own_council": own_council.council if own_council else None,
        "recorded": queries.list_petition_entries(petition=petition),
    }
    return render(request, "web/petitions/detail.html", context)


@require_POST
@login_required
@domain_errors
def petition_sign(request: HttpRequest, petition_id: UUID) -> HttpResponse:
    petition = queries.access_petition(viewer=request.user, petition_uuid=petition_id)
    actions.sign_agenda_petition(actor=acting_user(request), petition=petition, now=timezone.now())
    petition.refresh_from_db()
    if petition.status == AgendaPetition.Status.FORCED:
        messages.success(
            request, _("Your signature reached the threshold: the item is on the council's agenda.")
        )
    else:
        messages.success(request, _("You signed the petition."))
    return redirect("web:petition", petition.uuid)


@require_POST
@login_required
@domain_errors
def petition_support(request: HttpRequest, petition_id: UUID) -> HttpResponse:
    petition = queries.access_petition(viewer=request.user, petition_uuid=petition_id)
    form = SupportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the council that should back the petition."))
        return redirect("web:petition", petition.uuid)
    council = federation_queries.access_council(
        viewer=request.user, council_uuid=form.cleaned_data["council"]
    )
    support = actions.propose_council_support(
        actor=acting_user(request), petition=petition, council=council, now=timezone.now()
    )
    messages.success(request, _("A motion to back the petition is tabled in your council."))
    return redirect("web:motion", support.motion_uuid)


@require_POST
@login_required
@domain_errors
def item_change_motion(request: HttpRequest, item_id: UUID) -> HttpResponse:
    item = queries.access_item(viewer=request.user, item_uuid=item_id)
    form = ChangeForm(request.POST, item=item)
    if not form.is_valid():
        messages.error(request, _("Choose remove, postpone or merge."))
        if item.petition is None:
            assert item.report is not None
            return redirect("web:report", item.report.uuid)
        return redirect("web:petition", item.petition.uuid)
    proposal = actions.propose_item_change(
        actor=acting_user(request),
        item=item,
        change=form.cleaned_data["change"],
        merge_into=form.cleaned_data["merge_into"] or None,
        now=timezone.now(),
    )
    messages.success(request, _("The change is tabled as a motion; only the council's vote can apply it."))
    return redirect("web:motion", proposal.motion_uuid)


urlpatterns = [
    path("councils/<uuid:council_id>/", council_petitions, name="petitions_council"),
    path("<uuid:petition_id>/", petition_detail, name="petition"),
    path("<uuid:petition_id>/sign/", petition_sign, name="petition_sign"),
    path("<uuid:petition_id>/support/", petition_support, name="petition_support"),
    path("items/<uuid:item_id>/change-motion/", item_change_motion, name="item_change_motion"),
]
