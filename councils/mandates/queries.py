"""Reads of recall petitions, mandates, roll calls, reports due and the register of offices."""

from __future__ import annotations

import uuid as uuid_lib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from councils.constitution import queries as constitution_queries
from councils.core.errors import InvalidInputError, NotFoundError
from councils.core.rules import pay, terms
from councils.core.rules.constitution import Constitution
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Office, Seat
from councils.mandates.models import Mandate, MandateVote, Notification, RecallPetition, ReportDue
from councils.record import queries as record_queries

DELEGATE_ROLE = "delegate"
# The entries of what became of a recall petition: started, its vote called at the threshold, the window
# passed, the recall decided. Signatures are left out: each names its signer, and the page counts them.
RECALL_EVENTS = ("recall.petition_started", "recall.vote_called", "recall.petition_expired", "recall.decided")


def access_petition(*, viewer: Any, petition_uuid: uuid_lib.UUID | str) -> RecallPetition:
    try:
        petition = RecallPetition.objects.select_related(
            "council", "council__federation", "seat", "seat__council", "office", "target"
        ).get(uuid=petition_uuid)
    except (RecallPetition.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such recall petition.") from None
    if not federation_queries.can_view_council(viewer=viewer, council=petition.council):
        raise NotFoundError("No such recall petition.")
    return petition


def list_petitions(*, council: Council) -> QuerySet[RecallPetition]:
    return (
        RecallPetition.objects.filter(council=council)
        .select_related("seat__council", "office", "target")
        .annotate(signature_count=Count("signatures"))
        .order_by("-started_at", "id")
    )


def recall_of_motion(*, motion: Any) -> RecallPetition | None:
    """The recall petition a recall motion puts to the vote (its holder, seat or office), if it is one."""
    if motion.kind != "recall" or motion.subject_uuid is None:
        return None
    return (
        RecallPetition.objects.select_related("target", "seat__council", "office")
        .filter(uuid=motion.subject_uuid)
        .first()
    )


def list_recall_entries(*, petition: RecallPetition) -> list[record_queries.Recorded]:
    """The record entries of the recall petition's start, its vote's call and its end, oldest first."""
    return record_queries.list_recorded(
        council_id=petition.council_id, events=RECALL_EVENTS, key="petition", subject=petition.uuid
    )


def count_signatures(*, petition: RecallPetition) -> int:
    return petition.signatures.count()


def has_signed(*, petition: RecallPetition, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return petition.signatures.filter(user=user).exists()


def may_sign(*, petition: RecallPetition, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return petition.signers.filter(user=user).exists()


def access_seat(*, viewer: Any, seat_uuid: uuid_lib.UUID | str) -> Seat:
    try:
        seat = Seat.objects.select_related("council", "from_council", "user").get(uuid=seat_uuid)
    except (Seat.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such seat.") from None
    if not federation_queries.can_view_council(viewer=viewer, council=seat.from_council):
        raise NotFoundError("No such seat.")
    return seat


def access_office(*, viewer: Any, office_uuid: uuid_lib.UUID | str) -> Office:
    try:
        office = Office.objects.select_related("council", "council__federation", "user").get(uuid=office_uuid)
    except (Office.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such office.") from None
    if not federation_queries.can_view_council(viewer=viewer, council=office.council):
        raise NotFoundError("No such office.")
    return office


def earlier_pay_currency(*, office: Office, constitution: Constitution) -> str:
    """The currency `office` declared its pay in, when the constitution no longer uses it; else "".

    Amounts in another currency than the cap's are shown as declared, not compared with the cap, and
    not offered again under the new currency's label.
    """
    if office.pay_currency and office.pay_currency != constitution.pay_currency:
        return office.pay_currency
    return ""


def access_mandate(*, viewer: Any, mandate_uuid: uuid_lib.UUID | str) -> Mandate:
    try:
        mandate = Mandate.objects.select_related("council", "target_council").get(uuid=mandate_uuid)
    except (Mandate.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such mandate.") from None
    if not federation_queries.can_view_council(viewer=viewer, council=mandate.council):
        raise NotFoundError("No such mandate.")
    return mandate


def list_mandates(*, council: Council) -> QuerySet[Mandate]:
    return (
        Mandate.objects.filter(council=council).select_related("target_council").order_by("-adopted_at", "id")
    )


def list_mandates_on(*, target_motion_uuid: uuid_lib.UUID) -> QuerySet[Mandate]:
    return Mandate.objects.filter(
        target_motion_uuid=target_motion_uuid, superseded_at__isnull=True
    ).select_related("council", "target_council")


def list_roll_call(*, council: Council) -> QuerySet[MandateVote]:
    """The public compliance table: each instructed vote of the council's delegates and how they voted."""
    return (
        MandateVote.objects.filter(mandate__council=council)
        .select_related("mandate", "mandate__target_council", "delegate", "seat")
        .order_by("delegate__username", "-checked_at", "id")
    )


def list_deviations(*, council: Council) -> QuerySet[MandateVote]:
    return list_roll_call(council=council).filter(complied=False)


def list_notifications(*, user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("council").order_by("-created_at", "id")


def count_unread_notifications(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def list_reports_due(*, council: Council) -> QuerySet[ReportDue]:
    """Reports owed to `council` by the delegates it sends, open ones first."""
    return (
        ReportDue.objects.filter(council=council)
        .select_related("delegate", "higher_council")
        .order_by(F("submitted_at").asc(nulls_first=True), "due_at", "id")
    )


def access_report_due(*, viewer: Any, report_uuid: uuid_lib.UUID | str) -> ReportDue:
    try:
        report = ReportDue.objects.select_related("council", "higher_council", "delegate", "seat").get(
            uuid=report_uuid
        )
    except (ReportDue.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such report.") from None
    if not federation_queries.can_view_council(viewer=viewer, council=report.council):
        raise NotFoundError("No such report.")
    return report


def is_overdue(*, report: ReportDue, now: datetime) -> bool:
    return report.submitted_at is None and report.due_at < now


@dataclass(frozen=True)
class RegisterLine:
    """One line of the public register of offices."""

    council: Council
    holder: Any
    role: str
    role_label: str
    since: datetime
    term_ends_at: datetime | None
    terms_served: int
    declared_pay: Decimal | None
    declared_expenses: Decimal | None
    pay_excess: Decimal | None
    # The currency of the pay, the expenses and the excess: the one the office declared in, else (for a
    # delegate, an office yet to declare or a declaration that named none) the constitution's; empty
    # where that states none.
    currency: str
    # The constitution's currency now, the cap's: it differs from `currency` when the office declared
    # under an earlier one, and then the pay is not compared with the cap (`pay_excess` is None).
    constitution_currency: str
    currency_differs: bool
    office_uuid: uuid_lib.UUID | None
    seat_uuid: uuid_lib.UUID | None
    from_council: Council | None
    reports_overdue: int
    reports_open: int


def list_register(
    *, federation_id: int, now: datetime, council_ids: Collection[int] | None = None
) -> list[RegisterLine]:
    """Who holds what in the federation, since when, terms served, pay and flags.

    With `council_ids`, only the offices of those councils and the delegates who sit in them or are
    sent by them.
    """
    offices = Office.objects.filter(
        council__federation_id=federation_id, ended_at__isnull=True
    ).select_related("council", "user")
    seats = Seat.objects.filter(council__federation_id=federation_id, ended_at__isnull=True).select_related(
        "council", "from_council", "user"
    )
    if council_ids is not None:
        offices = offices.filter(council_id__in=council_ids)
        seats = seats.filter(Q(council_id__in=council_ids) | Q(from_council_id__in=council_ids))
    offices_list, seats_list = list(offices), list(seats)
    holders = {o.user_id for o in offices_list} | {s.user_id for s in seats_list}
    office_history: dict[tuple[int, int, str], list[terms.Period]] = defaultdict(list)
    for o in Office.objects.filter(user_id__in=holders, council__federation_id=federation_id).only(
        "council_id", "user_id", "role", "started_at", "ended_at", "term_ends_at"
    ):
        office_history[(o.council_id, o.user_id, o.role)].append(
            terms.Period(o.started_at, o.ended_at, o.term_ends_at)
        )
    seat_history: dict[tuple[int, int], list[terms.Period]] = defaultdict(list)
    for s in Seat.objects.filter(user_id__in=holders, council__federation_id=federation_id).only(
        "from_council_id", "user_id", "started_at", "ended_at", "term_ends_at"
    ):
        seat_history[(s.from_council_id, s.user_id)].append(
            terms.Period(s.started_at, s.ended_at, s.term_ends_at)
        )
    reports: dict[int, tuple[int, int]] = {}
    for r in ReportDue.objects.filter(seat__in=seats_list, submitted_at__isnull=True).only(
        "seat_id", "due_at"
    ):
        open_count, overdue = reports.get(r.seat_id, (0, 0))
        reports[r.seat_id] = (open_count + 1, overdue + (1 if r.due_at < now else 0))
    constitutions: dict[int, Constitution] = {}

    def rules(c: Council) -> Constitution:
        if c.federation_id not in constitutions:
            constitutions[c.federation_id] = constitution_queries.constitution_for(federation=c.federation_id)
        return constitutions[c.federation_id]

    lines: list[RegisterLine] = []
    for o in offices_list:
        c = rules(o.council)
        served, _ = terms.latest_run(
            office_history[(o.council_id, o.user_id, o.role)], constitution=c, now=now
        )
        differs = bool(earlier_pay_currency(office=o, constitution=c))
        lines.append(
            RegisterLine(
                council=o.council,
                holder=o.user,
                role=o.role,
                role_label=str(o.get_role_display()),
                since=o.started_at,
                term_ends_at=o.term_ends_at,
                terms_served=served,
                declared_pay=o.declared_pay,
                declared_expenses=o.declared_expenses,
                pay_excess=None if differs else pay.excess_over_cap(pay=o.declared_pay, constitution=c),
                currency=o.pay_currency or c.pay_currency,
                constitution_currency=c.pay_currency,
                currency_differs=differs,
                office_uuid=o.uuid,
                seat_uuid=None,
                from_council=None,
                reports_overdue=0,
                reports_open=0,
            )
        )
    for s in seats_list:
        c = rules(s.council)
        served, _ = terms.latest_run(seat_history[(s.from_council_id, s.user_id)], constitution=c, now=now)
        open_count, overdue = reports.get(s.id, (0, 0))
        lines.append(
            RegisterLine(
                council=s.council,
                holder=s.user,
                role=DELEGATE_ROLE,
                role_label="Delegate",
                since=s.started_at,
                term_ends_at=s.term_ends_at,
                terms_served=served,
                declared_pay=None,
                declared_expenses=None,
                pay_excess=None,
                currency=c.pay_currency,
                constitution_currency=c.pay_currency,
                currency_differs=False,
                office_uuid=None,
                seat_uuid=s.uuid,
                from_council=s.from_council,
                reports_overdue=overdue,
                reports_open=open_count,
            )
        )
    lines.sort(key=lambda line: (line.council.name, line.role, line.holder.username))
    return lines


REGISTER_SCOPES = ("council", "below", "federation")


def list_register_for(*, viewer: Any, anchor: Council, scope: str, now: datetime) -> list[RegisterLine]:
    """The register as `viewer` may see it: of `anchor`, of it and the councils below, or of its federation.

    Lines in councils hidden from `viewer` are left out, as the councils are.
    """
    visible = set(
        federation_queries.list_visible_councils(viewer=viewer)
        .filter(federation_id=anchor.federation_id)
        .values_list("id", flat=True)
    )
    if scope == "council":
        council_ids = {anchor.id}
    elif scope == "below":
        council_ids = federation_queries.council_and_below(council=anchor) & visible
    elif scope == "federation":
        council_ids = visible
    else:
        raise InvalidInputError(f"scope must be one of {', '.join(REGISTER_SCOPES)}: {scope!r}.")
    lines = list_register(federation_id=anchor.federation_id, now=now, council_ids=council_ids)
    return [line for line in lines if line.council.id in visible]


def list_pay_breaches(*, federation_id: int, now: datetime) -> list[RegisterLine]:
    return [
        line for line in list_register(federation_id=federation_id, now=now) if line.pay_excess is not None
    ]


def council_summary(*, council: Council, now: datetime) -> list[dict[str, Any]]:
    """What the council page shows of accountability, in one query.

    Live recalls, reports the council's delegates owe it, and items petitions
    forced onto its next agenda: each row a dict with `kind` ("recall",
    "report" or "item"), `link` (the UUID to link to), `label`, `other`, `at`,
    `count`, `needed`, `state`, `owner` (the delegate's user id for a report)
    and `overdue`.
    """
    from councils.petitions.models import ForcedAgendaItem

    def person(field: str) -> Any:
        return Coalesce(NullIf(F(f"{field}__display_name"), Value("")), F(f"{field}__username"))

    text, number = CharField(), IntegerField()
    nobody = Value(None, output_field=IntegerField(null=True))
    columns = ("kind", "link", "label", "other", "at", "count", "needed", "state", "owner")
    recalls = (
        RecallPetition.objects.filter(council=council, status__in=["open", "vote"])
        .annotate(
            kind=Value("recall", output_field=text),
            link=F("uuid"),
            label=person("target"),
            other=Value("", output_field=text),
            at=F("expires_at"),
            count=Count("signatures"),
            needed=F("threshold"),
            state=F("status"),
            owner=nobody,
        )
        .values(*columns)
        .order_by()
    )
    reports = (
        ReportDue.objects.filter(council=council, submitted_at__isnull=True)
        .annotate(
            kind=Value("report", output_field=text),
            link=F("uuid"),
            label=person("delegate"),
            other=F("higher_council__name"),
            at=F("due_at"),
            count=Value(0, output_field=number),
            needed=Value(0, output_field=number),
            state=Value("due", output_field=text),
            owner=F("delegate_id"),
        )
        .values(*columns)
        .order_by()
    )
    items = (
        # Reports back are listed as reports; these are the items members forced.
        ForcedAgendaItem.objects.filter(
            council=council, status__in=["pending", "postponed"], petition__isnull=False
        )
        .annotate(
            kind=Value("item", output_field=text),
            link=F("petition__uuid"),
            label=F("title"),
            other=Value("", output_field=text),
            at=F("forced_at"),
            count=Value(0, output_field=number),
            needed=Value(0, output_field=number),
            state=F("status"),
            owner=nobody,
        )
        .values(*columns)
        .order_by()
    )
    rows = list(recalls.union(reports, items, all=True))
    for row in rows:
        row["overdue"] = row["kind"] == "report" and row["at"] < now
    rows.sort(key=lambda row: (row["kind"], row["at"]))
    return rows
