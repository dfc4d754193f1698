"""The constitution page follows the federation's live stream: a version adopted refetches the rules and
their history, an amendment proposed, put to the vote or decided refetches the amendments, and a part
never shows a viewer more than the whole page shows them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from councils.constitution import actions
from councils.motions import actions as motion_actions
from councils.motions.models import Motion
from councils.web.views.constitution import PARTS
from tests.membership.support import NOW, adopt, make_national_body, vote_through
from tests.web.parts import get_part, hear, parts_within_page

PAGE = "/constitution/"


def _propose(cast, **changes):
    return actions.propose_constitution_amendment(
        actor=cast.alice, federation=cast.federation, changes=changes, explanation="", now=NOW
    )


def _second_and_open(cast, amendment):
    motion = Motion.objects.get(uuid=amendment.motion_uuid)
    motion_actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    return actions.open_amendment_vote(actor=cast.alice, amendment=amendment, now=NOW, method="named")


def test_the_constitution_page_follows_the_federations_stream(cast):
    adopt(cast)
    page = cast.client(cast.bob).get(PAGE).content.decode()
    assert f'<div id="constitution-page" data-live="/live/federation-{cast.federation.uuid}">' in page
    assert "web/live-parts.js" in page and "data-live-reload" not in page
    assert dict(re.findall(r'\sid="([^"]+)" data-live-on="([^"]*)"', page)) == {
        "constitution-rules": "constitution.changed",
        "constitution-amendments": "constitution.changed amendments.changed",
        "constitution-history": "constitution.changed",
    }
    for part in PARTS:
        url = f"{PAGE}?federation={cast.federation.uuid}&amp;part={part}"
        assert f'hx-get="{url}" hx-trigger="live-refresh" hx-swap="outerHTML"' in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("viewer", ["alice", "bob", "carol", "dave"])
def test_each_part_is_the_pages_own_for_each_viewer(cast, viewer):
    adopt(cast)
    make_national_body(cast)
    _propose(cast, sponsors_required=3)
    client = cast.client(getattr(cast, viewer))
    shown = parts_within_page(client, PAGE, PARTS)
    assert "needs 2 sponsors" in shown["rules"] and "<del>2</del> → <ins>3</ins>" in shown["amendments"]
    assert "Version 1, adopted" in shown["history"]
    assert ("Propose an amendment" in shown["rules"]) is (viewer == "alice")
    assert get_part(client, PAGE).content.decode().strip() == shown["rules"]  # the first by default
    refused = get_part(client, PAGE, "members")
    assert refused.status_code == 422
    assert "choose one of rules, amendments, history" in refused.content.decode()


def test_the_parts_are_shown_only_inside_the_federation(cast):
    from tests.conftest import make_user

    adopt(cast)
    stranger = cast.client(make_user("grace", "Grace Outside"))
    for part in PARTS:
        assert get_part(stranger, PAGE, part).status_code == 404
        assert get_part(cast.client(None), PAGE, part).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_each_change_is_told_on_the_federations_channel(cast, local_broker):
    channels = {"federation": f"federation-{cast.federation.uuid}"}
    assert hear(local_broker, channels, lambda: adopt(cast)) == {"federation": {"constitution.changed"}}
    make_national_body(cast)
    made = {}
    heard = hear(local_broker, channels, lambda: made.setdefault("a", _propose(cast, sponsors_required=3)))
    assert heard == {"federation": {"amendments.changed"}}
    heard = hear(local_broker, channels, lambda: made.setdefault("vote", _second_and_open(cast, made["a"])))
    assert heard == {"federation": {"amendments.changed"}}
    later = NOW + timedelta(hours=1)
    carried = hear(
        local_broker,
        channels,
        lambda: vote_through(made["vote"], yes=[cast.alice, cast.erin], no=[cast.frank], now=later),
    )
    assert carried == {"federation": {"constitution.changed"}}
    lost = _second_and_open(cast, _propose(cast, sponsors_required=4))
    rejected = hear(
        local_broker, channels, lambda: vote_through(lost, yes=[cast.alice], no=[cast.erin], now=later)
    )
    assert rejected == {"federation": {"amendments.changed"}}
