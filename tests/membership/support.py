"""Helpers the membership, constitution, platform and scenario tests share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from councils.accounts import actions as account_actions
from councils.accounts.models import User
from councils.constitution.actions import adopt_initial_constitution, propose_constitution_amendment
from councils.constitution.models import ConstitutionVersion
from councils.core.rules.constitution import UNSET_IN_OLDER_VERSIONS, Constitution
from councils.elections import actions as election_actions
from councils.elections.models import Election
from councils.federation import actions as federation_actions
from councils.federation.models import Council, Membership, Office, Seat
from councils.membership import actions as membership_actions
from councils.membership.models import DisciplineCase
from councils.motions import actions as motion_actions
from councils.motions.models import Vote
from councils.record.models import Entry
from councils.record.queries import entry_document

NOW = datetime(2026, 3, 1, 9, 0).replace(tzinfo=__import__("datetime").UTC)
# Founding members joined at NOW; sponsors need months of standing.
LATER = NOW + timedelta(days=200)


def adopt(cast: Any, **document: Any) -> ConstitutionVersion:
    return adopt_initial_constitution(
        actor=None, federation=cast.federation, now=NOW, document=document or None
    )


def adopt_before_newer_settings(cast: Any, monkeypatch: pytest.MonkeyPatch) -> ConstitutionVersion:
    """Version 1 as founding adopted it before the settings added since: its text and hash lack them."""
    rendered = Constitution.to_document

    def older(self: Constitution) -> dict[str, Any]:
        return {k: v for k, v in rendered(self).items() if k not in UNSET_IN_OLDER_VERSIONS}

    with monkeypatch.context() as patched:
        patched.setattr(Constitution, "to_document", older)
        version = adopt(cast)
    assert not UNSET_IN_OLDER_VERSIONS.keys() & version.document.keys()
    return version


def vote_through(
    vote: Vote,
    *,
    yes: Iterable[User] = (),
    no: Iterable[User] = (),
    abstain: Iterable[User] = (),
    now: datetime,
) -> Any:
    """Cast the given ballots at `now` and close the vote as the rules (actor None); return the result.

    The close comes at `now` once every elector has voted, and otherwise at the vote's closing time:
    the rules close nothing earlier.
    """
    ballots = [
        (choice, user) for choice, users in (("yes", yes), ("no", no), ("abstain", abstain)) for user in users
    ]
    for choice, user in ballots:
        motion_actions.cast_vote(actor=user, vote=vote, choice=choice, now=now)
    waits = vote.closes_at is not None and now < vote.closes_at and len(ballots) < vote.electorate_size
    return motion_actions.close_vote(actor=None, vote=vote, now=vote.closes_at if waits else now)


def upheld_case(cast: Any, *, now: datetime, penalty: str = "suspension") -> DisciplineCase:
    """Frank suspended for 90 days (or expelled): charged by Bob at `now`, heard and voted on 15 days on."""
    case = membership_actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges="Broke the picket line.",
        penalty=penalty,
        suspension_days=90 if penalty == "suspension" else None,
        hearing_at=now + timedelta(days=14, minutes=1),
        now=now,
    )
    decided = now + timedelta(days=15)
    membership_actions.record_hearing(actor=cast.alice, case=case, now=decided)
    vote = membership_actions.call_discipline_vote(actor=cast.alice, case=case, now=decided, method="named")
    vote_through(vote, yes=[cast.alice, cast.erin], now=decided)
    case.refresh_from_db()
    return case


def nominated_election(
    cast: Any, *, title: str = "Delegates 2027", nominees: Iterable[User] | None = None
) -> Election:
    """An election of Riverside's delegates taking nominations, `nominees` (erin, frank, alice) standing."""
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", title=title, seats=2, now=NOW
    )
    for person in (cast.erin, cast.frank, cast.alice) if nominees is None else nominees:
        election_actions.nominate(actor=person, election=election, candidate=person, now=NOW)
    return election


def poll_to(cast: Any, election: Election, status: str) -> Election:
    """Take an election taking nominations, someone standing in it, as far as `status` by its actions.

    Its poll is open for an hour from `NOW`: "closed" counts Alice's ballot for the first candidate,
    "certified" then certifies the result, and "failed" closes the poll with no ballot in the box.
    """
    if status == Election.Status.NOMINATING:
        return election
    closes = NOW + timedelta(hours=1)
    election = election_actions.open_voting(actor=cast.alice, election=election, closes_at=closes, now=NOW)
    if status == Election.Status.VOTING:
        return election
    if status != Election.Status.FAILED:
        first = election.candidacies.order_by("id").first()
        assert first is not None, "nobody stands in the election"
        election_actions.cast_ballot(actor=cast.alice, election=election, ranking=[str(first.uuid)], now=NOW)
    election = election_actions.close_election(actor=cast.alice, election=election, now=closes)
    if status == Election.Status.CERTIFIED:
        election = election_actions.certify_election(actor=cast.alice, election=election, now=closes)
    assert election.status == status
    return election


def seat(
    cast: Any, *, from_council: Council, users: Iterable[User], term_ends_at: datetime | None = None
) -> None:
    with transaction.atomic():
        for user in users:
            federation_actions.seat_delegate(
                from_council=from_council, user=user, election_uuid=None, term_ends_at=term_ends_at, now=NOW
            )


def make_national_body(
    cast: Any, *, delegates: Iterable[User] | None = None, seats_below: bool = True
) -> None:
    """Give the top council voters (alice, erin, frank, or `delegates`, from the city) and a chair (alice).

    A delegate must sit in the council that sends them, so they are seated up the chain from
    Riverside. Without `seats_below` their seats in the district and the city are then ended
    directly, as no action of the rules would (a seat's end takes what was held through it): the
    delegates sit only in the top council, as a federation set up by hand might have them.
    """
    delegates = [cast.alice, cast.erin, cast.frank] if delegates is None else list(delegates)
    for council in (cast.riverside, cast.district, cast.city):
        seat(
            cast,
            from_council=council,
            users=delegates,
            term_ends_at=None if seats_below or council == cast.city else NOW,
        )
    if not seats_below:
        with transaction.atomic():
            for below in Seat.objects.filter(user__in=delegates, council__in=[cast.district, cast.city]):
                federation_actions.end_seat(seat=below, reason="term_ended", actor=None, now=NOW)
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.national, user=cast.alice, role=Office.Role.CHAIR, now=NOW
    )


def propose_constitution_change(cast: Any, *, now: datetime = NOW) -> Any:
    """Adopt a constitution and propose, as alice, the national body's change of `sponsors_required` to 3."""
    adopt(cast)
    make_national_body(cast)
    return propose_constitution_amendment(
        actor=cast.alice,
        federation=cast.federation,
        changes={"sponsors_required": 3},
        explanation="",
        now=now,
    )


def entries(event: str) -> list[dict[str, Any]]:
    """The documents of every record entry of `event`, in order."""
    return [entry_document(e) for e in Entry.objects.filter(event=event).order_by("id")]


def payloads(event: str) -> list[dict[str, Any]]:
    return [doc["payload"] for doc in entries(event)]


def standalone_council(cast: Any) -> tuple[Council, list[User]]:
    """Harbourside Bakery: a workplace council with no council above it, four founding members since NOW.

    Its first founder (sam) chairs it.
    """
    from tests.conftest import make_user

    council = federation_actions.create_council(
        actor=None,
        federation=cast.federation,
        name="Harbourside Bakery",
        kind="workplace",
        parent=None,
        is_base=True,
        now=NOW,
    )
    founders = [make_user(name, name.title()) for name in ("sam", "tess", "uma", "vic")]
    for user in founders:
        federation_actions.add_founding_member(actor=None, council=council, user=user, now=NOW)
    federation_actions.appoint_founding_officer(
        actor=None, council=council, user=founders[0], role=Office.Role.CHAIR, now=NOW
    )
    return council, founders


def invited_candidate(
    capture: Callable[..., Any], *, actor: User, council: Council, username: str, now: datetime
) -> User:
    """A candidate member of `council`, invited by `actor` and accepting by the mailed link
    (`capture`: the `django_capture_on_commit_callbacks` fixture, which sends the mail)."""
    with capture(execute=True):
        account_actions.invite_member(
            actor=actor, council=council, email=f"{username}@example.org", base_url="http://x/", now=now
        )
    return account_actions.accept_invitation(
        raw_token=re.search(r"/invite/([^/\s]+)/", mail.outbox[-1].body).group(1),
        username=username,
        display_name=username.title(),
        password="long enough pass phrase",
        now=now,
    )
