"""Writes of agenda petitions and forced items. Each runs in one transaction with its record entry.

The signature (or council's backing) that reaches the threshold forces the
item in the same transaction; a delegate's report back falling due forces
one too, by the rules. A forced item is moved only by an adopted motion of
the council itself, never by its chair alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from councils.accounts.models import User
from councils.constitution import queries as constitution_queries
from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.core.rules import recall as petition_rules
from councils.federation import queries as federation_queries
from councils.federation.models import Council
from councils.live.publish import publish_on_commit
from councils.petitions import permissions, queries
from councils.petitions.models import (
    AgendaPetition,
    AgendaSignature,
    AgendaSigner,
    CouncilSupport,
    ForcedAgendaItem,
    ItemChangeProposal,
)
from councils.record.actions import append_entry

if TYPE_CHECKING:
    from councils.core.rules.votes import VoteResult
    from councils.mandates.models import ReportDue
    from councils.motions.models import Motion

MAX_TEXT = 20_000
CHANGE_WORDS = {
    "remove": "removed from",
    "postpone": "postponed to a later meeting on",
    "merge": "merged with a related item on",
}


def _channel(council: Council) -> str:
    return f"council-{council.uuid}"


@transaction.atomic
def start_agenda_petition(
    *, actor: User, council: Council, title: str, text: str, now: datetime
) -> AgendaPetition:
    """Start a petition for an item on the council's next agenda; the starter signs first."""
    permissions.require(actor, "start", council)
    title, text = title.strip(), text.strip()
    if not title or len(title) > 200:
        raise InvalidInputError("Give the item a title of at most 200 characters.")
    if not text or len(text) > MAX_TEXT:
        raise InvalidInputError(f"Say what the item is about, in at most {MAX_TEXT} characters.")
    rules = constitution_queries.constitution_for(federation=council.federation_id)
    voters = list(federation_queries.list_voters(council=council).values_list("id", "uuid"))
    petition = AgendaPetition.objects.create(
        council=council,
        title=title,
        text=text,
        started_by=actor,
        started_at=now,
        # The constitution sets one signature window for every petition.
        expires_at=petition_rules.expires_at(started_at=now, window_days=rules.recall_window_days),
        eligible_count=len(voters),
        threshold=petition_rules.signature_threshold(eligible=len(voters), share=rules.agenda_petition_share),
        councils_threshold=None if council.is_base else rules.agenda_petition_councils,
        constitution_version=rules.version,
    )
    AgendaSigner.objects.bulk_create([AgendaSigner(petition=petition, user_id=v) for v, _ in voters])
    append_entry(
        event="agenda.petition_started",
        actor=actor,
        council=council,
        payload={
            "petition": str(petition.uuid),
            "title": title,
            "text": text,
            "eligible": petition.eligible_count,
            "eligible_signers": sorted(str(u) for _, u in voters),
            "threshold": petition.threshold,
            "councils_threshold": petition.councils_threshold,
            "window_days": rules.recall_window_days,
            "constitution_version": rules.version,
        },
        now=now,
    )
    _sign(petition=petition, actor=actor, now=now)
    if petition.status == AgendaPetition.Status.OPEN:
        from councils.mandates.tasks import schedule_expiry

        expires = petition.expires_at
        transaction.on_commit(lambda: schedule_expiry(at=expires))
    publish_on_commit(_channel(council), {"type": "petitions.changed"})
    return petition


def _sign(*, petition: AgendaPetition, actor: User, now: datetime) -> AgendaSignature:
    # No savepoint (two round trips): the ConflictError leaves the action's transaction, which rolls back.
    try:
        signature = AgendaSignature.objects.create(petition=petition, user=actor, signed_at=now)
    except IntegrityError:
        raise ConflictError("You have already signed this petition.") from None
    count = petition.signatures.count()
    append_entry(
        event="agenda.petition_signed",
        actor=actor,
        council=petition.council,
        payload={"petition": str(petition.uuid), "signatures": count, "threshold": petition.threshold},
        now=now,
    )
    if count >= petition.threshold:
        _force(petition=petition, reason="signatures", now=now)
    return signature


def _force(*, petition: AgendaPetition, reason: str, now: datetime) -> ForcedAgendaItem:
    petition.status = AgendaPetition.Status.FORCED
    petition.forced_at = now
    petition.save(update_fields=["status", "forced_at"])
    item = ForcedAgendaItem.objects.create(
        council=petition.council, petition=petition, title=petition.title, text=petition.text, forced_at=now
    )
    append_entry(
        event="agenda.item_forced",
        actor=None,
        council=petition.council,
        payload={"petition": str(petition.uuid), "item": str(item.uuid), "by": reason},
        now=now,
    )
    from councils.meetings.actions import place_on_meeting_set

    place_on_meeting_set(council_id=petition.council_id, only=Q(pk=item.pk), now=now)
    publish_on_commit(_channel(petition.council), {"type": "agenda.changed"})
    return item


def _lock_for_signing(petition: AgendaPetition, actor: User, now: datetime) -> tuple[AgendaPetition, bool]:
    """Lock the petition for `actor` to sign: whether it is still open, once they are found entitled."""
    petition = (
        AgendaPetition.objects.select_for_update(of=("self",)).select_related("council").get(pk=petition.pk)
    )
    permissions.require(actor, "sign", petition)
    if petition.status == AgendaPetition.Status.OPEN and now >= petition.expires_at:
        _expire(petition=petition, now=now)
        return petition, False
    petition_rules.check_open(status=petition.status, expires=petition.expires_at, now=now)
    return petition, True


def sign_agenda_petition(*, actor: User, petition: AgendaPetition, now: datetime) -> AgendaSignature:
    """Sign for oneself; the signature that reaches the threshold forces the item."""
    with transaction.atomic():
        petition, is_open = _lock_for_signing(petition, actor, now)
        if is_open:
            return _sign(petition=petition, actor=actor, now=now)
    raise petition_rules.window_closed(petition.expires_at)


def _expire(*, petition: AgendaPetition, now: datetime) -> None:
    petition.status = AgendaPetition.Status.EXPIRED
    petition.save(update_fields=["status"])
    append_entry(
        event="agenda.petition_expired",
        actor=None,
        council=petition.council,
        payload={"petition": str(petition.uuid), "signatures": petition.signatures.count()},
        now=now,
    )


@transaction.atomic
def expire_agenda_petitions(*, now: datetime) -> int:
    expired = list(
        AgendaPetition.objects.select_for_update(of=("self",))
        .select_related("council")
        .filter(status=AgendaPetition.Status.OPEN, expires_at__lte=now)
        .order_by("id")
    )
    for petition in expired:
        _expire(petition=petition, now=now)
    return len(expired)


@transaction.atomic
def propose_council_support(
    *, actor: User, petition: AgendaPetition, council: Council, now: datetime
) -> CouncilSupport:
    """Table a motion in a council below a congress that it backs the congress petition."""
    from councils.motions import actions as motion_actions

    petition = (
        AgendaPetition.objects.select_for_update(of=("self",)).select_related("council").get(pk=petition.pk)
    )
    permissions.require(actor, "propose_support", council)
    if petition.councils_threshold is None:
        raise InvalidInputError(
            "Councils back petitions to a higher council; this one is signed by members only."
        )
    if petition.council not in federation_queries.ancestors(council=council):
        raise InvalidInputError(f"{council.name} is not below {petition.council.name}.")
    petition_rules.check_open(status=petition.status, expires=petition.expires_at, now=now)
    # The constraint refuses a second pending or adopted support, not a query first; no savepoint: the
    # ConflictError leaves the action's atomic block.
    try:
        support = CouncilSupport.objects.create(petition=petition, council=council, proposed_at=now)
    except IntegrityError:
        refusal = f"{council.name} already backs this petition or is deciding whether to."
        raise ConflictError(refusal) from None
    motion = motion_actions.table_motion(
        actor=actor,
        council=council,
        title=f"Back the petition to {petition.council.name}: {petition.title}"[:200],
        text=(
            f"That {council.name} backs the petition for “{petition.title}” on the agenda of "
            f"{petition.council.name} (petition {petition.uuid})."
        ),
        now=now,
        subject_uuid=support.uuid,
    )
    support.motion_uuid = motion.uuid
    support.save(update_fields=["motion_uuid"])
    append_entry(
        event="agenda.support_proposed",
        actor=actor,
        council=council,
        payload={"petition": str(petition.uuid), "support": str(support.uuid), "motion": str(motion.uuid)},
        now=now,
    )
    return support


def force_report_back(*, report: ReportDue, now: datetime) -> ForcedAgendaItem:
    """Force a delegate's report back onto the next agenda of the council they represent, as the rules.

    Runs inside the transaction of the action that made the report due.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("force_report_back runs inside the action that made the report due")
    higher = report.higher_council.name
    item = ForcedAgendaItem.objects.create(
        council=report.council,
        report=report,
        title=f"Report back on the meeting of {higher} ({report.created_at:%Y-%m-%d})"[:200],
        text=(
            f"The delegate of {report.council.name} to {higher} reports on the meeting of {higher} "
            f"(meeting {report.meeting_uuid}): what was decided and how they voted. The report is due by "
            f"{report.due_at:%Y-%m-%d}."
        ),
        forced_at=now,
    )
    append_entry(
        event="agenda.item_forced",
        actor=None,
        council=report.council,
        payload={"petition": None, "report": str(report.uuid), "item": str(item.uuid), "by": "report_due"},
        now=now,
    )
    publish_on_commit(_channel(report.council), {"type": "agenda.changed"})
    return item


def _forced_by(item: ForcedAgendaItem) -> str:
    if item.report_id is not None:
        return "by the rules: a delegate's report back is due"
    return "by a petition of its members"


def _refusal(item: ForcedAgendaItem) -> PermissionDeniedError:
    return PermissionDeniedError(
        f"“{item.title}” was forced onto the agenda of {item.council.name} {_forced_by(item)}. "
        "The chair cannot remove, merge or postpone it; only a recorded vote of the council can. "
        "Propose the change as a motion for the council to vote on.",
        code="forced_item_protected",
    )


def check_item_change(*, item: ForcedAgendaItem) -> None:
    """What an agenda editor calls before removing, merging or postponing an item: forced ones are refused."""
    if item.status in (
        ForcedAgendaItem.Status.PENDING,
        ForcedAgendaItem.Status.PLACED,
        ForcedAgendaItem.Status.POSTPONED,
    ):
        raise _refusal(item)


@transaction.atomic
def change_forced_item(
    *, actor: User, item: ForcedAgendaItem, change: str, now: datetime
) -> ForcedAgendaItem:
    """A chair (or anyone) trying to move a forced item without a vote of the body: always refused."""
    item = ForcedAgendaItem.objects.select_for_update(of=("self",)).select_related("council").get(pk=item.pk)
    if change not in ItemChangeProposal.Change.values:
        raise InvalidInputError(f"Choose one of {', '.join(ItemChangeProposal.Change.values)}.")
    check_item_change(item=item)
    raise ConflictError("This item is no longer on an agenda.")


@transaction.atomic
def propose_item_change(
    *, actor: User, item: ForcedAgendaItem, change: str, now: datetime, merge_into: Any = None
) -> ItemChangeProposal:
    """Put a change to a forced item to the council as a motion; only its adoption applies the change.

    A merge names `merge_into`, the UUID of another item on the agenda the forced item is on.
    """
    from councils.motions import actions as motion_actions

    item = (
        ForcedAgendaItem.objects.select_for_update(of=("self",))
        .select_related("council", "petition", "report")
        .get(pk=item.pk)
    )
    permissions.require(actor, "propose_change", item.council)
    if change not in ItemChangeProposal.Change.values:
        raise InvalidInputError(f"Choose one of {', '.join(ItemChangeProposal.Change.values)}.")
    if item.status not in (
        ForcedAgendaItem.Status.PENDING,
        ForcedAgendaItem.Status.PLACED,
        ForcedAgendaItem.Status.POSTPONED,
    ):
        raise ConflictError("This item is no longer on an agenda.")
    into = None
    if change == ItemChangeProposal.Change.MERGE:
        if item.status != ForcedAgendaItem.Status.PLACED:
            raise ConflictError("Only an item on a meeting's agenda can be merged with another item.")
        into = next((o for o in queries.list_merge_targets(item) if str(o.uuid) == str(merge_into)), None)
        if into is None:
            raise InvalidInputError("Name the item on the same agenda to merge it with.")
    elif merge_into is not None:
        raise InvalidInputError("Only a merge names another item.")
    proposal = ItemChangeProposal.objects.create(
        item=item,
        change=change,
        proposed_by=actor,
        proposed_at=now,
        merge_into_uuid=into.uuid if into is not None else None,
    )
    if item.petition is not None:
        source = f"petition {item.petition.uuid}"
    else:
        assert item.report is not None
        source = f"the rules (report back {item.report.uuid})"
    motion = motion_actions.table_motion(
        actor=actor,
        council=item.council,
        title=f"{ItemChangeProposal.Change(change).label} the forced item “{item.title}”"[:200],
        text=(
            f"That the item “{item.title}”, forced onto the agenda by {source}, is "
            f"{CHANGE_WORDS[change]} the agenda"
            + (f": “{into.title}” (item {into.uuid})." if into is not None else ".")
        ),
        now=now,
        subject_uuid=proposal.uuid,
    )
    proposal.motion_uuid = motion.uuid
    proposal.save(update_fields=["motion_uuid"])
    append_entry(
        event="agenda.item_change_proposed",
        actor=actor,
        council=item.council,
        payload={
            "item": str(item.uuid),
            "change": change,
            "motion": str(motion.uuid),
            "merge_into": str(into.uuid) if into is not None else None,
        },
        now=now,
    )
    return proposal


def on_ordinary_decided(*, motion: Motion, result: VoteResult, now: datetime) -> None:
    """Apply an adopted council backing or agenda change; runs inside close_vote's transaction."""
    if motion.subject_uuid is None:
        return
    support = (
        CouncilSupport.objects.select_for_update(of=("self",))
        .filter(uuid=motion.subject_uuid, motion_uuid=motion.uuid, status=CouncilSupport.Status.PENDING)
        .first()
    )
    if support is not None:
        _decide_support(support=support, adopted=result.adopted, now=now)
    proposal = (
        ItemChangeProposal.objects.select_related("item", "item__council")
        .filter(uuid=motion.subject_uuid, motion_uuid=motion.uuid)
        .first()
    )
    if proposal is not None and result.adopted:
        from councils.meetings.actions import apply_forced_item_change

        item = ForcedAgendaItem.objects.select_for_update(of=("self",)).get(pk=proposal.item_id)
        item.status = {
            "remove": ForcedAgendaItem.Status.REMOVED,
            "postpone": ForcedAgendaItem.Status.POSTPONED,
            "merge": ForcedAgendaItem.Status.MERGED,
        }[proposal.change]
        item.changed_at = now
        item.changed_by_motion_uuid = motion.uuid
        if proposal.change == "postpone":
            item.meeting_uuid = None
        item.save(update_fields=["status", "changed_at", "changed_by_motion_uuid", "meeting_uuid"])
        append_entry(
            event="agenda.item_changed",
            actor=None,
            council=item.council,
            payload={"item": str(item.uuid), "change": proposal.change, "motion": str(motion.uuid)},
            now=now,
        )
        apply_forced_item_change(
            forced_item_uuid=item.uuid,
            change=proposal.change,
            motion_uuid=motion.uuid,
            merge_into_uuid=proposal.merge_into_uuid,
            now=now,
        )
        publish_on_commit(_channel(item.council), {"type": "agenda.changed"})


def _decide_support(*, support: CouncilSupport, adopted: bool, now: datetime) -> None:
    support.status = CouncilSupport.Status.ADOPTED if adopted else CouncilSupport.Status.REJECTED
    support.decided_at = now
    support.save(update_fields=["status", "decided_at"])
    if not adopted:
        return
    petition = (
        AgendaPetition.objects.select_for_update(of=("self",))
        .select_related("council")
        .get(pk=support.petition_id)
    )
    backing = petition.council_supports.filter(status=CouncilSupport.Status.ADOPTED).count()
    append_entry(
        event="agenda.petition_backed",
        actor=None,
        council=petition.council,
        payload={"petition": str(petition.uuid), "support": str(support.uuid), "councils": backing},
        now=now,
    )
    if (
        petition.status == AgendaPetition.Status.OPEN
        and petition.councils_threshold is not None
        and backing >= petition.councils_threshold
    ):
        _force(petition=petition, reason="councils", now=now)


def place_forced_items(
    *, council: Council, meeting_uuid: Any, now: datetime, only: Q | None = None
) -> list[ForcedAgendaItem]:
    """Put every forced item still due on the agenda of `council`'s meeting `meeting_uuid`.

    With `only`, just the items it selects: they were forced when the meeting
    was already set, and items postponed from it must not come back. Runs
    inside the transaction of the meetings action that builds the agenda.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("place_forced_items runs inside the action that builds the agenda")
    due_items = (
        ForcedAgendaItem.objects.select_for_update(of=("self",))
        .select_related("report")
        .filter(
            council=council, status__in=[ForcedAgendaItem.Status.PENDING, ForcedAgendaItem.Status.POSTPONED]
        )
        .order_by("forced_at", "id")
    )
    if only is not None:
        due_items = due_items.filter(only)
    due = list(due_items)
    for item in due:
        item.status = ForcedAgendaItem.Status.PLACED
        item.meeting_uuid = meeting_uuid
        item.save(update_fields=["status", "meeting_uuid"])
        append_entry(
            event="agenda.item_placed",
            actor=None,
            council=council,
            payload={"item": str(item.uuid), "meeting": str(meeting_uuid)},
            now=now,
        )
    return due


def carry_over_forced_items(*, meeting_uuid: Any, untaken: set[Any], now: datetime) -> list[ForcedAgendaItem]:
    """Forced items a meeting closed without taking wait again for the council's next meeting.

    Closing the meeting is not a way to keep them off the agenda: only an adopted motion of the
    council removes one. Runs in the closing action, before `finish_forced_items`.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("carry_over_forced_items runs inside the action that closed the meeting")
    items = list(
        ForcedAgendaItem.objects.select_for_update(of=("self",))
        .select_related("council")
        .filter(meeting_uuid=meeting_uuid, status=ForcedAgendaItem.Status.PLACED, uuid__in=untaken)
        .order_by("forced_at", "id")
    )
    for item in items:
        item.status, item.meeting_uuid, item.changed_at = ForcedAgendaItem.Status.PENDING, None, now
        item.save(update_fields=["status", "meeting_uuid", "changed_at"])
        append_entry(
            event="agenda.item_carried_over",
            actor=None,
            council=item.council,
            payload={"item": str(item.uuid), "meeting": str(meeting_uuid)},
            now=now,
        )
    return items


def finish_forced_items(*, meeting_uuid: Any, now: datetime) -> int:
    """Mark the forced items of a meeting that has closed as dealt with; runs in the closing action."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("finish_forced_items runs inside the action that closed the meeting")
    return ForcedAgendaItem.objects.filter(
        meeting_uuid=meeting_uuid, status=ForcedAgendaItem.Status.PLACED
    ).update(status=ForcedAgendaItem.Status.DEALT_WITH, changed_at=now)
