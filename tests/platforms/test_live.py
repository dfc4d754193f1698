"""The platforms page follows the federation's live stream and a platform's page its own: a platform
formed, a document published or a slate run refetches the part that shows it, a part never shows a
viewer more than the whole page shows them, and joining or leaving is never told."""

from __future__ import annotations

import re

import pytest

from councils.federation import actions as federation_actions
from councils.federation.models import Office
from councils.platforms import actions
from councils.platforms.models import Platform
from councils.web.views.platforms import DETAIL_PARTS, LIST_PARTS
from tests.membership.support import NOW, adopt, nominated_election
from tests.web.parts import get_part, hear, parts_within_page

LIST = "/platforms/"


def _url(platform: Platform) -> str:
    return f"/platforms/{platform.uuid}/"


def _found(cast, name: str = "Rank and File") -> Platform:
    return actions.found_platform(
        actor=cast.bob, federation=cast.federation, name=name, statement="Power to the depots.", now=NOW
    )


def _publish(cast, platform: Platform) -> None:
    actions.publish_document(
        actor=cast.bob,
        platform=platform,
        title="Why we strike",
        body="Because we must.",
        councils=[cast.riverside],
        now=NOW,
    )


def _slate(cast, platform: Platform) -> None:
    actions.run_slate(
        actor=cast.bob,
        platform=platform,
        election_uuid=nominated_election(cast).uuid,
        title="Our candidates",
        candidates=[str(cast.erin.uuid)],
        now=NOW,
    )


@pytest.fixture
def platform(cast):
    adopt(cast)
    return _found(cast)


def _follows(page: str) -> dict[str, str]:
    return dict(re.findall(r'\sid="([^"]+)" data-live-on="([^"]*)"', page))


def test_the_platforms_page_follows_the_federations_stream(cast, platform):
    page = cast.client(cast.dave).get(LIST).content.decode()
    assert f'<div id="platforms-page" data-live="/live/federation-{cast.federation.uuid}">' in page
    assert "web/live-parts.js" in page and "data-live-reload" not in page
    assert _follows(page) == {"platform-list": "platforms.changed"}
    assert f'hx-get="{LIST}?part=platforms" hx-trigger="live-refresh" hx-swap="outerHTML"' in page


def test_someone_in_two_federations_sees_the_platforms_page_without_a_stream(cast, platform):
    other = federation_actions.create_federation(actor=None, name="Other Federation", now=NOW)
    council = federation_actions.create_council(
        actor=None, federation=other, name="Dock", kind="workplace", parent=None, is_base=True, now=NOW
    )
    # One membership each, but an office elsewhere: Dave observes a council of another federation.
    federation_actions.appoint_founding_officer(
        actor=None, council=council, user=cast.dave, role=Office.Role.OBSERVER, now=NOW
    )
    page = cast.client(cast.dave).get(LIST).content.decode()
    assert "data-live=" not in page and "Rank and File" in page


def test_the_platform_list_answers_htmx_with_the_list_only(cast, platform):
    client = cast.client(cast.dave)
    part = get_part(client, LIST).content.decode().strip()
    assert part.startswith('<ul class="list" id="platform-list"') and "Rank and File" in part
    assert "<html" not in part and "<form" not in part
    assert parts_within_page(client, LIST, LIST_PARTS) == {"platforms": part}
    refused = get_part(client, LIST, "members")
    assert refused.status_code == 422
    assert "No such part of this page: choose one of platforms." in refused.content.decode()


def test_a_platforms_page_follows_its_own_stream(cast, platform):
    page = cast.client(cast.erin).get(_url(platform)).content.decode()
    assert f'<div id="platform" data-live="/live/platform-{platform.uuid}">' in page
    assert "data-live-reload" not in page
    assert _follows(page) == {"platform-documents": "documents.changed", "platform-slates": "slates.changed"}
    for part in DETAIL_PARTS:
        assert f'hx-get="{_url(platform)}?part={part}" hx-trigger="live-refresh"' in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("viewer", "reads_the_document"),
    [
        ("bob", True),  # a member of the platform
        ("erin", True),  # a member of the council the document is for
        ("carol", True),  # the observer of that council
        ("dave", False),  # a member of another council of the federation
        ("alice", True),  # the chair, who may not see who belongs to the platform
    ],
)
def test_a_part_shows_no_more_than_the_whole_page_shows_that_viewer(
    cast, platform, viewer, reads_the_document
):
    _publish(cast, platform)
    _slate(cast, platform)
    client = cast.client(getattr(cast, viewer))
    shown = parts_within_page(client, _url(platform), DETAIL_PARTS)
    assert ("Why we strike" in shown["documents"]) is reads_the_document
    assert ("No documents addressed to you." in shown["documents"]) is not reads_the_document
    assert "Our candidates" in shown["slates"] and cast.erin.name in shown["slates"]
    for part, html in shown.items():
        assert "<form" not in html and "Bob Novak" not in html, part
    assert "documents" in get_part(client, _url(platform)).content.decode()  # the first by default


def test_a_platforms_parts_are_shown_only_inside_its_federation(cast, platform):
    from tests.conftest import make_user

    stranger = cast.client(make_user("grace", "Grace Outside"))
    for part in DETAIL_PARTS:
        assert get_part(stranger, _url(platform), part).status_code == 404
        assert get_part(cast.client(None), _url(platform), part).status_code == 302
    assert get_part(cast.client(None), LIST).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_each_change_is_told_on_the_channel_of_the_page_that_shows_it(cast, local_broker):
    adopt(cast)
    found = {}
    channels = {
        "federation": f"federation-{cast.federation.uuid}",
        "riverside": f"council-{cast.riverside.uuid}",
    }
    heard = hear(local_broker, channels, lambda: found.setdefault("platform", _found(cast)))
    assert heard == {"federation": {"platforms.changed"}, "riverside": set()}
    platform = found["platform"]
    channels["platform"] = f"platform-{platform.uuid}"
    assert hear(local_broker, channels, lambda: _publish(cast, platform)) == {
        "federation": set(),
        "riverside": set(),
        "platform": {"documents.changed"},
    }
    assert hear(local_broker, channels, lambda: _slate(cast, platform))["platform"] == {"slates.changed"}

    def join_and_leave() -> None:
        actions.join_platform(actor=cast.erin, platform=platform, now=NOW)
        actions.leave_platform(actor=cast.erin, platform=platform, now=NOW)

    # Who joins a platform, and when, stays private: nobody is told.
    assert hear(local_broker, channels, join_and_leave) == {
        "federation": set(),
        "riverside": set(),
        "platform": set(),
    }
