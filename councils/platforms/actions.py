"""Writes to platforms. Joining and leaving are never recorded in the public record:
the record is append-only and public within the federation, so an entry would expose
a member's faction for ever (see docs/accountability-membership.md)."""

from __future__ import annotations

import hashlib
import uuid as uuid_lib
from datetime import datetime

from django.db import IntegrityError, transaction

from councils.accounts.models import User
from councils.constitution import queries as constitution_queries
from councils.core.errors import ConflictError, InvalidInputError
from councils.elections import actions as election_actions
from councils.elections import queries as election_queries
from councils.elections.models import Candidacy, Election
from councils.federation.models import Council, Federation, Membership
from councils.live.publish import publish_on_commit
from councils.mandates import actions as mandate_actions
from councils.mandates.models import Notification
from councils.platforms import permissions
from councils.platforms.models import Platform, PlatformDocument, PlatformMember, Slate
from councils.record.actions import append_entry

TEXT_MAX = 50_000
SLATE_MAX = 200


def _top(federation_id: int) -> Council | None:
    return (
        Council.objects.filter(federation_id=federation_id, parent__isnull=True)
        .order_by("created_at", "id")
        .first()
    )


def _clean(value: str, what: str, limit: int) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        raise InvalidInputError(f"Give the {what}.")
    if len(value) > limit:
        raise InvalidInputError(f"The {what} may have at most {limit} characters.")
    return value


@transaction.atomic
def found_platform(
    *, actor: User, federation: Federation, name: str, statement: str, now: datetime
) -> Platform:
    """Form a platform with its statement; the founder is its first member (not recorded)."""
    permissions.require(actor, "found", federation)
    name = _clean(name, "platform's name", 200)
    statement = _clean(statement, "platform's statement", TEXT_MAX)
    if Platform.objects.filter(federation=federation, name__iexact=name).exists():
        raise ConflictError(f"There is already a platform called {name!r}.")
    platform = Platform.objects.create(federation=federation, name=name, statement=statement, created_at=now)
    PlatformMember.objects.create(platform=platform, user=actor, joined_at=now)
    # actor=None: the founder's name would say who belongs to the platform.
    append_entry(
        event="platform.founded",
        actor=None,
        council=_top(federation.id),
        payload={
            "platform": str(platform.uuid),
            "federation": str(federation.uuid),
            "name": name,
            "statement_sha256": hashlib.sha256(statement.encode()).hexdigest(),
            "constitution": constitution_queries.constitution_for(federation=federation.id).version,
        },
        now=now,
    )
    publish_on_commit(f"federation-{federation.uuid}", {"type": "platforms.changed"})
    return platform


@transaction.atomic
def join_platform(*, actor: User, platform: Platform, now: datetime) -> PlatformMember:
    """Join a platform. Deliberately no record entry and no live event: who joined stays private."""
    platform = Platform.objects.select_for_update().get(id=platform.id)
    permissions.require(actor, "join", platform)
    # The constraint refuses a second current membership, not a query first; no savepoint: the
    # ConflictError leaves the action's atomic block.
    try:
        return PlatformMember.objects.create(platform=platform, user=actor, joined_at=now)
    except IntegrityError:
        raise ConflictError("You are already a member of this platform.") from None


@transaction.atomic
def leave_platform(*, actor: User, platform: Platform, now: datetime) -> None:
    """Leave a platform; like joining, it leaves no trace in the record."""
    permissions.require(actor, "leave", platform)
    member = PlatformMember.objects.select_for_update().get(
        platform=platform, user=actor, left_at__isnull=True
    )
    member.left_at = now
    member.save(update_fields=["left_at"])


@transaction.atomic
def publish_document(
    *,
    actor: User,
    platform: Platform,
    title: str,
    body: str,
    councils: list[Council],
    now: datetime,
) -> PlatformDocument:
    """Publish a document through the platform to the members of the councils concerned, and alert them.

    The alert and its e-mail name the platform and the title, never who wrote it; every
    member of those councils gets it, the platform's own members included, so neither
    who is alerted nor who is not tells anyone who belongs to the platform.
    """
    permissions.require(actor, "publish", platform)
    title = _clean(title, "document's title", 200)
    body = _clean(body, "document's text", TEXT_MAX)
    if not councils:
        raise InvalidInputError("Name at least one council whose members the document is for.")
    if any(c.federation_id != platform.federation_id for c in councils):
        raise InvalidInputError("A platform publishes only to councils of its own federation.")
    document = PlatformDocument.objects.create(platform=platform, title=title, body=body, published_at=now)
    document.councils.set(councils)
    append_entry(
        event="platform.document_published",
        actor=None,
        council=_top(platform.federation_id),
        payload={
            "platform": str(platform.uuid),
            "document": str(document.uuid),
            "councils": sorted(str(c.uuid) for c in councils),
            "title": title,
            "body_sha256": hashlib.sha256(body.encode()).hexdigest(),
            "constitution": constitution_queries.constitution_for(federation=platform.federation_id).version,
        },
        now=now,
    )
    # Followers of the platform's page refetch its documents, each seeing only those addressed to them.
    publish_on_commit(f"platform-{platform.uuid}", {"type": "documents.changed"})
    names = ", ".join(c.name for c in councils)
    mandate_actions.notify_members(
        councils=councils,
        kind=Notification.Kind.PLATFORM_DOCUMENT,
        subject_uuid=document.uuid,
        subject=f"{platform.name}: {title}",
        message=(
            f"The platform {platform.name} published “{title}” to the members of {names}. "
            "Read it on the platform's page."
        ),
        now=now,
    )
    return document


def _slate_election(actor: User, platform: Platform, election_uuid: uuid_lib.UUID | str) -> Election:
    """The election a slate is run in, locked until the slate is published; refused if it cannot have one."""
    found = election_queries.access_election(viewer=actor, election_uuid=election_uuid)
    if found.council.federation_id != platform.federation_id:
        raise InvalidInputError("A platform runs slates only in the elections of its own federation.")
    election = Election.objects.select_for_update(of=("self",)).select_related("council").get(pk=found.pk)
    if election.status not in (Election.Status.NOMINATING, Election.Status.VOTING):
        raise ConflictError(
            f"{election_actions.stage_sentence(election)} "
            "A slate is run only while the election takes nominations or ballots.",
            code="election_state",
        )
    return election


@transaction.atomic
def run_slate(
    *,
    actor: User,
    platform: Platform,
    election_uuid: uuid_lib.UUID | str,
    title: str,
    candidates: list[str],
    now: datetime,
) -> Slate:
    """Publish the platform's slate of candidates for an election, in order.

    The election must be one of the platform's federation the actor can see, still taking
    nominations or ballots, and everyone on the slate must be nominated in it and not withdrawn.
    """
    permissions.require(actor, "run_slate", platform)
    title = _clean(title, "slate's title", 200)
    election = _slate_election(actor, platform, election_uuid)
    try:
        ordered = [str(uuid_lib.UUID(str(c))) for c in candidates]
    except ValueError:
        raise InvalidInputError("Candidates are named by their UUIDs.") from None
    if not ordered:
        raise InvalidInputError("A slate names at least one candidate.")
    if len(ordered) > SLATE_MAX:
        raise InvalidInputError(f"A slate names at most {SLATE_MAX} candidates.")
    if len(set(ordered)) != len(ordered):
        raise InvalidInputError("A candidate appears twice on the slate.")
    eligible = set(
        str(u)
        for u in Membership.objects.filter(
            user__uuid__in=ordered,
            ended_at__isnull=True,
            status=Membership.Status.FULL,
            council__federation_id=platform.federation_id,
        ).values_list("user__uuid", flat=True)
    )
    missing = [c for c in ordered if c not in eligible]
    if missing:
        raise InvalidInputError(
            f"Only full members of the federation can stand; not eligible: {', '.join(missing)}."
        )
    standing = set(
        str(u)
        for u in Candidacy.objects.filter(
            election=election, withdrawn_at__isnull=True, candidate__uuid__in=ordered
        ).values_list("candidate__uuid", flat=True)
    )
    missing = [c for c in ordered if c not in standing]
    if missing:
        raise InvalidInputError(
            f"A slate names only those nominated in {election.title} and not withdrawn; "
            f"not standing: {', '.join(missing)}."
        )
    slate = Slate.objects.create(
        platform=platform, election_uuid=election.uuid, title=title, candidates=ordered, published_at=now
    )
    append_entry(
        event="platform.slate_published",
        actor=None,
        council=_top(platform.federation_id),
        payload={
            "platform": str(platform.uuid),
            "slate": str(slate.uuid),
            "election": str(election.uuid),
            "candidates": ordered,
            "constitution": constitution_queries.constitution_for(federation=platform.federation_id).version,
        },
        now=now,
    )
    publish_on_commit(f"platform-{platform.uuid}", {"type": "slates.changed"})
    # The election's page shows its slates beside the candidates.
    publish_on_commit(f"election-{election.uuid}", {"type": "slates.changed"})
    return slate
