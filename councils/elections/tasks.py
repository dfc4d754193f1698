"""Background work for elections: closing the poll at its closing time, as motion votes are closed."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

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
