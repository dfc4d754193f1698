from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    """A meeting of a council: an agenda taken in order, attendance, and minutes frozen once approved."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("In session")
        CLOSED = "closed", _("Closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    online_url = models.URLField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The minutes as approved: a frozen document, its hash (also in the record)
    # and the record checkpoint (size and root) they were approved against.
    minutes = models.JSONField(null=True, blank=True)
    minutes_hash = models.CharField(max_length=80, blank=True)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """One item of business: a motion, an election, a report or other business."""

    class Kind(models.TextChoices):
        MOTION = "motion", _("Motion")
        ELECTION = "election", _("Election")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other business")
        PETITION = "petition", _("Forced by members' petition")
        REPORT_BACK = "report_back", _("Delegate's report back")

    class Status(models.TextChoices):
        PENDING = "pending", _("To come")
        CURRENT = "current", _("Under discussion")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Taken off the agenda by a vote of the council")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    motion = models.ForeignKey(
        "motions.Motion", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    election = models.ForeignKey(
        "elections.Election", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    # The petitions app's forced item this places on the agenda (kept loose).
    forced_item_uuid = models.UUIDField(null=True, blank=True)
    # The report back a delegate owes the council, for an item the rules put on the agenda.
    report = models.ForeignKey(
        "mandates.ReportDue", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    # A forced item the council voted to merge: the item it now goes with.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_items"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    taken_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Attendance(models.Model):
    """Someone present at a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    present_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting_id", "present_at", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.user_id} at meeting {self.meeting_id}"


class Speaker(models.Model):
    """A place on an item's speakers' list."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SPEAKING = "speaking", _("Has the floor")
        DONE = "done", _("Spoke")
        WITHDRAWN = "withdrawn", _("Withdrew")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="speakers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    requested_at = models.DateTimeField()
    floor_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item_id", "requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.user_id} on item {self.item_id}"
