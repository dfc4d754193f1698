from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from councils.core.rules import digests as rules


class DigestPreference(models.Model):
    """How often a member wants the digest, and how far the digests sent so far reach.

    A member without a row gets the default frequency. `sent_until` is the
    end of the last period handled (sent, or found empty); it is set before
    the mail leaves, so a crash never sends a period twice.
    """

    class Frequency(models.TextChoices):
        DAILY = rules.DAILY, _("daily")
        WEEKLY = rules.WEEKLY, _("weekly")
        NEVER = rules.NEVER, _("never")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=rules.DEFAULT_FREQUENCY)
    sent_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"{self.frequency} digest for user {self.user_id}"
