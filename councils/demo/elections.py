"""Demo step: delegates elected at every level, an officer election open for voting, one that failed.

Each workplace council elects its delegates to its district, each district
to its city, each city to the national congress, through the election
actions (STV with the recorded seed). Bob tops Riverside Depot's poll. In
the last workplace a winner leaves before the certification, which counts
the ballots again without them. Each
level runs in one transaction so the demo loads fast; the actions nest.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from councils.accounts.models import User
from councils.elections import actions as ea
from councils.elections.models import Election
from councils.federation import actions as fa
from councils.federation import queries as fq
from councils.federation.models import Council, Membership, Office
from councils.mandates.rules import term_end
from councils.membership import actions as ma

if TYPE_CHECKING:
    from councils.demo.build import Demo

TURNOUT = 0.75


def _chair(council: Council) -> User:
    office = Office.objects.filter(council=council, role=Office.Role.CHAIR, ended_at__isnull=True).first()
    assert office is not None, f"{council.name} has no chair"
    return office.user


def _run(
    demo: Demo, council: Council, *, day: int, favourite: User | None = None, winner_leaves: bool = False
) -> Election:
    """Call, nominate, vote, count and certify one delegate election in `council`.

    With `winner_leaves`, the last elected leaves the council between the count and the
    certification, and the certification counts the ballots again without them.
    """
    rng = demo.rng
    when = demo.now + timedelta(days=day)
    chair = _chair(council)
    election = ea.call_election(actor=chair, council=council, kind="delegates", now=when)
    voters = list(fq.list_voters(council=council).order_by("username"))
    pool = [v for v in voters if v != favourite]
    rng.shuffle(pool)
    standing = ([favourite] if favourite else []) + pool[: election.seats + 2]
    # Nominations came in on signed paper forms, a few of them by a fellow member.
    forms = [(person, chair if rng.random() < 0.3 and person != chair else person) for person in standing]
    candidacies = ea.record_nomination_forms(actor=chair, election=election, forms=forms, now=when)
    # The poll ran for a day, and the chair closed it at its closing time.
    closes_at = when + timedelta(days=2)
    ea.open_voting(actor=chair, election=election, closes_at=closes_at, now=when + timedelta(days=1))
    # Popularity: some candidates draw more first preferences than others.
    weights = [3.0 if c.candidate == favourite else rng.uniform(0.3, 2.0) for c in candidacies]
    # The delegate elections were held at meetings on paper; the tellers entered the ballots.
    voted: list[User] = []
    rankings: list[list[list[str]]] = []
    for voter in voters:
        if voter not in (favourite, chair) and rng.random() > TURNOUT:
            continue
        depth = rng.randint(1, min(len(candidacies), election.seats + 2))
        remaining = list(range(len(candidacies)))
        ranking: list[list[str]] = []
        for _ in range(depth):
            pick = rng.choices(remaining, weights=[weights[i] for i in remaining])[0]
            remaining.remove(pick)
            ranking.append([str(candidacies[pick].uuid)])
        if not election.is_ranked:
            ranking = [[level[0] for level in ranking[: election.seats]]]
        voted.append(voter)
        rankings.append(ranking)
    ea.record_paper_ballots(
        actor=chair, election=election, voters=voted, rankings=rankings, now=when + timedelta(days=1, hours=2)
    )
    election = ea.close_election(actor=chair, election=election, now=closes_at)
    if winner_leaves:
        assert election.result is not None
        last = next(c for c in candidacies if str(c.uuid) == election.result["elected"][-1])
        membership = Membership.objects.get(user=last.candidate, council=council, ended_at__isnull=True)
        ma.leave_membership(
            actor=last.candidate, membership=membership, now=closes_at + timedelta(minutes=30)
        )
    return ea.certify_election(actor=chair, election=election, now=when + timedelta(days=2, hours=1))


def _appoint_first_chair(demo: Demo, council: Council, *, day: int) -> None:
    """A higher council's founding chair: its first delegate, as a founding constitution would name."""
    if Office.objects.filter(council=council, role=Office.Role.CHAIR, ended_at__isnull=True).exists():
        return
    first = fq.list_seats(council=council).first()
    if first is not None:
        fa.appoint_founding_officer(
            actor=None,
            council=council,
            user=first.user,
            role=Office.Role.CHAIR,
            term_ends_at=term_end(council, demo.now + timedelta(days=day)),
            now=demo.now + timedelta(days=day),
        )


def build_delegate_elections(demo: Demo) -> None:
    """Elect delegates up the tree: workplaces, then districts, then cities."""
    bob = demo.cast.get("bob")
    with transaction.atomic():
        # In the last workplace, away from the people of the demo's story, a winner leaves before the
        # certification: the result is counted again without them.
        story = ("Riverside Depot", "Harbour Works", "Northgate Depot")
        last = next((c for c in reversed(demo.workplaces) if c.name not in story), None)
        for council in demo.workplaces:
            favourite = bob if council.name == "Riverside Depot" else None
            _run(demo, council, day=7, favourite=favourite, winner_leaves=council == last)
    with transaction.atomic():
        for district in demo.districts:
            _appoint_first_chair(demo, district, day=10)
            _run(demo, district, day=11)
    with transaction.atomic():
        for city in demo.cities:
            _appoint_first_chair(demo, city, day=14)
            _run(demo, city, day=15)
        _appoint_first_chair(demo, demo.national, day=18)


def build_open_election(demo: Demo) -> None:
    """An officer election of Riverside Depot open now and for twelve days more, for the cast to vote in."""
    riverside = next(c for c in demo.workplaces if c.name == "Riverside Depot")
    alice, erin, frank = demo.cast["alice"], demo.cast["erin"], demo.cast["frank"]
    when = demo.now + timedelta(days=117)
    with transaction.atomic():
        election = ea.call_election(actor=alice, council=riverside, kind="office", role="treasurer", now=when)
        for person in (erin, frank):
            ea.nominate(actor=person, election=election, candidate=person, now=when)
        # Opened two days before the demo's present, its poll runs a fortnight, into the future.
        opened = when + timedelta(days=1)
        ea.open_voting(actor=alice, election=election, closes_at=opened + timedelta(days=14), now=opened)
        ea.cast_ballot(
            actor=frank,
            election=election,
            approvals=[str(election.candidacies.get(candidate=frank).uuid)],
            now=when + timedelta(days=1, hours=1),
        )


def build_failed_election(demo: Demo) -> None:
    """A secretary election of Eastside Hospital whose poll closed with no ballot: nobody was elected."""
    council = next(c for c in demo.workplaces if c.name == "Eastside Hospital")
    chair = _chair(council)
    when = demo.now + timedelta(days=100)
    with transaction.atomic():
        election = ea.call_election(actor=chair, council=council, kind="office", role="secretary", now=when)
        ea.nominate(actor=chair, election=election, candidate=chair, now=when)
        closes_at = when + timedelta(days=8)
        ea.open_voting(actor=chair, election=election, closes_at=closes_at, now=when + timedelta(days=1))
        # Nobody voted; the rules closed the poll at its closing time.
        ea.close_election(actor=None, election=election, now=closes_at)
