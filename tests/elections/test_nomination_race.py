"""A candidate stands once per election, however the nominations come: the constraint refuses a second."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from councils.core.errors import ConflictError
from councils.elections import actions
from councils.elections.models import Candidacy
from councils.record.models import Entry
from tests.conftest import NOW


def test_a_second_nomination_is_refused_without_asking_the_database_first(cast):
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    entries = Entry.objects.count()
    with CaptureQueriesContext(connection) as queries, pytest.raises(ConflictError) as refused:
        actions.nominate(actor=cast.frank, election=election, candidate=cast.erin, now=NOW)
    assert str(refused.value) == "Erin Walsh is already nominated."
    assert [q["sql"].split()[0] for q in queries if "elections_candidacy" in q["sql"]] == ["INSERT"]
    assert (Candidacy.objects.filter(election=election).count(), Entry.objects.count()) == (1, entries)


def test_paper_forms_naming_someone_nominated_are_refused_whole(cast):
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    with CaptureQueriesContext(connection) as queries, pytest.raises(ConflictError) as refused:
        actions.record_nomination_forms(
            actor=cast.alice,
            election=election,
            forms=[(cast.frank, cast.bob), (cast.erin, cast.bob)],
            now=NOW,
        )
    assert str(refused.value) == "Someone on these forms is already nominated."
    assert [q["sql"].split()[0] for q in queries if "elections_candidacy" in q["sql"]] == ["INSERT"]
    assert list(Candidacy.objects.filter(election=election).values_list("candidate", flat=True)) == [
        cast.erin.pk
    ]


@pytest.mark.django_db(transaction=True)
def test_two_nominations_at_once_give_one_candidacy_and_one_clear_refusal(cast):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time, so nominations cannot overlap there")
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def nominate(actor):
        try:
            barrier.wait()
            outcomes.append(actions.nominate(actor=actor, election=election, candidate=cast.erin, now=NOW))
        except Exception as exc:  # an IntegrityError would be the failure looked for
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=nominate, args=(who,)) for who in (cast.bob, cast.frank)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    refusals = [o for o in outcomes if not isinstance(o, Candidacy)]
    assert [str(r) for r in refusals] == ["Erin Walsh is already nominated."]
    assert isinstance(refusals[0], ConflictError)
    assert Candidacy.objects.filter(election=election).count() == 1
    assert Entry.objects.filter(event="election.nominated").count() == 1
