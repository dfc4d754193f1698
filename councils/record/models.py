from __future__ import annotations

from django.db import models


class Entry(models.Model):
    """One record entry. Its bytes are canonical and never change once written."""

    index = models.BigIntegerField(unique=True)
    event = models.CharField(max_length=64, db_index=True)
    council = models.ForeignKey(
        "federation.Council", null=True, blank=True, on_delete=models.PROTECT, related_name="record_entries"
    )
    created_at = models.DateTimeField()
    data = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["index"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"#{self.index} {self.event}"


class Head(models.Model):
    """The log's size: one row, locked while an entry takes the next index."""

    size = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
