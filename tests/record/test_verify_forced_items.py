"""`manage.py verify_record` compares forced agenda items and the proposals to move them with the record.

An item forced by a petition or by a report back falling due, placed on a
meeting, dealt with or moved by an adopted motion: each field, and when it
was forced and last moved, must be what the entries say.

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.meetings import actions as meeting_actions
from councils.petitions import actions
from councils.petitions.models import ForcedAgendaItem, ItemChangeProposal
from councils.record.verification import verify_database
from tests.conftest import NOW
from tests.mandates.flows import hold_district_meeting
from tests.petitions.test_agenda_changes import schedule
from tests.petitions.test_petitions import carry, forced_item
from tests.record.test_verify_record import sql

JUNE = NOW + timedelta(days=7)


@pytest.fixture
def forced(cast, rules) -> tuple[ForcedAgendaItem, ForcedAgendaItem, ItemChangeProposal]:
    """A petition's item taken at Riverside's June meeting; a report back removed by an adopted motion."""
    heat = forced_item(cast)
    june = schedule(cast, "June meeting", 7)
    hold_district_meeting(cast, now=NOW + timedelta(hours=1))
    report = ForcedAgendaItem.objects.get(report__isnull=False)
    proposal = actions.propose_item_change(actor=cast.erin, item=report, change="remove", now=NOW)
    carry(cast, proposal.motion_uuid)
    meeting_actions.open_meeting(actor=cast.alice, meeting=june, now=JUNE)
    meeting_actions.mark_present_many(
        actor=cast.alice, meeting=june, users=[cast.alice, cast.erin, cast.frank], now=JUNE
    )
    meeting_actions.take_next_item(actor=cast.alice, meeting=june, now=JUNE)
    meeting_actions.close_meeting(actor=cast.alice, meeting=june, now=JUNE + timedelta(hours=1))
    heat.refresh_from_db()
    report.refresh_from_db()
    return heat, report, proposal


def test_forced_items_and_their_changes_match_their_record(forced):
    heat, report, _ = forced
    assert (heat.status, report.status) == ("dealt_with", "removed")
    assert verify_database() == []


def test_a_postponed_and_a_carried_over_item_match_their_record(cast, rules):
    item = forced_item(cast)
    june = schedule(cast, "June meeting", 7)
    meeting_actions.open_meeting(actor=cast.alice, meeting=june, now=JUNE)
    meeting_actions.close_meeting(actor=cast.alice, meeting=june, now=JUNE + timedelta(hours=1))
    item.refresh_from_db()
    assert (item.status, item.meeting_uuid) == ("pending", None)
    proposal = actions.propose_item_change(actor=cast.alice, item=item, change="postpone", now=JUNE)
    carry(cast, proposal.motion_uuid)
    item.refresh_from_db()
    assert item.status == "postponed"
    assert verify_database() == []


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("status", "pending", "'s status is 'pending' but the record says 'dealt_with'."),
        ("meeting_uuid", None, "'s meeting is None but the record says"),
        ("title", "Something else", "'s title or text is not its petition's in the record."),
        ("forced_at", JUNE, " was forced at 2026-03-08T09:00:00.000000Z, but the record says 2026-03-01"),
        ("changed_at", NOW, " last moved at 2026-03-01T09:00:00.000000Z, but the record says 2026-03-08"),
    ],
)
@pytest.mark.tampers
def test_a_forced_item_changed_in_the_database_is_detected(forced, field, value, problem):
    heat, _, _ = forced
    ForcedAgendaItem.objects.filter(pk=heat.pk).update(**{field: value})
    problems = verify_database()
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"[forced_items] Forced agenda item {heat.uuid}")
    assert problem in problems[0]


@pytest.mark.tampers
def test_a_forced_item_moved_without_a_motion_is_detected(forced, cast):
    _, report, _ = forced
    ForcedAgendaItem.objects.filter(pk=report.pk).update(
        status="pending", changed_at=None, changed_by_motion_uuid=None, council=cast.harbour
    )
    assert verify_database() == [
        f"[forced_items] Forced agenda item {report.uuid}'s council is '{cast.harbour.uuid}' "
        f"but the record says '{cast.riverside.uuid}'.",
        f"[forced_items] Forced agenda item {report.uuid}'s status is 'pending' "
        "but the record says 'removed'.",
        f"[forced_items] Forced agenda item {report.uuid}'s changed by motion is None "
        f"but the record says '{report.changed_by_motion_uuid}'.",
        f"[forced_items] Forced agenda item {report.uuid} last moved at no time, "
        f"but the record says 2026-03-01T09:05:00.000000Z.",
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"change": "merge"}, "'s change is 'merge' but the record says 'remove'."),
        ({"proposed_at": JUNE}, " was made at 2026-03-08T09:00:00.000000Z, but the record says 2026-03-01"),
        ({"proposed_by": "alice"}, " was made by someone other than the record says."),
        ({"item": "heat"}, "'s item is "),
    ],
)
@pytest.mark.tampers
def test_a_change_proposal_changed_in_the_database_is_detected(forced, cast, change, problem):
    heat, _, proposal = forced
    if "proposed_by" in change:
        change = {"proposed_by": cast.alice}
    if "item" in change:
        change = {"item": heat}
    ItemChangeProposal.objects.filter(pk=proposal.pk).update(**change)
    problems = verify_database()
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"[forced_items] Proposal {proposal.uuid} to ")
    assert problem in problems[0]


@pytest.mark.tampers
def test_forced_items_and_proposals_deleted_or_added_in_the_database_are_detected(forced, cast):
    heat, report, proposal = forced
    sql("DELETE FROM petitions_itemchangeproposal WHERE id = %s", [proposal.pk])
    assert verify_database() == [
        "[forced_items] The proposal to change a forced item by motion "
        f"{proposal.motion_uuid} has vanished from the database."
    ]
    ItemChangeProposal.objects.create(
        item=report, change="remove", proposed_by=cast.erin, proposed_at=NOW, motion_uuid=proposal.motion_uuid
    )
    ItemChangeProposal.objects.create(item=heat, change="remove", proposed_by=cast.erin, proposed_at=NOW)
    [slipped] = ItemChangeProposal.objects.filter(motion_uuid__isnull=True)
    assert verify_database() == [
        f"[forced_items] Proposal {slipped.uuid} to remove a forced agenda item exists "
        "but the record never received it."
    ]
    slipped.delete()
    sql("DELETE FROM petitions_forcedagendaitem WHERE id = %s", [heat.pk])
    problems = verify_database()
    assert (
        f"[forced_items] Forced agenda item {heat.uuid} is in the record but has vanished from the database."
        in (problems)
    )
    forged = ForcedAgendaItem.objects.create(
        council=cast.riverside, petition=heat.petition, title="Forged", text="", forced_at=NOW
    )
    assert (
        f"[forced_items] Forced agenda item {forged.uuid} ('Forged') exists but the record never forced it."
        in verify_database()
    )
