"""Writes for digests: a member's frequency, and sending the digests that are due.

Neither enters the record: how often someone wants e-mail, and when it was
sent, is personal, like a login. Each member's period is claimed (the end of
the period saved) in its own transaction before the mail leaves, so a second
run, or a run after a crash, never sends the same period again; a mail the
server refuses gives the claim back so the next run tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from councils.accounts.models import User
from councils.core.rules import digests as rules
from councils.digests import queries
from councils.digests.models import DigestPreference
from councils.federation.models import Council

logger = logging.getLogger(__name__)

SENT = "sent"
EMPTY = "nothing new"
DUE = "due"
FAILED = "failed"
TAKEN = "already handled"


@dataclass(frozen=True)
class Outcome:
    """What one run did for one member."""

    username: str
    status: str
    period: rules.Period
    subject: str = ""


def set_digest_frequency(*, actor: User, frequency: str) -> DigestPreference:
    """Choose how often `actor` gets the digest: daily, weekly or never."""
    rules.check_frequency(frequency)
    with transaction.atomic():
        preference, _created = DigestPreference.objects.select_for_update().get_or_create(user=actor)
        preference.frequency = frequency
        preference.save(update_fields=["frequency"])
    return preference


def _date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def render_digest(digest: queries.Digest) -> tuple[str, str]:
    """The digest's subject and plain-text body."""
    period = digest.period
    last_day = period.until - timedelta(days=1)
    if _date(period.since) == _date(last_day):
        dates = _date(last_day)
    else:
        dates = _("%(first)s to %(last)s") % {"first": _date(period.since), "last": _date(last_day)}
    subject = _("%(site)s digest: %(dates)s") % {"site": settings.COUNCILS_SITE_NAME, "dates": dates}
    frequency = str(DigestPreference.Frequency(digest.frequency).label)
    body = render_to_string(
        "digests/digest.txt",
        {
            "digest": digest,
            "since": period.since.strftime("%Y-%m-%d %H:%M"),
            "until": period.until.strftime("%Y-%m-%d %H:%M"),
            "frequency": frequency,
        },
    )
    return subject, body


def _claim(*, user: User, period: rules.Period, sending: bool, now: datetime) -> bool:
    """Mark `period` as handled for `user`, unless another run did or the member changed frequency."""
    with transaction.atomic():
        preference, _created = DigestPreference.objects.select_for_update().get_or_create(user=user)
        due = rules.due_period(frequency=preference.frequency, now=now, sent_until=preference.sent_until)
        if due != period:
            return False
        preference.sent_until = period.until
        if sending:
            preference.sent_at = now
        preference.save(update_fields=["sent_until", "sent_at"])
    return True


def _release(*, user: User, period: rules.Period, previous: DigestPreference) -> None:
    DigestPreference.objects.filter(user=user, sent_until=period.until).update(
        sent_until=previous.sent_until, sent_at=previous.sent_at
    )


def send_due_digests(*, now: datetime, member: User | None = None, dry_run: bool = False) -> list[Outcome]:
    """Send every digest due at `now` (only `member`'s, if given); with `dry_run` send and mark nothing.

    A member with nothing new in the period gets no mail, and the period
    counts as handled.
    """
    outcomes: list[Outcome] = []
    lines: dict[tuple[int, rules.Period, bool], list[queries.Line]] = {}

    def council_lines(council: Council, period: rules.Period, usernames: bool) -> list[queries.Line]:
        # Members of the same council who read usernames alike share its lines within a run.
        key = (council.id, period, usernames)
        if key not in lines:
            lines[key] = queries.list_council_lines(council=council, period=period, usernames=usernames)
        return lines[key]

    for user in queries.list_recipients(user=member):
        preference = queries.preference_of(user=user)
        period = rules.due_period(frequency=preference.frequency, now=now, sent_until=preference.sent_until)
        if period is None:
            continue
        digest = queries.build_digest(
            user=user, frequency=preference.frequency, period=period, council_lines=council_lines
        )
        subject, body = ("", "") if digest.is_empty else render_digest(digest)
        if dry_run:
            outcomes.append(Outcome(user.username, EMPTY if digest.is_empty else DUE, period, subject))
            continue
        if not _claim(user=user, period=period, sending=not digest.is_empty, now=now):
            outcomes.append(Outcome(user.username, TAKEN, period))
            continue
        if digest.is_empty:
            outcomes.append(Outcome(user.username, EMPTY, period))
            continue
        account = digest.links["account"]
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers={"List-Unsubscribe": f"<{account}>"},
        )
        try:
            message.send()
        except OSError:
            logger.exception("The digest for user %s could not be sent; the next run tries again.", user.id)
            _release(user=user, period=period, previous=preference)
            outcomes.append(Outcome(user.username, FAILED, period, subject))
        else:
            outcomes.append(Outcome(user.username, SENT, period, subject))
    return outcomes
