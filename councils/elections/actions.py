"""Writes to elections: call, nominate, open, cast, close and count, certify.

Each public action runs in one transaction with its record entry, except that
a cast ballot reaches the ballot box later, in a shuffled batch written by
another transaction (`flush_ballots`), so nothing in the database ties a
ballot to the transaction that recorded who voted.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet

from councils.accounts.models import User
from councils.constitution import queries as constitution_queries
from councils.core.errors import ConflictError, DomainError, InvalidInputError, PermissionDeniedError
from councils.core.ledger.encoding import format_time
from councils.core.rules import ballots as rules
from councils.core.rules import polls
from councils.core.rules.constitution import Constitution
from councils.core.tally import METHODS, count
from councils.elections import permissions, queries
from councils.elections.models import Ballot, Candidacy, Election, Elector, Participation, PendingBallot
from councils.federation import actions as federation_actions
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Membership, Office, Seat
from councils.live.publish import publish_on_commit
from councils.mandates import rules as term_rules
from councils.mandates.queries import DELEGATE_ROLE
from councils.motions import sealing
from councils.motions.models import Vote
from councils.record.actions import append_entry

ELECTABLE_ROLES = tuple(r for r in Office.Role.values if r != Office.Role.OBSERVER)


def _channel(election: Election) -> str:
    return f"election-{election.uuid}"


def _lock(election: Election) -> Election:
    return (
        Election.objects.select_for_update(of=("self",))
        .select_related("council", "council__parent")
        .get(pk=election.pk)
    )


# Why an action an election's present stage does not allow is refused, in a sentence a member follows.
_STAGE_SENTENCES = {
    Election.Status.NOMINATING: "Nominations for this election are open; voting has not started.",
    Election.Status.VOTING: "Voting in this election is open.",
    Election.Status.CLOSED: "Voting in this election has closed and the ballots are counted.",
    Election.Status.CERTIFIED: "The result of this election is certified.",
}


def stage_sentence(election: Election) -> str:
    """Say where the election stands, for refusing what its present stage does not allow."""
    if election.status == Election.Status.FAILED:
        return f"The election failed: {election.get_failure_reason_display()}, so nobody was elected."
    return _STAGE_SENTENCES[Election.Status(election.status)]


def _require_status(election: Election, *statuses: str) -> None:
    if election.status not in statuses:
        raise ConflictError(stage_sentence(election), code="election_state")


def _ever_represented(council: Council) -> bool:
    """Whether `council` has ever sent a delegate up, or had a delegates' election certified."""
    return (
        Seat.objects.filter(from_council=council).exists()
        or Election.objects.filter(
            council=council, kind=Election.Kind.DELEGATES, status=Election.Status.CERTIFIED
        ).exists()
    )


def _seats_unchanged_since(*, council: Council) -> datetime:
    """Since when `council`'s delegates have stood as they are, at the latest since its creation.

    Since then no seat of it was filled or ended, and none of its delegates' elections was called,
    closed, failed or certified.

    How long a shortfall of delegates has lasted is counted from here (the number of members moves
    every day; the seats, and the elections to fill them, do not).
    """
    seats = Seat.objects.filter(from_council=council).aggregate(Max("started_at"), Max("ended_at"))
    elections = Election.objects.filter(council=council, kind=Election.Kind.DELEGATES).aggregate(
        Max("called_at"), Max("closed_at"), Max("certified_at")
    )
    moments: list[datetime] = [t for t in [*seats.values(), *elections.values()] if t is not None]
    return max([council.created_at, *moments])


def _check_unrepresented(
    *,
    actor: User | None,
    council: Council,
    kind: str,
    first: bool,
    is_by_election: bool,
    constitution: Constitution,
    now: datetime,
) -> None:
    """Refuse a first election or an unfilled seats' by-election that the rules did not have to call."""
    if actor is not None or kind != Election.Kind.DELEGATES or council.parent_id is None:
        raise RuntimeError("Only the rules call a council's delegates' election for its unfilled seats.")
    if first:
        if (
            is_by_election
            or _ever_represented(council)
            or council.created_at + constitution.term_election_lead > now
        ):
            raise RuntimeError(
                "The rules call a first delegates' election only for a council that never sent one, "
                "once its chair had the lead time to call it."
            )
    elif not is_by_election or _seats_unchanged_since(council=council) + constitution.term_nomination > now:
        raise RuntimeError(
            "The rules call a by-election for unfilled seats only once the shortfall has lasted "
            "the nomination period."
        )


@transaction.atomic
def call_election(
    *,
    actor: User | None,
    council: Council,
    kind: str,
    role: str = "",
    title: str = "",
    seats: int | None = None,
    method: str | None = None,
    is_by_election: bool = False,
    term_ends_at: datetime | None = None,
    post_term_ends_at: datetime | None = None,
    after_failure: Election | None = None,
    first: bool = False,
    unfilled_seats: bool = False,
    now: datetime,
) -> Election:
    """Open nominations for the council's delegates to its parent, or for one of its offices.

    `actor` None is the rules themselves: filling a vacancy (a by-election after a recall, a
    resignation, a loss of rights, a seat lost or a recount that left seats empty, in the action
    that emptied the post), or calling the ordinary election for the next term when the term of the
    post's holders, `post_term_ends_at`, ends within the constitution's `term_election_lead_days` or
    has ended, or the delegates' election a council is left without (`run_due_terms`). No officer is
    asked, so no officer can leave the post empty or keep it by never calling an election.
    Nominations in every election the rules call close after `term_nomination_days`
    (`nominations_close_at`); then the rules open the poll, or fail it when nobody stands, and
    certify it, unless an officer does sooner.

    `after_failure` is the failed last election of a post still empty, which the rules call again
    as a by-election (`_call_again_after_failure`). `first` is the rules calling a council's first
    delegates' election, which its chair has not called within the lead time of its creation, and
    `unfilled_seats` a by-election for the delegate seats a council is apportioned and has long
    left empty (`_call_for_unfilled_seats`).
    """
    constitution = constitution_queries.constitution_for(federation=council.federation_id)
    nominations_close_at = None
    if first or unfilled_seats:
        _check_unrepresented(
            actor=actor,
            council=council,
            kind=kind,
            first=first,
            is_by_election=is_by_election,
            constitution=constitution,
            now=now,
        )
    if after_failure is not None:
        if actor is not None or not is_by_election or after_failure.status != Election.Status.FAILED:
            raise RuntimeError("The rules call again, as a by-election, only a post whose election failed.")
        nominations_close_at = now + constitution.term_nomination
    elif actor is None:
        if (
            not is_by_election
            and not first
            and (post_term_ends_at is None or post_term_ends_at > now + constitution.term_election_lead)
        ):
            raise RuntimeError(
                "The rules call an ordinary election only for a term that ends within the lead time."
            )
        # The rules run every election they call to the end, so they set when its nominations close:
        # a by-election for a post a recall or a resignation emptied may have lost whoever ran them.
        nominations_close_at = now + constitution.term_nomination
    elif actor is not None:
        permissions.require(actor, "call", council)
    if kind == Election.Kind.DELEGATES:
        if council.parent is None:
            raise InvalidInputError(f"{council.name} has no council above it to send delegates to.")
        if role:
            raise InvalidInputError("A delegate election fills no office; leave the role empty.")
        apportioned = federation_queries.delegate_seats_for(child=council)
        sitting = Seat.objects.filter(from_council=council, ended_at__isnull=True).count()
        open_seats = apportioned - sitting if is_by_election else apportioned
        if seats is None:
            seats = open_seats
        if seats < 1 or seats > open_seats:
            delegates = "one delegate" if open_seats == 1 else f"{open_seats} delegates"
            raise InvalidInputError(
                f"{council.name} may elect {delegates} to {council.parent.name} now, not {seats}."
            )
        title = title.strip() or f"Delegates of {council.name} to {council.parent.name}"
    elif kind == Election.Kind.OFFICE:
        if role not in ELECTABLE_ROLES:
            raise InvalidInputError(f"Choose an office to elect: {', '.join(ELECTABLE_ROLES)}.")
        seats = 1 if seats is None else seats
        if seats < 1:
            raise InvalidInputError("An election fills at least one seat.")
        title = title.strip() or f"{Office.Role(role).label} of {council.name}"
    else:
        raise InvalidInputError("An election is of delegates or of an officer.")
    method = method or rules.default_method(seats)
    if method not in METHODS:
        raise InvalidInputError(f"Unknown counting method {method!r}; choose from {', '.join(METHODS)}.")
    if len(title) > 200:
        raise InvalidInputError("The title is longer than 200 characters.")
    if term_ends_at is not None:
        # Checked from the call: the term then starts at certification, later, so it can only be shorter.
        term_rules.check_term(council, now, term_ends_at)
    election = Election.objects.create(
        council=council,
        kind=kind,
        role=role,
        title=title,
        seats=seats,
        method=method,
        is_by_election=is_by_election,
        term_ends_at=term_ends_at,
        called_by=actor,
        called_at=now,
        called_for=(
            Election.CalledFor.FIRST_DELEGATES
            if first
            else Election.CalledFor.UNFILLED_SEATS
            if unfilled_seats
            else ""
        ),
        nominations_close_at=nominations_close_at,
    )
    payload: dict[str, Any] = {
        "election": str(election.uuid),
        "kind": kind,
        "role": role or None,
        "title": title,
        "seats": seats,
        "method": method,
        "is_by_election": is_by_election,
        "term_ends_at": term_ends_at.isoformat() if term_ends_at else None,
        "nominations_close_at": format_time(nominations_close_at) if nominations_close_at else None,
    }
    if actor is None:
        payload["constitution"] = constitution.version
        if first:
            payload["first"] = True
        elif not is_by_election:
            assert post_term_ends_at is not None
            payload["post_term_ends_at"] = format_time(post_term_ends_at)
        if after_failure is not None:
            payload["after_failure"] = str(after_failure.uuid)
        if unfilled_seats:
            payload["unfilled_seats"] = True
        if first or unfilled_seats:
            payload["apportioned"] = apportioned
            payload["sitting"] = sitting
    append_entry(event="election.called", actor=actor, council=council, payload=payload, now=now)
    publish_on_commit(f"council-{council.uuid}", {"type": "elections.changed"})
    return election


def sitting_terms(*, election: Election) -> QuerySet[Any]:
    """The seats or offices an ordinary election replaces: those of its post still held."""
    if election.kind == Election.Kind.DELEGATES:
        return Seat.objects.filter(from_council=election.council_id, ended_at__isnull=True).order_by("pk")
    return Office.objects.filter(
        council=election.council_id, role=election.role, ended_at__isnull=True
    ).order_by("pk")


def _refuse_sitting(candidates: Sequence[User], election: Election) -> None:
    """A by-election fills vacancies: someone already sitting for the council cannot stand in it."""
    if election.kind != Election.Kind.DELEGATES or not election.is_by_election:
        return
    sitting = Seat.objects.filter(
        from_council=election.council, user__in=candidates, ended_at__isnull=True
    ).select_related("user")
    if sitting:
        names = ", ".join(sorted(s.user.name for s in sitting))
        raise InvalidInputError(f"Already a delegate of {election.council.name}: {names}.")


def _refuse_term_breakers(candidates: Sequence[User], election: Election, now: datetime) -> None:
    """Refuse, quoting the constitution, anyone a new term would take past the limit of consecutive terms."""
    role = DELEGATE_ROLE if election.kind == Election.Kind.DELEGATES else election.role
    for candidate in candidates:
        term_rules.check_eligible_for_office(candidate, election.council, role, now)


@transaction.atomic
def nominate(*, actor: User, election: Election, candidate: User, now: datetime) -> Candidacy:
    """Nominate a voter of the council; a self-nomination stands at once, others once accepted."""
    election = _lock(election)
    permissions.require(actor, "nominate", election)
    _require_status(election, Election.Status.NOMINATING)
    if not federation_queries.is_voter(user=candidate, council=election.council):
        # Not named: the nominator may not know who holds the UUID they sent (a member of a council whose
        # members are hidden from them), and a missing person is refused alike.
        raise InvalidInputError(f"That person is not a voter of {election.council.name}.")
    _refuse_sitting([candidate], election)
    _refuse_term_breakers([candidate], election, now)
    # The constraint of one candidacy per election refuses a second, not a query first. No savepoint:
    # the ConflictError leaves the action's atomic block.
    try:
        candidacy = Candidacy.objects.create(
            election=election,
            candidate=candidate,
            nominated_by=actor,
            nominated_at=now,
            accepted_at=now if candidate.pk == actor.pk else None,
        )
    except IntegrityError:
        raise ConflictError(f"{candidate.name} is already nominated.") from None
    append_entry(
        event="election.nominated",
        actor=actor,
        council=election.council,
        payload={
            "election": str(election.uuid),
            "candidacy": str(candidacy.uuid),
            "candidate": str(candidate.uuid),
            "accepted": candidacy.accepted_at is not None,
        },
        now=now,
    )
    publish_on_commit(_channel(election), {"type": "candidates.changed"})
    return candidacy


@transaction.atomic
def record_nomination_forms(
    *, actor: User, election: Election, forms: Sequence[tuple[User, User]], now: datetime
) -> list[Candidacy]:
    """Enter signed paper nomination forms, each (candidate, nominator), handed to the election officer.

    The candidate's signature on the form is their acceptance, so each stands at once.
    """
    election = _lock(election)
    permissions.require(actor, "run", election)
    _require_status(election, Election.Status.NOMINATING)
    candidates = [c for c, _ in forms]
    if not forms or len({c.pk for c in candidates}) != len(candidates):
        raise InvalidInputError("Enter each candidate's form once, and at least one.")
    voters = set(
        federation_queries.list_voters(council=election.council)
        .filter(pk__in={u.pk for form in forms for u in form})
        .values_list("pk", flat=True)
    )
    outside = [u.name for form in forms for u in form if u.pk not in voters]
    if outside:
        raise InvalidInputError(f"Not voters of {election.council.name}: {', '.join(sorted(set(outside)))}.")
    _refuse_sitting(candidates, election)
    _refuse_term_breakers(candidates, election, now)
    # As in nominate, the constraint refuses a second candidacy.
    try:
        candidacies = Candidacy.objects.bulk_create(
            [
                Candidacy(election=election, candidate=c, nominated_by=by, nominated_at=now, accepted_at=now)
                for c, by in forms
            ]
        )
    except IntegrityError:
        raise ConflictError("Someone on these forms is already nominated.") from None
    append_entry(
        event="election.nominations_recorded",
        actor=actor,
        council=election.council,
        payload={
            "election": str(election.uuid),
            "nominations": [
                {
                    "candidacy": str(c.uuid),
                    "candidate": str(c.candidate.uuid),
                    "nominated_by": str(c.nominated_by.uuid),
                }
                for c in candidacies
            ],
        },
        now=now,
    )
    publish_on_commit(_channel(election), {"type": "candidates.changed"})
    return candidacies


def _candidate_own(actor: User, candidacy: Candidacy) -> Election:
    election = _lock(candidacy.election)
    if candidacy.candidate_id != actor.pk:
        raise PermissionDeniedError("Only the candidate may answer their nomination.")
    _require_status(election, Election.Status.NOMINATING)
    return election


@transaction.atomic
def accept_nomination(*, actor: User, candidacy: Candidacy, now: datetime) -> Candidacy:
    """The candidate agrees to stand."""
    election = _candidate_own(actor, candidacy)
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    if candidacy.withdrawn_at is not None:
        raise ConflictError("This nomination was withdrawn.")
    if candidacy.accepted_at is not None:
        raise ConflictError("You have already accepted this nomination.")
    _refuse_term_breakers([actor], election, now)
    candidacy.accepted_at = now
    candidacy.save(update_fields=["accepted_at"])
    append_entry(
        event="election.nomination_accepted",
        actor=actor,
        council=election.council,
        payload={"election": str(election.uuid), "candidacy": str(candidacy.uuid)},
        now=now,
    )
    publish_on_commit(_channel(election), {"type": "candidates.changed"})
    return candidacy


def _withdraw(
    *, candidacy: Candidacy, election: Election, actor: User | None, reason: str | None, now: datetime
) -> None:
    """Withdraw a locked candidacy of a locked election and say so in the record."""
    candidacy.withdrawn_at = now
    candidacy.save(update_fields=["withdrawn_at"])
    payload = {"election": str(election.uuid), "candidacy": str(candidacy.uuid)}
    if reason is not None:
        payload["reason"] = reason
    append_entry(
        event="election.nomination_withdrawn",
        actor=actor,
        council=election.council,
        payload=payload,
        now=now,
    )
    publish_on_commit(_channel(election), {"type": "candidates.changed"})


@transaction.atomic
def withdraw_candidacy(*, actor: User, candidacy: Candidacy, now: datetime) -> Candidacy:
    """The candidate declines or withdraws before voting opens."""
    election = _candidate_own(actor, candidacy)
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    if candidacy.withdrawn_at is not None:
        raise ConflictError("This nomination was already withdrawn.")
    _withdraw(candidacy=candidacy, election=election, actor=actor, reason=None, now=now)
    return candidacy


def withdraw_all_candidacies(
    *, user: User, reason: str, now: datetime, councils: Collection[Council] | None = None
) -> list[Candidacy]:
    """Withdraw, as the rules, every candidacy of `user` in an election not yet closed.

    Runs inside the action that took the person's rights (a discipline outcome) or ended their
    membership; given `councils`, only in the elections those councils hold. Once voting
    has opened the name stays on the ballots already cast; the count passes over it, and each
    of those ballots goes to its next preference (docs/elections.md).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("withdraw_all_candidacies runs inside the action that took the member's rights")
    running = (Election.Status.NOMINATING, Election.Status.VOTING)
    standing = Candidacy.objects.filter(
        candidate=user, withdrawn_at__isnull=True, election__status__in=running
    )
    if councils is not None:
        standing = standing.filter(election__council__in=list(councils))
    withdrawn: list[Candidacy] = []
    for candidacy in standing.select_related("election").order_by("election_id"):
        election = _lock(candidacy.election)
        candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
        if election.status not in running or candidacy.withdrawn_at is not None:
            continue
        _withdraw(candidacy=candidacy, election=election, actor=None, reason=reason, now=now)
        withdrawn.append(candidacy)
    return withdrawn


@transaction.atomic
def open_voting(*, actor: User | None, election: Election, closes_at: datetime, now: datetime) -> Election:
    """Freeze the electorate and the candidates, with their hashes in the record, and open the poll.

    The poll closes at `closes_at`, no sooner and no later than the constitution in force allows
    (`election_poll_min_minutes`, `election_poll_max_days`): no ballot is taken from then, and the
    rules close it then unless everyone has voted before.

    `actor` None is the rules opening the poll of an election they called once its nominations
    have closed (`run_due_terms`), so that no officer can hold a called election back; an officer
    may still open it sooner.
    """
    election = _lock(election)
    if actor is not None:
        permissions.require(actor, "run", election)
    _require_status(election, Election.Status.NOMINATING)
    if actor is None:
        if election.called_by_id is not None or election.nominations_close_at is None:
            raise RuntimeError("The rules open only the poll of an election they called.")
        if now < election.nominations_close_at:
            raise ConflictError(
                f"Nominations are open until {format_time(election.nominations_close_at)}.",
                code="election_state",
            )
    constitution = constitution_queries.constitution_for(federation=election.council.federation_id)
    polls.check_closing_time(
        opens_at=now,
        closes_at=closes_at,
        minimum=constitution.election_poll_min,
        maximum=constitution.election_poll_max,
    )
    standing = list(
        Candidacy.objects.filter(election=election, accepted_at__isnull=False, withdrawn_at__isnull=True)
        .select_related("candidate")
        .order_by("uuid")
    )
    if not standing:
        raise ConflictError("No candidate has accepted a nomination yet.")
    voter_ids = list(
        federation_queries.list_voters(council=election.council).order_by("id").values_list("id", "uuid")
    )
    if not voter_ids:
        raise ConflictError(f"{election.council.name} has no voters.")
    Elector.objects.bulk_create([Elector(election=election, user_id=pk) for pk, _ in voter_ids])
    # Nominations never accepted lapse now; earlier withdrawals keep their time.
    Candidacy.objects.filter(election=election, withdrawn_at__isnull=True).exclude(
        pk__in=[c.pk for c in standing]
    ).update(withdrawn_at=now)
    candidates = [{"candidacy": str(c.uuid), "person": str(c.candidate.uuid)} for c in standing]
    sealing.create_key(str(election.uuid))
    election.status = Election.Status.VOTING
    election.opened_at = now
    election.closes_at = closes_at
    election.electorate_size = len(voter_ids)
    election.electorate_hash = rules.list_hash(str(u) for _, u in voter_ids)
    election.candidates_hash = rules.list_hash(f"{c['candidacy']}:{c['person']}" for c in candidates)
    election.save(
        update_fields=[
            "status",
            "opened_at",
            "closes_at",
            "electorate_size",
            "electorate_hash",
            "candidates_hash",
        ]
    )
    append_entry(
        event="election.opened",
        actor=actor,
        council=election.council,
        payload={
            "election": str(election.uuid),
            "method": election.method,
            "seats": election.seats,
            "candidates": candidates,
            "candidates_hash": election.candidates_hash,
            "electorate_size": election.electorate_size,
            "electorate_hash": election.electorate_hash,
            "closes_at": format_time(closes_at),
            "constitution": constitution.version,
        },
        now=now,
    )
    publish_on_commit(_channel(election), {"type": "election.opened"})
    publish_on_commit(f"council-{election.council.uuid}", {"type": "elections.changed"})
    from councils.elections.tasks import schedule_close

    election_uuid = str(election.uuid)
    transaction.on_commit(lambda: schedule_close(election_uuid=election_uuid, at=closes_at))
    return election


def _lock_votes(*, council: Council, users: Sequence[User]) -> set[int]:
    """Lock the memberships or seats that give `users` a vote in `council`; return the ids of those with one.

    The electorate frozen at opening is the most who may vote; each voter must also still have
    their vote when the ballot is cast. Leaving, discipline and recall lock the same rows before
    they end a vote, so a ballot is recorded either before its voter's vote ended or not at all.
    """
    ids = [u.pk for u in users]
    if council.is_base:
        held: QuerySet[Any] = Membership.objects.filter(user__in=ids, council=council, ended_at__isnull=True)
    else:
        held = Seat.objects.filter(user__in=ids, council=council, ended_at__isnull=True)
    list(held.select_for_update(of=("self",)).values_list("pk", flat=True))
    return set(
        federation_queries.list_voters(council=council).filter(pk__in=ids).values_list("pk", flat=True)
    )


def cast_ballot(
    *,
    actor: User,
    election: Election,
    ranking: Sequence[str] = (),
    approvals: Sequence[str] = (),
    now: datetime,
    idempotency_key: str | None = None,
) -> bool:
    """Record that `actor` voted and queue their ballot, unlinked, for the box; False for a retry.

    The ballot cannot be changed afterwards: nothing links it to the voter. A
    retry with the same `idempotency_key` after a cast that did commit is
    answered as done instead of refused.
    """
    with transaction.atomic():
        with_vote = _lock_votes(council=election.council, users=[actor])
        election = _lock(election)
        _require_status(election, Election.Status.VOTING)
        polls.check_in_time(closes_at=election.closes_at, now=now)
        if not Elector.objects.filter(election=election, user=actor).exists():
            raise PermissionDeniedError("You are not in this election's electorate.")
        if not with_vote:
            raise PermissionDeniedError(
                f"You no longer have a vote in {election.council.name}, so you cannot vote in its election."
            )
        candidates = [
            str(u)
            for u in election.candidacies.filter(withdrawn_at__isnull=True).values_list("uuid", flat=True)
        ]
        stored = rules.normalise_ballot(
            method=election.method,
            seats=election.seats,
            candidates=candidates,
            ranking=[str(r) for r in ranking],
            approvals=[str(a) for a in approvals],
        )
        key_hash = (
            hashlib.sha256(f"{election.uuid}:{idempotency_key}".encode()).hexdigest()
            if idempotency_key
            else ""
        )
        existing = Participation.objects.filter(election=election, user=actor).first()
        if existing is not None and key_hash and existing.idempotency_hash == key_hash:
            return False
        already = ConflictError("You have already voted in this election.", code="already_voted")
        if existing is not None:
            raise already
        # No savepoint (two round trips): the ConflictError leaves the cast's transaction, which rolls back.
        try:
            Participation.objects.create(election=election, user=actor, idempotency_hash=key_hash)
        except IntegrityError:
            raise already from None
        PendingBallot.objects.create(
            election=election, sealed=sealing.seal(str(election.uuid), choice=json.dumps(stored), receipt="")
        )
        append_entry(
            event="election.ballot_cast",
            actor=actor,
            council=election.council,
            payload={"election": str(election.uuid)},
            now=now,
        )
        voted = Participation.objects.filter(election=election).count()
        publish_on_commit(_channel(election), {"type": "turnout", "voted": voted})
        election_pk = election.pk
        transaction.on_commit(lambda: flush_ballots(election_pk=election_pk))
    return True


@transaction.atomic
def record_paper_ballots(
    *,
    actor: User,
    election: Election,
    voters: Sequence[User],
    rankings: Sequence[Sequence[Sequence[str]]],
    now: datetime,
) -> int:
    """Enter the ballots of a paper vote held at a meeting, with the list of who handed one in.

    The tellers enter the paper ballots, already mixed in the box, in one
    batch; the voters' list and the ballots cannot be matched within it.
    Each ranking is a list of preference levels of candidacy UUIDs, as stored.
    """
    with_vote = _lock_votes(council=election.council, users=voters)
    election = _lock(election)
    permissions.require(actor, "run", election)
    _require_status(election, Election.Status.VOTING)
    polls.check_in_time(closes_at=election.closes_at, now=now)
    if len(voters) != len(rankings) or not voters:
        raise InvalidInputError("Enter one paper ballot for each voter on the list, and at least one.")
    voter_ids = {v.pk for v in voters}
    if len(voter_ids) != len(voters):
        raise InvalidInputError("A voter appears twice on the list.")
    electors = set(
        Elector.objects.filter(election=election, user_id__in=voter_ids).values_list("user_id", flat=True)
    )
    if electors != voter_ids:
        raise InvalidInputError("Someone on the list is not in this election's electorate.")
    if without := sorted(v.name for v in voters if v.pk not in with_vote):
        raise InvalidInputError(f"No longer voters of {election.council.name}: {', '.join(without)}.")
    candidates = [
        str(u) for u in election.candidacies.filter(withdrawn_at__isnull=True).values_list("uuid", flat=True)
    ]
    stored = [
        rules.normalise_ballot(
            method=election.method,
            seats=election.seats,
            candidates=candidates,
            ranking=[c for level in r for c in level] if election.is_ranked else [],
            approvals=[] if election.is_ranked else [c for level in r for c in level],
        )
        for r in rankings
    ]
    # No savepoint (two round trips): the ConflictError leaves the action's transaction, which rolls back.
    try:
        Participation.objects.bulk_create([Participation(election=election, user=v) for v in voters])
    except IntegrityError:
        raise ConflictError("Someone on the list has already voted.", code="already_voted") from None
    random.SystemRandom().shuffle(stored)
    Ballot.objects.bulk_create([Ballot(election=election, ranking=r) for r in stored])
    append_entry(
        event="election.paper_ballots_recorded",
        actor=actor,
        council=election.council,
        payload={
            "election": str(election.uuid),
            "voters": sorted(str(v.uuid) for v in voters),
            "ballots": len(stored),
        },
        now=now,
    )
    voted = Participation.objects.filter(election=election).count()
    publish_on_commit(_channel(election), {"type": "turnout", "voted": voted})
    return len(stored)


def flush_ballots(*, election_pk: int, force: bool = False) -> int:
    """Move pending ballots into the box in one shuffled batch once enough wait; return how many moved.

    Each batch hides at least COUNCILS_SECRET_BATCH_SIZE voters from one
    another. No running count is ever shown during an election, so small
    batches simply wait for the close (`force`) instead of a timer.
    """
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election_pk)
        pending = list(PendingBallot.objects.filter(election=election))
        if not pending or (len(pending) < settings.COUNCILS_SECRET_BATCH_SIZE and not force):
            return 0
        key = str(election.uuid)
        rankings = [json.loads(sealing.unseal(key, bytes(p.sealed))[0]) for p in pending]
        random.SystemRandom().shuffle(rankings)
        Ballot.objects.bulk_create([Ballot(election=election, ranking=r) for r in rankings])
        PendingBallot.objects.filter(pk__in=[p.pk for p in pending]).delete()
        return len(pending)


@transaction.atomic
def close_election(*, actor: User | None, election: Election, now: datetime) -> Election:
    """Close the poll, rewrite the box in random order, draw the seed and count.

    `actor` None is the rules closing the poll at its closing time (`tasks.close_due_election`).
    Before then nobody, an officer or the rules, may close it until every elector has voted. A poll
    that closes with no ballot, or with every candidate withdrawn since it opened, cannot be counted:
    the election fails (`_fail`) and nobody is elected.
    """
    election = _lock(election)
    if actor is not None:
        permissions.require(actor, "run", election)
    _require_status(election, Election.Status.VOTING)
    turnout = Participation.objects.filter(election=election).count()
    polls.check_close(
        closes_at=election.closes_at,
        now=now,
        turnout=turnout,
        electorate=election.electorate_size,
        what="poll",
    )
    flush_ballots(election_pk=election.pk, force=True)
    if not Ballot.objects.filter(election=election).exists():
        return _fail(
            actor=actor, election=election, reason=Election.FailureReason.NO_BALLOTS, turnout=turnout, now=now
        )
    rankings: list[Any] = list(Ballot.objects.filter(election=election).values_list("ranking", flat=True))
    random.SystemRandom().shuffle(rankings)
    Ballot.objects.filter(election=election).delete()
    Ballot.objects.bulk_create([Ballot(election=election, ranking=r) for r in rankings])
    if not _anyone_standing(election):
        return _fail(
            actor=actor,
            election=election,
            reason=Election.FailureReason.NO_CANDIDATES,
            turnout=turnout,
            now=now,
        )
    candidates, withdrawn = queries.ballot_candidates(election=election)
    election.seed = secrets.token_hex(16)
    tally_input = rules.tally_election(
        candidates=candidates,
        withdrawn=withdrawn,
        seats=election.seats,
        rankings=rankings,
        title=election.title,
    )
    result = count(tally_input, method=election.method, seed=election.seed).to_json()
    election.status = Election.Status.CLOSED
    election.closed_at = now
    election.ballot_count = len(rankings)
    election.ballot_set_hash = rules.ballot_set_hash(rankings)
    election.result = result
    election.save(update_fields=["seed", "status", "closed_at", "ballot_count", "ballot_set_hash", "result"])
    Candidacy.objects.filter(election=election, uuid__in=result["elected"]).update(is_elected=True)
    append_entry(
        event="election.closed",
        actor=actor,
        council=election.council,
        payload={
            "election": str(election.uuid),
            "turnout": turnout,
            "electorate_size": election.electorate_size,
            "ballots": election.ballot_count,
            "ballot_set_hash": election.ballot_set_hash,
            "ballot_set": rules.published_ballot_set(rankings),
            "seed": election.seed,
            "elected": result["elected"],
        },
        now=now,
    )
    _poll_ended(election, "election.closed")
    return election


def _poll_ended(election: Election, event: str) -> None:
    """Once the poll's end commits: forget the key that sealed its ballots, and tell the pages."""
    election_key = str(election.uuid)
    transaction.on_commit(lambda: sealing.delete_key(election_key))
    publish_on_commit(_channel(election), {"type": event})
    publish_on_commit(f"council-{election.council.uuid}", {"type": "elections.changed"})


def _anyone_standing(election: Election) -> bool:
    """Whether anyone on the ballot is still a candidate, so that a count can elect someone."""
    candidates, withdrawn = queries.ballot_candidates(election=election)
    return bool(set(candidates) - set(withdrawn))


def _fail(*, actor: User | None, election: Election, reason: str, turnout: int, now: datetime) -> Election:
    """End an election that can elect nobody: its poll closed with no ballot, or with no candidate left.

    A poll fails at its close (`close_election`), or at certification when the countback has withdrawn
    every candidate left (`certify_election`); the close's time and count then stay as they were.
    The seats or office stay as they were (sitting holders in place, a vacancy still vacant). An
    officer may call the next election at once; once `term_nomination_days` have passed, the rules
    call it themselves for a post still empty (`_call_again_after_failure`, docs/elections.md).
    """
    election.status = Election.Status.FAILED
    election.failure_reason = reason
    election.closed_at = election.closed_at or now
    election.save(update_fields=["status", "failure_reason", "closed_at"])
    append_entry(
        event="election.failed",
        actor=actor,
        council=election.council,
        payload={
            "election": str(election.uuid),
            "reason": reason,
            "turnout": turnout,
            "electorate_size": election.electorate_size,
        },
        now=now,
    )
    _poll_ended(election, "election.failed")
    return election


# Why a winner is withdrawn at certification: they no longer have a vote in the council they would sit for.
NO_LONGER_ELIGIBLE = "no_longer_eligible"


def _count_back(*, actor: User | None, election: Election, now: datetime) -> bool:
    """Withdraw the winners who can no longer take up their seat and count the ballots again without them.

    A winner who left, was suspended or expelled, or lost the seat that gave them a vote between
    the close and certification cannot speak for the council (`federation.actions.seat_delegate`
    refuses them), so, as in a countback, they are treated as withdrawn and the ballots, seed and
    method of the close are counted again (`election.recounted`). A winner of the recount may have
    lost their vote too, so this repeats until every winner still has one. True if it recounted.
    """
    assert election.result is not None
    recounted = False
    while True:
        winners = list(
            election.candidacies.select_related("candidate")
            .filter(uuid__in=election.result["elected"])
            .order_by("uuid")
        )
        with_vote = _lock_votes(council=election.council, users=[c.candidate for c in winners])
        unseatable = [c for c in winners if c.candidate_id not in with_vote]
        if not unseatable:
            return recounted
        recounted = True
        for candidacy in unseatable:
            _withdraw(candidacy=candidacy, election=election, actor=None, reason=NO_LONGER_ELIGIBLE, now=now)
        result = queries.recount(election=election).to_json()
        election.result = result
        election.save(update_fields=["result"])
        candidacies = Candidacy.objects.filter(election=election)
        candidacies.exclude(uuid__in=result["elected"]).update(is_elected=False)
        candidacies.filter(uuid__in=result["elected"]).update(is_elected=True)
        append_entry(
            event="election.recounted",
            actor=actor,
            council=election.council,
            payload={
                "election": str(election.uuid),
                "withdrawn": [
                    {
                        "candidacy": str(c.uuid),
                        "person": str(c.candidate.uuid),
                        "reason": NO_LONGER_ELIGIBLE,
                    }
                    for c in unseatable
                ],
                "ballot_set_hash": election.ballot_set_hash,
                "seed": election.seed,
                "elected": result["elected"],
                "count": result,
            },
            now=now,
        )
        publish_on_commit(_channel(election), {"type": "election.recounted"})


def _call_shortfall_byelection(
    *, election: Election, elected: int, term_ends_at: datetime, now: datetime
) -> Election | None:
    """Call, as the rules, a by-election for the seats a recount left empty (too few candidates remained).

    It fills the rest of the term just certified, as a by-election after a recall does.
    """
    council = election.council
    shortfall = election.seats - elected
    if election.kind == Election.Kind.DELEGATES:
        sitting = Seat.objects.filter(from_council=council, ended_at__isnull=True).count()
        # A council that shrank since the call may already send as many delegates as it now may.
        shortfall = min(shortfall, federation_queries.delegate_seats_for(child=council) - sitting)
    if shortfall < 1:
        return None
    return call_election(
        actor=None,
        council=council,
        kind=election.kind,
        role=election.role,
        seats=shortfall,
        is_by_election=True,
        term_ends_at=term_ends_at,
        now=now,
    )


def _replaced(held: Office | Seat, actor: User | None) -> str:
    """Why a certification ends a sitting holder: their term ended, or, held with no end, they are replaced.

    The rules certify only once every term they replace has ended, so a holder they end with no term
    end on record is said to be replaced, never to have reached a term's end it did not have.
    """
    return "replaced" if actor is None and held.term_ends_at is None else "term_ended"


@transaction.atomic
def certify_election(*, actor: User | None, election: Election, now: datetime) -> Election:
    """Certify the count and seat the elected: delegates in the parent council, or officers.

    Winners who lost their vote in the council since the close are withdrawn and the ballots
    recounted without them (`_count_back`); seats the recount cannot fill go to a by-election.
    When the countback leaves no candidate at all, the election fails instead, as a poll with
    no candidate left at its close does.

    `actor` None is the rules certifying an election they called (`run_due_terms`), so that no
    officer can keep the elected out by never certifying. An ordinary election's winners then
    take over when the term they follow has ended: the rules never end a term early, though an
    officer certifying sooner replaces the sitting holders at once.
    """
    election = _lock(election)
    if actor is not None:
        permissions.require(actor, "run", election)
    _require_status(election, Election.Status.CLOSED)
    if actor is None:
        if election.called_by_id is not None or election.nominations_close_at is None:
            raise RuntimeError("The rules certify only an election they called.")
        if not election.is_by_election and sitting_terms(election=election).filter(term_ends_at__gt=now):
            raise ConflictError(
                "The term of the sitting holders has not ended yet; the rules certify when it does.",
                code="election_state",
            )
    recounted = _count_back(actor=actor, election=election, now=now)
    if not _anyone_standing(election):
        return _fail(
            actor=actor,
            election=election,
            reason=Election.FailureReason.NO_CANDIDATES,
            turnout=queries.count_turnout(election=election),
            now=now,
        )
    assert election.result is not None
    elected = {
        str(c.uuid): c for c in election.candidacies.select_related("candidate").filter(is_elected=True)
    }
    order = [elected[u] for u in election.result["elected"]]
    council = election.council
    # Nobody is elected for an indefinite term: without a date set at the call, the constitution's applies;
    # so it does when that date has passed (a by-election certified after the vacated term ran out).
    term_ends_at = election.term_ends_at
    if term_ends_at is None or term_ends_at <= now:
        term_ends_at = term_rules.term_end(council, now)
    election.status = Election.Status.CERTIFIED
    election.certified_at = now
    election.term_ends_at = term_ends_at
    election.save(update_fields=["status", "certified_at", "term_ends_at"])
    append_entry(
        event="election.certified",
        actor=actor,
        council=election.council,
        payload={
            "election": str(election.uuid),
            "elected": [{"candidacy": str(c.uuid), "person": str(c.candidate.uuid)} for c in order],
            "ballot_set_hash": election.ballot_set_hash,
            "term_ends_at": term_ends_at.isoformat(),
            "count": election.result,
        },
        now=now,
    )
    held_through: list[Seat | Office] = []
    if election.kind == Election.Kind.DELEGATES:
        if not election.is_by_election:
            reseated = {c.candidate_id for c in order}
            for seat in (
                sitting_terms(election=election).select_for_update().select_related("user", "council")
            ):
                federation_actions.end_seat(seat=seat, reason=_replaced(seat, actor), actor=actor, now=now)
                # A delegate elected again stays a member of the council above without a break.
                if seat.user_id not in reseated:
                    held_through += federation_actions.end_held_through(seat=seat, actor=actor, now=now)
        for candidacy in order:
            federation_actions.seat_delegate(
                from_council=council,
                user=candidacy.candidate,
                election_uuid=str(election.uuid),
                term_ends_at=term_ends_at,
                now=now,
            )
    else:
        if not election.is_by_election:
            for office in (
                sitting_terms(election=election).select_for_update().select_related("user", "council")
            ):
                federation_actions.vacate_office(
                    office=office, reason=_replaced(office, actor), actor=actor, now=now
                )
        for candidacy in order:
            federation_actions.fill_office(
                council=council,
                user=candidacy.candidate,
                role=election.role,
                term_ends_at=term_ends_at,
                now=now,
            )
    if recounted and len(order) < election.seats:
        _call_shortfall_byelection(election=election, elected=len(order), term_ends_at=term_ends_at, now=now)
    call_byelections(ended=held_through, now=now)
    publish_on_commit(_channel(election), {"type": "election.certified"})
    publish_on_commit(f"council-{council.uuid}", {"type": "elections.changed"})
    return election


def call_byelections(*, ended: Iterable[Seat | Office], now: datetime) -> list[Election]:
    """Call, as the rules, a by-election for each council left with empty seats and each emptied office.

    Each fills the rest of the vacated term, not a new one. Runs inside the action that ended
    `ended` (a recall, a resignation, a loss of rights, a term's end or a certification).
    """
    ended = list(ended)
    electing: dict[int, Council] = {}
    vacated: dict[int, list[Seat]] = defaultdict(list)
    for seat in ended:
        if isinstance(seat, Seat):
            electing.setdefault(seat.from_council_id, seat.from_council)
            vacated[seat.from_council_id].append(seat)
    called = []
    for council in sorted(electing.values(), key=lambda c: c.pk):
        sitting = Seat.objects.filter(from_council=council, ended_at__isnull=True).count()
        # A council that shrank since its last election may already have as many delegates as it now sends.
        if federation_queries.delegate_seats_for(child=council) > sitting:
            called.append(
                call_election(
                    actor=None,
                    council=council,
                    kind=Election.Kind.DELEGATES,
                    is_by_election=True,
                    term_ends_at=term_rules.remainder_of_term(council, vacated[council.pk], now),
                    now=now,
                )
            )
    for office in ended:
        if isinstance(office, Office) and office.role in ELECTABLE_ROLES:
            called.append(
                call_election(
                    actor=None,
                    council=office.council,
                    kind=Election.Kind.OFFICE,
                    role=office.role,
                    is_by_election=True,
                    term_ends_at=term_rules.remainder_of_term(office.council, [office], now),
                    now=now,
                )
            )
    return called


# Terms end by themselves: what the rules do when no officer acts (docs/elections.md).

UNDER_WAY = (Election.Status.NOMINATING, Election.Status.VOTING, Election.Status.CLOSED)


@dataclass
class TermsRun:
    """What one run of `run_due_terms` did, and what it could not do and why."""

    ended: list[Office | Seat] = field(default_factory=list)
    closed: list[Election] = field(default_factory=list)
    certified: list[Election] = field(default_factory=list)
    opened: list[Election] = field(default_factory=list)
    failed: list[Election] = field(default_factory=list)
    called: list[Election] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    # The polls whose key files the run deleted (closed) or set aside (claimed by no poll): files, not
    # rows, so not counted in `changed`.
    removed_keys: list[str] = field(default_factory=list)
    set_aside_keys: list[str] = field(default_factory=list)
    constitutions: dict[int, Constitution] = field(default_factory=dict, repr=False)

    @property
    def changed(self) -> int:
        return sum(
            len(x) for x in (self.ended, self.closed, self.certified, self.opened, self.failed, self.called)
        )

    def rules_of(self, council: Council) -> Constitution:
        """The constitution in force in `council`'s federation, read once a run."""
        if council.federation_id not in self.constitutions:
            self.constitutions[council.federation_id] = constitution_queries.constitution_for(
                federation=council.federation_id
            )
        return self.constitutions[council.federation_id]


@transaction.atomic
def end_expired_term(*, held: Office | Seat, now: datetime) -> bool:
    """End, as the rules, an office or seat whose term has passed; False if it was already ended.

    Nobody holds a post past the term they were given: the holder does not stay on until an
    election nobody calls. What a delegate held through the seat ends with it (`seat_lost`), and
    the rules call the by-elections for it, as after a recall.
    """
    locked: Office | Seat = (
        type(held).objects.select_for_update(of=("self",)).select_related("user", "council").get(pk=held.pk)
    )
    if locked.ended_at is not None or locked.term_ends_at is None or locked.term_ends_at > now:
        return False
    if isinstance(locked, Office):
        federation_actions.vacate_office(office=locked, reason="term_ended", actor=None, now=now)
    else:
        federation_actions.end_seat(seat=locked, reason="term_ended", actor=None, now=now)
        call_byelections(ended=federation_actions.end_held_through(seat=locked, actor=None, now=now), now=now)
    return True


@transaction.atomic
def fail_without_candidates(*, election: Election, now: datetime) -> Election:
    """Fail, as the rules, an election they called whose nominations closed with nobody standing."""
    election = _lock(election)
    _require_status(election, Election.Status.NOMINATING)
    if election.called_by_id is not None or election.nominations_close_at is None:
        raise RuntimeError("The rules end only the nominations of an election they called.")
    if now < election.nominations_close_at:
        raise ConflictError("Nominations are still open.", code="election_state")
    if Candidacy.objects.filter(
        election=election, accepted_at__isnull=False, withdrawn_at__isnull=True
    ).exists():
        raise ConflictError("A candidate stands: the poll opens.", code="election_state")
    return _fail(
        actor=None, election=election, reason=Election.FailureReason.NO_CANDIDATES, turnout=0, now=now
    )


def _post_key(election: Election) -> tuple[int, str, str]:
    return (election.council_id, election.kind, election.role)


def _try(run: TermsRun, what: str, step: Callable[..., Any], **arguments: Any) -> Any:
    """Run one step of the sweep in its own transaction; a refusal is reported, not raised."""
    try:
        return step(**arguments)
    except DomainError as exc:
        run.refused.append(f"{what}: {exc}")
        return None


def run_due_terms(*, now: datetime) -> TermsRun:
    """End the terms that have passed and run, as the rules, the elections for the next terms.

    Safe to run at any time and as often as wanted: each step acts only on what is due and is its
    own action. In order: (1) polls whose closing time has come are closed and counted; (2) counted
    elections the rules called are certified, an ordinary one once the term it follows has ended;
    (3) offices and seats whose term has passed, and were not just replaced, are ended; (4) the poll
    of an election the rules called opens when its nominations close, or it fails if nobody stands;
    (5) the ordinary election for a post is called when its holders' term ends within
    `term_election_lead_days`, or has just ended leaving the post empty, unless one is under way or
    was called for that term; (6) a council left without the delegates it is apportioned gets its
    first delegates' election or a by-election for the unfilled seats (`_call_for_unfilled_seats`);
    (7) a post left empty by a failed election is called again (`_call_again_after_failure`);
    (8) the ballot keys of closed polls are deleted and keys no poll claims set aside
    (`sealing.remove_stale_keys`).
    Certifying before ending terms lets a delegate elected again step from one term into the next,
    keeping what they hold in the council above.
    Officers keep every power they have: they may open a poll or certify sooner.
    """
    run = TermsRun()
    for election in Election.objects.filter(status=Election.Status.VOTING, closes_at__lte=now).order_by("pk"):
        closed = _try(run, election.title, close_election, actor=None, election=election, now=now)
        if closed is not None:
            (run.failed if closed.status == Election.Status.FAILED else run.closed).append(closed)
    rules_called = Election.objects.filter(called_by__isnull=True, nominations_close_at__isnull=False)
    for election in rules_called.filter(status=Election.Status.CLOSED).order_by("pk"):
        ending: list[Office | Seat] = []
        if not election.is_by_election:
            if sitting_terms(election=election).filter(term_ends_at__gt=now).exists():
                continue
            ending = list(sitting_terms(election=election).filter(term_ends_at__isnull=False))
        certified = _try(run, election.title, certify_election, actor=None, election=election, now=now)
        if certified is not None:
            if certified.status == Election.Status.CERTIFIED:
                run.certified.append(certified)
                run.ended += ending
            else:
                run.failed.append(certified)
    vacated = _end_due_terms(run=run, now=now)
    for election in rules_called.filter(
        status=Election.Status.NOMINATING, nominations_close_at__lte=now
    ).order_by("pk"):
        standing = Candidacy.objects.filter(
            election=election, accepted_at__isnull=False, withdrawn_at__isnull=True
        )
        if not standing.exists():
            failed = _try(run, election.title, fail_without_candidates, election=election, now=now)
            if failed is not None:
                run.failed.append(failed)
            continue
        poll = run.rules_of(election.council).term_poll
        opened = _try(
            run, election.title, open_voting, actor=None, election=election, closes_at=now + poll, now=now
        )
        if opened is not None:
            run.opened.append(opened)
    _call_due_elections(run=run, vacated=vacated, now=now)
    _call_for_unfilled_seats(run=run, now=now)
    _call_again_after_failure(run=run, now=now)
    run.removed_keys, run.set_aside_keys = sealing.remove_stale_keys(now=now, polls=_polls_with_keys)
    return run


def _polls_with_keys(polls: Collection[str]) -> dict[str, bool]:
    """Of `polls`, the secret votes and the elections past their nominations, each with whether it is open.

    An election still taking nominations is left out: its poll may be opening in a transaction not
    yet committed, and the key that transaction wrote is claimed once it does.
    """
    votes = Vote.objects.filter(uuid__in=polls).values_list("uuid", "closed_at")
    elections = (
        Election.objects.filter(uuid__in=polls)
        .exclude(status=Election.Status.NOMINATING)
        .values_list("uuid", "status")
    )
    return {
        **{str(poll): closed_at is None for poll, closed_at in votes},
        **{str(poll): status == Election.Status.VOTING for poll, status in elections},
    }


def _end_due_terms(*, run: TermsRun, now: datetime) -> dict[tuple[int, str, str], tuple[datetime, int]]:
    """End every office and seat whose term has passed; return each post emptied, with its term end."""
    vacated: dict[tuple[int, str, str], tuple[datetime, int]] = {}
    offices = Office.objects.filter(ended_at__isnull=True, term_ends_at__lte=now).order_by("pk")
    seats = Seat.objects.filter(ended_at__isnull=True, term_ends_at__lte=now).order_by("pk")
    holdings: list[Office | Seat] = [*offices, *seats]
    for held in holdings:
        if not _try(run, f"term of {held}", end_expired_term, held=held, now=now):
            continue
        run.ended.append(held)
        assert held.term_ends_at is not None
        key: tuple[int, str, str]
        if isinstance(held, Office):
            key = (held.council_id, Election.Kind.OFFICE, held.role)
        else:
            key = (held.from_council_id, Election.Kind.DELEGATES, "")
        ends, count = vacated.get(key, (held.term_ends_at, 0))
        vacated[key] = (min(ends, held.term_ends_at), count + 1)
    return vacated


def _call_due_elections(
    *, run: TermsRun, vacated: dict[tuple[int, str, str], tuple[datetime, int]], now: datetime
) -> None:
    """Call the ordinary election of each post whose term ends within the lead time or just left it empty."""
    posts: dict[tuple[int, str, str], tuple[datetime, int]] = {}
    held: list[tuple[tuple[int, str, str], datetime | None]] = [
        *(
            ((o.council_id, Election.Kind.OFFICE, o.role), o.term_ends_at)
            for o in Office.objects.filter(ended_at__isnull=True, role__in=ELECTABLE_ROLES)
        ),
        *(
            ((s.from_council_id, Election.Kind.DELEGATES, ""), s.term_ends_at)
            for s in Seat.objects.filter(ended_at__isnull=True)
        ),
    ]
    occupied = {key for key, _ in held}
    for key, ends in held:
        if ends is None:
            continue
        earliest, count = posts.get(key, (ends, 0))
        posts[key] = (min(earliest, ends), count + 1)
    # A post the terms just ended left empty; one still partly held follows its holders' terms.
    for key, (ends, count) in vacated.items():
        if key not in occupied and (key[1] == Election.Kind.DELEGATES or key[2] in ELECTABLE_ROLES):
            posts[key] = (ends, count)
    councils = {
        c.pk: c for c in Council.objects.filter(pk__in={k[0] for k in posts}).select_related("parent")
    }
    for key in sorted(posts):
        council_id, kind, role = key
        ends, count = posts[key]
        council = councils[council_id]
        lead = run.rules_of(council).term_election_lead
        if ends > now + lead:
            continue
        ordinary = Election.objects.filter(council=council, kind=kind, role=role, is_by_election=False)
        # One under way, or one called for this term already (which may have failed): nothing to call.
        if ordinary.filter(Q(status__in=UNDER_WAY) | Q(called_at__gte=ends - lead)).exists():
            continue
        _call(
            run,
            council=council,
            kind=kind,
            role=role,
            seats=count if kind == Election.Kind.OFFICE else None,
            post_term_ends_at=ends,
            now=now,
        )


def _call(run: TermsRun, *, council: Council, kind: str, role: str, **arguments: Any) -> None:
    """Call, as the rules, the election of a post of `council`; a refusal is reported in `run`."""
    what = f"the {role or 'delegates'} of {council.name}"
    called = _try(run, what, call_election, actor=None, council=council, kind=kind, role=role, **arguments)
    if called is not None:
        run.called.append(called)


def empty_places(*, election: Election) -> int:
    """How many places of the post `election` was for are empty now: 0 when it is filled.

    An office role the council has had is empty with nobody holding it; a council's delegates,
    by as many seats as it is apportioned and does not fill.
    """
    council = election.council
    if election.kind == Election.Kind.DELEGATES:
        return _unfilled_delegate_seats(council)
    offices = Office.objects.filter(council=council, role=election.role)
    if election.role not in ELECTABLE_ROLES or not offices.exists():
        return 0
    return 0 if offices.filter(ended_at__isnull=True).exists() else election.seats


def _unfilled_delegate_seats(council: Council) -> int:
    """How many delegate seats `council` is apportioned in the council above and does not fill."""
    if council.parent_id is None:
        return 0
    sitting = Seat.objects.filter(from_council=council, ended_at__isnull=True).count()
    return max(federation_queries.delegate_seats_for(child=council) - sitting, 0)


def _call_again_after_failure(*, run: TermsRun, now: datetime) -> None:
    """Call again, as the rules, the election of each post its last election failed to fill.

    When the last election for a post failed (nobody stood, or nobody voted) at least
    `term_nomination_days` ago, nothing is under way for it, and the post is empty, the rules call
    a by-election for the empty places and run it to the end themselves (`call_election` with
    `after_failure`). Officers may call one sooner; then it is the post's last election.
    """
    failed = Election.objects.filter(status=Election.Status.FAILED).order_by("council_id", "kind", "role")
    posts = {_post_key(e) for e in failed.only("council_id", "kind", "role")}
    for council_id, kind, role in sorted(posts):
        last = (
            Election.objects.filter(council_id=council_id, kind=kind, role=role)
            .select_related("council", "council__parent")
            .order_by("-called_at", "-pk")
            .first()
        )
        if last is None or last.status != Election.Status.FAILED or last.closed_at is None:
            continue
        council = last.council
        if last.closed_at + run.rules_of(council).term_nomination > now:
            continue
        places = empty_places(election=last)
        if places < 1:
            continue
        _call(
            run,
            council=council,
            kind=kind,
            role=role,
            seats=places if kind == Election.Kind.OFFICE else None,
            is_by_election=True,
            term_ends_at=_rest_of_term(council=council, kind=kind, ends=last.term_ends_at, now=now),
            after_failure=last,
            now=now,
        )


def _call_for_unfilled_seats(*, run: TermsRun, now: datetime) -> None:
    """Call, as the rules, the delegates' election of each council that sends fewer than it is apportioned.

    For a council with a council above it and voters, sitting fewer delegates than
    `delegate_seats_for` gives it, with no delegates' election under way and its last one not
    failed (`_call_again_after_failure` calls that one again): a council that never sent a delegate
    gets its first delegates' election, for every apportioned seat, once it has existed
    `term_election_lead_days`; any other a by-election for the unfilled seats, for the rest of the
    sitting delegates' term, once its seats have stood unchanged `term_nomination_days`
    (`_seats_unchanged_since`). Officers may call either sooner.
    """
    councils = Council.objects.filter(parent__isnull=False).select_related("parent").order_by("pk")
    for council in councils:
        if not _unfilled_delegate_seats(council) or not federation_queries.count_voters(council=council):
            continue
        elections = Election.objects.filter(council=council, kind=Election.Kind.DELEGATES)
        if elections.filter(status__in=UNDER_WAY).exists():
            continue
        last = elections.order_by("-called_at", "-pk").first()
        if last is not None and last.status == Election.Status.FAILED:
            continue
        rules = run.rules_of(council)
        if not _ever_represented(council):
            if council.created_at + rules.term_election_lead <= now:
                _call(run, council=council, kind=Election.Kind.DELEGATES, role="", first=True, now=now)
        elif _seats_unchanged_since(council=council) + rules.term_nomination <= now:
            _call(
                run,
                council=council,
                kind=Election.Kind.DELEGATES,
                role="",
                is_by_election=True,
                term_ends_at=_rest_of_term(council=council, kind=Election.Kind.DELEGATES, ends=None, now=now),
                unfilled_seats=True,
                now=now,
            )


def _rest_of_term(*, council: Council, kind: str, ends: datetime | None, now: datetime) -> datetime | None:
    """The term a by-election of the rules fills: that of the delegates still sitting, or `ends`.

    `ends` is the term of the failed election a post is called again after (None for unfilled
    seats). None, a full term from certification, when that term has no end still ahead.
    """
    terms: list[datetime | None] = [ends]
    if kind == Election.Kind.DELEGATES:
        sitting = Seat.objects.filter(from_council=council, ended_at__isnull=True)
        terms = list(sitting.values_list("term_ends_at", flat=True)) or terms
    ahead = [e for e in terms if e is not None and e > now]
    return min(ahead) if ahead and len(ahead) == len(terms) else None
