"""Reads of elections: lists, candidates, turnout, the anonymous ballot set and its export."""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from councils.accounts.models import User
from councils.core.errors import ConflictError, NotFoundError
from councils.core.rules import ballots as rules
from councils.core.tally import CountResult, Stage, Tie
from councils.core.tally import blt as blt_format
from councils.elections import permissions
from councils.elections.models import Ballot, Candidacy, Election, Elector, Participation
from councils.federation.models import Council
from councils.federation.queries import list_visible_councils
from councils.record import queries as record_queries

# The entries of an election's outcome: its count, any recount at certification, its certification or failure.
RESULT_EVENTS = ("election.closed", "election.recounted", "election.certified", "election.failed")


def list_elections(*, council: Council) -> QuerySet[Election]:
    return Election.objects.filter(council=council).select_related("council").order_by("-called_at", "id")


def list_result_entries(*, election: Election) -> list[record_queries.Recorded]:
    """The record entries of the election's outcome, oldest first; none before its poll has ended."""
    if election.status in (Election.Status.NOMINATING, Election.Status.VOTING):
        return []
    return record_queries.list_recorded(
        council_id=election.council_id, events=RESULT_EVENTS, key="election", subject=election.uuid
    )


def list_visible_elections(*, viewer: Any, council: Council | None = None) -> QuerySet[Election]:
    elections = Election.objects.filter(council__in=list_visible_councils(viewer=viewer))
    if council is not None:
        elections = elections.filter(council=council)
    return elections.select_related("council").order_by("-called_at", "id")


def access_election(*, viewer: Any, election_uuid: uuid_lib.UUID | str) -> Election:
    """Return the election, or raise NotFoundError when it is missing or its council is hidden."""
    try:
        election = Election.objects.select_related("council", "council__parent", "council__federation").get(
            uuid=election_uuid
        )
    except (Election.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such election.") from None
    if not permissions.can(viewer, "view", election):
        raise NotFoundError("No such election.")
    return election


def access_candidacy(*, viewer: Any, candidacy_uuid: uuid_lib.UUID | str) -> Candidacy:
    try:
        candidacy = Candidacy.objects.select_related("election", "election__council", "candidate").get(
            uuid=candidacy_uuid
        )
    except (Candidacy.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such nomination.") from None
    if not permissions.can(viewer, "view", candidacy.election):
        raise NotFoundError("No such nomination.")
    return candidacy


def list_candidacies(*, election: Election) -> QuerySet[Candidacy]:
    return (
        Candidacy.objects.filter(election=election)
        .select_related("candidate", "nominated_by")
        .order_by("candidate__display_name", "candidate__username")
    )


def list_standing(*, election: Election) -> list[Candidacy]:
    """Candidates on the ballot: accepted and not withdrawn."""
    return [c for c in list_candidacies(election=election) if c.is_standing]


def list_withdrawn_at_certification(*, election: Election) -> list[Candidacy]:
    """Winners withdrawn after the close because they had lost their vote in the council (a countback).

    Nothing else withdraws a candidacy once voting has closed (docs/elections.md).
    """
    if election.closed_at is None:
        return []
    return list(list_candidacies(election=election).filter(withdrawn_at__gt=election.closed_at))


def count_turnout(*, election: Election) -> int:
    return Participation.objects.filter(election=election).count()


def has_voted(*, user: Any, election: Election) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Participation.objects.filter(election=election, user=user).exists()


def is_elector(*, user: Any, election: Election) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Elector.objects.filter(election=election, user=user).exists()


def _require_counted(election: Election) -> None:
    # Counted: closed, certified, or failed at certification when the countback left nobody.
    if election.result is None:
        raise ConflictError("The ballots are published once voting has closed.", code="election_state")


def list_ballot_rankings(*, election: Election) -> list[list[list[str]]]:
    """The anonymous ballot set, in the box's (random) order."""
    _require_counted(election)
    return list(Ballot.objects.filter(election=election).values_list("ranking", flat=True))


def ballot_candidates(*, election: Election) -> tuple[list[str], list[str]]:
    """Candidacy UUIDs on the ballot, in the order the count and the .blt file number them, and the withdrawn.

    Before voting opens the ballot is whoever has not withdrawn. From then on it is the list frozen
    at opening; someone withdrawn since (a disciplined member) stays on it, and the count passes
    over them to each ballot's next preference.
    """
    on_ballot = election.candidacies.filter(withdrawn_at__isnull=True)
    if election.opened_at is not None:
        on_ballot = election.candidacies.filter(accepted_at__isnull=False).filter(
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=election.opened_at)
        )
    rows = list(on_ballot.order_by("uuid").values_list("uuid", "withdrawn_at"))
    return [str(u) for u, _ in rows], [str(u) for u, at in rows if at is not None]


def export_blt(*, election: Election) -> str:
    """The anonymous ballots as .blt; candidates are named by candidacy UUID, as in the recorded count.

    `councils count FILE --method <method> --seed <seed>` on this text gives the
    recorded result exactly.
    """
    candidates, withdrawn = ballot_candidates(election=election)
    tally_input = rules.tally_election(
        candidates=candidates,
        withdrawn=withdrawn,
        seats=election.seats,
        rankings=list_ballot_rankings(election=election),
        title=election.title,
    )
    return blt_format.dumps(tally_input)


def candidate_names(*, election: Election) -> dict[str, str]:
    """Candidacy UUID → the candidate's display name, for pages and CSV."""
    return {str(c.uuid): c.candidate.name for c in list_candidacies(election=election)}


def result_with_names(*, election: Election) -> dict[str, Any] | None:
    """The recorded count with candidates named for people, for pages and the API."""
    if election.result is None:
        return None
    names = candidate_names(election=election)

    def name(key: str) -> str:
        return names.get(key, key)

    result = election.result
    return {
        **result,
        "elected": [name(c) for c in result["elected"]],
        "stages": [
            {
                **s,
                "totals": {name(k): v for k, v in s["totals"].items()},
                "elected": [name(c) for c in s["elected"]],
                "excluded": [name(c) for c in s["excluded"]],
            }
            for s in result["stages"]
        ],
        "ties": [
            {**t, "tied": [name(c) for c in t["tied"]], "chosen": name(t["chosen"])} for t in result["ties"]
        ],
    }


def recount(*, election: Election) -> CountResult:
    """Count the stored ballot set again with the recorded seed (the full stages, with actions and notes)."""
    from councils.core.tally import count

    _require_counted(election)
    candidates, withdrawn = ballot_candidates(election=election)
    tally_input = rules.tally_election(
        candidates=candidates,
        withdrawn=withdrawn,
        seats=election.seats,
        rankings=list_ballot_rankings(election=election),
        title=election.title,
    )
    return count(tally_input, method=election.method, seed=election.seed)


def named_result(*, election: Election) -> CountResult:
    """The full count with candidacy UUIDs replaced by names (stages keep actions and notes)."""
    result = recount(election=election)
    names = candidate_names(election=election)

    def n(key: str) -> str:
        return names.get(key, key)

    def in_words(text: str) -> str:
        # Stage actions and notes name candidates by candidacy UUID, as counted.
        for key, name in names.items():
            text = text.replace(key, name)
        return text

    return CountResult(
        method=result.method,
        seats=result.seats,
        quota=result.quota,
        seed=result.seed,
        candidates=tuple(n(c) for c in result.candidates),
        elected=tuple(n(c) for c in result.elected),
        stages=tuple(
            Stage(
                number=s.number,
                action=in_words(s.action),
                totals={n(k): v for k, v in s.totals.items()},
                non_transferable=s.non_transferable,
                elected=tuple(n(c) for c in s.elected),
                excluded=tuple(n(c) for c in s.excluded),
                transfer_value=s.transfer_value,
                quota=s.quota,
                notes=tuple(in_words(note) for note in s.notes),
            )
            for s in result.stages
        ),
        ties=tuple(
            Tie(stage=t.stage, kind=t.kind, tied=tuple(n(c) for c in t.tied), chosen=n(t.chosen), by=t.by)
            for t in result.ties
        ),
    )


def list_upcoming_for(*, user: User) -> QuerySet[Election]:
    """Elections open for nominations or voting in the councils where `user` votes, each with whether
    `user` is in its electorate (`may_vote`, frozen when voting opens), has voted (`has_voted`) and
    was nominated by someone else and has yet to accept or decline (`nomination_awaits`)."""
    from councils.federation.queries import list_participant_councils

    return (
        Election.objects.filter(
            council__in=list_participant_councils(user=user),
            status__in=[Election.Status.NOMINATING, Election.Status.VOTING],
        )
        .select_related("council")
        .annotate(
            may_vote=Exists(Elector.objects.filter(election=OuterRef("pk"), user=user)),
            has_voted=Exists(Participation.objects.filter(election=OuterRef("pk"), user=user)),
            nomination_awaits=Exists(
                Candidacy.objects.filter(
                    election=OuterRef("pk"),
                    candidate=user,
                    accepted_at__isnull=True,
                    withdrawn_at__isnull=True,
                )
            ),
        )
        .order_by("-called_at")
    )
