"""Reads of the council tree: who sits where, who may vote, what a viewer may see."""

from __future__ import annotations

import re
import uuid as uuid_lib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim

from councils.accounts.models import User
from councils.core.errors import NotFoundError
from councils.federation.models import Council, Federation, Membership, Office, Seat
from councils.record.models import Entry

# The entries that open a vote or a poll: the first of them ends what only a founding may do.
FIRST_VOTE_EVENTS = ("vote.opened", "election.opened")


def _anonymous(user: Any) -> bool:
    return user is None or not getattr(user, "is_authenticated", False)


def first_vote_of(*, council: Council) -> Entry | None:
    """The record entry of the council's first vote or election, if it has held one."""
    return Entry.objects.filter(event__in=FIRST_VOTE_EVENTS, council=council).order_by("id").first()


def current_membership(*, user: User) -> Membership | None:
    return Membership.objects.select_related("council").filter(user=user, ended_at__isnull=True).first()


def list_voters(*, council: Council, full_before: datetime | None = None) -> QuerySet[User]:
    """The people with a vote in `council` now: full members of a base council, or its sitting delegates.

    `full_before` keeps, in a base council, only those whose full membership began before it
    (delegates have no such date; callers refuse it for a higher council).
    """
    if council.is_base:
        standing = {"memberships__full_since__lt": full_before} if full_before is not None else {}
        return User.objects.filter(
            memberships__council=council,
            memberships__ended_at__isnull=True,
            memberships__status=Membership.Status.FULL,
            is_active=True,
            **standing,
        ).distinct()
    return User.objects.filter(
        seats__council=council, seats__ended_at__isnull=True, is_active=True
    ).distinct()


def count_voters(*, council: Council) -> int:
    return list_voters(council=council).count()


# Who has a vote, written out: every cast and most permission checks ask it, and the ORM took
# longer to build the query than the database to answer it. Parameters: the user's id, the council's.
_MEMBER_VOTES = (
    f"EXISTS (SELECT 1 FROM {Membership._meta.db_table} WHERE user_id = %s AND council_id = %s "  # noqa: S608
    f"AND ended_at IS NULL AND status = '{Membership.Status.FULL.value}')"
)
_SEAT_VOTES = (
    f"EXISTS (SELECT 1 FROM {Seat._meta.db_table} WHERE user_id = %s AND council_id = %s "  # noqa: S608
    "AND ended_at IS NULL)"
)


def voter_sql(council: Council) -> str:
    """An SQL `EXISTS` that is true when the user whose id is its first parameter has a vote in
    `council`, whose id is its second: a current full membership of a base council, a current seat
    in a higher one. `is_voter` asks it alone; a statement that reads more can ask it alongside."""
    return _MEMBER_VOTES if council.is_base else _SEAT_VOTES


def is_voter(*, user: Any, council: Council) -> bool:
    if _anonymous(user):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {voter_sql(council)}", [user.pk, council.pk])
        return bool(cursor.fetchone()[0])


def is_participant(*, user: Any, council: Council) -> bool:
    """Members (including candidates), sitting delegates, officers and observers of `council`."""
    if _anonymous(user):
        return False
    return (
        Membership.objects.filter(
            user=user,
            council=council,
            ended_at__isnull=True,
            status__in=[Membership.Status.FULL, Membership.Status.CANDIDATE],
        ).exists()
        or Seat.objects.filter(user=user, council=council, ended_at__isnull=True).exists()
        or Office.objects.filter(user=user, council=council, ended_at__isnull=True).exists()
    )


def participant_council_ids(*, user: Any) -> QuerySet[Council, Any]:
    """The ids of the councils `is_participant` answers yes for, as one subquery for another query."""
    if _anonymous(user):
        return Council.objects.none().values("id")
    members = Membership.objects.filter(
        user=user, ended_at__isnull=True, status__in=[Membership.Status.FULL, Membership.Status.CANDIDATE]
    ).values("council_id")
    seats = Seat.objects.filter(user=user, ended_at__isnull=True).values("council_id")
    offices = Office.objects.filter(user=user, ended_at__isnull=True).values("council_id")
    return Council.objects.filter(Q(id__in=members) | Q(id__in=seats) | Q(id__in=offices)).values("id")


def list_participants(*, council: Council) -> QuerySet[User]:
    """The active people `is_participant` answers yes for, read in one query."""
    members = Membership.objects.filter(
        council=council,
        ended_at__isnull=True,
        status__in=[Membership.Status.FULL, Membership.Status.CANDIDATE],
    ).values("user_id")
    seats = Seat.objects.filter(council=council, ended_at__isnull=True).values("user_id")
    offices = Office.objects.filter(council=council, ended_at__isnull=True).values("user_id")
    return User.objects.filter(Q(pk__in=members) | Q(pk__in=seats) | Q(pk__in=offices), is_active=True)


# `User.name` in SQL: the display name, else the full name, else the username.
_NAME = Coalesce(
    NullIf("display_name", Value("")),
    NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")),
    "username",
)
# Printable ASCII, where SQL's LOWER and Python's `str.casefold` agree; past it only Python folds
# exactly ("Straße" is "STRASSE", "ς" is "σ").
_PRINTABLE_ASCII, _PAST_ASCII = re.compile("[ -~]*"), "[^ -~]"


class _AsciiLower(Lower):
    """LOWER of ASCII letters alone on every database: PostgreSQL's follows the locale (a Turkish I is ı)."""

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler, connection, template='LOWER((%(expressions)s) COLLATE "C")', **extra_context
        )


def names_shared_with_participants(*, council: Council, people: Iterable[User]) -> set[str]:
    """The names of `people` (casefolded) that another of the council's `list_participants` bears too.

    Reads only who may share one, however large the council: participants whose name in printable
    ASCII lowers to one of theirs, and those whose name goes past it, which Python folds here.
    """
    people = list(people)
    names = {p.name.casefold() for p in people}
    plain = [name for name in names if _PRINTABLE_ASCII.fullmatch(name)]
    spelled = Concat("display_name", "first_name", "last_name", "username")
    maybe = (
        list_participants(council=council)
        .exclude(pk__in=[p.pk for p in people])
        .alias(folded=_AsciiLower(_NAME), spelled=spelled)
        .filter(Q(folded__in=plain) | Q(spelled__regex=_PAST_ASCII))
        .only("username", "display_name", "first_name", "last_name")
    )
    return names & {u.name.casefold() for u in maybe}


def has_office(*, user: Any, council: Council, roles: tuple[str, ...]) -> bool:
    if _anonymous(user):
        return False
    return Office.objects.filter(user=user, council=council, role__in=roles, ended_at__isnull=True).exists()


def federations_of(*, user: Any) -> QuerySet[Federation]:
    if _anonymous(user):
        return Federation.objects.none()
    # Each subquery reads only the user's own rows by index; joining the federation's members,
    # seats and offices instead would read every one of them for every check.
    return Federation.objects.filter(
        Q(councils__in=Membership.objects.filter(user=user, ended_at__isnull=True).values("council_id"))
        | Q(councils__in=Seat.objects.filter(user=user, ended_at__isnull=True).values("council_id"))
        | Q(councils__in=Office.objects.filter(user=user, ended_at__isnull=True).values("council_id"))
    ).distinct()


def _participant_council_ids(user: Any) -> set[int]:
    if _anonymous(user):
        return set()
    ids: set[int] = set()
    ids.update(
        Membership.objects.filter(user=user, ended_at__isnull=True)
        .exclude(status__in=[Membership.Status.LEFT, Membership.Status.EXPELLED])
        .values_list("council_id", flat=True)
    )
    ids.update(Seat.objects.filter(user=user, ended_at__isnull=True).values_list("council_id", flat=True))
    ids.update(Office.objects.filter(user=user, ended_at__isnull=True).values_list("council_id", flat=True))
    return ids


def can_see_names(*, viewer: Any, council: Council) -> bool:
    """Whether `viewer` may see who did what in `council`: delegates answer to the public, members do not.

    A base council's members are named only to its own participants; a delegate
    body's voters are delegates, whose names are public wherever the council is.
    """
    return not council.is_base or is_participant(user=viewer, council=council)


def list_visible_councils(*, viewer: Any) -> QuerySet[Council]:
    """Every council `viewer` may see: public ones, their federations' open ones, and their own."""
    visible = Q(visibility=Council.Visibility.PUBLIC)
    if not _anonymous(viewer):
        visible |= Q(visibility=Council.Visibility.FEDERATION, federation__in=federations_of(user=viewer))
        visible |= Q(id__in=_participant_council_ids(viewer))
    return Council.objects.filter(visible).select_related("parent", "federation")


def can_view_council(*, viewer: Any, council: Council) -> bool:
    if council.visibility == Council.Visibility.PUBLIC:
        return True
    if _anonymous(viewer):
        return False
    if council.visibility == Council.Visibility.FEDERATION:
        return federations_of(user=viewer).filter(id=council.federation_id).exists()
    return council.id in _participant_council_ids(viewer)


def access_council(*, viewer: Any, council_uuid: uuid_lib.UUID | str) -> Council:
    """Return the council, or raise NotFoundError when it is missing or hidden from `viewer`."""
    try:
        council = Council.objects.select_related("parent", "federation").get(uuid=council_uuid)
    except (Council.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFoundError("No such council.") from None
    if not can_view_council(viewer=viewer, council=council):
        raise NotFoundError("No such council.")
    return council


def list_members(*, council: Council) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(council=council, ended_at__isnull=True)
        .select_related("user")
        .order_by("user__username")
    )


def list_seats(*, council: Council) -> QuerySet[Seat]:
    """Delegates sitting in `council`."""
    return (
        Seat.objects.filter(council=council, ended_at__isnull=True)
        .select_related("user", "from_council")
        .order_by("from_council__name", "user__username")
    )


def list_delegates_sent(*, council: Council) -> QuerySet[Seat]:
    """Delegates that `council` sends to its parent."""
    return (
        Seat.objects.filter(from_council=council, ended_at__isnull=True)
        .select_related("user", "council")
        .order_by("user__username")
    )


def list_offices(*, council: Council) -> QuerySet[Office]:
    return Office.objects.filter(council=council, ended_at__isnull=True).select_related("user")


def delegate_seats_for(*, child: Council) -> int:
    """Apportionment: how many delegates `child` sends to its parent (one per N voters, at least one)."""
    if child.parent is None:
        return 0
    per = max(1, child.parent.members_per_delegate)
    voters = count_voters(council=child)
    return max(1, -(-voters // per))


def ancestors(*, council: Council) -> list[Council]:
    chain: list[Council] = []
    node = council.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def council_and_below(*, council: Council) -> set[int]:
    """The ids of `council` and of every council below it, at any depth, read in one query."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for child, parent in Council.objects.filter(federation_id=council.federation_id).values_list(
        "id", "parent_id"
    ):
        children[parent].append(child)
    found: set[int] = set()
    todo = [council.id]
    while todo:
        node = todo.pop()
        found.add(node)
        todo.extend(children[node])
    return found


def list_participant_councils(*, user: Any) -> QuerySet[Council]:
    """The councils `user` takes part in: as member, delegate, officer or observer."""
    return (
        Council.objects.filter(id__in=_participant_council_ids(user))
        .select_related("parent")
        .order_by("name")
    )
