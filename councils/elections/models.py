from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The counting methods (the names councils.core.tally.METHODS runs them by) as people call them.
METHOD_LABELS = {
    "scottish-stv": _("Scottish STV"),
    "meek": _("Meek STV"),
    "wigm": _("Weighted inclusive Gregory (WIGM)"),
    "schulze": _("Schulze"),
    "plurality": _("Plurality"),
    "approval": _("Approval"),
}


class Election(models.Model):
    """An election of a council's delegates to its parent, or of one of its officers."""

    class Kind(models.TextChoices):
        DELEGATES = "delegates", _("Delegates to the parent council")
        OFFICE = "office", _("Officer")

    class Status(models.TextChoices):
        NOMINATING = "nominating", _("Nominations open")
        VOTING = "voting", _("Voting open")
        CLOSED = "closed", _("Closed and counted")
        CERTIFIED = "certified", _("Certified")
        # Nobody could be elected (`failure_reason` says why): the council may call another election.
        FAILED = "failed", _("Failed")

    class FailureReason(models.TextChoices):
        # The poll closed with no ballot in the box.
        NO_BALLOTS = "no_ballots", _("no ballots were cast")
        # Every candidate on the ballot withdrew or was withdrawn, before the close or at the countback.
        NO_CANDIDATES = "no_candidates", _("every candidate withdrew or was withdrawn")

    class CalledFor(models.TextChoices):
        # A council's first delegates' election, which its chair did not call within the lead time.
        FIRST_DELEGATES = "first_delegates", _("its first delegates")
        # A by-election for the delegate seats a council is apportioned and has long left unfilled.
        UNFILLED_SEATS = "unfilled_seats", _("unfilled delegate seats")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="elections")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The office filled when kind is "office" (federation.Office.Role values).
    role = models.CharField(max_length=30, blank=True)
    title = models.CharField(max_length=200)
    seats = models.PositiveIntegerField()
    method = models.CharField(max_length=20)
    # A by-election fills vacancies and leaves the sitting holders in place.
    is_by_election = models.BooleanField(default=False)
    term_ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOMINATING)
    # Why a failed election failed; empty for any other status.
    failure_reason = models.CharField(max_length=20, choices=FailureReason.choices, blank=True)
    # Empty when the rules called it: a by-election after a recall, or the election for the next term.
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    called_at = models.DateTimeField()
    # Why the rules called a council's delegates' election it was left without: empty otherwise.
    called_for = models.CharField(max_length=20, choices=CalledFor.choices, blank=True)
    # Set when the rules called the election: nominations close then, and the rules open the poll
    # unless an officer opened it sooner (`actions.run_due_terms`). Empty when an officer called it,
    # and in a by-election the rules called before they ran by-elections themselves (officers run it).
    nominations_close_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    # When the poll closes, set at opening: no ballot after it, no officer's close before it
    # unless everyone has voted. Empty for elections opened before polls had one (closed by hand).
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)
    electorate_size = models.PositiveIntegerField(default=0)
    electorate_hash = models.CharField(max_length=80, blank=True)
    candidates_hash = models.CharField(max_length=80, blank=True)
    seed = models.CharField(max_length=64, blank=True)
    ballot_count = models.PositiveIntegerField(default=0)
    ballot_set_hash = models.CharField(max_length=80, blank=True)
    # The pinned `councils count --json` document, candidates labelled by candidacy UUID.
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-called_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def method_label(self) -> str:
        return str(METHOD_LABELS.get(self.method, self.method))

    @property
    def called_by_rules(self) -> bool:
        """Whether the rules called it (a by-election, or the next term's election), not an officer."""
        return self.called_by_id is None

    @property
    def is_ranked(self) -> bool:
        return self.method in RANKED_METHODS


RANKED_METHODS = ("scottish-stv", "meek", "wigm", "schulze")


class Candidacy(models.Model):
    """A voter nominated in an election; stands once they accept."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="candidacies")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nominated_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    is_elected = models.BooleanField(default=False)

    class Meta:
        ordering = ["election_id", "candidate__display_name", "candidate__username"]
        constraints = [
            models.UniqueConstraint(fields=["election", "candidate"], name="candidacy_once_per_election")
        ]

    def __str__(self) -> str:
        return f"{self.candidate} in {self.election}"

    @property
    def is_standing(self) -> bool:
        return self.accepted_at is not None and self.withdrawn_at is None


class Elector(models.Model):
    """One member of an election's electorate, frozen when voting opens."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="electors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["election_id", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "user"], name="elector_once")]

    def __str__(self) -> str:
        return f"{self.user_id} in election {self.election_id}"


class Participation(models.Model):
    """That a voter has voted, never how; the unique constraint allows one ballot each."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # SHA-256 of the client's Idempotency-Key, so a retried cast is answered, not refused.
    idempotency_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["election_id", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "user"], name="participation_once")]

    def __str__(self) -> str:
        return f"{self.user_id} in election {self.election_id}"


class PendingBallot(models.Model):
    """A cast ballot waiting, sealed, to be moved into the box in a shuffled batch (actions.flush_ballots)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    # Sealed with the election's key, kept in a file outside the database
    # (councils.motions.sealing): a dump taken during the vote cannot read it.
    sealed = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.id)


class Ballot(models.Model):
    """An anonymous ballot: random key, no timestamp, nothing that points to a voter.

    `ranking` is a list of preference levels, each a list of candidacy UUIDs
    (an approval or block-plurality ballot is one level of equal marks).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="ballots")
    ranking = models.JSONField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.id)
