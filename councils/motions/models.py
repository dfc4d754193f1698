from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from councils.core.rules import votes


class Motion(models.Model):
    """A proposal put to a council: tabled, seconded, amended, voted on, maybe forwarded upward."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Motion")
        AMENDMENT = "amendment", _("Amendment")
        RECALL = "recall", _("Recall")
        DISCIPLINE = "discipline", _("Discipline")
        CONSTITUTION = "constitution", _("Constitutional change")
        ADMISSION = "admission", _("Admission")
        AGENDA = "agenda", _("Agenda")
        FORMATION = "formation", _("Forming a council")

    class State(models.TextChoices):
        DRAFT = "draft", _("Awaiting seconders")
        SECONDED = "seconded", _("Seconded, awaiting a vote")
        VOTING = "voting", _("Voting open")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        FORWARDED = "forwarded", _("Adopted and forwarded")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # An amendment still pending when its motion was decided or withdrawn: nobody withdrew it.
        LAPSED = "lapsed", _("Lapsed with its motion")

    # Still to be decided: what a meeting can debate.
    OPEN_STATES = (State.DRAFT, State.SECONDED, State.VOTING)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="motions")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ORDINARY)
    # What another app's motion is about (a seat to recall, an admission, ...).
    subject_uuid = models.UUIDField(null=True, blank=True)
    title = models.CharField(max_length=200)
    text = models.TextField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    seconds_required = models.PositiveSmallIntegerField(default=1)
    # Null when the rules themselves tabled it, or when it arrived from a council below.
    tabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="motions"
    )
    tabled_at = models.DateTimeField()
    # An amendment amends a motion; its `text` is the motion's proposed new full text.
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    base_text = models.TextField(blank=True)
    forwarded_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="forwarded_to"
    )
    # When the vote adopted or rejected it, or its mover withdrew it. None while it is undecided,
    # and for an amendment that lapsed with its motion: the motion was decided, not the amendment.
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-tabled_at", "-id"]
        indexes = [models.Index(fields=["council", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_amendable(self) -> bool:
        """Whether its text is the mover's, which the council may amend, rather than the rules' own."""
        return self.kind != self.Kind.AMENDMENT and not votes.worded_by_rules(
            kind=self.kind, has_subject=self.subject_uuid is not None
        )


class Second(models.Model):
    """A voter of the council seconding a motion."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="seconds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seconded_at = models.DateTimeField()

    class Meta:
        ordering = ["seconded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["motion", "user"], name="second_once_per_user")]

    def __str__(self) -> str:
        return f"Second of motion {self.motion_id}"


class Vote(models.Model):
    """One vote on a motion, with its frozen electorate and, once closed, its result."""

    class Method(models.TextChoices):
        NAMED = "named", _("Named (roll call)")
        SECRET = "secret", _("Secret ballot")

    class Threshold(models.TextChoices):
        SIMPLE = "simple", _("Simple majority of votes cast")
        ABSOLUTE = "absolute", _("Absolute majority of members")
        TWO_THIRDS = "two_thirds", _("Two thirds of votes cast")
        THREE_FIFTHS = "three_fifths", _("Three fifths of votes cast")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="votes")
    method = models.CharField(max_length=10, choices=Method.choices)
    threshold = models.CharField(max_length=20, choices=Threshold.choices, default=Threshold.SIMPLE)
    quorum = models.PositiveIntegerField(null=True, blank=True)
    allow_change = models.BooleanField(default=True)
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    electorate_size = models.PositiveIntegerField()
    electorate_digest = models.CharField(max_length=64)
    # Left out of the electorate as parties to what the vote decides (the accused and their accuser).
    parties = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    text = models.TextField()
    # Filled at close from councils.core.rules.votes.compute_result.
    yes = models.PositiveIntegerField(null=True, blank=True)
    no = models.PositiveIntegerField(null=True, blank=True)
    abstain = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["motion"], condition=Q(closed_at__isnull=True), name="vote_one_open_per_motion"
            )
        ]

    def __str__(self) -> str:
        return f"Vote on {self.motion}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_secret(self) -> bool:
        return self.method == self.Method.SECRET


class VoteEligibility(models.Model):
    """One voter of the electorate frozen when the vote opened."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="eligibilities")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["vote_id", "voter_id"]
        constraints = [models.UniqueConstraint(fields=["vote", "voter"], name="eligibility_once_per_voter")]

    def __str__(self) -> str:
        return f"Voter {self.voter_id} in vote {self.vote_id}"


class NamedBallot(models.Model):
    """A roll-call ballot: who voted how. One per voter and vote, enforced by the database."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="named_ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10)
    cast_at = models.DateTimeField()
    changed_at = models.DateTimeField(null=True, blank=True)
    idempotency_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["vote_id", "voter__username"]
        constraints = [models.UniqueConstraint(fields=["vote", "voter"], name="named_ballot_once_per_voter")]

    def __str__(self) -> str:
        return f"Named ballot in vote {self.vote_id}"


class Participation(models.Model):
    """That a member took part in a secret vote; never how. One per voter and vote."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="participations")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A hash of the client's Idempotency-Key, so a retried request gets the same answer.
    idempotency_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["vote_id", "voter__username"]
        constraints = [models.UniqueConstraint(fields=["vote", "voter"], name="participation_once_per_voter")]

    def __str__(self) -> str:
        return f"Participation in vote {self.vote_id}"


class PendingBallot(models.Model):
    """A secret ballot waiting to be mixed into the box, encrypted to a key kept outside the database."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="pending_ballots")
    sealed = models.BinaryField()
    # When the ballot was queued, so the flusher can release a small batch after
    # COUNCILS_SECRET_BATCH_SECONDS. The row is deleted when flushed.
    queued_at = models.DateTimeField()

    class Meta:
        ordering = ["queued_at"]

    def __str__(self) -> str:
        return f"Pending ballot in vote {self.vote_id}"


class SecretBallot(models.Model):
    """A ballot in the box: random key, no timestamp, nothing that points to a voter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="secret_ballots")
    choice = models.CharField(max_length=10)
    receipt = models.CharField(max_length=32)

    class Meta:
        ordering = ["receipt"]

    def __str__(self) -> str:
        return f"Ballot {self.receipt}"
