"""The record's tables.

An action inserts an `Entry` (and a `Pending` marker) in its own transaction;
nothing waits on the log's tail. The sequencer later gives pending entries
their log position (`Sequence`), stores the new perfect-subtree hashes
(`Node`) and signs a `Checkpoint`. Entry, Sequence, Node, Checkpoint and
Cosignature are insert-only: database triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

from django.db import models


class Entry(models.Model):
    """One record entry. Its bytes are canonical and never change once written."""

    event = models.CharField(max_length=64)
    council = models.ForeignKey(
        "federation.Council", null=True, blank=True, on_delete=models.PROTECT, related_name="record_entries"
    )
    created_at = models.DateTimeField()
    data = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "entries"
        # One index serves both `event = ...` and `event LIKE 'prefix%'`: every action writes it.
        indexes = [
            models.Index(fields=["event"], name="record_entry_event", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return f"{self.event} at {self.created_at:%Y-%m-%d %H:%M}"


class Pending(models.Model):
    """An entry committed but not yet given its log position (a queue, deleted as it is sequenced)."""

    # Inserted by the same statement as its entry, so a database check of the reference adds nothing.
    entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, primary_key=True, related_name="+", db_constraint=False
    )
    # The transaction that wrote the entry, so the sequencer keeps a transaction's entries together though
    # another's may take ids between them (an action sends its entries before a savepoint or a read of the
    # record). PostgreSQL fills it itself: the column's default is `txid_current()`, the top-level
    # transaction's id even inside a savepoint (record migration 0006). SQLite has one writer at a time,
    # so its engine marks a transaction's entries with the id of the first one it wrote. Null on rows
    # written before the column existed: each is its own.
    xact = models.BigIntegerField(null=True, editable=False)

    class Meta:
        ordering = ["entry"]

    def __str__(self) -> str:
        return f"pending entry {self.entry_id}"


class Sequence(models.Model):
    """An entry's position in the log: leaf `index` of the Merkle tree."""

    index = models.BigIntegerField(primary_key=True)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="sequence")
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["index"]

    def __str__(self) -> str:
        return f"#{self.index}"


class Node(models.Model):
    """The hash of the perfect subtree over leaves [index * 2**level, (index + 1) * 2**level), level >= 1."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["level", "index"]
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="record_node_unique_position")]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class LogState(models.Model):
    """The sequencer's single row: the log's size and root, locked while a batch is sequenced."""

    size = models.BigIntegerField(default=0)
    root = models.BinaryField(max_length=32, default=b"")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"log of {self.size} entries"


class Checkpoint(models.Model):
    """A checkpoint the federation signed, as the exact note text it published."""

    size = models.BigIntegerField()
    root = models.BinaryField(max_length=32)
    origin = models.CharField(max_length=200)
    key = models.CharField(max_length=300, help_text="vkey of the signing key")
    note = models.TextField()
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-size", "-id"]
        get_latest_by = "id"

    def __str__(self) -> str:
        return f"{self.origin} @ {self.size}"


class Cosignature(models.Model):
    """A witness's cosignature line for a checkpoint."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="cosignatures")
    witness = models.CharField(max_length=200, help_text="the witness key's name")
    key = models.CharField(max_length=300, help_text="vkey of the witness")
    line = models.TextField()
    signed_at = models.DateTimeField(help_text="the time inside the cosignature")

    class Meta:
        ordering = ["checkpoint", "witness"]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "key"], name="record_cosignature_once_per_witness")
        ]

    def __str__(self) -> str:
        return f"{self.witness} on {self.checkpoint}"


class PersonalDatum(models.Model):
    """A value an entry commits to by SHA-256(salt || value); deleting it erases the value, not the hash."""

    commitment = models.CharField(max_length=80, unique=True)
    salt = models.BinaryField(max_length=32)
    value = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "personal data"

    def __str__(self) -> str:
        return self.commitment
