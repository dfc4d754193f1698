"""The digests' daily run in the task worker: send what is due, then wait for the next midnight UTC.

Nothing else in the worker repeats, so each run enqueues the next one, and
`manage.py serve` enqueues a run at start when none is waiting (the first
start, or after a run that crashed). A run that finds nothing due does
nothing, so an extra one is harmless.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from councils.core.rules.digests import next_run


@task()
def send_digests() -> int:
    """Send every digest due now; return how many were sent."""
    from councils.digests.actions import SENT, send_due_digests

    try:
        outcomes = send_due_digests(now=timezone.now())
    finally:
        schedule_digests(at=next_run(now=timezone.now()))
    return sum(1 for outcome in outcomes if outcome.status == SENT)


def _waiting() -> bool:
    backend = send_digests.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        task_path=send_digests.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_digests(*, at: datetime | None = None) -> bool:
    """Enqueue a digest run for `at` (now if None) unless one is already waiting; say whether one was."""
    if not send_digests.get_backend().supports_defer or _waiting():
        return False
    send_digests.using(run_after=at).enqueue()
    return True
