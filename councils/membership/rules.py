"""Pure rules of admission and due process: no Django, no clock (callers pass `now`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from councils.core.errors import ConflictError, InvalidInputError
from councils.core.rules import polls
from councils.core.rules.constitution import duration, length_in_force
from councils.core.rules.terms import add_months
from councils.core.wording import counted

# The majority an admission needs, in the council's own vote and in a surge's approval vote.
ADMISSION_THRESHOLD = "simple"


def surge_allowance(*, council_size: int, share: Decimal) -> int:
    """How many admissions a council may take in one surge window without its parent's approval.

    At least one, so that a small council can always admit a single person on its own.
    """
    allowed = (Decimal(council_size) * share).to_integral_value(rounding=ROUND_FLOOR)
    return max(1, int(allowed))


def is_surge(*, recent_applications: int, council_size: int, share: Decimal) -> bool:
    """Whether an application, counted in `recent_applications`, goes beyond the allowance."""
    return recent_applications > surge_allowance(council_size=council_size, share=share)


def standing_cutoff(*, applied_at: datetime, surge_days: int) -> datetime:
    """Where no council above can approve a surge, only members full before this moment approve it.

    It is the start of the surge window the application was counted in, so nobody admitted
    in the same wave, and no applicant, can approve it.
    """
    return applied_at - duration(surge_days, "days")


def check_sponsor_standing(*, full_since: datetime | None, now: datetime, min_months: int) -> None:
    if full_since is None or add_months(full_since, length_in_force(min_months, "months")) > now:
        raise ConflictError(
            "A sponsor must have been a full member of this council for at least "
            f"{counted(min_months, 'month', 'months')}."
        )


def check_hearing_date(*, hearing_at: datetime, now: datetime, notice_days: int) -> None:
    """The accused gets at least `notice_days` of notice before the hearing."""
    earliest = now + duration(notice_days, "days")
    if hearing_at < earliest:
        raise InvalidInputError(
            f"The hearing must be at least {counted(notice_days, 'day', 'days')} after the notice: "
            f"on or after {earliest:%Y-%m-%d %H:%M} UTC."
        )


def appeal_deadline(*, decided_at: datetime, window_days: int) -> datetime:
    """The last moment an appeal against a decision taken at `decided_at` may be lodged."""
    return decided_at + duration(window_days, "days")


def check_appeal_window(*, decided_at: datetime, now: datetime, window_days: int) -> None:
    if now > appeal_deadline(decided_at=decided_at, window_days=window_days):
        raise ConflictError(
            f"The {counted(window_days, 'day', 'days')} to appeal this decision "
            f"{'has' if window_days == 1 else 'have'} passed."
        )


def closing_time(
    *, now: datetime, closes_at: datetime | None, minimum: timedelta, maximum: timedelta, what: str
) -> datetime:
    """When a vote the rules keep open (`what`) opened at `now` closes: by default `minimum` from now;
    a closing time sooner than that, or later than `maximum`, is refused.

    A vote on charges or on an appeal has the constitution's `discipline_poll_min` and
    `discipline_poll_max`; an admission vote, or the approval of a flagged admission, its
    `admission_poll_min` and `admission_poll_max`.
    """
    if closes_at is None:
        return now + minimum
    polls.check_closing_time(opens_at=now, closes_at=closes_at, minimum=minimum, maximum=maximum, what=what)
    return closes_at


def appeal_levels(*, ancestor_ids: list[int]) -> list[int]:
    """The councils that hear appeals, in order: the parent, then the top body (once if they are the same)."""
    if not ancestor_ids:
        return []
    parent, top = ancestor_ids[0], ancestor_ids[-1]
    return [parent] if parent == top else [parent, top]
