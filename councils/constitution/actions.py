"""Writes to the constitution: the founding version, amendment proposals, and the vote's outcome."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction

from councils.accounts.models import User
from councils.constitution import permissions, queries
from councils.constitution.models import Amendment, ConstitutionVersion
from councils.constitution.plain import LABELS, THRESHOLD_WORDS
from councils.constitution.rules import document_changes
from councils.core.errors import ConflictError, InvalidInputError
from councils.core.rules.constitution import DEFAULTS_VERSION, Constitution, content_hash
from councils.core.rules.votes import threshold_satisfies
from councils.federation.models import Council, Federation
from councils.live.publish import publish_on_commit
from councils.record.actions import append_entry

if TYPE_CHECKING:
    from councils.core.rules.votes import VoteResult
    from councils.motions.models import Motion, Vote


def _top_or_none(federation: Federation) -> Council | None:
    return (
        Council.objects.filter(federation=federation, parent__isnull=True)
        .order_by("created_at", "id")
        .first()
    )


@transaction.atomic
def adopt_initial_constitution(
    *, actor: User | None, federation: Federation, now: datetime, document: dict[str, Any] | None = None
) -> ConstitutionVersion:
    """Adopt version 1 when a federation is founded: the defaults, or the founders' numbers."""
    Federation.objects.select_for_update().get(id=federation.id)
    if ConstitutionVersion.objects.filter(federation=federation).exists():
        raise ConflictError("This federation already has a constitution; change it by amendment.")
    given = dict(document or {})
    # A document built from the shipped defaults carries their number, 0; adopting it makes it version 1.
    if given.get("version", 1) not in (DEFAULTS_VERSION, 1):
        raise InvalidInputError("A founding constitution is version 1.")
    given["version"] = 1
    constitution = Constitution.from_document(given)
    text = constitution.to_document()
    version = ConstitutionVersion.objects.create(
        federation=federation,
        version=1,
        document=text,
        content_hash=content_hash(text),
        adopted_at=now,
    )
    append_entry(
        event="constitution.adopted",
        actor=actor,
        council=_top_or_none(federation),
        payload={
            "federation": str(federation.uuid),
            "constitution": 1,
            "hash": version.content_hash,
            "document": text,
        },
        now=now,
    )
    publish_on_commit(f"federation-{federation.uuid}", {"type": "constitution.changed"})
    return version


def _constitution_changed(amendment: Amendment, event: str) -> None:
    """Tell the constitution page, on commit, that a version or an amendment changed."""
    publish_on_commit(f"federation-{amendment.federation.uuid}", {"type": event})


def _describe(changes: list[tuple[str, Any, Any]]) -> str:
    return "\n".join(f"- {LABELS.get(name, name)}: {before} → {after}" for name, before, after in changes)


@transaction.atomic
def propose_constitution_amendment(
    *, actor: User | None, federation: Federation, changes: dict[str, Any], explanation: str, now: datetime
) -> Amendment:
    """Table a motion of kind "constitution" in the top council whose subject is the proposed new text."""
    from councils.motions import actions as motion_actions

    council = queries.top_council(federation=federation)
    if actor is not None:
        permissions.require(actor, "propose", council)
    current = queries.constitution_for(federation=federation)
    if "version" in changes:
        raise InvalidInputError("The version number is set by the adoption, not by the proposal.")
    proposed_doc = {**current.to_document(), **changes, "version": current.version + 1}
    proposed = Constitution.from_document(proposed_doc).to_document()
    diff = document_changes(current.to_document(), proposed)
    if not diff:
        raise InvalidInputError("The proposal changes nothing in the constitution in force.")
    amendment = Amendment.objects.create(
        federation=federation,
        council=council,
        base_version=current.version,
        document=proposed,
        content_hash=content_hash(proposed),
        explanation=explanation.strip(),
        proposed_by=actor,
        proposed_at=now,
    )
    title = f"Amend the constitution (version {current.version} → {current.version + 1})"
    text = (explanation.strip() + "\n\n" if explanation.strip() else "") + _describe(diff)
    motion = motion_actions.table_motion(
        actor=actor,
        council=council,
        title=title[:200],
        text=text,
        now=now,
        kind="constitution",
        subject_uuid=amendment.uuid,
    )
    amendment.motion_uuid = motion.uuid
    amendment.save(update_fields=["motion_uuid"])
    append_entry(
        event="constitution.amendment_proposed",
        actor=actor,
        council=council,
        payload={
            "amendment": str(amendment.uuid),
            "motion": str(motion.uuid),
            "constitution": current.version,
            "base_hash": queries.hash_in_force(federation=federation),
            "proposed_hash": amendment.content_hash,
            "changes": {name: [_json(before), _json(after)] for name, before, after in diff},
            "threshold": current.amendment_threshold,
        },
        now=now,
    )
    publish_on_commit(f"council-{council.uuid}", {"type": "motions.changed"})
    _constitution_changed(amendment, "amendments.changed")
    return amendment


def _json(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, bool)) else str(value)


@transaction.atomic
def open_amendment_vote(
    *,
    actor: User | None,
    amendment: Amendment,
    now: datetime,
    method: str | None = None,
    closes_at: datetime | None = None,
) -> Vote:
    """Open the top council's vote at the qualified majority the constitution in force requires."""
    from councils.motions import actions as motion_actions
    from councils.motions.models import Motion

    amendment = (
        Amendment.objects.select_for_update(of=("self",)).select_related("council").get(id=amendment.id)
    )
    if actor is not None:
        permissions.require(actor, "open_vote", amendment)
    if amendment.status != Amendment.Status.PROPOSED:
        raise ConflictError("This amendment has already been decided.")
    current = queries.constitution_for(federation=amendment.federation_id)
    assert amendment.motion_uuid is not None
    motion = Motion.objects.get(uuid=amendment.motion_uuid)
    vote = motion_actions.open_vote(
        actor=actor,
        motion=motion,
        now=now,
        method=method,
        threshold=current.amendment_threshold,
        closes_at=closes_at,
    )
    _constitution_changed(amendment, "amendments.changed")
    return vote


def refusal_reason(*, motion: Motion, amendment: Amendment | None, result: VoteResult) -> str | None:
    """Why an adopted constitution motion still may not change the constitution, or None when it may."""
    if amendment is None:
        return "The motion names no proposed text of the constitution."
    if amendment.status != Amendment.Status.PROPOSED:
        return "This proposed text has already been decided by another vote."
    if motion.council.parent_id is not None:
        return "Only the top council may change the constitution; this vote was held in a council below it."
    current = queries.constitution_for(federation=amendment.federation_id)
    if not threshold_satisfies(held=result.threshold, required=current.amendment_threshold):
        return (
            f"The constitution requires {THRESHOLD_WORDS[current.amendment_threshold]} to change it; "
            f"this vote was held at {THRESHOLD_WORDS.get(result.threshold, result.threshold)}."
        )
    if amendment.base_version != current.version:
        return (
            f"The proposal amended version {amendment.base_version}, but version {current.version} is now in "
            "force; propose the change again against it."
        )
    return None


def apply_amendment_outcome(*, motion: Motion, result: VoteResult, now: datetime) -> None:
    """Outcome handler for motions of kind "constitution"; runs inside close_vote's transaction."""
    amendment = (
        Amendment.objects.select_for_update().filter(uuid=motion.subject_uuid).first()
        if motion.subject_uuid
        else None
    )
    council = motion.council
    if not result.adopted:
        if amendment is None or amendment.status != Amendment.Status.PROPOSED:
            return
        amendment.status = Amendment.Status.REJECTED
        amendment.decided_at = now
        amendment.save(update_fields=["status", "decided_at"])
        append_entry(
            event="constitution.amendment_rejected",
            actor=None,
            council=council,
            payload={
                "amendment": str(amendment.uuid),
                "motion": str(motion.uuid),
                "constitution": amendment.base_version,
                "result": result.as_payload(),
            },
            now=now,
        )
        _constitution_changed(amendment, "amendments.changed")
        return
    reason = refusal_reason(motion=motion, amendment=amendment, result=result)
    if reason is not None:
        payload: dict[str, Any] = {
            "motion": str(motion.uuid),
            "reason": reason,
            "result": result.as_payload(),
            "constitution": queries.constitution_for(federation=council.federation_id).version,
        }
        if amendment is not None:
            payload["amendment"] = str(amendment.uuid)
            if amendment.status == Amendment.Status.PROPOSED:
                amendment.status = Amendment.Status.REFUSED
                amendment.decided_at = now
                amendment.refusal = reason
                amendment.save(update_fields=["status", "decided_at", "refusal"])
        append_entry(
            event="constitution.amendment_refused", actor=None, council=council, payload=payload, now=now
        )
        if amendment is not None:
            _constitution_changed(amendment, "amendments.changed")
        return
    assert amendment is not None
    old = queries.constitution_for(federation=amendment.federation_id)
    old_hash = queries.hash_in_force(federation=amendment.federation_id)
    new = ConstitutionVersion.objects.create(
        federation_id=amendment.federation_id,
        version=old.version + 1,
        document=amendment.document,
        content_hash=content_hash(amendment.document),
        adopted_at=now,
        adopted_by_motion=motion.uuid,
    )
    amendment.status = Amendment.Status.ADOPTED
    amendment.decided_at = now
    amendment.save(update_fields=["status", "decided_at"])
    append_entry(
        event="constitution.amended",
        actor=None,
        council=council,
        payload={
            "amendment": str(amendment.uuid),
            "motion": str(motion.uuid),
            "constitution": new.version,
            "previous": old.version,
            "old_hash": old_hash,
            "new_hash": new.content_hash,
            "result": result.as_payload(),
        },
        now=now,
    )
    _constitution_changed(amendment, "constitution.changed")
