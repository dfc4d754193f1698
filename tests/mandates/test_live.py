"""A council's accountability page follows the council's live stream: a roll call checked, a recall
started or signed, a report falling due or an office changing refetches the parts that show it, and a
part never shows a viewer more than the whole page shows them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from councils.federation.models import Council, Seat
from councils.mandates import actions
from councils.web.views.mandates import ACCOUNTABILITY_PARTS
from tests.conftest import NOW
from tests.mandates.flows import adopt_mandate, broken_mandate, district_motion, seat_dave_for_harbour
from tests.web.parts import fields_to_fill, get_part, hear, parts_within_page

# What each part follows: an event names every part that shows what it changes.
FOLLOWS = {
    "rollcall": "mandates.changed recall.changed delegates.changed",
    "mandates": "mandates.changed",
    "recalls": "recall.changed delegates.changed offices.changed",
    "reports": "reports.changed",
    "register": "offices.changed delegates.changed reports.changed",
}


def _url(council: Council) -> str:
    return f"/mandates/councils/{council.uuid}/"


def _busy(cast) -> None:
    """Something in each part: a broken mandate, a recall of the delegate who broke it, a report owed."""
    broken_mandate(cast)
    actions.start_recall(
        actor=cast.erin, seat=Seat.objects.get(user=cast.bob, ended_at__isnull=True), now=NOW
    )
    with transaction.atomic():
        actions.open_reports_due(council=cast.district, meeting_uuid=uuid.uuid4(), now=NOW)


def test_the_accountability_page_follows_the_councils_stream(cast, rules):
    page = cast.client(cast.erin).get(_url(cast.riverside)).content.decode()
    assert f'<div id="accountability" data-live="/live/council-{cast.riverside.uuid}">' in page
    assert "web/live-parts.js" in page and "data-live-reload" not in page
    for part in ACCOUNTABILITY_PARTS:
        assert (
            f'id="mandates-{part}" data-live-on="{FOLLOWS[part]}" '
            f'hx-get="{_url(cast.riverside)}?part={part}" hx-trigger="live-refresh" hx-swap="outerHTML"'
        ) in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    named = set(" ".join(re.findall(r'data-live-on="([^"]*)"', page)).split())
    assert named == set(" ".join(FOLLOWS.values()).split())


def test_each_live_part_answers_htmx_with_that_part_only(cast, rules):
    _busy(cast)
    erin = cast.client(cast.erin)
    shown = {
        "rollcall": "Deviated",
        "mandates": "Held ",
        "recalls": "Recall of Bob Novak",
        "reports": "Eastside District",
        "register": "Alice Adeyemi",
    }
    for part, text in shown.items():
        response = get_part(erin, _url(cast.riverside), part)
        html = response.content.decode()
        assert response.status_code == 200 and html.lstrip().startswith("<section"), part
        assert f'id="mandates-{part}"' in html and text in html, part
        assert "<html" not in html and "<nav" not in html and "HX-Request" in response["Vary"], part
    assert 'id="mandates-rollcall"' in get_part(erin, _url(cast.riverside)).content.decode()
    whole = erin.get(f"{_url(cast.riverside)}?part=reports").content.decode()
    assert "<html" in whole and 'id="mandates-rollcall"' in whole and 'id="mandates-register"' in whole


# The queries of each part: the four every request makes (council, session, user, federation), then
# only what the part shows; the whole page reads all of it once, and the record's footer (18).
PART_QUERIES = {"rollcall": 7, "mandates": 7, "recalls": 8, "reports": 5, "register": 10}


def test_a_live_part_reads_only_what_it_shows(cast, rules):
    _busy(cast)
    erin = cast.client(cast.erin)
    erin.get(_url(cast.riverside))  # warm the session

    def queries(url: str, **headers: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert erin.get(url, headers=headers).status_code == 200
        return len(captured)

    assert queries(_url(cast.riverside)) <= 19
    for part in ACCOUNTABILITY_PARTS:
        assert queries(f"{_url(cast.riverside)}?part={part}", HX_Request="true") <= PART_QUERIES[part], part


def test_an_unknown_part_of_the_accountability_page_is_refused_with_the_parts_there_are(cast, rules):
    refused = get_part(cast.client(cast.erin), _url(cast.riverside), "pay")
    assert refused.status_code == 422
    parts = ", ".join(ACCOUNTABILITY_PARTS)
    assert f"No such part of this page: choose one of {parts}." in refused.content.decode()


@pytest.mark.parametrize(
    ("visibility", "viewer"),
    [
        pytest.param(*case, marks=pytest.mark.visibility(riverside=case[0]), id=f"{case[0]}-{case[1]}")
        for case in [
            (Council.Visibility.COUNCIL, "carol"),  # an observer
            (Council.Visibility.COUNCIL, "erin"),  # a member, who may start a recall
            (Council.Visibility.COUNCIL, "bob"),  # the delegate, who owes the report
            (Council.Visibility.FEDERATION, "dave"),  # a member of another council of the federation
            (Council.Visibility.PUBLIC, None),  # a visitor
        ]
    ],
)
def test_a_part_shows_no_more_than_the_whole_page_shows_that_viewer(cast, rules, visibility, viewer):
    _busy(cast)
    client = cast.client(getattr(cast, viewer) if viewer else None)
    shown = parts_within_page(client, _url(cast.riverside), ACCOUNTABILITY_PARTS)
    for part, html in shown.items():
        # A part's only forms are one-click buttons: nothing in one is ever being filled in.
        assert fields_to_fill(html) == [], part
    assert ("Submit your report" in shown["reports"]) is (viewer == "bob")
    assert ("Start a recall" in shown["recalls"]) is (viewer in ("erin", "bob"))


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_a_live_part_is_shown_only_to_who_may_see_the_council(cast, rules):
    for part in ACCOUNTABILITY_PARTS:
        assert get_part(cast.client(cast.dave), _url(cast.riverside), part).status_code == 404
        assert get_part(cast.client(None), _url(cast.riverside), part).status_code == 404
        assert get_part(cast.client(cast.carol), _url(cast.riverside), part).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_roll_call_checked_is_told_to_the_compliance_table(cast, rules, local_broker):
    channels = {"riverside": f"council-{cast.riverside.uuid}"}
    heard = hear(local_broker, channels, lambda: broken_mandate(cast))
    assert "mandates.changed" in heard["riverside"]
    followed = set(" ".join(FOLLOWS.values()).split())
    assert heard["riverside"] & followed == {"mandates.changed"}
    assert "Deviated" in get_part(cast.client(cast.erin), _url(cast.riverside), "rollcall").content.decode()


def test_the_mandates_in_force_say_whether_the_vote_above_is_awaited_held_or_left_without_a_roll_call(
    cast, rules
):
    from councils.motions import actions as motion_actions

    erin = cast.client(cast.erin)

    def mandates_part() -> str:
        return get_part(erin, _url(cast.riverside), "mandates").content.decode()

    assert "This council has not instructed its delegates." in mandates_part()
    seat_dave_for_harbour(cast)
    awaited = district_motion(cast, title="Strike fund levy")
    adopt_mandate(cast, awaited, choice="yes")
    part = mandates_part()
    assert "Strike fund levy" in part and "Awaited in Eastside District" in part
    # A newer mandate on the same motion replaces the older one.
    adopt_mandate(cast, awaited, choice="no")
    part = mandates_part()
    assert part.count("Strike fund levy") == 1 and '<td data-label="Instructed">No</td>' in part
    # Decided by secret ballot above: there is no roll call to compare with the instruction.
    secret = district_motion(cast, title="Canteen contract")
    adopt_mandate(cast, secret, choice="yes")
    vote = motion_actions.open_vote(actor=None, motion=secret, now=NOW, method="secret")
    motion_actions.cast_vote(actor=cast.dave, vote=vote, choice="yes", now=NOW)
    motion_actions.close_vote(actor=None, vote=vote, now=NOW + timedelta(minutes=10))
    assert "Decided in Eastside District: no named vote of its delegates to compare" in mandates_part()


@pytest.mark.django_db(transaction=True)
def test_a_mandate_adopted_is_told_to_the_mandates_in_force(cast, rules, local_broker):
    seat_dave_for_harbour(cast)
    target = district_motion(cast)
    heard = hear(
        local_broker, {"riverside": f"council-{cast.riverside.uuid}"}, lambda: adopt_mandate(cast, target)
    )
    assert "mandates.changed" in heard["riverside"]
    assert (
        "Awaited in Eastside District"
        in get_part(cast.client(cast.erin), _url(cast.riverside), "mandates").content.decode()
    )
