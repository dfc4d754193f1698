"""The persona matrix for election and meeting endpoints and pages, in a council only its own may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from councils.elections import actions
from councils.federation.models import Council
from councils.meetings import actions as meeting_actions
from tests.personas import API, LOGIN, WEB, check

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
READ = [("anonymous", 404), ("outsider", 404), ("observer", 200), ("member", 200), ("officer", 200)]


pytestmark = pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)


@pytest.fixture
def nominating(cast):
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    return election


@pytest.fixture
def voting(cast, nominating):
    # Opened now, so ballots cast through the interfaces fall within the poll.
    opened = timezone.now()
    return actions.open_voting(
        actor=cast.alice, election=nominating, closes_at=opened + timedelta(hours=1), now=opened
    )


@pytest.fixture
def meeting(cast):
    return meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="GM",
        starts_at=NOW,
        place="Canteen",
        now=NOW - timedelta(days=7),
    )


@pytest.mark.parametrize(("persona", "expected"), READ)
def test_personas_read_election(cast, nominating, persona, expected):
    check(cast, persona, API, "get", f"/api/v1/elections/{nominating.uuid}", expected=expected)
    check(cast, persona, WEB, "get", f"/elections/{nominating.uuid}/", expected=expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 403), ("officer", 201)],
)
def test_personas_call_election(cast, persona, expected):
    body = {"council": str(cast.riverside.uuid), "kind": "office", "role": "treasurer"}
    check(cast, persona, API, "post", "/api/v1/elections", body, expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", LOGIN), ("outsider", 404), ("observer", 403), ("member", 403), ("officer", 200)],
)
def test_personas_call_election_page(cast, persona, expected):
    check(cast, persona, WEB, "get", f"/elections/call/{cast.riverside.uuid}/", expected=expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201), ("officer", 201)],
)
def test_personas_self_nomination(cast, nominating, persona, expected):
    from tests.personas import user_for

    user = user_for(cast, persona)
    body = {"candidate": str(user.uuid) if user else str(cast.bob.uuid)}
    check(cast, persona, API, "post", f"/api/v1/elections/{nominating.uuid}/nominations", body, expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 403), ("officer", 200)],
)
def test_personas_open_voting(cast, nominating, persona, expected):
    body = {"closes_at": (timezone.now() + timedelta(hours=1)).isoformat()}
    check(cast, persona, API, "post", f"/api/v1/elections/{nominating.uuid}/open", body, expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201), ("officer", 201)],
)
def test_personas_cast_ballot(cast, voting, persona, expected):
    erin = str(voting.candidacies.get().uuid)
    check(
        cast, persona, API, "post", f"/api/v1/elections/{voting.uuid}/ballot", {"ranking": [erin]}, expected
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", LOGIN), ("outsider", 404), ("observer", 403), ("member", 302), ("officer", 302)],
)
def test_personas_cast_ballot_page(cast, voting, persona, expected):
    erin = str(voting.candidacies.get().uuid)
    url = f"/elections/{voting.uuid}/ballot/"
    # Reviewing the ballot before casting it is refused to the same people, and casts nothing.
    check(cast, persona, WEB, "post", url, {"rank_1": erin}, 200 if expected == 302 else expected)
    check(cast, persona, WEB, "post", url, {"rank_1": erin, "confirm": "1"}, expected)


@pytest.mark.parametrize(("persona", "expected"), READ)
def test_personas_read_meeting(cast, meeting, persona, expected):
    check(cast, persona, API, "get", f"/api/v1/meetings/{meeting.uuid}", expected=expected)
    check(cast, persona, WEB, "get", f"/meetings/{meeting.uuid}/", expected=expected)
    check(cast, persona, API, "get", f"/api/v1/meetings/{meeting.uuid}/minutes", expected=expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 403), ("officer", 200)],
)
def test_personas_open_meeting(cast, meeting, persona, expected):
    check(cast, persona, API, "post", f"/api/v1/meetings/{meeting.uuid}/open", {}, expected)


def _speak(cast, meeting, persona, api, web, *, present):
    """Ask to speak through the API on one item and through the web page on another."""
    on_api, on_web = (
        meeting_actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title=t, now=NOW)
        for t in ("AOB", "Any other business")
    )
    meeting_actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    if present:
        everyone = [cast.alice, cast.bob, cast.carol]
        meeting_actions.mark_present_many(actor=cast.alice, meeting=meeting, users=everyone, now=NOW)
    check(
        cast, persona, API, "post", f"/api/v1/meetings/{meeting.uuid}/items/{on_api.uuid}/speakers", {}, api
    )
    check(cast, persona, WEB, "post", f"/meetings/{meeting.uuid}/items/{on_web.uuid}/join/", expected=web)


@pytest.mark.parametrize(
    ("persona", "api", "web"),
    [
        ("anonymous", 401, LOGIN),
        ("outsider", 404, 404),
        ("observer", 403, 403),
        ("member", 201, 302),
        ("officer", 201, 302),
    ],
)
def test_personas_join_speakers(cast, meeting, persona, api, web):
    _speak(cast, meeting, persona, api, web, present=True)


@pytest.mark.parametrize(
    ("persona", "api", "web"),
    [
        ("anonymous", 401, LOGIN),
        ("outsider", 404, 404),
        ("observer", 403, 403),
        ("member", 409, 409),
        ("officer", 409, 409),
    ],
)
def test_personas_join_speakers_while_absent(cast, meeting, persona, api, web):
    """Only those marked present take the floor; the chair is no exception."""
    _speak(cast, meeting, persona, api, web, present=False)
