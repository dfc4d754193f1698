"""Demo step: accountability at work, after the delegate elections and motions.

- Riverside Depot mandates its delegates to vote NO on a levy in Eastside
  District; bob votes YES anyway: the roll call shows the deviation and the
  members are alerted. A second mandate, YES on an overtime ban, awaits the
  district's vote. Erin then starts a recall petition against him, still
  collecting signatures.
- Northgate Depot's members recall one of their delegates: the petition
  reaches the threshold, the vote opens by itself, the majority recalls, the
  seat (and anything held through it) ends and the rules call by-elections,
  which members stand in and the rules run once nominations close.
- Officers declare their pay; one declares more than the cap and is flagged.
- Frank's agenda petition forces an item onto Riverside Depot's next agenda;
  dave's petition in Harbour Works is still collecting signatures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from councils.accounts.models import User
from councils.elections import actions as election_actions
from councils.elections.models import Election
from councils.federation import queries as fq
from councils.federation.models import Council, Office, Seat
from councils.mandates import actions
from councils.mandates.models import RecallPetition
from councils.meetings.models import AgendaItem
from councils.motions import actions as motion_actions
from councils.motions.models import Motion, Vote
from councils.petitions import actions as petition_actions
from councils.petitions.models import ForcedAgendaItem

if TYPE_CHECKING:
    from datetime import datetime

    from councils.demo.build import Demo


def _council(demo: Demo, name: str) -> Council:
    return next(c for c in [*demo.workplaces, *demo.districts] if c.name == name)


def _office(council: Council, role: str) -> Office:
    office = (
        Office.objects.filter(council=council, role=role, ended_at__isnull=True)
        .select_related("user")
        .first()
    )
    assert office is not None, f"{council.name} has no {role}"
    return office


def _voters(council: Council) -> list[User]:
    return list(fq.list_voters(council=council).order_by("username"))


def _adopt_mandate(
    demo: Demo,
    target: Motion,
    choice: str,
    *,
    by: User,
    seconded_by: User,
    ballot: Callable[[int, User], str | None],
    when: datetime,
) -> None:
    """Riverside Depot instructs its delegates on `target`: proposed, seconded, voted, closed by alice.

    `ballot(i, member)` gives the i-th voter's choice, or None when they do not vote.
    """
    riverside, alice = _council(demo, "Riverside Depot"), demo.cast["alice"]
    proposal = actions.propose_mandate(
        actor=by, council=riverside, target_motion=target, choice=choice, now=when
    )
    assert proposal.motion_uuid is not None
    own = Motion.objects.get(uuid=proposal.motion_uuid)
    motion_actions.second_motion(actor=seconded_by, motion=own, now=when)
    vote = motion_actions.open_vote(actor=alice, motion=own, now=when + timedelta(hours=1))
    for i, member in enumerate(_voters(riverside)):
        if (cast := ballot(i, member)) is not None:
            motion_actions.cast_vote(actor=member, vote=vote, choice=cast, now=when + timedelta(hours=2))
    motion_actions.close_vote(actor=alice, vote=vote, now=when + timedelta(days=1))


def _mandate_deviation(demo: Demo, when: datetime) -> None:
    riverside, district = _council(demo, "Riverside Depot"), _council(demo, "Eastside District")
    bob, erin, frank = (demo.cast[n] for n in ("bob", "erin", "frank"))
    delegates = [u for u in _voters(district) if u != bob]
    levy = motion_actions.table_motion(
        actor=bob,
        council=district,
        title="Accept the employers' two-tier pay offer",
        text=(
            "That Eastside District accepts the employers' offer of a separate, lower pay scale for new "
            "starters."
        ),
        now=when,
    )
    motion_actions.second_motion(actor=delegates[0], motion=levy, now=when)
    _adopt_mandate(
        demo,
        levy,
        "no",
        by=erin,
        seconded_by=frank,
        ballot=lambda i, member: None if member == bob or i % 5 == 4 else "yes" if i % 7 else "no",
        when=when,
    )
    chair = _office(district, "chair").user
    roll_call = motion_actions.open_vote(actor=chair, motion=levy, now=when + timedelta(days=2))
    motion_actions.cast_vote(actor=bob, vote=roll_call, choice="yes", now=when + timedelta(days=2, hours=1))
    from_riverside = set(
        Seat.objects.filter(council=district, from_council=riverside, ended_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    for i, delegate in enumerate(delegates):
        # Riverside's other delegates keep the mandate; the rest of the district splits.
        choice = "no" if delegate.pk in from_riverside or i % 3 else "yes"
        motion_actions.cast_vote(
            actor=delegate, vote=roll_call, choice=choice, now=when + timedelta(days=2, hours=1)
        )
    motion_actions.close_vote(actor=chair, vote=roll_call, now=when + timedelta(days=2, hours=3))


def _mandate_awaited(demo: Demo, when: datetime) -> None:
    """Riverside instructs its delegates on a district motion still to be voted on."""
    district = _council(demo, "Eastside District")
    erin, frank = demo.cast["erin"], demo.cast["frank"]
    delegates = _voters(district)
    ban = motion_actions.table_motion(
        actor=delegates[0],
        council=district,
        title="A district-wide ban on unpaid overtime",
        text="That every workplace in Eastside District refuses unpaid overtime from next month.",
        now=when,
    )
    motion_actions.second_motion(actor=delegates[1], motion=ban, now=when)
    _adopt_mandate(
        demo,
        ban,
        "yes",
        by=frank,
        seconded_by=erin,
        ballot=lambda i, member: None if i % 4 == 3 else "no" if i % 6 == 5 else "yes",
        when=when,
    )


def _recall_in_progress(demo: Demo, when: datetime) -> None:
    riverside = _council(demo, "Riverside Depot")
    bob, erin = demo.cast["bob"], demo.cast["erin"]
    seat = Seat.objects.filter(from_council=riverside, user=bob, ended_at__isnull=True).first()
    assert seat is not None, "bob is not Riverside Depot's delegate"
    petition = actions.start_recall(
        actor=erin,
        seat=seat,
        reason="Bob voted YES on the two-tier pay offer against our mandate to vote NO.",
        now=when,
    )
    for member in [u for u in _voters(riverside) if u not in (bob, erin)][:2]:
        actions.sign_recall(actor=member, petition=petition, now=when + timedelta(hours=3))


def _completed_recall(demo: Demo, when: datetime) -> None:
    northgate = _council(demo, "Northgate Depot")
    seat = Seat.objects.filter(from_council=northgate, ended_at__isnull=True).select_related("user").first()
    assert seat is not None, "Northgate Depot has no delegate"
    members = [u for u in _voters(northgate) if u != seat.user]
    petition = actions.start_recall(
        actor=members[0], seat=seat, reason="Missed every district meeting since the election.", now=when
    )
    for member in members[1:]:
        petition.refresh_from_db()
        if petition.status != RecallPetition.Status.OPEN:
            break
        actions.sign_recall(actor=member, petition=petition, now=when + timedelta(hours=4))
    petition.refresh_from_db()
    assert petition.vote_uuid is not None, "the recall petition did not reach its threshold"
    vote = Vote.objects.get(uuid=petition.vote_uuid)
    for i, member in enumerate(members):
        if i % 4 != 3:
            choice = "yes" if i % 5 else "no"
            motion_actions.cast_vote(actor=member, vote=vote, choice=choice, now=when + timedelta(days=2))
    assert vote.closes_at is not None
    motion_actions.close_vote(actor=None, vote=vote, now=vote.closes_at)
    # The rules called the by-elections for the seat and for what its delegate held through it (the
    # district's chair); they run them too. Members stand, so the poll opens when nominations close.
    standing = vote.closes_at + timedelta(days=1)
    for election in Election.objects.filter(called_by__isnull=True, called_at=vote.closes_at).order_by("pk"):
        assert election.nominations_close_at is not None and election.nominations_close_at > standing
        voters = [u for u in _voters(election.council) if u != seat.user]
        for candidate in voters[:2]:
            election_actions.nominate(actor=candidate, election=election, candidate=candidate, now=standing)


def _pay(demo: Demo, when: datetime) -> None:
    riverside, harbour = _council(demo, "Riverside Depot"), _council(demo, "Harbour Works")
    alice_office = _office(riverside, "chair")
    actions.declare_pay(
        actor=alice_office.user,
        office=alice_office,
        pay=Decimal("1800.00"),
        expenses=Decimal("60.00"),
        now=when,
    )
    secretary = _office(harbour, "secretary")
    actions.declare_pay(
        actor=secretary.user, office=secretary, pay=Decimal("3150.00"), expenses=Decimal("420.00"), now=when
    )


def _agenda_petitions(demo: Demo, when: datetime) -> None:
    riverside, harbour = _council(demo, "Riverside Depot"), _council(demo, "Harbour Works")
    frank, dave = demo.cast["frank"], demo.cast["dave"]
    petition = petition_actions.start_agenda_petition(
        actor=frank,
        council=riverside,
        title="Heat in the loading bays",
        text="Temperatures passed 35°C in the loading bays three times this month. We want the council to "
        "demand cooling and extra breaks.",
        now=when,
    )
    for member in [u for u in _voters(riverside) if u != frank]:
        petition.refresh_from_db()
        if petition.status != "open":
            break
        petition_actions.sign_agenda_petition(actor=member, petition=petition, now=when + timedelta(hours=5))
    _merged_by_vote(riverside, when + timedelta(days=1))
    petition_actions.start_agenda_petition(
        actor=dave,
        council=harbour,
        title="Canteen prices",
        text="The canteen raised prices by 20% without notice. Put it on the agenda.",
        now=when + timedelta(hours=6),
    )


def _merged_by_vote(riverside: Council, when: datetime) -> None:
    """A petition forces an item onto the meeting already set; the members vote to merge it into another."""
    voters = _voters(riverside)
    petition = petition_actions.start_agenda_petition(
        actor=voters[1],
        council=riverside,
        title="Parking for the early shift",
        text="The early shift cannot park before 5am since the gates moved. Raise it with management.",
        now=when,
    )
    for member in voters[2:]:
        petition.refresh_from_db()
        if petition.status != "open":
            break
        petition_actions.sign_agenda_petition(actor=member, petition=petition, now=when + timedelta(hours=1))
    forced = ForcedAgendaItem.objects.get(petition=petition)
    assert forced.meeting_uuid is not None, "the item goes on the meeting already set"
    other_business = AgendaItem.objects.get(
        meeting__uuid=forced.meeting_uuid, title="Any other business", status=AgendaItem.Status.PENDING
    )
    proposal = petition_actions.propose_item_change(
        actor=voters[2],
        item=forced,
        change="merge",
        merge_into=other_business.uuid,
        now=when + timedelta(hours=2),
    )
    assert proposal.motion_uuid is not None
    motion = Motion.objects.get(uuid=proposal.motion_uuid)
    motion_actions.second_motion(actor=voters[3], motion=motion, now=when + timedelta(hours=3))
    chair = _office(riverside, "chair").user
    vote = motion_actions.open_vote(actor=chair, motion=motion, now=when + timedelta(days=1))
    for voter in voters:
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=when + timedelta(days=1, hours=1))
    motion_actions.close_vote(actor=chair, vote=vote, now=when + timedelta(days=2))


def build_accountability(demo: Demo) -> None:
    """Mandates, a deviation, recalls (one done, one under way), declared pay and agenda petitions."""
    with transaction.atomic():
        # Recent enough that the by-elections it leaves are still taking nominations when the demo loads.
        _completed_recall(demo, demo.now + timedelta(days=100))
        _mandate_deviation(demo, demo.now + timedelta(days=100))
        _pay(demo, demo.now + timedelta(days=104))
        _agenda_petitions(demo, demo.now + timedelta(days=108))
        _mandate_awaited(demo, demo.now + timedelta(days=110))
        _recall_in_progress(demo, demo.now + timedelta(days=112))
