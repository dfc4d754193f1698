"""Writes of admission and due process. Membership status changes happen only here.

Membership rows belong to the federation app; these actions change only their
`status`, `full_since` and `ended_at`, and a member's rights are suspended or
taken away only by the outcome of a vote of their own base council.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q

from councils.accounts.models import User
from councils.constitution import queries as constitution_queries
from councils.core.errors import ConflictError, InvalidInputError
from councils.core.ledger.encoding import format_time
from councils.core.rules.constitution import Constitution, duration
from councils.core.rules.votes import threshold_satisfies
from councils.core.wording import counted
from councils.elections import actions as election_actions
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Membership, Office, Seat
from councils.live.publish import publish_on_commit
from councils.mandates import actions as mandate_actions
from councils.membership import permissions, queries
from councils.membership import rules as membership_rules
from councils.membership.errors import AdmissionRefusedError, DueProcessError
from councils.membership.models import (
    OPEN_STATUSES,
    Appeal,
    Application,
    Defence,
    DisciplineCase,
    Formation,
    FormationSignature,
    Sponsorship,
)
from councils.record.actions import append_entry, commit_personal

if TYPE_CHECKING:
    from councils.core.rules.votes import VoteResult
    from councils.motions.models import Motion, Vote

TEXT_MAX = 20_000
EVIDENCE_MAX = 50


def _rules(council: Council) -> Constitution:
    return constitution_queries.constitution_for(federation=council.federation_id)


def _members_changed(council: Council) -> None:
    publish_on_commit(f"council-{council.uuid}", {"type": "members.changed"})


def _clean_text(text: str, what: str, *, required: bool = True) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise InvalidInputError(f"Write the {what}.")
    if len(text) > TEXT_MAX:
        raise InvalidInputError(f"The {what} may have at most {TEXT_MAX} characters.")
    return text


# Admission ------------------------------------------------------------------


@transaction.atomic
def apply_for_membership(*, actor: User, council: Council, now: datetime, statement: str = "") -> Application:
    """Apply to join a base council; an invited candidate applies to the council that invited them."""
    statement = _clean_text(statement, "statement", required=False)
    # The council row lock serialises applications, so the surge count cannot be raced.
    council = Council.objects.select_for_update(of=("self",)).select_related("parent").get(id=council.id)
    if not council.is_base:
        raise InvalidInputError("Members join a base council; higher councils are made of delegates.")
    current = Membership.objects.filter(user=actor, ended_at__isnull=True).select_related("council").first()
    if current is not None and not (
        current.status == Membership.Status.CANDIDATE and current.council_id == council.id
    ):
        raise ConflictError(f"You are already a member of {current.council.name}.")
    rules = _rules(council)
    surge = _Surge.count(council=council, rules=rules, now=now)
    # The constraint of one open application per person refuses a second, not a query first, and so
    # refuses one of two sent to two councils at once, whose locks do not meet. No savepoint: the
    # ConflictError leaves the action's atomic block.
    try:
        application = Application.objects.create(
            council=council,
            applicant=actor,
            statement=statement,
            applied_at=now,
            constitution_version=rules.version,
            membership=current,
            is_flagged=surge.flagged,
        )
    except IntegrityError:
        raise ConflictError("You already have an application in progress.") from None
    append_entry(
        event="membership.applied",
        actor=actor,
        council=council,
        payload={
            "application": str(application.uuid),
            "applicant": str(actor.uuid),
            "invited": current is not None,
            "flagged": surge.flagged,
            "constitution": rules.version,
        },
        now=now,
    )
    surge.record(application=application, rules=rules, now=now)
    _members_changed(council)
    return application


@dataclass(frozen=True)
class _Surge:
    """How many applications to a council, this one included, fall in the surge window, against its size."""

    council: Council
    recent: int
    size: int
    flagged: bool

    @classmethod
    def count(cls, *, council: Council, rules: Constitution, now: datetime) -> _Surge:
        """Count under the council row's lock: every application and transfer not withdrawn counts."""
        window_start = now - duration(rules.admission_surge_days, "days")
        recent = (
            Application.objects.filter(council=council, applied_at__gt=window_start)
            .exclude(status=Application.Status.WITHDRAWN)
            .count()
            + 1
        )
        size = federation_queries.count_voters(council=council)
        flagged = membership_rules.is_surge(
            recent_applications=recent, council_size=size, share=rules.admission_surge_share
        )
        return cls(council=council, recent=recent, size=size, flagged=flagged)

    def record(self, *, application: Application, rules: Constitution, now: datetime) -> None:
        if not self.flagged:
            return
        append_entry(
            event="membership.admission_flagged",
            actor=None,
            council=self.council,
            payload={
                "application": str(application.uuid),
                "applications_in_window": self.recent,
                "allowance": membership_rules.surge_allowance(
                    council_size=self.size, share=rules.admission_surge_share
                ),
                "council_size": self.size,
                "window_days": rules.admission_surge_days,
                "share": str(rules.admission_surge_share),
                # The council above approves; with none above, this council's longer-standing members do.
                "approval_by": str((self.council.parent or self.council).uuid),
                "constitution": rules.version,
            },
            now=now,
        )


@transaction.atomic
def request_transfer(*, actor: User, council: Council, now: datetime, statement: str = "") -> Application:
    """A full member asks to move to another base council of their federation (they changed workplace).

    The receiving council decides by its admission vote, and the transfer counts towards its surge
    limit like any application; there are no sponsors and no candidate period, because the person
    is already a full member of the federation. Until admitted they stay a member of their council.
    """
    statement = _clean_text(statement, "statement", required=False)
    # The same lock as an application: transfers and applications are counted against one surge limit.
    council = Council.objects.select_for_update(of=("self",)).select_related("parent").get(id=council.id)
    if not council.is_base:
        raise InvalidInputError("Members belong to a base council; higher councils are made of delegates.")
    current = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("council")
        .filter(user=actor, ended_at__isnull=True)
        .first()
    )
    if current is None:
        raise ConflictError("You are not a member of any council; apply to join one instead.")
    if current.council_id == council.id:
        raise ConflictError(f"You are already a member of {council.name}.")
    if current.council.federation_id != council.federation_id:
        raise InvalidInputError("A member can transfer only to a base council of their own federation.")
    refusal = _transfer_refusal(current)
    if refusal is not None:
        raise ConflictError(refusal)
    rules = _rules(council)
    surge = _Surge.count(council=council, rules=rules, now=now)
    # As in apply_for_membership, the constraint refuses a second open application.
    try:
        application = Application.objects.create(
            council=council,
            applicant=actor,
            statement=statement,
            status=Application.Status.AWAITING_VOTE,
            applied_at=now,
            constitution_version=rules.version,
            transfer_from=current,
            is_flagged=surge.flagged,
        )
    except IntegrityError:
        raise ConflictError("You already have an application or a transfer in progress.") from None
    append_entry(
        event="membership.transfer_requested",
        actor=actor,
        council=council,
        payload={
            "application": str(application.uuid),
            "applicant": str(actor.uuid),
            "from_membership": str(current.uuid),
            "from_council": str(current.council.uuid),
            "flagged": surge.flagged,
            "constitution": rules.version,
        },
        now=now,
    )
    surge.record(application=application, rules=rules, now=now)
    _members_changed(council)
    return application


def _transfer_refusal(membership: Membership) -> str | None:
    """Why `membership` cannot be transferred now, or None: only a full member not facing charges moves."""
    if membership.ended_at is not None or membership.status != Membership.Status.FULL:
        return (
            f"Only a full member can transfer; the membership of {membership.council.name} is "
            f"{membership.get_status_display().lower()}."
        )
    if DisciplineCase.objects.filter(membership=membership, status__in=_OPEN_CASE).exists():
        return (
            f"Charges against the member are open in {membership.council.name}; that council decides them "
            "before the member can transfer."
        )
    return None


def _lock_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("council", "council__parent", "applicant", "membership", "transfer_from__council")
        .get(id=application.id)
    )


@transaction.atomic
def sponsor_application(*, actor: User, application: Application, now: datetime) -> Application:
    """Sponsor an applicant in person; with the last required sponsor the candidate period starts."""
    application = _lock_application(application)
    council = application.council
    permissions.require(actor, "sponsor", application)
    if application.status != Application.Status.SPONSORING:
        raise ConflictError("This application is not waiting for sponsors.")
    if application.applicant_id == actor.id:
        raise ConflictError("You cannot sponsor your own application.")
    rules = _rules(council)
    sponsor_membership = Membership.objects.get(
        user=actor, council=council, ended_at__isnull=True, status=Membership.Status.FULL
    )
    membership_rules.check_sponsor_standing(
        full_since=sponsor_membership.full_since, now=now, min_months=rules.sponsor_min_months
    )
    # The constraint refuses a second sponsorship, not a query first; no savepoint: the
    # ConflictError leaves the action's atomic block.
    try:
        Sponsorship.objects.create(application=application, sponsor=actor, sponsored_at=now)
    except IntegrityError:
        raise ConflictError("You have already sponsored this application.") from None
    count = Sponsorship.objects.filter(application=application).count()
    append_entry(
        event="membership.sponsored",
        actor=actor,
        council=council,
        payload={
            "application": str(application.uuid),
            "sponsor": str(actor.uuid),
            "sponsors": count,
            "required": rules.sponsors_required,
            "constitution": rules.version,
        },
        now=now,
    )
    if count >= rules.sponsors_required:
        _start_candidacy(application=application, rules=rules, now=now)
    _members_changed(council)
    return application


def _start_candidacy(*, application: Application, rules: Constitution, now: datetime) -> None:
    membership = application.membership
    if membership is None:
        # The constraint of one current membership per person refuses it, not a query first, and so
        # also when the applicant joins another council at once (whose action does not lock this
        # application). No savepoint: the ConflictError leaves the action's atomic block.
        try:
            membership = Membership.objects.create(
                user=application.applicant,
                council=application.council,
                status=Membership.Status.CANDIDATE,
                joined_at=now,
            )
        except IntegrityError:
            raise ConflictError("The applicant has joined another council meanwhile.") from None
    application.membership = membership
    application.status = Application.Status.CANDIDATE
    application.candidate_since = now
    application.candidate_until = now + duration(rules.candidate_period_days, "days")
    application.save(update_fields=["membership", "status", "candidate_since", "candidate_until"])
    append_entry(
        event="member.candidate_started",
        actor=None,
        council=application.council,
        payload={
            "application": str(application.uuid),
            "membership": str(membership.uuid),
            "member": str(application.applicant.uuid),
            "candidate_until": application.candidate_until.isoformat(),
            "constitution": rules.version,
        },
        now=now,
    )


@transaction.atomic
def withdraw_application(*, actor: User, application: Application, now: datetime) -> Application:
    """The applicant withdraws; a candidate membership ends with it, a transferring member stays put."""
    application = _lock_application(application)
    permissions.require(actor, "withdraw", application)
    if application.status not in WITHDRAWABLE:
        raise ConflictError("Only an application not yet put to the vote can be withdrawn.")
    application.status = Application.Status.WITHDRAWN
    application.decided_at = now
    application.save(update_fields=["status", "decided_at"])
    ended = _end_candidate(application=application, now=now)
    append_entry(
        event="membership.withdrawn",
        actor=actor,
        council=application.council,
        payload={
            "application": str(application.uuid),
            "membership": ended,
            "constitution": _rules(application.council).version,
        },
        now=now,
    )
    _members_changed(application.council)
    return application


WITHDRAWABLE = (
    Application.Status.SPONSORING,
    Application.Status.CANDIDATE,
    Application.Status.AWAITING_VOTE,
)


def _end_candidate(*, application: Application, now: datetime) -> str | None:
    """End the candidate membership an application held; return its UUID for the record, if one ended."""
    membership = application.membership
    if (
        membership is None
        or membership.status != Membership.Status.CANDIDATE
        or membership.ended_at is not None
    ):
        return None
    membership.status = Membership.Status.LEFT
    membership.ended_at = now
    membership.save(update_fields=["status", "ended_at"])
    return str(membership.uuid)


def _hold(
    *,
    actor: User | None,
    council: Council,
    title: str,
    text: str,
    kind: str,
    subject: Any,
    threshold: str,
    method: str | None,
    closes_at: datetime | None,
    now: datetime,
    members_before: datetime | None = None,
    parties: Sequence[User] = (),
) -> tuple[Motion, Vote]:
    """Table a motion the rules require (no seconders needed) and open its vote at once.

    `parties` (to a discipline case) are left out of its electorate.
    """
    from councils.motions import actions as motion_actions

    motion = motion_actions.table_motion(
        actor=None, council=council, title=title, text=text, now=now, kind=kind, subject_uuid=subject
    )
    vote = motion_actions.open_vote(
        actor=actor,
        motion=motion,
        now=now,
        method=method,
        threshold=threshold,
        closes_at=closes_at,
        members_before=members_before,
        parties=parties,
    )
    return motion, vote


@transaction.atomic
def call_admission_vote(
    *,
    actor: User | None,
    application: Application,
    now: datetime,
    method: str | None = None,
    closes_at: datetime | None = None,
) -> Vote:
    """Put a candidate who has served the candidate period, or a transfer, to the vote of the base council.

    The vote stays open at least the days the constitution sets (by default it closes then), so that
    nobody packs the council by calling it and closing it with a few friends present; an officer may
    close it earlier only once every member entitled has voted.
    """
    application = _lock_application(application)
    if actor is not None:
        permissions.require(actor, "call_vote", application)
    council = application.council
    moving = application.transfer_from
    if moving is not None and application.status == Application.Status.AWAITING_VOTE:
        refusal = _transfer_refusal(moving)
        if refusal is not None:
            raise ConflictError(refusal)
        title = f"Transfer of a member of {moving.council.name} to {council.name}"
        text = (
            f"Membership {moving.uuid}, a full member of {moving.council.name}, asks to transfer to "
            f"{council.name}. Admit them as a full member of {council.name}; their membership of "
            f"{moving.council.name} ends with the transfer."
        )
    elif application.status == Application.Status.CANDIDATE:
        assert application.candidate_until is not None and application.membership is not None
        if now < application.candidate_until:
            raise ConflictError(
                f"The candidate period runs until {application.candidate_until:%Y-%m-%d}; "
                "the admission vote comes after it."
            )
        title = f"Admission of a candidate member to {council.name}"
        text = (
            f"Candidate membership {application.membership.uuid} has served its candidate period "
            f"with the sponsors the constitution requires. Admit the candidate as a full member of "
            f"{council.name}."
        )
    else:
        raise ConflictError(
            "Only a candidate member's application, or a transfer, can be put to the admission vote."
        )
    rules = _rules(council)
    motion, vote = _hold(
        actor=actor,
        council=council,
        title=title[:200],
        text=text,
        kind="admission",
        subject=application.uuid,
        threshold=membership_rules.ADMISSION_THRESHOLD,
        method=method,
        closes_at=_admission_closing_time(rules=rules, now=now, closes_at=closes_at, what="admission vote"),
        now=now,
    )
    application.status = Application.Status.VOTING
    application.motion_uuid = motion.uuid
    application.save(update_fields=["status", "motion_uuid"])
    append_entry(
        event="membership.admission_vote_called",
        actor=actor,
        council=application.council,
        payload={
            "application": str(application.uuid),
            "motion": str(motion.uuid),
            "vote": str(vote.uuid),
            "min_days": rules.admission_poll_min_days,
            "constitution": rules.version,
        },
        now=now,
    )
    return vote


def _admission_closing_time(
    *, rules: Constitution, now: datetime, closes_at: datetime | None, what: str
) -> datetime:
    """When an admission vote, or the approval of a flagged admission (`what`), opened at `now` closes."""
    return membership_rules.closing_time(
        now=now,
        closes_at=closes_at,
        minimum=rules.admission_poll_min,
        maximum=rules.admission_poll_max,
        what=what,
    )


@transaction.atomic
def call_approval_vote(
    *,
    actor: User | None,
    application: Application,
    now: datetime,
    method: str | None = None,
    closes_at: datetime | None = None,
) -> Vote:
    """Put a flagged admission to the vote that must approve it besides the council's own.

    The council above approves it. A council with nothing above it (a standalone council,
    or the top body) has its own longer-standing members approve it: only those who were
    full members before the surge window began vote, frozen when the vote opens, so the
    applicants and anyone admitted in the same wave cannot approve themselves. It stays open as
    long as an admission vote.
    """
    application = _lock_application(application)
    if actor is not None:
        permissions.require(actor, "call_approval_vote", application)
    council = application.council
    if not application.is_flagged:
        raise ConflictError(
            "This admission is not flagged; it needs no approval beyond the council's own vote."
        )
    if application.status not in APPROVABLE:
        raise ConflictError(
            "Only a candidate, a transfer, or an applicant in the admission vote can be approved."
        )
    if application.parent_motion_uuid is not None:
        raise ConflictError("The approval vote on this admission has already been called.")
    rules = _rules(council)
    members_before = queries.approval_cutoff(application=application)
    if members_before is None:
        approver = council.parent or council
        title = f"Approve a flagged admission to {council.name}"
        who = "the council above"
    else:
        approver = council
        if not federation_queries.list_voters(council=council, full_before=members_before).exists():
            raise ConflictError(
                f"Nobody was a full member of {council.name} before {members_before:%Y-%m-%d}, "
                "so nobody may approve this flagged admission; it cannot be admitted yet."
            )
        title = f"Approve a flagged admission (members before {members_before:%Y-%m-%d})"
        who = f"the members who were full members before {members_before:%Y-%m-%d}"
    motion, vote = _hold(
        actor=actor,
        council=approver,
        title=title[:200],
        text=(
            f"{council.name} is admitting more members than the constitution lets a council "
            f"admit alone within {counted(rules.admission_surge_days, 'day', 'days')}. Approve the "
            "admission of application "
            f"{application.uuid}. This vote is for {who}."
        ),
        kind="admission",
        subject=application.uuid,
        threshold=membership_rules.ADMISSION_THRESHOLD,
        method=method,
        closes_at=_admission_closing_time(rules=rules, now=now, closes_at=closes_at, what="approval vote"),
        now=now,
        members_before=members_before,
    )
    application.parent_motion_uuid = motion.uuid
    application.save(update_fields=["parent_motion_uuid"])
    append_entry(
        event="membership.approval_vote_called",
        actor=actor,
        council=approver,
        payload={
            "application": str(application.uuid),
            "motion": str(motion.uuid),
            "vote": str(vote.uuid),
            "by": _approval_level(council),
            **({"members_before": format_time(members_before)} if members_before is not None else {}),
            "min_days": rules.admission_poll_min_days,
            "constitution": rules.version,
        },
        now=now,
    )
    return vote


APPROVABLE = (Application.Status.CANDIDATE, Application.Status.AWAITING_VOTE, Application.Status.VOTING)


def _approval_level(council: Council) -> str:
    """Who approves a flagged admission to `council`: the council above, or its own members of standing."""
    return "parent" if council.parent_id is not None else "standing_members"


def _vote_level(application: Application, motion: Motion) -> str | None:
    """Which of the application's votes `motion` is, or None for a vote the procedure never called."""
    council = application.council
    if motion.uuid == application.motion_uuid and motion.council_id == council.id:
        return "council"
    if motion.uuid == application.parent_motion_uuid and motion.council_id == (
        council.parent_id or council.id
    ):
        return _approval_level(council)
    return None


def apply_admission_outcome(*, motion: Motion, result: VoteResult, now: datetime) -> None:
    """Outcome handler for motions of kind "admission"; runs inside close_vote's transaction."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("council", "council__parent", "applicant", "membership", "transfer_from__council")
        .filter(uuid=motion.subject_uuid)
        .first()
        if motion.subject_uuid
        else None
    )
    level = _vote_level(application, motion) if application is not None and application.is_open else None
    if application is None or level is None:
        append_entry(
            event="membership.admission_vote_refused",
            actor=None,
            council=motion.council,
            payload={
                "motion": str(motion.uuid),
                "reason": "An admission vote counts only when called on an open application by the admission "
                "procedure; this one changes no membership.",
                "constitution": _rules(motion.council).version,
            },
            now=now,
        )
        return
    if result.outcome == "no_quorum":
        return
    rules = _rules(application.council)
    council = application.council
    if not result.adopted:
        application.status = Application.Status.REJECTED
        application.decided_at = now
        application.save(update_fields=["status", "decided_at"])
        ended = _end_candidate(application=application, now=now)
        append_entry(
            event="member.not_admitted",
            actor=None,
            council=council,
            payload={
                "application": str(application.uuid),
                "membership": ended,
                "motion": str(motion.uuid),
                "by": level,
                "result": result.as_payload(),
                "constitution": rules.version,
            },
            now=now,
        )
        _members_changed(council)
        return
    if level == "council":
        application.council_approved_at = now
    else:
        application.parent_approved_at = now
    application.save(update_fields=["council_approved_at", "parent_approved_at"])
    append_entry(
        event="membership.admission_approved",
        actor=None,
        council=motion.council,
        payload={
            "application": str(application.uuid),
            "motion": str(motion.uuid),
            "by": level,
            "result": result.as_payload(),
            "constitution": rules.version,
        },
        now=now,
    )
    if application.council_approved_at is None:
        return
    if application.is_flagged and application.parent_approved_at is None:
        return
    if application.transfer_from is not None:
        _transfer(application=application, motion=motion, level=level, rules=rules, now=now)
        return
    membership = application.membership
    assert membership is not None
    membership = Membership.objects.select_for_update().get(id=membership.id)
    if membership.status != Membership.Status.CANDIDATE or membership.ended_at is not None:
        raise AdmissionRefusedError("The candidate membership is no longer current; nobody can be admitted.")
    membership.status = Membership.Status.FULL
    membership.full_since = now
    membership.save(update_fields=["status", "full_since"])
    application.status = Application.Status.ADMITTED
    application.decided_at = now
    application.save(update_fields=["status", "decided_at"])
    append_entry(
        event="member.admitted",
        actor=None,
        council=council,
        payload={
            "application": str(application.uuid),
            "membership": str(membership.uuid),
            "member": str(application.applicant.uuid),
            "flagged": application.is_flagged,
            "constitution": rules.version,
        },
        now=now,
    )
    _members_changed(council)


def _transfer(
    *, application: Application, motion: Motion, level: str, rules: Constitution, now: datetime
) -> None:
    """Move an admitted transfer: the old membership ends and the new one starts in this transaction.

    What the member held through the council they leave ends as when a member leaves, for reason
    `transferred`; what they hold through a council above both stays, since they are still one of
    its members. A member who is no longer full in their council, or who faces charges there, is
    not moved: the transfer is refused with the reason, and they stay where they are.
    """
    council = application.council
    assert application.transfer_from is not None
    old = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("council", "user")
        .get(id=application.transfer_from.id)
    )
    application.decided_at = now
    refusal = _transfer_refusal(old)
    if refusal is not None:
        application.status = Application.Status.REJECTED
        application.save(update_fields=["status", "decided_at"])
        append_entry(
            event="member.not_admitted",
            actor=None,
            council=council,
            payload={
                "application": str(application.uuid),
                "membership": None,
                "motion": str(motion.uuid),
                "by": level,
                "reason": refusal,
                "constitution": rules.version,
            },
            now=now,
        )
        _members_changed(council)
        return
    old.status = Membership.Status.TRANSFERRED
    old.ended_at = now
    old.save(update_fields=["status", "ended_at"])
    user = old.user
    ended = _end_what_is_held(
        user=user, reason="transferred", now=now, council=old.council, staying_in=council
    )
    membership = Membership.objects.create(
        user=user,
        council=council,
        status=Membership.Status.FULL,
        joined_at=old.joined_at,
        full_since=now,
        transferred_from=old,
    )
    application.membership = membership
    application.status = Application.Status.ADMITTED
    application.save(update_fields=["membership", "status", "decided_at"])
    append_entry(
        event="member.transferred",
        actor=None,
        council=council,
        payload={
            "application": str(application.uuid),
            "membership": str(membership.uuid),
            "member": str(user.uuid),
            "from_membership": str(old.uuid),
            "from_council": str(old.council.uuid),
            "joined_at": format_time(old.joined_at),
            "flagged": application.is_flagged,
            "constitution": rules.version,
            **ended,
        },
        now=now,
    )
    _members_changed(old.council)
    _members_changed(council)


def _end_what_is_held(
    *,
    user: User,
    reason: str,
    now: datetime,
    council: Council | None = None,
    staying_in: Council | None = None,
) -> dict[str, list[str]]:
    """End what `user` holds and their candidacies, for `reason`; return what ended, for the entry.

    Without `council`, everything (a penalty took their rights); with it, what they hold through
    that base council (they left it), except what `staying_in` keeps (they moved there). Their
    seats and offices end and the rules call the by-elections, as after a recall; their
    candidacies are withdrawn in the elections of `council` and of the councils where its seats
    sat them, or in every election without it (docs/accountability.md).
    """
    ended, byelections = mandate_actions.vacate_all_held(
        user=user, reason=reason, now=now, council=council, staying_in=staying_in
    )
    withdrawn = election_actions.withdraw_all_candidacies(
        user=user,
        reason=reason,
        now=now,
        councils=None if council is None else {council, *(x.council for x in ended)},
    )
    return {
        "ended_seats": [str(x.uuid) for x in ended if isinstance(x, Seat)],
        "ended_offices": [str(x.uuid) for x in ended if isinstance(x, Office)],
        "byelections": [str(e.uuid) for e in byelections],
        "withdrawn_candidacies": [str(c.uuid) for c in withdrawn],
    }


# Status changes outside due process ---------------------------------------------


@transaction.atomic
def leave_membership(*, actor: User, membership: Membership, now: datetime) -> Membership:
    """A member leaves of their own will. Nobody else can end a membership but a vote."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("council", "user")
        .get(id=membership.id)
    )
    if membership.user_id != actor.id:
        raise DueProcessError(
            "Only the member can leave; a membership is ended by anyone else only by expulsion, "
            "after written charges, a hearing and a vote of the member's own council."
        )
    if membership.ended_at is not None:
        raise ConflictError("This membership has already ended.")
    membership.status = Membership.Status.LEFT
    membership.ended_at = now
    membership.save(update_fields=["status", "ended_at"])
    # A pending transfer from the council left goes with it: there is no membership left to move.
    Application.objects.filter(
        Q(membership=membership) | Q(transfer_from=membership), status__in=OPEN_STATUSES
    ).update(status=Application.Status.WITHDRAWN, decided_at=now)
    # Nobody speaks or votes for a council they have left: what they hold through it ends now, and
    # the rules call the by-elections, as after a recall; their candidacies in its elections, and in
    # those of the councils where its seats sat them, are withdrawn (docs/accountability.md).
    ended = _end_what_is_held(user=actor, reason="left", now=now, council=membership.council)
    append_entry(
        event="member.left",
        actor=actor,
        council=membership.council,
        payload={
            "membership": str(membership.uuid),
            "member": str(actor.uuid),
            "constitution": _rules(membership.council).version,
            **ended,
        },
        now=now,
    )
    _members_changed(membership.council)
    return membership


def change_membership_status(
    *, actor: User, membership: Membership, status: str, now: datetime
) -> Membership:
    """The one door for a direct status change: only leaving goes through it; everything else is refused."""
    if status not in Membership.Status.values:
        raise InvalidInputError(f"Unknown membership status {status!r}.")
    if status == Membership.Status.LEFT:
        return leave_membership(actor=actor, membership=membership, now=now)
    if status in (Membership.Status.SUSPENDED, Membership.Status.EXPELLED):
        raise DueProcessError(
            "A member can be suspended or expelled only by a vote of their own base council, after written "
            "charges, notice of a hearing and the hearing itself. Bring charges instead."
        )
    raise DueProcessError(
        "A candidate becomes a full member only by the admission vote of their council, and a disciplined "
        "member is reinstated only by an appeal or when a suspension has been served."
    )


# Due process -------------------------------------------------------------------

_OPEN_CASE = (DisciplineCase.Status.CHARGED, DisciplineCase.Status.HEARD, DisciplineCase.Status.VOTING)


def _notify_accused(case: DisciplineCase) -> None:
    user = case.membership.user
    if not user.email:
        return
    subject = f"Charges brought against you in {case.council.name}"
    body = (
        f"Written charges have been brought against you in {case.council.name}.\n\n"
        f"Charges:\n{case.charges}\n\n"
        f"Penalty sought: {case.get_penalty_display()}.\n"
        f"Your hearing: {case.hearing_at:%Y-%m-%d %H:%M} UTC. You may answer the charges and bring "
        f"evidence before or at the hearing. Case {case.uuid}.\n"
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email], fail_silently=True))


@transaction.atomic
def bring_charges(
    *,
    actor: User,
    membership: Membership,
    charges: str,
    penalty: str,
    hearing_at: datetime,
    now: datetime,
    suspension_days: int | None = None,
) -> DisciplineCase:
    """Bring written charges against a member of one's own base council and give notice of the hearing."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("council", "user")
        .get(id=membership.id)
    )
    council = membership.council
    permissions.require(actor, "charge", council)
    charges = _clean_text(charges, "charges")
    if membership.user_id == actor.id:
        raise ConflictError("You cannot bring charges against yourself.")
    if membership.ended_at is not None or membership.status not in (
        Membership.Status.FULL,
        Membership.Status.CANDIDATE,
    ):
        raise ConflictError("Charges can be brought only against a current member in good standing.")
    if penalty not in DisciplineCase.Penalty.values:
        raise InvalidInputError("The penalty sought is suspension or expulsion.")
    if penalty == DisciplineCase.Penalty.SUSPENSION:
        if suspension_days is None or not 1 <= suspension_days <= 3650:
            raise InvalidInputError("A suspension lasts between 1 and 3650 days; say how many.")
    elif suspension_days is not None:
        raise InvalidInputError("An expulsion has no length in days.")
    if hearing_at.tzinfo is None:
        raise InvalidInputError("Give the hearing time with its time zone.")
    rules = _rules(council)
    membership_rules.check_hearing_date(hearing_at=hearing_at, now=now, notice_days=rules.hearing_notice_days)
    if DisciplineCase.objects.filter(membership=membership, status__in=_OPEN_CASE).exists():
        raise ConflictError("This member already faces open charges; they are heard together in that case.")
    case = DisciplineCase.objects.create(
        council=council,
        membership=membership,
        charged_by=actor,
        charges=charges,
        penalty=penalty,
        suspension_days=suspension_days,
        charged_at=now,
        hearing_at=hearing_at,
        notified_at=now,
        constitution_version=rules.version,
    )
    append_entry(
        event="discipline.charged",
        actor=actor,
        council=council,
        payload={
            "case": str(case.uuid),
            "membership": str(membership.uuid),
            "member": str(membership.user.uuid),
            "penalty": penalty,
            "suspension_days": suspension_days,
            "charges": commit_personal(value=charges, now=now),
            "hearing_at": hearing_at.isoformat(),
            "notice_days": rules.hearing_notice_days,
            "constitution": rules.version,
        },
        now=now,
    )
    _notify_accused(case)
    _case_changed(case)
    return case


def _case_changed(case: DisciplineCase) -> None:
    # Only those who may see the case follow it (the `case-` guard); the council's public channel
    # must not tell everyone that a member was charged.
    publish_on_commit(f"case-{case.uuid}", {"type": "case.changed"})


def _lock_case(case: DisciplineCase) -> DisciplineCase:
    return (
        DisciplineCase.objects.select_for_update(of=("self",))
        .select_related("council", "council__parent", "membership", "membership__user", "charged_by")
        .get(id=case.id)
    )


def _clean_evidence(evidence: list[dict[str, str]]) -> list[dict[str, str]]:
    if len(evidence) > EVIDENCE_MAX:
        raise InvalidInputError(f"Bring at most {EVIDENCE_MAX} pieces of evidence.")
    cleaned = []
    for i, item in enumerate(evidence, start=1):
        title = (item.get("title") or "").strip()
        url = (item.get("url") or "").strip()
        text = (item.get("text") or "").strip()
        if not title:
            raise InvalidInputError(f"Evidence {i} needs a title.")
        if not url and not text:
            raise InvalidInputError(f"Evidence {i} needs a link or the document's text.")
        if url and (urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc):
            raise InvalidInputError(f"Evidence {i}: a link starts with http:// or https://.")
        if len(title) > 200 or len(url) > 2000 or len(text) > TEXT_MAX:
            raise InvalidInputError(f"Evidence {i} is too long.")
        cleaned.append({"title": title, "url": url, "text": text})
    return cleaned


@transaction.atomic
def submit_defence(
    *,
    actor: User,
    case: DisciplineCase,
    statement: str,
    now: datetime,
    evidence: list[dict[str, str]] | None = None,
) -> Defence:
    """The accused answers the charges and brings evidence, any time before the vote."""
    case = _lock_case(case)
    permissions.require(actor, "defend", case)
    if case.status not in (DisciplineCase.Status.CHARGED, DisciplineCase.Status.HEARD):
        raise ConflictError("The vote on these charges has been called; the defence is closed.")
    statement = _clean_text(statement, "statement")
    items = _clean_evidence(evidence or [])
    defence = Defence.objects.create(case=case, statement=statement, evidence=items, submitted_at=now)
    append_entry(
        event="discipline.defence_submitted",
        actor=actor,
        council=case.council,
        payload={
            "case": str(case.uuid),
            "statement": commit_personal(value=statement, now=now),
            "evidence": len(items),
            "constitution": case.constitution_version,
        },
        now=now,
    )
    _case_changed(case)
    return defence


@transaction.atomic
def record_hearing(
    *, actor: User | None, case: DisciplineCase, now: datetime, notes: str = ""
) -> DisciplineCase:
    """Record that the hearing took place on or after the date the accused was given."""
    case = _lock_case(case)
    if actor is not None:
        permissions.require(actor, "hold_hearing", case)
    if case.status != DisciplineCase.Status.CHARGED:
        raise ConflictError("This case is not awaiting its hearing.")
    if now < case.hearing_at:
        raise DueProcessError(
            f"The hearing was set for {case.hearing_at:%Y-%m-%d %H:%M} UTC with notice to the accused; "
            "it cannot be held earlier."
        )
    notes = _clean_text(notes, "hearing notes", required=False)
    case.status = DisciplineCase.Status.HEARD
    case.heard_at = now
    case.hearing_notes = notes
    case.save(update_fields=["status", "heard_at", "hearing_notes"])
    append_entry(
        event="discipline.heard",
        actor=actor,
        council=case.council,
        payload={
            "case": str(case.uuid),
            "defences": case.defences.count(),
            "notes": commit_personal(value=notes, now=now) if notes else None,
            "constitution": case.constitution_version,
        },
        now=now,
    )
    _case_changed(case)
    return case


def _parties(case: DisciplineCase) -> list[User]:
    """The parties to a case, who do not vote on it or on its appeals: the accused, then their accuser."""
    return [case.membership.user, case.charged_by]


@transaction.atomic
def call_discipline_vote(
    *,
    actor: User | None,
    case: DisciplineCase,
    now: datetime,
    method: str | None = None,
    closes_at: datetime | None = None,
) -> Vote:
    """Put heard charges to the accused's own base council, at the majority the constitution sets.

    The vote stays open at least the days the constitution sets (by default it closes then), and an
    officer may close it earlier only once every member entitled has voted.
    """
    case = _lock_case(case)
    if actor is not None:
        permissions.require(actor, "call_vote", case)
    if case.status == DisciplineCase.Status.CHARGED:
        raise DueProcessError("The council votes on charges only after the hearing has been held.")
    if case.status != DisciplineCase.Status.HEARD:
        raise ConflictError("This case is not awaiting a vote.")
    rules = _rules(case.council)
    closes_at = membership_rules.closing_time(
        now=now,
        closes_at=closes_at,
        minimum=rules.discipline_poll_min,
        maximum=rules.discipline_poll_max,
        what="vote on charges",
    )
    penalty = case.get_penalty_display().lower()
    if case.suspension_days:
        penalty += f" for {counted(case.suspension_days, 'day', 'days')}"
    motion, vote = _hold(
        actor=actor,
        council=case.council,
        title=f"Discipline case {str(case.uuid)[:8]}: {penalty}",
        text=(
            f"Uphold the written charges of case {case.uuid} against membership {case.membership.uuid}, "
            f"heard on {case.heard_at:%Y-%m-%d}, and impose {penalty}."
        ),
        kind="discipline",
        subject=case.uuid,
        threshold=rules.discipline_threshold,
        method=method,
        closes_at=closes_at,
        now=now,
        parties=_parties(case),
    )
    case.status = DisciplineCase.Status.VOTING
    case.motion_uuid = motion.uuid
    case.save(update_fields=["status", "motion_uuid"])
    append_entry(
        event="discipline.vote_called",
        actor=actor,
        council=case.council,
        payload={
            "case": str(case.uuid),
            "motion": str(motion.uuid),
            "vote": str(vote.uuid),
            "threshold": rules.discipline_threshold,
            "min_days": rules.discipline_poll_min_days,
            "parties": [str(party.uuid) for party in _parties(case)],
            "constitution": rules.version,
        },
        now=now,
    )
    _case_changed(case)
    return vote


@transaction.atomic
def withdraw_charges(*, actor: User, case: DisciplineCase, now: datetime) -> DisciplineCase:
    case = _lock_case(case)
    permissions.require(actor, "withdraw", case)
    if case.status not in (DisciplineCase.Status.CHARGED, DisciplineCase.Status.HEARD):
        raise ConflictError("Charges can be withdrawn only before the vote is called.")
    case.status = DisciplineCase.Status.WITHDRAWN
    case.decided_at = now
    case.save(update_fields=["status", "decided_at"])
    append_entry(
        event="discipline.withdrawn",
        actor=actor,
        council=case.council,
        payload={"case": str(case.uuid), "constitution": case.constitution_version},
        now=now,
    )
    _case_changed(case)
    return case


def _last_decision_at(case: DisciplineCase) -> datetime:
    last = case.appeals.filter(decided_at__isnull=False).order_by("-level").first()
    decided = last.decided_at if last is not None else case.decided_at
    assert decided is not None
    return decided


@transaction.atomic
def lodge_appeal(*, actor: User, case: DisciplineCase, grounds: str, now: datetime) -> Appeal:
    """Appeal an upheld case: to the parent council first, then to the top body."""
    case = _lock_case(case)
    permissions.require(actor, "appeal", case)
    grounds = _clean_text(grounds, "grounds of appeal")
    if case.status != DisciplineCase.Status.UPHELD:
        raise ConflictError("Only a decision that upheld charges can be appealed.")
    appeals = list(case.appeals.order_by("level"))
    if appeals and appeals[-1].status != Appeal.Status.DISMISSED:
        raise ConflictError("The last appeal has not been decided yet.")
    levels = membership_rules.appeal_levels(
        ancestor_ids=[c.id for c in federation_queries.ancestors(council=case.council)]
    )
    level = len(appeals) + 1
    if level > len(levels):
        raise ConflictError("Every appeal has been heard: the top body's decision is final.")
    rules = _rules(case.council)
    membership_rules.check_appeal_window(
        decided_at=_last_decision_at(case), now=now, window_days=rules.appeal_window_days
    )
    council = Council.objects.get(id=levels[level - 1])
    appeal = Appeal.objects.create(
        case=case,
        council=council,
        level=level,
        grounds=grounds,
        lodged_at=now,
        constitution_version=rules.version,
    )
    append_entry(
        event="discipline.appeal_lodged",
        actor=actor,
        council=council,
        payload={
            "appeal": str(appeal.uuid),
            "case": str(case.uuid),
            "level": level,
            "from_council": str(case.council.uuid),
            "grounds": commit_personal(value=grounds, now=now),
            "window_days": rules.appeal_window_days,
            "constitution": rules.version,
        },
        now=now,
    )
    _case_changed(case)
    return appeal


@transaction.atomic
def call_appeal_vote(
    *,
    actor: User | None,
    appeal: Appeal,
    now: datetime,
    method: str | None = None,
    closes_at: datetime | None = None,
) -> Vote:
    """Put an appeal to the council hearing it; a majority for the appeal lifts the penalty.

    Like the vote on charges, it stays open at least the days the constitution sets.
    """
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("council", "case__membership__user", "case__charged_by")
        .get(id=appeal.id)
    )
    if actor is not None:
        permissions.require(actor, "call_vote", appeal)
    if appeal.status != Appeal.Status.LODGED:
        raise ConflictError("This appeal is not awaiting a vote.")
    rules = _rules(appeal.council)
    closes_at = membership_rules.closing_time(
        now=now,
        closes_at=closes_at,
        minimum=rules.discipline_poll_min,
        maximum=rules.discipline_poll_max,
        what="vote on an appeal",
    )
    motion, vote = _hold(
        actor=actor,
        council=appeal.council,
        title=f"Appeal in discipline case {str(appeal.case.uuid)[:8]}",
        text=(
            f"Allow the appeal {appeal.uuid} against the decision in discipline case {appeal.case.uuid}, "
            "lift the penalty and reinstate the member."
        ),
        kind="discipline",
        subject=appeal.uuid,
        threshold="simple",
        method=method,
        closes_at=closes_at,
        now=now,
        parties=_parties(appeal.case),
    )
    appeal.status = Appeal.Status.VOTING
    appeal.motion_uuid = motion.uuid
    appeal.save(update_fields=["status", "motion_uuid"])
    append_entry(
        event="discipline.appeal_vote_called",
        actor=actor,
        council=appeal.council,
        payload={
            "appeal": str(appeal.uuid),
            "motion": str(motion.uuid),
            "vote": str(vote.uuid),
            "min_days": rules.discipline_poll_min_days,
            "parties": [str(party.uuid) for party in _parties(appeal.case)],
            "constitution": rules.version,
        },
        now=now,
    )
    _case_changed(appeal.case)
    return vote


def _refuse_discipline_vote(*, motion: Motion, reason: str, now: datetime) -> None:
    append_entry(
        event="discipline.vote_refused",
        actor=None,
        council=motion.council,
        payload={
            "motion": str(motion.uuid),
            "reason": reason,
            "constitution": _rules(motion.council).version,
        },
        now=now,
    )


def apply_discipline_outcome(*, motion: Motion, result: VoteResult, now: datetime) -> None:
    """Outcome handler for motions of kind "discipline": the only place rights are suspended or taken."""
    subject = motion.subject_uuid
    case = (
        DisciplineCase.objects.select_for_update(of=("self",))
        .select_related("council", "membership", "membership__user")
        .filter(uuid=subject)
        .first()
        if subject
        else None
    )
    if case is not None:
        _decide_case(case=case, motion=motion, result=result, now=now)
        return
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("council", "case")
        .filter(uuid=subject)
        .first()
        if subject
        else None
    )
    if appeal is not None:
        _decide_appeal(appeal=appeal, motion=motion, result=result, now=now)
        return
    _refuse_discipline_vote(
        motion=motion,
        reason="A discipline vote counts only on written charges that were heard; this vote names no case, "
        "so it changes no membership.",
        now=now,
    )


def _decide_case(*, case: DisciplineCase, motion: Motion, result: VoteResult, now: datetime) -> None:
    if case.status != DisciplineCase.Status.VOTING or case.motion_uuid != motion.uuid:
        _refuse_discipline_vote(
            motion=motion,
            reason="This vote was not called by the due-process procedure for the case, "
            "so it changes nothing.",
            now=now,
        )
        return
    if result.outcome == "no_quorum":
        return
    rules = _rules(case.council)
    required = rules.discipline_threshold
    if result.adopted and not threshold_satisfies(held=result.threshold, required=required):
        _refuse_discipline_vote(
            motion=motion,
            reason=f"Discipline needs a vote at {required.replace('_', ' ')}; this vote was "
            f"held at {result.threshold.replace('_', ' ')}.",
            now=now,
        )
        return
    case.decided_at = now
    membership = Membership.objects.select_for_update().get(id=case.membership_id)
    if not result.adopted:
        case.status = DisciplineCase.Status.DISMISSED
        case.save(update_fields=["status", "decided_at"])
        append_entry(
            event="discipline.dismissed",
            actor=None,
            council=case.council,
            payload={
                "case": str(case.uuid),
                "motion": str(motion.uuid),
                "result": result.as_payload(),
                "constitution": rules.version,
            },
            now=now,
        )
        _case_changed(case)
        return
    case.status = DisciplineCase.Status.UPHELD
    if case.penalty == DisciplineCase.Penalty.SUSPENSION:
        assert case.suspension_days is not None
        case.suspended_until = now + timedelta(days=case.suspension_days)
        membership.status = Membership.Status.SUSPENDED
        event = "member.suspended"
    else:
        membership.status = Membership.Status.EXPELLED
        membership.ended_at = now
        event = "member.expelled"
    case.save(update_fields=["status", "decided_at", "suspended_until"])
    membership.save(update_fields=["status", "ended_at"])
    # A member without rights cannot go on speaking and voting for others: every seat and office
    # ends now, and the rules call the by-elections, as after a recall; nor can they be elected,
    # so every candidacy in a running election is withdrawn (docs/accountability.md).
    reason = event.removeprefix("member.")
    ended = _end_what_is_held(user=case.membership.user, reason=reason, now=now)
    append_entry(
        event=event,
        actor=None,
        council=case.council,
        payload={
            "case": str(case.uuid),
            "motion": str(motion.uuid),
            "membership": str(membership.uuid),
            "member": str(case.membership.user.uuid),
            "until": case.suspended_until.isoformat() if case.suspended_until else None,
            "result": result.as_payload(),
            "constitution": rules.version,
            **ended,
        },
        now=now,
    )
    _members_changed(case.council)
    _case_changed(case)


def _reinstate(
    *, membership: Membership, case: DisciplineCase, reason: str, now: datetime, version: int
) -> None:
    # Seats and offices the penalty ended stay ended: by-elections fill them, and the member may stand again.
    if membership.status == Membership.Status.EXPELLED:
        if Membership.objects.filter(user=membership.user, ended_at__isnull=True).exists():
            raise ConflictError("The member has since joined another council; they keep that membership.")
        membership.ended_at = None
    membership.status = Membership.Status.FULL
    membership.save(update_fields=["status", "ended_at"])
    append_entry(
        event="member.reinstated",
        actor=None,
        council=case.council,
        payload={
            "case": str(case.uuid),
            "membership": str(membership.uuid),
            "member": str(membership.user.uuid),
            "reason": reason,
            "constitution": version,
        },
        now=now,
    )
    _members_changed(case.council)


def _decide_appeal(*, appeal: Appeal, motion: Motion, result: VoteResult, now: datetime) -> None:
    if appeal.status != Appeal.Status.VOTING or appeal.motion_uuid != motion.uuid:
        _refuse_discipline_vote(
            motion=motion, reason="This vote was not called for the appeal, so it changes nothing.", now=now
        )
        return
    if result.outcome == "no_quorum":
        return
    case = (
        DisciplineCase.objects.select_for_update(of=("self",))
        .select_related("council", "membership")
        .get(id=appeal.case_id)
    )
    rules = _rules(case.council)
    appeal.decided_at = now
    appeal.status = Appeal.Status.ALLOWED if result.adopted else Appeal.Status.DISMISSED
    appeal.save(update_fields=["status", "decided_at"])
    append_entry(
        event="discipline.appeal_allowed" if result.adopted else "discipline.appeal_dismissed",
        actor=None,
        council=appeal.council,
        payload={
            "appeal": str(appeal.uuid),
            "case": str(case.uuid),
            "level": appeal.level,
            "motion": str(motion.uuid),
            "result": result.as_payload(),
            "constitution": rules.version,
        },
        now=now,
    )
    _case_changed(case)
    if not result.adopted:
        return
    case.status = DisciplineCase.Status.REVERSED
    case.save(update_fields=["status"])
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user").get(id=case.membership_id)
    )
    if membership.status in (Membership.Status.SUSPENDED, Membership.Status.EXPELLED):
        _reinstate(membership=membership, case=case, reason="appeal_allowed", now=now, version=rules.version)


@transaction.atomic
def end_suspension(*, actor: User | None, case: DisciplineCase, now: datetime) -> Membership:
    """Restore a suspended member's rights once the suspension the council voted has been served."""
    case = _lock_case(case)
    if actor is not None:
        permissions.require(actor, "end_suspension", case)
    if case.status != DisciplineCase.Status.UPHELD or case.penalty != DisciplineCase.Penalty.SUSPENSION:
        raise ConflictError("This case imposed no suspension that is still running.")
    assert case.suspended_until is not None
    if now < case.suspended_until:
        raise ConflictError(f"The suspension runs until {case.suspended_until:%Y-%m-%d}.")
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user").get(id=case.membership_id)
    )
    if membership.status != Membership.Status.SUSPENDED:
        raise ConflictError("The member is not suspended.")
    case.status = DisciplineCase.Status.ENDED
    case.save(update_fields=["status"])
    _reinstate(
        membership=membership,
        case=case,
        reason="suspension_served",
        now=now,
        version=case.constitution_version,
    )
    _case_changed(case)
    return membership


# Forming a new base council -------------------------------------------------


def _founder_refusal(*, membership: Membership | None, parent: Council) -> str | None:
    """Why the holder of `membership` cannot found a council below `parent` now, or None when they can."""
    if membership is None:
        return "Only a member of a base council can found a council."
    if membership.council_id not in federation_queries.council_and_below(council=parent):
        return (
            f"{membership.user.name} is a member of {membership.council.name}, which is not below "
            f"{parent.name}; only its own members ask it to form a council."
        )
    return _transfer_refusal(membership)


def _formation_changed(formation: Formation) -> None:
    publish_on_commit(f"council-{formation.parent.uuid}", {"type": "formations.changed"})


def _lock_formation(formation: Formation) -> Formation:
    return (
        Formation.objects.select_for_update(of=("self",))
        .select_related("parent", "parent__federation")
        .get(id=formation.id)
    )


def _lock_before_vote(formation: Formation, *, refusal: str) -> tuple[Formation, Motion]:
    """The formation locked, with its motion, while consent may still be given or taken back.

    Consent counts only until the council asked opens its vote; after that, `refusal` says why not.
    """
    from councils.motions.models import Motion

    formation = _lock_formation(formation)
    if not formation.is_open:
        raise ConflictError("This formation has already been decided.")
    assert formation.motion_uuid is not None
    motion = Motion.objects.get(uuid=formation.motion_uuid)
    if motion.state not in queries.CONSENT_STATES:
        raise ConflictError(f"{formation.parent.name} has opened its vote on this formation; {refusal}")
    return formation, motion


def _sign(*, formation: Formation, actor: User, now: datetime) -> FormationSignature:
    """Add the actor's own consent to found `formation`'s council, after the checks every founder meets."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("council", "user")
        .filter(user=actor, ended_at__isnull=True)
        .first()
    )
    refusal = _founder_refusal(membership=membership, parent=formation.parent)
    if refusal is not None:
        raise ConflictError(refusal, code="not_eligible_founder")
    assert membership is not None
    if FormationSignature.objects.filter(formation=formation, signer=actor).exists():
        raise ConflictError("You have already consented to found this council.")
    if FormationSignature.objects.filter(signer=actor, formation__status=Formation.Status.PROPOSED).exists():
        raise ConflictError(
            "You have already consented to found another council that is still to be decided; "
            "a member moves into one new council at a time."
        )
    return FormationSignature.objects.create(
        formation=formation, signer=actor, membership=membership, signed_at=now
    )


@transaction.atomic
def propose_formation(
    *,
    actor: User,
    parent: Council,
    name: str,
    reason: str,
    now: datetime,
    kind: str = Council.Kind.WORKPLACE,
    visibility: str = Council.Visibility.FEDERATION,
) -> Formation:
    """Ask `parent` to form a new base council below it, with the proposer as its first founding member.

    Other members below `parent` consent by signing; `parent` decides by its ordinary vote on the
    motion tabled here, and only a carried vote creates the council and moves the founders.
    """
    from councils.motions import actions as motion_actions
    from councils.motions.models import Motion

    parent = Council.objects.select_for_update(of=("self",)).select_related("federation").get(id=parent.id)
    if parent.is_base:
        raise InvalidInputError(
            f"{parent.name} is a base council of members and has no councils below it; ask the council "
            "above it to form a new one."
        )
    name = (name or "").strip()
    if not name:
        raise InvalidInputError("Name the council to be formed.")
    if len(name) > 200:
        raise InvalidInputError("A council's name may have at most 200 characters.")
    if kind not in Council.BASE_KINDS:
        base_kinds = ", ".join(Council.BASE_KINDS)
        if kind in Council.Kind.values:
            raise InvalidInputError(
                f"The council formed is a base council of members, so it cannot be a "
                f"{Council.Kind(kind).label}; choose one of {base_kinds}."
            )
        raise InvalidInputError(f"Unknown council type {kind!r}; choose one of {base_kinds}.")
    if visibility not in Council.Visibility.values:
        raise InvalidInputError(
            f"Unknown visibility {visibility!r}; choose one of {', '.join(Council.Visibility.values)}."
        )
    reason = _clean_text(reason, "reason for forming the council")
    if (
        Council.objects.filter(parent=parent, name=name).exists()
        or Formation.objects.filter(parent=parent, name=name, status=Formation.Status.PROPOSED).exists()
    ):
        raise ConflictError(
            f"There is already a council called {name!r} below {parent.name}, or one proposed."
        )
    rules = _rules(parent)
    formation = Formation.objects.create(
        parent=parent,
        name=name,
        kind=kind,
        visibility=visibility,
        reason=reason,
        proposed_by=actor,
        proposed_at=now,
        constitution_version=rules.version,
    )
    signature = _sign(formation=formation, actor=actor, now=now)
    motion = motion_actions.table_motion(
        actor=None,
        council=parent,
        title=f"Form {name} below {parent.name}"[:200],
        text=(
            f"{reason}\n\nForm the base council {name} below {parent.name} and move into it, as full "
            f"members, the members who consent to found it (at least {rules.formation_min_members})."
        ),
        now=now,
        kind=Motion.Kind.FORMATION,
        subject_uuid=formation.uuid,
    )
    formation.motion_uuid = motion.uuid
    formation.save(update_fields=["motion_uuid"])
    append_entry(
        event="council.formation_proposed",
        actor=actor,
        council=parent,
        payload={
            "formation": str(formation.uuid),
            "motion": str(motion.uuid),
            "name": name,
            "kind": kind,
            "visibility": visibility,
            "reason": reason,
            "proposer": str(actor.uuid),
            "membership": str(signature.membership.uuid),
            "min_members": rules.formation_min_members,
            "constitution": rules.version,
        },
        now=now,
    )
    _formation_changed(formation)
    return formation


@transaction.atomic
def sign_formation(*, actor: User, formation: Formation, now: datetime) -> FormationSignature:
    """A member below the council consents, in person, to found the proposed council and move into it."""
    formation, _ = _lock_before_vote(
        formation, refusal="the founding members are those who consented before it opened."
    )
    signature = _sign(formation=formation, actor=actor, now=now)
    append_entry(
        event="council.formation_signed",
        actor=actor,
        council=formation.parent,
        payload={
            "formation": str(formation.uuid),
            "member": str(actor.uuid),
            "membership": str(signature.membership.uuid),
            "signatures": FormationSignature.objects.filter(formation=formation).count(),
        },
        now=now,
    )
    _formation_changed(formation)
    return signature


@transaction.atomic
def withdraw_formation_consent(*, actor: User, formation: Formation, now: datetime) -> Formation:
    """A founding member takes back their consent before the council opens its vote.

    The proposer's consent is the proposal itself: when they withdraw, the whole proposal and its
    motion are withdrawn.
    """
    from councils.motions import actions as motion_actions

    formation, motion = _lock_before_vote(
        formation, refusal="the consent given before it opened stands until the vote decides."
    )
    signature = FormationSignature.objects.filter(formation=formation, signer=actor).first()
    if signature is None:
        raise ConflictError("You have not consented to found this council.")
    if formation.proposed_by_id == actor.id:
        formation.status = Formation.Status.WITHDRAWN
        formation.decided_at = now
        formation.save(update_fields=["status", "decided_at"])
        motion_actions.withdraw_motion(actor=None, motion=motion, now=now)
        append_entry(
            event="council.formation_withdrawn",
            actor=actor,
            council=formation.parent,
            payload={
                "formation": str(formation.uuid),
                "motion": str(motion.uuid),
                "proposer": str(actor.uuid),
            },
            now=now,
        )
    else:
        signature.delete()
        append_entry(
            event="council.formation_consent_withdrawn",
            actor=actor,
            council=formation.parent,
            payload={
                "formation": str(formation.uuid),
                "member": str(actor.uuid),
                "membership": str(signature.membership.uuid),
                "signatures": FormationSignature.objects.filter(formation=formation).count(),
            },
            now=now,
        )
    _formation_changed(formation)
    return formation


def _refuse_formation(
    *,
    formation: Formation | None,
    motion: Motion,
    reason: str,
    result: VoteResult,
    now: datetime,
    **extra: Any,
) -> None:
    if formation is not None:
        formation.status = Formation.Status.REFUSED
        formation.decided_at = now
        formation.refusal = reason
        formation.save(update_fields=["status", "decided_at", "refusal"])
    append_entry(
        event="council.formation_refused",
        actor=None,
        council=motion.council,
        payload={
            "formation": str(formation.uuid) if formation is not None else None,
            "motion": str(motion.uuid),
            "reason": reason,
            "result": result.as_payload(),
            **extra,
        },
        now=now,
    )


def apply_formation_outcome(*, motion: Motion, result: VoteResult, now: datetime) -> None:
    """Outcome handler for motions of kind "formation"; runs inside close_vote's transaction.

    A carried vote creates the council and moves into it each founding member still a full member
    below the council, not facing charges; with fewer than the constitution's minimum left, nobody
    moves and the council is not formed.
    """
    from councils.federation.actions import create_council, fill_office

    formation = (
        Formation.objects.select_for_update(of=("self",))
        .select_related("parent", "parent__federation")
        .filter(uuid=motion.subject_uuid)
        .first()
        if motion.subject_uuid
        else None
    )
    if formation is None or not formation.is_open or formation.parent_id != motion.council_id:
        if result.adopted:
            _refuse_formation(
                formation=None,
                motion=motion,
                reason="A vote forms a council only on an open proposal made to the council that voted; "
                "this one forms none.",
                result=result,
                now=now,
            )
        return
    if result.outcome == "no_quorum":
        return
    parent = formation.parent
    if not result.adopted:
        formation.status = Formation.Status.REJECTED
        formation.decided_at = now
        formation.save(update_fields=["status", "decided_at"])
        append_entry(
            event="council.formation_rejected",
            actor=None,
            council=parent,
            payload={
                "formation": str(formation.uuid),
                "motion": str(motion.uuid),
                "result": result.as_payload(),
            },
            now=now,
        )
        _formation_changed(formation)
        return
    rules = _rules(parent)
    signatures = list(
        FormationSignature.objects.select_for_update(of=("self",))
        .select_related("signer")
        .filter(formation=formation)
    )
    moving: list[tuple[FormationSignature, Membership]] = []
    not_moved: list[dict[str, str]] = []
    for signature in signatures:
        current = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("council", "user")
            .filter(user=signature.signer, ended_at__isnull=True)
            .first()
        )
        refusal = _founder_refusal(membership=current, parent=parent)
        if refusal is None and current is not None and current.id != signature.membership_id:
            refusal = f"{signature.signer.name} has moved to {current.council.name} since consenting."
        if refusal is None:
            assert current is not None
            moving.append((signature, current))
        else:
            not_moved.append({"member": str(signature.signer.uuid), "reason": refusal})
    base = {"not_moved": not_moved, "min_members": rules.formation_min_members, "constitution": rules.version}
    if len(moving) < rules.formation_min_members:
        reason = (
            f"Only {len(moving)} of the founding members can still be moved; the constitution requires at "
            f"least {rules.formation_min_members}, so the council is not formed."
        )
        _refuse_formation(formation=formation, motion=motion, reason=reason, result=result, now=now, **base)
        _formation_changed(formation)
        return
    if Council.objects.filter(parent=parent, name=formation.name).exists():
        reason = f"A council called {formation.name!r} was formed below {parent.name} meanwhile."
        _refuse_formation(formation=formation, motion=motion, reason=reason, result=result, now=now, **base)
        _formation_changed(formation)
        return
    council = create_council(
        actor=None,
        federation=parent.federation,
        name=formation.name,
        kind=formation.kind,
        parent=parent,
        is_base=True,
        visibility=formation.visibility,
        now=now,
    )
    for signature, old in moving:
        _move_founder(formation=formation, council=council, old=old, rules=rules, now=now)
        signature.moved = True
    for signature in signatures:
        signature.moved = bool(signature.moved)
    FormationSignature.objects.bulk_update(signatures, ["moved"])
    interim_ends = now + rules.formation_interim
    interim = fill_office(
        council=council,
        user=_interim_chair(formation=formation, moving=[old.user for _, old in moving]),
        role=Office.Role.CHAIR,
        term_ends_at=interim_ends,
        now=now,
    )
    formation.status = Formation.Status.FORMED
    formation.decided_at = now
    formation.council = council
    formation.save(update_fields=["status", "decided_at", "council"])
    append_entry(
        event="council.formed",
        actor=None,
        council=parent,
        payload={
            "formation": str(formation.uuid),
            "motion": str(motion.uuid),
            "council": str(council.uuid),
            "founders": [str(old.user.uuid) for _, old in moving],
            "interim_chair": {
                "office": str(interim.uuid),
                "member": str(interim.user.uuid),
                "days": rules.formation_interim_days,
                "term_ends_at": format_time(interim_ends),
            },
            "result": result.as_payload(),
            **base,
        },
        now=now,
    )
    _formation_changed(formation)


def _interim_chair(*, formation: Formation, moving: list[User]) -> User:
    """Who chairs a council just formed until its elections: its proposer, if moved in.

    Otherwise the first founder moved: `moving` holds them in the order they consented.
    """
    return next((user for user in moving if user.id == formation.proposed_by_id), moving[0])


def _move_founder(
    *, formation: Formation, council: Council, old: Membership, rules: Constitution, now: datetime
) -> None:
    """Move a consenting founder into the new council as a transfer does: the old membership ends here."""
    old.status = Membership.Status.TRANSFERRED
    old.ended_at = now
    old.save(update_fields=["status", "ended_at"])
    # A transfer or application pending from the council left goes with it, as when a member leaves.
    Application.objects.filter(Q(membership=old) | Q(transfer_from=old), status__in=OPEN_STATUSES).update(
        status=Application.Status.WITHDRAWN, decided_at=now
    )
    user = old.user
    ended = _end_what_is_held(
        user=user, reason="transferred", now=now, council=old.council, staying_in=council
    )
    membership = Membership.objects.create(
        user=user,
        council=council,
        status=Membership.Status.FULL,
        joined_at=old.joined_at,
        full_since=now,
        transferred_from=old,
    )
    append_entry(
        event="member.transferred",
        actor=None,
        council=council,
        payload={
            "formation": str(formation.uuid),
            "membership": str(membership.uuid),
            "member": str(user.uuid),
            "from_membership": str(old.uuid),
            "from_council": str(old.council.uuid),
            "joined_at": format_time(old.joined_at),
            "constitution": rules.version,
            **ended,
        },
        now=now,
    )
    _members_changed(old.council)
    _members_changed(council)
