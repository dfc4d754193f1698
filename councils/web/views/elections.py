"""Election pages: call, nominate, vote with a ranked ballot that needs no JavaScript, count and results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from councils.accounts.models import User
from councils.accounts.names import told_apart
from councils.accounts.queries import acting_user
from councils.constitution import queries as constitution_queries
from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.core.rules import ballots as rules
from councils.core.rules import polls
from councils.core.tally import METHODS
from councils.core.tally.export import stages_csv
from councils.elections import actions, permissions, queries
from councils.elections.actions import ELECTABLE_ROLES
from councils.elections.models import METHOD_LABELS, Candidacy, Election
from councils.federation.models import Office
from councils.federation.queries import access_council, is_participant, list_voters
from councils.meetings import queries as meeting_queries
from councils.membership import queries as membership_queries
from councils.platforms import queries as platform_queries
from councils.web.views.common import domain_errors, form_uuid, live_page, parse_moment

# The parts of the election page that refresh themselves from its live stream, by the `part` an
# htmx request names (the first when it names none). The ballot and the forms to nominate and to
# open the poll are not among them, so nothing someone is filling in is replaced under them.
LIVE_PARTS = ("turnout", "candidates", "closing")
# Until it is certified or has failed, something may still happen to an election.
LIVE_STATUSES = (Election.Status.NOMINATING, Election.Status.VOTING, Election.Status.CLOSED)


def _context(
    request: HttpRequest,
    election: Election,
    *,
    marked: dict[int, str] | None = None,
    whole: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """The election page; `marked` keeps a refused ballot's preferences (rank to candidacy) on it.

    Without `whole`, the list of those who may be nominated is left out: only the live parts are shown.
    """
    user = request.user
    candidacies = list(queries.list_candidacies(election=election))
    _label(candidacies, viewer=user, council=election.council)
    slates = _slates(user, election, candidacies)
    standing = [c for c in candidacies if c.is_standing]
    may_nominate = (
        whole
        and election.status == Election.Status.NOMINATING
        and permissions.can(user, "nominate", election)
    )
    nominated = {c.candidate_id for c in candidacies}
    voters = (
        list(list_voters(council=election.council).order_by("display_name", "username"))
        if may_nominate
        else []
    )
    turnout = queries.count_turnout(election=election)
    may_run = permissions.can(user, "run", election)
    # The shortest and longest poll the constitution in force allows, told to whoever opens it.
    tells_poll_span = whole and may_run and election.status == Election.Status.NOMINATING
    # How long the poll the rules open lasts, told while nominations they called are open.
    tells_rules_poll = bool(election.nominations_close_at) and election.status == Election.Status.NOMINATING
    # After a failure, how long before the rules call an empty post's election again.
    tells_recall_wait = election.status == Election.Status.FAILED and election.is_by_election
    rules = (
        constitution_queries.constitution_for(federation=election.council.federation_id)
        if tells_poll_span or tells_rules_poll or tells_recall_wait
        else None
    )
    is_elector = whole and queries.is_elector(user=user, election=election)
    return {
        "election": election,
        "is_live": election.status in LIVE_STATUSES,
        "candidacies": candidacies,
        "slates": slates,
        "standing": standing,
        "ranks": [(r, (marked or {}).get(r, "")) for r in range(1, len(standing) + 1)],
        "approved": [],
        "turnout": turnout,
        # The button says why it waits rather than letting the officer meet a refusal.
        "closes_early_refused": election.status == Election.Status.VOTING
        and polls.closes_too_early(
            closes_at=election.closes_at,
            at=timezone.now(),
            turnout=turnout,
            electorate=election.electorate_size,
        ),
        "counted_back": queries.list_withdrawn_at_certification(election=election),
        "is_elector": is_elector,
        # Told why they may not vote here: a candidate member votes once admitted.
        "candidacy": membership_queries.current_candidacy(user=user, council=election.council)
        if whole and election.status == Election.Status.VOTING and not is_elector and user.is_authenticated
        else None,
        "has_voted": whole and queries.has_voted(user=user, election=election),
        "may_nominate": may_nominate,
        "may_run": may_run,
        "meetings": meeting_queries.list_meetings_taking_up(election=election) if whole else [],
        "recorded": queries.list_result_entries(election=election) if whole else [],
        "term_poll_days": rules.term_poll_days if rules and tells_rules_poll else None,
        "term_nomination_days": rules.term_nomination_days if rules and tells_recall_wait else None,
        "poll_min": polls.span(rules.election_poll_min) if rules and tells_poll_span else None,
        "poll_max": polls.span(rules.election_poll_max) if rules and tells_poll_span else None,
        "may_call": election.status == Election.Status.FAILED
        and permissions.can(user, "call", election.council),
        "nominees": told_apart((u for u in voters if u.pk not in nominated), among=voters),
        **extra,
    }


def _label(candidacies: list[Any], *, viewer: Any, council: Any) -> None:
    """Give each candidacy the name to list its candidate by: told apart from a namesake for participants.

    Anyone else reads only the names, as in the council's member list, which they may not see.
    """
    names = [c.candidate.name.casefold() for c in candidacies]
    shared = len(set(names)) < len(names) and is_participant(user=viewer, council=council)
    labels = told_apart(c.candidate for c in candidacies) if shared else None
    for i, candidacy in enumerate(candidacies):
        candidacy.label = labels[i][1] if labels else candidacy.candidate.name


@dataclass(frozen=True)
class ElectionSlate:
    """A platform's slate as the election page shows it: its candidates among this election's, in order."""

    platform: str
    title: str
    candidacies: list[Candidacy]


def _slates(viewer: Any, election: Election, candidacies: list[Any]) -> list[ElectionSlate]:
    """The slates run in the election that `viewer` may read, each candidacy told which name it.

    A slate names members; those not nominated here are left out, as they are not on the ballot.
    """
    by_member = {str(c.candidate.uuid): c for c in candidacies}
    slates = []
    for slate in platform_queries.list_slates_for_election(viewer=viewer, election_uuid=election.uuid):
        named = [by_member[m] for m in slate.candidates if m in by_member]
        if named:
            slates.append(ElectionSlate(slate.platform.name, slate.title, named))
    for candidacy in candidacies:
        candidacy.slates = [s for s in slates if candidacy in s.candidacies]
    return slates


@require_safe
@domain_errors
def election_detail(request: HttpRequest, election_id: UUID) -> HttpResponse:
    """The election page; to htmx, the one live part `?part=` names (the turnout by default)."""
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    return live_page(
        request,
        "web/elections/detail.html",
        parts=LIVE_PARTS,
        context=lambda part: _context(request, election, whole=part is None),
    )


def _seats(text: str) -> int | None:
    """The seats asked for (None for the default), or a refusal naming the field."""
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInputError(_("Seats must be a whole number.")) from None


def _term_end(text: str) -> datetime | None:
    """The last moment of the day a term ends, in UTC (a term ending on a day lasts all of it), or None."""
    if not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(_("The term's end must be a date (YYYY-MM-DD).")) from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@domain_errors
def call_election(request: HttpRequest, council_id: UUID) -> HttpResponse:
    council = access_council(viewer=request.user, council_uuid=council_id)
    permissions.require(request.user, "call", council)
    context = {
        "council": council,
        "methods": [(m, METHOD_LABELS.get(m, m)) for m in METHODS],
        "roles": [(r, Office.Role(r).label) for r in ELECTABLE_ROLES],
        "term_months": constitution_queries.constitution_for(federation=council.federation_id).term_months,
    }
    if request.method == "POST":
        data = request.POST
        try:
            seats = _seats(data.get("seats", ""))
            term_ends_at = _term_end(data.get("term_ends_on", ""))
            election = actions.call_election(
                actor=acting_user(request),
                council=council,
                kind=data.get("kind", ""),
                role=data.get("role", "") if data.get("kind") == "office" else "",
                title=data.get("title", ""),
                seats=seats,
                method=data.get("method") or None,
                is_by_election=bool(data.get("is_by_election")),
                term_ends_at=term_ends_at,
                now=timezone.now(),
            )
        # A term the constitution refuses, or a post already being filled, is said beside the form too,
        # which keeps what was entered.
        except (InvalidInputError, ConflictError) as exc:
            return render(
                request,
                "web/elections/call.html",
                {**context, "error": exc.message, "data": data},
                status=422,
            )
        messages.success(
            request, _("The election is called and nominations are open: nominate the candidates here.")
        )
        return redirect("web:election", election.uuid)
    return render(request, "web/elections/call.html", context)


@require_POST
@login_required
@domain_errors
def nominate(request: HttpRequest, election_id: UUID) -> HttpResponse:
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    # No one chosen is a nomination of oneself; a choice that names no one is refused below.
    chosen = request.POST.get("candidate")
    candidate_uuid = form_uuid(chosen) if chosen else acting_user(request).uuid
    candidate = User.objects.filter(uuid=candidate_uuid, is_active=True).first() if candidate_uuid else None
    if candidate is None:
        raise InvalidInputError(_("Choose a voter of this council to nominate."))
    actions.nominate(actor=acting_user(request), election=election, candidate=candidate, now=timezone.now())
    messages.success(request, _("Nomination recorded."))
    return redirect("web:election", election.uuid)


@require_POST
@login_required
@domain_errors
def answer_nomination(
    request: HttpRequest, election_id: UUID, candidacy_id: UUID, answer: str
) -> HttpResponse:
    candidacy = queries.access_candidacy(viewer=request.user, candidacy_uuid=candidacy_id)
    if candidacy.election.uuid != election_id:
        raise Http404
    if answer == "accept":
        actions.accept_nomination(actor=acting_user(request), candidacy=candidacy, now=timezone.now())
        messages.success(request, _("You accepted the nomination: you stand in this election."))
    else:
        declined = candidacy.accepted_at is None
        actions.withdraw_candidacy(actor=acting_user(request), candidacy=candidacy, now=timezone.now())
        messages.success(
            request, _("You declined the nomination.") if declined else _("You withdrew from this election.")
        )
    return redirect("web:election", candidacy.election.uuid)


@require_POST
@login_required
@domain_errors
def run_step(request: HttpRequest, election_id: UUID, step: str) -> HttpResponse:
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    if step == "open":
        try:
            closes_at = parse_moment(request.POST.get("closes_at", ""))
            actions.open_voting(
                actor=acting_user(request), election=election, closes_at=closes_at, now=timezone.now()
            )
        except InvalidInputError as exc:
            context = _context(
                request, election, open_error=exc.message, closes_at=request.POST.get("closes_at", "")
            )
            return render(request, "web/elections/detail.html", context, status=422)
        messages.success(request, _("Nominations are closed and voting is open."))
        return redirect("web:election", election.uuid)
    act = {"close": actions.close_election, "certify": actions.certify_election}[step]
    election = act(actor=acting_user(request), election=election, now=timezone.now())
    # A failed election's page says at its top why nobody was elected and what comes next.
    if election.status == Election.Status.CLOSED:
        messages.success(request, _("The poll is closed and the ballots are counted."))
    elif election.status == Election.Status.CERTIFIED:
        messages.success(request, _("The result is certified and the elected take up their seats."))
    return redirect("web:election-results", election.uuid)


# What each step that cannot be undone is asked again with, and the state it is taken from.
CONFIRMED_STEPS = {"close": Election.Status.VOTING, "certify": Election.Status.CLOSED}


@require_safe
@login_required
@domain_errors
def run_step_confirm(request: HttpRequest, election_id: UUID, step: str) -> HttpResponse:
    """The step before closing the poll or certifying the result: where it stands and what the step does."""
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    permissions.require(request.user, "run", election)
    if election.status != CONFIRMED_STEPS[step]:
        told = (
            _("The poll is no longer open.")
            if step == "close"
            else _("The result is not awaiting certification.")
        )
        messages.info(request, told)
        return redirect("web:election", election.uuid)
    context: dict[str, Any] = {
        "election": election,
        "action": reverse(f"web:election-{step}", args=[election.uuid]),
        "back": reverse("web:election", args=[election.uuid]),
        "ready": True,
    }
    if step == "close":
        turnout = queries.count_turnout(election=election)
        context |= {
            "heading": _("Close the poll of “%(title)s”?") % {"title": election.title},
            "turnout": turnout,
            "not_voted": max(election.electorate_size - turnout, 0),
            # As on the election's page: before its closing time, a poll closes only once all have voted.
            "ready": not polls.closes_too_early(
                closes_at=election.closes_at,
                at=timezone.now(),
                turnout=turnout,
                electorate=election.electorate_size,
            ),
        }
    else:
        elected = [c for c in queries.list_candidacies(election=election) if c.is_elected]
        _label(elected, viewer=request.user, council=election.council)
        order = {u: i for i, u in enumerate((election.result or {}).get("elected", []))}
        context |= {
            "heading": _("Certify the result of “%(title)s”?") % {"title": election.title},
            "elected": sorted(elected, key=lambda c: order.get(str(c.uuid), len(order))),
        }
    return render(request, f"web/elections/{step}.html", context)


@require_POST
@login_required
@domain_errors
def cast_ballot(request: HttpRequest, election_id: UUID) -> HttpResponse:
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    ranks = (
        sorted(
            (int(k[5:]), str(v)) for k, v in request.POST.items() if k.startswith("rank_") and k[5:].isdigit()
        )
        if election.is_ranked
        else []
    )
    ranking = [str(v) for _, v in ranks if v]
    approvals = [] if election.is_ranked else request.POST.getlist("approve")
    filled = [r for r, v in ranks if v]
    gap = next((r for r in range(1, len(filled) + 1) if r not in filled), None)
    try:
        if gap is not None:
            # As on paper, where a ballot without a 1 is void: never guess what the voter meant.
            raise InvalidInputError(
                _("Number your preferences in order from 1: preference %(gap)d is empty.") % {"gap": gap}
            )
        if "change" in request.POST:
            # Back from the review to the ballot, with the marks kept.
            context = _context(request, election, marked=dict(ranks), approved=approvals)
            return render(request, "web/elections/detail.html", context)
        if request.POST.get("confirm") != "1":
            # The ballot cannot be changed once cast: show the voter what they marked first.
            return _review(request, election, ranks=ranks, approvals=approvals)
        actions.cast_ballot(
            actor=acting_user(request),
            election=election,
            ranking=ranking,
            approvals=approvals,
            now=timezone.now(),
        )
    except InvalidInputError as exc:
        # The rules name candidacies by their identifiers; the voter knows them by name.
        message = exc.message
        for candidacy in queries.list_candidacies(election=election):
            message = message.replace(str(candidacy.uuid), candidacy.candidate.name)
        context = _context(request, election, ballot_error=message, marked=dict(ranks), approved=approvals)
        return render(request, "web/elections/detail.html", context, status=422)
    messages.success(request, _("Your ballot is in. It is secret and cannot be changed."))
    return redirect("web:election", election.uuid)


def _review(
    request: HttpRequest, election: Election, *, ranks: list[tuple[int, str]], approvals: list[str]
) -> HttpResponse:
    """The marked ballot in words, to cast or change; refused, before it is shown, as casting would be."""
    if election.status != Election.Status.VOTING:
        raise ConflictError(_("This election is not taking ballots."))
    polls.check_in_time(closes_at=election.closes_at, now=timezone.now())
    if not queries.is_elector(user=request.user, election=election):
        raise PermissionDeniedError(_("You are not in this election's electorate."))
    if queries.has_voted(user=request.user, election=election):
        raise ConflictError(_("You have already voted in this election."), code="already_voted")
    candidacies = list(queries.list_candidacies(election=election))
    _label(candidacies, viewer=request.user, council=election.council)
    standing = {str(c.uuid): c for c in candidacies if c.is_standing}
    stored = rules.normalise_ballot(
        method=election.method,
        seats=election.seats,
        candidates=list(standing),
        ranking=[v for _, v in ranks if v],
        approvals=approvals,
    )
    context = {
        "election": election,
        "chosen": [standing[level[0]] for level in stored] if election.is_ranked else [],
        "approved": [c for key, c in standing.items() if key in stored[0]] if not election.is_ranked else [],
        "ranks": [(r, v) for r, v in ranks if v],
        "approvals": approvals,
    }
    return render(request, "web/elections/review.html", context)


def _cells(totals: list[str]) -> list[tuple[str, str]]:
    """Each stage's votes with what was transferred to (+) or from (-) the candidate at that stage."""
    cells: list[tuple[str, str]] = []
    previous: Decimal | None = None
    for text in totals:
        value = Decimal(text) if text else None
        change = ""
        if value is not None and previous is not None and value != previous:
            change = f"{value - previous:+}"
        cells.append((text, change))
        previous = value if value is not None else previous
    return cells


@require_safe
@domain_errors
def results(request: HttpRequest, election_id: UUID) -> HttpResponse:
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    if election.result is None:
        return redirect("web:election", election.uuid)
    result = queries.named_result(election=election)
    final = result.stages[-1].totals if result.stages else {}
    top = max((float(v) for v in final.values()), default=0) or 1
    stage_rows = [
        {
            "name": name,
            "cells": _cells([s.totals.get(name, "") for s in result.stages]),
            "elected": name in result.elected,
            "excluded": any(name in s.excluded for s in result.stages),
        }
        for name in result.candidates
    ]
    # The most votes first; a tie by name.
    ordered = sorted(final.items(), key=lambda item: (-Decimal(item[1]), item[0].casefold(), item[0]))
    bars = [{"name": n, "votes": v, "percent": round(100 * float(v) / top)} for n, v in ordered]
    context = {
        "election": election,
        "result": result,
        "rows": stage_rows,
        "bars": bars,
        "transferred_surplus": any(s.transfer_value for s in result.stages),
        "turnout": queries.count_turnout(election=election),
        "counted_back": queries.list_withdrawn_at_certification(election=election),
        "may_certify": election.status == Election.Status.CLOSED
        and permissions.can(request.user, "run", election),
    }
    return render(request, "web/elections/results.html", context)


@require_safe
@domain_errors
def results_csv(request: HttpRequest, election_id: UUID) -> HttpResponse:
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    response = HttpResponse(stages_csv(queries.named_result(election=election)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="election-{election.uuid}-stages.csv"'
    return response


@require_safe
@domain_errors
def ballots_blt(request: HttpRequest, election_id: UUID) -> HttpResponse:
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    response = HttpResponse(queries.export_blt(election=election), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="election-{election.uuid}.blt"'
    return response


urlpatterns = [
    path("call/<uuid:council_id>/", call_election, name="election-call"),
    path("<uuid:election_id>/", election_detail, name="election"),
    path("<uuid:election_id>/nominate/", nominate, name="election-nominate"),
    path(
        "<uuid:election_id>/nominations/<uuid:candidacy_id>/accept/",
        answer_nomination,
        {"answer": "accept"},
        name="election-accept",
    ),
    path(
        "<uuid:election_id>/nominations/<uuid:candidacy_id>/withdraw/",
        answer_nomination,
        {"answer": "withdraw"},
        name="election-withdraw",
    ),
    path("<uuid:election_id>/ballot/", cast_ballot, name="election-ballot"),
    path("<uuid:election_id>/results/", results, name="election-results"),
    path("<uuid:election_id>/stages.csv", results_csv, name="election-stages-csv"),
    path("<uuid:election_id>/ballots.blt", ballots_blt, name="election-blt"),
    *(
        path(f"<uuid:election_id>/{step}/", run_step, {"step": step}, name=f"election-{step}")
        for step in ("open", "close", "certify")
    ),
    *(
        path(
            f"<uuid:election_id>/{step}/confirm/",
            run_step_confirm,
            {"step": step},
            name=f"election-{step}-confirm",
        )
        for step in CONFIRMED_STEPS
    ),
]


def council_section(request: HttpRequest, council: Any) -> dict[str, Any]:
    """What the council page shows of elections: the latest, and whether the viewer may call one."""
    return {
        "elections": list(queries.list_elections(council=council)[:10]),
        "may_call": permissions.can(request.user, "call", council),
    }
