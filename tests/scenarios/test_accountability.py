"""Capture routes: each test tries one way a chair, a higher body or an official could take power
from the members, and asserts the refusal or the alert the members get. docs/scenarios.md tells each
story in plain words."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from councils.core.rules.terms import add_months
from councils.federation import actions as fa
from councils.federation.models import Office, Seat
from councils.mandates.models import MandateVote, Notification, RecallPetition
from councils.motions import actions as motion_actions
from councils.motions.models import Motion, Vote
from councils.petitions.models import ForcedAgendaItem
from councils.record.models import Entry
from tests.conftest import NOW
from tests.mandates.flows import (
    adopt_mandate,
    district_motion,
    district_vote,
    hold_district_meeting,
    seat_dave_for_harbour,
)


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def next_week() -> str:
    """A start the API accepts whatever today is: the constitution requires days of notice."""
    return (timezone.now() + timedelta(days=7)).isoformat()


def bob_seat(cast):
    return Seat.objects.get(user=cast.bob, council=cast.district, ended_at__isnull=True)


def make_dave_chair_of_the_district(cast):
    return fa.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.dave, role="chair", now=NOW
    )


def test_chair_cannot_suppress_a_petitioned_agenda_item(cast):
    started = post(
        cast.api(cast.erin),
        "/api/v1/petitions",
        {"council": str(cast.riverside.uuid), "title": "Night-shift safety", "text": "Lighting in the yard."},
    ).json()
    if started["status"] == "open":
        post(cast.api(cast.frank), f"/api/v1/petitions/{started['uuid']}/signatures")
    item = ForcedAgendaItem.objects.get(petition__uuid=started["uuid"])
    meeting = post(
        cast.api(cast.alice),
        "/api/v1/meetings",
        {
            "council": str(cast.riverside.uuid),
            "title": "Monthly meeting",
            "starts_at": next_week(),
            "place": "Canteen",
        },
    )
    assert meeting.status_code == 201, meeting.content
    assert [(i["kind"], i["title"]) for i in meeting.json()["items"]] == [("petition", "Night-shift safety")]
    for change in ("remove", "merge", "postpone"):
        refused = post(
            cast.api(cast.alice), f"/api/v1/petitions/items/{item.uuid}/change", {"change": change}
        )
        assert refused.status_code == 403
        assert (
            "The chair cannot remove, merge or postpone it; only a recorded vote of the council can."
            in (refused.json()["detail"])
        )
    item.refresh_from_db()
    assert item.status == "placed"
    assert not Entry.objects.filter(event="agenda.item_changed").exists()


def test_chair_cannot_keep_a_delegates_report_off_the_agenda(cast):
    meeting = post(
        cast.api(cast.alice),
        "/api/v1/meetings",
        {
            "council": str(cast.riverside.uuid),
            "title": "Monthly meeting",
            "starts_at": next_week(),
            "place": "Canteen",
        },
    ).json()
    hold_district_meeting(cast)
    agenda = cast.api(cast.erin).get(f"/api/v1/meetings/{meeting['uuid']}").json()["items"]
    [item] = [i for i in agenda if i["kind"] == "report_back"]
    assert item["report"]["delegate"]["name"] == "Bob Novak" and item["report"]["submitted_at"] is None
    for change in ("remove", "merge", "postpone"):
        refused = post(
            cast.api(cast.alice), f"/api/v1/petitions/items/{item['forced_item']}/change", {"change": change}
        )
        assert refused.status_code == 403
        assert "a delegate's report back is due" in refused.json()["detail"]
    filed = post(
        cast.api(cast.bob), f"/api/v1/mandates/reports/{item['report']['uuid']}", {"text": "I voted no."}
    )
    assert filed.status_code == 200
    agenda = cast.api(cast.erin).get(f"/api/v1/meetings/{meeting['uuid']}").json()["items"]
    assert [i["report"]["text"] for i in agenda if i["kind"] == "report_back"] == ["I voted no."]
    placed = [json.loads(bytes(e.data)) for e in Entry.objects.filter(event="meeting.item_added")]
    assert [(e["actor"], e["payload"]["kind"]) for e in placed] == [(None, "report_back")]


def test_higher_body_cannot_appoint_or_remove_a_lower_councils_delegate(cast):
    make_dave_chair_of_the_district(cast)
    dave = cast.api(cast.dave)
    removed = post(dave, f"/api/v1/mandates/seats/{bob_seat(cast).uuid}/resign")
    assert removed.status_code == 403
    assert (
        "A higher council can never appoint, veto or remove a lower council's delegate"
        in removed.json()["detail"]
    )
    recalled = post(
        dave, "/api/v1/mandates/recalls", {"seat": str(bob_seat(cast).uuid), "reason": "Disloyal."}
    )
    assert recalled.status_code == 403
    assert "no higher council can appoint, veto or remove them" in recalled.json()["detail"]
    appointed = post(dave, "/api/v1/elections", {"council": str(cast.riverside.uuid), "kind": "delegates"})
    assert appointed.status_code == 403
    assert "You may not call an election in Riverside Depot" in appointed.json()["detail"]
    seated = post(
        dave, f"/api/v1/councils/{cast.riverside.uuid}/delegates-sent", {"person": str(cast.dave.uuid)}
    )
    assert seated.status_code == 405
    assert bob_seat(cast).ended_at is None
    assert not RecallPetition.objects.exists()


def test_chair_or_higher_body_cannot_stop_a_recall_vote(cast):
    make_dave_chair_of_the_district(cast)
    petition = post(
        cast.api(cast.erin), "/api/v1/mandates/recalls", {"seat": str(bob_seat(cast).uuid)}
    ).json()
    if petition["status"] == "open":
        for user in (cast.frank, cast.alice):
            body = post(cast.api(user), f"/api/v1/mandates/recalls/{petition['uuid']}/signatures").json()
            if body.get("status") == "vote":
                break
    recall = RecallPetition.objects.get(uuid=petition["uuid"])
    assert recall.status == "vote"
    vote = Vote.objects.select_related("motion").get(uuid=recall.vote_uuid)
    assert vote.motion.tabled_by is None and vote.opened_by is None
    with pytest.raises(
        Exception, match="A motion put by the rules or sent up from a council below cannot be withdrawn"
    ):
        motion_actions.withdraw_motion(actor=cast.alice, motion=vote.motion, now=NOW)
    with pytest.raises(Exception, match="stays open until its closing time"):
        motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW + timedelta(hours=1))
    with pytest.raises(Exception, match=r"A motion put by the rules .* cannot be withdrawn"):
        motion_actions.withdraw_motion(actor=cast.dave, motion=vote.motion, now=NOW)
    with pytest.raises(Exception, match="Only the council's chair or secretary may close a vote"):
        motion_actions.close_vote(actor=cast.dave, vote=vote, now=NOW + timedelta(hours=1))
    recall.refresh_from_db()
    vote.refresh_from_db()
    assert recall.status == "vote" and vote.closed_at is None


def test_delegate_voting_against_the_mandate_is_exposed(cast, mailoutbox, django_capture_on_commit_callbacks):
    seat_dave_for_harbour(cast)
    levy = district_motion(cast, title="Accept the employer's pay offer")
    adopt_mandate(cast, levy, choice="no")
    with django_capture_on_commit_callbacks(execute=True):
        district_vote(cast, levy, bob="yes")
    table = cast.api(cast.dave).get(f"/api/v1/mandates/councils/{cast.riverside.uuid}/roll-call").json()
    [line] = table["items"]
    assert line["delegate"]["name"] == "Bob Novak"
    assert (line["instructed"], line["cast"], line["complied"]) == ("no", "yes", False)
    alert = Notification.objects.get(user=cast.erin, kind="mandate_deviation")
    assert "Bob Novak voted YES" in alert.message
    assert any(
        "broke Riverside Depot's mandate" in m.subject for m in mailoutbox if m.to == ["erin@example.org"]
    )
    deviation = MandateVote.objects.get()
    recall = post(cast.api(cast.erin), "/api/v1/mandates/recalls", {"seat": str(deviation.seat.uuid)})
    assert recall.status_code == 201


def test_indefinite_tenure_is_refused(cast, monkeypatch):
    clock = {"now": NOW + timedelta(hours=1)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    alice = cast.api(cast.alice)
    riverside = str(cast.riverside.uuid)

    def call(**body):
        return post(alice, "/api/v1/elections", {"council": riverside, **body})

    def nominate(user, election, candidate):
        return post(
            cast.api(user), f"/api/v1/elections/{election}/nominations", {"candidate": str(candidate.uuid)}
        )

    too_long = call(kind="office", role="treasurer", term_ends_at=add_months(NOW, 36).isoformat())
    assert too_long.status_code == 409
    assert "every office is held for a term of at most 12 months" in too_long.json()["detail"]
    # Called without an end, the election still seats its winner for the constitution's term only.
    treasurer = call(kind="office", role="treasurer").json()["uuid"]
    erin = nominate(cast.erin, treasurer, cast.erin).json()["uuid"]
    closes_at = clock["now"] + timedelta(hours=1)
    opened = post(alice, f"/api/v1/elections/{treasurer}/open", {"closes_at": closes_at.isoformat()})
    assert opened.status_code == 200
    for user in (cast.bob, cast.frank):
        cast_ = post(cast.api(user), f"/api/v1/elections/{treasurer}/ballot", {"approvals": [erin]})
        assert cast_.status_code == 201
    clock["now"] = closes_at
    assert post(alice, f"/api/v1/elections/{treasurer}/close").status_code == 200
    assert post(alice, f"/api/v1/elections/{treasurer}/certify").status_code == 200
    register = cast.api(cast.dave).get(f"/api/v1/mandates/councils/{riverside}/register").json()
    [line] = [line for line in register["items"] if line["role"] == "treasurer"]
    assert line["holder"]["name"] == "Erin Walsh"
    assert line["term_ends_at"] == add_months(clock["now"], 12).isoformat().replace("+00:00", "Z")

    clock["now"] = add_months(NOW, 24)
    chair = call(kind="office", role="chair").json()["uuid"]
    third_term = nominate(cast.alice, chair, cast.alice)
    assert third_term.status_code == 409
    assert (
        "nobody may hold the office of chair of Riverside Depot for more than 2 consecutive terms "
        "of 12 months; after that they stand down for at least 1 term" in third_term.json()["detail"]
    )
    delegates = call(kind="delegates").json()["uuid"]
    refused = nominate(cast.erin, delegates, cast.bob)
    assert refused.status_code == 409
    assert "the office of delegate of Riverside Depot" in refused.json()["detail"]
    assert alice.get(f"/api/v1/elections/{chair}").json()["candidates"] == []


def test_officer_pay_above_the_cap_is_flagged(cast, mailoutbox, django_capture_on_commit_callbacks):
    office = Office.objects.get(council=cast.riverside, role="chair")
    with django_capture_on_commit_callbacks(execute=True):
        declared = post(
            cast.api(cast.alice), f"/api/v1/mandates/offices/{office.uuid}/pay", {"pay": "3100.00"}
        )
    assert declared.status_code == 200
    assert declared.json()["pay_above_cap"] is True
    register = cast.api(cast.dave).get(f"/api/v1/mandates/councils/{cast.riverside.uuid}/register").json()
    flagged = [line for line in register["items"] if line["pay_above_cap"]]
    assert [(line["role"], line["declared_pay"]) for line in flagged] == [("chair", "3100.00")]
    assert Notification.objects.filter(kind="pay_above_cap").count() == 4
    assert "above the cap of 2400.00" in Notification.objects.filter(user=cast.frank).get().message
    assert len(mailoutbox) == 4


@pytest.mark.tampers
def test_editing_or_deleting_a_past_decision_is_detected(cast, capsys):
    motion = motion_actions.table_motion(
        actor=cast.erin, council=cast.riverside, title="Adopt the rota", text="The rota.", now=NOW
    )
    motion_actions.second_motion(actor=cast.frank, motion=motion, now=NOW)
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW)
    for user in (cast.alice, cast.erin, cast.frank):
        motion_actions.cast_vote(actor=user, vote=vote, choice="yes", now=NOW)
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW + timedelta(minutes=1))
    for statement in ("UPDATE record_entry SET event = 'forged'", "DELETE FROM record_entry"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    Motion.objects.filter(pk=motion.pk).update(text="The rota, and overtime on Sundays.")
    with pytest.raises(SystemExit) as exited:
        call_command("verify_record")
    assert exited.value.code == 1
    assert str(motion.uuid) in capsys.readouterr().out
