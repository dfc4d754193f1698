"""The council page follows the council's live stream: each part refetches itself, through htmx, when an
event it shows arrives, and a part never shows a viewer more than the whole page shows them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.elections import actions as election_actions
from councils.federation.models import Council, Office, Seat
from councils.mandates import actions as mandate_actions
from councils.meetings import actions as meeting_actions
from councils.membership import actions as membership_actions
from councils.motions import actions as motion_actions
from councils.web.views.councils import LIVE_PARTS
from tests.conftest import NOW, make_user
from tests.web.parts import get_part, hear, parts_within_page

# What each part follows: an event names every part that shows what it changes.
FOLLOWS = {
    "count": "members.changed delegates.changed",
    "offices": "offices.changed",
    "sent": "delegates.changed",
    "seats": "delegates.changed",
    "children": "councils.changed",
    "members": "members.changed",
    "motions": "motions.changed",
    "accountability": "recall.changed reports.changed petitions.changed agenda.changed",
    "admissions": "members.changed formations.changed",
    "meetings": "meetings.changed",
    "elections": "elections.changed",
}
# Events on a council's channel that change nothing its page shows.
NOT_SHOWN = {"mandates.changed"}
# Parts a base council's page has not: it seats no delegates and has no councils below.
NOT_ON_A_BASE_COUNCIL = {"seats", "children"}


def _url(council: Council) -> str:
    return f"/councils/{council.uuid}/"


def _part(client, council, part=None):
    return get_part(client, _url(council), part)


def _busy(cast) -> None:
    """Something in each part of Riverside's page: a motion, meeting, election, recall and applicant."""
    motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Two.", now=NOW
    )
    meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW,
        place="Canteen",
        now=NOW - timedelta(days=7),
    )
    election_actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    mandate_actions.start_recall(actor=cast.erin, seat=Seat.objects.get(user=cast.bob), now=NOW)
    newcomer = make_user("nina", "Nina Newcomer")
    membership_actions.apply_for_membership(actor=newcomer, council=cast.riverside, now=NOW)


def test_the_council_page_follows_the_councils_stream(cast):
    page = cast.client(cast.bob).get(_url(cast.district)).content.decode()
    assert f'<div id="council" data-live="/live/council-{cast.district.uuid}">' in page
    assert "web/live-parts.js" in page and "data-live-reload" not in page
    for part in ("count", "offices", "sent", "seats", "children"):
        assert (
            f'id="council-{part}" data-live-on="{FOLLOWS[part]}" '
            f'hx-get="{_url(cast.district)}?part={part}" hx-trigger="live-refresh" hx-swap="outerHTML"'
        ) in page
    page = cast.client(cast.carol).get(_url(cast.riverside)).content.decode()
    shown = [part for part in LIVE_PARTS if part not in NOT_ON_A_BASE_COUNCIL]
    for part in shown:
        assert f'id="council-{part}" data-live-on="{FOLLOWS[part]}"' in page
    assert 'id="council-seats"' not in page and 'id="council-children"' not in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    # Every event the page follows is one a part names.
    named = set(" ".join(re.findall(r'data-live-on="([^"]*)"', page)).split())
    assert named == set(" ".join(FOLLOWS[part] for part in shown).split())


def test_each_live_part_answers_htmx_with_that_part_only(cast):
    _busy(cast)
    alice = cast.client(cast.alice)
    shown = {
        "count": "4 members with a vote",
        "offices": "Carol Singh",
        "sent": "Bob Novak",
        "members": "Frank Costa",
        "motions": "Safety reps",
        "accountability": "Recall of Bob Novak",
        "admissions": "1 application in progress",
        "meetings": "General meeting",
        "elections": "Delegates of Riverside Depot to Eastside District",
    }
    for part, text in shown.items():
        response = _part(alice, cast.riverside, part)
        html = response.content.decode()
        assert response.status_code == 200 and html.lstrip().startswith(("<section", "<p", "<div")), part
        assert f'id="council-{part}"' in html and text in html, part
        assert "<html" not in html and "<nav" not in html and "HX-Request" in response["Vary"], part
    assert 'id="council-motions"' in _part(alice, cast.riverside).content.decode()  # the first by default
    district = _part(cast.client(cast.bob), cast.district, "seats").content.decode()
    assert 'id="council-seats"' in district and "Bob Novak" in district and "Riverside Depot" in district
    below = _part(cast.client(cast.bob), cast.district, "children").content.decode().lstrip()
    assert below.startswith('<section class="panel" aria-labelledby="children" id="council-children"')
    assert "Riverside Depot" in below and "Harbour Works" in below and "<html" not in below
    # Without htmx the same address is the whole page.
    whole = alice.get(f"{_url(cast.riverside)}?part=motions").content.decode()
    assert "<html" in whole and 'id="council-offices"' in whole and 'id="council-elections"' in whole


def test_every_section_of_a_council_page_is_a_card(cast):
    page = cast.client(cast.bob).get(_url(cast.district)).content.decode()
    sections = re.findall(r"<section [^>]*>", page)
    assert any('id="council-meetings"' in s for s in sections)
    assert any('id="council-elections"' in s for s in sections)
    assert [s for s in sections if 'class="panel' not in s] == []


def test_a_live_part_costs_a_fraction_of_the_page(cast):
    _busy(cast)
    alice = cast.client(cast.alice)
    alice.get(_url(cast.riverside))  # warm the session

    def queries(**headers):
        with CaptureQueriesContext(connection) as captured:
            assert alice.get(_url(cast.riverside), headers=headers).status_code == 200
        return len(captured)

    page = queries()
    for part in LIVE_PARTS:
        with CaptureQueriesContext(connection) as captured:
            _part(alice, cast.riverside, part)
        assert len(captured) <= page // 3, part


def test_an_unknown_part_of_the_council_page_is_refused_with_the_parts_there_are(cast):
    refused = _part(cast.client(cast.bob), cast.riverside, "record")
    assert refused.status_code == 422
    assert f"No such part of this page: choose one of {', '.join(LIVE_PARTS)}." in refused.content.decode()


@pytest.mark.parametrize(
    ("visibility", "viewer"),
    [
        pytest.param(*case, marks=pytest.mark.visibility(riverside=case[0]), id=f"{case[0]}-{case[1]}")
        for case in [
            (Council.Visibility.COUNCIL, "carol"),  # an observer
            (Council.Visibility.COUNCIL, "alice"),  # the chair
            (Council.Visibility.FEDERATION, "dave"),  # a member of another council of the federation
            (Council.Visibility.PUBLIC, None),  # a visitor
        ]
    ],
)
def test_a_part_shows_no_more_than_the_whole_page_shows_that_viewer(cast, visibility, viewer):
    _busy(cast)
    client = cast.client(getattr(cast, viewer) if viewer else None)
    page = client.get(_url(cast.riverside)).content.decode()
    for part, html in parts_within_page(client, _url(cast.riverside), LIVE_PARTS).items():
        # Nothing on the council page is being filled in: no part is ever replaced under a form.
        assert "<form" not in html, part
    if viewer in (None, "dave"):
        # Members are named only to the council's own participants, in the page and in its parts.
        assert _part(client, cast.riverside, "members").content.decode().strip() == ""
        assert "Frank Costa" not in page and "Nina Newcomer" not in page
        assert "application in progress" not in _part(client, cast.riverside, "admissions").content.decode()


@pytest.mark.visibility(
    riverside=Council.Visibility.COUNCIL,
    district=Council.Visibility.PUBLIC,
    harbour=Council.Visibility.PUBLIC,
)
@pytest.mark.parametrize(
    ("viewer", "sees_riverside"),
    [("carol", True), ("alice", True), ("dave", False), (None, False)],
)
def test_the_councils_below_show_only_those_the_viewer_may_see(cast, viewer, sees_riverside):
    client = cast.client(getattr(cast, viewer) if viewer else None)
    page = client.get(_url(cast.district)).content.decode()
    below = _part(client, cast.district, "children").content.decode().strip()
    assert below in page and "Harbour Works" in below
    assert ("Riverside Depot" in below) is sees_riverside
    assert (f'href="/councils/{cast.riverside.uuid}/"' in page) is sees_riverside


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_a_live_part_is_shown_only_to_who_may_see_the_council(cast):
    for part in LIVE_PARTS:
        assert _part(cast.client(cast.dave), cast.riverside, part).status_code == 404
        assert _part(cast.client(None), cast.riverside, part).status_code == 404
        assert _part(cast.client(cast.carol), cast.riverside, part).status_code == 200


def _heard(cast, local_broker, action) -> dict[str, set[str]]:
    """The event types each of Riverside's and the district's channels carry while `action` runs."""
    channels = {name: f"council-{getattr(cast, name).uuid}" for name in ("riverside", "district")}
    return hear(local_broker, channels, action)


@pytest.mark.django_db(transaction=True)
def test_the_councils_channel_tells_each_part_its_changes_and_nothing_more(cast, local_broker, rules):
    followed = set(" ".join(FOLLOWS.values()).split())
    heard = _heard(cast, local_broker, lambda: _busy(cast))
    assert heard["riverside"] == {
        "motions.changed",
        "meetings.changed",
        "elections.changed",
        "recall.changed",
        "members.changed",
    }
    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="Extra",
        starts_at=NOW + timedelta(days=8),
        place="Yard",
        now=NOW,
    )
    opened = NOW + timedelta(days=8)
    for act in (
        lambda: meeting_actions.open_meeting(actor=cast.alice, meeting=meeting, now=opened),
        lambda: meeting_actions.close_meeting(actor=cast.alice, meeting=meeting, now=opened),
    ):
        assert "meetings.changed" in _heard(cast, local_broker, act)["riverside"]
    petition = mandate_actions.start_recall(
        actor=cast.erin, office=Office.objects.get(user=cast.alice), now=NOW
    )
    heard = _heard(
        cast, local_broker, lambda: mandate_actions.sign_recall(actor=cast.frank, petition=petition, now=NOW)
    )
    assert "recall.changed" in heard["riverside"]
    # A delegate stepping down leaves the council above and the list of those Riverside sends.
    seat = Seat.objects.get(user=cast.bob)
    heard = _heard(
        cast, local_broker, lambda: mandate_actions.resign_seat(actor=cast.bob, seat=seat, now=NOW)
    )
    assert "delegates.changed" in heard["riverside"] and "delegates.changed" in heard["district"]
    for types in heard.values():
        assert types <= followed | NOT_SHOWN


@pytest.mark.django_db(transaction=True)
def test_a_new_council_below_is_told_on_the_channel_of_the_council_above(cast, local_broker):
    from councils.federation import actions as federation_actions

    def create() -> None:
        federation_actions.create_council(
            actor=None,
            federation=cast.federation,
            name="Canal Yard",
            kind="workplace",
            parent=cast.district,
            is_base=True,
            now=NOW,
        )

    heard = _heard(cast, local_broker, create)
    assert heard == {"riverside": set(), "district": {"councils.changed"}}
    assert "Canal Yard" in _part(cast.client(cast.bob), cast.district, "children").content.decode()


@pytest.mark.visibility(district=Council.Visibility.PUBLIC)
def test_councils_below_that_a_visitor_may_not_see_are_not_listed_nor_counted(cast):
    # Riverside Depot and Harbour Works are shown to their federation only.
    for client in (cast.client(None), cast.client(make_user("outsider", "Olga Outsider"))):
        page = client.get(_url(cast.district)).content.decode()
        section = re.search(r'<section class="panel"[^>]*id="council-children".*?</section>', page, re.S)
        assert section and " hidden " in section.group(0) and "aria-labelledby" not in section.group(0)
        assert "Councils below" not in page and "Harbour Works" not in page and "<li>" not in section.group(0)
        assert "{#" not in page
        part = _part(client, cast.district, "children").content.decode()
        assert " hidden " in part and "Councils below" not in part and "<li>" not in part
    # A member of the federation sees them all.
    page = cast.client(cast.dave).get(_url(cast.district)).content.decode()
    assert "Councils below" in page and "Harbour Works" in page and "Riverside Depot" in page
