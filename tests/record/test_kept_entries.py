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
def test_entries_sent_before_the_transactions_first_statement_still_roll_back_with_it():
    """A savepoint sends what is kept; sent before anything else, the entries must not commit on their own."""

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        append(1)
        with transaction.atomic():
            append(2)
        raise Refused
    assert not Entry.objects.exists() and not Pending.objects.exists()
    with transaction.atomic():
        append(3)
    assert numbers() == [3]


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
def test_every_entry_of_a_transaction_is_marked_with_it_through_savepoints_and_reads():
    class Refused(Exception):
        pass

    with transaction.atomic():
        with pytest.raises(Refused), transaction.atomic():
            append(1)
            assert numbers() == [1], "a read sends the kept entries first"
            raise Refused
        append(2)
        with transaction.atomic():
            append(3)
        assert numbers() == [2, 3]
        append(4)
    with transaction.atomic():
        append(5)
    assert numbers() == [2, 3, 4, 5]
    marks = list(Pending.objects.order_by("entry_id").values_list("xact", flat=True))
    assert None not in marks and marks[0] == marks[1] == marks[2] != marks[3]


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


@pytest.mark.django_db(transaction=True)
def test_entry_bytes_and_times_arrive_exactly_as_appended():
    """Quotes, backslashes, percent signs and any Unicode survive; so do microseconds and the zone."""
    from datetime import timedelta, timezone

    awkward = "O'Brien said \"no\"; \\x00 -- 100% \u2028 \U0001f3f4 '); DROP TABLE record_entry; --"
    at = datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=timezone(timedelta(hours=-5)))
    with transaction.atomic():
        actions.append_entry(event="test.kept", actor=None, council=None, payload={"text": awkward}, now=at)
    entry = Entry.objects.get()
    assert json.loads(bytes(entry.data))["payload"]["text"] == awkward
    assert entry.created_at == at
    from councils.core.ledger.merkle import hash_leaf

    assert bytes(entry.leaf_hash) == hash_leaf(bytes(entry.data))


BAD_EVENTS = ["Test.kept", "test", "test.kept'); --", "test..kept", "test.kept ", "a." + "b" * 63]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("event", BAD_EVENTS)
def test_an_event_that_is_not_a_dotted_lower_case_name_is_refused(event):
    with pytest.raises(ValueError, match="not a record event name"), transaction.atomic():
        actions.append_entry(event=event, actor=None, council=None, payload={}, now=NOW)
    assert not Entry.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (("test.kept", None, datetime(2026, 3, 1), b"{}", bytes(32)), "timezone-aware"),
        (("test.kept", None, NOW, "{}", bytes(32)), "bytes"),
        (("test.kept", None, NOW, b"{}", bytes(31)), "bytes"),
        (("test.kept", "1; DROP TABLE record_entry", NOW, b"{}", bytes(32)), "integer id"),
    ],
)
def test_the_connection_keeps_only_values_it_can_write_safely(values, problem):
    with pytest.raises((ValueError, TypeError), match=problem), transaction.atomic():
        connection.keep_entry(values)
    assert not Entry.objects.exists()
