"""Build the demo federation through actions, step by step, each domain in its own module.

One national congress, 3 cities, 9 districts, 45 workplace councils and
about 2,000 members; the named cast (alice, bob, carol, dave) sits in
Riverside Depot and Harbour Works as in the tests. Deterministic: the same
seed gives the same federation.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from councils.accounts.models import User
from councils.demo.elections import build_delegate_elections, build_failed_election, build_open_election
from councils.demo.mandates import build_accountability
from councils.demo.meetings import build_meeting_in_session, build_meetings
from councils.demo.membership import adopt_constitution, build_membership
from councils.demo.motions import build_motions
from councils.federation import actions as fa
from councils.federation.models import Council, Federation, Office
from councils.mandates.rules import term_end

PASSWORD = "councils-demo"
CAST = {
    "alice": "Alice Adeyemi",
    "bob": "Bob Novak",
    "carol": "Carol Singh",
    "dave": "Dave Okafor",
    "erin": "Erin Walsh",
    "frank": "Frank Costa",
}
CITIES = {
    "Metro City": ["Eastside", "Northgate", "Old Town"],
    "Port Alder": ["Dockside", "Millbrook", "Sandhill"],
    "Greyhaven": ["Foundry Row", "Lakeside", "Westfield"],
}
WORKPLACES = ["Depot", "Works", "Hospital", "School", "Warehouse"]
FIRST = [
    "Ana",
    "Ben",
    "Chen",
    "Dara",
    "Eli",
    "Fatima",
    "Goran",
    "Hana",
    "Ivan",
    "Jun",
    "Kemi",
    "Luis",
    "Maya",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Vera",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Abara",
    "Berg",
    "Cruz",
    "Dubois",
    "Eze",
    "Fischer",
    "Garcia",
    "Horvat",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Mensah",
    "Nowak",
    "Ortiz",
    "Petrov",
    "Quispe",
    "Rossi",
    "Sato",
    "Torres",
    "Umar",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
]


@dataclass
class Demo:
    """What later steps need from earlier ones."""

    now: datetime
    rng: random.Random
    federation: Federation
    national: Council
    cities: list[Council] = field(default_factory=list)
    districts: list[Council] = field(default_factory=list)
    workplaces: list[Council] = field(default_factory=list)
    cast: dict[str, User] = field(default_factory=dict)
    members: dict[int, list[User]] = field(default_factory=dict)


def build_tree(demo: Demo) -> None:
    now = demo.now
    for city_name, district_names in CITIES.items():
        city = fa.create_council(
            actor=None,
            federation=demo.federation,
            name=city_name,
            kind="city",
            parent=demo.national,
            is_base=False,
            members_per_delegate=5,
            now=now,
        )
        demo.cities.append(city)
        for district_name in district_names:
            district = fa.create_council(
                actor=None,
                federation=demo.federation,
                name=f"{district_name} District",
                kind="district",
                parent=city,
                is_base=False,
                members_per_delegate=15,
                now=now,
            )
            demo.districts.append(district)
            for kind in WORKPLACES:
                name = (
                    "Riverside Depot"
                    if (district_name, kind) == ("Eastside", "Depot")
                    else (
                        "Harbour Works"
                        if (district_name, kind) == ("Eastside", "Works")
                        else f"{district_name} {kind}"
                    )
                )
                demo.workplaces.append(
                    fa.create_council(
                        actor=None,
                        federation=demo.federation,
                        name=name,
                        kind="workplace",
                        parent=district,
                        is_base=True,
                        members_per_delegate=40,
                        now=now,
                    )
                )


def build_members(demo: Demo) -> None:
    """Enrol about 2,000 founding members; hashing one password once keeps this fast."""
    hashed = make_password(PASSWORD)
    riverside = next(c for c in demo.workplaces if c.name == "Riverside Depot")
    harbour = next(c for c in demo.workplaces if c.name == "Harbour Works")
    for username, name in CAST.items():
        user = User.objects.create(
            username=username, display_name=name, password=hashed, email=f"{username}@example.org"
        )
        demo.cast[username] = user
        council = harbour if username == "dave" else riverside
        if username != "carol":
            fa.add_founding_member(actor=None, council=council, user=user, now=demo.now)
            demo.members.setdefault(council.id, []).append(user)
    fa.appoint_founding_officer(
        actor=None,
        council=riverside,
        user=demo.cast["alice"],
        role=Office.Role.CHAIR,
        term_ends_at=term_end(riverside, demo.now),
        now=demo.now,
    )
    fa.appoint_founding_officer(
        actor=None, council=riverside, user=demo.cast["carol"], role=Office.Role.OBSERVER, now=demo.now
    )
    serial = 0
    for council in demo.workplaces:
        size = demo.rng.randint(30, 60)
        for _ in range(size - len(demo.members.get(council.id, []))):
            serial += 1
            first, last = demo.rng.choice(FIRST), demo.rng.choice(LAST)
            user = User.objects.create(
                username=f"member{serial:04d}", display_name=f"{first} {last}", password=hashed
            )
            fa.add_founding_member(actor=None, council=council, user=user, now=demo.now)
            demo.members.setdefault(council.id, []).append(user)
        officers = [u for u in demo.members[council.id] if u.username not in CAST]
        if council.name not in ("Riverside Depot",):
            fa.appoint_founding_officer(
                actor=None,
                council=council,
                user=officers[0],
                role=Office.Role.CHAIR,
                term_ends_at=term_end(council, demo.now),
                now=demo.now,
            )
        fa.appoint_founding_officer(
            actor=None,
            council=council,
            user=officers[1],
            role=Office.Role.SECRETARY,
            term_ends_at=term_end(council, demo.now),
            now=demo.now,
        )


# Later steps (delegate elections, motions, meetings, accountability) register
# here in the order they must run; each builds only through its app's actions.
STEPS: list[Callable[[Demo], None]] = [
    build_tree,
    # The constitution is adopted with the federation; every later decision names its version.
    adopt_constitution,
    build_members,
    build_delegate_elections,
    build_open_election,
    build_failed_election,
    build_motions,
    build_meetings,
    # Accountability runs last: it needs elected delegates, motions and meetings.
    build_accountability,
    build_membership,
    # In session as the demo loads, so dated after everything else.
    build_meeting_in_session,
]


@transaction.atomic
def build(*, seed: int = 1917, now: datetime | None = None) -> Demo:
    """Load the whole demo or nothing, in one commit rather than thousands of synchronous ones."""
    now = now or datetime.now(tz=UTC) - timedelta(days=120)
    federation = fa.create_federation(actor=None, name="Federation of Workers' Councils", now=now)
    national = fa.create_council(
        actor=None,
        federation=federation,
        name="National Congress",
        kind="national",
        parent=None,
        is_base=False,
        visibility=Council.Visibility.PUBLIC,
        members_per_delegate=3,
        now=now,
    )
    demo = Demo(now=now, rng=random.Random(seed), federation=federation, national=national)
    for step in STEPS:
        step(demo)
    return demo
