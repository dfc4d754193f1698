from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Choice(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")


class RecallPetition(models.Model):
    """Members of a council asking to recall the delegate or officer they elected."""

    class Status(models.TextChoices):
        OPEN = "open", _("Collecting signatures")
        VOTE = "vote", _("Recall vote under way")
        RECALLED = "recalled", _("Recalled")
        KEPT = "kept", _("Recall vote lost")
        EXPIRED = "expired", _("Expired without enough signatures")
        MOOT = "moot", _("The seat or office ended before the vote")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey(
        "federation.Council", on_delete=models.PROTECT, related_name="recall_petitions"
    )
    seat = models.ForeignKey(
        "federation.Seat", null=True, blank=True, on_delete=models.PROTECT, related_name="recall_petitions"
    )
    office = models.ForeignKey(
        "federation.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="recall_petitions"
    )
    target = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    eligible_count = models.PositiveIntegerField()
    threshold = models.PositiveIntegerField()
    constitution_version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    motion_uuid = models.UUIDField(null=True, blank=True)
    vote_uuid = models.UUIDField(null=True, blank=True)
    vote_called_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(seat__isnull=False, office__isnull=True) | Q(seat__isnull=True, office__isnull=False)
                ),
                name="recall_targets_one_seat_or_office",
            ),
            models.UniqueConstraint(
                fields=["seat"], condition=Q(status__in=["open", "vote"]), name="recall_one_live_per_seat"
            ),
            models.UniqueConstraint(
                fields=["office"], condition=Q(status__in=["open", "vote"]), name="recall_one_live_per_office"
            ),
        ]

    def __str__(self) -> str:
        return f"Recall {self.uuid}"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.VOTE)


class RecallSigner(models.Model):
    """The frozen list of who may sign: the council's voters when the petition started."""

    petition = models.ForeignKey(RecallPetition, on_delete=models.PROTECT, related_name="signers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["petition_id", "user_id"]
        constraints = [models.UniqueConstraint(fields=["petition", "user"], name="recall_signer_once")]

    def __str__(self) -> str:
        return f"Signer {self.user_id} of recall {self.petition_id}"


class RecallSignature(models.Model):
    """One member's own signature; the database refuses a second one."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    petition = models.ForeignKey(RecallPetition, on_delete=models.PROTECT, related_name="signatures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recall_signatures"
    )
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["petition_id", "signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["petition", "user"], name="recall_signature_once")]

    def __str__(self) -> str:
        return f"Signature {self.uuid}"


class MandateProposal(models.Model):
    """A proposed instruction, decided by a motion of the delegating council."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Before the council")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey(
        "federation.Council", on_delete=models.PROTECT, related_name="mandate_proposals"
    )
    target_council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="+")
    target_motion_uuid = models.UUIDField()
    choice = models.CharField(max_length=10, choices=Choice.choices)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    motion_uuid = models.UUIDField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ["-proposed_at", "id"]

    def __str__(self) -> str:
        return f"Mandate proposal {self.uuid}"


class Mandate(models.Model):
    """An instruction a council adopted for its delegates on a motion pending in the council above."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="mandates")
    target_council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="+")
    target_motion_uuid = models.UUIDField()
    target_title = models.CharField(max_length=300)
    choice = models.CharField(max_length=10, choices=Choice.choices)
    proposal = models.OneToOneField(MandateProposal, on_delete=models.PROTECT, related_name="mandate")
    adopted_at = models.DateTimeField()
    checked_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-adopted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "target_motion_uuid"],
                condition=Q(superseded_at__isnull=True),
                name="mandate_one_current_per_motion",
            )
        ]

    def __str__(self) -> str:
        return f"Mandate {self.uuid}: {self.choice}"


class MandateVote(models.Model):
    """How one delegate voted on an instructed motion: the roll-call line of the compliance table."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="roll_call")
    seat = models.ForeignKey("federation.Seat", on_delete=models.PROTECT, related_name="mandate_votes")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mandate_votes"
    )
    # Empty when the delegate did not vote at all, which also breaks the mandate.
    cast_choice = models.CharField(max_length=10, blank=True)
    complied = models.BooleanField()
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["-checked_at", "id"]
        constraints = [models.UniqueConstraint(fields=["mandate", "seat"], name="mandate_vote_once_per_seat")]

    def __str__(self) -> str:
        return f"Roll call {self.uuid}: {self.cast_choice or 'absent'}"


class Notification(models.Model):
    """An alert to one member in the app (and by e-mail): a mandate broken, pay above the cap, a document."""

    class Kind(models.TextChoices):
        MANDATE_DEVIATION = "mandate_deviation", _("A delegate voted against the mandate")
        PAY_ABOVE_CAP = "pay_above_cap", _("An officer's pay is above the cap")
        RECALL_VOTE = "recall_vote", _("A recall vote was called")
        PLATFORM_DOCUMENT = "platform_document", _("A platform published a document to the members")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    subject_uuid = models.UUIDField()
    message = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"Notification {self.uuid}"


class ReportDue(models.Model):
    """A delegate's report back to the council they represent after a meeting above."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    seat = models.ForeignKey("federation.Seat", on_delete=models.PROTECT, related_name="reports_due")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports_due"
    )
    council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="reports_due")
    higher_council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="+")
    meeting_uuid = models.UUIDField()
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    report = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["seat", "meeting_uuid"], name="report_due_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"Report {self.uuid}"
