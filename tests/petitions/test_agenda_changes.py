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


def test_an_item_forced_while_a_meeting_is_set_goes_on_that_meeting_at_once(cast, rules):
    june = schedule(cast, "June meeting", 7)
    item = forced_item(cast)
    assert agenda(june) == ["Heat in the depot"]
    item.refresh_from_db()
    assert (item.status, item.meeting_uuid) == ("placed", june.uuid)
    placed = json.loads(bytes(Entry.objects.get(event="agenda.item_placed").data))
    assert placed["payload"] == {"item": str(item.uuid), "meeting": str(june.uuid)}


def test_forcing_an_item_does_not_bring_back_one_postponed_from_the_meeting_set(cast, rules):
    first = forced_item(cast)
    june = schedule(cast, "June meeting", 7)
    proposal = actions.propose_item_change(actor=cast.alice, item=first, change="postpone", now=NOW)
    carry(cast, proposal.motion_uuid)
    assert agenda(june) == []
    second = actions.start_agenda_petition(
        actor=cast.alice, council=cast.riverside, title="Night shift rota", text="Rota.", now=NOW
    )
    actions.sign_agenda_petition(actor=cast.frank, petition=second, now=NOW)
    assert agenda(june) == ["Night shift rota"]
    first.refresh_from_db()
    assert first.status == "postponed"


def test_the_digest_tells_of_a_forced_item_the_body_removed(cast, rules):
    from councils.core.rules.digests import Period
    from councils.digests.queries import list_council_lines
    from councils.record.sequencer import sequence_pending

    item = forced_item(cast)
    schedule(cast, "June meeting", 7)
    proposal = actions.propose_item_change(actor=cast.alice, item=item, change="remove", now=NOW)
    carry(cast, proposal.motion_uuid)
    sequence_pending()
    lines = [
        line.text
        for line in list_council_lines(
            council=cast.riverside, period=Period(NOW - timedelta(days=1), NOW + timedelta(days=1))
        )
    ]
    assert "By a vote of the body, a forced item was removed from the agenda of “June meeting”." in lines
    assert (
        "Agenda petition “Heat in the depot” reached its threshold: it goes on the next meeting's agenda."
        in lines
    )


def test_the_digest_says_a_report_back_was_forced_by_the_rules_not_by_a_petition(db):
    from councils.digests.queries import DESCRIBED, _Names

    payload = {
        "petition": None,
        "report": "00000000-0000-0000-0000-000000000001",
        "item": "x",
        "by": "report_due",
    }
    text = DESCRIBED["agenda.item_forced"](payload, _Names([payload]))
    assert text == "A delegate's report back was forced onto the next meeting's agenda by the rules."


def test_the_merge_choices_tell_the_delegates_report_backs_apart(cast, rules):
    """Each delegate's report back on one meeting above bears one title: the choice names the delegate."""
    from tests.mandates.flows import hold_district_meeting

    item = forced_item(cast)
    schedule(cast, "June meeting", 7)
    hold_district_meeting(cast)
    page = cast.client(cast.frank).get(f"/petitions/{item.petition.uuid}/").content.decode()
    assert "(report by Bob Novak)</option>" in page
