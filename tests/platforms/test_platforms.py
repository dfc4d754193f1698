from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from councils.core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from councils.elections import actions as election_actions
from councils.elections.models import Election
from councils.federation import actions as federation_actions
from councils.federation.models import Council, Office
from councils.platforms import actions, queries
from councils.platforms.models import Platform
from councils.record.models import Entry
from tests.conftest import make_user
from tests.membership.support import NOW, adopt, nominated_election, payloads, poll_to
from tests.personas import API, check, check_invalid, check_wrong_method


@pytest.fixture
def platform(cast):
    adopt(cast)
    found = actions.found_platform(
        actor=cast.bob,
        federation=cast.federation,
        name="Rank and File",
        statement="Power to the depots.",
        now=NOW,
    )
    actions.join_platform(actor=cast.erin, platform=found, now=NOW)
    return found


def test_founder_is_a_member_and_the_record_does_not_name_them(cast, platform):
    assert [m.user for m in queries.list_members(viewer=cast.bob, platform=platform)] == [cast.bob, cast.erin]
    [entry] = [e for e in Entry.objects.filter(event="platform.founded")]
    data = bytes(entry.data).decode()
    for person in (cast.bob, cast.erin):
        assert str(person.uuid) not in data
        assert person.username not in data
    assert payloads("platform.founded")[0]["platform"] == str(platform.uuid)


def test_joining_and_leaving_leave_no_trace_in_the_record(cast, platform):
    before = Entry.objects.count()
    actions.join_platform(actor=cast.frank, platform=platform, now=NOW)
    actions.leave_platform(actor=cast.frank, platform=platform, now=NOW)
    assert Entry.objects.count() == before
    assert not Entry.objects.filter(event__startswith="platform.").exclude(event="platform.founded").exists()


def test_join_twice_and_non_members_are_refused(cast, platform):
    with pytest.raises(ConflictError, match="already a member"):
        actions.join_platform(actor=cast.erin, platform=platform, now=NOW)
    with pytest.raises(PermissionDeniedError, match="full members"):
        actions.join_platform(actor=cast.carol, platform=platform, now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.leave_platform(actor=cast.alice, platform=platform, now=NOW)


def test_name_taken_or_empty_is_refused(cast, platform):
    with pytest.raises(ConflictError, match="already a platform"):
        actions.found_platform(
            actor=cast.alice, federation=cast.federation, name="rank and file", statement="x", now=NOW
        )
    with pytest.raises(InvalidInputError, match="statement"):
        actions.found_platform(
            actor=cast.alice, federation=cast.federation, name="Other", statement=" ", now=NOW
        )


def test_document_reaches_members_of_the_councils_concerned_only(cast, platform):
    document = actions.publish_document(
        actor=cast.erin, platform=platform, title="Our motion", body="Text.", councils=[cast.harbour], now=NOW
    )
    assert queries.list_documents(viewer=cast.dave, platform=platform) == [document]
    assert queries.list_documents(viewer=cast.alice, platform=platform) == []
    assert queries.list_documents(viewer=cast.bob, platform=platform) == [document]
    [entry] = payloads("platform.document_published")
    assert entry["councils"] == [str(cast.harbour.uuid)]
    with pytest.raises(PermissionDeniedError):
        actions.publish_document(
            actor=cast.alice, platform=platform, title="t", body="b", councils=[cast.harbour], now=NOW
        )


def _slate(cast, platform, election, candidates):
    return actions.run_slate(
        actor=cast.bob,
        platform=platform,
        election_uuid=election,
        title="Slate",
        candidates=[str(p.uuid) for p in candidates],
        now=NOW,
    )


def test_slate_names_full_members_only(cast, platform):
    election = nominated_election(cast, nominees=[cast.erin, cast.bob]).uuid
    slate = _slate(cast, platform, election, [cast.erin, cast.bob])
    assert slate.candidates == [str(cast.erin.uuid), str(cast.bob.uuid)]
    assert list(queries.list_slates_for_election(viewer=cast.dave, election_uuid=election)) == [slate]
    [entry] = payloads("platform.slate_published")
    assert entry["election"] == str(election)
    # A slate is read by whoever may see its platform: the federation's members.
    assert not queries.list_slates_for_election(viewer=make_user("sam", "Sam"), election_uuid=election)
    with pytest.raises(InvalidInputError, match="not eligible"):
        _slate(cast, platform, election, [cast.carol])
    with pytest.raises(InvalidInputError, match="twice"):
        _slate(cast, platform, election, [cast.bob, cast.bob])


def test_a_slate_is_run_only_in_a_real_election_of_the_federation(cast, platform):
    with pytest.raises(NotFoundError, match="No such election"):
        _slate(cast, platform, uuid.uuid4(), [cast.bob])
    other = federation_actions.create_federation(actor=None, name="Other Federation", now=NOW)
    dock = federation_actions.create_council(
        actor=None,
        federation=other,
        name="Dock",
        kind="workplace",
        parent=None,
        is_base=True,
        visibility=Council.Visibility.PUBLIC,
        now=NOW,
    )
    docker = make_user("dina", "Dina Dock")
    federation_actions.add_founding_member(actor=None, council=dock, user=docker, now=NOW)
    federation_actions.appoint_founding_officer(
        actor=None, council=dock, user=docker, role=Office.Role.CHAIR, now=NOW
    )
    elsewhere = election_actions.call_election(
        actor=docker, council=dock, kind="office", role="treasurer", now=NOW
    )
    with pytest.raises(InvalidInputError, match="its own federation"):
        _slate(cast, platform, elsewhere.uuid, [cast.bob])
    assert not Entry.objects.filter(event="platform.slate_published").exists()


@pytest.mark.parametrize(
    ("status", "reason", "sentence"),
    [
        (Election.Status.CLOSED, "", "Voting in this election has closed and the ballots are counted."),
        (Election.Status.CERTIFIED, "", "The result of this election is certified."),
        (
            Election.Status.FAILED,
            Election.FailureReason.NO_BALLOTS,
            "The election failed: no ballots were cast, so nobody was elected.",
        ),
    ],
)
def test_a_slate_is_refused_once_the_poll_is_over(cast, platform, status, reason, sentence):
    election = poll_to(cast, nominated_election(cast, nominees=[cast.bob]), status)
    assert election.failure_reason == reason
    with pytest.raises(ConflictError) as refused:
        _slate(cast, platform, election.uuid, [cast.bob])
    assert str(refused.value) == (
        f"{sentence} A slate is run only while the election takes nominations or ballots."
    )
    assert refused.value.code == "election_state"


def test_a_slate_names_only_the_elections_nominees_still_standing(cast, platform):
    election = nominated_election(cast, nominees=[cast.erin, cast.bob])
    with pytest.raises(InvalidInputError, match=f"not standing: {cast.frank.uuid}"):
        _slate(cast, platform, election.uuid, [cast.erin, cast.frank])
    election_actions.withdraw_candidacy(
        actor=cast.erin, candidacy=election.candidacies.get(candidate=cast.erin), now=NOW
    )
    with pytest.raises(InvalidInputError, match=f"not standing: {cast.erin.uuid}"):
        _slate(cast, platform, election.uuid, [cast.bob, cast.erin])
    assert _slate(cast, platform, election.uuid, [cast.bob]).candidates == [str(cast.bob.uuid)]


def _members_url(platform):
    return f"/api/v1/platforms/{platform.uuid}/members"


@pytest.mark.parametrize(
    ("persona", "status"),
    # alice chairs Riverside and still may not see who belongs to a platform.
    [("anonymous", 401), ("outsider", 403), ("observer", 403), ("member", 200), ("officer", 403)],
)
def test_personas_see_the_member_list(cast, platform, persona, status, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = check(cast, persona, API, "get", _members_url(platform), expected=status)
    if status == 200:
        assert response.json()["count"] == 2


def test_credentials_officer_sees_the_member_list(cast, platform):
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.harbour, user=cast.dave, role=Office.Role.CREDENTIALS_OFFICER, now=NOW
    )
    assert check(cast, "outsider", API, "get", _members_url(platform)).json()["count"] == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 200), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_see_the_platform(cast, platform, persona, status):
    response = check(cast, persona, API, "get", f"/api/v1/platforms/{platform.uuid}", expected=status)
    if status == 200:
        assert response.json()["member_count"] == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 201), ("observer", 403), ("member", 201), ("officer", 201)],
)
def test_personas_found_a_platform(cast, persona, status):
    adopt(cast)
    check(
        cast,
        persona,
        API,
        "post",
        "/api/v1/platforms",
        {"name": f"P {persona}", "statement": "s"},
        expected=status,
    )


def test_join_leave_publish_and_slate_through_the_api(cast, platform):
    base = f"/api/v1/platforms/{platform.uuid}"
    assert check(cast, "officer", API, "post", base + "/join").json()["is_member"] is True
    assert check(cast, "officer", API, "get", _members_url(platform)).json()["count"] == 3
    assert check(cast, "officer", API, "post", base + "/leave").json()["is_member"] is False
    check(cast, "officer", API, "get", _members_url(platform), expected=403)
    doc = {"title": "Why we stand", "body": "Because.", "councils": [str(cast.riverside.uuid)]}
    check(cast, "officer", API, "post", base + "/documents", doc, expected=403)
    check(cast, "member", API, "post", base + "/documents", doc, expected=201)
    assert check(cast, "officer", API, "get", base + "/documents").json()["count"] == 1
    assert check(cast, "outsider", API, "get", base + "/documents").json()["count"] == 0
    election = nominated_election(cast, nominees=[cast.bob])
    slate = {"election": str(election.uuid), "title": "Our slate", "candidates": [str(cast.bob.uuid)]}
    check(cast, "member", API, "post", base + "/slates", slate, expected=201)
    assert check(cast, "outsider", API, "get", base + "/slates").json()["count"] == 1
    check_invalid(cast, API, "post", base + "/slates", {**slate, "candidates": ["x"]}, persona="member")
    problem = check_invalid(
        cast, API, "post", base + "/slates", {**slate, "candidates": [str(cast.erin.uuid)]}, persona="member"
    )
    assert f"not standing: {cast.erin.uuid}" in problem.json()["detail"]
    unknown = check(
        cast, "member", API, "post", base + "/slates", {**slate, "election": str(uuid.uuid4())}, expected=404
    )
    assert unknown["Content-Type"] == "application/problem+json"
    poll_to(cast, Election.objects.get(pk=election.pk), Election.Status.CLOSED)
    closed = check(cast, "member", API, "post", base + "/slates", slate, expected=409)
    assert closed.json()["code"] == "election_state"
    check_invalid(cast, API, "post", base + "/documents", {**doc, "councils": []}, persona="member")
    check_wrong_method(cast, API, base + "/join", "get")


def test_platform_list_counts_without_naming(cast, platform, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        body = check(cast, "outsider", API, "get", "/api/v1/platforms").json()
    assert body["items"][0]["member_count"] == 2
    assert "members" not in body["items"][0]
    assert Platform.objects.count() == 1
    assert timezone.now()


def test_someone_outside_the_federation_gets_404(cast, platform):
    from tests.conftest import make_user

    stranger = make_user("sam", "Sam")
    client = cast.api(stranger)
    assert client.get(f"/api/v1/platforms/{platform.uuid}").status_code == 404
    assert client.get(_members_url(platform)).status_code == 404
    assert client.get("/api/v1/platforms").json()["count"] == 0


def test_without_a_constitution_entries_name_the_defaults(cast):
    found = actions.found_platform(
        actor=cast.bob, federation=cast.federation, name="Rank and File", statement="Power.", now=NOW
    )
    actions.publish_document(
        actor=cast.bob, platform=found, title="Our motion", body="Text.", councils=[cast.harbour], now=NOW
    )
    assert payloads("platform.founded")[0]["constitution"] == 0
    assert payloads("platform.document_published")[0]["constitution"] == 0
