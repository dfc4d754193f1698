"""Minutes tell apart people who share a name, by the username the council's member list shows.

"Erin Walsh: no" twice in a roll call would let anyone later say which Erin
voted against. Minutes name each person as its readers know them: the name,
with the username beside it where another person the minutes name, or another
participant of the council, shares it. Only those who may read the names read
the usernames.
"""

from __future__ import annotations

import json

import pytest

from councils.accounts.models import User
from councils.core.ledger.minutes import minutes_hash
from councils.federation import actions as federation_actions
from councils.federation.models import Council
from councils.meetings import actions, queries
from councils.meetings.pdf import minutes_pdf as real_pdf
from councils.motions import actions as motion_actions
from tests.conftest import make_user
from tests.meetings.test_actions import CALLED, NOW, at, meeting  # noqa: F401 (fixture)

HINT = "People who share a name are told apart by their username, in brackets after it."


@pytest.fixture
def namesake(cast):
    """A second Erin Walsh, a founding member of Riverside Depot like the first (username erin)."""
    user = make_user("erin2", "Erin Walsh")
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=user, now=CALLED)
    return user


@pytest.fixture
def minutes_in_version_1(monkeypatch):
    """Minutes built as they were before namesakes were told apart: version 1, without `namesakes`."""
    build = queries.build_minutes

    def version_1(**kwargs):
        document = build(**kwargs)
        del document["namesakes"]
        return {**document, "v": 1}

    monkeypatch.setattr(queries, "build_minutes", version_1)


def hold(cast, called, *, present, voters):
    """Hold the meeting `called`: `present` marked present, then a named vote cast by `voters`."""
    motion = motion_actions.table_motion(
        actor=cast.alice,
        council=cast.riverside,
        title="Overtime ban",
        text="Refuse overtime.",
        now=NOW,
        seconds_required=0,
    )
    actions.add_agenda_item(actor=cast.alice, meeting=called, kind="motion", motion=motion, now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=called, now=at(0))
    for who in present:
        actions.mark_present(actor=who, meeting=called, user=who, now=at(1))
    actions.take_next_item(actor=cast.alice, meeting=called, now=at(2))
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, method="named", now=at(3))
    for who, choice in voters:
        motion_actions.cast_vote(actor=who, vote=vote, choice=choice, now=at(4))
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=at(5))
    return actions.close_meeting(actor=cast.alice, meeting=called, now=at(6))


def roll_call(document) -> list[str]:
    return next(d for d in document["items"][0]["decisions"] if d["event"] == "vote.closed")["roll_call"]


def test_namesakes_are_told_apart_by_username_in_attendance_and_roll_call(cast, meeting, namesake):  # noqa: F811
    held = hold(
        cast,
        meeting,
        present=[cast.erin, namesake, cast.frank],
        voters=[(cast.erin, "yes"), (namesake, "no"), (cast.frank, "no")],
    )
    held = actions.approve_minutes(actor=cast.alice, meeting=held, now=at(7))
    document = held.minutes
    assert document["v"] == 3
    assert sorted(a["name"] for a in document["attendance"]) == [
        "Erin Walsh (erin)",
        "Erin Walsh (erin2)",
        "Frank Costa",
    ]
    assert sorted(roll_call(document)) == [
        "Erin Walsh (erin): yes",
        "Erin Walsh (erin2): no",
        "Frank Costa: no",
    ]
    assert document["namesakes"] == [
        {"person": str(cast.erin.uuid), "name": "Erin Walsh", "username": "erin"},
        {"person": str(namesake.uuid), "name": "Erin Walsh", "username": "erin2"},
    ]
    assert minutes_hash(document) == held.minutes_hash


def test_a_namesake_who_took_no_part_in_the_meeting_still_has_the_other_told_apart(
    cast,
    meeting,  # noqa: F811
    namesake,
):
    held = hold(cast, meeting, present=[cast.erin], voters=[(cast.erin, "no")])
    draft, _ = queries.minutes_of(meeting=held)
    assert draft["attendance"] == [{"person": str(cast.erin.uuid), "name": "Erin Walsh (erin)"}]
    assert roll_call(draft) == ["Erin Walsh (erin): no"]
    assert [n["username"] for n in draft["namesakes"]] == ["erin"]


def test_minutes_without_namesakes_name_people_by_name_alone(cast, meeting):  # noqa: F811
    held = hold(cast, meeting, present=[cast.erin], voters=[(cast.erin, "no")])
    draft, _ = queries.minutes_of(meeting=held)
    assert draft["attendance"] == [{"person": str(cast.erin.uuid), "name": "Erin Walsh"}]
    assert roll_call(draft) == ["Erin Walsh: no"] and draft["namesakes"] == []
    assert HINT not in cast.client(cast.bob).get(f"/meetings/{held.uuid}/minutes/").content.decode()


@pytest.fixture
def told_apart(cast, meeting, namesake):  # noqa: F811
    held = hold(cast, meeting, present=[cast.erin, namesake], voters=[(cast.erin, "yes"), (namesake, "no")])
    return actions.approve_minutes(actor=cast.alice, meeting=held, now=at(7))


def test_members_read_the_usernames_on_the_page_in_the_api_and_in_the_pdf(cast, told_apart, monkeypatch):
    laid_out = []

    def minutes_pdf(document, **kwargs):
        laid_out.append(document)
        return real_pdf(document, **kwargs)

    monkeypatch.setattr("councils.web.views.meetings.minutes_pdf", minutes_pdf)
    page = cast.client(cast.bob).get(f"/meetings/{told_apart.uuid}/minutes/").content.decode()
    api = cast.api(cast.bob).get(f"/api/v1/meetings/{told_apart.uuid}/minutes").json()["document"]
    assert cast.client(cast.bob).get(f"/meetings/{told_apart.uuid}/minutes.pdf").status_code == 200
    assert "<li>Erin Walsh (erin)</li>" in page and "<li>Erin Walsh (erin2): no</li>" in page and HINT in page
    assert api == told_apart.minutes
    assert [a["name"] for a in laid_out[0]["attendance"]] == ["Erin Walsh (erin)", "Erin Walsh (erin2)"]
    assert sorted(roll_call(laid_out[0])) == ["Erin Walsh (erin): yes", "Erin Walsh (erin2): no"]


@pytest.mark.parametrize(
    "persona",
    [
        "outsider",
        pytest.param("anonymous", marks=pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)),
    ],
)
def test_others_read_no_username(cast, told_apart, persona):
    user = cast.dave if persona == "outsider" else None
    page = cast.client(user).get(f"/meetings/{told_apart.uuid}/minutes/").content.decode()
    api = cast.api(user).get(f"/api/v1/meetings/{told_apart.uuid}/minutes").content.decode()
    for text in (page, api):
        assert "erin2" not in text and "(erin)" not in text and "Erin Walsh" not in text
    assert HINT not in page and json.loads(api)["document"]["namesakes"] == []


def test_namesake_candidates_are_told_apart_only_to_those_who_may_read_names(cast, meeting):  # noqa: F811
    from tests.meetings.test_actions import add_election_item
    from tests.record.test_replay_elections import counted_back

    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    counted_back(cast, before_certifying=lambda election: add_election_item(cast, meeting, election))
    meeting = actions.close_meeting(actor=cast.alice, meeting=meeting, now=at(180))
    # Frank's namesake joins after the meeting: the draft, generated on every view, tells them apart.
    frank2 = make_user("frank2", "Frank Costa")
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=frank2, now=at(200))

    def texts(viewer) -> list[str]:
        document, _ = queries.minutes_for(viewer=viewer, meeting=meeting)
        return [d["text"] for d in document["items"][-1]["decisions"]]

    recount = "Counted again without Erin Walsh, who no longer had a vote: elected Bob Novak, {}."
    assert recount.format("Frank Costa (frank)") in texts(cast.bob)
    assert texts(cast.bob)[-1] == "Result certified: Bob Novak, Frank Costa (frank)"
    assert recount.format("Frank Costa") in texts(cast.dave)
    assert texts(cast.dave)[-1] == "Result certified: Bob Novak, Frank Costa"


def test_minutes_frozen_in_version_1_are_read_as_they_were(cast, meeting, minutes_in_version_1):  # noqa: F811
    held = hold(cast, meeting, present=[cast.erin], voters=[(cast.erin, "no")])
    held = actions.approve_minutes(actor=cast.alice, meeting=held, now=at(7))
    member = cast.client(cast.bob).get(f"/meetings/{held.uuid}/minutes/").content.decode()
    assert "<li>Erin Walsh: no</li>" in member and HINT not in member
    outsider, _ = queries.minutes_for(viewer=cast.dave, meeting=held)
    assert "namesakes" not in outsider and outsider["attendance"] == [{"person": None, "name": None}]


def test_a_view_of_the_draft_reads_of_the_council_only_those_named_and_their_namesakes(
    cast,
    meeting,  # noqa: F811
    namesake,
    monkeypatch,
):
    """A base council may have thousands of members, and the draft is generated on every view."""
    voters = [(cast.erin, "no"), (cast.frank, "no")]
    held = hold(cast, meeting, present=[cast.erin, cast.frank], voters=voters)
    for i in range(20):
        user = make_user(f"member{i:02d}", f"Member {i:02d}")
        federation_actions.add_founding_member(actor=None, council=cast.riverside, user=user, now=at(10))
    read: list[str] = []
    from_db = User.from_db.__func__

    def counted(cls, *args, **kwargs):
        user = from_db(cls, *args, **kwargs)
        read.append(user.username)
        return user

    monkeypatch.setattr(User, "from_db", classmethod(counted))
    draft, _ = queries.minutes_of(meeting=held)
    assert [n["username"] for n in draft["namesakes"]] == ["erin"]
    assert sorted(read) == ["erin", "erin2", "frank"]


@pytest.mark.parametrize(
    ("name", "other", "told_apart"),
    [
        ({"display_name": "Erin Walsh"}, {"first_name": "ERIN", "last_name": "walsh"}, True),
        ({"display_name": "Erin Walsh"}, {"first_name": "Erin", "last_name": "Walsh\t"}, True),
        ({"display_name": "Anna Straße"}, {"display_name": "ANNA STRASSE"}, True),
        ({"display_name": "Σοφία Ιωάννου"}, {"display_name": "σοφία ιωάννου"}, True),
        ({"display_name": "Zoë Brandt"}, {"display_name": "ZOË BRANDT"}, True),
        ({"display_name": "Erin Walsh"}, {"display_name": "Erin  Walsh"}, False),
        ({"display_name": "Zoë Brandt"}, {"display_name": "Zoe Brandt"}, False),
    ],
)
def test_names_alike_but_for_case_are_told_apart_in_any_script(cast, meeting, name, other, told_apart):  # noqa: F811
    """Compared as Python folds case (`str.casefold`), whatever the database's LOWER does."""
    held = hold(cast, meeting, present=[cast.erin], voters=[(cast.erin, "no")])
    User.objects.filter(pk=cast.erin.pk).update(**name)
    user = User.objects.create_user(username="other", **other)
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=user, now=at(10))
    draft, _ = queries.minutes_of(meeting=held)
    assert [n["username"] for n in draft["namesakes"]] == (["erin"] if told_apart else [])
