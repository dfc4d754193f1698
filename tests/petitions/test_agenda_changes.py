"""An adopted change motion takes effect on the agenda the members see."""

import json
from datetime import timedelta

import pytest

from councils.core.errors import InvalidInputError
from councils.meetings import actions as meeting_actions
from councils.meetings import queries as meeting_queries
from councils.meetings.models import AgendaItem
from councils.petitions import actions
from councils.petitions.models import ForcedAgendaItem
from councils.record.models import Entry
from tests.conftest import NOW
from tests.petitions.test_petitions import carry, forced_item


def schedule(cast, title, days):
    return meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title=title,
        starts_at=NOW + timedelta(days=days),
        place="Depot canteen",
        now=NOW,
    )


def agenda(meeting):
    return [i.title for i in meeting_queries.list_items(meeting=meeting)]


def test_adopted_removal_takes_the_item_off_the_agenda(cast, rules):
    item = forced_item(cast)
    meeting = schedule(cast, "June meeting", 7)
    assert agenda(meeting) == ["Heat in the depot"]
    proposal = actions.propose_item_change(actor=cast.alice, item=item, change="remove", now=NOW)
    carry(cast, proposal.motion_uuid)
    assert agenda(meeting) == []
    row = AgendaItem.objects.get(forced_item_uuid=item.uuid)
    assert row.status == "withdrawn"
    entry = json.loads(bytes(Entry.objects.get(event="meeting.item_withdrawn").data))
    assert entry["actor"] is None
    assert entry["payload"]["change"] == "remove"
    assert entry["payload"]["motion"] == str(proposal.motion_uuid)


def test_adopted_postponement_moves_the_item_to_the_next_meeting(cast, rules):
    item = forced_item(cast)
    june = schedule(cast, "June meeting", 7)
    july = schedule(cast, "July meeting", 35)
    assert (agenda(june), agenda(july)) == (["Heat in the depot"], [])
    proposal = actions.propose_item_change(actor=cast.alice, item=item, change="postpone", now=NOW)
    carry(cast, proposal.motion_uuid)
    assert (agenda(june), agenda(july)) == ([], ["Heat in the depot"])
    item.refresh_from_db()
    assert (item.status, item.meeting_uuid) == ("placed", july.uuid)


def test_postponement_without_a_later_meeting_waits_for_the_next_one(cast, rules):
    item = forced_item(cast)
    june = schedule(cast, "June meeting", 7)
    proposal = actions.propose_item_change(actor=cast.alice, item=item, change="postpone", now=NOW)
    carry(cast, proposal.motion_uuid)
    item.refresh_from_db()
    assert (agenda(june), item.status, item.meeting_uuid) == ([], "postponed", None)
    july = schedule(cast, "July meeting", 35)
    assert agenda(july) == ["Heat in the depot"]


def test_adopted_merge_takes_the_item_off_and_names_it_on_the_other(cast, rules, client):
    item = forced_item(cast)
    meeting = schedule(cast, "June meeting", 7)
    other = meeting_actions.add_agenda_item(
        actor=cast.alice, meeting=meeting, kind="other", title="Working conditions", now=NOW
    )
    with pytest.raises(InvalidInputError, match="Name the item"):
        actions.propose_item_change(actor=cast.alice, item=item, change="merge", now=NOW)
    proposal = actions.propose_item_change(
        actor=cast.alice, item=item, change="merge", merge_into=other.uuid, now=NOW
    )
    carry(cast, proposal.motion_uuid)
    assert agenda(meeting) == ["Working conditions"]
    assert [i.title for i in other.merged_items.all()] == ["Heat in the depot"]
    assert ForcedAgendaItem.objects.get(pk=item.pk).status == "merged"
    client.force_login(cast.frank)
    page = client.get(f"/meetings/{meeting.uuid}/").content.decode()
    assert "Working conditions" in page and "Merged here: Heat in the depot" in page


def test_a_merge_can_be_tabled_from_the_page_naming_the_other_item(cast, rules, client):
    from councils.petitions.models import ItemChangeProposal

    item = forced_item(cast)
    meeting = schedule(cast, "June meeting", 7)
    other = meeting_actions.add_agenda_item(
        actor=cast.alice, meeting=meeting, kind="other", title="Working conditions", now=NOW
    )
    client.force_login(cast.frank)
    page = client.get(f"/petitions/{item.petition.uuid}/").content.decode()
    assert "the item to merge it with" in page and "Working conditions" in page
    response = client.post(
        f"/petitions/items/{item.uuid}/change-motion/", {"change": "merge", "merge_into": str(other.uuid)}
    )
    assert response.status_code == 302
    proposal = ItemChangeProposal.objects.get(item=item)
    assert proposal.change == "merge" and proposal.merge_into_uuid == other.uuid
    carry(cast, proposal.motion_uuid)
    assert agenda(meeting) == ["Working conditions"]
