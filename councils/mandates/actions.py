"""Writes of recall, mandates, reports back and declared pay. Each runs in one transaction.

A recall vote is tabled and opened by the rules themselves (actor=None) in the
same transaction as the signature that reached the threshold, so nobody can
stand between the members' petition and their vote; likewise the by-elections
that fill the seats and offices a recall, resignation, expulsion or suspension
leaves empty.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from councils.accounts.models import User
from councils.constitution import queries as constitution_queries
from councils.core.errors import ConflictError, InvalidInputError
from councils.core.rules import pay as pay_rules
from councils.core.rules import recall as recall_rules
from councils.core.rules.constitution import duration
from councils.core.rules.currencies import format_amount
from councils.core.rules.votes import CHOICES, NO_QUORUM
from councils.core.wording import counted
from councils.elections import actions as election_actions
from councils.elections.models import Election
from councils.federation import actions as federation_actions
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Office, Seat
from councils.live.publish import publish_on_commit
from councils.mandates import permissions, tasks
from councils.mandates.models import (
    Mandate,
    MandateProposal,
    MandateVote,
    Notification,
    RecallPetition,
    RecallSignature,
    RecallSigner,
    ReportDue,
)
from councils.record.actions import append_entry

if TYPE_CHECKING:
    from councils.core.rules.votes import VoteResult
    from councils.motions.models import Motion

MAX_TEXT = 20_000


def _channel(council: Council) -> str:
    return f"council-{council.uuid}"


def notify_members(
    *,
    councils: Iterable[Council],
    kind: str,
    subject_uuid: Any,
    message: str,
    subject: str,
    now: datetime,
) -> int:
    """Alert every voter of `councils` once, in the app and by e-mail once the change commits.

    Other apps call this inside their own action's transaction. Each person gets one
    alert and one e-mail of their own, filed under the first of `councils` they vote in,
    so no recipient learns who else was alerted.
    """
    alerts: dict[int, Notification] = {}
    mails = []
    for council in councils:
        for user in federation_queries.list_voters(council=council).only("id", "email").order_by("id"):
            if user.id in alerts:
                continue
            alerts[user.id] = Notification(
                user=user,
                council=council,
                kind=kind,
                subject_uuid=subject_uuid,
                message=message,
                created_at=now,
            )
            if user.email:
                mails.append([subject, message, user.email])
    Notification.objects.bulk_create(alerts.values())
    if mails:
        transaction.on_commit(lambda: tasks.send_alert_mails.enqueue(mails))
    return len(alerts)


# Recall ---------------------------------------------------------------------------------------


def _target_of(*, seat: Seat | None, office: Office | None) -> tuple[Council, User, str]:
    if (seat is None) == (office is None):
        raise InvalidInputError("A recall petition names exactly one delegate's seat or one office.")
    if seat is not None:
        return seat.from_council, seat.user, "seat"
    assert office is not None
    return office.council, office.user, "office"


def _require_held(*, seat: Seat | None, office: Office | None) -> None:
    if seat is not None and seat.ended_at is not None:
        raise ConflictError("That delegate no longer holds this seat.")
    if office is not None and office.ended_at is not None:
        raise ConflictError("That office has already ended.")


@transaction.atomic
def start_recall(
    *, actor: User, seat: Seat | None = None, office: Office | None = None, reason: str = "", now: datetime
) -> RecallPetition:
    """Start a petition to recall the council's delegate or officer; the starter signs first."""
    if seat is not None:
        seat = (
            Seat.objects.select_for_update(of=("self",))
            .select_related("council", "from_council", "user")
            .get(pk=seat.pk)
        )
    if office is not None:
        office = (
            Office.objects.select_for_update(of=("self",)).select_related("council", "user").get(pk=office.pk)
        )
    council, target, kind = _target_of(seat=seat, office=office)
    permissions.require(actor, "start_recall", council)
    _require_held(seat=seat, office=office)
    reason = reason.strip()
    if len(reason) > MAX_TEXT:
        raise InvalidInputError(f"The reason is longer than {MAX_TEXT} characters.")
    rules = constitution_queries.constitution_for(federation=council.federation_id)
    voters = list(federation_queries.list_voters(council=council).values_list("id", "uuid"))
    # The constraints of one live petition per seat and per office refuse a second, not a query first.
    # No savepoint: the ConflictError leaves the action's atomic block.
    try:
        petition = RecallPetition.objects.create(
            council=council,
            seat=seat,
            office=office,
            target=target,
            started_by=actor,
            reason=reason,
            started_at=now,
            expires_at=recall_rules.expires_at(started_at=now, window_days=rules.recall_window_days),
            eligible_count=len(voters),
            threshold=recall_rules.signature_threshold(
                eligible=len(voters), share=rules.recall_signature_share
            ),
            constitution_version=rules.version,
        )
    except IntegrityError:
        raise ConflictError(
            "A recall petition against this holder is already under way; sign that one."
        ) from None
    RecallSigner.objects.bulk_create([RecallSigner(petition=petition, user_id=v) for v, _ in voters])
    append_entry(
        event="recall.petition_started",
        actor=actor,
        council=council,
        payload={
            "petition": str(petition.uuid),
            "target": kind,
            "seat": str(seat.uuid) if seat else None,
            "office": str(office.uuid) if office else None,
            "holder": str(target.uuid),
            "eligible": petition.eligible_count,
            "eligible_signers": sorted(str(u) for _, u in voters),
            "threshold": petition.threshold,
            "window_days": rules.recall_window_days,
            "constitution_version": rules.version,
        },
        now=now,
    )
    _sign(petition=petition, actor=actor, now=now)
    expires = petition.expires_at
    transaction.on_commit(lambda: tasks.schedule_expiry(at=expires))
    publish_on_commit(_channel(council), {"type": "recall.changed"})
    return petition


def _sign(*, petition: RecallPetition, actor: User, now: datetime) -> RecallSignature:
    # No savepoint (two round trips): the ConflictError leaves the action's transaction, which rolls back.
    try:
        signature = RecallSignature.objects.create(petition=petition, user=actor, signed_at=now)
    except IntegrityError:
        raise ConflictError("You have already signed this petition.") from None
    count = petition.signatures.count()
    append_entry(
        event="recall.signed",
        actor=actor,
        council=petition.council,
        payload={"petition": str(petition.uuid), "signatures": count, "threshold": petition.threshold},
        now=now,
    )
    if count >= petition.threshold:
        _call_recall_vote(petition=petition, now=now)
    return signature


def _call_recall_vote(*, petition: RecallPetition, now: datetime) -> None:
    """Table and open the recall vote as the rules themselves: no chair's consent is asked."""
    from councils.motions import actions as motion_actions

    rules = constitution_queries.constitution_for(federation=petition.council.federation_id)
    # Names stay out of the record (its entries carry the title): the motion's page names the holder.
    if petition.seat is not None:
        seat = petition.seat
        what = f"the delegate of {petition.council.name} to {seat.council.name}"
        held, held_uuid = "seat", str(seat.uuid)
    else:
        assert petition.office is not None
        role = petition.office.get_role_display().lower()
        what = f"the {role} of {petition.council.name}"
        held, held_uuid = "office", str(petition.office.uuid)
    motion = motion_actions.table_motion(
        actor=None,
        council=petition.council,
        # The title's short reference tells apart several delegates of one council; the text has it whole.
        title=f"Recall {what} ({held} {held_uuid[:8]})"[:200],
        text=(
            f"That {what} ({held} {held_uuid}) is recalled at once. Tabled by the rules: "
            f"{petition.threshold} of the {counted(petition.eligible_count, 'member', 'members')} "
            "entitled to sign "
            f"petitioned for this vote (petition {petition.uuid})."
        ),
        now=now,
        kind="recall",
        subject_uuid=petition.uuid,
        seconds_required=0,
    )
    closes_at = now + duration(rules.recall_vote_within_days, "days")
    vote = motion_actions.open_vote(
        actor=None, motion=motion, now=now, threshold="simple", closes_at=closes_at
    )
    petition.status = RecallPetition.Status.VOTE
    petition.motion_uuid = motion.uuid
    petition.vote_uuid = vote.uuid
    petition.vote_called_at = now
    petition.save(update_fields=["status", "motion_uuid", "vote_uuid", "vote_called_at"])
    append_entry(
        event="recall.vote_called",
        actor=None,
        council=petition.council,
        payload={
            "petition": str(petition.uuid),
            "motion": str(motion.uuid),
            "vote": str(vote.uuid),
            "closes_at": closes_at.isoformat(),
            "within_days": rules.recall_vote_within_days,
            "constitution_version": rules.version,
        },
        now=now,
    )
    publish_on_commit(_channel(petition.council), {"type": "recall.changed"})


def _expire(*, petition: RecallPetition, now: datetime) -> None:
    petition.status = RecallPetition.Status.EXPIRED
    petition.closed_at = now
    petition.save(update_fields=["status", "closed_at"])
    append_entry(
        event="recall.petition_expired",
        actor=None,
        council=petition.council,
        payload={
            "petition": str(petition.uuid),
            "signatures": petition.signatures.count(),
            "threshold": petition.threshold,
        },
        now=now,
    )
    publish_on_commit(_channel(petition.council), {"type": "recall.changed"})


def sign_recall(*, actor: User, petition: RecallPetition, now: datetime) -> RecallSignature:
    """Sign a recall petition for oneself; the signature that reaches the threshold calls the vote."""
    with transaction.atomic():
        petition = (
            RecallPetition.objects.select_for_update(of=("self",))
            .select_related("council", "seat", "seat__council", "office")
            .get(pk=petition.pk)
        )
        permissions.require(actor, "sign_recall", petition)
        window_passed = petition.status == RecallPetition.Status.OPEN and now >= petition.expires_at
        if window_passed:
            # The expiry is the rules' own act and stands even though this signature is refused.
            _expire(petition=petition, now=now)
        else:
            recall_rules.check_open(status=petition.status, expires=petition.expires_at, now=now)
            signature = _sign(petition=petition, actor=actor, now=now)
            # The council page counts the signatures.
            publish_on_commit(_channel(petition.council), {"type": "recall.changed"})
            return signature
    raise recall_rules.window_closed(petition.expires_at)


@transaction.atomic
def expire_recall_petitions(*, now: datetime) -> int:
    """Close, with a record entry each, every open petition whose window passed without the threshold."""
    expired = list(
        RecallPetition.objects.select_for_update(of=("self",))
        .select_related("council")
        .filter(status=RecallPetition.Status.OPEN, expires_at__lte=now)
        .order_by("id")
    )
    for petition in expired:
        _expire(petition=petition, now=now)
    return len(expired)


def _vacate_seat(*, seat: Seat, reason: str, actor: User | None, now: datetime) -> list[Seat | Office]:
    """End a seat and everything held through it: offices in that council and seats it sent further up."""
    federation_actions.end_seat(seat=seat, reason=reason, actor=actor, now=now)
    return [seat, *federation_actions.end_held_through(seat=seat, actor=actor, now=now)]


def on_recall_decided(*, motion: Motion, result: VoteResult, now: datetime) -> None:
    """Outcome of a recall vote, inside close_vote's transaction: a majority vacates the seat at once."""
    if motion.subject_uuid is None:
        return
    petition = (
        RecallPetition.objects.select_for_update(of=("self",))
        .select_related(
            "council",
            "seat",
            "seat__council",
            "seat__from_council",
            "seat__user",
            "office",
            "office__council",
            "office__user",
        )
        .filter(uuid=motion.subject_uuid, motion_uuid=motion.uuid)
        .first()
    )
    if petition is None or petition.status != RecallPetition.Status.VOTE:
        return
    petition.closed_at = now
    ended: list[Seat | Office] = []
    if result.adopted:
        petition.status = RecallPetition.Status.RECALLED
        if petition.seat is not None and petition.seat.ended_at is None:
            ended = _vacate_seat(seat=petition.seat, reason="recalled", actor=None, now=now)
        elif petition.office is not None and petition.office.ended_at is None:
            federation_actions.vacate_office(office=petition.office, reason="recalled", actor=None, now=now)
            ended = [petition.office]
    else:
        petition.status = RecallPetition.Status.KEPT
    petition.save(update_fields=["status", "closed_at"])
    byelections = election_actions.call_byelections(ended=ended, now=now)
    append_entry(
        event="recall.decided",
        actor=None,
        council=petition.council,
        payload={
            "petition": str(petition.uuid),
            "motion": str(motion.uuid),
            "recalled": result.adopted,
            "ended_seats": [str(x.uuid) for x in ended if isinstance(x, Seat)],
            "ended_offices": [str(x.uuid) for x in ended if isinstance(x, Office)],
            "byelections": [str(e.uuid) for e in byelections],
        },
        now=now,
    )
    publish_on_commit(_channel(petition.council), {"type": "recall.changed"})


def vacate_all_held(
    *,
    user: User,
    reason: str,
    now: datetime,
    council: Council | None = None,
    staying_in: Council | None = None,
) -> tuple[list[Seat | Office], list[Election]]:
    """End, as the rules, every seat and office `user` holds and call the by-elections, as after a recall.

    Runs inside the action that took the person's rights (a discipline outcome) or ended their
    membership of the base council `council`. Given `council`, only what they hold through it
    ends: their offices in it or a council above it, and their seats representing it or a council
    above it (a person belongs to one base council at a time, and whoever sits for the district
    or holds its office does so as one of the members below it, which they no longer are).
    A member transferring to the base council `staying_in` is still one of the members below
    the councils above both, so what they hold through those stays.
    Seats and offices held through another of the ended seats end with it (`seat_lost`); the
    rest end for `reason`.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("vacate_all_held runs inside the action that took the member's rights")
    held_seats = Seat.objects.filter(user=user, ended_at__isnull=True)
    held_offices = Office.objects.filter(user=user, ended_at__isnull=True)
    if council is not None:
        through = [council, *federation_queries.ancestors(council=council)]
        if staying_in is not None:
            kept = {staying_in.id, *(c.id for c in federation_queries.ancestors(council=staying_in))}
            through = [c for c in through if c.id not in kept]
        held_seats = held_seats.filter(from_council__in=through)
        held_offices = held_offices.filter(council__in=through)
    seats = list(
        held_seats.select_for_update(of=("self",))
        .select_related("council", "from_council", "user")
        .order_by("id")
    )
    sitting_in = {seat.council_id for seat in seats}
    ended: list[Seat | Office] = []
    for seat in seats:
        if seat.from_council_id not in sitting_in:
            ended.extend(_vacate_seat(seat=seat, reason=reason, actor=None, now=now))
    offices = list(
        held_offices.select_for_update(of=("self",)).select_related("council", "user").order_by("id")
    )
    for office in offices:
        federation_actions.vacate_office(office=office, reason=reason, actor=None, now=now)
        ended.append(office)
    return ended, election_actions.call_byelections(ended=ended, now=now)


@transaction.atomic
def resign_seat(*, actor: User, seat: Seat, now: datetime) -> list[Seat | Office]:
    """A delegate steps down; seats and offices held through the seat end with it, and by-elections open."""
    seat = (
        Seat.objects.select_for_update(of=("self",))
        .select_related("council", "from_council", "user")
        .get(pk=seat.pk)
    )
    permissions.require(actor, "resign", seat)
    if seat.ended_at is not None:
        raise ConflictError("This seat has already ended.")
    ended = _vacate_seat(seat=seat, reason="resigned", actor=actor, now=now)
    election_actions.call_byelections(ended=ended, now=now)
    return ended


# Mandates and roll calls ----------------------------------------------------------------------


@transaction.atomic
def propose_mandate(
    *, actor: User, council: Council, target_motion: Motion, choice: str, now: datetime
) -> MandateProposal:
    """Table a motion instructing the council's delegates how to vote on a motion in the council above."""
    from councils.motions import actions as motion_actions

    permissions.require(actor, "propose_mandate", council)
    if choice not in CHOICES:
        raise InvalidInputError(f"Instruct one of {', '.join(CHOICES)}, not {choice!r}.")
    if council.parent_id is None or target_motion.council_id != council.parent_id:
        raise InvalidInputError(
            "A mandate instructs this council's delegates on a motion pending in the council they sit in, "
            f"{council.parent.name if council.parent else 'which this council does not have'}."
        )
    if not target_motion.is_open:
        raise ConflictError(
            "That motion has already been decided; a mandate can no longer bind a vote on it."
        )
    proposal = MandateProposal.objects.create(
        council=council,
        target_council=target_motion.council,
        target_motion_uuid=target_motion.uuid,
        choice=choice,
        proposed_by=actor,
        proposed_at=now,
    )
    motion = motion_actions.table_motion(
        actor=actor,
        council=council,
        title=f"Mandate our delegates: {choice} on “{target_motion.title}”"[:200],
        text=(
            f"That the delegates of {council.name} to {target_motion.council.name} vote {choice.upper()} "
            "on the "
            f"motion “{target_motion.title}” (motion {target_motion.uuid})."
        ),
        now=now,
        subject_uuid=proposal.uuid,
    )
    proposal.motion_uuid = motion.uuid
    proposal.save(update_fields=["motion_uuid"])
    append_entry(
        event="mandate.proposed",
        actor=actor,
        council=council,
        payload={
            "proposal": str(proposal.uuid),
            "motion": str(motion.uuid),
            "target_motion": str(target_motion.uuid),
            "choice": choice,
        },
        now=now,
    )
    return proposal


def _decide_proposal(*, proposal: MandateProposal, motion: Motion, result: VoteResult, now: datetime) -> None:
    from councils.motions.models import Motion

    if not result.adopted:
        proposal.status = MandateProposal.Status.REJECTED
        proposal.save(update_fields=["status"])
        return
    target = Motion.objects.filter(uuid=proposal.target_motion_uuid).only("title").first()
    superseded = Mandate.objects.select_for_update(of=("self",)).filter(
        council=proposal.council, target_motion_uuid=proposal.target_motion_uuid, superseded_at__isnull=True
    )
    superseded.update(superseded_at=now)
    mandate = Mandate.objects.create(
        council=proposal.council,
        target_council=proposal.target_council,
        target_motion_uuid=proposal.target_motion_uuid,
        target_title=target.title if target else "",
        choice=proposal.choice,
        proposal=proposal,
        adopted_at=now,
    )
    proposal.status = MandateProposal.Status.ADOPTED
    proposal.save(update_fields=["status"])
    append_entry(
        event="mandate.adopted",
        actor=None,
        council=proposal.council,
        payload={
            "mandate": str(mandate.uuid),
            "motion": str(motion.uuid),
            "target_motion": str(mandate.target_motion_uuid),
            "choice": mandate.choice,
        },
        now=now,
    )
    publish_on_commit(_channel(proposal.council), {"type": "mandates.changed"})


def check_roll_call(*, motion: Motion, now: datetime) -> list[MandateVote]:
    """Compare each mandated delegate's named vote on `motion` with the instruction; expose deviations."""
    from councils.motions.models import NamedBallot, Vote

    mandates = list(
        Mandate.objects.select_for_update(of=("self",))
        .select_related("council", "target_council")
        .filter(target_motion_uuid=motion.uuid, superseded_at__isnull=True, checked_at__isnull=True)
        .order_by("id")
    )
    if not mandates:
        return []
    vote = Vote.objects.filter(motion=motion, closed_at__isnull=False).order_by("-closed_at", "-id").first()
    if vote is None or vote.method != Vote.Method.NAMED:
        return []
    ballots = {b.voter_id: b.choice for b in NamedBallot.objects.filter(vote=vote).only("voter_id", "choice")}
    electorate = set(vote.eligibilities.values_list("voter_id", flat=True))
    lines: list[MandateVote] = []
    for mandate in mandates:
        before = len(lines)
        seats = (
            Seat.objects.filter(from_council=mandate.council, council=motion.council, user_id__in=electorate)
            .filter(started_at__lte=vote.opened_at)
            .select_related("user")
            .order_by("id")
        )
        for seat in seats:
            cast = ballots.get(seat.user_id, "")
            line = MandateVote.objects.create(
                mandate=mandate,
                seat=seat,
                delegate=seat.user,
                cast_choice=cast,
                complied=cast == mandate.choice,
                checked_at=now,
            )
            lines.append(line)
            append_entry(
                event="mandate.roll_call_checked",
                actor=None,
                council=mandate.council,
                payload={
                    "mandate": str(mandate.uuid),
                    "seat": str(seat.uuid),
                    "delegate": str(seat.user.uuid),
                    "instructed": mandate.choice,
                    "cast": cast or None,
                    "complied": line.complied,
                },
                now=now,
            )
            if not line.complied:
                voted = f"voted {cast.upper()}" if cast else "did not vote"
                notify_members(
                    councils=[mandate.council],
                    kind=Notification.Kind.MANDATE_DEVIATION,
                    subject_uuid=line.uuid,
                    subject=f"{seat.user.name} broke {mandate.council.name}'s mandate",
                    message=(
                        f"{mandate.council.name} instructed its delegates to vote "
                        f"{mandate.choice.upper()} on “{mandate.target_title}” in "
                        f"{mandate.target_council.name}. {seat.user.name} {voted}. "
                        "Any member may start a recall petition from the mandate table."
                    ),
                    now=now,
                )
        if len(lines) > before:
            # Set only with the seats' entries, so verify_record can compare it: a council none of
            # whose delegates could vote in the vote has no roll call to show.
            mandate.checked_at = now
            mandate.save(update_fields=["checked_at"])
            publish_on_commit(_channel(mandate.council), {"type": "mandates.changed"})
    return lines


def on_ordinary_decided(*, motion: Motion, result: VoteResult, now: datetime) -> None:
    """Outcome of an ordinary motion: a mandate proposal decided here, or a roll call to check above."""
    proposal = (
        MandateProposal.objects.select_for_update(of=("self",))
        .select_related("council", "target_council")
        .filter(uuid=motion.subject_uuid, motion_uuid=motion.uuid, status=MandateProposal.Status.PENDING)
        .first()
        if motion.subject_uuid
        else None
    )
    if proposal is not None:
        _decide_proposal(proposal=proposal, motion=motion, result=result, now=now)
    if result.outcome != NO_QUORUM:
        # Without a quorum the motion goes back to await a vote; the roll call that counts is a later one.
        check_roll_call(motion=motion, now=now)
    from councils.petitions.actions import on_ordinary_decided as petitions_decided

    petitions_decided(motion=motion, result=result, now=now)


@transaction.atomic
def mark_notifications_read(*, actor: User, now: datetime) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=now)


# Reports back ---------------------------------------------------------------------------------


def open_reports_due(*, council: Council, meeting_uuid: Any, now: datetime) -> list[ReportDue]:
    """After a meeting of `council` closes, each sitting delegate owes a report to the council they represent.

    Each report is forced onto that council's next agenda (the meetings app
    places it). Runs inside the transaction of the action that closed the meeting.
    """
    from councils.petitions.actions import force_report_back

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("open_reports_due runs inside the action that closed the meeting")
    rules = constitution_queries.constitution_for(federation=council.federation_id)
    due_at = now + duration(rules.report_back_days, "days")
    reports = []
    for seat in federation_queries.list_seats(council=council):
        report, created = ReportDue.objects.get_or_create(
            seat=seat,
            meeting_uuid=meeting_uuid,
            defaults={
                "delegate": seat.user,
                "council": seat.from_council,
                "higher_council": council,
                "created_at": now,
                "due_at": due_at,
            },
        )
        if created:
            reports.append(report)
            append_entry(
                event="report.due",
                actor=None,
                council=seat.from_council,
                payload={
                    "report": str(report.uuid),
                    "seat": str(seat.uuid),
                    "delegate": str(seat.user.uuid),
                    "meeting": str(meeting_uuid),
                    "due_at": due_at.isoformat(),
                },
                now=now,
            )
            force_report_back(report=report, now=now)
            publish_on_commit(_channel(seat.from_council), {"type": "reports.changed"})
    return reports


@transaction.atomic
def submit_report(*, actor: User, report: ReportDue, text: str, now: datetime) -> ReportDue:
    """The delegate reports back; the report goes on the represented council's page."""
    report = ReportDue.objects.select_for_update(of=("self",)).select_related("council").get(pk=report.pk)
    permissions.require(actor, "submit_report", report)
    if report.submitted_at is not None:
        raise ConflictError("This report has already been submitted.")
    text = text.strip()
    if not text:
        raise InvalidInputError("Write the report: what was decided and how you voted.")
    if len(text) > MAX_TEXT:
        raise InvalidInputError(f"The report is longer than {MAX_TEXT} characters.")
    report.report = text
    report.submitted_at = now
    report.save(update_fields=["report", "submitted_at"])
    append_entry(
        event="report.submitted",
        actor=actor,
        council=report.council,
        payload={
            "report": str(report.uuid),
            "meeting": str(report.meeting_uuid),
            "late": now > report.due_at,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        },
        now=now,
    )
    publish_on_commit(_channel(report.council), {"type": "reports.changed"})
    return report


# Pay ------------------------------------------------------------------------------------------


@transaction.atomic
def declare_pay(*, actor: User, office: Office, pay: Decimal, expenses: Decimal, now: datetime) -> Office:
    """An officer declares monthly pay and expenses; pay above the cap is flagged and members alerted."""
    office = (
        Office.objects.select_for_update(of=("self",)).select_related("council", "user").get(pk=office.pk)
    )
    permissions.require(actor, "declare_pay", office)
    if office.ended_at is not None:
        raise ConflictError("This office has ended.")
    pay_rules.check_declaration(pay=pay, expenses=expenses)
    rules = constitution_queries.constitution_for(federation=office.council.federation_id)
    excess = pay_rules.excess_over_cap(pay=pay, constitution=rules)
    office.declared_pay = pay
    office.declared_expenses = expenses
    # The register shows the amounts in this currency even after an amendment changes the constitution's.
    office.pay_currency = rules.pay_currency
    office.save(update_fields=["declared_pay", "declared_expenses", "pay_currency"])
    append_entry(
        event="office.pay_declared",
        actor=actor,
        council=office.council,
        payload={
            "office": str(office.uuid),
            "role": office.role,
            "pay": str(pay),
            "expenses": str(expenses),
            "cap": str(rules.pay_cap) if rules.pay_cap is not None else None,
            "currency": rules.pay_currency or None,
            "above_cap": excess is not None,
            "constitution_version": rules.version,
        },
        now=now,
    )
    cap, currency = rules.pay_cap, rules.pay_currency
    if excess is not None and cap is not None:
        notify_members(
            councils=[office.council],
            kind=Notification.Kind.PAY_ABOVE_CAP,
            subject_uuid=office.uuid,
            subject=f"Pay above the cap declared in {office.council.name}",
            message=(
                f"{office.user.name}, {office.get_role_display().lower()} of {office.council.name}, declared "
                f"monthly pay of {format_amount(pay, currency)}, {format_amount(excess, currency)} above the "
                f"cap of {format_amount(cap, currency)} (the declared average member wage). "
                "The register of offices flags it."
            ),
            now=now,
        )
    publish_on_commit(_channel(office.council), {"type": "offices.changed"})
    return office
