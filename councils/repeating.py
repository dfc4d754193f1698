"""Tasks the worker repeats: the digests' daily run and the sweep of terms every few minutes.

The worker has no timer of its own, so each run of a repeating task enqueues the next one, and
`manage.py serve` enqueues a run at start when none is waiting (the first start, or after a run
that crashed). A run that finds nothing due does nothing, so an extra one is harmless.
"""

from __future__ import annotations

from datetime import datetime

from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult


def enqueue_unless_waiting(repeating: Task[[], int], *, at: datetime | None) -> bool:
    """Enqueue a run of `repeating` for `at` (now if None) unless one is already waiting; say if it did.

    Nothing is enqueued where the backend cannot defer work (the immediate backend of tests).
    """
    backend = repeating.get_backend()
    if not backend.supports_defer:
        return False
    if isinstance(backend, DatabaseBackend):
        waiting = DBTaskResult.objects.filter(task_path=repeating.module_path, status=TaskResultStatus.READY)
        if waiting.exists():
            return False
    repeating.using(run_after=at).enqueue()
    return True
