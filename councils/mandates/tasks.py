"""Background work for accountability: alert e-mails, and closing petitions when their window passes."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone
from django_tasks import task


@task()
def send_alert_mails(mails: list[list[str]]) -> int:
    """Send [subject, body, address] alerts; a slow mail server never holds up the member who acted."""
    messages = tuple((subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for subject, body, to in mails)
    return int(send_mass_mail(messages, fail_silently=True))


@task()
def expire_due_petitions() -> int:
    """Close every recall and agenda petition whose signature window has passed."""
    from councils.mandates.actions import expire_recall_petitions
    from councils.petitions.actions import expire_agenda_petitions

    now = timezone.now()
    return expire_recall_petitions(now=now) + expire_agenda_petitions(now=now)


def schedule_expiry(*, at: datetime) -> None:
    """Close petitions at `at` where the backend can defer work; `close_expired_petitions` covers the rest."""
    backend = expire_due_petitions.get_backend()
    if backend.supports_defer:
        expire_due_petitions.using(run_after=at).enqueue()
