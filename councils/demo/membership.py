"""Demo steps: the constitution, admissions, a discipline case and a platform.

Version 1 of the constitution (the defaults) is adopted with the federation.
Later the National Congress amends it by two thirds (version 2: sponsors
need 3 months' standing instead of 6), so the page shows a history and a
diff. Riverside Depot has an application waiting for its second sponsor, a
candidate member in the candidate period, and written charges against a
member with the hearing still ahead. Bob's platform, with Erin and Dave in
it, has published a document to Riverside Depot and Harbour Works.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.db import transaction

from councils.accounts.models import User
from councils.constitution import actions as ca
from councils.federation import queries as fq
from councils.federation.models import Membership
from councils.membership import actions as ma
from councils.motions import actions as motions
from councils.motions.models import Motion
from councils.platforms import actions as pa

if TYPE_CHECKING:
    from councils.demo.build import Demo

PASSWORD = "councils-demo"


def adopt_constitution(demo: Demo) -> None:
    """Version 1, the defaults, adopted with the federation."""
    ca.adopt_initial_constitution(actor=None, federation=demo.federation, now=demo.now)


def _amend(demo: Demo) -> None:
    when = demo.now + timedelta(days=100)
    voters = list(fq.list_voters(council=demo.national).order_by("username"))
    amendment = ca.propose_constitution_amendment(
        actor=voters[0],
        federation=demo.federation,
        changes={"sponsor_min_months": 3},
        explanation="Six months shut out new workplaces for half a year; three months of standing is enough.",
        now=when,
    )
    assert amendment.motion_uuid is not None
    motion = Motion.objects.get(uuid=amendment.motion_uuid)
    motions.second_motion(actor=voters[1], motion=motion, now=when)
    vote = ca.open_amendment_vote(actor=None, amendment=amendment, now=when + timedelta(hours=1))
    for i, voter in enumerate(voters):
        choice = "no" if i % 5 == 4 else "yes"
        motions.cast_vote(actor=voter, vote=vote, choice=choice, now=when + timedelta(hours=2))
    motions.close_vote(actor=None, vote=vote, now=when + timedelta(days=1))


def _person(username: str, name: str) -> User:
    return User.objects.create(
        username=username,
        display_name=name,
        password=make_password(PASSWORD),
        email=f"{username}@example.org",
    )


def build_membership(demo: Demo) -> None:
    """Admissions, a transfer and a new council in progress, a case awaiting its hearing, and a platform."""
    riverside = next(c for c in demo.workplaces if c.name == "Riverside Depot")
    harbour = next(c for c in demo.workplaces if c.name == "Harbour Works")
    bob, erin, frank, dave = (demo.cast[n] for n in ("bob", "erin", "frank", "dave"))
    start = demo.now + timedelta(days=110)
    with transaction.atomic():
        _amend(demo)
        gina = _person("gina", "Gina Horvat")
        candidate = ma.apply_for_membership(
            actor=gina, council=riverside, statement="I drive the night buses out of Riverside.", now=start
        )
        for sponsor in (bob, erin):
            ma.sponsor_application(actor=sponsor, application=candidate, now=start + timedelta(days=3))
        hugo = _person("hugo", "Hugo Mensah")
        pending = ma.apply_for_membership(
            actor=hugo,
            council=riverside,
            statement="New mechanic in the depot workshop.",
            now=start + timedelta(days=5),
        )
        ma.sponsor_application(actor=erin, application=pending, now=start + timedelta(days=6))
        # A member who moved to the depot asks to transfer: Riverside's admission vote decides.
        mover = (
            Membership.objects.filter(council=harbour, status=Membership.Status.FULL, ended_at__isnull=True)
            .exclude(user__username__in=list(demo.cast))
            .order_by("user__username")
            .first()
        )
        assert mover is not None
        ma.request_transfer(
            actor=mover.user,
            council=riverside,
            statement="I moved from the harbour yard to the depot workshop this autumn.",
            now=start + timedelta(days=6),
        )
        # Harbour Works' night shift asks Eastside District for a council of its own; one more founder
        # is needed before the district can vote on it (dave may consent).
        night_shift = list(
            Membership.objects.filter(council=harbour, status=Membership.Status.FULL, ended_at__isnull=True)
            .exclude(user__username__in=list(demo.cast))
            .exclude(pk=mover.pk)
            .order_by("-user__username")[:2]
        )
        assert harbour.parent is not None
        proposal = ma.propose_formation(
            actor=night_shift[0].user,
            parent=harbour.parent,
            name="Harbour Night Shift",
            reason="The night shift works apart from the day yard and cannot attend its meetings.",
            now=start + timedelta(days=6),
        )
        ma.sign_formation(actor=night_shift[1].user, formation=proposal, now=start + timedelta(days=7))
        accused = (
            Membership.objects.filter(council=riverside, status=Membership.Status.FULL, ended_at__isnull=True)
            .exclude(user__username__in=list(demo.cast))
            .order_by("user__username")
            .first()
        )
        assert accused is not None
        charged = start + timedelta(days=7)
        ma.bring_charges(
            actor=frank,
            membership=accused,
            charges="Gave the management the names of the members who organised the overtime ban in March.",
            penalty="expulsion",
            hearing_at=charged + timedelta(days=21),
            now=charged,
        )
        platform = pa.found_platform(
            actor=bob,
            federation=demo.federation,
            name="Rank and File Caucus",
            statement="Delegates on workers' wages, every mandate written down, every delegate recallable.",
            now=start,
        )
        for member in (erin, dave):
            pa.join_platform(actor=member, platform=platform, now=start + timedelta(days=1))
        pa.publish_document(
            actor=bob,
            platform=platform,
            title="Why we want delegates on workers' wages",
            body="An official paid more than the members they represent stops sharing their interests. "
            "We propose capping every official's pay at the average wage of the members.",
            councils=[riverside, harbour],
            now=start + timedelta(days=2),
        )
