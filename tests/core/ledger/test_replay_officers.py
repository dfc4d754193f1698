"""Replaying who acted as an officer, from entries alone: offices as the record fills and vacates them."""

from __future__ import annotations

from typing import Any

import pytest

from councils.core.ledger import replay
from councils.core.ledger.officers import CHAIR_OR_SECRETARY, OFFICER_ACTS, RUNNING_ELECTIONS
from councils.core.ledger.replay import Item

COUNCIL, OTHER = "c-1", "c-2"
# Every key an officer's act names, so that any act can be built from it.
PAYLOAD = {
    "vote": "v-1",
    "motion": "mo-1",
    "meeting": "mt-1",
    "member": "u-erin",
    "case": "case-1",
    "invitation": "inv-1",
    "election": "e-1",
}
UNKNOWN = (
    "some officers' acts are in councils whose offices the record does not show from the council's "
    "creation (created before the record began, or in entries you may not read): whether whoever acted "
    "held an office there was not checked"
)


def entry(event: str, payload: dict[str, Any], actor: str | None = None, council: str = COUNCIL) -> Item:
    return Item(index=0, event=event, actor=actor, council=council, at="", payload=payload)


def created(council: str = COUNCIL, **extra: Any) -> Item:
    return entry(
        "council.created", {"council": council, "is_base": True, "parent": None, **extra}, council=council
    )


def office(
    holder: str,
    role: str = "chair",
    name: str = "o-1",
    council: str = COUNCIL,
    event: str = "office.founding_filled",
) -> Item:
    return entry(event, {"office": name, "role": role, "holder": holder}, council=council)


def act(event: str, actor: str | None, council: str = COUNCIL) -> Item:
    return entry(event, dict(PAYLOAD), actor=actor, council=council)


def outcome(*items: Item | None) -> replay.Replay:
    """Replay `items` in order (None: an entry the reader cannot see)."""
    for index, item in enumerate(items):
        if item is not None:
            item.index = index
    return replay.replay(items)


def officer_problems(*items: Item | None) -> list[str]:
    """The problems about who acted as an officer (an act on its own breaks other rules too)."""
    return [p.message for p in outcome(*items).problems if "who was not the" in p.message]


def test_every_officers_act_is_checked_for_each_kind_the_policies_name():
    assert set(OFFICER_ACTS) == {
        "vote.opened",
        "vote.closed",
        "motion.forwarded",
        "meeting.scheduled",
        "meeting.item_added",
        "meeting.agenda_reordered",
        "meeting.opened",
        "meeting.item_taken",
        "meeting.closed",
        "meeting.minutes_approved",
        "meeting.attended",
        "meeting.speaker_withdrawn",
        "meeting.floor_given",
        "discipline.heard",
        "invitation.sent",
        "invitation.revoked",
        "election.called",
        "election.nominations_recorded",
        "election.opened",
        "election.paper_ballots_recorded",
        "election.closed",
        "election.failed",
        "election.recounted",
        "election.certified",
    }


@pytest.mark.parametrize("event", sorted(OFFICER_ACTS))
def test_an_act_of_the_councils_chair_passes(event):
    result = outcome(created(), office("u-alice"), act(event, "u-alice"))
    assert not [p for p in result.problems if "who was not the" in p.message]
    assert UNKNOWN not in result.notes


@pytest.mark.parametrize("event", sorted(OFFICER_ACTS))
def test_an_act_forged_as_a_members_is_caught(event):
    what, roles = OFFICER_ACTS[event]
    who = "the chair or secretary" if roles == CHAIR_OR_SECRETARY else "the chair or election officer"
    assert officer_problems(created(), office("u-alice"), act(event, "u-bob")) == [
        f"{what(PAYLOAD)} by u-bob, who was not {who} of council {COUNCIL} at that moment"
    ]


@pytest.mark.parametrize("event", sorted(OFFICER_ACTS))
def test_an_act_of_the_rules_is_not_judged(event):
    result = outcome(created(), act(event, None))
    assert not [p for p in result.problems if "who was not the" in p.message]
    assert UNKNOWN not in result.notes


@pytest.mark.parametrize("event", sorted(OFFICER_ACTS))
def test_an_act_in_a_council_whose_offices_are_unknown_is_noted_not_judged(event):
    # Created before the record began, or in entries the reader may not see.
    result = outcome(office("u-alice"), act(event, "u-bob"), None)
    assert not [p for p in result.problems if "who was not the" in p.message]
    assert UNKNOWN in result.notes


def test_vote_acts_name_the_vote_and_meeting_acts_the_meeting():
    assert OFFICER_ACTS["vote.opened"][0](PAYLOAD) == "vote v-1 was opened"
    assert OFFICER_ACTS["meeting.attended"][0](PAYLOAD) == "u-erin was marked present at meeting mt-1"
    assert OFFICER_ACTS["election.certified"][0](PAYLOAD) == "election e-1 was certified"


@pytest.mark.parametrize("role", ["secretary", "chair"])
def test_a_secretary_runs_votes_and_meetings_as_the_chair_does(role):
    for event in ("vote.opened", "vote.closed", "meeting.scheduled", "discipline.heard", "invitation.sent"):
        assert OFFICER_ACTS[event][1] == CHAIR_OR_SECRETARY
        assert officer_problems(created(), office("u-vera", role), act(event, "u-vera")) == []


def test_elections_are_run_by_the_chair_or_the_election_officer_not_the_secretary():
    for event in ("election.called", "election.opened", "election.closed", "election.certified"):
        assert OFFICER_ACTS[event][1] == RUNNING_ELECTIONS
        assert officer_problems(created(), office("u-eo", "election_officer"), act(event, "u-eo")) == []
        [problem] = officer_problems(created(), office("u-vera", "secretary"), act(event, "u-vera"))
        assert problem.endswith(
            "by u-vera, who was not the chair or election officer of council c-1 at that moment"
        )


@pytest.mark.parametrize("role", ["observer", "treasurer", "credentials_officer", "election_officer"])
def test_other_offices_do_not_run_votes(role):
    assert officer_problems(created(), office("u-carol", role), act("vote.opened", "u-carol")) == [
        "vote v-1 was opened by u-carol, who was not the chair or secretary of council c-1 at that moment"
    ]


def test_an_office_of_another_council_gives_no_right_here():
    assert officer_problems(
        created(), created(OTHER), office("u-dave", council=OTHER), act("vote.closed", "u-dave")
    ) == ["vote v-1 was closed by u-dave, who was not the chair or secretary of council c-1 at that moment"]


def test_an_office_counts_from_when_it_was_filled_until_it_was_vacated():
    vacated = entry(
        "office.vacated", {"office": "o-1", "role": "chair", "holder": "u-alice", "reason": "recalled"}
    )
    elected = office("u-erin", name="o-2", event="office.filled")
    assert officer_problems(
        created(),
        act("meeting.scheduled", "u-erin"),
        office("u-alice"),
        act("meeting.opened", "u-alice"),
        vacated,
        act("meeting.closed", "u-alice"),
        elected,
        act("meeting.minutes_approved", "u-erin"),
    ) == [
        f"meeting mt-1 was {what} by {who}, who was not the chair or secretary of council c-1 at that moment"
        for what, who in (("called", "u-erin"), ("closed", "u-alice"))
    ]


def test_anyone_taking_part_marks_themselves_present_but_only_an_officer_marks_another():
    own = entry("meeting.attended", {"meeting": "mt-1", "member": "u-bob"}, actor="u-bob")
    other = entry("meeting.attended", {"meeting": "mt-1", "member": "u-erin"}, actor="u-bob")
    assert officer_problems(created(), own) == []
    assert officer_problems(created(), other) == [
        "u-erin was marked present at meeting mt-1 by u-bob, who was not the chair or secretary of council "
        "c-1 at that moment"
    ]


def test_a_formed_councils_interim_chair_runs_it():
    """`council.created`, then the interim chair's `office.filled` (by the rules), then their acts."""
    interim = office("u-erin", event="office.filled", council="c-new")
    assert officer_problems(created("c-new"), interim, act("meeting.scheduled", "u-erin", "c-new")) == []
