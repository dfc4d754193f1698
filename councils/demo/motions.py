"""Demo step: motions in every state, named and secret votes, amendments, forwarding upward.

Riverside Depot has an open roll-call vote and an open secret ballot that
alice and bob have not voted in yet, a draft awaiting seconders, an amended
motion awaiting its vote, an adopted motion forwarded to Eastside District,
a rejected and a withdrawn one. Eastside District votes by roll call on the
forwarded motion (bob votes as Riverside Depot's delegate) and has a vote
open for its delegates. A few other councils have decided motions of their
own. Everything goes through the motions actions, in a few transactions.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from councils.accounts.models import User
from councils.federation import queries as fq
from councils.federation.models import Council, Office
from councils.motions import actions as ma
from councils.motions.models import Motion, Vote

if TYPE_CHECKING:
    from datetime import datetime

    from councils.demo.build import Demo

CAST_NAMES = ("alice", "bob", "carol", "dave", "erin", "frank")


def _officer(council: Council) -> User:
    office = (
        Office.objects.filter(
            council=council, role__in=[Office.Role.CHAIR, Office.Role.SECRETARY], ended_at__isnull=True
        )
        .order_by("role")
        .select_related("user")
        .first()
    )
    assert office is not None, f"{council.name} has no chair or secretary"
    return office.user


def _council(demo: Demo, name: str) -> Council:
    return Council.objects.get(federation=demo.federation, name=name)


def _crowd(council: Council) -> list[User]:
    """The council's voters other than the named cast, who vote as the demo needs."""
    return [u for u in fq.list_voters(council=council).order_by("username") if u.username not in CAST_NAMES]


def _motion(council: Council, mover: User, seconder: User, title: str, text: str, when: datetime) -> Motion:
    motion = ma.table_motion(actor=mover, council=council, title=title, text=text, now=when)
    return ma.second_motion(actor=seconder, motion=motion, now=when + timedelta(hours=2))


def _vote(
    demo: Demo,
    motion: Motion,
    chair: User,
    voters: list[User],
    when: datetime,
    *,
    method: str,
    yes_share: float,
    close: bool = True,
) -> Vote:
    """Open a vote, let most voters cast (yes with chance `yes_share`), and close it unless told not to."""
    vote = ma.open_vote(actor=chair, motion=motion, now=when, method=method)
    for i, voter in enumerate(voters):
        roll = demo.rng.random()
        if roll > 0.85:
            continue
        choice = "yes" if roll < 0.85 * yes_share else ("abstain" if roll > 0.78 else "no")
        ma.cast_vote(actor=voter, vote=vote, choice=choice, now=when + timedelta(minutes=2 + i))
    if close:
        ma.close_vote(actor=chair, vote=vote, now=when + timedelta(hours=2))
    return vote


def _riverside(demo: Demo) -> None:
    riverside = _council(demo, "Riverside Depot")
    district = _council(demo, "Eastside District")
    alice, bob, erin, frank = (demo.cast[n] for n in ("alice", "bob", "erin", "frank"))
    crowd = _crowd(riverside)
    day = demo.now + timedelta(days=60)

    heat = _motion(
        riverside,
        erin,
        frank,
        "Heat in the loading bay",
        "The loading bay reaches 35 °C in summer. We demand fans, water stations and a ten-minute break "
        "every hour above 30 °C, and ask Eastside District to take the demand to every depot.",
        day,
    )
    _vote(
        demo,
        heat,
        alice,
        [alice, bob, erin, frank, *crowd],
        day + timedelta(days=7),
        method="named",
        yes_share=0.9,
    )
    incoming = ma.forward_motion(actor=alice, motion=heat, now=day + timedelta(days=8))
    district_chair = _officer(district)
    delegates = list(fq.list_voters(council=district).order_by("username"))
    assert bob in delegates, "bob is not a delegate in Eastside District"
    vote = ma.open_vote(actor=district_chair, motion=incoming, now=day + timedelta(days=20), method="named")
    for i, delegate in enumerate(delegates):
        ma.cast_vote(
            actor=delegate,
            vote=vote,
            choice="no" if i % 5 == 4 else "yes",
            now=day + timedelta(days=20, minutes=5 + i),
        )
    ma.close_vote(actor=district_chair, vote=vote, now=day + timedelta(days=20, hours=1))

    overtime = _motion(
        riverside,
        frank,
        erin,
        "Ban on weekend overtime",
        "No member works overtime on weekends until the staffing agreement is renegotiated.",
        day + timedelta(days=15),
    )
    _vote(
        demo,
        overtime,
        alice,
        [alice, erin, frank, *crowd],
        day + timedelta(days=22),
        method="secret",
        yes_share=0.3,
    )

    lockers = ma.table_motion(
        actor=bob, council=riverside, title="New lockers", text="Ask management for new lockers.", now=day
    )
    ma.withdraw_motion(actor=bob, motion=lockers, now=day + timedelta(days=3))

    reps = _motion(
        riverside,
        frank,
        crowd[0],
        "Safety representatives",
        "Riverside Depot elects two safety representatives, one for each shift.",
        day + timedelta(days=30),
    )
    amendment = ma.propose_amendment(
        actor=erin,
        motion=reps,
        text="Riverside Depot elects three safety representatives, one for each shift and one for the yard.",
        now=day + timedelta(days=31),
    )
    ma.second_motion(actor=crowd[1], motion=amendment, now=day + timedelta(days=31, hours=1))
    _vote(
        demo,
        amendment,
        alice,
        [alice, erin, frank, *crowd],
        day + timedelta(days=33),
        method="named",
        yes_share=0.8,
    )
    ma.propose_amendment(
        actor=crowd[2],
        motion=reps,
        text="Riverside Depot elects three safety representatives, one for each shift and one for the yard, "
        "each for one year.",
        now=day + timedelta(days=34),
    )

    now = demo.now + timedelta(days=118)
    rota = _motion(
        riverside,
        erin,
        frank,
        "Night shift rota",
        "Night shifts rotate every four weeks, and nobody works more than two months of nights a year.",
        now - timedelta(days=1),
    )
    # Open now: part of the crowd has voted; alice, bob, erin and frank have not.
    _vote(demo, rota, alice, crowd[: len(crowd) // 2], now, method="named", yes_share=0.7, close=False)
    levy = _motion(
        riverside,
        frank,
        erin,
        "Strike fund levy",
        "Every member pays 1% of wages into the strike fund for the next twelve months.",
        now - timedelta(days=1),
    )
    _vote(demo, levy, alice, crowd[: len(crowd) // 3], now, method="secret", yes_share=0.6, close=False)
    ma.table_motion(
        actor=frank,
        council=riverside,
        title="Canteen prices",
        text="The canteen's prices are frozen for a year.",
        now=now,
    )

    books = ma.table_motion(
        actor=bob,
        council=district,
        title="Open the district's books",
        text="Eastside District publishes its accounts to every member each quarter.",
        now=now - timedelta(days=2),
    )
    other = next(d for d in delegates if d != bob)
    ma.second_motion(actor=other, motion=books, now=now - timedelta(days=2))
    _vote(
        demo,
        books,
        district_chair,
        [d for d in delegates if d != bob][:3],
        now,
        method="named",
        yes_share=1.0,
        close=False,
    )


def _elsewhere(demo: Demo) -> None:
    """Decided motions in a few other workplaces, so the record and the council pages are not empty."""
    topics = [
        ("Breaks on the ward", "Every shift gets a protected thirty-minute break.", 0.8, "secret"),
        ("Class sizes", "No class above twenty-eight pupils from next term.", 0.4, "secret"),
        (
            "Forklift training",
            "All new starters get paid forklift training in their first month.",
            0.9,
            "named",
        ),
    ]
    councils = [c for c in demo.workplaces if c.name not in ("Riverside Depot", "Harbour Works")][:6]
    for i, council in enumerate(councils):
        title, text, share, method = topics[i % len(topics)]
        voters = _crowd(council)
        when = demo.now + timedelta(days=40 + i * 5)
        motion = _motion(council, voters[2], voters[3], title, text, when)
        _vote(
            demo, motion, _officer(council), voters, when + timedelta(days=3), method=method, yes_share=share
        )


def build_motions(demo: Demo) -> None:
    with transaction.atomic():
        _riverside(demo)
    with transaction.atomic():
        _elsewhere(demo)
