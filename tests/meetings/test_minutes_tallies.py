"""Minutes in format version 3 give every vote its tally, and an item's amendments their fate.

An amendment carried 2 to 1 by name, another rejected, a third withdrawn: a
member reading the minutes learns each, with the numbers the record counted
and how many were present, and the verifier holds the minutes to the record.
"""

from __future__ import annotations

import pytest

from councils.meetings import actions, queries
from councils.meetings.models import Meeting
from councils.motions import actions as motion_actions
from councils.record import sequencer
from councils.record.verification import verify_database
from tests.meetings.test_actions import NOW, at, meeting  # noqa: F401 (fixture)

TITLE = "Overtime ban"


def named_vote(cast, motion, choices, *, opened, closed):
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, method="named", now=at(opened))
    for who, choice in choices:
        motion_actions.cast_vote(actor=who, vote=vote, choice=choice, now=at(opened))
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=at(closed))
    return vote


def hold(cast, called: Meeting) -> Meeting:
    """Three present; one amendment withdrawn, one rejected 1 to 2, one carried 2 to 1, then the motion."""
    motion = motion_actions.table_motion(
        actor=cast.alice,
        council=cast.riverside,
        title=TITLE,
        text="Refuse overtime.",
        now=NOW,
        seconds_required=0,
    )
    actions.add_agenda_item(actor=cast.alice, meeting=called, kind="motion", motion=motion, now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=called, now=at(0))
    for who in (cast.alice, cast.erin, cast.frank):
        actions.mark_present(actor=who, meeting=called, user=who, now=at(1))
    actions.take_next_item(actor=cast.alice, meeting=called, now=at(2))

    def amend(who, text):
        return motion_actions.propose_amendment(
            actor=who, motion=motion, text=text, now=at(3), seconds_required=0
        )

    carried = amend(cast.erin, "Refuse overtime and weekend work.")
    rejected = amend(cast.frank, "Accept overtime.")
    withdrawn = amend(cast.erin, "Refuse overtime on Sundays.")
    motion_actions.withdraw_motion(actor=cast.erin, motion=withdrawn, now=at(4))
    no, yes = (cast.erin, "no"), (cast.frank, "yes")
    named_vote(cast, rejected, [(cast.alice, "yes"), no, (cast.frank, "no")], opened=5, closed=6)
    named_vote(cast, carried, [(cast.alice, "no"), (cast.erin, "yes"), yes], opened=7, closed=8)
    named_vote(cast, motion, [(cast.alice, "yes"), (cast.erin, "yes"), yes], opened=9, closed=10)
    return actions.close_meeting(actor=cast.alice, meeting=called, now=at(11))


def decisions(document) -> list[dict]:
    return document["items"][0]["decisions"]


def closes(document) -> list[dict]:
    return [d for d in decisions(document) if d["event"] == "vote.closed"]


def test_amendments_are_minuted_with_their_tallies_and_roll_calls(cast, meeting):  # noqa: F811
    held = hold(cast, meeting)
    document, _ = queries.minutes_of(meeting=held)
    assert document["v"] == 3
    texts = [d["text"] for d in decisions(document)]
    assert "Amendment proposed: “Amendment 1 to: Overtime ban”." in texts
    assert "“Amendment 3 to: Overtime ban” withdrawn by its mover." in texts
    assert (
        "Amended: “Amendment 1 to: Overtime ban” carried, and the motion now reads as it proposed." in texts
    )
    rejected, carried, motion = closes(document)
    electorate = rejected["tally"]["electorate"]
    assert rejected["text"] == (
        f"Named vote on “Amendment 2 to: Overtime ban” closed: rejected. Yes 1, no 2, abstain 0; "
        f"3 of {electorate} voted; 3 present."
    )
    assert carried["tally"] | {"electorate": 0} == {
        "yes": 2,
        "no": 1,
        "abstain": 0,
        "cast": 3,
        "turnout": 3,
        "electorate": 0,
        "threshold": "simple",
        "quorum": carried["tally"]["quorum"],
        "quorum_met": True,
        "required": carried["tally"]["required"],
        "outcome": "adopted",
        "method": "named",
        "present": 3,
    }
    assert sorted(carried["roll_call"]) == ["Alice Adeyemi: no", "Erin Walsh: yes", "Frank Costa: yes"]
    assert {b["person"]: b["choice"] for b in carried["ballots"]} == {
        str(cast.alice.uuid): "no",
        str(cast.erin.uuid): "yes",
        str(cast.frank.uuid): "yes",
    }
    assert motion["text"].startswith("Named vote on the motion closed: adopted. Yes 3, no 0, abstain 0;")


def test_the_page_the_api_and_the_pdf_give_the_tallies(cast, meeting, monkeypatch):  # noqa: F811
    held = actions.approve_minutes(actor=cast.alice, meeting=hold(cast, meeting), now=at(12))
    laid_out = []
    real = queries.readable

    def readable(document):
        laid_out.append(real(document))
        return laid_out[-1]

    monkeypatch.setattr(queries, "readable", readable)
    page = cast.client(cast.bob).get(f"/meetings/{held.uuid}/minutes/").content.decode()
    assert "Named vote on “Amendment 1 to: Overtime ban” closed: adopted. Yes 2, no 1, abstain 0;" in page
    assert '<p class="tally"' in page and "<li>Alice Adeyemi: no</li>" in page
    assert cast.client(cast.bob).get(f"/meetings/{held.uuid}/minutes.pdf").status_code == 200
    assert [d["tally"]["yes"] for d in closes(laid_out[-1])] == [1, 2, 3]
    api = cast.api(cast.bob).get(f"/api/v1/meetings/{held.uuid}/minutes").json()["document"]
    assert api == held.minutes and [d["tally"]["no"] for d in closes(api)] == [2, 1, 0]
    outsider = cast.api(cast.dave).get(f"/api/v1/meetings/{held.uuid}/minutes").json()["document"]
    assert [(d["tally"]["yes"], d["ballots"], d["roll_call"]) for d in closes(outsider)] == [
        (1, [], []),
        (2, [], []),
        (3, [], []),
    ]


def test_approved_minutes_in_version_3_match_their_record(cast, meeting):  # noqa: F811
    actions.approve_minutes(actor=cast.alice, meeting=hold(cast, meeting), now=at(12))
    sequencer.sequence_pending(now=at(12))
    assert verify_database() == []


@pytest.fixture
def forged_tally(monkeypatch):
    """Minutes saying the rejected amendment carried 2 to 1, approved so: the record holds their hash."""
    build = queries.build_minutes

    def forged(**kwargs):
        document = build(**kwargs)
        for d in closes(document)[:1]:
            d["tally"] = {**d["tally"], "yes": 2, "no": 1, "outcome": "adopted"}
        return document

    monkeypatch.setattr(queries, "build_minutes", forged)


@pytest.mark.tampers
def test_approved_minutes_whose_amendment_tally_is_not_the_records_are_reported(
    cast,
    meeting,  # noqa: F811
    forged_tally,
):
    held = actions.approve_minutes(actor=cast.alice, meeting=hold(cast, meeting), now=at(12))
    sequencer.sequence_pending(now=at(12))
    vote = closes(held.minutes)[0]["vote"]
    assert verify_database() == [
        f"[meetings] Meeting {held.uuid}'s minutes state vote {vote} as yes 2, no 1, abstain 0 "
        "(adopted; 3 present) but the record has yes 1, no 2, abstain 0 (rejected; 3 present)."
    ]


@pytest.fixture
def minutes_in_version_2(monkeypatch):
    """Minutes built as they were before tallies were stated: version 2, the numbers in the text alone."""
    build = queries.build_minutes

    def version_2(**kwargs):
        document = build(**kwargs)
        for item in document["items"]:
            item["decisions"] = [
                {k: v for k, v in d.items() if k not in ("vote", "tally", "ballots", "election", "result")}
                for d in item["decisions"]
            ]
        return {**document, "v": 2}

    monkeypatch.setattr(queries, "build_minutes", version_2)


def test_minutes_frozen_in_version_2_keep_verifying_and_are_read_as_they_were(
    cast,
    meeting,  # noqa: F811
    minutes_in_version_2,
):
    held = actions.approve_minutes(actor=cast.alice, meeting=hold(cast, meeting), now=at(12))
    sequencer.sequence_pending(now=at(12))
    assert held.minutes["v"] == 2 and "tally" not in closes(held.minutes)[0]
    assert verify_database() == []
    page = cast.client(cast.bob).get(f"/meetings/{held.uuid}/minutes/")
    assert page.status_code == 200 and '<p class="tally"' not in page.content.decode()
    assert cast.client(cast.bob).get(f"/meetings/{held.uuid}/minutes.pdf").status_code == 200
