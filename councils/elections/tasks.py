"""Background work for elections: closing the poll at its closing time, as motion votes are closed,
and running the terms that end by themselves every few minutes (`run_terms`).

Nothing else repeats in the worker, so each run of `run_terms` enqueues the next, and
`manage.py serve` enqueues one at start when none is waiting (as the digests do). A run that finds
nothing due does nothing, so an extra one is harmless; operators without the worker run
`manage.py run_due_terms` from cron instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from councils.core.errors import ConflictError
from councils.elections.models import Election
from councils.motions.tasks import run_at


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


def _waiting() -> bool:
    backend = run_terms.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        task_path=run_terms.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_terms(*, at: datetime | None = None) -> bool:
    """Enqueue a run of the terms at `at` (now if None) unless one is already waiting; say if it did."""
    if not run_terms.get_backend().supports_defer or _waiting():
        return False
    run_terms.using(run_after=at).enqueue()
    return True
