"""The constitution page: the rules in force in plain language, their history, and amendments."""

from __future__ import annotations

from typing import Any
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
from councils.constitution import actions, permissions, queries
from councils.constitution.plain import LABELS, explain
from councils.constitution.rules import document_changes
from councils.core.rules.constitution import DEFAULTS_VERSION, THRESHOLDS, Constitution
from councils.federation import permissions as council_policy
from councils.motions.models import Motion
from councils.web.views.common import domain_errors, live_page


def _me(request: HttpRequest) -> User:
    """The logged-in user (the views that act are behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


def _history(federation: Any) -> list[dict[str, Any]]:
    """Each version with what changed from the one before (the first: from the defaults), newest first."""
    versions = list(queries.list_versions(federation=federation))
    before = [Constitution().to_document(), *(v.document for v in versions)]
    rows = []
    for previous, version in zip(before, versions, strict=False):
        changes = document_changes(previous, version.document)
        rows.append(
            {
                "version": version,
                "changes": [{"label": LABELS.get(n, n), "old": o, "new": v} for n, o, v in changes],
            }
        )
    return list(reversed(rows))


# The live parts of the constitution page, by the `part` an htmx request names (the first when it names
# none); the template says which events each part follows on the federation's channel.
PARTS = ("rules", "amendments", "history")


def _amendments(viewer: Any, federation: Any) -> list[dict[str, Any]]:
    """The latest amendments, each with what it changes from the version it amended and its motion's title."""
    # Version 0 is the shipped defaults, which an amendment proposed before any adoption changes.
    documents = {DEFAULTS_VERSION: Constitution().to_document()}
    documents.update((v.version, v.document) for v in queries.list_versions(federation=federation))
    amendments = list(queries.list_amendments(federation=federation)[:50])
    titles: dict[UUID | None, str] = dict(
        Motion.objects.filter(uuid__in=[a.motion_uuid for a in amendments if a.motion_uuid]).values_list(
            "uuid", "title"
        )
    )
    rows = []
    for amendment in amendments:
        changes = document_changes(documents[amendment.base_version], amendment.document)
        rows.append(
            {
                "amendment": amendment,
                "motion_title": titles.get(amendment.motion_uuid),
                "changes": [{"label": LABELS.get(n, n), "old": o, "new": v} for n, o, v in changes],
                "may_open": amendment.status == "proposed"
                and permissions.can(viewer, "open_vote", amendment),
            }
        )
    return rows


@require_safe
@domain_errors
def constitution_page(request: HttpRequest) -> HttpResponse:
    federation = queries.federation_for(viewer=request.user, federation_uuid=request.GET.get("federation"))

    def context(part: str | None) -> dict[str, Any]:
        shown: dict[str, Any] = {"federation": federation}
        if part in (None, "rules"):
            rules = queries.constitution_for(federation=federation)
            shown.update(
                current=queries.current_version(federation=federation),
                rules=rules,
                sections=explain(rules),
                may_propose=council_policy.can(
                    request.user, "table_motion", queries.top_council(federation=federation)
                ),
            )
        if part in (None, "amendments"):
            shown["amendments"] = _amendments(request.user, federation)
        if part in (None, "history"):
            shown["history"] = _history(federation)
        return shown

    return live_page(request, "web/constitution/page.html", parts=PARTS, context=context)


def amendment_form(current: Constitution) -> type[forms.Form]:
    """A form with one field per setting, filled in with the values in force."""
    fields: dict[str, forms.Field] = {}
    for name, value in current.to_document().items():
        if name == "version":
            continue
        label = LABELS.get(name, name)
        if name.endswith("_threshold"):
            fields[name] = forms.ChoiceField(
                label=label, choices=[(t, t.replace("_", " ")) for t in THRESHOLDS]
            )
        elif isinstance(getattr(current, name), int):
            fields[name] = forms.IntegerField(label=label, min_value=0)
        elif isinstance(getattr(current, name), str):
            fields[name] = forms.CharField(label=label, max_length=3, required=False)
        else:
            fields[name] = forms.DecimalField(label=label, min_value=0, decimal_places=2, max_digits=12)
        fields[name].initial = value
    fields["explanation"] = forms.CharField(
        label=gettext_lazy("Why the change"), widget=forms.Textarea, required=False, max_length=20_000
    )
    return type("AmendmentForm", (forms.Form,), fields)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def amendment_new(request: HttpRequest) -> HttpResponse:
    federation = queries.federation_for(viewer=request.user, federation_uuid=request.GET.get("federation"))
    # Refused before the form is filled in, not after: the link to it is offered only to those who may.
    permissions.require(request.user, "propose", queries.top_council(federation=federation))
    current = queries.constitution_for(federation=federation)
    form = amendment_form(current)(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        explanation = data.pop("explanation")
        before = current.to_document()
        changes = {k: (str(v) if not isinstance(v, (int, str)) else v) for k, v in data.items()}
        changes = {k: v for k, v in changes.items() if str(before[k]) != str(v)}
        amendment = actions.propose_constitution_amendment(
            actor=_me(request),
            federation=federation,
            changes=changes,
            explanation=explanation,
            now=timezone.now(),
        )
        messages.success(request, _("Your amendment is tabled in the top council; it needs a seconder."))
        return redirect("web:motion", amendment.motion_uuid)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "web/constitution/amend.html", {"form": form, "federation": federation}, status=status
    )


@require_POST
@login_required
@domain_errors
def amendment_open_vote(request: HttpRequest, amendment_id: UUID) -> HttpResponse:
    amendment = queries.access_amendment(viewer=request.user, amendment_uuid=amendment_id)
    actions.open_amendment_vote(actor=_me(request), amendment=amendment, now=timezone.now())
    messages.success(request, _("The vote is open at the majority the constitution requires."))
    return redirect("web:motion", amendment.motion_uuid)


urlpatterns = [
    path("", constitution_page, name="constitution"),
    path("amend/", amendment_new, name="constitution_amend"),
    path("amendments/<uuid:amendment_id>/open-vote/", amendment_open_vote, name="constitution_open_vote"),
]
