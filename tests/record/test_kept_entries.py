"""An action's entries travel with its COMMIT, yet behave as rows written in its transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from councils.record import actions
from councils.record.models import Entry, Pending

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def append(n: int) -> None:
    actions.append_entry(event="test.kept", actor=None, council=None, payload={"n": n}, now=NOW)


def numbers() -> list[int]:
    return [json.loads(bytes(data))["payload"]["n"] for data in Entry.objects.values_list("data", flat=True)]


@pytest.mark.django_db(transaction=True)
def test_entries_commit_in_the_order_they_were_appended_with_their_pending_markers():
    with transaction.atomic():
        for n in (3, 1, 2):
            append(n)
        assert connection.kept_entries, "entries wait for the commit"
    assert not connection.kept_entries
    assert numbers() == [3, 1, 2]
    assert list(Pending.objects.values_list("entry_id", flat=True)) == list(
        Entry.objects.values_list("id", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_a_savepoint_rolled_back_drops_only_the_entries_appended_after_it():
    class Refused(Exception):
        pass

    with transaction.atomic():
        append(1)
        with pytest.raises(Refused), transaction.atomic():
            append(2)
            with transaction.atomic():
                append(3)
            raise Refused
        with transaction.atomic():
            append(4)
    assert numbers() == [1, 4]


@pytest.mark.django_db(transaction=True)
def test_reading_the_record_inside_the_transaction_sees_what_was_appended():
    class Refused(Exception):
        pass

    with transaction.atomic():
        append(1)
        with pytest.raises(Refused), transaction.atomic():
            append(2)
            assert numbers() == [1, 2], "a read sends the kept entries first"
            append(3)
            raise Refused
        assert numbers() == [1]
        append(5)
    assert numbers() == [1, 5] and Pending.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_failed_transaction_leaves_no_entry_behind():
    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        append(1)
        raise Refused
    assert not connection.kept_entries
    with transaction.atomic():
        append(2)
    assert numbers() == [2]


@pytest.mark.django_db(transaction=True)
def test_a_refused_commit_rolls_back_the_whole_action():
    """An entry naming a council that does not exist fails at COMMIT, and takes the change with it."""
    from councils.federation.models import Council

    class Ghost:
        id = 987654321
        uuid = "00000000-0000-0000-0000-000000000000"

    with pytest.raises(IntegrityError), transaction.atomic():
        Council.objects.filter(id=-1).exists()
        actions.append_entry(event="test.kept", actor=None, council=Ghost(), payload={}, now=NOW)  # type: ignore[arg-type]
    assert not Entry.objects.exists() and not Pending.objects.exists()
    assert not connection.kept_entries and not connection.in_atomic_block
    with transaction.atomic():
        append(7)
    assert numbers() == [7]
