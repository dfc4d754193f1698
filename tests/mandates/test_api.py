import json
from decimal import Decimal

import pytest

from councils.core.rules.constitution import Constitution
from councils.federation.models import Council, Office, Seat
from councils.mandates.models import RecallPetition
from councils.record import sequencer
from councils.record.models import Entry
from councils.record.verification import verify_database
from tests.conftest import NOW


def bob_seat(cast):
    return Seat.objects.get(user=cast.bob, council=cast.district, ended_at__isnull=True)


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_member_starts_a_recall_through_the_api(cast, rules):
    response = post(
        cast.api(cast.erin), "/api/v1/mandates/recalls", {"seat": str(bob_seat(cast).uuid), "reason": "x"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open"
    assert body["signatures"] == 1 and body["threshold"] == 4
    assert body["holder"]["name"] == "Bob Novak"


def test_anonymous_gets_401(cast, rules):
    response = post(cast.api(None), "/api/v1/mandates/recalls", {"seat": str(bob_seat(cast).uuid)})
    assert response.status_code == 401


def test_observer_gets_403_on_start(cast, rules):
    response = post(cast.api(cast.carol), "/api/v1/mandates/recalls", {"seat": str(bob_seat(cast).uuid)})
    assert response.status_code == 403
    assert "Only members with a vote in Riverside Depot" in response.json()["detail"]


def test_wrong_method_gets_405(cast, rules):
    assert cast.api(cast.erin).get("/api/v1/mandates/recalls").status_code == 405


def test_both_seat_and_office_is_422(cast, rules):
    office = Office.objects.get(council=cast.riverside, role="chair")
    response = post(
        cast.api(cast.erin),
        "/api/v1/mandates/recalls",
        {"seat": str(bob_seat(cast).uuid), "office": str(office.uuid)},
    )
    assert response.status_code == 422


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_signing_on_behalf_of_someone_else_is_refused(cast, rules):
    start = post(cast.api(cast.erin), "/api/v1/mandates/recalls", {"seat": str(bob_seat(cast).uuid)}).json()
    response = post(
        cast.api(cast.erin),
        f"/api/v1/mandates/recalls/{start['uuid']}/signatures",
        {"member": str(cast.frank.uuid)},
    )
    assert response.status_code == 422
    assert RecallPetition.objects.get(uuid=start["uuid"]).signatures.count() == 1


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_outsider_gets_404_on_a_hidden_councils_petition(cast, rules):
    start = post(cast.api(cast.erin), "/api/v1/mandates/recalls", {"seat": str(bob_seat(cast).uuid)}).json()
    assert cast.api(cast.dave).get(f"/api/v1/mandates/recalls/{start['uuid']}").status_code == 404
    assert (
        post(cast.api(cast.dave), f"/api/v1/mandates/recalls/{start['uuid']}/signatures").status_code == 404
    )


def test_signature_that_reaches_the_threshold_reports_the_vote(cast, rules):
    start = post(cast.api(cast.erin), "/api/v1/mandates/recalls", {"seat": str(bob_seat(cast).uuid)}).json()
    response = post(cast.api(cast.frank), f"/api/v1/mandates/recalls/{start['uuid']}/signatures")
    assert response.status_code == 201
    assert response.json()["status"] == "vote" and response.json()["vote"]


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_list_recalls_is_paginated_with_few_queries(cast, rules, django_assert_max_num_queries):
    post(cast.api(cast.erin), "/api/v1/mandates/recalls", {"seat": str(bob_seat(cast).uuid)})
    office = Office.objects.get(council=cast.riverside, role="chair")
    post(cast.api(cast.erin), "/api/v1/mandates/recalls", {"office": str(office.uuid)})
    client = cast.api(cast.erin)
    with django_assert_max_num_queries(8):
        body = client.get(f"/api/v1/mandates/councils/{cast.riverside.uuid}/recalls").json()
    assert body["count"] == 2


def test_declaring_pay_returns_the_register_line(cast, rules):
    office = Office.objects.get(council=cast.riverside, role="chair")
    response = post(
        cast.api(cast.alice),
        f"/api/v1/mandates/offices/{office.uuid}/pay",
        {"pay": "2600.00", "expenses": "40"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["pay_above_cap"] is True and body["pay_excess"] == "200.00"
    assert Entry.objects.filter(event="office.pay_declared").count() == 1


@pytest.mark.parametrize("pay", ["-1", "12.345", "abc"])
def test_invalid_pay_is_422(cast, rules, pay):
    office = Office.objects.get(council=cast.riverside, role="chair")
    response = post(cast.api(cast.alice), f"/api/v1/mandates/offices/{office.uuid}/pay", {"pay": pay})
    assert response.status_code == 422


@pytest.mark.parametrize("field", ["pay", "expenses"])
@pytest.mark.parametrize("amount", ["100000000", "1e30", "1E+999999999"])
def test_pay_past_what_the_register_holds_is_422_naming_it(cast, rules, field, amount):
    office = Office.objects.get(council=cast.riverside, role="chair")
    body = {"pay": "1", field: amount}
    response = post(cast.api(cast.alice), f"/api/v1/mandates/offices/{office.uuid}/pay", body)
    assert response.status_code == 422, response.content
    assert [error["loc"] for error in response.json()["errors"]] == [["body", field]]
    assert not Entry.objects.filter(event="office.pay_declared").exists()


@pytest.mark.constitution(average_member_wage="1E+30", pay_cap_share="1E+30")
def test_a_wage_adopted_past_its_limit_caps_pay_at_the_limit(cast, monkeypatch, request):
    """Founded before the limits on settings, on a wage no cap in cents holds: pay is declared, shown in the
    register and recorded against a cap at the limits."""
    with monkeypatch.context() as patched:
        patched.setattr(Constitution, "check_limits", lambda self: None)
        request.getfixturevalue("rules")
    office = Office.objects.get(council=cast.riverside, role="chair")
    url = f"/api/v1/mandates/offices/{office.uuid}/pay"
    response = post(cast.api(cast.alice), url, {"pay": "99999999.99"})
    assert response.status_code == 200, response.content
    assert (response.json()["pay_above_cap"], response.json()["pay_excess"]) == (False, None)
    [entry] = Entry.objects.filter(event="office.pay_declared")
    assert json.loads(bytes(entry.data))["payload"]["cap"] == "100000000000.00"
    page = cast.client(cast.erin).get(f"/mandates/register/{cast.riverside.uuid}/")
    assert page.status_code == 200
    assert "caps officials' monthly pay at 100000000000.00\u00a0EUR" in page.content.decode()
    sequencer.sequence_pending(now=NOW)
    assert verify_database() == []


def test_someone_else_cannot_declare_an_officers_pay(cast, rules):
    office = Office.objects.get(council=cast.riverside, role="chair")
    response = post(cast.api(cast.erin), f"/api/v1/mandates/offices/{office.uuid}/pay", {"pay": "1"})
    assert response.status_code == 403


def test_register_is_public_where_the_council_is(cast, rules, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        body = cast.api(cast.dave).get(f"/api/v1/mandates/register?council={cast.riverside.uuid}").json()
    roles = sorted((line["council"]["name"], line["role"]) for line in body["items"])
    assert ("Eastside District", "delegate") in roles
    assert ("Riverside Depot", "chair") in roles


def test_higher_chair_cannot_end_a_delegates_seat_through_the_api(cast, rules):
    from councils.federation import actions as fa

    fa.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.dave, role="chair", now=cast.federation.created_at
    )
    response = post(cast.api(cast.dave), f"/api/v1/mandates/seats/{bob_seat(cast).uuid}/resign")
    assert response.status_code == 403
    assert "higher council can never appoint, veto or remove" in response.json()["detail"]
    assert bob_seat(cast).ended_at is None
