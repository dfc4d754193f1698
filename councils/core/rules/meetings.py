"""Meetings: the notice a meeting is called with and the quorum before it takes business.

Pure: the callers read the constitution in force and count the voters.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

from councils.core.errors import InvalidInputError
from councils.core.rules.constitution import duration
from councils.core.wording import counted


def earliest_start(*, now: datetime, notice_hours: int) -> datetime:
    """The earliest a meeting called at `now` may start, to the minute (as a start time is given).

    With no notice required, a meeting may start within the minute it is called.
    """
    return (now + duration(notice_hours, "hours")).replace(second=0, microsecond=0)


def check_notice(*, starts_at: datetime, now: datetime, notice_hours: int, rules_title: str) -> None:
    """Refuse a start earlier than the notice the constitution requires, naming the earliest allowed."""
    earliest = earliest_start(now=now, notice_hours=notice_hours)
    if starts_at < earliest:
        raise InvalidInputError(
            f"Rule ({rules_title}): a meeting is called at least "
            f"{counted(notice_hours, 'hour', 'hours')} ahead, "
            f"so this one can start at {earliest.astimezone(UTC):%Y-%m-%d %H:%M} UTC at the earliest."
        )


def quorum(*, voters: int, share: Decimal) -> int:
    """Voters who must be present: `share` of them rounded up, at least one; none where the share is 0."""
    if share <= 0:
        return 0
    return max(1, math.ceil(share * voters))
