"""Background work for votes: mixing secret ballots into the box, and closing votes at their time.

Correct under both task backends: with the database backend (production) the
worker runs these after commit and a deferred flush releases a small batch once
it has waited long enough; with the immediate backend (tests) they run on
commit, small batches wait for the next cast, and close_vote flushes the rest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from councils.motions.models import PendingBallot, Vote


@task()
def flush_secret_ballots(vote_uuid: str) -> int:
    """Move a batch of pending ballots into the box if one is due; return how many moved."""
    from councils.motions.actions import flush_pending_ballots

    with transaction.atomic():
        vote = (
            Vote.objects.select_for_update(of=("self",))
            .filter(uuid=vote_uuid, closed_at__isnull=True)
            .first()
        )
        if vote is None:
            return 0
        moved = flush_pending_ballots(vote=vote)
        remaining = PendingBallot.objects.filter(vote=vote).exists()
    if remaining:
        _defer_flush(vote_uuid)
    return moved


def _defer_flush(vote_uuid: str) -> None:
    backend = flush_secret_ballots.get_backend()
    if backend.supports_defer:
        run_after = timezone.now() + timedelta(seconds=settings.COUNCILS_SECRET_BATCH_SECONDS)
        flush_secret_ballots.using(run_after=run_after).enqueue(vote_uuid)


def enqueue_flush(*, vote_uuid: str) -> None:
    """Called on commit of each secret cast."""
    flush_secret_ballots.enqueue(vote_uuid)


@task()
def close_due_vote(vote_uuid: str) -> str:
    """Close a vote whose closing time has come; the rules act, so no chair can hold it open."""
    from councils.motions.actions import close_vote

    vote = Vote.objects.filter(uuid=vote_uuid, closed_at__isnull=True).first()
    now = timezone.now()
    if vote is None or vote.closes_at is None or vote.closes_at > now:
        return "not due"
    return close_vote(actor=None, vote=vote, now=now).outcome


def run_at(closer: Task[[str], str], *, uuid: str, at: datetime) -> None:
    """Run a closing task for the poll `uuid` at `at` where the backend can defer work.

    Elsewhere (the immediate backend of tests) nothing is queued and an officer closes the poll after `at`.
    Elections schedule their close through this too.
    """
    if closer.get_backend().supports_defer:
        closer.using(run_after=at).enqueue(uuid)


def schedule_close(*, vote_uuid: str, at: datetime) -> None:
    """Close the vote at `at` where the backend can defer work; elsewhere an officer closes it after `at`."""
    run_at(close_due_vote, uuid=vote_uuid, at=at)
