from __future__ import annotations

import uuid

import pytest

from councils.platforms import actions
from councils.platforms.models import Platform, PlatformDocument, Slate
from tests.membership.support import NOW, adopt
from tests.personas import LOGIN, WEB, check, check_wrong_method


@pytest.fixture
def platform(cast):
    adopt(cast)
    return actions.found_platform(
        actor=cast.bob,
        federation=cast.federation,
        name="Rank and File",
        statement="Power to the depots.",
        now=NOW,
    )


@pytest.mark.parametrize(
    ("persona", "status", "sees_members"),
    [
        ("anonymous", LOGIN, False),
        ("outsider", 200, False),
        ("observer", 200, False),
        ("member", 200, True),
        ("officer", 200, False),
    ],
)
def test_personas_see_the_platform_page(cast, platform, persona, status, sees_members):
    response = check(cast, persona, WEB, "get", f"/platforms/{platform.uuid}/", expected=status)
    if status == 200:
        page = response.content.decode()
        assert "Power to the depots." in page
        assert ("Bob Novak" in page) is sees_members


def test_stranger_gets_404(cast, platform):
    from tests.conftest import make_user

    client = cast.client(make_user("sam", "Sam"))
    assert client.get(f"/platforms/{platform.uuid}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", LOGIN), ("outsider", 302), ("observer", 403), ("member", 409), ("officer", 302)],
)
def test_personas_join_on_the_web(cast, platform, persona, status):
    check(cast, persona, WEB, "post", f"/platforms/{platform.uuid}/join/", expected=status)


def test_form_publish_and_slate_on_the_web(cast, platform):
    client = cast.client(cast.bob)
    assert client.post("/platforms/", {"name": "Second", "statement": "More."}).status_code == 302
    assert Platform.objects.count() == 2
    assert client.post("/platforms/", {"name": "", "statement": ""}).status_code == 422
    url = f"/platforms/{platform.uuid}/publish/"
    assert (
        client.post(url, {"title": "T", "body": "B", "councils": [str(cast.riverside.uuid)]}).status_code
        == 302
    )
    assert PlatformDocument.objects.get().councils.get() == cast.riverside
    assert client.post(url, {"title": "T", "body": "B"}).status_code == 422
    check(cast, "officer", WEB, "get", url, expected=403)
    slate_url = f"/platforms/{platform.uuid}/slate/"
    data = {
        "election": str(uuid.uuid4()),
        "title": "Slate",
        "candidates": f"{cast.bob.uuid}\n{cast.erin.uuid}",
    }
    assert client.post(slate_url, data).status_code == 302
    assert Slate.objects.get().candidates == [str(cast.bob.uuid), str(cast.erin.uuid)]
    bad = client.post(slate_url, {**data, "candidates": str(cast.carol.uuid)})
    assert bad.status_code == 422
    assert "not eligible" in bad.content.decode()
    check_wrong_method(cast, WEB, f"/platforms/{platform.uuid}/leave/", "get")


def test_list_page(cast, platform, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        page = check(cast, "outsider", WEB, "get", "/platforms/").content.decode()
    assert "Rank and File" in page
    assert "Bob Novak" not in page


def test_a_slate_names_its_election_and_candidates_not_their_uuids(cast, platform):
    from councils.elections.actions import call_election

    election = call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", title="Delegates 2027", now=NOW
    )
    for election_uuid in (election.uuid, uuid.uuid4()):
        actions.run_slate(
            actor=cast.bob,
            platform=platform,
            election_uuid=election_uuid,
            title="Rank and file",
            candidates=[str(cast.erin.uuid), str(cast.bob.uuid)],
            now=NOW,
        )
    page = cast.client(cast.dave).get(f"/platforms/{platform.uuid}/").content.decode()
    assert f'href="/elections/{election.uuid}/">Delegates 2027</a>' in page
    assert "<li>Erin Walsh</li><li>Bob Novak</li>" in page
    assert str(cast.erin.uuid) not in page
    # An election the reader may not see (or that does not exist) keeps its identifier, and no link.
    hidden = Slate.objects.exclude(election_uuid=election.uuid).get()
    assert f"<code>{hidden.election_uuid}</code>" in page
