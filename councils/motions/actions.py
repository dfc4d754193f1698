"""Writes to motions and votes: the only path, shared by web, API, CLI and other apps.

Signatures are documented in councils/motions/outcomes.py for the apps that
hold their votes through motions. `actor=None` means the rules themselves act.
"""

from __future__ import annotations

import hashlib
import random
import uuid as uuid_lib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from councils.accounts.models import User
from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.core.ledger.encoding import format_time
from councils.core.rules import polls
from councils.core.rules import votes as rules
from councils.core.wording import counted
from councils.federation import permissions as council_policy
from councils.federation import queries as federation_queries
from councils.federation.models import Council
from councils.live.publish import publish_on_commit
from councils.motions import outcomes, permissions, queries, sealing
from councils.motions.models import (
    Motion,
    NamedBallot,
    Participation,
    PendingBallot,
    Second,
    SecretBallot,
    Vote,
    VoteEligibility,
)
from councils.record.actions import append_entry


@dataclass(frozen=True)
class CastReceipt:
    """The acknowledgement of a committed ballot. A secret one carries only a random receipt."""

    vote_uuid: str
    is_secret: bool
    choice: str | None
    receipt: str | None
    changed: bool = False
    repeated: bool = False


def council_channel(council: Council) -> str:
    return f"council-{council.uuid}"


def vote_channel(vote: Vote) -> str:
    return f"vote-{vote.uuid}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _check_seconds(seconds_required: int, council: Council) -> None:
    rules.check_seconds_required(seconds_required)
    others = federation_queries.count_voters(council=council) - 1
    if seconds_required > max(others, 0):
        raise InvalidInputError(
            f"{council.name} has too few other voters to give "
            f"{counted(seconds_required, 'seconder', 'seconders')}."
        )


def _lock_motion(motion: Motion) -> Motion:
    return (
        Motion.objects.select_for_update(of=("self",))
        .select_related("council", "council__parent")
        .get(pk=motion.pk)
    )


def _lock_vote(vote: Vote) -> Vote:
    return (
        Vote.objects.select_for_update(of=("self",))
        .select_related("motion", "motion__council")
        .get(pk=vote.pk)
    )


def _hold_vote_for_cast(vote: Vote, voter: User) -> tuple[bool, bool]:
    """Hold the vote against its close while one ballot goes in, without making other voters wait.

    The close locks the vote row FOR UPDATE, which waits for every cast holding
    it FOR KEY SHARE and holds back casts that come later; casts share the row
    with each other, so a congress votes at once instead of in single file. One
    voter's own casts (a double click, a retry) queue on their row of the
    frozen electorate. SQLite takes one writer at a time, so needs neither.

    Reads, in the same statement, what the close may have changed since
    `vote` was loaded (only `closed_at`: the rest is fixed when the vote
    opens) into `vote`, and answers whether `voter` is in the frozen electorate
    and whether they still have a vote in the council (`federation_queries.is_voter`).
    """
    has_vote = federation_queries.voter_sql(vote.motion.council)
    standing = [voter.pk, vote.motion.council_id]
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_HOLD_SQL.format(has_vote=has_vote), [*standing, voter.pk, vote.pk])
            row = cursor.fetchone()
            if row is not None:
                vote.closed_at = row[0]
                return True, bool(row[1])
            # Someone outside the electorate locks nothing; the permission check refuses them.
        cursor.execute(_READ_FOR_CAST_SQL.format(has_vote=has_vote), [voter.pk, *standing, vote.pk])
        row = cursor.fetchone()
    if row is None:
        raise Vote.DoesNotExist
    vote.closed_at = row[0]
    return bool(row[1]), bool(row[2])


_HOLD_SQL = (
    f"SELECT v.closed_at, {{has_vote}} FROM {Vote._meta.db_table} v "  # noqa: S608 (table names)
    f"JOIN {VoteEligibility._meta.db_table} e ON e.vote_id = v.id AND e.voter_id = %s WHERE v.id = %s "
    "FOR KEY SHARE OF v FOR NO KEY UPDATE OF e"
)
_READ_FOR_CAST_SQL = (
    f"SELECT v.closed_at, EXISTS (SELECT 1 FROM {VoteEligibility._meta.db_table} e "  # noqa: S608
    "WHERE e.vote_id = v.id AND e.voter_id = %s), "
    f"{{has_vote}} FROM {Vote._meta.db_table} v WHERE v.id = %s"
)


def _motions_changed(council: Council) -> None:
    publish_on_commit(council_channel(council), {"type": "motions.changed"})


def table_motion(
    *,
    actor: User | None,
    council: Council,
    title: str,
    text: str,
    now: datetime,
    kind: str = Motion.Kind.ORDINARY,
    subject_uuid: uuid_lib.UUID | str | None = None,
    seconds_required: int | None = None,
) -> Motion:
    """Table a motion in `council`; it waits for seconders unless none are required."""
    title, text = rules.clean_title(title), rules.clean_text(text)
    if kind not in Motion.Kind.values or kind == Motion.Kind.AMENDMENT:
        raise InvalidInputError(f"Unknown motion kind {kind!r} (amendments are proposed to a motion).")
    with transaction.atomic():
        if actor is not None:
            council_policy.require(actor, "table_motion", council)
        if seconds_required is None:
            seconds_required = 0 if actor is None else 1
        _check_seconds(seconds_required, council)
        motion = Motion.objects.create(
            council=council,
            kind=kind,
            subject_uuid=subject_uuid,
            title=title,
            text=text,
            seconds_required=seconds_required,
            state=Motion.State.SECONDED if seconds_required == 0 else Motion.State.DRAFT,
            tabled_by=actor,
            tabled_at=now,
        )
        append_entry(
            event="motion.tabled",
            actor=actor,
            council=council,
            payload={
                "motion": str(motion.uuid),
                "kind": kind,
                "subject": str(subject_uuid) if subject_uuid else None,
                "title": title,
                "text": text,
                "seconds_required": seconds_required,
                "forwarded_from": None,
            },
            now=now,
        )
        _motions_changed(council)
    return motion


def second_motion(*, actor: User, motion: Motion, now: datetime) -> Motion:
    """Second a motion or amendment; once it has enough seconders it awaits a vote."""
    with transaction.atomic():
        motion = _lock_motion(motion)
        permissions.require(actor, "second", motion)
        if motion.state != Motion.State.DRAFT:
            raise ConflictError("This motion is not waiting for seconders.")
        if motion.tabled_by_id == actor.id:
            raise ConflictError("You tabled this motion; another member must second it.")
        # The constraint refuses a second seconding, not a query first; no savepoint: the
        # ConflictError leaves the atomic block.
        try:
            Second.objects.create(motion=motion, user=actor, seconded_at=now)
        except IntegrityError:
            raise ConflictError("You have already seconded this motion.") from None
        seconds = Second.objects.filter(motion=motion).count()
        if seconds >= motion.seconds_required:
            motion.state = Motion.State.SECONDED
            motion.save(update_fields=["state"])
        append_entry(
            event="motion.seconded",
            actor=actor,
            council=motion.council,
            payload={
                "motion": str(motion.uuid),
                "seconder": str(actor.uuid),
                "seconds": seconds,
                "state": motion.state,
            },
            now=now,
        )
        _motions_changed(motion.council)
    return motion


def propose_amendment(
    *,
    actor: User,
    motion: Motion,
    text: str,
    now: datetime,
    title: str = "",
    seconds_required: int | None = None,
) -> Motion:
    """Propose a new full text for a motion still under debate; it is seconded and voted like a motion."""
    text = rules.clean_text(text)
    with transaction.atomic():
        motion = _lock_motion(motion)
        permissions.require(actor, "amend", motion)
        rules.check_amendable(kind=motion.kind, has_subject=motion.subject_uuid is not None)
        if motion.state not in (Motion.State.DRAFT, Motion.State.SECONDED):
            raise ConflictError("Only a motion still under debate can be amended.")
        if text == motion.text:
            raise InvalidInputError("The amendment does not change the text.")
        seconds_required = 1 if seconds_required is None else seconds_required
        _check_seconds(seconds_required, motion.council)
        amendment = Motion.objects.create(
            council=motion.council,
            kind=Motion.Kind.AMENDMENT,
            subject_uuid=motion.uuid,
            # Numbered in the order proposed (the motion is locked), so a motion's amendments are told apart.
            title=rules.clean_title(
                title or f"Amendment {motion.amendments.count() + 1} to: {motion.title}"[: rules.TITLE_MAX]
            ),
            text=text,
            base_text=motion.text,
            amends=motion,
            seconds_required=seconds_required,
            state=Motion.State.SECONDED if seconds_required == 0 else Motion.State.DRAFT,
            tabled_by=actor,
            tabled_at=now,
        )
        append_entry(
            event="motion.amendment_proposed",
            actor=actor,
            council=motion.council,
            payload={
                "amendment": str(amendment.uuid),
                "motion": str(motion.uuid),
                "title": amendment.title,
                "text": text,
                "base_text_sha256": _sha256(motion.text),
                "seconds_required": seconds_required,
            },
            now=now,
        )
        _motions_changed(motion.council)
    return amendment


def open_vote(
    *,
    actor: User | None,
    motion: Motion,
    now: datetime,
    method: str | None = None,
    threshold: str = "simple",
    quorum: int | None = None,
    closes_at: datetime | None = None,
    allow_change: bool = True,
    members_before: datetime | None = None,
    parties: Sequence[User] = (),
) -> Vote:
    """Put a seconded motion to the vote, freezing its electorate and text. Secret ballots never change.

    `members_before` (base councils only) narrows the electorate to the members whose full
    membership began before that moment, for votes that people admitted since may not decide.
    `parties` are left out of the electorate: nobody judges their own cause.
    """
    with transaction.atomic():
        motion = _lock_motion(motion)
        council = motion.council
        if actor is not None:
            permissions.require(actor, "open_vote", motion)
        if motion.state == Motion.State.DRAFT:
            raise ConflictError("This motion still needs seconders before it can be put to the vote.")
        if motion.state != Motion.State.SECONDED:
            raise ConflictError("This motion is not awaiting a vote.")
        if motion.amends_id is not None:
            parent = _lock_motion(motion.amends)  # type: ignore[arg-type]
            if parent.state not in (Motion.State.DRAFT, Motion.State.SECONDED):
                raise ConflictError("The amended motion is no longer under debate.")
            if parent.text != motion.base_text:
                raise ConflictError(
                    "The motion's text has changed since this amendment was proposed; propose it again."
                )
            if parent.amendments.filter(state=Motion.State.VOTING).exists():
                raise ConflictError("Another amendment to this motion is being voted on.")
        elif motion.amendments.filter(state=Motion.State.VOTING).exists():
            raise ConflictError("An amendment to this motion is being voted on; close that vote first.")
        else:
            _check_no_amendment_awaits_vote(motion)
        if closes_at is not None:
            polls.check_closes_after_opening(opens_at=now, closes_at=closes_at)
        if members_before is not None and not council.is_base:
            raise InvalidInputError(
                "Only a base council's electorate can be limited to its longer-standing members."
            )
        method = method or rules.default_method(is_base=council.is_base)
        voters = list(
            federation_queries.list_voters(council=council, full_before=members_before)
            .exclude(id__in=[party.id for party in parties])
            .order_by("id")
            .values_list("id", "uuid")
        )
        rules.check_vote_settings(method=method, threshold=threshold, quorum=quorum, electorate=len(voters))
        digest = rules.electorate_digest(voter_uuids=[str(u) for _, u in voters], text=motion.text)
        vote = Vote.objects.create(
            motion=motion,
            method=method,
            threshold=threshold,
            quorum=quorum,
            allow_change=allow_change and method == Vote.Method.NAMED,
            opened_at=now,
            closes_at=closes_at,
            opened_by=actor,
            electorate_size=len(voters),
            electorate_digest=digest,
            text=motion.text,
        )
        VoteEligibility.objects.bulk_create(VoteEligibility(vote=vote, voter_id=pk) for pk, _ in voters)
        vote.parties.set(parties)
        motion.state = Motion.State.VOTING
        motion.save(update_fields=["state"])
        if vote.is_secret:
            sealing.create_key(str(vote.uuid))
        append_entry(
            event="vote.opened",
            actor=actor,
            council=council,
            payload={
                "vote": str(vote.uuid),
                "motion": str(motion.uuid),
                "method": method,
                "threshold": threshold,
                "quorum": quorum,
                "allow_change": vote.allow_change,
                "closes_at": closes_at.isoformat() if closes_at else None,
                "electorate": len(voters),
                "electorate_sha256": digest,
                "text_sha256": _sha256(motion.text),
                # Only where the electorate was narrowed, so every other vote's entry keeps its shape.
                **({"members_before": format_time(members_before)} if members_before is not None else {}),
                # Only where parties were left out of the electorate, likewise.
                **({"parties": sorted(str(party.uuid) for party in parties)} if parties else {}),
            },
            now=now,
        )
        _motions_changed(council)
        if closes_at is not None:
            from councils.motions.tasks import schedule_close

            transaction.on_commit(lambda: schedule_close(vote_uuid=str(vote.uuid), at=closes_at))
    return vote


def _tally_event(vote: Vote) -> dict[str, object]:
    """What the live stream may show: turnout for a secret vote, counts for a named one; never names."""
    return {"type": "turnout" if vote.is_secret else "tally", **queries.live_counts(vote=vote)}


def cast_vote(
    *,
    actor: User | None,
    vote: Vote,
    choice: str,
    now: datetime,
    idempotency_key: str | None = None,
) -> CastReceipt:
    """Cast (or, where allowed, change) a named vote, or a secret ballot that is mixed before counting."""
    rules.check_choice(choice)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise InvalidInputError("An Idempotency-Key has 1 to 200 characters.")
    if actor is None:
        raise PermissionDeniedError("A ballot needs a voter.")
    with transaction.atomic():
        in_electorate, has_vote = _hold_vote_for_cast(vote, actor)
        permissions.require_vote(actor, vote, in_electorate=in_electorate, has_vote=has_vote)
        if not vote.is_open:
            raise ConflictError("This vote is closed.")
        polls.check_in_time(closes_at=vote.closes_at, now=now)
        key_hash = sealing.hash_idempotency_key(str(vote.uuid), idempotency_key)
        if vote.is_secret:
            receipt = _cast_secret(
                actor=actor,
                vote=vote,
                choice=choice,
                now=now,
                key_hash=key_hash,
                idempotency_key=idempotency_key,
            )
        else:
            receipt = _cast_named(actor=actor, vote=vote, choice=choice, now=now, key_hash=key_hash)
        if not receipt.repeated:
            # Counted after the commit, outside the cast's transaction.
            publish_on_commit(vote_channel(vote), lambda: _tally_event(vote))
    return receipt


def _cast_named(*, actor: User, vote: Vote, choice: str, now: datetime, key_hash: str) -> CastReceipt:
    # At most one row (vote, voter are unique): no ordering, which by default joins the voter; and
    # only the values the cast compares, without building a model instance to save.
    existing = (
        NamedBallot.objects.filter(vote=vote, voter=actor)
        .values_list("pk", "choice", "idempotency_hash")
        .order_by()
        .first()
    )
    if existing is not None:
        ballot, was, was_key = existing
        if (key_hash and was_key == key_hash) or was == choice:
            return CastReceipt(str(vote.uuid), False, was, None, repeated=True)
        if not vote.allow_change:
            raise ConflictError("You have already voted, and this vote does not allow changes.")
        NamedBallot.objects.filter(pk=ballot).update(choice=choice, changed_at=now, idempotency_hash=key_hash)
        event, changed = "vote.changed", True
    else:
        # No savepoint: the voter's electorate row makes this unreachable for an eligible voter,
        # and if it were reached the ConflictError leaves cast_vote's transaction, which rolls back.
        try:
            NamedBallot.objects.create(
                vote=vote, voter=actor, choice=choice, cast_at=now, idempotency_hash=key_hash
            )
        except IntegrityError:
            raise ConflictError("Your vote is already recorded.") from None
        event, changed = "vote.cast", False
    append_entry(
        event=event,
        actor=actor,
        council=vote.motion.council,
        payload={"vote": str(vote.uuid), "voter": str(actor.uuid), "choice": choice},
        now=now,
    )
    return CastReceipt(str(vote.uuid), False, choice, None, changed=changed)


def _cast_secret(
    *, actor: User, vote: Vote, choice: str, now: datetime, key_hash: str, idempotency_key: str | None
) -> CastReceipt:
    existing = Participation.objects.filter(vote=vote, voter=actor).order_by().first()
    if existing is not None:
        if key_hash and existing.idempotency_hash == key_hash:
            receipt = sealing.make_receipt(str(vote.uuid), str(actor.uuid), idempotency_key)
            return CastReceipt(str(vote.uuid), True, None, receipt, repeated=True)
        raise ConflictError("You have already voted. A secret ballot cannot be changed once cast.")
    receipt = sealing.make_receipt(str(vote.uuid), str(actor.uuid), idempotency_key)
    try:  # no savepoint, as in _cast_named
        Participation.objects.create(vote=vote, voter=actor, idempotency_hash=key_hash)
    except IntegrityError:
        raise ConflictError("You have already voted. A secret ballot cannot be changed once cast.") from None
    # Queue time is the wall clock on purpose: the flusher measures real waiting, whatever `now` says.
    PendingBallot.objects.create(
        vote=vote,
        sealed=sealing.seal(str(vote.uuid), choice=choice, receipt=receipt),
        queued_at=timezone.now(),
    )
    append_entry(
        event="ballot.cast",
        actor=actor,
        council=vote.motion.council,
        payload={"vote": str(vote.uuid), "voter": str(actor.uuid)},
        now=now,
    )
    from councils.motions.tasks import enqueue_flush

    vote_uuid = str(vote.uuid)
    transaction.on_commit(lambda: enqueue_flush(vote_uuid=vote_uuid))
    return CastReceipt(vote_uuid, True, None, receipt)


def flush_pending_ballots(*, vote: Vote, force: bool = False) -> int:
    """Move pending secret ballots into the box in one shuffled batch; return how many moved.

    Runs inside the caller's transaction with the vote row locked. Moves nothing
    unless at least COUNCILS_SECRET_BATCH_SIZE are pending, or the oldest has
    waited COUNCILS_SECRET_BATCH_SECONDS, or `force` (the close).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("flush_pending_ballots runs inside a transaction holding the vote lock")
    pending = list(PendingBallot.objects.filter(vote=vote).order_by("id"))
    if not pending:
        return 0
    if not force and len(pending) < settings.COUNCILS_SECRET_BATCH_SIZE:
        waited = timezone.now() - min(p.queued_at for p in pending)
        if waited < timedelta(seconds=settings.COUNCILS_SECRET_BATCH_SECONDS):
            return 0
    opened = [sealing.unseal(str(vote.uuid), bytes(p.sealed)) for p in pending]
    random.SystemRandom().shuffle(opened)
    SecretBallot.objects.bulk_create(
        SecretBallot(id=uuid_lib.uuid4(), vote=vote, choice=choice, receipt=receipt)
        for choice, receipt in opened
    )
    PendingBallot.objects.filter(id__in=[p.id for p in pending]).delete()
    return len(pending)


def _rewrite_ballot_box(vote: Vote) -> list[tuple[str, str]]:
    """Rewrite the box in random order with fresh keys, erasing whatever order the batches left."""
    ballots = [(b.receipt, b.choice) for b in SecretBallot.objects.filter(vote=vote)]
    SecretBallot.objects.filter(vote=vote).delete()
    random.SystemRandom().shuffle(ballots)
    SecretBallot.objects.bulk_create(
        SecretBallot(id=uuid_lib.uuid4(), vote=vote, choice=choice, receipt=receipt)
        for receipt, choice in ballots
    )
    return ballots


def close_vote(*, actor: User | None, vote: Vote, now: datetime) -> rules.VoteResult:
    """Close a vote, count it, record the result and ballots, and apply what the motion's kind decides."""
    with transaction.atomic():
        motion = _lock_motion(vote.motion)
        vote = _lock_vote(vote)
        if actor is not None:
            permissions.require(actor, "close_vote", vote)
        if not vote.is_open:
            raise ConflictError("This vote is already closed.")
        if vote.is_secret:
            flush_pending_ballots(vote=vote, force=True)
            ballots = _rewrite_ballot_box(vote)
            counts = rules.tally(choice for _, choice in ballots)
            published = [{"receipt": r, "choice": c} for r, c in sorted(ballots)]
            turnout = Participation.objects.filter(vote=vote).count()
            if turnout != len(ballots):
                raise RuntimeError(
                    f"vote {vote.uuid}: {turnout} took part but "
                    f"{counted(len(ballots), 'ballot is', 'ballots are')} in the box"
                )
        else:
            rows = NamedBallot.objects.filter(vote=vote).select_related("voter")
            counts = rules.tally(b.choice for b in rows)
            published = sorted(
                ({"voter": str(b.voter.uuid), "choice": b.choice} for b in rows), key=lambda b: b["voter"]
            )
            turnout = len(published)
        polls.check_close(
            closes_at=vote.closes_at,
            now=now,
            turnout=turnout,
            electorate=vote.electorate_size,
            what="vote",
        )
        if actor is not None and vote.opened_by_id is None and vote.closes_at is None and turnout == 0:
            # Closing a vote the rules opened before anyone could vote would stop it in all but name.
            raise ConflictError("Nobody has voted yet in this vote, which the rules opened.")
        result = rules.compute_result(
            yes=counts["yes"],
            no=counts["no"],
            abstain=counts["abstain"],
            electorate=vote.electorate_size,
            threshold=vote.threshold,
            quorum=vote.quorum,
        )
        vote.closed_at, vote.closed_by = now, actor
        vote.yes, vote.no, vote.abstain, vote.outcome = result.yes, result.no, result.abstain, result.outcome
        vote.save(update_fields=["closed_at", "closed_by", "yes", "no", "abstain", "outcome"])
        motion.state = {
            rules.ADOPTED: Motion.State.ADOPTED,
            rules.REJECTED: Motion.State.REJECTED,
            rules.NO_QUORUM: Motion.State.SECONDED,
        }[result.outcome]
        motion.decided_at = now if result.outcome != rules.NO_QUORUM else None
        motion.save(update_fields=["state", "decided_at"])
        append_entry(
            event="vote.closed",
            actor=actor,
            council=motion.council,
            payload={
                "vote": str(vote.uuid),
                "motion": str(motion.uuid),
                "method": vote.method,
                "result": result.as_payload(),
                "ballots": published,
            },
            now=now,
        )
        if motion.amends_id is not None and result.adopted:
            _merge_amendment(amendment=motion, actor=actor, now=now)
        if motion.amends_id is None and result.outcome != rules.NO_QUORUM:
            _lapse_amendments(motion=motion, actor=actor, now=now)
        handler = outcomes.handler_for(motion.kind)
        if handler is not None:
            handler(motion=motion, result=result, now=now)
        publish_on_commit(
            vote_channel(vote),
            {"type": "closed", "outcome": result.outcome, **counts, "turnout": result.turnout},
        )
        _motions_changed(motion.council)
        if vote.is_secret:
            vote_uuid = str(vote.uuid)
            transaction.on_commit(lambda: sealing.delete_key(vote_uuid))
    return result


def _check_no_amendment_awaits_vote(motion: Motion) -> None:
    """A seconded amendment to the motion's current text is voted on (or withdrawn) before the motion.

    Putting the motion first would let its amendments lapse unheard. An amendment
    to an earlier text can no longer be put, so it does not hold the motion up.
    """
    waiting = list(queries.list_amendments_awaiting_vote(motion=motion).values_list("title", flat=True))
    if waiting:
        names = ", ".join(f"“{title}”" for title in waiting)
        raise ConflictError(
            f"The seconded amendment {names} awaits its vote: put it to the vote first, "
            "or its mover may withdraw it."
            if len(waiting) == 1
            else f"The seconded amendments {names} await their votes: put them to the vote first, "
            "or their movers may withdraw them."
        )


def _merge_amendment(*, amendment: Motion, actor: User | None, now: datetime) -> None:
    parent = _lock_motion(amendment.amends)  # type: ignore[arg-type]
    if parent.text != amendment.base_text:
        raise ConflictError("The motion's text changed while the amendment was voted on.")
    parent.text = amendment.text
    parent.save(update_fields=["text"])
    append_entry(
        event="motion.amended",
        actor=actor,
        council=parent.council,
        payload={"motion": str(parent.uuid), "amendment": str(amendment.uuid), "text": parent.text},
        now=now,
    )


def _lapse_amendments(*, motion: Motion, actor: User | None, now: datetime) -> None:
    """Amendments still pending when the motion itself is decided can no longer be put.

    They lapse undecided (no `decided_at`): nobody withdrew them and no vote decided them.
    """
    for amendment in motion.amendments.filter(state__in=[Motion.State.DRAFT, Motion.State.SECONDED]):
        amendment.state = Motion.State.LAPSED
        amendment.save(update_fields=["state"])
        append_entry(
            event="motion.withdrawn",
            actor=actor,
            council=motion.council,
            payload={"motion": str(amendment.uuid), "reason": "lapsed"},
            now=now,
        )


def withdraw_motion(*, actor: User | None, motion: Motion, now: datetime) -> Motion:
    """Withdraw a motion (or amendment) not yet put to the vote; its pending amendments lapse."""
    with transaction.atomic():
        motion = _lock_motion(motion)
        if actor is not None:
            if motion.tabled_by_id is None:
                # A recall put by a petition, or a motion from a council below, is no officer's to drop.
                raise PermissionDeniedError(
                    "A motion put by the rules or sent up from a council below cannot be withdrawn."
                )
            permissions.require(actor, "withdraw", motion)
        if motion.state not in (Motion.State.DRAFT, Motion.State.SECONDED):
            raise ConflictError("Only a motion not yet put to the vote can be withdrawn.")
        motion.state = Motion.State.WITHDRAWN
        motion.decided_at = now
        motion.save(update_fields=["state", "decided_at"])
        append_entry(
            event="motion.withdrawn",
            actor=actor,
            council=motion.council,
            payload={"motion": str(motion.uuid), "reason": "withdrawn"},
            now=now,
        )
        _lapse_amendments(motion=motion, actor=actor, now=now)
        _motions_changed(motion.council)
    return motion


def forward_motion(*, actor: User | None, motion: Motion, now: datetime) -> Motion:
    """Send an adopted motion to the parent council, where it arrives awaiting a vote."""
    with transaction.atomic():
        motion = _lock_motion(motion)
        if actor is not None:
            permissions.require(actor, "forward", motion)
        if motion.state != Motion.State.ADOPTED:
            raise ConflictError("Only an adopted motion can be forwarded.")
        if motion.kind != Motion.Kind.ORDINARY:
            raise ConflictError("Only ordinary motions are forwarded to the council above.")
        parent = motion.council.parent
        if parent is None:
            raise ConflictError(f"{motion.council.name} has no council above it.")
        last_vote = motion.votes.filter(closed_at__isnull=False).order_by("-closed_at", "-id").first()
        incoming = Motion.objects.create(
            council=parent,
            kind=Motion.Kind.ORDINARY,
            title=motion.title,
            text=motion.text,
            seconds_required=0,
            state=Motion.State.SECONDED,
            tabled_by=None,
            tabled_at=now,
            forwarded_from=motion,
        )
        motion.state = Motion.State.FORWARDED
        motion.save(update_fields=["state"])
        append_entry(
            event="motion.forwarded",
            actor=actor,
            council=motion.council,
            payload={
                "motion": str(motion.uuid),
                "to_council": str(parent.uuid),
                "to_motion": str(incoming.uuid),
                "vote": str(last_vote.uuid) if last_vote else None,
            },
            now=now,
        )
        append_entry(
            event="motion.tabled",
            actor=actor,
            council=parent,
            payload={
                "motion": str(incoming.uuid),
                "kind": incoming.kind,
                "subject": None,
                "title": incoming.title,
                "text": incoming.text,
                "seconds_required": 0,
                "forwarded_from": str(motion.uuid),
            },
            now=now,
        )
        _motions_changed(motion.council)
        _motions_changed(parent)
    return incoming
