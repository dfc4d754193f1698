import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.core.rules.recall import PetitionClosedError
from councils.federation import actions as fa
from councils.federation.models import Council
from councils.motions import actions as motion_actions
from councils.motions.models import Motion
from councils.petitions import actions, queries
from councils.petitions.models import AgendaPetition, ForcedAgendaItem
from councils.record.models import Entry
from tests.conftest import NOW


def start(cast, user=None):
    return actions.start_agenda_petition(
        actor=user or cast.erin,
        council=cast.riverside,
        title="Heat in the depot",
        text="Discuss the heat.",
        now=NOW,
    )


def carry(cast, motion_uuid, *, yes=("alice", "erin", "frank"), council_chair=None):
    motion = Motion.objects.get(uuid=motion_uuid)
    seconder = next(u for u in (cast.frank, cast.erin) if u.pk != motion.tabled_by_id)
    motion_actions.second_motion(actor=seconder, motion=motion, now=NOW)
    vote = motion_actions.open_vote(actor=council_chair or cast.alice, motion=motion, now=NOW)
    for name in yes:
        motion_actions.cast_vote(actor=getattr(cast, name), vote=vote, choice="yes", now=NOW)
    motion_actions.close_vote(actor=None, vote=vote, now=NOW + timedelta(minutes=5))


def test_petition_reaching_the_share_forces_an_item(cast, rules):
    petition = start(cast)
    assert (petition.eligible_count, petition.threshold) == (4, 2)
    assert petition.status == "open"
    actions.sign_agenda_petition(actor=cast.frank, petition=petition, now=NOW)
    petition.refresh_from_db()
    assert petition.status == "forced"
    item = ForcedAgendaItem.objects.get(petition=petition)
    assert item.status == "pending" and item.title == "Heat in the depot"
    assert list(queries.list_pending_items(council=cast.riverside)) == [item]
    assert Entry.objects.filter(event="agenda.item_forced").count() == 1


def test_signing_twice_observer_and_outsider_are_refused(cast, rules):
    petition = start(cast)
    with pytest.raises(ConflictError, match="already signed"):
        actions.sign_agenda_petition(actor=cast.erin, petition=petition, now=NOW)
    for user in (cast.carol, cast.dave):
        with pytest.raises(PermissionDeniedError):
            actions.sign_agenda_petition(actor=user, petition=petition, now=NOW)


def test_bad_petitions_are_refused(cast, rules):
    with pytest.raises(InvalidInputError, match="title"):
        actions.start_agenda_petition(actor=cast.erin, council=cast.riverside, title=" ", text="x", now=NOW)
    with pytest.raises(InvalidInputError, match="Say what"):
        actions.start_agenda_petition(actor=cast.erin, council=cast.riverside, title="t", text="", now=NOW)
    with pytest.raises(PermissionDeniedError):
        start(cast, user=cast.carol)


def test_late_signature_expires_the_petition(cast, rules):
    petition = start(cast)
    with pytest.raises(PetitionClosedError):
        actions.sign_agenda_petition(actor=cast.frank, petition=petition, now=NOW + timedelta(days=30))
    petition.refresh_from_db()
    assert petition.status == "expired"
    assert actions.expire_agenda_petitions(now=NOW + timedelta(days=31)) == 0


def test_someone_not_entitled_to_sign_is_refused_before_the_window_is_judged(cast, rules):
    petition = start(cast)
    with pytest.raises(PermissionDeniedError, match="had a vote when this petition started"):
        actions.sign_agenda_petition(actor=cast.carol, petition=petition, now=NOW + timedelta(days=30))
    petition.refresh_from_db()
    assert petition.status == "open"


def test_sweeper_expires_open_petitions(cast, rules):
    start(cast)
    assert actions.expire_agenda_petitions(now=NOW + timedelta(days=30)) == 1
    assert AgendaPetition.objects.get().status == "expired"


def forced_item(cast):
    petition = start(cast)
    actions.sign_agenda_petition(actor=cast.frank, petition=petition, now=NOW)
    return ForcedAgendaItem.objects.get(petition=petition)


@pytest.mark.parametrize("change", ["remove", "merge", "postpone"])
def test_chair_cannot_move_a_forced_item_without_a_vote(cast, rules, change):
    item = forced_item(cast)
    with pytest.raises(PermissionDeniedError, match="only a recorded vote of the council can"):
        actions.change_forced_item(actor=cast.alice, item=item, change=change, now=NOW)
    item.refresh_from_db()
    assert item.status == "pending"


def test_adopted_motion_of_the_body_removes_the_item(cast, rules):
    item = forced_item(cast)
    proposal = actions.propose_item_change(actor=cast.alice, item=item, change="remove", now=NOW)
    carry(cast, proposal.motion_uuid)
    item.refresh_from_db()
    assert item.status == "removed" and item.changed_by_motion_uuid == proposal.motion_uuid
    assert Entry.objects.filter(event="agenda.item_changed").count() == 1
    with pytest.raises(ConflictError, match="no longer on an agenda"):
        actions.change_forced_item(actor=cast.alice, item=item, change="remove", now=NOW)


def test_report_back_is_a_forced_item_only_a_vote_of_the_body_removes(cast, rules):
    from tests.mandates.flows import hold_district_meeting

    hold_district_meeting(cast)
    item = ForcedAgendaItem.objects.select_related("report").get()
    assert (item.council, item.report.delegate, item.petition) == (cast.riverside, cast.bob, None)
    with pytest.raises(PermissionDeniedError, match="forced onto the agenda of Riverside Depot by the rules"):
        actions.change_forced_item(actor=cast.alice, item=item, change="remove", now=NOW)
    proposal = actions.propose_item_change(actor=cast.erin, item=item, change="remove", now=NOW)
    carry(cast, proposal.motion_uuid)
    item.refresh_from_db()
    assert item.status == "removed" and item.changed_by_motion_uuid == proposal.motion_uuid


def test_rejected_change_motion_leaves_the_item(cast, rules):
    item = forced_item(cast)
    proposal = actions.propose_item_change(actor=cast.alice, item=item, change="postpone", now=NOW)
    carry(cast, proposal.motion_uuid, yes=())
    item.refresh_from_db()
    assert item.status == "pending"


@pytest.mark.constitution(agenda_petition_share=Decimal("1.00"), agenda_petition_councils=1)
def test_councils_below_a_congress_can_force_its_agenda(cast, rules):
    with transaction.atomic():
        fa.seat_delegate(
            from_council=cast.harbour, user=cast.dave, election_uuid=None, term_ends_at=None, now=NOW
        )
        fa.seat_delegate(
            from_council=cast.district, user=cast.bob, election_uuid=None, term_ends_at=None, now=NOW
        )
        fa.seat_delegate(
            from_council=cast.district, user=cast.dave, election_uuid=None, term_ends_at=None, now=NOW
        )
    petition = actions.start_agenda_petition(
        actor=cast.bob, council=cast.city, title="Transit", text="x", now=NOW
    )
    assert petition.councils_threshold == 1 and petition.status == "open"
    with pytest.raises(PermissionDeniedError):
        actions.propose_council_support(actor=cast.erin, petition=petition, council=cast.national, now=NOW)
    with pytest.raises(InvalidInputError, match="Metro City is not below Metro City"):
        actions.propose_council_support(actor=cast.bob, petition=petition, council=cast.city, now=NOW)
    support = actions.propose_council_support(
        actor=cast.erin, petition=petition, council=cast.riverside, now=NOW
    )
    with pytest.raises(ConflictError):
        actions.propose_council_support(actor=cast.frank, petition=petition, council=cast.riverside, now=NOW)
    carry(cast, support.motion_uuid)
    petition.refresh_from_db()
    assert petition.status == "forced"
    assert Entry.objects.filter(event="agenda.petition_backed").count() == 1


def test_base_council_petitions_take_no_council_backing(cast, rules):
    petition = start(cast)
    with pytest.raises(InvalidInputError, match="members only"):
        actions.propose_council_support(actor=cast.erin, petition=petition, council=cast.riverside, now=NOW)


@pytest.mark.parametrize("name", ["carol", "dave"])
def test_backing_is_refused_to_the_unentitled_before_their_request_is_judged(cast, rules, name):
    petition = start(cast)
    with pytest.raises(PermissionDeniedError, match="can propose that it backs this petition"):
        actions.propose_council_support(
            actor=getattr(cast, name), petition=petition, council=cast.riverside, now=NOW
        )
    assert not Entry.objects.filter(event="agenda.support_proposed").exists()


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_petition_api_round_trip(cast, rules, django_assert_max_num_queries):
    response = post(
        cast.api(cast.erin),
        "/api/v1/petitions",
        {"council": str(cast.riverside.uuid), "title": "Heat", "text": "x"},
    )
    assert response.status_code == 201, response.content
    uuid = response.json()["uuid"]
    signed = post(cast.api(cast.frank), f"/api/v1/petitions/{uuid}/signatures")
    assert signed.status_code == 201 and signed.json()["status"] == "forced" and signed.json()["item"]
    with django_assert_max_num_queries(8):
        listed = cast.api(cast.dave).get(f"/api/v1/petitions/councils/{cast.riverside.uuid}/petitions").json()
    assert listed["count"] == 1 and listed["items"][0]["signatures"] == 2
    items = cast.api(cast.dave).get(f"/api/v1/petitions/councils/{cast.riverside.uuid}/items").json()
    item = items["items"][0]["uuid"]
    refused = post(cast.api(cast.alice), f"/api/v1/petitions/items/{item}/change", {"change": "remove"})
    assert refused.status_code == 403
    assert "The chair cannot remove, merge or postpone it" in refused.json()["detail"]
    assert (
        post(cast.api(cast.alice), f"/api/v1/petitions/items/{item}/change", {"change": "drop"}).status_code
        == 422
    )
    unplaced = post(
        cast.api(cast.alice), f"/api/v1/petitions/items/{item}/change-motions", {"change": "merge"}
    )
    assert unplaced.status_code == 409
    proposed = post(
        cast.api(cast.alice), f"/api/v1/petitions/items/{item}/change-motions", {"change": "postpone"}
    )
    assert proposed.status_code == 201 and proposed.json()["motion"]
    assert (
        post(
            cast.api(cast.carol), f"/api/v1/petitions/items/{item}/change-motions", {"change": "merge"}
        ).status_code
        == 403
    )


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_petition_api_errors(cast, rules):
    assert post(cast.api(None), "/api/v1/petitions", {}).status_code == 401
    bad = post(cast.api(cast.erin), "/api/v1/petitions", {"council": str(cast.riverside.uuid), "title": "x"})
    assert bad.status_code == 422
    observer = post(
        cast.api(cast.carol),
        "/api/v1/petitions",
        {"council": str(cast.riverside.uuid), "title": "x", "text": "y"},
    )
    assert observer.status_code == 403
    assert cast.api(cast.erin).delete("/api/v1/petitions").status_code == 405
    hidden = post(
        cast.api(cast.dave),
        "/api/v1/petitions",
        {"council": str(cast.riverside.uuid), "title": "x", "text": "y"},
    )
    assert hidden.status_code == 404


def test_meeting_places_forced_items_and_finishes_them(cast, rules):
    from councils.meetings import actions as meeting_actions

    item = forced_item(cast)
    starts = NOW + timedelta(days=3)
    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=starts,
        place="Canteen",
        now=NOW,
    )
    item.refresh_from_db()
    assert (item.status, item.meeting_uuid) == ("placed", meeting.uuid)
    with pytest.raises(PermissionDeniedError):
        actions.check_item_change(item=item)
    meeting_actions.open_meeting(actor=cast.alice, meeting=meeting, now=starts)
    meeting_actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.alice, now=starts)
    taken = meeting_actions.take_next_item(actor=cast.alice, meeting=meeting, now=starts)
    assert taken is not None and taken.forced_item_uuid == item.uuid
    meeting_actions.close_meeting(actor=cast.alice, meeting=meeting, now=starts + timedelta(hours=1))
    item.refresh_from_db()
    assert item.status == "dealt_with"
    actions.check_item_change(item=item)


def test_without_a_constitution_the_defaults_decide_and_entries_say_so(cast):
    # No `rules` fixture: the shipped defaults apply, 10% of Riverside's four voters.
    petition = start(cast)
    assert (petition.threshold, petition.constitution_version) == (1, 0)
    [started] = [
        json.loads(bytes(e.data))["payload"] for e in Entry.objects.filter(event="agenda.petition_started")
    ]
    assert started["constitution_version"] == 0
    page = cast.client(cast.erin).get(f"/petitions/{petition.uuid}/").content.decode()
    assert "default rules</a>: no constitution had been adopted when it began." in page
