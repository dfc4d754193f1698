"""Term checks other apps call before a nomination or appointment (elections, federation)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from councils.constitution import queries as constitution_queries
from councils.core.rules import terms
from councils.federation.models import Council, Office, Seat
from councils.mandates.queries import DELEGATE_ROLE


def office_label(role: str) -> str:
    if role == DELEGATE_ROLE:
        return "delegate"
    return str(Office.Role(role).label).lower() if role in Office.Role.values else role


def check_eligible_for_office(user: Any, council: Council, role: str, now: datetime) -> None:
    """Refuse (TermRuleError, quoting the rule) a nomination that breaks the term limit and rotation rule.

    `role` is an Office role of `council`, or "delegate" for `council`'s delegates to its parent.
    """
    spells: list[tuple[datetime, datetime | None, datetime | None]]
    if role == DELEGATE_ROLE:
        seats = Seat.objects.filter(from_council=council, user=user)
        spells = list(seats.values_list("started_at", "ended_at", "term_ends_at"))
    else:
        offices = Office.objects.filter(council=council, user=user, role=role)
        spells = list(offices.values_list("started_at", "ended_at", "term_ends_at"))
    terms.check_eligible(
        periods=[terms.Period(s, e, t) for s, e, t in spells],
        constitution=constitution_queries.constitution_for(federation=council.federation_id),
        office=f"{office_label(role)} of {council.name}",
        now=now,
    )


def check_term(council: Council, started_at: datetime, term_ends_at: datetime | None) -> None:
    """Refuse (TermRuleError) an office or seat with no end, or a term longer than the constitution's."""
    terms.check_term_length(
        started_at=started_at,
        term_ends_at=term_ends_at,
        constitution=constitution_queries.constitution_for(federation=council.federation_id),
    )


def term_end(council: Council, started_at: datetime) -> datetime:
    """When a term starting at `started_at` ends under the constitution in force: term_months later."""
    return terms.add_months(
        started_at, terms.term_months(constitution_queries.constitution_for(federation=council.federation_id))
    )


def remainder_of_term(council: Council, vacated: Iterable[Seat | Office], now: datetime) -> datetime | None:
    """When the winners of a by-election filling `vacated` stand down: the end of the vacated term.

    None when the vacated term has no end still ahead (a full term from certification then).
    """
    return terms.remainder_end(
        vacated=[v.term_ends_at for v in vacated],
        constitution=constitution_queries.constitution_for(federation=council.federation_id),
        now=now,
    )
