"""One live recall petition per seat or office, however they come: the constraint refuses a second."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from councils.core.errors import ConflictError
from councils.federation.models import Office, Seat
from councils.mandates import actions
from councils.mandates.models import RecallPetition
from councils.record.models import Entry
from tests.conftest import NOW

REFUSAL = "A recall petition against this holder is already under way; sign that one."


def bob_seat(cast):
    return Seat.objects.get(user=cast.bob, council=cast.district, ended_at__isnull=True)


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
@pytest.mark.parametrize("target", ["seat", "office"])
def test_a_second_petition_is_refused_without_asking_the_database_first(cast, rules, target):
    held = {"seat": bob_seat(cast)} if target == "seat" else {"office": Office.objects.get(user=cast.alice)}
    actions.start_recall(actor=cast.erin, now=NOW, **held)
    entries = Entry.objects.count()
    with CaptureQueriesContext(connection) as queries, pytest.raises(ConflictError) as refused:
        actions.start_recall(actor=cast.frank, now=NOW, **held)
    assert str(refused.value) == REFUSAL
    assert [q["sql"].split()[0] for q in queries if "mandates_recallpetition" in q["sql"]] == ["INSERT"]
    assert (RecallPetition.objects.count(), Entry.objects.count()) == (1, entries)


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
@pytest.mark.django_db(transaction=True)
def test_two_petitions_at_once_give_one_petition_and_one_clear_refusal(cast, rules):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time, so petitions cannot overlap there")
    seat = bob_seat(cast)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def start(actor):
        try:
            barrier.wait()
            outcomes.append(actions.start_recall(actor=actor, seat=seat, now=NOW))
        except Exception as exc:  # an IntegrityError would be the failure looked for
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(who,)) for who in (cast.erin, cast.frank)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    refusals = [o for o in outcomes if not isinstance(o, RecallPetition)]
    assert [str(r) for r in refusals] == [REFUSAL]
    assert isinstance(refusals[0], ConflictError)
    assert RecallPetition.objects.filter(seat=seat).count() == 1
    assert Entry.objects.filter(event="recall.petition_started").count() == 1
