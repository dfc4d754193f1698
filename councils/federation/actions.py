"""Writes to the council tree. Each runs in one transaction with its record entry."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from councils.accounts.models import User
from councils.core.errors import ConflictError, InvalidInputError
from councils.core.ledger.encoding import format_time
from councils.federation import queries
from councils.federation.models import Council, Federation, Membership, Office, Seat
from councils.live.publish import publish_on_commit
from councils.mandates.models import RecallPetition
from councils.record.actions import append_entry

# Why a seat or office ends with the seat its holder held it through (`end_held_through`).
SEAT_LOST = "seat_lost"


def _moment(at: datetime | None) -> str | None:
    """When a term ends, as the record writes times; None for a post held with no end."""
    return format_time(at) if at is not None else None


@transaction.atomic
def create_federation(*, actor: User | None, name: str, now: datetime) -> Federation:
    """Found a federation; the founding itself is the record's first decision."""
    if not name.strip():
        raise InvalidInputError("A federation needs a name.")
    federation = Federation.objects.create(name=name.strip(), created_at=now)
    append_entry(
        event="federation.founded",
        actor=actor,
        council=None,
        payload={"federation": str(federation.uuid), "name": federation.name},
        now=now,
    )
    return federation


@transaction.atomic
def create_council(
    *,
    actor: User | None,
    federation: Federation,
    name: str,
    kind: str,
    parent: Council | None,
    is_base: bool,
    visibility: str = Council.Visibility.FEDERATION,
    members_per_delegate: int = 50,
    now: datetime,
) -> Council:
    """Add a council to the tree. Founding councils are made by the founding import."""
    if not name.strip():
        raise InvalidInputError("A council needs a name.")
    if kind not in Council.Kind.values:
        raise InvalidInputError(f"Unknown council type {kind!r}.")
    if parent is not None and parent.federation_id != federation.id:
        raise InvalidInputError("The parent council belongs to another federation.")
    if parent is not None and parent.is_base:
        raise InvalidInputError("A base council of members cannot have councils below it.")
    if members_per_delegate < 1:
        raise InvalidInputError("Members per delegate must be at least 1.")
    # The unique constraints keep names apart, not a query first: asking cost half the action's time.
    # No savepoint of its own (two round trips): the ConflictError leaves the action's atomic block.
    try:
        council = Council.objects.create(
            federation=federation,
            parent=parent,
            name=name.strip(),
            kind=kind,
            is_base=is_base,
            visibility=visibility,
            members_per_delegate=members_per_delegate,
            created_at=now,
        )
    except IntegrityError:
        raise ConflictError(f"There is already a council called {name.strip()!r} there.") from None
    append_entry(
        event="council.created",
        actor=actor,
        council=council,
        payload={
            "council": str(council.uuid),
            # The tree alone does not tell it: a federation may have several councils with no parent.
            "federation": str(federation.uuid),
            "name": council.name,
            "kind": council.kind,
            "is_base": council.is_base,
            "parent": str(parent.uuid) if parent else None,
            "members_per_delegate": members_per_delegate,
            # Who may read the council's entries and see its business follows from it.
            "visibility": council.visibility,
        },
        now=now,
    )
    if parent is not None:
        publish_on_commit(f"council-{parent.uuid}", {"type": "councils.changed"})
    return council


@transaction.atomic
def add_founding_member(*, actor: User | None, council: Council, user: User, now: datetime) -> Membership:
    """Enrol a founding member of a base council (before the federation's first vote)."""
    if not council.is_base:
        raise InvalidInputError("Members join a base council; higher councils are made of delegates.")
    # The constraint of one current membership per person refuses a second, not a query first, and so
    # refuses one of two sent at once. No savepoint: the ConflictError leaves the action's atomic block.
    try:
        membership = Membership.objects.create(
            user=user, council=council, status=Membership.Status.FULL, joined_at=now, full_since=now
        )
    except IntegrityError:
        raise ConflictError(f"{user.username} is already a member of a council.") from None
    append_entry(
        event="member.founding_enrolled",
        actor=actor,
        council=council,
        payload={"membership": str(membership.uuid), "member": str(user.uuid)},
        now=now,
    )
    publish_on_commit(f"council-{council.uuid}", {"type": "members.changed"})
    return membership


@transaction.atomic
def appoint_founding_officer(
    *,
    actor: User | None,
    council: Council,
    user: User,
    role: str,
    declared_pay: Decimal = Decimal(0),
    term_ends_at: datetime | None = None,
    now: datetime,
) -> Office:
    """Record a founding officer named in the constitution; later officers are elected.

    Only before the council's first vote or election: from then on its officers are elected.
    """
    if role not in Office.Role.values:
        raise InvalidInputError(f"Unknown office {role!r}.")
    Council.objects.select_for_update().get(id=council.id)
    if queries.first_vote_of(council=council) is not None:
        raise ConflictError(
            f"{council.name} has already held a vote or election, so it elects its officers: "
            "founding officers are appointed only before its first vote.",
            code="founding_closed",
        )
    office = Office.objects.create(
        council=council,
        user=user,
        role=role,
        started_at=now,
        term_ends_at=term_ends_at,
        declared_pay=declared_pay,
    )
    append_entry(
        event="office.founding_filled",
        actor=actor,
        council=council,
        payload={
            "office": str(office.uuid),
            "role": role,
            "holder": str(user.uuid),
            "declared_pay": str(declared_pay),
            "term_ends_at": _moment(term_ends_at),
        },
        now=now,
    )
    return office


def seat_delegate(
    *,
    from_council: Council,
    user: User,
    election_uuid: str | None,
    term_ends_at: datetime | None,
    now: datetime,
) -> Seat:
    """Seat an elected delegate in the parent council; runs inside the certifying action's transaction.

    A delegate speaks for the council that sends them, so they must hold a vote there when seated:
    be a full member in good standing of a base council, or sit in a higher one.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("seat_delegate runs inside the action that certified the election")
    if from_council.parent is None:
        raise InvalidInputError(f"{from_council.name} has no council above it to send delegates to.")
    if not queries.is_voter(user=user, council=from_council):
        standing = "a full member in good standing" if from_council.is_base else "a sitting delegate"
        raise ConflictError(
            f"{user.name} is not {standing} of {from_council.name}, so cannot be seated as its delegate "
            f"to {from_council.parent.name}.",
            code="delegate_not_member",
        )
    seat = Seat.objects.create(
        council=from_council.parent,
        from_council=from_council,
        user=user,
        election_uuid=election_uuid,
        started_at=now,
        term_ends_at=term_ends_at,
    )
    append_entry(
        event="delegate.seated",
        actor=None,
        council=from_council.parent,
        payload={
            "seat": str(seat.uuid),
            "delegate": str(user.uuid),
            "from_council": str(from_council.uuid),
            "election": election_uuid,
            "term_ends_at": _moment(term_ends_at),
        },
        now=now,
    )
    # The delegates sitting in the council above, and those the sending council lists as its own.
    publish_on_commit(f"council-{from_council.parent.uuid}", {"type": "delegates.changed"})
    publish_on_commit(f"council-{from_council.uuid}", {"type": "delegates.changed"})
    return seat


def end_seat(*, seat: Seat, reason: str, actor: User | None, now: datetime) -> None:
    """Vacate a seat (recall, term end, resignation) inside the calling action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("end_seat runs inside the action that vacated the seat")
    seat.ended_at = now
    seat.ended_reason = reason
    seat.save(update_fields=["ended_at", "ended_reason"])
    _moot_recalls(RecallPetition.objects.filter(seat=seat), now=now)
    append_entry(
        event="delegate.unseated",
        actor=actor,
        council=seat.council,
        payload={"seat": str(seat.uuid), "delegate": str(seat.user.uuid), "reason": reason},
        now=now,
    )
    publish_on_commit(f"council-{seat.council.uuid}", {"type": "delegates.changed"})
    publish_on_commit(f"council-{seat.from_council.uuid}", {"type": "delegates.changed"})


def end_held_through(*, seat: Seat, actor: User | None, now: datetime) -> list[Seat | Office]:
    """End, as lost with `seat` (`seat_lost`), what its holder held through it; return what ended.

    A delegate sitting in a council is one of its members through that seat alone: the offices
    they hold in it and the seats it sends further up end with the seat, and so on up the tree.
    Runs inside the action that ended `seat`.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("end_held_through runs inside the action that ended the seat")
    ended: list[Seat | Office] = []
    offices = list(
        Office.objects.select_for_update(of=("self",))
        .select_related("council", "user")
        .filter(council=seat.council_id, user=seat.user_id, ended_at__isnull=True)
        .order_by("id")
    )
    for office in offices:
        vacate_office(office=office, reason=SEAT_LOST, actor=actor, now=now)
        ended.append(office)
    higher = list(
        Seat.objects.select_for_update(of=("self",))
        .select_related("council", "from_council", "user")
        .filter(from_council=seat.council_id, user=seat.user_id, ended_at__isnull=True)
        .order_by("id")
    )
    for above in higher:
        end_seat(seat=above, reason=SEAT_LOST, actor=actor, now=now)
        ended.append(above)
        ended.extend(end_held_through(seat=above, actor=actor, now=now))
    return ended


def fill_office(
    *, council: Council, user: User, role: str, term_ends_at: datetime | None, now: datetime
) -> Office:
    """Seat an elected officer; runs inside the certifying action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("fill_office runs inside the action that certified the election")
    if role not in Office.Role.values:
        raise InvalidInputError(f"Unknown office {role!r}.")
    office = Office.objects.create(
        council=council, user=user, role=role, started_at=now, term_ends_at=term_ends_at
    )
    append_entry(
        event="office.filled",
        actor=None,
        council=council,
        payload={
            "office": str(office.uuid),
            "role": role,
            "holder": str(user.uuid),
            "term_ends_at": _moment(term_ends_at),
        },
        now=now,
    )
    publish_on_commit(f"council-{council.uuid}", {"type": "offices.changed"})
    return office


def _moot_recalls(petitions: QuerySet[RecallPetition], *, now: datetime) -> None:
    """Close as moot the recall petitions still collecting signatures against a seat or office that ended.

    However it ended (a recall, a term's end, a certification, a resignation, a loss of rights),
    there is nobody left in it to recall; members start a new petition against whoever holds it next.
    """
    petitions.filter(status=RecallPetition.Status.OPEN).update(
        status=RecallPetition.Status.MOOT, closed_at=now
    )


def vacate_office(*, office: Office, reason: str, actor: User | None, now: datetime) -> None:
    """End an office (term over, replaced by an election) inside the calling action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("vacate_office runs inside the action that vacated the office")
    office.ended_at = now
    office.ended_reason = reason
    office.save(update_fields=["ended_at", "ended_reason"])
    _moot_recalls(RecallPetition.objects.filter(office=office), now=now)
    append_entry(
        event="office.vacated",
        actor=actor,
        council=office.council,
        payload={
            "office": str(office.uuid),
            "role": office.role,
            "holder": str(office.user.uuid),
            "reason": reason,
        },
        now=now,
    )
    publish_on_commit(f"council-{office.council.uuid}", {"type": "offices.changed"})


def enrol_invited_member(*, invitation_uuid: str, user: User, council: Council, now: datetime) -> Membership:
    """Enrol someone who accepted an invitation as a candidate member: voice, no vote until admitted.

    Runs inside the accepting action's transaction, so the account, the membership and
    the record entry commit together.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enrol_invited_member runs inside the action that accepted the invitation")
    if not council.is_base:
        raise InvalidInputError("Members join a base council; higher councils are made of delegates.")
    # As in add_founding_member, the constraint refuses a second current membership.
    try:
        membership = Membership.objects.create(
            user=user, council=council, status=Membership.Status.CANDIDATE, joined_at=now
        )
    except IntegrityError:
        raise ConflictError(f"{user.username} is already a member of a council.") from None
    append_entry(
        event="member.invited_joined",
        actor=user,
        council=council,
        payload={"membership": str(membership.uuid), "member": str(user.uuid), "invitation": invitation_uuid},
        now=now,
    )
    publish_on_commit(f"council-{council.uuid}", {"type": "members.changed"})
    return membership
