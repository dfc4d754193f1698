"""create_council: no two councils of one federation share a name in the same place of the tree."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from councils.core.errors import ConflictError
from councils.federation import actions
from councils.federation.models import Council
from councils.record.models import Entry
from tests.conftest import NOW


def create(cast, *, name, parent, federation=None):
    return actions.create_council(
        actor=cast.alice,
        federation=federation or cast.federation,
        name=name,
        kind="workplace" if parent is not None else "national",
        parent=parent,
        is_base=parent is not None,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("name", "parent"),
    [
        ("Harbour Works", "district"),
        ("  Harbour Works ", "district"),
        ("National Congress", None),
        (" National Congress", None),
    ],
)
def test_a_name_taken_in_the_same_place_is_refused_and_nothing_is_written(cast, name, parent):
    councils, entries = Council.objects.count(), Entry.objects.count()
    with pytest.raises(ConflictError) as refused:
        create(cast, name=name, parent=getattr(cast, parent) if parent else None)
    assert str(refused.value) == f"There is already a council called {name.strip()!r} there."
    assert (Council.objects.count(), Entry.objects.count()) == (councils, entries)


def test_the_same_name_elsewhere_in_the_tree_or_in_another_federation_is_allowed(cast):
    assert create(cast, name="Harbour Works", parent=cast.city).parent == cast.city
    assert create(cast, name="Metro City", parent=None).parent is None
    other = actions.create_federation(actor=None, name="Other Federation", now=NOW)
    assert create(cast, name="National Congress", parent=None, federation=other).federation == other


def test_the_database_refuses_a_second_council_of_a_name_at_the_top(cast):
    # NULL parents are distinct in a unique index: this is the constraint of its own that they need.
    with pytest.raises(IntegrityError), transaction.atomic():
        Council.objects.create(
            federation=cast.federation, parent=None, name="National Congress", created_at=NOW
        )


def test_the_names_are_kept_apart_without_asking_the_database_first(cast):
    with CaptureQueriesContext(connection) as queries:
        create(cast, name="Dockside", parent=cast.district)
    assert [q["sql"].split()[0] for q in queries if "federation_council" in q["sql"]] == ["INSERT"]


def test_a_refusal_within_a_larger_transaction_leaves_it_usable(cast):
    with transaction.atomic():
        with pytest.raises(ConflictError):
            create(cast, name="Harbour Works", parent=cast.district)
        dockside = create(cast, name="Dockside", parent=cast.district)
    assert Council.objects.get(uuid=dockside.uuid).name == "Dockside"
