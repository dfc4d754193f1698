from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Federation(models.Model):
    """An organisation run as a tree of councils, with one record."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Council(models.Model):
    """A council: a base council of members, or a higher council of delegates."""

    class Kind(models.TextChoices):
        WORKPLACE = "workplace", _("Workplace council")
        DISTRICT = "district", _("District council")
        CITY = "city", _("City council")
        REGIONAL = "regional", _("Regional council")
        NATIONAL = "national", _("National congress")
        OTHER = "other", _("Council")

    # The types a base council of members may have; the others name levels of delegates.
    BASE_KINDS = (Kind.WORKPLACE, Kind.OTHER)

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Anyone, without logging in")
        FEDERATION = "federation", _("Members of the federation")
        COUNCIL = "council", _("Members and delegates of this council")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    federation = models.ForeignKey(Federation, on_delete=models.PROTECT, related_name="councils")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WORKPLACE)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.FEDERATION)
    # A base council has members who vote; a higher council is made of the
    # delegates its child councils send up.
    is_base = models.BooleanField(default=True)
    # Apportionment for the councils below this one: one delegate per this many
    # voters of the child council, and never fewer than one.
    members_per_delegate = models.PositiveIntegerField(default=50)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "parent", "name"], name="council_unique_name_in_parent"
            ),
            # A unique index holds NULLs apart, so the councils with no parent need one of their own.
            models.UniqueConstraint(
                fields=["federation", "name"],
                condition=Q(parent__isnull=True),
                name="council_unique_name_at_top",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's membership of a base council. One current membership per person."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate member (voice, no vote)")
        FULL = "full", _("Member")
        SUSPENDED = "suspended", _("Suspended")
        LEFT = "left", _("Left")
        EXPELLED = "expelled", _("Expelled")
        TRANSFERRED = "transferred", _("Transferred to another council")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.FULL)
    # When the person joined the federation: a transfer carries it over from the membership it ends.
    joined_at = models.DateTimeField()
    # When they became a full member of this council: a transfer starts it afresh, so standing
    # (to sponsor, or to approve a surge) is earned in each council.
    full_since = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The membership of another base council this one replaced by a transfer.
    transferred_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_to"
    )

    class Meta:
        ordering = ["council_id", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(ended_at__isnull=True), name="membership_one_current_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.council}"


class Seat(models.Model):
    """A delegate's seat in a higher council, sent up by one of its child councils."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="seats")
    from_council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="delegate_seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seats")
    # The election that filled the seat (app "elections"); kept loose so that
    # the tree does not depend on how seats are filled.
    election_uuid = models.UUIDField(null=True, blank=True)
    started_at = models.DateTimeField()
    term_ends_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["council_id", "from_council_id", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user"],
                condition=Q(ended_at__isnull=True),
                name="seat_one_current_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.from_council} in {self.council}"


class Office(models.Model):
    """An office held in a council: chair, secretary, officers, observers."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        CREDENTIALS_OFFICER = "credentials_officer", _("Credentials officer")
        ELECTION_OFFICER = "election_officer", _("Election officer")
        TREASURER = "treasurer", _("Treasurer")
        OBSERVER = "observer", _("Observer")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="offices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offices")
    role = models.CharField(max_length=30, choices=Role.choices)
    started_at = models.DateTimeField()
    term_ends_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=40, blank=True)
    declared_pay = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    declared_expenses = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    # The ISO 4217 code of the constitution in force when the pay and expenses were declared, kept so
    # that an amendment changing the currency does not relabel them. Empty until the office declares,
    # or when the constitution then stated no currency: those amounts name none and are read in the
    # constitution's currency, whichever is in force. Written by `declare_pay` alone.
    pay_currency = models.CharField(max_length=3, blank=True, default="")

    class Meta:
        ordering = ["council_id", "role", "started_at"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.council}: {self.user}"
