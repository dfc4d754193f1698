"""Demo steps: Riverside Depot's meetings, past (with approved minutes), in session and upcoming.

The past meeting hears its delegate's report, debates and votes a motion by
roll call, and approves minutes generated from the record. The next meeting
has the open treasurer election on its agenda. Then Eastside District
meets, and closing that meeting puts the report back owed by Riverside's
delegates on Riverside's upcoming agenda, where the chair cannot remove it.
Last of all, a special meeting called after the district's is in session
as the demo loads, so its live parts have something to show.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from councils.elections.models import Election
from councils.federation import queries as fq
from councils.meetings import actions as ma
from councils.motions import actions as mo
from councils.motions.models import Motion

if TYPE_CHECKING:
    from councils.demo.build import Demo


def minute(n: int) -> timedelta:
    return timedelta(minutes=n)


def build_meetings(demo: Demo) -> None:
    riverside = next(c for c in demo.workplaces if c.name == "Riverside Depot")
    alice, bob, erin, frank = (demo.cast[n] for n in ("alice", "bob", "erin", "frank"))
    voters = list(fq.list_voters(council=riverside).order_by("username"))
    day = demo.now + timedelta(days=60)
    at = day.replace(hour=17, minute=30, second=0, microsecond=0)

    with transaction.atomic():
        motion = mo.table_motion(
            actor=erin,
            council=riverside,
            title="Heat breaks in the summer",
            text="When the depot is above 30 °C, every driver and fitter takes "
            "a paid 15-minute break each hour.",
            now=day - timedelta(days=5),
        )
        motion = mo.second_motion(actor=frank, motion=motion, now=day - timedelta(days=4))
        past = ma.schedule_meeting(
            actor=alice,
            council=riverside,
            title="Monthly general meeting",
            starts_at=at,
            place="Depot canteen",
            now=day - timedelta(days=10),
        )
        report = ma.add_agenda_item(
            actor=alice,
            meeting=past,
            kind="report",
            title="Report from our delegates",
            now=day - timedelta(days=9),
        )
        ma.add_agenda_item(
            actor=alice, meeting=past, kind="motion", motion=motion, now=day - timedelta(days=4)
        )
        ma.add_agenda_item(
            actor=alice, meeting=past, kind="other", title="Any other business", now=day - timedelta(days=4)
        )
        ma.open_meeting(actor=alice, meeting=past, now=at)
        present = [v for v in voters if v in (alice, bob, erin, frank) or demo.rng.random() < 0.5]
        for person in present:
            ma.mark_present(actor=alice, meeting=past, user=person, now=at + minute(1))
        ma.take_next_item(actor=alice, meeting=past, now=at + minute(2))
        ma.join_speakers(actor=bob, item=report, now=at + minute(2))
        ma.give_floor(actor=alice, item=report, now=at + minute(3))
        item = ma.take_next_item(actor=alice, meeting=past, now=at + minute(15))
        assert item is not None
        for speaker in (erin, frank):
            ma.join_speakers(actor=speaker, item=item, now=at + minute(16))
        ma.give_floor(actor=alice, item=item, now=at + minute(17))
        ma.give_floor(actor=alice, item=item, now=at + minute(22))
        vote = mo.open_vote(actor=alice, motion=motion, method="named", now=at + minute(30))
        for person in present:
            choice = "no" if demo.rng.random() < 0.15 else ("abstain" if demo.rng.random() < 0.05 else "yes")
            mo.cast_vote(actor=person, vote=vote, choice=choice, now=at + minute(32))
        mo.close_vote(actor=alice, vote=vote, now=at + minute(40))
        ma.take_next_item(actor=alice, meeting=past, now=at + minute(41))
        past = ma.close_meeting(actor=alice, meeting=past, now=at + minute(55))
        ma.approve_minutes(actor=alice, meeting=past, now=at + timedelta(days=1))

        treasurer = Election.objects.get(council=riverside, role="treasurer", status=Election.Status.VOTING)
        soon = (demo.now + timedelta(days=125)).replace(hour=17, minute=30, second=0, microsecond=0)
        upcoming = ma.schedule_meeting(
            actor=alice,
            council=riverside,
            title="Monthly general meeting",
            starts_at=soon,
            place="Depot canteen",
            online_url="https://meet.example.org/riverside-depot",
            now=demo.now + timedelta(days=115),
        )
        when = demo.now + timedelta(days=116)
        ma.add_agenda_item(actor=alice, meeting=upcoming, kind="election", election=treasurer, now=when)
        ma.add_agenda_item(actor=alice, meeting=upcoming, kind="other", title="Any other business", now=when)

        district = riverside.parent
        assert district is not None
        chair = district.offices.get(role="chair", ended_at__isnull=True).user
        meets = (demo.now + timedelta(days=116)).replace(hour=18, minute=0, second=0, microsecond=0)
        district_meeting = ma.schedule_meeting(
            actor=chair,
            council=district,
            title="District delegates' meeting",
            starts_at=meets,
            place="Eastside union hall",
            now=demo.now + timedelta(days=110),
        )
        ma.open_meeting(actor=chair, meeting=district_meeting, now=meets)
        ma.close_meeting(actor=chair, meeting=district_meeting, now=meets + minute(90))


def build_meeting_in_session(demo: Demo) -> None:
    """A special meeting of Riverside Depot, opened 40 minutes before the demo loads and still in session.

    Quorum is met but bob, carol and others are still absent. A report is
    done; the motion on safety representatives is under debate, erin has the
    floor and two more wait to speak; the open night shift vote and any other
    business are still to come. It was called (with the notice the
    constitution asks) after Eastside District's meeting, so the reports back
    stay on the monthly meeting's agenda. Runs last: nothing is dated later.
    """
    riverside = next(c for c in demo.workplaces if c.name == "Riverside Depot")
    alice, erin, frank = (demo.cast[n] for n in ("alice", "erin", "frank"))
    secretary = riverside.offices.get(role="secretary", ended_at__isnull=True).user
    # As in the motions step: crowd[0] seconded the motion debated here, crowd[2] proposed its amendment.
    crowd = [u for u in fq.list_voters(council=riverside).order_by("username") if u.username not in demo.cast]
    loaded = demo.now + timedelta(days=120)
    at = (loaded - timedelta(minutes=40)).replace(second=0, microsecond=0)

    with transaction.atomic():
        reps = Motion.objects.get(council=riverside, title="Safety representatives", amends__isnull=True)
        rota = Motion.objects.get(council=riverside, title="Night shift rota")
        meeting = ma.schedule_meeting(
            actor=alice,
            council=riverside,
            title="Special general meeting on safety",
            starts_at=at,
            place="Depot canteen",
            online_url="https://meet.example.org/riverside-depot",
            now=demo.now + timedelta(days=117),
        )
        when = demo.now + timedelta(days=118, hours=6)
        report = ma.add_agenda_item(
            actor=secretary, meeting=meeting, kind="report", title="The near miss in the yard", now=when
        )
        debated = ma.add_agenda_item(actor=alice, meeting=meeting, kind="motion", motion=reps, now=when)
        ma.add_agenda_item(actor=alice, meeting=meeting, kind="motion", motion=rota, now=when)
        ma.add_agenda_item(actor=alice, meeting=meeting, kind="other", title="Any other business", now=when)

        ma.open_meeting(actor=alice, meeting=meeting, now=at)
        for person in (alice, secretary):
            ma.mark_present(actor=person, meeting=meeting, user=person, now=at)
        arrived = [erin, frank, crowd[0], crowd[2], *(u for u in crowd[3:] if demo.rng.random() < 0.4)]
        ma.mark_present_many(actor=secretary, meeting=meeting, users=arrived, now=at + minute(2))
        ma.take_next_item(actor=alice, meeting=meeting, now=at + minute(4))
        ma.join_speakers(actor=secretary, item=report, now=at + minute(4))
        ma.give_floor(actor=alice, item=report, now=at + minute(5))
        ma.take_next_item(actor=alice, meeting=meeting, now=at + minute(17))
        for n, speaker in enumerate((crowd[0], erin, frank, crowd[2])):
            ma.join_speakers(actor=speaker, item=debated, now=at + minute(18 + n))
        ma.give_floor(actor=alice, item=debated, now=at + minute(19))
        ma.give_floor(actor=alice, item=debated, now=at + minute(26))
