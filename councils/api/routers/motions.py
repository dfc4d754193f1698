"""Motions, amendments and votes.

Casting: `POST /motions/votes/{vote_id}/cast` with `{"choice": "yes"|"no"|"abstain"}`.
Send an `Idempotency-Key` header (any unique string up to 200 characters) to
retry an in-doubt request safely: the same key gets the same answer and never
a second ballot. A named vote answers with the choice recorded; a secret one
only with an acknowledgement and a random receipt that appears in the ballot
set published at the close (`GET /motions/votes/{vote_id}/ballots`).
"""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Router, Schema, Status
from ninja.pagination import paginate

from councils.accounts.queries import acting_user
from councils.api.auth import OPTIONAL
from councils.api.pagination import PageNumber
from councils.api.schemas import Ref, Strict
from councils.core.rules import votes as rules
from councils.federation import queries as federation_queries
from councils.motions import actions, queries
from councils.motions.models import Motion, Vote

router = Router(tags=["motions"])


class VoteResultOut(Schema):
    yes: int
    no: int
    abstain: int
    cast: int
    turnout: int
    electorate: int
    threshold: str
    quorum: int | None
    quorum_met: bool
    required: int
    outcome: Literal["adopted", "rejected", "no_quorum"]


# The values of Motion.State, spelled out so that the published schema lists them under the filter itself.
MotionStateName = Literal[
    "draft", "seconded", "voting", "adopted", "rejected", "forwarded", "withdrawn", "lapsed"
]


class LiveOut(Schema):
    """While a vote is open: counts for a named vote, turnout only for a secret one."""

    turnout: int
    electorate: int
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None


class MyBallotOut(Schema):
    eligible: bool
    voted: bool
    choice: str | None


class VoteOut(Schema):
    uuid: UUID
    motion: UUID
    method: Literal["named", "secret"]
    threshold: str
    quorum: int | None
    allow_change: bool
    opened_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    is_open: bool
    electorate: int
    electorate_sha256: str
    live: LiveOut
    result: VoteResultOut | None
    me: MyBallotOut | None


class DiffOp(Schema):
    op: Literal["equal", "insert", "delete"]
    text: str


class OriginOut(Schema):
    motion: UUID
    council: Ref
    result: VoteResultOut | None


class MotionOut(Schema):
    uuid: UUID
    council: Ref
    kind: str
    subject_uuid: UUID | None
    title: str
    state: str
    state_label: str
    seconds_required: int
    seconds: int
    tabled_by: Ref | None
    tabled_at: datetime
    decided_at: datetime | None
    amends: UUID | None
    forwarded_from: OriginOut | None


class MotionAmendmentOut(MotionOut):
    text: str
    base_text: str
    diff: list[DiffOp]


class MotionDetailOut(MotionOut):
    text: str
    # For an amendment: the text it amends and the word diff from it.
    base_text: str | None
    diff: list[DiffOp] | None
    seconders: list[Ref] | None
    amendments: list[MotionAmendmentOut]
    votes: list[VoteOut]
    forwarded_to: UUID | None


class MotionIn(Strict):
    council: UUID
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=50_000)
    seconds_required: int | None = Field(default=None, ge=0, le=50)


class MotionAmendmentIn(Strict):
    text: str = Field(min_length=1, max_length=50_000)
    title: str = Field(default="", max_length=200)
    seconds_required: int | None = Field(default=None, ge=0, le=50)


class MotionOpenVoteIn(Strict):
    method: Literal["named", "secret"] | None = None
    threshold: Literal["simple", "absolute", "two_thirds", "three_fifths"] = "simple"
    quorum: int | None = Field(default=None, ge=1)
    closes_at: datetime | None = None
    allow_change: bool = Field(
        default=True,
        description="Whether members may change a named vote until it closes. Ignored for a secret "
        "ballot, which cannot be changed once cast: its vote answers `allow_change: false`.",
    )


class VoteCastIn(Strict):
    choice: Literal["yes", "no", "abstain"]


class VoteCastOut(Schema):
    vote: UUID
    acknowledged: bool
    secret: bool
    choice: str | None
    receipt: str | None
    changed: bool
    repeated: bool
    note: str


class BallotOut(Schema):
    """A ballot of the published set: receipt and choice (secret), or voter and choice (named)."""

    choice: str
    receipt: str | None = None
    voter: Ref | None = None


def _ref(user: Any, *, visible: bool) -> dict[str, Any] | None:
    if user is None or not visible:
        return None
    return {"uuid": user.uuid, "name": user.name}


def _result(vote: Vote) -> dict[str, Any] | None:
    result = queries.result_of(vote=vote)
    return None if result is None else result.as_payload()


def _vote_out(vote: Vote, viewer: Any) -> dict[str, Any]:
    me = None
    if getattr(viewer, "is_authenticated", False):
        me = {
            "eligible": queries.is_eligible(vote=vote, user=viewer),
            "voted": queries.has_voted(vote=vote, user=viewer),
            "choice": queries.my_named_choice(vote=vote, user=viewer),
        }
    return {
        "uuid": vote.uuid,
        "motion": vote.motion.uuid,
        "method": vote.method,
        "threshold": vote.threshold,
        "quorum": vote.quorum,
        "allow_change": vote.allow_change,
        "opened_at": vote.opened_at,
        "closes_at": vote.closes_at,
        "closed_at": vote.closed_at,
        "is_open": vote.is_open,
        "electorate": vote.electorate_size,
        "electorate_sha256": vote.electorate_digest,
        "live": queries.live_counts(vote=vote),
        "result": _result(vote),
        "me": me,
    }


def _motion_out(motion: Motion, viewer: Any, *, names: bool) -> dict[str, Any]:
    origin = None
    if motion.forwarded_from is not None:
        source = motion.forwarded_from
        last = queries.decisive_vote(motion=source)
        origin = {
            "motion": source.uuid,
            "council": {"uuid": source.council.uuid, "name": source.council.name},
            "result": _result(last) if last else None,
        }
    return {
        "uuid": motion.uuid,
        "council": {"uuid": motion.council.uuid, "name": motion.council.name},
        "kind": motion.kind,
        "subject_uuid": motion.subject_uuid,
        "title": motion.title,
        "state": motion.state,
        "state_label": str(motion.get_state_display()),
        "seconds_required": motion.seconds_required,
        "seconds": motion.seconds_count if hasattr(motion, "seconds_count") else motion.seconds.count(),
        "tabled_by": _ref(motion.tabled_by, visible=names),
        "tabled_at": motion.tabled_at,
        "decided_at": motion.decided_at,
        "amends": motion.amends.uuid if motion.amends is not None else None,
        "forwarded_from": origin,
    }


def _detail(motion: Motion, viewer: Any) -> dict[str, Any]:
    names = federation_queries.can_see_names(viewer=viewer, council=motion.council)
    amendments = []
    for amendment in queries.list_amendments(motion=motion):
        amendments.append(
            {
                **_motion_out(amendment, viewer, names=names),
                "text": amendment.text,
                "base_text": amendment.base_text,
                "diff": [
                    {"op": op, "text": text}
                    for op, text in rules.word_diff(amendment.base_text, amendment.text)
                ],
            }
        )
    forwarded_to = Motion.objects.filter(forwarded_from=motion).values_list("uuid", flat=True).first()
    diff = None
    if motion.amends_id:
        diff = [{"op": op, "text": text} for op, text in rules.word_diff(motion.base_text, motion.text)]
    return {
        **_motion_out(motion, viewer, names=names),
        "text": motion.text,
        "base_text": motion.base_text if motion.amends_id else None,
        "diff": diff,
        "seconders": [_ref(u, visible=True) for u in queries.list_seconders(motion=motion)]
        if names
        else None,
        "amendments": amendments,
        "votes": [_vote_out(v, viewer) for v in queries.list_votes(motion=motion).select_related("motion")],
        "forwarded_to": forwarded_to,
    }


def _cast_out(receipt: actions.CastReceipt) -> dict[str, Any]:
    if receipt.is_secret:
        note = (
            "Your secret ballot is recorded. It cannot be changed. Keep the receipt: it will appear "
            "in the ballot set published when the vote closes."
        )
    else:
        note = "Your vote is recorded by name."
    return {
        "vote": receipt.vote_uuid,
        "acknowledged": True,
        "secret": receipt.is_secret,
        "choice": receipt.choice,
        "receipt": receipt.receipt,
        "changed": receipt.changed,
        "repeated": receipt.repeated,
        "note": note,
    }


@router.get("", response=list[MotionOut], auth=OPTIONAL, operation_id="motions_list")
@paginate(PageNumber)
def list_motions(request: HttpRequest, council: UUID, state: MotionStateName | None = None) -> Any:
    """The motions of one council (`?council=<uuid>`), newest first; amendments come with their motion.

    `?state=` narrows the list to motions in that state; a state that does not exist is refused, not
    answered with an empty list.
    """
    found = federation_queries.access_council(viewer=request.user, council_uuid=council)
    names = federation_queries.can_see_names(viewer=request.user, council=found)
    motions = queries.list_motions(council=found, state=state)
    return [_motion_out(m, request.user, names=names) for m in motions]


@router.post("", response={201: MotionDetailOut}, operation_id="motions_create")
def create_motion(request: HttpRequest, body: MotionIn) -> Any:
    """Table a motion in a council where you have a vote."""
    council = federation_queries.access_council(viewer=request.user, council_uuid=body.council)
    motion = actions.table_motion(
        actor=acting_user(request),
        council=council,
        title=body.title,
        text=body.text,
        seconds_required=body.seconds_required,
        now=timezone.now(),
    )
    return Status(
        201, _detail(queries.access_motion(viewer=request.user, motion_uuid=motion.uuid), request.user)
    )


@router.get("/open-votes", response=list[VoteOut], operation_id="votes_open_mine")
@paginate(PageNumber)
def list_my_open_votes(request: HttpRequest) -> Any:
    """Open votes in which you are in the electorate."""
    return [_vote_out(v, request.user) for v in queries.list_open_votes_for(user=request.user)]


@router.get("/votes/{vote_id}", response=VoteOut, auth=OPTIONAL, operation_id="votes_get")
def get_vote(request: HttpRequest, vote_id: UUID) -> Any:
    return _vote_out(queries.access_vote(viewer=request.user, vote_uuid=vote_id), request.user)


@router.post("/votes/{vote_id}/cast", response=VoteCastOut, operation_id="votes_cast")
def cast(
    request: HttpRequest,
    vote_id: UUID,
    body: VoteCastIn,
    idempotency_key: str | None = Header(  # type: ignore[type-arg]
        default=None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Any unique string: a retry with the same key gets the same answer, not a second ballot.",
    ),
) -> Any:
    """Cast your ballot. Retry with the same Idempotency-Key when unsure whether it arrived."""
    vote = queries.access_vote(viewer=request.user, vote_uuid=vote_id)
    receipt = actions.cast_vote(
        actor=acting_user(request),
        vote=vote,
        choice=body.choice,
        now=timezone.now(),
        idempotency_key=idempotency_key,
    )
    return _cast_out(receipt)


@router.post("/votes/{vote_id}/close", response=VoteResultOut, operation_id="votes_close")
def close(request: HttpRequest, vote_id: UUID) -> Any:
    """Close the vote and publish its result (chair or secretary)."""
    vote = queries.access_vote(viewer=request.user, vote_uuid=vote_id)
    return actions.close_vote(actor=acting_user(request), vote=vote, now=timezone.now()).as_payload()


@router.get("/votes/{vote_id}/ballots", response=list[BallotOut], auth=OPTIONAL, operation_id="votes_ballots")
@paginate(PageNumber)
def list_ballots(request: HttpRequest, vote_id: UUID) -> Any:
    """After the close: the anonymous ballot set of a secret vote, or the roll call of a named one."""
    vote = queries.access_vote(viewer=request.user, vote_uuid=vote_id)
    if vote.is_open:
        return []
    if vote.is_secret:
        return [{"choice": b.choice, "receipt": b.receipt} for b in queries.list_published_ballots(vote=vote)]
    names = federation_queries.can_see_names(viewer=request.user, council=vote.motion.council)
    return [
        {"choice": b.choice, "voter": _ref(b.voter, visible=True)} if names else {"choice": b.choice}
        for b in queries.list_roll_call(vote=vote)
    ]


@router.get("/{motion_id}", response=MotionDetailOut, auth=OPTIONAL, operation_id="motions_get")
def get_motion(request: HttpRequest, motion_id: UUID) -> Any:
    """A motion with its text, amendments (with word diffs), seconders, votes and results."""
    return _detail(queries.access_motion(viewer=request.user, motion_uuid=motion_id), request.user)


def _act(request: HttpRequest, motion_id: UUID) -> Motion:
    return queries.access_motion(viewer=request.user, motion_uuid=motion_id)


@router.post("/{motion_id}/second", response=MotionDetailOut, operation_id="motions_second")
def second(request: HttpRequest, motion_id: UUID) -> Any:
    motion = actions.second_motion(
        actor=acting_user(request), motion=_act(request, motion_id), now=timezone.now()
    )
    return _detail(_act(request, motion.uuid), request.user)


@router.post("/{motion_id}/amendments", response={201: MotionDetailOut}, operation_id="motions_amend")
def amend(request: HttpRequest, motion_id: UUID, body: MotionAmendmentIn) -> Any:
    """Propose a new full text for the motion; answers with the amendment."""
    amendment = actions.propose_amendment(
        actor=acting_user(request),
        motion=_act(request, motion_id),
        text=body.text,
        title=body.title,
        seconds_required=body.seconds_required,
        now=timezone.now(),
    )
    return Status(201, _detail(_act(request, amendment.uuid), request.user))


@router.post("/{motion_id}/votes", response={201: VoteOut}, operation_id="motions_open_vote")
def open_vote(request: HttpRequest, motion_id: UUID, body: MotionOpenVoteIn) -> Any:
    """Put the motion to the vote (chair or secretary). Method defaults to named in delegate bodies."""
    vote = actions.open_vote(
        actor=acting_user(request),
        motion=_act(request, motion_id),
        now=timezone.now(),
        method=body.method,
        threshold=body.threshold,
        quorum=body.quorum,
        closes_at=body.closes_at,
        allow_change=body.allow_change,
    )
    return Status(201, _vote_out(queries.access_vote(viewer=request.user, vote_uuid=vote.uuid), request.user))


@router.post("/{motion_id}/forward", response=MotionDetailOut, operation_id="motions_forward")
def forward(request: HttpRequest, motion_id: UUID) -> Any:
    """Send an adopted motion to the council above; answers with the incoming motion there."""
    incoming = actions.forward_motion(
        actor=acting_user(request), motion=_act(request, motion_id), now=timezone.now()
    )
    # The forwarder may not sit in the council above, yet may see what they sent there.
    return _detail(queries.get_motion(motion_uuid=incoming.uuid), request.user)


@router.post("/{motion_id}/withdraw", response=MotionDetailOut, operation_id="motions_withdraw")
def withdraw(request: HttpRequest, motion_id: UUID) -> Any:
    motion = actions.withdraw_motion(
        actor=acting_user(request), motion=_act(request, motion_id), now=timezone.now()
    )
    return _detail(_act(request, motion.uuid), request.user)
