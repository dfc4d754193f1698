"""Admission and due-process pages: apply, sponsor, candidate periods, charges, hearings, appeals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
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
from councils.accounts.names import told_apart
from councils.constitution import queries as constitution_queries
from councils.core.errors import ConflictError, DomainError, InvalidInputError
from councils.core.rules.constitution import Constitution
from councils.core.rules.polls import span
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Membership
from councils.membership import actions, permissions, queries
from councils.membership.models import DisciplineCase
from councils.motions.models import Vote
from councils.web.views.common import domain_errors, live_page


def _me(request: HttpRequest) -> User:
    """The logged-in user (the views that act are behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


class ApplyForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Why you want to join (optional)"),
        widget=forms.Textarea,
        required=False,
        max_length=20_000,
    )


class TransferForm(forms.Form):
    council = forms.ChoiceField(label=gettext_lazy("The base council you move to"))
    statement = forms.CharField(
        label=gettext_lazy("Why you are moving (optional)"),
        widget=forms.Textarea,
        required=False,
        max_length=20_000,
    )


class FormationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the new council"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"),
        choices=[(kind, label) for kind, label in Council.Kind.choices if kind in Council.BASE_KINDS],
        initial=Council.Kind.WORKPLACE,
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who may see it"),
        choices=Council.Visibility.choices,
        initial=Council.Visibility.FEDERATION,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why it should be formed"), widget=forms.Textarea, max_length=20_000
    )


class ChargesForm(forms.Form):
    membership = forms.ChoiceField(label=gettext_lazy("Member charged"))
    charges = forms.CharField(label=gettext_lazy("Written charges"), widget=forms.Textarea, max_length=20_000)
    penalty = forms.ChoiceField(label=gettext_lazy("Penalty sought"), choices=DisciplineCase.Penalty.choices)
    suspension_days = forms.IntegerField(
        label=gettext_lazy("Days of suspension (for a suspension)"),
        min_value=1,
        max_value=3650,
        required=False,
    )
    hearing_at = forms.DateTimeField(
        label=gettext_lazy("Hearing (date and time, UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class DefenceForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Your answer to the charges"), widget=forms.Textarea, max_length=20_000
    )
    evidence_title = forms.CharField(label=gettext_lazy("Evidence: title"), max_length=200, required=False)
    evidence_url = forms.URLField(
        label=gettext_lazy("Evidence: link"), max_length=2000, required=False, assume_scheme="https"
    )
    evidence_text = forms.CharField(
        label=gettext_lazy("Evidence: document text"),
        widget=forms.Textarea,
        required=False,
        max_length=20_000,
    )


class HearingForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Notes of the hearing"), widget=forms.Textarea, required=False, max_length=20_000
    )


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=gettext_lazy("Grounds of appeal"), widget=forms.Textarea, max_length=20_000
    )


class ClosingTimeForm(forms.Form):
    """When a vote the rules keep open (on charges, an appeal or an admission) closes: filled with a
    time just after the earliest allowed."""

    closes_at = forms.DateTimeField(
        label=gettext_lazy("The vote closes at (date and time, UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        required=False,
    )

    def __init__(
        self, data: Any, *, minimum: timedelta, maximum: timedelta, now: datetime, prefix: str
    ) -> None:
        # On the hour, with at least half an hour's grace: the time filled in is still allowed when sent.
        earliest = now + minimum + timedelta(minutes=90)
        initial = earliest.replace(minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
        super().__init__(data, initial={"closes_at": initial}, prefix=prefix)
        self.fields["closes_at"].help_text = _(
            "At least %(min)s and at most %(max)s from now, as the constitution sets; left empty, the vote "
            "closes %(min)s from now. The rules close it then; before then it can be closed only once every "
            "member entitled to vote has voted, so nobody can rush it through."
        ) % {"min": span(minimum), "max": span(maximum)}


def _vote_form(council: Any, *, data: Any = None, prefix: str) -> ClosingTimeForm:
    """The closing time of a vote on charges or on an appeal in `council`."""
    rules = constitution_queries.constitution_for(federation=council.federation_id)
    return ClosingTimeForm(
        data,
        minimum=rules.discipline_poll_min,
        maximum=rules.discipline_poll_max,
        now=timezone.now(),
        prefix=prefix,
    )


def _admission_vote_form(rules: Constitution, *, data: Any = None, prefix: str) -> ClosingTimeForm:
    """The closing time of an admission vote, or of the approval of a flagged admission."""
    return ClosingTimeForm(
        data,
        minimum=rules.admission_poll_min,
        maximum=rules.admission_poll_max,
        now=timezone.now(),
        prefix=prefix,
    )


def _status(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


@require_safe
@login_required
@domain_errors
def membership_home(request: HttpRequest) -> HttpResponse:
    current = federation_queries.current_membership(user=_me(request))
    applications = list(queries.list_my_applications(user=_me(request)))
    context = {
        "applications": applications,
        "candidacy": queries.current_candidacy(user=_me(request)),
        "cases": queries.list_cases_against(user=_me(request)),
        "current": current,
        "may_transfer": current is not None and current.status == Membership.Status.FULL,
    }
    return render(request, "web/membership/home.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def transfer(request: HttpRequest) -> HttpResponse:
    current = federation_queries.current_membership(user=_me(request))
    if current is None:
        raise ConflictError("You are not a member of any council; apply to join one instead.")
    form = TransferForm(request.POST if request.method == "POST" else None)
    councils = queries.list_councils_to_transfer_to(viewer=request.user, membership=current)
    # Nothing is picked for the member: a careless submit would ask the wrong council. Councils of one
    # name under different parents are told apart by the council above them.
    cast(forms.ChoiceField, form.fields["council"]).choices = [
        ("", _("Choose the council")),
        *((str(c.uuid), f"{c.name} ({c.parent.name})" if c.parent else c.name) for c in councils),
    ]
    if request.method == "POST" and form.is_valid():
        application = actions.request_transfer(
            actor=_me(request),
            council=councils.get(uuid=form.cleaned_data["council"]),
            statement=form.cleaned_data["statement"],
            now=timezone.now(),
        )
        messages.success(request, _("Your transfer is asked for. The council you move to will vote on it."))
        return redirect("web:application", application.uuid)
    rules = constitution_queries.constitution_for(federation=current.council.federation_id)
    context = {"current": current, "form": form, "rules": rules}
    return render(request, "web/membership/transfer.html", context, status=_status(request))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def apply(request: HttpRequest, council_id: UUID) -> HttpResponse:
    council = queries.access_council_to_join(viewer=request.user, council_uuid=council_id)
    # Said before the form is filled in, as apply_for_membership would refuse it after: a member is
    # already in, or moves here by a transfer, which the council above may also have to approve.
    current = federation_queries.current_membership(user=_me(request))
    if current is not None and not (
        current.status == Membership.Status.CANDIDATE and current.council_id == council.id
    ):
        raise ConflictError(
            _("You are already a member of %(name)s.") % {"name": current.council.name}
            if current.council_id == council.id
            else _(
                "You are a member of %(name)s: to move to %(other)s, "
                "ask for a transfer on the Membership page."
            )
            % {"name": current.council.name, "other": council.name}
        )
    form = ApplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        application = actions.apply_for_membership(
            actor=_me(request),
            council=council,
            now=timezone.now(),
            **form.cleaned_data,
        )
        messages.success(request, _("Your application is made. Ask two members of standing to sponsor you."))
        return redirect("web:application", application.uuid)
    rules = constitution_queries.constitution_for(federation=council.federation_id)
    context = {"council": council, "form": form, "rules": rules}
    return render(request, "web/membership/apply.html", context, status=_status(request))


@require_safe
@login_required
@domain_errors
def council_page(request: HttpRequest, council_id: UUID) -> HttpResponse:
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    permissions.require(request.user, "list", council)
    context = {
        "council": council,
        "applications": queries.list_applications(council=council)[:100],
        "flagged_below": queries.list_flagged_for_parent(council=council)[:100],
        "cases": queries.list_cases(council=council)[:100],
        "may_charge": council.is_base and permissions.can(request.user, "charge", council),
    }
    return render(request, "web/membership/council.html", context)


def _application_context(
    request: HttpRequest,
    application: Any,
    *,
    vote_form: ClosingTimeForm | None = None,
    approval_form: ClosingTimeForm | None = None,
) -> dict[str, Any]:
    """What the application page shows; a form sent back with errors replaces the empty one."""
    user = request.user
    rules = constitution_queries.constitution_for(federation=application.council.federation_id)
    now = timezone.now()
    may_call = application.status in ("candidate", "awaiting_vote") and permissions.can(
        user, "call_vote", application
    )
    may_call_approval = (
        application.is_flagged
        and application.parent_motion_uuid is None
        and application.status in actions.APPROVABLE
        and permissions.can(user, "call_approval_vote", application)
    )
    return {
        "application": application,
        "sponsors": application.sponsorships.select_related("sponsor"),
        "rules": rules,
        "may_sponsor": application.status == "sponsoring" and permissions.can(user, "sponsor", application),
        "may_withdraw": application.status in actions.WITHDRAWABLE
        and permissions.can(user, "withdraw", application),
        "may_call": may_call,
        "vote_form": (vote_form or _admission_vote_form(rules, prefix="vote")) if may_call else None,
        "may_call_approval": may_call_approval,
        "approval_form": (approval_form or _admission_vote_form(rules, prefix="approval"))
        if may_call_approval
        else None,
        "approval_cutoff": queries.approval_cutoff(application=application),
        "now": now,
    }


@require_safe
@login_required
@domain_errors
def application_detail(request: HttpRequest, application_id: UUID) -> HttpResponse:
    application = queries.access_application(viewer=request.user, application_uuid=application_id)
    return render(request, "web/membership/application.html", _application_context(request, application))


def _application_action(do: Callable[..., Any], message: Any) -> Callable[[HttpRequest, UUID], HttpResponse]:
    @require_POST
    @login_required
    @domain_errors
    def view(request: HttpRequest, application_id: UUID) -> HttpResponse:
        application = queries.access_application(viewer=request.user, application_uuid=application_id)
        do(actor=_me(request), application=application, now=timezone.now())
        messages.success(request, message)
        return redirect("web:application", application.uuid)

    return view


def _application_vote(
    do: Callable[..., Any], message: Any, *, prefix: str
) -> Callable[[HttpRequest, UUID], HttpResponse]:
    """Call the admission vote (`prefix` "vote") or the approval vote ("approval") with its closing time."""

    @require_POST
    @login_required
    @domain_errors
    def view(request: HttpRequest, application_id: UUID) -> HttpResponse:
        application = queries.access_application(viewer=request.user, application_uuid=application_id)
        rules = constitution_queries.constitution_for(federation=application.council.federation_id)
        form = _admission_vote_form(rules, data=request.POST, prefix=prefix)
        if form.is_valid():
            try:
                vote = do(
                    actor=_me(request),
                    application=application,
                    now=timezone.now(),
                    closes_at=form.cleaned_data["closes_at"],
                )
            except InvalidInputError as exc:
                form.add_error("closes_at", exc.message)
            else:
                messages.success(request, message)
                return redirect("web:motion", vote.motion.uuid)
        context = _application_context(request, application, **{f"{prefix}_form": form})
        return render(request, "web/membership/application.html", context, status=422)

    return view


sponsor = _application_action(actions.sponsor_application, gettext_lazy("You sponsored the application."))
withdraw = _application_action(actions.withdraw_application, gettext_lazy("The application is withdrawn."))
call_vote = _application_vote(
    actions.call_admission_vote, gettext_lazy("The admission vote is open."), prefix="vote"
)
call_approval_vote = _application_vote(
    actions.call_approval_vote, gettext_lazy("The approval vote is open."), prefix="approval"
)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def charges_new(request: HttpRequest, council_id: UUID) -> HttpResponse:
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    permissions.require(request.user, "charge", council)
    form = ChargesForm(request.POST if request.method == "POST" else None)
    # By name, so that two who share one are listed side by side, told apart.
    members = sorted(
        (
            m
            for m in federation_queries.list_members(council=council).exclude(user=_me(request))
            if m.status in (Membership.Status.FULL, Membership.Status.CANDIDATE)
        ),
        key=lambda m: (m.user.name.casefold(), m.user.username),
    )
    labels = told_apart(m.user for m in members)
    choices = [(str(m.uuid), label) for m, (_user, label) in zip(members, labels, strict=True)]
    # No one is picked for the officer: charging the first name by mistake notifies the wrong member.
    cast(forms.ChoiceField, form.fields["membership"]).choices = [("", _("Choose the member")), *choices]
    status = _status(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.bring_charges(
                actor=_me(request),
                membership=Membership.objects.get(uuid=data["membership"], council=council),
                charges=data["charges"],
                penalty=data["penalty"],
                suspension_days=data["suspension_days"],
                hearing_at=data["hearing_at"],
                now=timezone.now(),
            )
        except (InvalidInputError, ConflictError) as exc:
            # Said on the form, which keeps what was written: a member already charged is one to pick again.
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("The charges are brought and the member has notice of the hearing."))
            return redirect("web:case", case.uuid)
    rules = constitution_queries.constitution_for(federation=council.federation_id)
    threshold = Vote.Threshold(rules.discipline_threshold).label
    context = {"council": council, "form": form, "rules": rules, "threshold": threshold}
    return render(request, "web/membership/charges.html", context, status=status)


def _case_context(
    request: HttpRequest,
    case: DisciplineCase,
    *,
    defence_form: DefenceForm | None = None,
    appeal_form: AppealForm | None = None,
    vote_form: ClosingTimeForm | None = None,
    appeal_vote_form: ClosingTimeForm | None = None,
) -> dict[str, Any]:
    """What the case page shows; a form sent back with errors replaces the empty one."""
    user = request.user
    now = timezone.now()
    is_open = case.status in ("charged", "heard")
    appeal_until = queries.appeal_deadline(case=case)
    may_appeal = appeal_until is not None and permissions.can(user, "appeal", case)
    suspension = case.status == "upheld" and case.penalty == "suspension"
    may_call = case.status == "heard" and permissions.can(user, "call_vote", case)
    callable_appeals = [
        a for a in case.appeals.all() if a.status == "lodged" and permissions.can(user, "call_vote", a)
    ]
    return {
        "case": case,
        "defences": case.defences.all(),
        "appeals": case.appeals.select_related("council"),
        "defence_form": (defence_form or DefenceForm())
        if is_open and permissions.can(user, "defend", case)
        else None,
        "hearing_form": HearingForm()
        if case.status == "charged" and case.hearing_at <= now and permissions.can(user, "hold_hearing", case)
        else None,
        # Offered only while the window is open; after it the page says that it has passed.
        "appeal_form": (appeal_form or AppealForm())
        if appeal_until is not None and may_appeal and now <= appeal_until
        else None,
        "appeal_until": appeal_until if may_appeal else None,
        "may_call": may_call,
        # The accused and their accuser are left out of the votes on the case and its appeals.
        "is_party": user.is_authenticated and user.id in (case.membership.user_id, case.charged_by_id),
        "vote_form": (vote_form or _vote_form(case.council, prefix="vote")) if may_call else None,
        "may_withdraw": is_open and permissions.can(user, "withdraw", case),
        # The rules refuse to end a suspension before it is served: say when, rather than offer it.
        "may_end": suspension and permissions.can(user, "end_suspension", case),
        "served": suspension and case.suspended_until is not None and case.suspended_until <= now,
        # One appeal at a time awaits its vote: the next may be lodged only once it is dismissed.
        "callable_appeals": callable_appeals,
        "appeal_vote_form": (appeal_vote_form or _vote_form(callable_appeals[0].council, prefix="appeal"))
        if callable_appeals
        else None,
        "now": now,
    }


@require_safe
@login_required
@domain_errors
def case_detail(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    return render(request, "web/membership/case.html", _case_context(request, case))


@require_POST
@login_required
@domain_errors
def case_defence(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    form = DefenceForm(request.POST)
    if not form.is_valid():
        context = _case_context(request, case, defence_form=form)
        return render(request, "web/membership/case.html", context, status=422)
    data = form.cleaned_data
    evidence = []
    if data["evidence_title"] or data["evidence_url"] or data["evidence_text"]:
        evidence.append(
            {"title": data["evidence_title"], "url": data["evidence_url"], "text": data["evidence_text"]}
        )
    actions.submit_defence(
        actor=_me(request),
        case=case,
        statement=data["statement"],
        evidence=evidence,
        now=timezone.now(),
    )
    messages.success(request, _("Your answer and evidence are on file."))
    return redirect("web:case", case.uuid)


@require_POST
@login_required
@domain_errors
def case_hearing(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    form = HearingForm(request.POST)
    notes = form.cleaned_data["notes"] if form.is_valid() else ""
    actions.record_hearing(actor=_me(request), case=case, notes=notes, now=timezone.now())
    messages.success(request, _("The hearing is recorded."))
    return redirect("web:case", case.uuid)


@require_POST
@login_required
@domain_errors
def case_call_vote(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    form = _vote_form(case.council, data=request.POST, prefix="vote")
    if form.is_valid():
        try:
            vote = actions.call_discipline_vote(
                actor=_me(request), case=case, now=timezone.now(), closes_at=form.cleaned_data["closes_at"]
            )
        except InvalidInputError as exc:
            form.add_error("closes_at", exc.message)
        else:
            messages.success(request, _("The council's vote on the charges is open."))
            return redirect("web:motion", vote.motion.uuid)
    context = _case_context(request, case, vote_form=form)
    return render(request, "web/membership/case.html", context, status=422)


@require_POST
@login_required
@domain_errors
def case_withdraw(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    actions.withdraw_charges(actor=_me(request), case=case, now=timezone.now())
    messages.success(request, _("The charges are withdrawn."))
    return redirect("web:case", case.uuid)


@require_POST
@login_required
@domain_errors
def case_end_suspension(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    actions.end_suspension(actor=_me(request), case=case, now=timezone.now())
    messages.success(request, _("The suspension is served; the member's rights are restored."))
    return redirect("web:case", case.uuid)


@require_POST
@login_required
@domain_errors
def case_appeal(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = queries.access_case(viewer=request.user, case_uuid=case_id)
    form = AppealForm(request.POST)
    if not form.is_valid():
        context = _case_context(request, case, appeal_form=form)
        return render(request, "web/membership/case.html", context, status=422)
    actions.lodge_appeal(
        actor=_me(request), case=case, grounds=form.cleaned_data["grounds"], now=timezone.now()
    )
    messages.success(request, _("Your appeal is lodged."))
    return redirect("web:case", case.uuid)


@require_POST
@login_required
@domain_errors
def appeal_call_vote(request: HttpRequest, appeal_id: UUID) -> HttpResponse:
    appeal = queries.access_appeal(viewer=request.user, appeal_uuid=appeal_id)
    form = _vote_form(appeal.council, data=request.POST, prefix="appeal")
    if form.is_valid():
        try:
            vote = actions.call_appeal_vote(
                actor=_me(request),
                appeal=appeal,
                now=timezone.now(),
                closes_at=form.cleaned_data["closes_at"],
            )
        except InvalidInputError as exc:
            form.add_error("closes_at", exc.message)
        else:
            messages.success(request, _("The appeal vote is open."))
            return redirect("web:motion", vote.motion.uuid)
    context = _case_context(request, appeal.case, appeal_vote_form=form)
    return render(request, "web/membership/case.html", context, status=422)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def formation_new(request: HttpRequest, council_id: UUID) -> HttpResponse:
    """Ask a higher council to form a new base council below it, as its first founding member."""
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    form = FormationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            formation = actions.propose_formation(
                actor=_me(request),
                parent=council,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                visibility=form.cleaned_data["visibility"],
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Your proposal is made. Ask the other founding members to consent to it.")
            )
            return redirect("web:formation", formation.uuid)
    rules = constitution_queries.constitution_for(federation=council.federation_id)
    context = {"council": council, "form": form, "rules": rules}
    return render(request, "web/membership/formation_new.html", context, status=_status(request))


@require_safe
@domain_errors
def formation_detail(request: HttpRequest, formation_id: UUID) -> HttpResponse:
    """The proposal page; to htmx, its live part: status, founders and the buttons to consent or withdraw."""
    formation = queries.access_formation(viewer=request.user, formation_uuid=formation_id)

    def context(part: str | None) -> dict[str, Any]:
        founders = queries.list_founders(formation=formation)
        min_founders = queries.min_founders(formation=formation)
        stage = queries.formation_stage(formation=formation)
        return {
            "formation": formation,
            "founders": founders,
            "min_founders": min_founders,
            "more_founders": max(0, min_founders - len(founders)),
            "vote_open": stage == "voting",
            "may_sign": stage == "consent"
            and request.user.is_authenticated
            and request.user not in founders
            and queries.can_found(user=request.user, council=formation.parent),
            "may_withdraw": stage == "consent" and request.user in founders,
        }

    return live_page(request, "web/membership/formation.html", parts=("proposal",), context=context)


@require_POST
@login_required
@domain_errors
def formation_sign(request: HttpRequest, formation_id: UUID) -> HttpResponse:
    formation = queries.access_formation(viewer=request.user, formation_uuid=formation_id)
    actions.sign_formation(actor=_me(request), formation=formation, now=timezone.now())
    messages.success(request, _("You consented to found this council."))
    return redirect("web:formation", formation.uuid)


@require_POST
@login_required
@domain_errors
def formation_withdraw(request: HttpRequest, formation_id: UUID) -> HttpResponse:
    formation = queries.access_formation(viewer=request.user, formation_uuid=formation_id)
    formation = actions.withdraw_formation_consent(
        actor=_me(request), formation=formation, now=timezone.now()
    )
    if formation.is_open:
        messages.success(request, _("You withdrew your consent to found this council."))
    else:
        messages.success(request, _("You withdrew your proposal and its motion."))
    return redirect("web:formation", formation.uuid)


urlpatterns = [
    path("council/<uuid:council_id>/form/", formation_new, name="formation_new"),
    path("formations/<uuid:formation_id>/", formation_detail, name="formation"),
    path("formations/<uuid:formation_id>/sign/", formation_sign, name="formation_sign"),
    path("formations/<uuid:formation_id>/withdraw/", formation_withdraw, name="formation_withdraw"),
    path("", membership_home, name="membership"),
    path("apply/<uuid:council_id>/", apply, name="membership_apply"),
    path("transfer/", transfer, name="membership_transfer"),
    path("council/<uuid:council_id>/", council_page, name="membership_council"),
    path("council/<uuid:council_id>/charges/", charges_new, name="charges_new"),
    path("applications/<uuid:application_id>/", application_detail, name="application"),
    path("applications/<uuid:application_id>/sponsor/", sponsor, name="application_sponsor"),
    path("applications/<uuid:application_id>/withdraw/", withdraw, name="application_withdraw"),
    path("applications/<uuid:application_id>/call-vote/", call_vote, name="application_call_vote"),
    path(
        "applications/<uuid:application_id>/call-approval-vote/",
        call_approval_vote,
        name="application_call_approval",
    ),
    path("cases/<uuid:case_id>/", case_detail, name="case"),
    path("cases/<uuid:case_id>/defence/", case_defence, name="case_defence"),
    path("cases/<uuid:case_id>/hearing/", case_hearing, name="case_hearing"),
    path("cases/<uuid:case_id>/call-vote/", case_call_vote, name="case_call_vote"),
    path("cases/<uuid:case_id>/withdraw/", case_withdraw, name="case_withdraw"),
    path("cases/<uuid:case_id>/end-suspension/", case_end_suspension, name="case_end_suspension"),
    path("cases/<uuid:case_id>/appeal/", case_appeal, name="case_appeal"),
    path("appeals/<uuid:appeal_id>/call-vote/", appeal_call_vote, name="appeal_call_vote"),
]


def council_section(request: HttpRequest, council: Any) -> dict[str, Any]:
    """What the council page shows: flagged admissions (to everyone who sees the council) and links."""
    participant = permissions.can(request.user, "list", council)
    flagged = list(queries.list_open_flagged(council=council)[:50])
    return {
        "flagged": flagged,
        "participant": participant,
        "open_applications": queries.list_applications(council=council, open_only=True).count()
        if participant and council.is_base
        else None,
        "may_form": queries.can_found(user=request.user, council=council),
        "formations": list(queries.list_formations(council=council).filter(status="proposed")[:20])
        if not council.is_base
        else [],
        "may_apply": council.is_base
        and not participant
        and request.user.is_authenticated
        and federation_queries.current_membership(user=_me(request)) is None,
    }
