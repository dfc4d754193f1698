"""When a member's e-mail digest is due and which stretch of time it covers.

Pure: callers pass the member's frequency, the end of the last period sent
and `now`. Periods end at midnight UTC (daily) or at midnight UTC starting a
Monday (weekly), so members with the same frequency get the same stretch and
a run repeated within a period finds nothing due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from councils.core.errors import InvalidInputError

DAILY = "daily"
WEEKLY = "weekly"
NEVER = "never"
FREQUENCIES = (DAILY, WEEKLY, NEVER)
DEFAULT_FREQUENCY = WEEKLY
# A digest never reaches further back than this, so one resumed after a pause stays short.
LOOKBACK = timedelta(days=7)
_LENGTH = {DAILY: timedelta(days=1), WEEKLY: timedelta(days=7)}


@dataclass(frozen=True)
class Period:
    """The stretch a digest covers: [since, until)."""

    since: datetime
    until: datetime


def check_frequency(value: str) -> str:
    if value not in FREQUENCIES:
        raise InvalidInputError(f"Choose one of {', '.join(FREQUENCIES)}, not {value!r}.")
    return value


def _midnight(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def period_end(*, frequency: str, now: datetime) -> datetime | None:
    """The end of the latest period complete at `now`; None for members who want no digest."""
    check_frequency(frequency)
    if frequency == NEVER:
        return None
    midnight = _midnight(now)
    if frequency == WEEKLY:
        return midnight - timedelta(days=midnight.weekday())
    return midnight


def due_period(*, frequency: str, now: datetime, sent_until: datetime | None) -> Period | None:
    """The period a digest is due for at `now`, or None when the latest one was already sent.

    It starts where the last digest ended (one period back for a first
    digest), at most LOOKBACK before its end, so changing frequency neither
    repeats nor skips anything within a week.
    """
    until = period_end(frequency=frequency, now=now)
    if until is None or (sent_until is not None and sent_until >= until):
        return None
    since = sent_until if sent_until is not None else until - _LENGTH[frequency]
    return Period(since=max(since, until - LOOKBACK), until=until)


def next_run(*, now: datetime) -> datetime:
    """When digests next fall due: the coming midnight UTC, where every period ends."""
    return _midnight(now) + timedelta(days=1)
