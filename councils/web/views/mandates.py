"""Accountability pages: recall petitions, mandates and roll calls, reports back, the register, pay."""

from __future__ import annotations

from functools import cache
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from councils.accounts.queries import acting_user
from councils.constitution import queries as constitution_queries
from councils.core.errors import InvalidInputError
from councils.federation import queries as federation_queries
from councils.federation.models import Council
from councils.mandates import actions, permissions, queries
from councils.mandates.models import Choice
from councils.motions.models import Motion
from councils.web.views.common import domain_errors, live_page
from councils.web.views.petitions import forced_item_context

REGISTER_PAGE_SIZE = 50


class RecallForm(forms.Form):
    seat = forms.UUIDField(required=False, widget=forms.HiddenInput)
    office = forms.UUIDField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Why recall? (optional, shown to members)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20_000,
    )


class MandateForm(forms.Form):
    motion = forms.ChoiceField(label=gettext_lazy("Motion pending in the council above"))
    choice = forms.ChoiceField(label=gettext_lazy("Our delegates must vote"), choices=Choice.choices)


class ReportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your report: what was decided and how you voted"),
        widget=forms.Textarea,
        max_length=20_000,
    )


class PayForm(forms.Form):
    pay = forms.DecimalField(label=gettext_lazy("Monthly pay"), min_value=0, max_digits=10, decimal_places=2)
    expenses = forms.DecimalField(
        label=gettext_lazy("Monthly expenses"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )


def council_section(request: HttpRequest, council: Council) -> dict[str, Any]:
    """What the council page shows of accountability: live recalls, reports owed, forced agenda items."""
    rows = queries.council_summary(council=council, now=timezone.now())
    return {
        "live_recalls": [row for row in rows if row["kind"] == "recall"],
        "reports_due": [row for row in rows if row["kind"] == "report"],
        "forced_items": [row for row in rows if row["kind"] == "item"],
    }


# The parts of a council's accountability page that refresh themselves from the council's live
# stream, by the `part` an htmx request names (the first when it names none); the template says
# which events each part follows. A part's only forms are the one-click recall buttons, whose fields
# are hidden: nothing in them is ever being filled in.
ACCOUNTABILITY_PARTS = ("rollcall", "mandates", "recalls", "reports", "register")


def _accountability_context(request: HttpRequest, council: Council) -> dict[str, Any]:
    """What a council's accountability page shows the viewer.

    Each value the parts read is a function the template calls when it shows it, at most once, so a
    part reads only what it shows: everyone following the page fetches it at once.
    """
    now = timezone.now()
    petitions = cache(lambda: list(queries.list_petitions(council=council)[:50]))

    def live_recalls() -> dict[tuple[str, int], Any]:
        live = [p for p in petitions() if p.is_live]
        return {
            **{("seat", p.seat_id): p for p in live if p.seat_id},
            **{("office", p.office_id): p for p in live if p.office_id},
        }

    def roll_call() -> list[tuple[Any, Any]]:
        live = {p.seat_id: p for p in petitions() if p.is_live and p.seat_id}
        return [(line, live.get(line.seat_id)) for line in queries.list_roll_call(council=council)[:200]]

    def mandates() -> list[tuple[Any, bool]]:
        # The instructions in force (none superseded), each with whether the motion above is still open.
        standing = list(queries.list_mandates(council=council).filter(superseded_at__isnull=True)[:50])
        decided = set(
            Motion.objects.filter(uuid__in=[m.target_motion_uuid for m in standing])
            .exclude(state__in=Motion.OPEN_STATES)
            .values_list("uuid", flat=True)
        )
        return [(m, m.target_motion_uuid in decided) for m in standing]

    return {
        "council": council,
        "petitions": petitions,
        "roll_call": cache(roll_call),
        "mandates": cache(mandates),
        "reports": cache(lambda: list(queries.list_reports_due(council=council)[:50])),
        "register": cache(
            lambda: queries.list_register(
                federation_id=council.federation_id, now=now, council_ids=[council.id]
            )
        ),
        "may_recall": cache(lambda: permissions.can(request.user, "start_recall", council)),
        # Each holder with the recall already under way against them, if any: that one is to be signed,
        # and a second would be refused.
        "sent": cache(
            lambda: [
                (s, live_recalls().get(("seat", s.id)))
                for s in federation_queries.list_delegates_sent(council=council)
            ]
        ),
        "offices": cache(
            lambda: [
                (o, live_recalls().get(("office", o.id)))
                for o in federation_queries.list_offices(council=council)
            ]
        ),
        "now": now,
    }


@require_safe
@domain_errors
def council_accountability(request: HttpRequest, council_id: UUID) -> HttpResponse:
    """A council's recalls, roll calls, reports back and offices; to htmx, the part `?part=` names."""
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    return live_page(
        request,
        "web/mandates/council.html",
        parts=ACCOUNTABILITY_PARTS,
        context=lambda part: _accountability_context(request, council),
    )


@require_safe
@domain_errors
def recall_detail(request: HttpRequest, petition_id: UUID) -> HttpResponse:
    petition = queries.access_petition(viewer=request.user, petition_uuid=petition_id)
    context = {
        "petition": petition,
        "signatures": queries.count_signatures(petition=petition),
        "signed": queries.has_signed(petition=petition, user=request.user),
        "may_sign": petition.status == "open" and queries.may_sign(petition=petition, user=request.user),
        "recorded": queries.list_recall_entries(petition=petition),
    }
    return render(request, "web/mandates/recall.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def recall_start(request: HttpRequest) -> HttpResponse:
    """Confirm and start a recall of a seat or an office (one step from the mandate table)."""
    form = RecallForm(request.POST or request.GET or None)
    valid = form.is_valid()
    # A reason refused (too long) is said beside it; only a missing seat or office has nothing to show.
    cleaned = getattr(form, "cleaned_data", {})
    seat_id, office_id = cleaned.get("seat"), cleaned.get("office")
    if bool(seat_id) == bool(office_id):
        raise InvalidInputError(_("Choose the delegate's seat or the office to recall."))
    seat = queries.access_seat(viewer=request.user, seat_uuid=seat_id) if seat_id else None
    office = queries.access_office(viewer=request.user, office_uuid=office_id) if office_id else None
    if request.method == "POST" and valid:
        petition = actions.start_recall(
            actor=acting_user(request),
            seat=seat,
            office=office,
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
        messages.success(request, _("Your recall petition has started and carries your signature."))
        return redirect("web:recall", petition.uuid)
    # The council whose members sign: the one that sent the delegate, or the officer's own.
    council = seat.from_council if seat is not None else office.council if office is not None else None
    context = {"form": form, "seat": seat, "office": office, "council": council}
    status = 422 if request.method == "POST" else 200
    return render(request, "web/mandates/recall_start.html", context, status=status)


@require_POST
@login_required
@domain_errors
def recall_sign(request: HttpRequest, petition_id: UUID) -> HttpResponse:
    petition = queries.access_petition(viewer=request.user, petition_uuid=petition_id)
    actions.sign_recall(actor=acting_user(request), petition=petition, now=timezone.now())
    petition.refresh_from_db()
    if petition.status == "vote":
        messages.success(request, _("Your signature reached the threshold: the recall vote is open."))
    else:
        messages.success(request, _("You signed the recall petition."))
    return redirect("web:recall", petition.uuid)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def mandate_propose(request: HttpRequest, council_id: UUID) -> HttpResponse:
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    permissions.require(request.user, "propose_mandate", council)
    pending = (
        Motion.objects.filter(council=council.parent, state__in=["draft", "seconded", "voting"]).order_by(
            "-tabled_at"
        )
        if council.parent
        else Motion.objects.none()
    )
    form = MandateForm(request.POST or None, initial={"motion": request.GET.get("motion", "")})
    motion_field = form.fields["motion"]
    assert isinstance(motion_field, forms.ChoiceField)
    motion_field.choices = [(str(m.uuid), m.title) for m in pending[:100]]
    if request.method == "POST" and form.is_valid():
        target = pending.get(uuid=form.cleaned_data["motion"])
        proposal = actions.propose_mandate(
            actor=acting_user(request),
            council=council,
            target_motion=target,
            choice=form.cleaned_data["choice"],
            now=timezone.now(),
        )
        messages.success(request, _("The mandate is tabled as a motion of this council."))
        return redirect("web:motion", proposal.motion_uuid)
    status = 422 if request.method == "POST" else 200
    return render(request, "web/mandates/propose.html", {"council": council, "form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def report_submit(request: HttpRequest, report_id: UUID) -> HttpResponse:
    report = queries.access_report_due(viewer=request.user, report_uuid=report_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.submit_report(
            actor=acting_user(request), report=report, text=form.cleaned_data["text"], now=timezone.now()
        )
        messages.success(request, _("Your report is on the council's page."))
        return redirect("web:mandates_council", report.council.uuid)
    status = 422 if request.method == "POST" else 200
    context = {
        "report": report,
        "form": form,
        "overdue": queries.is_overdue(report=report, now=timezone.now()),
        "may_submit": permissions.can(request.user, "submit_report", report),
        **forced_item_context(request, getattr(report, "agenda_item", None), report.council),
    }
    return render(request, "web/mandates/report.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def office_pay(request: HttpRequest, office_id: UUID) -> HttpResponse:
    office = queries.access_office(viewer=request.user, office_uuid=office_id)
    permissions.require(request.user, "declare_pay", office)
    rules = constitution_queries.constitution_for(federation=office.council.federation_id)
    earlier = queries.earlier_pay_currency(office=office, constitution=rules)
    initial = {} if earlier else {"pay": office.declared_pay, "expenses": office.declared_expenses}
    form = PayForm(request.POST or None, initial=initial)
    if rules.pay_currency:
        for field in form.fields.values():
            field.label = f"{field.label} ({rules.pay_currency})"
    if request.method == "POST" and form.is_valid():
        actions.declare_pay(
            actor=acting_user(request), office=office, now=timezone.now(), **form.cleaned_data
        )
        messages.success(request, _("Your declaration is on the register of offices."))
        return redirect("web:register", office.council.uuid)
    context = {"office": office, "form": form, "cap": rules.pay_cap, "rules": rules, "earlier": earlier}
    status = 422 if request.method == "POST" else 200
    return render(request, "web/mandates/pay.html", context, status=status)


@require_safe
@domain_errors
def register(request: HttpRequest, council_id: UUID) -> HttpResponse:
    """The public register of offices of a council, of it and the councils below, or of the federation."""
    anchor = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    scope = request.GET.get("scope", "council")
    lines = queries.list_register_for(viewer=request.user, anchor=anchor, scope=scope, now=timezone.now())
    rules = constitution_queries.constitution_for(federation=anchor.federation_id)
    context = {
        "anchor": anchor,
        "scope": scope,
        "page": Paginator(lines, REGISTER_PAGE_SIZE).get_page(request.GET.get("page")),
        "count": len(lines),
        "rules": rules,
        "cap": rules.pay_cap,
        "breaches": sum(1 for line in lines if line.pay_excess is not None),
        "stale": sum(1 for line in lines if line.currency_differs),
        "flagged": [
            line
            for line in lines
            if line.pay_excess is not None or line.currency_differs or line.reports_overdue
        ],
    }
    return render(request, "web/mandates/register.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        actions.mark_notifications_read(actor=acting_user(request), now=timezone.now())
        return redirect("web:notifications")
    items = queries.list_notifications(user=request.user)[:100]
    return render(request, "web/mandates/notifications.html", {"items": items})


urlpatterns = [
    path("councils/<uuid:council_id>/", council_accountability, name="mandates_council"),
    path("councils/<uuid:council_id>/propose/", mandate_propose, name="mandate_propose"),
    path("recalls/start/", recall_start, name="recall_start"),
    path("recalls/<uuid:petition_id>/", recall_detail, name="recall"),
    path("recalls/<uuid:petition_id>/sign/", recall_sign, name="recall_sign"),
    path("reports/<uuid:report_id>/", report_submit, name="report"),
    path("offices/<uuid:office_id>/pay/", office_pay, name="office_pay"),
    path("register/<uuid:council_id>/", register, name="register"),
    path("notifications/", notifications, name="notifications"),
]
