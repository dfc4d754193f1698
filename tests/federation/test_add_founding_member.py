"""add_founding_member: a person is a current member of one council at most, however the requests come."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from councils.core.errors import ConflictError
from councils.federation import actions
from councils.federation.models import Membership
from councils.record.models import Entry
from tests.conftest import NOW, make_user


@pytest.mark.parametrize("council", ["riverside", "harbour"])
def test_a_member_enrolled_again_is_refused_and_nothing_is_written(cast, council):
    memberships, entries = Membership.objects.count(), Entry.objects.count()
    with pytest.raises(ConflictError) as refused:
        actions.add_founding_member(actor=None, council=getattr(cast, council), user=cast.bob, now=NOW)
    assert str(refused.value) == "bob is already a member of a council."
    assert refused.value.status == 409
    assert (Membership.objects.count(), Entry.objects.count()) == (memberships, entries)


def test_the_database_is_not_asked_first(cast):
    gina = make_user("gina", "Gina Rossi")
    with CaptureQueriesContext(connection) as queries:
        actions.add_founding_member(actor=None, council=cast.riverside, user=gina, now=NOW)
    assert [q["sql"].split()[0] for q in queries if "federation_membership" in q["sql"]] == ["INSERT"]


def test_a_refusal_within_a_larger_transaction_leaves_it_usable(cast):
    gina = make_user("gina", "Gina Rossi")
    with transaction.atomic():
        with pytest.raises(ConflictError):
            actions.add_founding_member(actor=None, council=cast.harbour, user=cast.bob, now=NOW)
        actions.add_founding_member(actor=None, council=cast.harbour, user=gina, now=NOW)
    assert Membership.objects.get(user=gina, ended_at__isnull=True).council == cast.harbour


@pytest.mark.django_db(transaction=True)
def test_two_enrolments_at_once_give_one_membership_and_one_clear_refusal(cast):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time, so enrolments cannot overlap there")
    gina = make_user("gina", "Gina Rossi")
    enrolled = Entry.objects.filter(event="member.founding_enrolled").count()
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def enrol(council):
        try:
            barrier.wait()
            outcomes.append(actions.add_founding_member(actor=None, council=council, user=gina, now=NOW))
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(c,)) for c in (cast.riverside, cast.harbour)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    refusals = [o for o in outcomes if not isinstance(o, Membership)]
    assert [str(r) for r in refusals] == ["gina is already a member of a council."]
    assert isinstance(refusals[0], ConflictError)
    assert Membership.objects.filter(user=gina).count() == 1
    assert Entry.objects.filter(event="member.founding_enrolled").count() == enrolled + 1
