"""The flusher and the closing task under the database task backend used in production."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from councils.motions import actions, tasks
from councils.motions.models import PendingBallot, SecretBallot
from tests.motions.conftest import NOW


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queued(name: str):
    return DBTaskResult.objects.filter(task_path=f"councils.motions.tasks.{name}")


def test_cast_enqueues_flush_and_small_batch_is_deferred(
    database_tasks, settings, cast, motion, django_capture_on_commit_callbacks
):
    settings.COUNCILS_SECRET_BATCH_SIZE = 25
    settings.COUNCILS_SECRET_BATCH_SECONDS = 3600
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    with django_capture_on_commit_callbacks(execute=True):
        actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    assert _queued("flush_secret_ballots").count() == 1
    # The worker runs it: one ballot is too few to mix, so a later run is scheduled.
    assert tasks.flush_secret_ballots.call(str(vote.uuid)) == 0
    # An immediate task is stored with the latest possible date; a deferred one with its time.
    deferred = _queued("flush_secret_ballots").filter(run_after__lt=timezone.now() + timedelta(days=1))
    assert deferred.count() == 1 and deferred.get().run_after > timezone.now()
    settings.COUNCILS_SECRET_BATCH_SECONDS = 0
    assert tasks.flush_secret_ballots.call(str(vote.uuid)) == 1
    assert not PendingBallot.objects.filter(vote=vote).exists()
    assert SecretBallot.objects.filter(vote=vote).count() == 1


def test_flush_of_closed_vote_does_nothing(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    assert tasks.flush_secret_ballots.call(str(vote.uuid)) == 0


def test_vote_with_closing_time_is_closed_by_the_rules(
    database_tasks, cast, motion, django_capture_on_commit_callbacks, monkeypatch
):
    closes_at = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        vote = actions.open_vote(
            actor=cast.alice, motion=motion, now=NOW, method="named", closes_at=closes_at
        )
    scheduled = _queued("close_due_vote").get()
    assert scheduled.run_after == closes_at
    assert tasks.close_due_vote.call(str(vote.uuid)) == "not due"
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    # The worker runs the task at the closing time.
    monkeypatch.setattr(tasks.timezone, "now", lambda: closes_at)
    assert tasks.close_due_vote.call(str(vote.uuid)) == "adopted"
    assert tasks.close_due_vote.call(str(vote.uuid)) == "not due"


def test_immediate_backend_schedules_nothing(cast, motion, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.open_vote(
            actor=cast.alice, motion=motion, now=NOW, method="named", closes_at=NOW + timedelta(hours=1)
        )
    assert not DBTaskResult.objects.exists()
