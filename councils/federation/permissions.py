"""Who may do what to a council. Each action names its policy check here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from councils.core.errors import PermissionDeniedError
from councils.federation import queries
from councils.federation.models import Council, Membership, Office, Seat

OFFICER_ROLES = (Office.Role.CHAIR, Office.Role.SECRETARY)


def can(user: Any, action: str, council: Council) -> bool:
    """Answer whether `user` may perform `action` on `council`."""
    if action == "view":
        return queries.can_view_council(viewer=user, council=council)
    if action in {"invite", "manage_meetings", "chair"}:
        return queries.has_office(user=user, council=council, roles=OFFICER_ROLES)
    if action == "credentials":
        return queries.has_office(
            user=user, council=council, roles=(*OFFICER_ROLES, Office.Role.CREDENTIALS_OFFICER)
        )
    if action in {"vote", "table_motion", "second", "amend", "nominate"}:
        return queries.is_voter(user=user, council=council)
    if action == "speak":
        return queries.is_participant(user=user, council=council) and not queries.has_office(
            user=user, council=council, roles=(Office.Role.OBSERVER,)
        )
    raise ValueError(f"unknown council action {action!r}")


@dataclass(frozen=True)
class Rights:
    """`can(user, action, council)` for `view`, `manage_meetings` and `speak`, and `queries.can_see_names`."""

    may_view: bool
    may_manage_meetings: bool
    may_speak: bool
    sees_names: bool


def _holdings_sql() -> str:
    council = Council._meta.db_table
    parts = [
        f"SELECT '{kind}', h.council_id, {column} FROM {model._meta.db_table} h "  # noqa: S608 (table names)
        f"JOIN {council} c ON c.id = h.council_id "
        "WHERE h.user_id = %s AND h.ended_at IS NULL AND c.federation_id = %s"
        for kind, model, column in (
            ("membership", Membership, "h.status"),
            ("seat", Seat, "''"),
            ("office", Office, "h.role"),
        )
    ]
    return " UNION ALL ".join(parts)


HOLDINGS_SQL = _holdings_sql()


def holdings_params(user: Any, council: Council) -> list[Any]:
    """The parameters of HOLDINGS_SQL: the rows (kind, council id, status or role) of the user's
    current memberships, seats and offices in the councils of `council`'s federation, by index."""
    return [user.pk, council.federation_id] * 3


def rights_from(user: Any, council: Council, holdings: Iterable[tuple[str, int, str]]) -> Rights:
    """`Rights` in `council` from the rows HOLDINGS_SQL reads (other rows are ignored): one query for
    what `can` asks in up to five. They answer as queries.can_view_council, has_office and
    is_participant and can_see_names (tests/meetings/test_standing.py compares them case by case)."""
    public = council.visibility == Council.Visibility.PUBLIC
    if queries._anonymous(user):
        return Rights(
            may_view=public, may_manage_meetings=False, may_speak=False, sees_names=not council.is_base
        )
    gone = {Membership.Status.LEFT, Membership.Status.EXPELLED}
    active = {Membership.Status.FULL, Membership.Status.CANDIDATE}
    anywhere = False
    takes_part = participant = officer = observer = False
    for kind, council_id, detail in holdings:
        if kind not in {"membership", "seat", "office"}:
            continue
        anywhere = True
        if council_id != council.id:
            continue
        takes_part |= kind != "membership" or detail not in gone
        participant |= kind != "membership" or detail in active
        officer |= kind == "office" and detail in OFFICER_ROLES
        observer |= kind == "office" and detail == Office.Role.OBSERVER
    may_view = anywhere if council.visibility == Council.Visibility.FEDERATION else public or takes_part
    return Rights(
        may_view=may_view,
        may_manage_meetings=officer,
        may_speak=participant and not observer,
        sees_names=not council.is_base or participant,
    )


# What each action is called in a refusal, in words a member reads.
REFUSED = {
    "view": "see this council",
    "invite": "invite people",
    "manage_meetings": "run meetings",
    "chair": "chair",
    "credentials": "check credentials",
    "vote": "vote",
    "table_motion": "table a motion",
    "second": "second a motion",
    "amend": "amend a motion",
    "nominate": "nominate",
    "speak": "speak",
}


def require(user: Any, action: str, council: Council) -> None:
    """Raise PermissionDeniedError unless `user` may perform `action` on `council`."""
    if not can(user, action, council):
        raise PermissionDeniedError(f"You may not {REFUSED[action]} in {council.name}.")
