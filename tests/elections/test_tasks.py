"""The rules close an election's poll at its closing time, under the database task backend."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from councils.elections import actions, tasks
from councils.elections.models import Election
from councils.record.models import Entry


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queued():
    return DBTaskResult.objects.filter(task_path="councils.elections.tasks.close_due_election")


def _open(cast, django_capture_on_commit_callbacks):
    now = timezone.now()
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=now)
    bob = actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=now)
    closes_at = now + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        actions.open_voting(actor=cast.alice, election=election, closes_at=closes_at, now=now)
    return election, bob, closes_at


def test_the_poll_is_closed_by_the_rules_at_its_closing_time(
    database_tasks, cast, django_capture_on_commit_callbacks, monkeypatch
):
    election, bob, closes_at = _open(cast, django_capture_on_commit_callbacks)
    assert _queued().get().run_after == closes_at
    assert tasks.close_due_election.call(str(election.uuid)) == "not due"
    actions.cast_ballot(actor=cast.erin, election=election, ranking=[str(bob.uuid)], now=timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: closes_at)
    assert tasks.close_due_election.call(str(election.uuid)) == "closed"
    assert Election.objects.get(pk=election.pk).status == "closed"
    [closed] = Entry.objects.filter(event="election.closed")
    assert json.loads(bytes(closed.data))["actor"] is None
    assert tasks.close_due_election.call(str(election.uuid)) == "not due"


def test_a_poll_nobody_voted_in_fails_at_its_closing_time(
    database_tasks, cast, django_capture_on_commit_callbacks, monkeypatch
):
    election, _, closes_at = _open(cast, django_capture_on_commit_callbacks)
    monkeypatch.setattr(timezone, "now", lambda: closes_at)
    assert tasks.close_due_election.call(str(election.uuid)) == "failed"
    assert Election.objects.get(pk=election.pk).status == "failed"
    [failed] = Entry.objects.filter(event="election.failed")
    document = json.loads(bytes(failed.data))
    assert document["actor"] is None
    assert document["payload"]["reason"] == "no_ballots" and document["payload"]["turnout"] == 0
    assert tasks.close_due_election.call(str(election.uuid)) == "not due"


def test_immediate_backend_schedules_nothing(cast, django_capture_on_commit_callbacks):
    _open(cast, django_capture_on_commit_callbacks)
    assert not _queued().exists()
