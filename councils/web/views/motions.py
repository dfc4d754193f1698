"""Motion pages: table, second, amend, vote (plain forms; htmx and live updates enhance), close, forward."""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from councils.accounts.queries import acting_user
from councils.core.errors import InvalidInputError
from councils.core.rules import polls
from councils.core.rules import votes as rules
from councils.federation import permissions as council_policy
from councils.federation import queries as federation_queries
from councils.mandates import queries as mandate_queries
from councils.meetings import queries as meeting_queries
from councils.membership import queries as membership_queries
from councils.motions import actions, permissions, queries
from councils.motions.models import Motion, Vote
from councils.web.views.common import domain_errors

# A closed vote's outcome as the vote box words it.
OUTCOMES = {
    rules.ADOPTED: gettext_lazy("adopted"),
    rules.REJECTED: gettext_lazy("rejected"),
    rules.NO_QUORUM: gettext_lazy("no quorum, nothing decided"),
}


class MotionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    text = forms.CharField(label=gettext_lazy("Text of the motion"), widget=forms.Textarea, max_length=50_000)
    seconds_required = forms.IntegerField(
        label=gettext_lazy("Seconders needed"),
        help_text=gettext_lazy(
            "Other members with a vote who must second it before it can be put to the vote."
        ),
        min_value=0,
        max_value=50,
        initial=1,
    )


class AmendmentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("New full text proposed"), widget=forms.Textarea, max_length=50_000
    )


class OpenVoteForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=Vote.Method.choices)
    threshold = forms.ChoiceField(label=gettext_lazy("Needed to pass"), choices=Vote.Threshold.choices)
    quorum = forms.IntegerField(
        label=gettext_lazy("Quorum (ballots, abstentions count)"),
        help_text=gettext_lazy(
            "The fewest ballots for the vote to decide anything. "
            "Leave it empty for no quorum: the vote decides however few members take part."
        ),
        min_value=1,
        required=False,
    )
    # Shown for a named vote only (councils.css hides it while "Secret ballot" is chosen); without that
    # style the box may be sent with a secret ballot, and open_vote ignores it, as the API does.
    allow_change = forms.BooleanField(
        label=gettext_lazy("Members may change a named vote until it closes"),
        help_text=gettext_lazy("A secret ballot cannot be changed once cast."),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, electorate: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if electorate:
            # The browser stops a quorum nobody could reach; open_vote checks it again on the electorate
            # it freezes, which may have changed since the page was drawn.
            quorum = self.fields["quorum"]
            quorum.widget.attrs["max"] = electorate
            at_most = ngettext(
                "At most %(n)d: the council has %(n)d member with a vote.",
                "At most %(n)d: the council has %(n)d members with a vote.",
                electorate,
            )
            quorum.help_text = f"{quorum.help_text} {at_most % {'n': electorate}}"


def render_diff(old: str, new: str) -> SafeString:
    """The amendment as <del>/<ins> over the text it amends, escaped word by word.

    Screen readers announce neither tag, and a word replaced runs into its replacement
    ("the nightevery"), so each change also says, to them alone, what it is.
    """
    said = {"delete": ("del", _("deleted")), "insert": ("ins", _("inserted"))}
    parts: list[str] = []
    previous = "equal"
    for op, text in rules.word_diff(old, new):
        if op == "equal":
            parts.append(escape(text))
        else:
            tag, label = said[op]
            # A replacement is a deletion and an insertion with nothing between them.
            gap = " " if previous != "equal" else ""
            parts.append(
                f'<{tag}><span class="visually-hidden">{gap}({escape(label)}: </span>{escape(text)}'
                f'<span class="visually-hidden">)</span></{tag}>'
            )
        previous = op
    # Every piece is escaped above.
    return mark_safe("".join(parts))


def _vote_context(request: HttpRequest, vote: Vote | None) -> dict[str, Any]:
    if vote is None:
        return {"vote": None}
    user = request.user
    live = queries.live_counts(vote=vote)
    eligible = vote.is_open and permissions.can(user, "vote", vote)
    party = permissions.is_party(user, vote)
    return {
        "vote": vote,
        "live": live,
        "result": queries.result_of(vote=vote),
        "eligible": eligible,
        "party": party,
        # Told why they may not vote here: a candidate member votes once admitted.
        "candidacy": membership_queries.current_candidacy(user=user, council=vote.motion.council)
        if vote.is_open and not eligible and not party and user.is_authenticated
        else None,
        "voted": queries.has_voted(vote=vote, user=user),
        "my_choice": queries.my_named_choice(vote=vote, user=user),
        "may_close": vote.is_open and permissions.can(user, "close_vote", vote),
        # The button says why it waits rather than letting the officer meet a refusal.
        "closes_early_refused": vote.is_open
        and polls.closes_too_early(
            closes_at=vote.closes_at,
            at=timezone.now(),
            turnout=live["turnout"],
            electorate=vote.electorate_size,
        ),
        "batch_size": _batch_size(),
        # A fresh key per rendered form: a resubmitted form is a retry, not a second ballot.
        "idempotency_key": uuid_lib.uuid4().hex,
    }


def _batch_size() -> int:
    from django.conf import settings

    return int(settings.COUNCILS_SECRET_BATCH_SIZE)


def _electorate(motion: Motion) -> int:
    """How many have a vote on the motion if it is put now: the largest quorum the vote could reach."""
    return federation_queries.list_voters(council=motion.council).count()


def _is_forwardable(motion: Motion) -> bool:
    """Whether the motion may go up to the council above: an ordinary motion adopted, below the top."""
    return (
        motion.state == Motion.State.ADOPTED
        and motion.kind == Motion.Kind.ORDINARY
        and motion.council.parent_id is not None
    )


def _context(request: HttpRequest, motion: Motion, **extra: Any) -> dict[str, Any]:
    user = request.user
    council = motion.council
    may_open = motion.state == Motion.State.SECONDED and permissions.can(user, "open_vote", motion)
    names = federation_queries.can_see_names(viewer=user, council=council)
    amendments = [(a, render_diff(a.base_text, a.text)) for a in queries.list_amendments(motion=motion)]
    origin = motion.forwarded_from
    subject = membership_queries.subject_of_motion(motion=motion, viewer=user)
    formed = getattr(subject, "council", None) if motion.kind == Motion.Kind.FORMATION else None
    return {
        "motion": motion,
        "diff": render_diff(motion.base_text, motion.text) if motion.amends_id else "",
        "names": names,
        "seconders": queries.list_seconders(motion=motion) if names else [],
        "amendments": amendments,
        "votes": list(queries.list_votes(motion=motion)),
        "origin_result": queries.result_of(vote=v)
        if origin and (v := queries.decisive_vote(motion=origin))
        else None,
        "forwarded_to": Motion.objects.filter(forwarded_from=motion).select_related("council").first(),
        "recorded": queries.list_decision_entries(motion=motion),
        "meetings": meeting_queries.list_meetings_taking_up(motion=motion),
        "recall": mandate_queries.recall_of_motion(motion=motion),
        "subject": subject,
        "formed": formed
        if formed is not None and federation_queries.can_view_council(viewer=user, council=formed)
        else None,
        "may_second": motion.state == Motion.State.DRAFT
        and motion.tabled_by_id != getattr(user, "id", None)
        and permissions.can(user, "second", motion),
        "may_amend": motion.is_amendable
        and motion.state in (Motion.State.DRAFT, Motion.State.SECONDED)
        and permissions.can(user, "amend", motion),
        "may_open": may_open,
        # While an amendment is being voted on, neither its motion nor another amendment may be put.
        "amendment_in_vote": queries.get_amendment_in_vote(motion=motion.amends or motion)
        if may_open
        else None,
        # A seconded amendment is put before its motion: the chair is sent to it instead of the form.
        "awaiting_vote": list(queries.list_amendments_awaiting_vote(motion=motion))
        if may_open and motion.amends_id is None
        else [],
        "may_forward": _is_forwardable(motion) and permissions.can(user, "forward", motion),
        "may_withdraw": motion.state in (Motion.State.DRAFT, Motion.State.SECONDED)
        and motion.tabled_by_id is not None
        and permissions.can(user, "withdraw", motion),
        "amend_form": extra.pop("amend_form", None) or AmendmentForm(initial={"text": motion.text}),
        "open_form": extra.pop("open_form", None)
        or OpenVoteForm(
            initial={"method": rules.default_method(is_base=council.is_base), "allow_change": True},
            electorate=_electorate(motion) if may_open else None,
        ),
        **_vote_context(request, queries.current_vote(motion=motion)),
        **extra,
    }


@require_safe
@domain_errors
def motion_detail(request: HttpRequest, motion_id: UUID) -> HttpResponse:
    motion = queries.access_motion(viewer=request.user, motion_uuid=motion_id)
    return render(request, "web/motions/detail.html", _context(request, motion))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def motion_new(request: HttpRequest, council_id: UUID) -> HttpResponse:
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    council_policy.require(request.user, "table_motion", council)
    form = MotionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            motion = actions.table_motion(
                actor=acting_user(request), council=council, now=timezone.now(), **form.cleaned_data
            )
        except InvalidInputError as exc:
            # Said beside the form, which keeps the text typed (more seconders than the council has).
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your motion is tabled."))
            return redirect("web:motion", motion.uuid)
    status = 422 if request.method == "POST" else 200
    return render(request, "web/motions/new.html", {"council": council, "form": form}, status=status)


def _motion_for_post(request: HttpRequest, motion_id: UUID) -> Motion:
    return queries.access_motion(viewer=request.user, motion_uuid=motion_id)


@require_POST
@login_required
@domain_errors
def motion_second(request: HttpRequest, motion_id: UUID) -> HttpResponse:
    motion = actions.second_motion(
        actor=acting_user(request), motion=_motion_for_post(request, motion_id), now=timezone.now()
    )
    messages.success(
        request, _("You seconded the amendment.") if motion.amends_id else _("You seconded the motion.")
    )
    return redirect("web:motion", motion.uuid)


@require_POST
@login_required
@domain_errors
def motion_amend(request: HttpRequest, motion_id: UUID) -> HttpResponse:
    motion = _motion_for_post(request, motion_id)
    form = AmendmentForm(request.POST)
    if form.is_valid():
        try:
            amendment = actions.propose_amendment(
                actor=acting_user(request), motion=motion, text=form.cleaned_data["text"], now=timezone.now()
            )
        except InvalidInputError as exc:
            # Said beside the text, which is kept as typed (an amendment that changes nothing).
            form.add_error("text", exc.message)
    if form.errors:
        return render(
            request, "web/motions/detail.html", _context(request, motion, amend_form=form), status=422
        )
    messages.success(request, _("Your amendment is proposed; it needs a seconder."))
    return redirect("web:motion", amendment.uuid)


@require_POST
@login_required
@domain_errors
def motion_open_vote(request: HttpRequest, motion_id: UUID) -> HttpResponse:
    motion = _motion_for_post(request, motion_id)
    form = OpenVoteForm(request.POST, electorate=_electorate(motion))
    if form.is_valid():
        try:
            actions.open_vote(
                actor=acting_user(request), motion=motion, now=timezone.now(), **form.cleaned_data
            )
        except InvalidInputError as exc:
            # Said beside the form, which keeps what was chosen (a quorum larger than the electorate).
            form.add_error(None, exc.message)
    if form.errors:
        return render(
            request, "web/motions/detail.html", _context(request, motion, open_form=form), status=422
        )
    messages.success(request, _("The vote is open."))
    return redirect("web:motion", motion.uuid)


@require_POST
@login_required
@domain_errors
def motion_forward(request: HttpRequest, motion_id: UUID) -> HttpResponse:
    incoming = actions.forward_motion(
        actor=acting_user(request), motion=_motion_for_post(request, motion_id), now=timezone.now()
    )
    messages.success(
        request, _("The motion is forwarded to %(council)s.") % {"council": incoming.council.name}
    )
    return redirect("web:motion", motion_id)


@require_safe
@login_required
@domain_errors
def motion_forward_confirm(request: HttpRequest, motion_id: UUID) -> HttpResponse:
    """The step before forwarding an adopted motion: how it was adopted, and that it goes up for good."""
    motion = queries.access_motion(viewer=request.user, motion_uuid=motion_id)
    permissions.require(request.user, "forward", motion)
    parent = motion.council.parent
    if parent is None or not _is_forwardable(motion):
        messages.info(request, _("This motion is not one to forward."))
        return redirect("web:motion", motion.uuid)
    decisive = queries.decisive_vote(motion=motion)
    context = {
        "heading": _("Forward “%(title)s” to %(parent)s?") % {"title": motion.title, "parent": parent.name},
        "motion": motion,
        "result": queries.result_of(vote=decisive) if decisive else None,
        "ready": True,
        "action": reverse("web:motion_forward", args=[motion.uuid]),
        "back": reverse("web:motion", args=[motion.uuid]),
    }
    return render(request, "web/motions/forward.html", context)


@require_safe
@login_required
@domain_errors
def motion_withdraw_confirm(request: HttpRequest, motion_id: UUID) -> HttpResponse:
    """The step before withdrawing a motion: it leaves the council's business for good."""
    motion = queries.access_motion(viewer=request.user, motion_uuid=motion_id)
    permissions.require(request.user, "withdraw", motion)
    if motion.state not in (Motion.State.DRAFT, Motion.State.SECONDED):
        messages.info(request, _("This motion can no longer be withdrawn."))
        return redirect("web:motion", motion.uuid)
    context = {
        "heading": _("Withdraw “%(title)s”?") % {"title": motion.title},
        "motion": motion,
        "amendments": queries.list_amendments(motion=motion).filter(state__in=Motion.OPEN_STATES).count(),
        "ready": True,
        "action": reverse("web:motion_withdraw", args=[motion.uuid]),
        "back": reverse("web:motion", args=[motion.uuid]),
    }
    return render(request, "web/motions/withdraw.html", context)


@require_POST
@login_required
@domain_errors
def motion_withdraw(request: HttpRequest, motion_id: UUID) -> HttpResponse:
    motion = actions.withdraw_motion(
        actor=acting_user(request), motion=_motion_for_post(request, motion_id), now=timezone.now()
    )
    messages.success(request, _("The motion is withdrawn."))
    return redirect("web:motion", motion.uuid)


@require_POST
@login_required
@domain_errors
def vote_cast(request: HttpRequest, vote_id: UUID) -> HttpResponse:
    vote = queries.access_vote(viewer=request.user, vote_uuid=vote_id)
    choice = request.POST.get("choice", "")
    receipt = actions.cast_vote(
        actor=acting_user(request),
        vote=vote,
        choice=choice,
        now=timezone.now(),
        idempotency_key=request.POST.get("idempotency_key") or None,
    )
    if request.headers.get("HX-Request"):
        context = {"motion": vote.motion, "receipt": receipt, **_vote_context(request, vote)}
        return render(request, "web/motions/detail.html#vote-box", context)
    # The same words as the vote box: a secret ballot's receipt, with the warning that it is shown once.
    messages.success(request, render_to_string("web/motions/_receipt.html", {"receipt": receipt}, request))
    return redirect("web:motion", vote.motion.uuid)


@require_POST
@login_required
@domain_errors
def vote_close(request: HttpRequest, vote_id: UUID) -> HttpResponse:
    vote = queries.access_vote(viewer=request.user, vote_uuid=vote_id)
    result = actions.close_vote(actor=acting_user(request), vote=vote, now=timezone.now())
    messages.success(request, _("The vote is closed: %(outcome)s.") % {"outcome": OUTCOMES[result.outcome]})
    return redirect("web:motion", vote.motion.uuid)


@require_safe
@login_required
@domain_errors
def vote_close_confirm(request: HttpRequest, vote_id: UUID) -> HttpResponse:
    """The step before closing a vote: how far it has got and what closing does, or why it must wait."""
    vote = queries.access_vote(viewer=request.user, vote_uuid=vote_id)
    permissions.require(request.user, "close_vote", vote)
    if not vote.is_open:
        messages.info(request, _("The vote is already closed."))
        return redirect("web:motion", vote.motion.uuid)
    live = queries.live_counts(vote=vote)
    context = {
        "heading": _("Close the vote on “%(title)s”?") % {"title": vote.motion.title},
        "vote": vote,
        "motion": vote.motion,
        "live": live,
        "not_voted": max(vote.electorate_size - live["turnout"], 0),
        # As on the motion's page: before its closing time a vote closes only once everyone has voted.
        "ready": not polls.closes_too_early(
            closes_at=vote.closes_at,
            at=timezone.now(),
            turnout=live["turnout"],
            electorate=vote.electorate_size,
        ),
        "action": reverse("web:vote_close", args=[vote.uuid]),
        "back": reverse("web:motion", args=[vote.motion.uuid]),
    }
    return render(request, "web/motions/close_vote.html", context)


@require_safe
@domain_errors
def vote_ballots(request: HttpRequest, vote_id: UUID) -> HttpResponse:
    """The published ballot set of a closed secret vote, or the roll call of a named one."""
    vote = queries.access_vote(viewer=request.user, vote_uuid=vote_id)
    council = vote.motion.council
    names = federation_queries.can_see_names(viewer=request.user, council=council)
    context = {
        "vote": vote,
        "motion": vote.motion,
        "result": queries.result_of(vote=vote),
        "ballots": list(queries.list_published_ballots(vote=vote)) if vote.is_secret else [],
        "roll_call": list(queries.list_roll_call(vote=vote))
        if not vote.is_secret and not vote.is_open and names
        else [],
    }
    return render(request, "web/motions/ballots.html", context)


urlpatterns = [
    path("council/<uuid:council_id>/new/", motion_new, name="motion_new"),
    path("<uuid:motion_id>/", motion_detail, name="motion"),
    path("<uuid:motion_id>/second/", motion_second, name="motion_second"),
    path("<uuid:motion_id>/amend/", motion_amend, name="motion_amend"),
    path("<uuid:motion_id>/open-vote/", motion_open_vote, name="motion_open_vote"),
    path("<uuid:motion_id>/forward/", motion_forward, name="motion_forward"),
    path("<uuid:motion_id>/forward/confirm/", motion_forward_confirm, name="motion_forward_confirm"),
    path("<uuid:motion_id>/withdraw/", motion_withdraw, name="motion_withdraw"),
    path("<uuid:motion_id>/withdraw/confirm/", motion_withdraw_confirm, name="motion_withdraw_confirm"),
    path("votes/<uuid:vote_id>/cast/", vote_cast, name="vote_cast"),
    path("votes/<uuid:vote_id>/close/", vote_close, name="vote_close"),
    path("votes/<uuid:vote_id>/close/confirm/", vote_close_confirm, name="vote_close_confirm"),
    path("votes/<uuid:vote_id>/ballots/", vote_ballots, name="vote_ballots"),
]
