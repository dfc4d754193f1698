from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from councils.federation.models import Council
from councils.record.models import Entry
from tests.personas import assert_declared

BASE = "/api/v1/meetings"


def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


# The API keeps the real time, and these tests open a meeting as soon as they call it.
pytestmark = [pytest.mark.constitution(meeting_notice_hours=0), pytest.mark.usefixtures("rules")]


def _this_minute() -> datetime:
    """Now, away from the end of a minute: with no notice a meeting may start within the minute it is
    called (to the minute), so a start taken just before a minute ends would be refused just after."""
    now = timezone.now()
    if now.second >= 55:
        time.sleep(60.05 - now.second - now.microsecond / 1_000_000)
        now = timezone.now()
    return now


def schedule(cast, **extra):
    body = {
        "council": str(cast.riverside.uuid),
        "title": "General meeting",
        "starts_at": _this_minute().isoformat(),
        "place": "Canteen",
        **extra,
    }
    response = post(cast.api(cast.alice), BASE, body)
    assert response.status_code == 201, response.content
    return response.json()


def test_chair_runs_a_meeting_end_to_end(cast):
    meeting = schedule(cast)
    alice, bob = cast.api(cast.alice), cast.api(cast.bob)
    base = f"{BASE}/{meeting['uuid']}"
    first = post(alice, f"{base}/items", {"kind": "report", "title": "Report"}).json()
    second = post(alice, f"{base}/items", {"kind": "other", "title": "AOB"}).json()
    reordered = post(alice, f"{base}/order", {"order": [second["uuid"], first["uuid"]]}).json()
    assert [i["title"] for i in reordered["items"]] == ["AOB", "Report"]
    assert post(alice, f"{base}/open").json()["status"] == "open"
    assert post(bob, f"{base}/attendance").status_code == 201
    detail = post(alice, f"{base}/next-item").json()
    assert detail["items"][0]["status"] == "current"
    speaker = post(bob, f"{base}/items/{second['uuid']}/speakers")
    assert speaker.status_code == 201
    item = post(alice, f"{base}/items/{second['uuid']}/floor").json()
    assert item["speakers"][0]["status"] == "speaking"
    assert post(alice, f"{base}/close").json()["status"] == "closed"
    draft = cast.api(cast.carol).get(f"{base}/minutes").json()
    assert draft["approved"] is False and draft["document"]["attendance"][0]["name"] == "Bob Novak"
    approved = post(alice, f"{base}/minutes/approve").json()
    assert approved["approved"] and approved["minutes_hash"].startswith("sha256:")
    pdf = bob.get(f"{base}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert Entry.objects.filter(event="meeting.minutes_approved").count() == 1


def test_anonymous_gets_401_on_writes(cast):
    meeting = schedule(cast)
    anonymous = cast.api(None)
    assert post(anonymous, BASE, {}).status_code == 401
    for path in ("open", "close", "next-item", "attendance", "attendance/many", "items", "minutes/approve"):
        assert post(anonymous, f"{BASE}/{meeting['uuid']}/{path}").status_code == 401


def test_observer_and_member_get_403_on_officer_writes(cast):
    meeting = schedule(cast)
    for who in (cast.carol, cast.bob, cast.dave):
        client = cast.api(who)
        assert post(client, f"{BASE}/{meeting['uuid']}/open").status_code == 403
        response = post(client, f"{BASE}/{meeting['uuid']}/items", {"kind": "other", "title": "x"})
        assert response.status_code == 403


def test_observer_cannot_join_the_speakers_list(cast):
    meeting = schedule(cast)
    item = post(
        cast.api(cast.alice), f"{BASE}/{meeting['uuid']}/items", {"kind": "other", "title": "x"}
    ).json()
    post(cast.api(cast.alice), f"{BASE}/{meeting['uuid']}/open")
    response = post(cast.api(cast.carol), f"{BASE}/{meeting['uuid']}/items/{item['uuid']}/speakers")
    assert response.status_code == 403


def test_a_member_not_marked_present_is_told_to_mark_themselves_present_first(cast):
    meeting = schedule(cast)
    alice, bob = cast.api(cast.alice), cast.api(cast.bob)
    base = f"{BASE}/{meeting['uuid']}"
    item = post(alice, f"{base}/items", {"kind": "other", "title": "AOB"}).json()
    post(alice, f"{base}/open")
    post(alice, f"{base}/attendance")
    post(alice, f"{base}/next-item")
    refused = post(bob, f"{base}/items/{item['uuid']}/speakers")
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "not_present"
    assert refused.json()["detail"].startswith("Mark yourself present first")
    assert_declared(refused)
    assert post(bob, f"{base}/attendance").status_code == 201
    assert post(bob, f"{base}/items/{item['uuid']}/speakers").status_code == 201


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_hidden_council_meeting_is_404_for_outsider(cast):
    meeting = schedule(cast)
    assert cast.api(cast.dave).get(f"{BASE}/{meeting['uuid']}").status_code == 404
    assert cast.api(cast.dave).get(f"{BASE}/{meeting['uuid']}/minutes").status_code == 404
    assert cast.api(cast.alice).get(f"{BASE}/{uuid.uuid4()}").status_code == 404


def test_wrong_method_is_405_and_invalid_input_422(cast):
    meeting = schedule(cast)
    client = cast.api(cast.alice)
    assert client.get(f"{BASE}/{meeting['uuid']}/open").status_code == 405
    assert post(client, BASE, {"council": str(cast.riverside.uuid), "title": "x"}).status_code == 422
    response = post(
        client, BASE, {"council": str(cast.riverside.uuid), "title": "x", "starts_at": "2026-03-08T18:00:00Z"}
    )
    assert response.status_code == 422 and "place" in response.json()["detail"]
    response = post(
        client, f"{BASE}/{meeting['uuid']}/items", {"kind": "motion", "motion": str(uuid.uuid4())}
    )
    assert response.status_code == 422
    assert post(client, f"{BASE}/{meeting['uuid']}/order", {"order": [str(uuid.uuid4())]}).status_code == 422


@pytest.mark.constitution(meeting_notice_hours=48)
def test_a_meeting_called_at_short_notice_is_422(cast, rules):
    starts = timezone.now() + timedelta(hours=47)
    body = {"council": str(cast.riverside.uuid), "title": "x", "starts_at": starts.isoformat(), "place": "y"}
    response = post(cast.api(cast.alice), BASE, body)
    assert response.status_code == 422
    assert "a meeting is called at least 48 hours ahead" in response.json()["detail"]
    assert schedule(cast, starts_at=(starts + timedelta(hours=1, minutes=1)).isoformat())["title"]


def test_list_query_count_is_flat(cast, django_assert_max_num_queries):
    for n in range(5):
        schedule(cast, title=f"Meeting {n}")
    with django_assert_max_num_queries(12):
        body = cast.api(cast.bob).get(f"{BASE}?council={cast.riverside.uuid}").json()
    assert body["count"] == 5


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
def test_online_link_is_only_for_the_council_s_participants(cast):
    meeting = schedule(cast, online_url="https://meet.example.org/riverside")
    assert meeting["online_url"] == "https://meet.example.org/riverside"
    for who, link in ((None, ""), (cast.dave, ""), (cast.carol, "https://meet.example.org/riverside")):
        detail = cast.api(who).get(f"{BASE}/{meeting['uuid']}").json()
        listed = cast.api(who).get(f"{BASE}?council={cast.riverside.uuid}").json()["items"][0]
        assert (detail["online_url"], listed["online_url"]) == (link, link)


def test_agenda_shows_the_report_back_and_the_report_once_filed(cast):
    from councils.mandates.models import ReportDue
    from councils.petitions.models import ForcedAgendaItem
    from tests.mandates.flows import hold_district_meeting

    meeting = schedule(cast)
    hold_district_meeting(cast)
    report = ReportDue.objects.get(delegate=cast.bob)
    erin = cast.api(cast.erin)
    [item] = erin.get(f"{BASE}/{meeting['uuid']}").json()["items"]
    assert (item["kind"], item["forced_item"]) == (
        "report_back",
        str(ForcedAgendaItem.objects.get(report=report).uuid),
    )
    assert item["report"]["uuid"] == str(report.uuid)
    assert item["report"]["delegate"]["name"] == "Bob Novak"
    assert item["report"]["higher_council"]["name"] == "Eastside District"
    assert (item["report"]["submitted_at"], item["report"]["text"]) == (None, "")
    filed = post(cast.api(cast.bob), f"/api/v1/mandates/reports/{report.uuid}", {"text": "We voted yes."})
    assert filed.status_code == 200, filed.content
    [item] = erin.get(f"{BASE}/{meeting['uuid']}").json()["items"]
    assert item["report"]["text"] == "We voted yes." and item["report"]["submitted_at"]
    items = erin.get(f"/api/v1/petitions/councils/{cast.riverside.uuid}/items").json()["items"]
    assert [(i["petition"], i["report"], i["status"]) for i in items] == [(None, str(report.uuid), "placed")]


def test_naming_someone_else_is_refused_before_they_are_looked_up(cast):
    meeting = schedule(cast)
    base = f"{BASE}/{meeting['uuid']}"
    post(cast.api(cast.alice), f"{base}/open")
    bob = cast.api(cast.bob)
    for person in (cast.frank.uuid, uuid.uuid4()):
        refused = post(bob, f"{base}/attendance", {"person": str(person)})
        assert refused.status_code == 403, person
    assert post(cast.api(cast.alice), f"{base}/attendance", {"person": str(uuid.uuid4())}).status_code == 422
    assert not Entry.objects.filter(event="meeting.attended").exists()


def test_chair_marks_several_present_in_one_request(cast):
    meeting = schedule(cast)
    base = f"{BASE}/{meeting['uuid']}"
    alice = cast.api(cast.alice)
    post(alice, f"{base}/open")
    people = [str(cast.erin.uuid), str(cast.frank.uuid)]
    assert post(cast.api(cast.bob), f"{base}/attendance/many", {"people": people}).status_code == 403
    unknown = {"people": [*people, str(uuid.uuid4())]}
    assert post(cast.api(cast.bob), f"{base}/attendance/many", unknown).status_code == 403
    for body in (
        {"people": [*people, str(cast.dave.uuid)]},
        {"people": [*people, str(uuid.uuid4())]},
        {"people": []},
        {"people": ["not-a-uuid"]},
        {},
    ):
        response = post(alice, f"{base}/attendance/many", body)
        assert response.status_code == 422, body
        assert response.headers["Content-Type"].startswith("application/problem+json")
    response = post(alice, f"{base}/attendance/many", {"people": people})
    assert response.status_code == 201 and response.json()["attendance"] == 2
    assert Entry.objects.filter(event="meeting.attended").count() == 2


def test_an_item_already_on_the_agenda_is_a_conflict(cast):
    from councils.motions import actions as motion_actions

    motion = motion_actions.table_motion(
        actor=cast.bob,
        council=cast.riverside,
        title="Canteen prices",
        text="Freeze them.",
        now=timezone.now(),
    )
    meeting = schedule(cast)
    alice = cast.api(cast.alice)
    body = {"kind": "motion", "motion": str(motion.uuid)}
    assert post(alice, f"{BASE}/{meeting['uuid']}/items", body).status_code == 201
    again = post(alice, f"{BASE}/{meeting['uuid']}/items", body)
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert again.json()["code"] == "already_on_agenda"
    assert again.json()["detail"] == "“Canteen prices” is already on this meeting's agenda."


def test_a_member_who_may_not_run_the_meeting_is_refused_before_its_stage_is_told(cast):
    meeting = schedule(cast)
    base = f"{BASE}/{meeting['uuid']}"
    alice, bob, carol = cast.api(cast.alice), cast.api(cast.bob), cast.api(cast.carol)
    item = post(alice, f"{base}/items", {"kind": "other", "title": "AOB"}).json()
    # Scheduled, not yet open: Bob may run none of it, and is told that, not the meeting's stage.
    for path, body in [
        ("next-item", None),
        ("close", None),
        ("attendance/many", {"people": [str(cast.bob.uuid)]}),
        ("minutes/approve", None),
        (f"items/{item['uuid']}/floor", None),
    ]:
        response = post(bob, f"{base}/{path}", body)
        assert response.status_code == 403, (path, response.content)
        assert response["Content-Type"] == "application/problem+json"
        assert "scheduled" not in response.json()["detail"].lower()
    # Carol observes and may not speak, whether or not the meeting is in session.
    assert post(carol, f"{base}/items/{item['uuid']}/speakers").status_code == 403
    # The chair is told the stage in a sentence.
    response = post(alice, f"{base}/next-item")
    assert response.status_code == 409 and response.json()["code"] == "meeting_state"
    assert response.json()["detail"] == "This meeting has not opened yet."
    post(alice, f"{base}/open")
    post(alice, f"{base}/close")
    for path, body in [("open", None), ("items", {"kind": "other", "title": "x"})]:
        assert post(bob, f"{base}/{path}", body).status_code == 403, path
    response = post(alice, f"{base}/open")
    assert response.status_code == 409 and response.json()["detail"] == "This meeting has closed."


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
def test_the_speakers_list_names_members_only_to_the_councils_own(cast):
    meeting = schedule(cast)
    alice, bob = cast.api(cast.alice), cast.api(cast.bob)
    base = f"{BASE}/{meeting['uuid']}"
    item = post(alice, f"{base}/items", {"kind": "other", "title": "AOB"}).json()
    post(alice, f"{base}/open")
    post(bob, f"{base}/attendance")
    post(alice, f"{base}/next-item")
    assert post(bob, f"{base}/items/{item['uuid']}/speakers").status_code == 201
    # Carol observes Riverside Depot and reads its members' names; Dave (Harbour Works) and a visitor see
    # the meeting of a council open to them, and how many wait to speak, but not who.
    for who, named in ((cast.carol, True), (cast.alice, True), (cast.dave, False), (None, False)):
        [speaker] = cast.api(who).get(base).json()["items"][0]["speakers"]
        assert (speaker["person"] or {}).get("name") == ("Bob Novak" if named else None), who
        page = cast.client(who).get(f"/meetings/{meeting['uuid']}/").content.decode()
        speakers = page.split('id="speakers-title"')[1].split("</section>")[0]
        assert ("Bob Novak" in speakers) is named, who
        assert ("A member" in speakers) is not named, who
