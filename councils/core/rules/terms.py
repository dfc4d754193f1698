"""Terms of office: every office has a term, a limit of consecutive terms and a rotation rule.

Pure: callers pass the periods a person already served in the same office
and `now`. A refusal quotes the constitution's rule it applies, so a member
can check the decision against the document.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import MAXYEAR, datetime

from councils.core.errors import ConflictError, InvalidInputError
from councils.core.rules.constitution import Constitution, length_in_force
from councils.core.wording import counted


class TermRuleError(ConflictError):
    """A nomination or appointment that breaks the constitution's term rules."""

    code = "term_rule"


@dataclass(frozen=True)
class Period:
    """One spell in an office; `ended_at` is None while it is still held.

    `term_ends_at` is the end of the term the spell was filled for, when one was set:
    for a by-election's winner, the end of the vacated term they serve out.
    """

    started_at: datetime
    ended_at: datetime | None
    term_ends_at: datetime | None = None


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later, on the month's last day when it is shorter; on the
    calendar's last day when it would be later (a rotation gap of thousands of terms)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    if year > MAXYEAR:
        return moment.replace(year=MAXYEAR, month=12, day=31)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def term_months(constitution: Constitution) -> int:
    """The length of a term in months, as the rules count it (`length_in_force`)."""
    return length_in_force(constitution.term_months, "months")


def terms_in(period: Period, *, term_months: int, now: datetime) -> int:
    """How many terms a spell counts for: every started term counts, so at least one.

    The first term is the one the spell was filled for, up to its `term_ends_at`,
    however short (the rest of a vacated term counts as that one term); every
    `term_months` begun after that end is another. A spell with no term end
    counts its terms from its start.
    """
    end = period.ended_at or now
    step = max(1, term_months)
    terms = 1
    while _end_of_term(period, terms, step) < end:
        terms += 1
    return terms


def _end_of_term(period: Period, n: int, step: int) -> datetime:
    """When the spell's `n`-th term ends."""
    if period.term_ends_at is not None and period.term_ends_at > period.started_at:
        return add_months(period.term_ends_at, (n - 1) * step)
    return add_months(period.started_at, n * step)


def remainder_end(
    *, vacated: Iterable[datetime | None], constitution: Constitution, now: datetime
) -> datetime | None:
    """When a by-election's winners stand down: at the end of the vacated term (the latest, for several).

    Never later than a full term from `now` (the constitution may have shortened
    terms since). None when no vacated term has an end still ahead: the winners
    then serve a full term from certification, like any election's.
    """
    ahead = [end for end in vacated if end is not None and end > now]
    if not ahead:
        return None
    return min(max(ahead), add_months(now, term_months(constitution)))


def latest_run(
    periods: Iterable[Period], *, constitution: Constitution, now: datetime
) -> tuple[int, Period | None]:
    """Terms served in the latest unbroken run, and its last spell.

    Two spells belong to one run unless the break between them lasted at
    least the rotation gap (rotation_gap_terms whole terms).
    """
    ordered = sorted(periods, key=lambda p: p.started_at)
    if not ordered:
        return 0, None
    gap_months = constitution.rotation_gap_terms * term_months(constitution)
    run = [ordered[-1]]
    for earlier in reversed(ordered[:-1]):
        later = run[-1]
        if earlier.ended_at is None or add_months(earlier.ended_at, gap_months) > later.started_at:
            run.append(earlier)
        else:
            break
    terms = sum(terms_in(p, term_months=term_months(constitution), now=now) for p in run)
    return terms, ordered[-1]


def check_eligible(
    *, periods: Iterable[Period], constitution: Constitution, office: str, now: datetime
) -> None:
    """Refuse a nomination or appointment to `office` that would break the rotation rule."""
    c = constitution
    if c.rotation_gap_terms == 0:
        return
    terms, last = latest_run(periods, constitution=c, now=now)
    if terms < c.max_consecutive_terms or last is None:
        return
    rule = (
        f"Rule ({c.title}): nobody may hold the office of {office} for more than "
        f"{counted(c.max_consecutive_terms, 'consecutive term', 'consecutive terms')} of "
        f"{counted(c.term_months, 'month', 'months')}; after that they stand down for at least "
        f"{counted(c.rotation_gap_terms, 'term', 'terms')}."
    )
    if last.ended_at is None:
        raise TermRuleError(
            f"{rule} This person has served {counted(terms, 'consecutive term', 'consecutive terms')} and "
            "still holds the office."
        )
    eligible_again = add_months(last.ended_at, c.rotation_gap_terms * term_months(c))
    if eligible_again > now:
        raise TermRuleError(
            f"{rule} This person has served {counted(terms, 'consecutive term', 'consecutive terms')}; "
            f"they may stand again from {eligible_again:%Y-%m-%d}."
        )


def check_term_length(
    *, started_at: datetime, term_ends_at: datetime | None, constitution: Constitution
) -> None:
    """Refuse an office without an end, or with a term longer than the constitution's."""
    c = constitution
    rule = (
        f"Rule ({c.title}): every office is held for a term of at most "
        f"{counted(c.term_months, 'month', 'months')}."
    )
    if term_ends_at is None:
        raise TermRuleError(f"{rule} An appointment without an end date (indefinite tenure) is refused.")
    if term_ends_at <= started_at:
        raise InvalidInputError("A term must end after it starts.")
    longest = add_months(started_at, term_months(c))
    if term_ends_at > longest:
        raise TermRuleError(
            f"{rule} This term would end on {term_ends_at:%Y-%m-%d}, after {longest:%Y-%m-%d}."
        )
