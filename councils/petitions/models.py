from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AgendaPetition(models.Model):
    """Members asking for an item on their council's next meeting agenda."""

    class Status(models.TextChoices):
        OPEN = "open", _("Collecting signatures")
        FORCED = "forced", _("On the agenda")
        EXPIRED = "expired", _("Expired without enough support")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey(
        "federation.Council", on_delete=models.PROTECT, related_name="agenda_petitions"
    )
    title = models.CharField(max_length=200)
    text = models.TextField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    eligible_count = models.PositiveIntegerField()
    threshold = models.PositiveIntegerField()
    # For a higher council: how many councils below it may force the item instead.
    councils_threshold = models.PositiveIntegerField(null=True, blank=True)
    constitution_version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    forced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "id"]

    def __str__(self) -> str:
        return self.title


class AgendaSigner(models.Model):
    """The frozen list of who may sign: the council's voters when the petition started."""

    petition = models.ForeignKey(AgendaPetition, on_delete=models.PROTECT, related_name="signers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["petition_id", "user_id"]
        constraints = [models.UniqueConstraint(fields=["petition", "user"], name="agenda_signer_once")]

    def __str__(self) -> str:
        return f"Signer {self.user_id} of petition {self.petition_id}"


class AgendaSignature(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    petition = models.ForeignKey(AgendaPetition, on_delete=models.PROTECT, related_name="signatures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["petition_id", "signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["petition", "user"], name="agenda_signature_once")]

    def __str__(self) -> str:
        return f"Signature {self.uuid}"


class CouncilSupport(models.Model):
    """A council below a congress backing its petition, by a motion that council adopted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Before the council")
        ADOPTED = "adopted", _("Supported")
        REJECTED = "rejected", _("Not supported")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    petition = models.ForeignKey(AgendaPetition, on_delete=models.PROTECT, related_name="council_supports")
    council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="+")
    motion_uuid = models.UUIDField(null=True, blank=True)
    proposed_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["petition_id", "proposed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "council"],
                condition=Q(status__in=["pending", "adopted"]),
                name="council_support_once",
            )
        ]

    def __str__(self) -> str:
        return f"Backing {self.uuid}"


class ForcedAgendaItem(models.Model):
    """An item forced onto the council's next meeting; only a vote of the body may move it.

    Forced either by a members' petition or by the rules: a delegate's report back falling due.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Due on the next meeting's agenda")
        PLACED = "placed", _("On a meeting's agenda")
        DEALT_WITH = "dealt_with", _("Dealt with")
        REMOVED = "removed", _("Removed by a vote of the council")
        POSTPONED = "postponed", _("Postponed by a vote of the council")
        MERGED = "merged", _("Merged by a vote of the council")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey(
        "federation.Council", on_delete=models.PROTECT, related_name="forced_agenda_items"
    )
    petition = models.OneToOneField(
        AgendaPetition, null=True, blank=True, on_delete=models.PROTECT, related_name="item"
    )
    report = models.OneToOneField(
        "mandates.ReportDue", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_item"
    )
    title = models.CharField(max_length=200)
    text = models.TextField()
    forced_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    meeting_uuid = models.UUIDField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by_motion_uuid = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["forced_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(petition__isnull=False, report__isnull=True)
                    | Q(petition__isnull=True, report__isnull=False)
                ),
                name="forced_item_by_petition_or_report",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ItemChangeProposal(models.Model):
    """A proposal to remove, merge or postpone a forced item, decided by a motion of the body."""

    class Change(models.TextChoices):
        REMOVE = "remove", _("Remove")
        POSTPONE = "postpone", _("Postpone")
        MERGE = "merge", _("Merge")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(ForcedAgendaItem, on_delete=models.PROTECT, related_name="change_proposals")
    change = models.CharField(max_length=10, choices=Change.choices)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    motion_uuid = models.UUIDField(null=True, blank=True)
    # For a merge: the meetings app's agenda item the forced item goes with (kept loose).
    merge_into_uuid = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]

    def __str__(self) -> str:
        return f"{self.change} {self.item_id}"
