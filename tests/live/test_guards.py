"""A live channel admits exactly those who may see its object's page; one nobody guards is refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from councils.accounts.tokens import issue_token
from councils.elections import actions as election_actions
from councils.federation.models import Council, Membership
from councils.meetings import actions as meeting_actions
from councils.membership import actions as membership_actions
from councils.motions import actions as motion_actions
from tests.conftest import created_as, make_user
from tests.live.support import follow, session

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)  # as in tests/conftest.py

pytestmark = pytest.mark.django_db(transaction=True)


def council_channel(cast):
    return f"council-{cast.riverside.uuid}"


def election_channel(cast):
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
    )
    return f"election-{election.uuid}"


def meeting_channel(cast):
    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW + timedelta(days=7),
        place="Canteen",
        now=NOW,
    )
    return f"meeting-{meeting.uuid}"


def vote_channel(cast):
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two.", now=NOW
    )
    motion = motion_actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    return f"vote-{vote.uuid}"


CHANNELS = [council_channel, election_channel, meeting_channel, vote_channel]


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
@pytest.mark.parametrize("channel", CHANNELS)
def test_a_members_only_councils_channels_are_refused_to_outsiders(cast, channel):
    path = f"/live/{channel(cast)}"
    assert follow(path, None)[0] == 404
    # Dave sits in Harbour Works, in the same federation.
    assert follow(path, session(cast, cast.dave))[0] == 404
    assert follow(path, session(cast, cast.erin))[0] == 200
    assert follow(path, session(cast, cast.carol))[0] == 200


@pytest.mark.visibility(riverside=Council.Visibility.FEDERATION)
@pytest.mark.parametrize("channel", CHANNELS)
def test_a_federation_only_councils_channels_are_refused_outside_the_federation(cast, channel):
    path = f"/live/{channel(cast)}"
    assert follow(path, None)[0] == 404
    assert follow(path, session(cast, make_user("grace", "Grace Outside")))[0] == 404
    assert follow(path, session(cast, cast.dave))[0] == 200


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
@pytest.mark.parametrize("channel", CHANNELS)
def test_a_public_councils_channels_are_open_to_all(cast, channel):
    path = f"/live/{channel(cast)}"
    assert follow(path, None)[0] == 200


@pytest.mark.visibility(national=Council.Visibility.FEDERATION)
def test_a_federations_channel_follows_who_may_read_its_constitution(cast):
    path = f"/live/federation-{cast.federation.uuid}"
    assert follow(path, None)[0] == 404
    assert follow(path, session(cast, make_user("grace", "Grace Outside")))[0] == 404
    assert follow(path, session(cast, cast.dave))[0] == 200


@pytest.mark.visibility(national=Council.Visibility.PUBLIC)
def test_a_public_federations_channel_is_open_to_all(cast):
    assert follow(f"/live/federation-{cast.federation.uuid}", None)[0] == 200


@pytest.mark.visibility(national=Council.Visibility.PUBLIC)  # a public federation's platforms stay its own
def test_a_platforms_channel_admits_exactly_who_may_see_its_page(cast):
    """Anyone in the platform's federation, as its page; nobody outside it, and no visitor."""
    from councils.platforms.actions import found_platform

    platform = found_platform(
        actor=cast.bob, federation=cast.federation, name="Rank and File", statement="Unite.", now=NOW
    )
    assert follow(f"/live/platform-{platform.uuid}", None)[0] == 404
    for person in (cast.alice, cast.bob, cast.carol, cast.dave, make_user("grace", "Grace Outside")):
        page = cast.client(person).get(f"/platforms/{platform.uuid}/").status_code
        assert page in (200, 404)
        assert follow(f"/live/platform-{platform.uuid}", session(cast, person))[0] == page, person


@pytest.mark.parametrize(
    "prefix", ["council-", "election-", "meeting-", "vote-", "federation-", "case-", "platform-"]
)
def test_a_missing_or_malformed_object_is_refused(cast, prefix):
    for key in ("00000000-0000-0000-0000-000000000000", "not-a-uuid", ""):
        assert follow(f"/live/{prefix}{key}", session(cast, cast.alice))[0] == 404


@pytest.mark.parametrize("channel", ["petition-00000000-0000-0000-0000-000000000000", "anything", "votes"])
def test_a_channel_no_guard_covers_is_refused_even_to_a_member(cast, channel):
    assert follow(f"/live/{channel}", session(cast, cast.alice))[0] == 404


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_a_bearer_token_alone_is_anonymous(cast):
    """The stream reads the session only: a token, even a member's, lets no one into a hidden channel."""
    path = f"/live/{council_channel(cast)}"
    token = issue_token(user=cast.erin, name="script", now=NOW)
    assert follow(path, None, headers=[(b"authorization", f"Bearer {token}".encode())])[0] == 404


def charge_frank(cast):
    return membership_actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges="Broke the picket line.",
        penalty="expulsion",
        hearing_at=NOW + timedelta(days=20),
        now=NOW,
    )


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
def test_a_discipline_case_is_followed_only_by_those_who_may_see_it(cast):
    path = f"/live/case-{charge_frank(cast).uuid}"
    assert follow(path, None)[0] == 404
    assert follow(path, session(cast, cast.dave))[0] == 404  # another council of the federation
    assert follow(path, session(cast, cast.frank))[0] == 200  # the accused
    assert follow(path, session(cast, cast.erin))[0] == 200  # a member of the council deciding it


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
def test_charges_are_told_on_the_case_channel_not_on_the_councils_public_one(cast, local_broker):
    heard: list[tuple[str, dict]] = []
    stop = local_broker.subscribe(
        council_channel(cast), lambda channel, event: heard.append((channel, event))
    )
    try:
        case = charge_frank(cast)
    finally:
        stop()
    assert heard == []
    case_channel = f"case-{case.uuid}"
    stop = local_broker.subscribe(case_channel, lambda channel, event: heard.append((channel, event)))
    try:
        membership_actions.submit_defence(actor=cast.frank, case=case, statement="I was on leave.", now=NOW)
    finally:
        stop()
    assert heard == [(case_channel, {"type": "case.changed"})]


@pytest.mark.parametrize("visibility", created_as(Council.Visibility.values, "riverside", "district"))
def test_a_councils_channel_admits_exactly_who_may_see_its_page(cast, visibility):
    """For each way of being near a council, the stream answers as the council page does."""
    erin_left = membership_actions.leave_membership(
        actor=cast.erin, membership=Membership.objects.get(user=cast.erin), now=NOW
    )
    assert erin_left.ended_at is not None
    people = [
        None,
        cast.alice,
        cast.bob,
        cast.carol,
        cast.dave,
        cast.erin,
        cast.frank,
        make_user("grace", "Grace"),
    ]
    for council in (cast.riverside, cast.district):
        for person in people:
            page = cast.client(person).get(f"/councils/{council.uuid}/").status_code
            cookie = session(cast, person) if person else None
            assert follow(f"/live/council-{council.uuid}", cookie)[0] == page, (council.name, person)
    # The cases that tell the rules apart: a delegate sits in the council above, a former member
    # and the members who send the delegate do not.
    if visibility == Council.Visibility.COUNCIL:
        assert follow(f"/live/council-{cast.district.uuid}", session(cast, cast.bob))[0] == 200
        assert follow(f"/live/council-{cast.district.uuid}", session(cast, cast.frank))[0] == 404
        assert follow(f"/live/council-{cast.riverside.uuid}", session(cast, cast.erin))[0] == 404


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="Django never closes a connection to an in-memory SQLite database"
)
@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
@pytest.mark.parametrize("member", [True, False], ids=["admitted", "refused"])
def test_the_guard_hands_its_database_connection_back(cast, member):
    # A stream is outside Django's request cycle: a connection its guard kept would never go back to
    # the pool, and a server would run out of them one stream at a time.
    status, _ = follow(f"/live/{council_channel(cast)}", session(cast, cast.erin if member else cast.dave))
    assert status == (200 if member else 404)
    # The guard ran in asgiref's worker thread, as this does.
    assert asyncio.run(sync_to_async(lambda: connection.connection)()) is None
