from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConstitutionVersion(models.Model):
    """One adopted version of a federation's constitution. Never changed once written."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    federation = models.ForeignKey(
        "federation.Federation", on_delete=models.PROTECT, related_name="constitution_versions"
    )
    version = models.PositiveIntegerField()
    document = models.JSONField()
    content_hash = models.CharField(max_length=64)
    adopted_at = models.DateTimeField()
    # The motion of the top council that adopted it; empty for the founding version.
    adopted_by_motion = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["federation_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["federation", "version"], name="constitution_version_unique")
        ]

    def __str__(self) -> str:
        return f"Constitution v{self.version}"


class Amendment(models.Model):
    """A proposed new text of the constitution, put to the top council as a motion."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, awaiting the vote")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected by the vote")
        REFUSED = "refused", _("Refused: the vote did not meet the constitution's requirements")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    federation = models.ForeignKey(
        "federation.Federation", on_delete=models.PROTECT, related_name="amendments"
    )
    council = models.ForeignKey("federation.Council", on_delete=models.PROTECT, related_name="amendments")
    base_version = models.PositiveIntegerField()
    document = models.JSONField()
    content_hash = models.CharField(max_length=64)
    explanation = models.TextField(blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    proposed_at = models.DateTimeField()
    motion_uuid = models.UUIDField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "id"]

    def __str__(self) -> str:
        return f"Amendment {self.uuid} to v{self.base_version}"
