"""Background work for elections: closing the poll at its closing time, as motion votes are closed,
and running the terms that end by themselves every few minutes (`run_terms`).

Each run of `run_terms` enqueues the next (`councils.repeating`); operators without the worker run
`manage.py run_due_terms` from cron instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from councils.core.errors import ConflictError
from councils.elections.models import Election
from councils.motions.tasks import run_at
from councils.repeating import enqueue_unless_waiting


@task()
def close_due_election(election_uuid: str) -> str:
    """Close and count a poll whose closing time has come; the rules act, so no chair can hold it open.

    A poll in which nobody voted cannot be counted: the election fails and nobody is elected.
    """
    from councils.elections.actions import close_election

    election = Election.objects.filter(uuid=election_uuid, status=Election.Status.VOTING).first()
    now = timezone.now()
    if election is None or election.closes_at is None or election.closes_at > now:
        return "not due"
    try:
        closed = close_election(actor=None, election=election, now=now)
    except ConflictError as exc:
        return exc.message
    return str(closed.status)


def schedule_close(*, election_uuid: str, at: datetime) -> None:
    """Close the poll at `at` where the backend can defer work; elsewhere an officer closes it after `at`."""
    run_at(close_due_election, uuid=election_uuid, at=at)


# How often the rules look for terms ending and elections to move on: terms are set in days, so a few
# minutes late is never noticed, and a run that finds nothing due reads a few rows.
TERMS_INTERVAL = timedelta(minutes=5)


@task()
def run_terms() -> int:
    """End the terms that have passed and move the rules' elections on; return how many things changed."""
    from councils.elections.actions import run_due_terms

    try:
        changed = run_due_terms(now=timezone.now()).changed
    finally:
        schedule_terms(at=timezone.now() + TERMS_INTERVAL)
    return changed


def schedule_terms(*, at: datetime | None = None) -> bool:
    """Enqueue a run of the terms at `at` (now if None) unless one is already waiting; say if it did."""
    return enqueue_unless_waiting(run_terms, at=at)
