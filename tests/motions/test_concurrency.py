"""Two casts by the same member at the same moment, on real threads and connections."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction

from councils.core.errors import ConflictError
from councils.motions import actions
from councils.motions.models import NamedBallot, Participation
from councils.record.models import Entry
from tests.motions.conftest import NOW


def _race(vote, user, choices, keys):
    barrier = threading.Barrier(len(choices))
    outcomes: list[object] = []

    def run(choice, key):
        try:
            barrier.wait()
            outcomes.append(
                actions.cast_vote(actor=user, vote=vote, choice=choice, now=NOW, idempotency_key=key)
            )
        except ConflictError as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in zip(choices, keys, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite takes one writer at a time (BEGIN IMMEDIATE), so casts cannot overlap there; "
            "run with DATABASE_URL=postgres://... to race them"
        )


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_named_casts_give_one_vote(postgres_only, cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named", allow_change=False)
    outcomes = _race(vote, cast.bob, ["yes", "no"], ["a", "b"])
    assert len(outcomes) == 2
    assert NamedBallot.objects.filter(vote=vote, voter=cast.bob).count() == 1
    assert Entry.objects.filter(event="vote.cast").count() == 1
    assert sum(isinstance(o, ConflictError) for o in outcomes) == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_secret_casts_give_one_ballot(postgres_only, cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    outcomes = _race(vote, cast.bob, ["yes", "yes"], ["a", "b"])
    assert Participation.objects.filter(vote=vote, voter=cast.bob).count() == 1
    assert Entry.objects.filter(event="ballot.cast").count() == 1
    assert sum(isinstance(o, ConflictError) for o in outcomes) == 1
    result = actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    assert result.turnout == 1


@pytest.mark.django_db(transaction=True)
def test_casts_do_not_wait_for_each_other_but_the_close_waits_for_them(postgres_only, cast, motion):
    """A congress votes at once: one voter's cast still in flight holds back the close, not the others."""
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    midway, release = threading.Event(), threading.Event()

    def bob_casts_slowly():
        try:
            with transaction.atomic():
                actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
                midway.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    bob = threading.Thread(target=bob_casts_slowly)
    bob.start()
    try:
        assert midway.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        actions.cast_vote(actor=cast.erin, vote=vote, choice="no", now=NOW)
        with pytest.raises(OperationalError, match="lock timeout"):
            actions.close_vote(actor=None, vote=vote, now=NOW)
    finally:
        release.set()
        bob.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    result = actions.close_vote(actor=None, vote=vote, now=NOW)
    assert (result.yes, result.no) == (1, 1)


# Writes ballots behind `cast_vote`, to show the database's own constraints refuse a second one.
@pytest.mark.tampers
def test_database_refuses_a_second_ballot_by_itself(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    NamedBallot.objects.create(vote=vote, voter=cast.bob, choice="yes", cast_at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        NamedBallot.objects.create(vote=vote, voter=cast.bob, choice="no", cast_at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.bulk_create(
            [Participation(vote=vote, voter=cast.bob), Participation(vote=vote, voter=cast.bob)]
        )
