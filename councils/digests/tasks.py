"""The digests' daily run in the task worker: send what is due, then wait for the next midnight UTC.

Each run enqueues the next one (`councils.repeating`).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from councils.core.rules.digests import next_run
from councils.repeating import enqueue_unless_waiting


@task()
def send_digests() -> int:
    """Send every digest due now; return how many were sent."""
    from councils.digests.actions import SENT, send_due_digests

    try:
        outcomes = send_due_digests(now=timezone.now())
    finally:
        schedule_digests(at=next_run(now=timezone.now()))
    return sum(1 for outcome in outcomes if outcome.status == SENT)


def schedule_digests(*, at: datetime | None = None) -> bool:
    """Enqueue a digest run for `at` (now if None) unless one is already waiting; say whether one was."""
    return enqueue_unless_waiting(send_digests, at=at)
