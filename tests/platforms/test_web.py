from __future__ import annotations

import uuid

import pytest

from councils.elections.models import Election
from councils.federation.models import Council
from councils.platforms import actions
from councils.platforms.models import Platform, PlatformDocument, Slate
from tests.membership.support import NOW, adopt, nominated_election, poll_to
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
    check_wrong_method(cast, WEB, f"/platforms/{platform.uuid}/leave/", "get")


def test_a_documents_page_is_headed_by_its_title_once(cast, platform):
    """The title is the page's heading, not repeated a level too deep under it; the platform's page
    lists it under its own heading, as a link."""
    client = cast.client(cast.bob)
    url = f"/platforms/{platform.uuid}/publish/"
    client.post(url, {"title": "Wages", "body": "Workers' wages.", "councils": [str(cast.riverside.uuid)]})
    document = PlatformDocument.objects.get()
    page = client.get(f"/platforms/documents/{document.uuid}/").content.decode()
    assert page.count("Wages</h") == 1 and "<h1>Wages</h1>" in page and "<h3>" not in page
    listing = client.get(f"/platforms/{platform.uuid}/").content.decode()
    assert (
        f'<h3><a href="/platforms/documents/{document.uuid}/" id="document-{document.uuid}">Wages</a></h3>'
        in listing
    )


def test_a_slate_is_run_by_choosing_the_election_then_placing_its_nominees(cast, platform):
    election = nominated_election(cast)
    poll_to(cast, nominated_election(cast, title="Already counted"), Election.Status.CLOSED)
    client = cast.client(cast.bob)
    url = f"/platforms/{platform.uuid}/slate/"
    first = client.get(url).content.decode()
    label = (
        f"Riverside Depot: Delegates 2027 (Nominations open, called {NOW:%Y-%m-%d %H:%M} UTC, "
        f"no. {str(election.uuid)[:8]})"
    )
    assert f'<option value="{election.uuid}">{label}</option>' in first
    assert "Already counted" not in first
    assert "UUID" not in first

    second = client.get(url, {"election": str(election.uuid)}).content.decode()
    assert f'action="?election={election.uuid}"' in second
    assert "Erin Walsh" in second and "Frank Costa" in second and "Alice Adeyemi" in second
    place = {c.candidate.username: f"place_{c.uuid}" for c in election.candidacies.all()}
    response = client.post(
        f"{url}?election={election.uuid}", {"title": "Rank and file", place["frank"]: "1", place["erin"]: "2"}
    )
    assert response.status_code == 302
    slate = Slate.objects.get()
    assert (slate.election_uuid, slate.title) == (election.uuid, "Rank and file")
    assert slate.candidates == [str(cast.frank.uuid), str(cast.erin.uuid)]


def test_the_slate_form_keeps_what_was_typed_and_says_what_is_wrong(cast, platform):
    election = nominated_election(cast)
    client = cast.client(cast.bob)
    url = f"/platforms/{platform.uuid}/slate/?election={election.uuid}"
    place = {c.candidate.username: f"place_{c.uuid}" for c in election.candidacies.all()}

    nobody = client.post(url, {"title": "Our slate"})
    assert nobody.status_code == 422
    assert "Give at least one nominee a place on the slate." in nobody.content.decode()
    assert 'value="Our slate"' in nobody.content.decode()

    shared = client.post(url, {"title": "Our slate", place["erin"]: "1", place["frank"]: "1"})
    page = shared.content.decode()
    assert shared.status_code == 422
    assert "Two candidates share place 1" in page
    assert f'name="{place["erin"]}" id="id_{place["erin"]}" value="1"' in page

    untitled = client.post(url, {place["erin"]: "x"})
    assert untitled.status_code == 422
    assert 'value="x"' in untitled.content.decode()
    assert not Slate.objects.exists()


def test_the_slate_form_refuses_an_election_it_does_not_offer(cast, platform):
    client = cast.client(cast.bob)
    url = f"/platforms/{platform.uuid}/slate/"
    for election in (str(uuid.uuid4()), "not-a-uuid"):
        response = client.get(url, {"election": election})
        assert response.status_code == 422
        assert "Choose one of the elections listed" in response.content.decode()
    # No election is taking nominations or ballots: the page says so rather than offering an empty list.
    assert "No election you can see" in client.get(url).content.decode()
    assert client.post(url, {"title": "Slate"}).status_code == 422
    check(cast, "officer", WEB, "get", url, expected=403)
    assert not Slate.objects.exists()


def test_list_page(cast, platform, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        page = check(cast, "outsider", WEB, "get", "/platforms/").content.decode()
    assert "Rank and File" in page
    assert "Bob Novak" not in page


def _erin_and_bob_slate(cast, platform):
    """Riverside's election of delegates, and the platform's slate of Erin and Bob standing in it."""
    election = nominated_election(cast, nominees=[cast.erin, cast.bob])
    actions.run_slate(
        actor=cast.bob,
        platform=platform,
        election_uuid=election.uuid,
        title="Rank and file",
        candidates=[str(cast.erin.uuid), str(cast.bob.uuid)],
        now=NOW,
    )
    return election


def test_a_slate_names_its_election_and_candidates_not_their_uuids(cast, platform):
    election = _erin_and_bob_slate(cast, platform)
    page = cast.client(cast.dave).get(f"/platforms/{platform.uuid}/").content.decode()
    assert f'href="/elections/{election.uuid}/">Delegates 2027</a>' in page
    assert "<li>Erin Walsh</li><li>Bob Novak</li>" in page
    assert str(cast.erin.uuid) not in page


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_a_slate_keeps_the_identifier_and_no_link_of_an_election_the_reader_may_not_see(cast, platform):
    election = _erin_and_bob_slate(cast, platform)
    page = cast.client(cast.dave).get(f"/platforms/{platform.uuid}/").content.decode()
    assert f"<code>{election.uuid}</code>" in page
    assert f'href="/elections/{election.uuid}/"' not in page


def test_the_slate_form_tells_apart_elections_of_the_same_title_and_lists_those_voting(cast, platform):
    first = nominated_election(cast)
    twin = nominated_election(cast)
    voting = poll_to(cast, nominated_election(cast, title="Recall vote"), Election.Status.VOTING)
    page = cast.client(cast.bob).get(f"/platforms/{platform.uuid}/slate/").content.decode()
    labels = [
        page.split(f'<option value="{e.uuid}">', 1)[1].split("</option>", 1)[0] for e in (first, twin, voting)
    ]
    assert labels[0] != labels[1] and all(str(e.uuid)[:8] in page for e in (first, twin))
    # The hint says what the list holds, and what the action accepts: elections taking nominations or ballots.
    assert "Voting open" in labels[2]
    assert "still taking nominations or ballots" in page and "polled" not in page


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_a_slate_names_its_candidates_only_to_those_who_may_see_the_election(cast, platform):
    election = nominated_election(cast)
    actions.run_slate(
        actor=cast.bob,
        platform=platform,
        election_uuid=election.uuid,
        title="Rank and file",
        candidates=[str(cast.frank.uuid), str(cast.erin.uuid)],
        now=NOW,
    )

    def slates(who) -> str:
        page = cast.client(who).get(f"/platforms/{platform.uuid}/").content.decode()
        return page.split('id="platform-slates"')[1].split("</section>")[0]

    # Riverside Depot's election is its own: Dave, of Harbour Works, sees the platform's slate, how many
    # stand on it and in what order, but not who.
    assert "Frank Costa" in slates(cast.bob) and "Erin Walsh" in slates(cast.bob)
    hidden = slates(cast.dave)
    assert "Rank and file" in hidden and hidden.count("<li>A candidate</li>") == 2
    assert "Frank Costa" not in hidden and "Erin Walsh" not in hidden
