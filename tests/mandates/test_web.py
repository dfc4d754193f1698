import re
import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from councils.federation.models import Council, Office, Seat
from councils.mandates import actions
from councils.mandates.models import RecallPetition
from councils.motions import actions as motion_actions
from councils.motions.models import Vote
from councils.record.models import Entry, Sequence
from councils.record.sequencer import sequence_pending
from tests.conftest import NOW
from tests.mandates.flows import adopt_mandate, district_motion, district_vote, seat_dave_for_harbour
from tests.record.links import indexes, linked, recorded


def bob_seat(cast):
    return Seat.objects.get(user=cast.bob, council=cast.district, ended_at__isnull=True)


def test_council_page_links_to_accountability(cast, rules):
    page = cast.client(cast.erin).get(f"/councils/{cast.riverside.uuid}/")
    assert page.status_code == 200
    assert f"/mandates/councils/{cast.riverside.uuid}/" in page.content.decode()


def test_deviation_row_offers_a_recall_in_one_step(cast, rules):
    seat_dave_for_harbour(cast)
    target = district_motion(cast)
    adopt_mandate(cast, target, choice="yes")
    district_vote(cast, target, bob="no")
    page = cast.client(cast.erin).get(f"/mandates/councils/{cast.riverside.uuid}/").content.decode()
    assert "Deviated" in page and "Start a recall of Bob Novak" in page
    assert "Recall under way" not in page
    form = re.search(r'<form method="post" action="/mandates/recalls/start/".*?</form>', page, re.S)
    fields = dict(re.findall(r'name="(seat|reason)" value="([^"]*)"', form.group(0)))
    assert fields["seat"] == str(bob_seat(cast).uuid)
    started = cast.client(cast.erin).post("/mandates/recalls/start/", fields)
    petition = RecallPetition.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/mandates/recalls/{petition.uuid}/"
    assert petition.reason == "Voted against our mandate on “Strike fund levy”."
    assert list(petition.signatures.values_list("user__username", flat=True)) == ["erin"]
    page = cast.client(cast.frank).get(f"/mandates/councils/{cast.riverside.uuid}/").content.decode()
    assert "Recall under way" in page and "Start a recall of Bob Novak" not in page


def test_the_recall_page_links_its_start_its_vote_and_its_decision_in_the_record_not_who_signed(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    url = f"/mandates/recalls/{petition.uuid}/"
    dave = cast.client(cast.dave)
    assert "being added to the record" in recorded(dave.get(url).content.decode())
    sequence_pending(now=NOW)
    [started] = linked(dave, dave.get(url).content.decode())
    assert started["event"] == "recall.petition_started" and started["petition"] == str(petition.uuid)
    actions.sign_recall(actor=cast.frank, petition=petition, now=NOW)
    petition.refresh_from_db()
    vote = Vote.objects.get(uuid=petition.vote_uuid)
    motion_actions.cast_vote(actor=cast.erin, vote=vote, choice="yes", now=NOW)
    motion_actions.close_vote(actor=None, vote=vote, now=vote.closes_at)
    sequence_pending(now=vote.closes_at)
    page = dave.get(url).content.decode()
    entries = linked(dave, page)
    assert [e["event"] for e in entries] == [
        "recall.petition_started",
        "recall.vote_called",
        "recall.decided",
    ]
    assert {e["petition"] for e in entries} == {str(petition.uuid)}
    assert entries[1]["motion"] == entries[2]["motion"] == str(petition.motion_uuid)
    assert '<small class="muted">Recall vote called</small>' in recorded(page)
    # Each signature's entry names its signer: the page counts them and links none.
    signed = Sequence.objects.filter(entry__event="recall.signed").values_list("index", flat=True)
    assert len(signed) == 2
    assert all(f'href="/record/entries/{index}/"' not in page for index in signed)


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_the_recall_pages_entries_are_linked_only_for_who_may_read_them(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    sequence_pending(now=NOW)
    url = f"/mandates/recalls/{petition.uuid}/"
    [index] = indexes(cast.client(cast.bob).get(url).content.decode())
    dave = cast.client(cast.dave)
    assert dave.get(url).status_code == 404
    assert dave.get(f"/record/entries/{index}/").status_code == 404


def test_start_a_recall_link_asks_for_a_reason_first(cast, rules):
    confirm = cast.client(cast.erin).get(f"/mandates/recalls/start/?seat={bob_seat(cast).uuid}")
    assert confirm.status_code == 200 and "Recall Bob Novak" in confirm.content.decode()
    assert not RecallPetition.objects.exists()


def test_a_holder_already_facing_a_recall_is_offered_that_one_not_a_second(cast, rules):
    url = f"/mandates/councils/{cast.riverside.uuid}/"
    seat = bob_seat(cast)
    assert (
        f'href="/mandates/recalls/start/?seat={seat.uuid}"'
        in cast.client(cast.frank).get(url).content.decode()
    )
    petition = actions.start_recall(actor=cast.erin, seat=seat, office=None, reason="", now=timezone.now())
    page = cast.client(cast.frank).get(url).content.decode()
    assert (
        f'<a href="/mandates/recalls/{petition.uuid}/" id="recall-seat-{seat.uuid}">Recall under way</a>'
        in page
    )
    assert f"/mandates/recalls/start/?seat={seat.uuid}" not in page
    # The other holders may still be recalled.
    chair = Office.objects.get(council=cast.riverside, user=cast.alice, ended_at__isnull=True)
    assert f'href="/mandates/recalls/start/?office={chair.uuid}"' in page


def test_start_a_recall_leads_back_to_the_council(cast, rules):
    erin = cast.client(cast.erin)
    riverside = (
        f'<a href="/councils/{cast.riverside.uuid}/">Riverside Depot</a> › '
        f'<a href="/mandates/councils/{cast.riverside.uuid}/">Accountability</a> › '
        '<span aria-current="page">Start a recall</span>'
    )
    assert riverside in erin.get(f"/mandates/recalls/start/?seat={bob_seat(cast).uuid}").content.decode()
    chair = Office.objects.get(council=cast.riverside, user=cast.alice, ended_at__isnull=True)
    assert riverside in erin.get(f"/mandates/recalls/start/?office={chair.uuid}").content.decode()


def test_outsider_sees_the_public_table_but_gets_no_button(cast, rules):
    page = cast.client(cast.dave).get(f"/mandates/councils/{cast.riverside.uuid}/")
    assert page.status_code == 200 and "Start a recall" not in page.content.decode()


def test_a_reason_too_long_is_said_beside_it_not_as_a_missing_delegate(cast, rules):
    reason = "Voted against us. " * 1200
    response = cast.client(cast.erin).post(
        "/mandates/recalls/start/", {"seat": bob_seat(cast).uuid, "reason": reason}
    )
    page = response.content.decode()
    assert response.status_code == 422 and "Recall Bob Novak" in page
    assert "at most 20000 characters" in page and "Choose the delegate" not in page
    assert not RecallPetition.objects.exists()


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_hidden_council_is_404_for_an_outsider(cast, rules):
    assert cast.client(cast.dave).get(f"/mandates/councils/{cast.riverside.uuid}/").status_code == 404


def test_anonymous_is_sent_to_log_in_to_start_a_recall(cast, rules):
    response = cast.client(None).post("/mandates/recalls/start/", {"seat": bob_seat(cast).uuid})
    assert response.status_code == 302 and "/login" in response["Location"]


def test_observer_is_refused_with_a_reason(cast, rules):
    response = cast.client(cast.carol).post("/mandates/recalls/start/", {"seat": bob_seat(cast).uuid})
    assert response.status_code == 403
    assert "Only members with a vote in Riverside Depot" in response.content.decode()


def test_start_without_a_target_is_422(cast, rules):
    assert cast.client(cast.erin).post("/mandates/recalls/start/", {}).status_code == 422


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_signing_through_the_web_writes_the_same_entries_as_the_api(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=timezone.now())
    assert cast.client(cast.frank).get(f"/mandates/recalls/{petition.uuid}/sign/").status_code == 405
    page = cast.client(cast.frank).get(f"/mandates/recalls/{petition.uuid}/")
    assert "Sign this petition" in page.content.decode()
    assert cast.client(cast.frank).post(f"/mandates/recalls/{petition.uuid}/sign/").status_code == 302
    import json

    cast.api(cast.alice).post(
        f"/api/v1/mandates/recalls/{petition.uuid}/signatures",
        data=json.dumps({}),
        content_type="application/json",
    )
    events = list(Entry.objects.filter(event="recall.signed").order_by("id").values_list("event", flat=True))
    assert events == ["recall.signed"] * 3


def test_register_page_flags_pay_above_the_cap(cast, rules, django_assert_max_num_queries):
    office = Office.objects.get(council=cast.riverside, role="chair")
    actions.declare_pay(actor=cast.alice, office=office, pay=Decimal("2900.00"), expenses=Decimal(0), now=NOW)
    client = cast.client(cast.dave)
    with django_assert_max_num_queries(20):
        page = client.get(f"/mandates/register/{cast.riverside.uuid}/")
    assert page.status_code == 200
    assert "Pay 500.00\u00a0EUR above the cap" in page.content.decode()
    assert '<td data-label="Monthly pay">2900.00\u00a0EUR' in page.content.decode()
    assert "Flagged" in page.content.decode()
    # Two tables on one page, each named for a screen reader's list of regions.
    assert 'role="region" aria-label="Flagged offices"' in page.content.decode()
    assert 'role="region" aria-label="Every office"' in page.content.decode()


def test_officer_declares_pay_through_the_form(cast, rules):
    office = Office.objects.get(council=cast.riverside, role="chair")
    client = cast.client(cast.alice)
    assert client.get(f"/mandates/offices/{office.uuid}/pay/").status_code == 200
    bad = client.post(f"/mandates/offices/{office.uuid}/pay/", {"pay": "-5", "expenses": "0"})
    assert bad.status_code == 422
    ok = client.post(f"/mandates/offices/{office.uuid}/pay/", {"pay": "2000", "expenses": "15.50"})
    assert ok.status_code == 302
    office.refresh_from_db()
    assert office.declared_expenses == Decimal("15.50")
    assert cast.client(cast.erin).get(f"/mandates/offices/{office.uuid}/pay/").status_code == 403


def test_delegate_submits_a_report_through_the_form(cast, rules):
    with transaction.atomic():
        [report] = actions.open_reports_due(council=cast.district, meeting_uuid=uuid.uuid4(), now=NOW)
    page = cast.client(cast.erin).get(f"/councils/{cast.riverside.uuid}/").content.decode()
    assert "Reports owed by our delegates" in page
    client = cast.client(cast.bob)
    assert client.post(f"/mandates/reports/{report.uuid}/", {"text": ""}).status_code == 422
    assert client.post(f"/mandates/reports/{report.uuid}/", {"text": "All went well."}).status_code == 302
    report.refresh_from_db()
    assert report.submitted_at is not None


def test_notifications_page_lists_and_marks_read(cast, rules):
    office = Office.objects.get(council=cast.riverside, role="chair")
    actions.declare_pay(actor=cast.alice, office=office, pay=Decimal("9000.00"), expenses=Decimal(0), now=NOW)
    client = cast.client(cast.erin)
    page = client.get("/mandates/notifications/").content.decode()
    assert "above the cap" in page and "New" in page
    assert client.post("/mandates/notifications/").status_code == 302
    assert "New" not in client.get("/mandates/notifications/").content.decode()
    assert cast.client(None).get("/mandates/notifications/").status_code == 302


def test_propose_mandate_form(cast, rules):
    seat_dave_for_harbour(cast)
    target = district_motion(cast)
    client = cast.client(cast.erin)
    form = client.get(f"/mandates/councils/{cast.riverside.uuid}/propose/")
    assert form.status_code == 200 and "Strike fund levy" in form.content.decode()
    assert (
        client.post(
            f"/mandates/councils/{cast.riverside.uuid}/propose/", {"motion": "x", "choice": "yes"}
        ).status_code
        == 422
    )
    done = client.post(
        f"/mandates/councils/{cast.riverside.uuid}/propose/", {"motion": str(target.uuid), "choice": "no"}
    )
    assert done.status_code == 302 and done["Location"].startswith("/motions/")
    assert (
        cast.client(cast.carol).get(f"/mandates/councils/{cast.riverside.uuid}/propose/").status_code == 403
    )


@pytest.mark.parametrize(
    ("choice", "outcome"),
    [
        ("yes", "The recall vote carried: Bob Novak was recalled."),
        ("no", "The recall vote was lost: Bob Novak was not recalled."),
    ],
)
def test_a_decided_recall_shows_its_outcome_not_how_its_vote_opens(cast, rules, choice, outcome):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    url = f"/mandates/recalls/{petition.uuid}/"
    dave = cast.client(cast.dave)
    collecting = dave.get(url).content.decode()
    assert "<dt>Signatures close</dt>" in collecting and "When enough members sign" in collecting
    actions.sign_recall(actor=cast.frank, petition=petition, now=NOW)
    petition.refresh_from_db()
    vote = Vote.objects.get(uuid=petition.vote_uuid)
    motion_actions.cast_vote(actor=cast.erin, vote=vote, choice=choice, now=NOW)
    motion_actions.close_vote(actor=None, vote=vote, now=vote.closes_at)
    page = dave.get(url).content.decode()
    assert "Signatures close" not in page and "When enough members sign" not in page
    assert "<dt>Recall vote decided</dt>" in page and outcome in page
