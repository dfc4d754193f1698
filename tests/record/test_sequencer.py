"""Appending, sequencing, signing, and the database refusing rewrites of the log."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from councils.core.ledger import merkle, note
from councils.core.ledger.encoding import canonical_bytes
from councils.record import actions, queries, sequencer, signing
from councils.record.models import Checkpoint, Entry, LogState, Node, Pending, Sequence

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def append(n: int, *, event: str = "test.happened", now: datetime = NOW) -> list[Entry]:
    """An action appending `n` entries at `now`."""
    with transaction.atomic():
        for i in range(n):
            actions.append_entry(event=event, actor=None, council=None, payload={"n": i}, now=now)
    return list(Entry.objects.filter(event=event).order_by("id"))[-n:]


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        actions.append_entry(event="x.y", actor=None, council=None, payload={}, now=NOW)


@pytest.mark.django_db
def test_entry_rolls_back_with_its_action():
    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        actions.append_entry(event="x.y", actor=None, council=None, payload={}, now=NOW)
        raise Refused
    assert not Entry.objects.exists() and not Pending.objects.exists()


@pytest.mark.django_db
def test_entries_wait_unnumbered_until_sequenced_then_form_the_tree():
    entries = append(7)
    assert Pending.objects.count() == 7 and not Sequence.objects.exists()
    checkpoint = sequencer.sequence_pending(now=NOW)
    assert checkpoint is not None and checkpoint.size == 7
    assert not Pending.objects.exists()
    rows = list(Sequence.objects.order_by("index").values_list("index", "entry_id"))
    assert rows == [(i, e.id) for i, e in enumerate(entries)]
    leaves = [merkle.hash_leaf(bytes(e.data)) for e in entries]
    assert bytes(checkpoint.root) == merkle.root_from_leaves(leaves)[1]
    opened, _ = note.open_checkpoint(checkpoint.note, signing.verifier())
    assert opened.size == 7 and opened.root == bytes(checkpoint.root)
    assert {(n.level, n.index) for n in Node.objects.all()} == {(1, 0), (1, 1), (1, 2), (2, 0)}
    assert sequencer.sequence_pending(now=NOW) is None


@pytest.mark.django_db(transaction=True)
def test_many_batches_give_the_same_tree_as_one(monkeypatch):
    monkeypatch.setattr(sequencer, "BATCH", 3)
    entries = [append(1, now=NOW + timedelta(seconds=i))[0] for i in range(20)]
    last = sequencer.sequence_pending(now=NOW)
    assert last is not None and last.size == 20
    assert Checkpoint.objects.count() == 7
    leaves = [merkle.hash_leaf(bytes(e.data)) for e in entries]
    assert bytes(last.root) == merkle.root_from_leaves(leaves)[1]
    for n in (1, 5, 13, 20):
        assert sequencer.root_at(n) == merkle.root_from_leaves(leaves[:n])[1]
    assert LogState.objects.get(id=1).size == 20


@pytest.mark.django_db(transaction=True)
def test_a_batch_never_ends_inside_an_action(monkeypatch):
    """A batch takes the rest of the entries of the transactions it took, and no more."""
    monkeypatch.setattr(sequencer, "BATCH", 3)
    for minute in range(4):
        append(2, now=NOW + timedelta(minutes=minute))
    append(3, now=NOW + timedelta(minutes=4))
    assert sequencer.sequence_pending(now=NOW) is not None
    assert list(Checkpoint.objects.order_by("id").values_list("size", flat=True)) == [4, 8, 11]
    assert list(Sequence.objects.order_by("index").values_list("entry_id", flat=True)) == list(
        Entry.objects.order_by("id").values_list("id", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_a_batch_is_cut_between_actions_of_the_same_time(monkeypatch):
    """Actions sharing a time are still apart: a batch ends after the transactions it took."""
    monkeypatch.setattr(sequencer, "BATCH", 3)
    for _ in range(5):
        append(2)
    assert sequencer.sequence_pending(now=NOW) is not None
    assert list(Checkpoint.objects.order_by("id").values_list("size", flat=True)) == [4, 8, 10]


@pytest.mark.django_db
def test_empty_log_still_has_a_signed_checkpoint():
    text = queries.checkpoint_note()
    checkpoint, _ = note.open_checkpoint(text, signing.verifier())
    assert checkpoint.size == 0 and checkpoint.root == merkle.EMPTY_ROOT


@pytest.mark.django_db
def test_footer_summary_follows_new_checkpoints(django_capture_on_commit_callbacks):
    append(2)
    with django_capture_on_commit_callbacks(execute=True):
        sequencer.sequence_pending(now=NOW)
    first = queries.current_checkpoint_summary()
    assert first is not None and first["size"] == 2 and len(first["fingerprint"]) == 16
    append(1)
    with django_capture_on_commit_callbacks(execute=True):
        sequencer.sequence_pending(now=NOW)
    assert queries.current_checkpoint_summary()["size"] == 3


@pytest.mark.django_db
def test_every_entry_is_salted_with_a_fresh_nonce_in_the_pinned_encoding():
    from councils.core.ledger.encoding import entry_document, version_problem

    payload = {"b": [1, True, None], "a": "é"}
    entries = append(2, event="motion.adopted")
    data = [bytes(e.data) for e in entries]
    documents = [queries.entry_document(e) for e in entries]
    nonces = [d["nonce"] for d in documents]
    assert nonces[0] != nonces[1] and data[0] != data[1]
    assert entries[0].leaf_hash != entries[1].leaf_hash
    for i, (document, nonce) in enumerate(zip(documents, nonces, strict=True)):
        assert version_problem(document) is None
        assert data[i] == canonical_bytes(
            entry_document(
                event="motion.adopted", at=NOW, actor=None, council=None, payload={"n": i}, nonce=nonce
            )
        )
    assert canonical_bytes(
        entry_document(
            event="motion.adopted", at=NOW, actor=None, council="c", payload=payload, nonce="0" * 32
        )
    ) == (
        b'{"actor":null,"at":"2026-03-01T09:00:00.000000Z","council":"c","event":"motion.adopted",'
        b'"nonce":"00000000000000000000000000000000","payload":{"a":"\xc3\xa9","b":[1,true,null]},"v":2}'
    )


def _refused(sql: str, params: list[object]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_database_refuses_update_and_delete_of_the_log():
    entries = append(3)
    sequencer.sequence_pending(now=NOW)
    entry_id = entries[0].id
    _refused("UPDATE record_entry SET event = %s WHERE id = %s", ["forged.event", entry_id])
    _refused("UPDATE record_entry SET data = %s WHERE id = %s", [b"{}", entry_id])
    _refused("DELETE FROM record_entry WHERE id = %s", [entry_id])
    _refused("UPDATE record_sequence SET entry_id = %s WHERE index = %s", [entries[1].id, 0])
    _refused("DELETE FROM record_sequence WHERE index = %s", [2])
    _refused("UPDATE record_node SET hash = %s WHERE level = 1", [b"\x00" * 32])
    _refused("DELETE FROM record_checkpoint WHERE size = %s", [3])
    _refused("UPDATE record_checkpoint SET note = %s", ["forged"])
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(id=entry_id).update(event="forged.event")
    assert Entry.objects.get(id=entry_id).event == "test.happened"
    assert Sequence.objects.count() == 3


@pytest.mark.django_db
def test_personal_data_is_committed_and_erasable_without_breaking_hashes():
    with transaction.atomic():
        digest = actions.commit_personal(value="Alice Adeyemi", now=NOW)
        actions.append_entry(event="test.named", actor=None, council=None, payload={"name": digest}, now=NOW)
    assert digest.startswith("sha256:") and "Alice" not in digest
    assert queries.entry_document(Entry.objects.get())["payload"]["name"] == digest
    assert actions.reveal_personal(digest) == "Alice Adeyemi"
    before = sequencer.sequence_pending(now=NOW)
    actions.erase_personal(actor=None, commitment_text=digest, reason="the member asked", now=NOW)
    assert actions.reveal_personal(digest) is None
    after = sequencer.sequence_pending(now=NOW)
    assert after is not None and before is not None
    assert sequencer.root_at(before.size) == bytes(before.root)
    erased = queries.entry_document(Entry.objects.order_by("-id").first())
    assert erased["event"] == "personal.erased" and erased["payload"]["commitment"] == digest
    assert "Alice" not in bytes(Entry.objects.order_by("-id").first().data).decode()


@pytest.mark.django_db
def test_erasing_unknown_or_without_reason_is_refused():
    from councils.core.errors import InvalidInputError, NotFoundError

    with pytest.raises(NotFoundError):
        actions.erase_personal(actor=None, commitment_text="sha256:00", reason="asked", now=NOW)
    with pytest.raises(InvalidInputError):
        actions.erase_personal(actor=None, commitment_text="sha256:00", reason=" ", now=NOW)


@pytest.mark.django_db(transaction=True)
def test_concurrent_actions_and_sequencers_number_every_entry_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write transaction; the race needs PostgreSQL")
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(30):
                with transaction.atomic():
                    actions.append_entry(
                        event="t.w", actor=None, council=None, payload={"k": k, "i": i}, now=NOW
                    )
                if i % 7 == 0:
                    sequencer.sequence_pending(now=NOW)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    sequencer.sequence_pending(now=NOW)
    indexes = list(Sequence.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(120))
    assert Sequence.objects.values("entry_id").distinct().count() == 120
    leaves = [bytes(h) for h in Sequence.objects.order_by("index").values_list("leaf_hash", flat=True)]
    assert Checkpoint.objects.order_by("-id").first().root == merkle.root_from_leaves(leaves)[1]


@pytest.mark.django_db
def test_the_background_sequencer_signs_what_was_committed_until_it_is_stopped(monkeypatch):
    import os
    import signal

    from django.core.management import call_command

    from councils.record.management.commands import sign_checkpoint

    append(3)
    rounds = []

    def sleep(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) == 1:
            append(2)
        else:
            os.kill(os.getpid(), signal.SIGTERM)

    handlers = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(sign_checkpoint.time, "sleep", sleep)
    try:
        call_command("sign_checkpoint", "--follow", "0.25")
    finally:
        signal.signal(signal.SIGTERM, handlers[0])
        signal.signal(signal.SIGINT, handlers[1])
    assert rounds == [0.25, 0.25]
    assert not Pending.objects.exists()
    assert list(Checkpoint.objects.order_by("id").values_list("size", flat=True)) == [3, 5]


@pytest.mark.django_db
@pytest.mark.parametrize("seconds", ["0", "-1", "7200"])
def test_the_background_sequencer_refuses_a_senseless_interval(seconds):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="between 0 and 3600"):
        call_command("sign_checkpoint", "--follow", seconds)


@pytest.mark.django_db(transaction=True)
def test_the_background_sequencer_outlives_a_database_outage(monkeypatch, caplog):
    import os
    import signal

    from django.core.management import call_command

    from councils.record.management.commands import sign_checkpoint

    append(1)
    calls = []

    def has_pending() -> bool:
        calls.append(1)
        if len(calls) == 1:
            raise DatabaseError("server closed the connection unexpectedly")
        return True

    def sleep(seconds: float) -> None:
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    handlers = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(sign_checkpoint, "has_pending", has_pending)
    monkeypatch.setattr(sign_checkpoint.time, "sleep", sleep)
    try:
        call_command("sign_checkpoint", "--follow", "1")
    finally:
        signal.signal(signal.SIGTERM, handlers[0])
        signal.signal(signal.SIGINT, handlers[1])
    assert "could not sequence the record: server closed the connection" in caplog.text
    assert Checkpoint.objects.latest().size == 1
