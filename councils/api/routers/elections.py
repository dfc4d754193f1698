from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import AwareDatetime

from councils.accounts.models import User
from councils.accounts.queries import acting_user
from councils.api.auth import OPTIONAL
from councils.api.pagination import PageNumber
from councils.api.schemas import CouncilRef, PersonRef, Strict
from councils.core.errors import ConflictError, InvalidInputError, NotFoundError
from councils.core.tally import METHODS
from councils.core.tally.export import stages_csv
from councils.elections import actions, permissions, queries
from councils.elections.models import Candidacy, Election
from councils.federation.queries import access_council

router = Router(tags=["elections"])


class CandidacyOut(Schema):
    uuid: UUID
    person: PersonRef
    nominated_by: PersonRef
    nominated_at: datetime
    accepted: bool
    withdrawn: bool
    standing: bool
    elected: bool

    @staticmethod
    def resolve_person(obj: Candidacy) -> Any:
        return obj.candidate

    @staticmethod
    def resolve_accepted(obj: Candidacy) -> bool:
        return obj.accepted_at is not None

    @staticmethod
    def resolve_withdrawn(obj: Candidacy) -> bool:
        return obj.withdrawn_at is not None

    @staticmethod
    def resolve_standing(obj: Candidacy) -> bool:
        return obj.is_standing

    @staticmethod
    def resolve_elected(obj: Candidacy) -> bool:
        return obj.is_elected


class ElectionOut(Schema):
    uuid: UUID
    council: CouncilRef
    kind: str
    role: str
    title: str
    seats: int
    method: str
    status: str = Field(
        description="nominating, voting, closed (counted), certified, or failed: nobody could be elected "
        "(failure_reason says why) and the council may call a new election"
    )
    failure_reason: str = Field(
        description="why a failed election failed: no_ballots (the poll closed with no ballot cast) or "
        "no_candidates (every candidate withdrew or was withdrawn, before the close or by the countback "
        "at certification); empty otherwise"
    )
    is_by_election: bool
    term_ends_at: datetime | None
    called_at: datetime
    called_by_rules: bool = Field(
        description="true when the rules called it: a by-election filling a vacancy, the election for "
        "the next term when no officer called one before the term's end drew near, or a delegates' "
        "election for a council left without the delegates it is apportioned (called_for)"
    )
    called_for: str = Field(
        description="why the rules called a delegates' election the council was left without: "
        "first_delegates (it never sent a delegate, and no officer called its first election) or "
        "unfilled_seats (a by-election for the seats it is apportioned and has long left unfilled); "
        "empty otherwise"
    )
    nominations_close_at: datetime | None = Field(
        description="in an election the rules run themselves (every election they call: the election "
        "for the next term, or a by-election for a post left empty), when nominations close and the "
        "rules open the poll (unless an officer opened it sooner); null in an election an officer "
        "called, and in a by-election the rules called before they ran by-elections themselves"
    )
    opened_at: datetime | None
    closes_at: datetime | None = Field(
        description="when the poll closes; null for an election opened before polls had a closing time"
    )
    closed_at: datetime | None
    certified_at: datetime | None
    electorate_size: int
    electorate_hash: str
    candidates_hash: str
    ballot_count: int
    ballot_set_hash: str
    seed: str


class YouOut(Schema):
    is_elector: bool
    has_voted: bool
    may_nominate: bool
    may_run: bool


class ElectionDetailOut(ElectionOut):
    turnout: int
    candidates: list[CandidacyOut]
    you: YouOut


class ElectionIn(Strict):
    council: UUID
    kind: str = Field(
        description='"delegates" (to the parent council) or "office"',
        json_schema_extra={"enum": list(Election.Kind.values)},
    )
    role: str = Field(
        "",
        description="the office, for kind office: chair, secretary, treasurer, ...",
        json_schema_extra={"enum": ["", *actions.ELECTABLE_ROLES]},
    )
    title: str = Field("", max_length=200)
    seats: int | None = Field(
        None, ge=1, description="default: the apportioned delegates, or 1 for an office"
    )
    method: str | None = Field(
        None,
        description="default: scottish-stv for several seats, else plurality",
        json_schema_extra={"enum": [*METHODS, None]},
    )
    is_by_election: bool = False
    term_ends_at: datetime | None = None


class ElectionOpenIn(Strict):
    closes_at: AwareDatetime = Field(
        description="when the poll closes, with its time zone: as soon and as late after now as the "
        "constitution allows (election_poll_min_minutes, election_poll_max_days; by default 15 minutes "
        "to 31 days)"
    )


class NominationIn(Strict):
    candidate: UUID = Field(description="the person's UUID; yourself for a self-nomination")


class BallotIn(Strict):
    ranking: list[UUID] = Field(default_factory=list, description="candidacy UUIDs, first preference first")
    approvals: list[UUID] = Field(default_factory=list, description="candidacy UUIDs, for approval/plurality")


class ElectionCastOut(Schema):
    election: UUID
    cast: bool
    message: str


class ElectionResultOut(Schema):
    election: UUID
    status: str
    method: str
    seats: int
    seed: str
    turnout: int
    electorate_size: int
    ballot_count: int
    ballot_set_hash: str
    count: dict[str, Any] = Field(description="the recorded count, candidates by candidacy UUID")
    named: dict[str, Any] = Field(description="the same count with candidates named")
    candidates: dict[str, str] = Field(description="candidacy UUID to name")


def _detail(request: HttpRequest, election: Election) -> dict[str, Any]:
    user = request.user
    return {
        **{f: getattr(election, f) for f in ElectionOut.model_fields if f != "council"},
        "council": election.council,
        "turnout": queries.count_turnout(election=election),
        "candidates": list(queries.list_candidacies(election=election)),
        "you": {
            "is_elector": queries.is_elector(user=user, election=election),
            "has_voted": queries.has_voted(user=user, election=election),
            "may_nominate": permissions.can(user, "nominate", election),
            "may_run": permissions.can(user, "run", election),
        },
    }


@router.get("", response=list[ElectionOut], auth=OPTIONAL, operation_id="elections_list")
@paginate(PageNumber)
def list_elections(request: HttpRequest, council: UUID | None = None) -> Any:
    """Elections in the councils the caller may see, newest first; `?council=` narrows to one."""
    where = access_council(viewer=request.user, council_uuid=council) if council else None
    return queries.list_visible_elections(viewer=request.user, council=where)


@router.post("", response={201: ElectionDetailOut}, operation_id="elections_call")
def call_election(request: HttpRequest, body: ElectionIn) -> Any:
    """Call an election (the council's chair or election officer): nominations open."""
    council = access_council(viewer=request.user, council_uuid=body.council)
    election = actions.call_election(
        actor=acting_user(request),
        council=council,
        kind=body.kind,
        role=body.role,
        title=body.title,
        seats=body.seats,
        method=body.method,
        is_by_election=body.is_by_election,
        term_ends_at=body.term_ends_at,
        now=timezone.now(),
    )
    return Status(201, _detail(request, election))


@router.get("/{election_id}", response=ElectionDetailOut, auth=OPTIONAL, operation_id="elections_get")
def get_election(request: HttpRequest, election_id: UUID) -> Any:
    return _detail(request, queries.access_election(viewer=request.user, election_uuid=election_id))


@router.post("/{election_id}/nominations", response={201: CandidacyOut}, operation_id="elections_nominate")
def nominate(request: HttpRequest, election_id: UUID, body: NominationIn) -> Any:
    """Nominate a voter of the council; nominating yourself also accepts."""
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    candidate = User.objects.filter(uuid=body.candidate, is_active=True).first()
    if candidate is None:
        raise InvalidInputError(f"That person is not a voter of {election.council.name}.")
    return Status(
        201,
        actions.nominate(
            actor=acting_user(request), election=election, candidate=candidate, now=timezone.now()
        ),
    )


def _candidacy(request: HttpRequest, election_id: UUID, candidacy_id: UUID) -> Candidacy:
    candidacy = queries.access_candidacy(viewer=request.user, candidacy_uuid=candidacy_id)
    if candidacy.election.uuid != election_id:
        raise NotFoundError("No such nomination.")
    return candidacy


@router.post(
    "/{election_id}/nominations/{candidacy_id}/accept",
    response=CandidacyOut,
    operation_id="elections_accept_nomination",
)
def accept_nomination(request: HttpRequest, election_id: UUID, candidacy_id: UUID) -> Any:
    candidacy = _candidacy(request, election_id, candidacy_id)
    return actions.accept_nomination(actor=acting_user(request), candidacy=candidacy, now=timezone.now())


@router.post(
    "/{election_id}/nominations/{candidacy_id}/withdraw",
    response=CandidacyOut,
    operation_id="elections_withdraw_nomination",
)
def withdraw_nomination(request: HttpRequest, election_id: UUID, candidacy_id: UUID) -> Any:
    candidacy = _candidacy(request, election_id, candidacy_id)
    return actions.withdraw_candidacy(actor=acting_user(request), candidacy=candidacy, now=timezone.now())


@router.post("/{election_id}/open", response=ElectionDetailOut, operation_id="elections_open")
def open_voting(request: HttpRequest, election_id: UUID, body: ElectionOpenIn) -> Any:
    """Freeze the electorate and candidates and open the poll until `closes_at`."""
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    opened = actions.open_voting(
        actor=acting_user(request), election=election, closes_at=body.closes_at, now=timezone.now()
    )
    return _detail(request, opened)


@router.post("/{election_id}/ballot", response={201: ElectionCastOut}, operation_id="elections_cast")
def cast_ballot(request: HttpRequest, election_id: UUID, body: BallotIn) -> Any:
    """Cast a secret ballot. It cannot be changed afterwards: nothing links it to you."""
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    # An Idempotency-Key header lets a client retry a cast whose answer it lost.
    actions.cast_ballot(
        idempotency_key=request.headers.get("Idempotency-Key") or None,
        actor=acting_user(request),
        election=election,
        ranking=[str(u) for u in body.ranking],
        approvals=[str(u) for u in body.approvals],
        now=timezone.now(),
    )
    return Status(
        201,
        {
            "election": election.uuid,
            "cast": True,
            "message": "Your ballot is in. It is secret and cannot be changed.",
        },
    )


@router.post("/{election_id}/close", response=ElectionDetailOut, operation_id="elections_close")
def close_election(request: HttpRequest, election_id: UUID) -> Any:
    """Close the poll and count, drawing and recording the seed for any tie left to lot.

    Before the poll's closing time only once every elector has voted; at it the rules close it.
    A poll with no ballot, or with every candidate withdrawn since it opened, cannot be counted: the
    election fails (status `failed`, `failure_reason` `no_ballots` or `no_candidates`), nobody is elected.
    """
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    return _detail(
        request, actions.close_election(actor=acting_user(request), election=election, now=timezone.now())
    )


@router.post("/{election_id}/certify", response=ElectionDetailOut, operation_id="elections_certify")
def certify_election(request: HttpRequest, election_id: UUID) -> Any:
    """Certify the count: the elected take their seats or offices.

    A winner who no longer has a vote in the council (they left, lost their rights or their seat) is
    withdrawn and the same ballots are counted again without them; seats the recount cannot fill go
    to a by-election the rules call. The record shows both (`election.recounted`). When the recount
    has no candidate left, the election fails instead (status `failed`, `failure_reason` `no_candidates`).
    """
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    return _detail(
        request, actions.certify_election(actor=acting_user(request), election=election, now=timezone.now())
    )


def _counted(request: HttpRequest, election_id: UUID) -> Election:
    election = queries.access_election(viewer=request.user, election_uuid=election_id)
    if election.result is None:
        raise ConflictError("The election has not been counted yet.", code="election_state")
    return election


@router.get(
    "/{election_id}/results", response=ElectionResultOut, auth=OPTIONAL, operation_id="elections_results"
)
def results(request: HttpRequest, election_id: UUID) -> Any:
    """The count with every stage, once voting has closed."""
    election = _counted(request, election_id)
    return {
        "election": election.uuid,
        "status": election.status,
        "method": election.method,
        "seats": election.seats,
        "seed": election.seed,
        "turnout": queries.count_turnout(election=election),
        "electorate_size": election.electorate_size,
        "ballot_count": election.ballot_count,
        "ballot_set_hash": election.ballot_set_hash,
        "count": election.result,
        "named": queries.result_with_names(election=election),
        "candidates": queries.candidate_names(election=election),
    }


@router.get(
    "/{election_id}/stages.csv",
    auth=OPTIONAL,
    operation_id="elections_stages_csv",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def stages(request: HttpRequest, election_id: UUID) -> HttpResponse:
    """The count's stages as CSV, one row per stage, candidates named."""
    election = _counted(request, election_id)
    response = HttpResponse(stages_csv(queries.named_result(election=election)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="election-{election.uuid}-stages.csv"'
    return response


@router.get(
    "/{election_id}/ballots.blt",
    auth=OPTIONAL,
    operation_id="elections_ballots_blt",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/plain": {}}}}},
)
def ballots_blt(request: HttpRequest, election_id: UUID) -> HttpResponse:
    """The anonymous ballots as .blt; `councils count FILE --method M --seed S` reproduces the result."""
    election = _counted(request, election_id)
    response = HttpResponse(queries.export_blt(election=election), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="election-{election.uuid}.blt"'
    return response
