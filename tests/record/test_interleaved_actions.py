"""Two actions committing at once on PostgreSQL, one of them sending its entries early (a savepoint):
each action's entries still stand together in the log, and the log replays without a problem."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections, transaction

from councils.federation import actions as federation_actions
from councils.federation.models import Office
from councils.mandates import actions as mandate_actions
from councils.motions import actions as motion_actions
from councils.motions.models import Vote
from councils.record import actions, sequencer, verification
from councils.record.models import Entry, Pending, Sequence
from tests.conftest import NOW
from tests.record.support import verify_genuine

WAIT = 30


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite takes one writer at a time, so one action's entries never have another's between them; "
            "run with DATABASE_URL=postgres://... to interleave them"
        )


def in_background(action: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException]]:
    """Run `action` on a thread of its own, with its own database connection."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as exc:  # pragma: no cover - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def append(event: str, n: int) -> None:
    actions.append_entry(event=event, actor=None, council=None, payload={"n": n}, now=NOW)


def log_events() -> list[str]:
    return list(Sequence.objects.order_by("index").values_list("entry__event", flat=True))


@pytest.mark.django_db(transaction=True)
def test_an_action_sending_entries_before_a_savepoint_keeps_them_together(postgres_only):
    """A appends and takes a savepoint (its entry is sent, taking its id), B commits, then A does."""
    midway, release = threading.Event(), threading.Event()

    def a() -> None:
        with transaction.atomic():
            append("t.one", 1)
            with transaction.atomic():
                pass
            midway.set()
            assert release.wait(WAIT)
            append("t.one", 2)

    thread, errors = in_background(a)
    assert midway.wait(WAIT)
    with transaction.atomic():
        append("t.two", 1)
    release.set()
    thread.join(WAIT)
    assert not errors
    by_id = list(Entry.objects.order_by("id").values_list("event", flat=True))
    assert by_id == ["t.one", "t.two", "t.one"], "B took an id between A's"
    marks = dict(Pending.objects.values_list("entry_id", "xact"))
    ids = list(Entry.objects.order_by("id").values_list("id", flat=True))
    assert marks[ids[0]] == marks[ids[2]] != marks[ids[1]]
    sequencer.sequence_pending(now=NOW)
    # B committed first: A, which committed after it, follows it whole.
    assert log_events() == ["t.two", "t.one", "t.one"]
    assert list(
        Entry.objects.filter(event="t.one").order_by("sequence__index").values_list("id", flat=True)
    ) == [
        ids[0],
        ids[2],
    ]
    assert verify_genuine().problems == []


@pytest.mark.django_db(transaction=True)
def test_a_recall_calling_its_by_election_while_another_action_commits_replays_cleanly(
    postgres_only, cast, monkeypatch
):
    """The recall ends the chair's office, calls the by-election (a savepoint: the ending is sent) and
    lists the ending in its decision; another council's action commits in between."""
    office = Office.objects.get(council=cast.riverside, role=Office.Role.CHAIR)
    petition = mandate_actions.start_recall(actor=cast.erin, office=office, now=NOW)
    vote = Vote.objects.get(uuid=petition.vote_uuid)
    for voter in (cast.erin, cast.frank):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=NOW)
    decided_at = vote.closes_at
    midway, release = threading.Event(), threading.Event()
    call_byelections = mandate_actions.election_actions.call_byelections

    def call_then_wait(**arguments: Any) -> Any:
        called = call_byelections(**arguments)
        midway.set()
        assert release.wait(WAIT)
        return called

    monkeypatch.setattr(mandate_actions.election_actions, "call_byelections", call_then_wait)
    thread, errors = in_background(lambda: motion_actions.close_vote(actor=None, vote=vote, now=decided_at))
    assert midway.wait(WAIT)
    federation_actions.appoint_founding_officer(
        actor=None,
        council=cast.harbour,
        user=cast.dave,
        role=Office.Role.SECRETARY,
        now=decided_at + timedelta(seconds=1),
    )
    release.set()
    thread.join(WAIT)
    assert not errors
    recall = Entry.objects.filter(created_at=decided_at).order_by("id").values_list("id", flat=True)
    other = Entry.objects.get(created_at=decided_at + timedelta(seconds=1))
    assert recall.first() < other.id < recall.last(), "the other action took an id inside the recall's"
    assert verification.verify_database() == [], "pending entries are checked in the order they will take"
    assert verify_genuine().problems == []
    assert verification.verify_database() == []
    times = Sequence.objects.order_by("index").values_list("entry__created_at", flat=True)
    runs = [at for at, _ in itertools.groupby(times)]
    assert len(runs) == len(set(runs)), "an action's entries have another's between them"
