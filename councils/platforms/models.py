from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Platform(models.Model):
    """A platform (faction): members who share a statement and organise around it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    federation = models.ForeignKey(
        "federation.Federation", on_delete=models.PROTECT, related_name="platforms"
    )
    name = models.CharField(max_length=200)
    statement = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["federation", "name"], name="platform_unique_name")]

    def __str__(self) -> str:
        return self.name


class PlatformMember(models.Model):
    """That a person belongs to a platform: sensitive, shown only to fellow members and credentials officers.

    Its text names only the platform, so that logs and admin lists never name a member.
    """

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="platform_memberships"
    )
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["platform_id", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "user"], condition=Q(left_at__isnull=True), name="platform_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"Member of {self.platform}"


class PlatformDocument(models.Model):
    """A document the platform publishes to the members of the bodies concerned."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200)
    body = models.TextField()
    councils = models.ManyToManyField("federation.Council", related_name="platform_documents")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Slate(models.Model):
    """The candidates a platform runs in an election, in its order of preference."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="slates")
    # The election (app "elections"), kept loose so platforms do not depend on how elections run.
    election_uuid = models.UUIDField()
    title = models.CharField(max_length=200)
    # Member UUIDs, in the slate's order.
    candidates = models.JSONField(default=list)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title
