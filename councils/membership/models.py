from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from councils.federation.models import Council


class Application(models.Model):
    """An application to join a base council: sponsors, a candidate period, then the council's vote.

    A transfer from another base council of the federation (`transfer_from`) skips the sponsors and
    the candidate period: it waits for the council's vote at once (docs/accountability-membership.md).
    """

    class Status(models.TextChoices):
        SPONSORING = "sponsoring", _("Waiting for sponsors")
        CANDIDATE = "candidate", _("Candidate period")
        AWAITING_VOTE = "awaiting_vote", _("Transfer waiting for the admission vote")
        VOTING = "voting", _("Admission vote")
        ADMITTED = "admitted", _("Admitted")
        REJECTED = "rejected", _("Not admitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    statement = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SPONSORING)
    applied_at = models.DateTimeField()
    # The constitution version the application was judged under (sponsors, period, surge).
    constitution_version = models.PositiveIntegerField()
    # Set when the last required sponsor signs: the candidate membership and its period.
    membership = models.ForeignKey(
        "federation.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    # A transfer: the applicant's current membership of another base council, which ends on admission.
    transfer_from = models.ForeignKey(
        "federation.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer_applications",
    )
    candidate_since = models.DateTimeField(null=True, blank=True)
    candidate_until = models.DateTimeField(null=True, blank=True)
    # A surge of admissions also needs the parent council's approval.
    is_flagged = models.BooleanField(default=False)
    motion_uuid = models.UUIDField(null=True, blank=True)
    council_approved_at = models.DateTimeField(null=True, blank=True)
    parent_motion_uuid = models.UUIDField(null=True, blank=True)
    parent_approved_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status__in=["sponsoring", "candidate", "awaiting_vote", "voting"]),
                name="application_one_open_per_applicant",
            )
        ]

    def __str__(self) -> str:
        return f"Application {self.uuid}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


OPEN_STATUSES = (
    Application.Status.SPONSORING,
    Application.Status.CANDIDATE,
    Application.Status.AWAITING_VOTE,
    Application.Status.VOTING,
)


class Sponsorship(models.Model):
    """A full member of standing vouching, in person, for an applicant."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="sponsorships")
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sponsorships"
    )
    sponsored_at = models.DateTimeField()

    class Meta:
        ordering = ["sponsored_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "sponsor"], name="sponsorship_once_per_sponsor")
        ]

    def __str__(self) -> str:
        return f"Sponsorship of {self.application}"


class DisciplineCase(models.Model):
    """Written charges against a member, heard and voted on by the member's own base council."""

    class Penalty(models.TextChoices):
        SUSPENSION = "suspension", _("Suspension")
        EXPULSION = "expulsion", _("Expulsion")

    class Status(models.TextChoices):
        CHARGED = "charged", _("Charged; hearing scheduled")
        HEARD = "heard", _("Heard; awaiting the council's vote")
        VOTING = "voting", _("The council is voting")
        UPHELD = "upheld", _("Charges upheld")
        DISMISSED = "dismissed", _("Charges dismissed")
        WITHDRAWN = "withdrawn", _("Charges withdrawn")
        REVERSED = "reversed", _("Reversed on appeal")
        ENDED = "ended", _("Suspension served")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey(
        "federation.Council", on_delete=models.PROTECT, related_name="discipline_cases"
    )
    membership = models.ForeignKey(
        "federation.Membership", on_delete=models.PROTECT, related_name="discipline_cases"
    )
    charged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="charges_brought"
    )
    charges = models.TextField()
    penalty = models.CharField(max_length=20, choices=Penalty.choices)
    suspension_days = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHARGED)
    charged_at = models.DateTimeField()
    hearing_at = models.DateTimeField()
    notified_at = models.DateTimeField()
    constitution_version = models.PositiveIntegerField()
    heard_at = models.DateTimeField(null=True, blank=True)
    hearing_notes = models.TextField(blank=True)
    motion_uuid = models.UUIDField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    # When the accused's personal data was erased at their request: the charges, the hearing notes,
    # their defences and appeal grounds are then empty, and the record keeps only their commitments.
    texts_erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-charged_at", "-id"]

    def __str__(self) -> str:
        return f"Case {self.uuid}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.CHARGED, self.Status.HEARD, self.Status.VOTING)


class Defence(models.Model):
    """The accused's answer to the charges, with the evidence they bring; kept for ever."""

    case = models.ForeignKey(DisciplineCase, on_delete=models.PROTECT, related_name="defences")
    statement = models.TextField()
    # Evidence as a list of {"title", "url" or "text"}: documents or links the accused relies on.
    evidence = models.JSONField(default=list)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"Defence in {self.case}"


class Appeal(models.Model):
    """An appeal against an upheld case: first to the parent council, then to the top body."""

    class Status(models.TextChoices):
        LODGED = "lodged", _("Lodged; awaiting the vote")
        VOTING = "voting", _("The council is voting")
        ALLOWED = "allowed", _("Allowed: the penalty is lifted")
        DISMISSED = "dismissed", _("Dismissed: the decision stands")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(DisciplineCase, on_delete=models.PROTECT, related_name="appeals")
    council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="appeals_heard")
    level = models.PositiveSmallIntegerField()
    grounds = models.TextField()
    lodged_at = models.DateTimeField()
    constitution_version = models.PositiveIntegerField()
    motion_uuid = models.UUIDField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.LODGED)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "level"]
        constraints = [models.UniqueConstraint(fields=["case", "level"], name="appeal_once_per_level")]

    def __str__(self) -> str:
        return f"Appeal {self.uuid}"


class Formation(models.Model):
    """Members asking a higher council to form a new base council below it, and move them into it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Collecting consent; awaiting the council's vote")
        FORMED = "formed", _("Formed")
        REJECTED = "rejected", _("Rejected by the vote")
        REFUSED = "refused", _("Carried, but not formed")
        WITHDRAWN = "withdrawn", _("Withdrawn by its proposer")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The higher council asked to form the new council below it.
    parent = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="formations")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    visibility = models.CharField(max_length=20)
    reason = models.TextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="formations_proposed"
    )
    proposed_at = models.DateTimeField()
    constitution_version = models.PositiveIntegerField()
    motion_uuid = models.UUIDField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal = models.TextField(blank=True)
    council = models.OneToOneField(
        "federation.Council", null=True, blank=True, on_delete=models.PROTECT, related_name="formed_by"
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"Formation of {self.name}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PROPOSED

    @property
    def kind_label(self) -> str:
        """The type of council proposed, as people read it ("Workplace council")."""
        return str(Council.Kind(self.kind).label)


class FormationSignature(models.Model):
    """A founding member's own consent to be moved into the council a formation proposes."""

    formation = models.ForeignKey(Formation, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The membership they consented to leave for the new council.
    membership = models.ForeignKey("federation.Membership", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    # Whether the formation moved them: null until it is decided.
    moved = models.BooleanField(null=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["formation", "signer"], name="formation_signed_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.signer} for {self.formation}"
