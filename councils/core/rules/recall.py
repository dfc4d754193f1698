"""Recall and petitions: how many signatures force a vote or an agenda item.

Pure: the callers freeze the list of eligible signers and pass its size.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal

from councils.core.errors import ConflictError
from councils.core.rules.constitution import duration


class PetitionClosedError(ConflictError):
    code = "petition_closed"


def signature_threshold(*, eligible: int, share: Decimal) -> int:
    """Signatures needed: `share` of the frozen list, rounded up, and never fewer than one."""
    return max(1, math.ceil(share * eligible))


def expires_at(*, started_at: datetime, window_days: int) -> datetime:
    return started_at + duration(window_days, "days")


def check_open(*, status: str, expires: datetime, now: datetime) -> None:
    """Refuse a signature on a petition that is decided or whose window has passed."""
    if status != "open":
        raise PetitionClosedError("This petition is no longer collecting signatures.")
    if now >= expires:
        raise window_closed(expires)


def window_closed(expires: datetime) -> PetitionClosedError:
    return PetitionClosedError(
        f"This petition's signature window closed on {expires:%Y-%m-%d %H:%M} UTC without reaching "
        "the threshold; a new petition may be started."
    )
