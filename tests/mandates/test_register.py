"""The register of offices: of a council, of it and the councils below, or of the federation; its currency."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from councils.accounts.models import User
from councils.federation import actions as fa
from councils.federation.models import Council, Office
from councils.mandates import actions, queries
from councils.record.models import Entry
from tests.conftest import NOW


def lines(cast, viewer, anchor, scope):
    return sorted(
        (line.council.name, line.role)
        for line in queries.list_register_for(viewer=viewer, anchor=anchor, scope=scope, now=NOW)
    )


@pytest.fixture
def offices(cast):
    """A chair of the national congress and a treasurer of Harbour Works, besides Riverside's officers."""
    fa.appoint_founding_officer(actor=None, council=cast.national, user=cast.erin, role="chair", now=NOW)
    fa.appoint_founding_officer(actor=None, council=cast.harbour, user=cast.dave, role="treasurer", now=NOW)
    return cast


def test_register_of_a_council_alone_below_it_or_the_whole_federation(offices, rules):
    cast = offices
    district = [("Eastside District", "delegate")]
    below = [
        *district,
        ("Harbour Works", "treasurer"),
        ("Riverside Depot", "chair"),
        ("Riverside Depot", "observer"),
    ]
    assert lines(cast, cast.frank, cast.district, "council") == district
    assert lines(cast, cast.frank, cast.district, "below") == below
    whole = sorted([*below, ("National Congress", "chair")])
    assert lines(cast, cast.frank, cast.district, "federation") == whole
    # A council's own register names the delegates it sends up as well as its officers.
    assert lines(cast, cast.frank, cast.riverside, "council") == [*district, *below[2:]]


@pytest.mark.visibility(harbour=Council.Visibility.COUNCIL)
def test_register_leaves_out_councils_the_viewer_may_not_see(offices, rules):
    cast = offices
    assert ("Harbour Works", "treasurer") not in lines(cast, cast.frank, cast.district, "below")
    assert ("Harbour Works", "treasurer") not in lines(cast, cast.frank, cast.district, "federation")
    assert ("Harbour Works", "treasurer") in lines(cast, cast.dave, cast.district, "below")


def test_the_council_page_links_to_its_own_register(offices, rules, django_assert_max_num_queries):
    cast = offices
    client = cast.client(cast.frank)
    council_page = client.get(f"/councils/{cast.riverside.uuid}/").content.decode()
    assert f'href="/mandates/register/{cast.riverside.uuid}/"' in council_page
    with django_assert_max_num_queries(20):
        page = client.get(f"/mandates/register/{cast.riverside.uuid}/").content.decode()
    assert "Register of offices: Riverside Depot" in page and "Every office (3)" in page
    assert "Harbour Works" not in page and "National Congress" not in page
    whole = client.get(f"/mandates/register/{cast.riverside.uuid}/?scope=federation").content.decode()
    assert "Register of offices: Demo Federation" in whole and "Every office (5)" in whole
    below = client.get(f"/mandates/register/{cast.district.uuid}/?scope=below").content.decode()
    assert "Eastside District and the councils below it" in below and "Harbour Works" in below
    assert "National Congress" not in below


def test_an_unknown_scope_is_refused(cast, rules):
    page = cast.client(cast.frank).get(f"/mandates/register/{cast.riverside.uuid}/?scope=planet")
    assert page.status_code == 422
    assert "scope must be one of council, below, federation" in page.content.decode()
    api = cast.api(cast.frank).get(f"/api/v1/mandates/register?council={cast.riverside.uuid}&scope=planet")
    assert api.status_code == 422 and api["Content-Type"].startswith("application/problem+json")


def test_a_long_register_is_paged_in_a_constant_number_of_queries(cast, rules, django_assert_max_num_queries):
    for n in range(60):
        user = User.objects.create_user(username=f"observer{n:02}", password="x")
        fa.appoint_founding_officer(actor=None, council=cast.harbour, user=user, role="observer", now=NOW)
    client = cast.client(cast.dave)
    url = f"/mandates/register/{cast.district.uuid}/?scope=below"
    with django_assert_max_num_queries(20):
        first = client.get(url).content.decode()
    assert "Every office (63)" in first and "Page 1 of 2" in first
    assert first.count("<tr>") == 1 + 50
    assert 'href="?scope=below&amp;page=2"' in first
    with django_assert_max_num_queries(20):
        second = client.get(f"{url}&page=2").content.decode()
    assert second.count("<tr>") == 1 + 13


def test_api_register_takes_the_same_scopes(offices, rules, django_assert_max_num_queries):
    cast = offices
    api = cast.api(cast.frank)
    base = f"/api/v1/mandates/register?council={cast.district.uuid}"
    with django_assert_max_num_queries(16):
        whole = api.get(base).json()
    assert whole["count"] == 5
    below = api.get(f"{base}&scope=below").json()
    assert sorted(line["council"]["name"] for line in below["items"]) == [
        "Eastside District",
        "Harbour Works",
        "Riverside Depot",
        "Riverside Depot",
    ]
    alone = api.get(f"{base}&scope=council").json()
    assert [(line["role"], line["for_council"]["name"]) for line in alone["items"]] == [
        ("delegate", "Riverside Depot")
    ]


@pytest.mark.constitution(pay_currency="GBP")
def test_pay_is_shown_and_recorded_in_the_constitutions_currency(cast, rules):
    office = Office.objects.get(council=cast.riverside, role="chair")
    response = cast.api(cast.alice).post(
        f"/api/v1/mandates/offices/{office.uuid}/pay",
        json.dumps({"pay": "2500.00", "expenses": "12.50"}),
        content_type="application/json",
    )
    line = response.json()
    assert (line["declared_pay"], line["pay_excess"], line["currency"]) == ("2500.00", "100.00", "GBP")
    [entry] = Entry.objects.filter(event="office.pay_declared")
    assert json.loads(bytes(entry.data))["payload"]["currency"] == "GBP"
    page = cast.client(cast.erin).get(f"/mandates/register/{cast.riverside.uuid}/").content.decode()
    assert (
        '<td data-label="Monthly pay">2500.00\u00a0GBP' in page
        and '<td data-label="Expenses">12.50\u00a0GBP</td>' in page
    )
    assert "Pay 100.00\u00a0GBP above the cap" in page
    assert "caps officials' monthly pay at 2400.00\u00a0GBP" in page
    form = cast.client(cast.alice).get(f"/mandates/offices/{office.uuid}/pay/").content.decode()
    assert "Monthly pay (GBP)" in form and "caps monthly pay at 2400.00\u00a0GBP" in form
    alert = cast.alice.notifications.get(kind="pay_above_cap")
    assert "monthly pay of 2500.00 GBP, 100.00 GBP above the cap of 2400.00 GBP" in alert.message


@pytest.mark.constitution(pay_currency="")
def test_pay_under_a_constitution_that_states_no_currency_is_a_bare_amount(cast, rules):
    office = Office.objects.get(council=cast.riverside, role="chair")
    actions.declare_pay(actor=cast.alice, office=office, pay=Decimal("2000.00"), expenses=Decimal(0), now=NOW)
    [entry] = Entry.objects.filter(event="office.pay_declared")
    assert json.loads(bytes(entry.data))["payload"]["currency"] is None
    body = cast.api(cast.erin).get(f"/api/v1/mandates/councils/{cast.riverside.uuid}/register").json()
    chair = next(line for line in body["items"] if line["role"] == "chair")
    assert (chair["declared_pay"], chair["currency"]) == ("2000.00", None)


def chair_line(cast):
    [line] = [
        line
        for line in queries.list_register(
            federation_id=cast.federation.id, now=NOW, council_ids=[cast.riverside.id]
        )
        if line.role == "chair"
    ]
    return line


def test_pay_keeps_the_currency_it_was_declared_in_when_the_constitution_changes_it(cast, rules):
    office = Office.objects.get(council=cast.riverside, role="chair")
    actions.declare_pay(
        actor=cast.alice, office=office, pay=Decimal("2500.00"), expenses=Decimal("12.50"), now=NOW
    )
    office.refresh_from_db()
    assert office.pay_currency == "EUR"
    rules.amend(pay_currency="GBP")

    line = chair_line(cast)
    assert (line.declared_pay, line.currency, line.constitution_currency) == (
        Decimal("2500.00"),
        "EUR",
        "GBP",
    )
    # 2500.00 EUR is not 100.00 GBP above a cap of 2400.00 GBP: it is not compared at all.
    assert line.currency_differs and line.pay_excess is None
    assert queries.list_pay_breaches(federation_id=cast.federation.id, now=NOW) == []

    page = cast.client(cast.erin).get(f"/mandates/register/{cast.riverside.uuid}/").content.decode()
    assert (
        '<td data-label="Monthly pay">2500.00\u00a0EUR' in page
        and '<td data-label="Expenses">12.50\u00a0EUR</td>' in page
    )
    assert "2500.00\u00a0GBP" not in page and "above the cap</strong>" not in page
    assert (
        "Declared in EUR, before the currency changed to GBP: not compared with the cap until declared again"
        in page
    )
    assert "1 office declared its pay in a currency the constitution no longer uses" in page
    assert "caps officials' monthly pay at 2400.00\u00a0GBP" in page

    body = cast.api(cast.erin).get(f"/api/v1/mandates/councils/{cast.riverside.uuid}/register").json()
    chair = next(line for line in body["items"] if line["role"] == "chair")
    assert (chair["declared_pay"], chair["declared_expenses"], chair["currency"]) == (
        "2500.00",
        "12.50",
        "EUR",
    )
    assert (chair["constitution_currency"], chair["currency_differs"]) == ("GBP", True)
    assert (chair["pay_excess"], chair["pay_above_cap"]) == (None, False)
    delegate = next(line for line in body["items"] if line["role"] == "delegate")
    assert (delegate["currency"], delegate["constitution_currency"], delegate["currency_differs"]) == (
        "GBP",
        "GBP",
        False,
    )

    # The pay form asks for a fresh declaration and does not offer the EUR amounts as GBP.
    form = cast.client(cast.alice).get(f"/mandates/offices/{office.uuid}/pay/").content.decode()
    assert "You last declared 2500.00\u00a0EUR pay and 12.50\u00a0EUR expenses" in form
    assert "Monthly pay (GBP)" in form and 'value="2500.00"' not in form

    response = cast.api(cast.alice).post(
        f"/api/v1/mandates/offices/{office.uuid}/pay",
        json.dumps({"pay": "2500.00", "expenses": "10.00"}),
        content_type="application/json",
    )
    again = response.json()
    assert (again["currency"], again["currency_differs"], again["pay_excess"]) == ("GBP", False, "100.00")
    line = chair_line(cast)
    assert (line.currency, line.currency_differs, line.pay_excess) == ("GBP", False, Decimal("100.00"))
    page = cast.client(cast.erin).get(f"/mandates/register/{cast.riverside.uuid}/").content.decode()
    assert (
        '<td data-label="Monthly pay">2500.00\u00a0GBP' in page
        and "Pay 100.00\u00a0GBP above the cap" in page
    )
    assert "before the currency changed" not in page
    form = cast.client(cast.alice).get(f"/mandates/offices/{office.uuid}/pay/").content.decode()
    assert 'value="2500.00"' in form and "You last declared" not in form


def test_pay_declared_in_a_currency_then_under_a_constitution_stating_none_is_not_compared(cast, rules):
    office = Office.objects.get(council=cast.riverside, role="chair")
    actions.declare_pay(actor=cast.alice, office=office, pay=Decimal("2500.00"), expenses=Decimal(0), now=NOW)
    rules.amend(pay_currency="")
    line = chair_line(cast)
    assert (line.currency, line.constitution_currency, line.currency_differs) == ("EUR", "", True)
    assert line.pay_excess is None
    page = cast.client(cast.erin).get(f"/mandates/register/{cast.riverside.uuid}/").content.decode()
    assert "Declared in EUR; the constitution now states no currency" in page


@pytest.mark.constitution(pay_currency="")
def test_pay_that_named_no_currency_is_read_in_the_constitutions(cast, rules):
    """An office yet to declare, or whose declaration named no currency, follows the constitution's."""
    office = Office.objects.get(council=cast.riverside, role="chair")
    actions.declare_pay(actor=cast.alice, office=office, pay=Decimal("2500.00"), expenses=Decimal(0), now=NOW)
    office.refresh_from_db()
    assert office.pay_currency == ""
    rules.amend(pay_currency="GBP")
    line = chair_line(cast)
    assert (line.currency, line.currency_differs, line.pay_excess) == ("GBP", False, Decimal("100.00"))
    observer = next(
        line
        for line in queries.list_register(federation_id=cast.federation.id, now=NOW)
        if line.role == "observer"
    )
    assert (observer.declared_pay, observer.currency, observer.currency_differs) == (Decimal(0), "GBP", False)


def test_an_amendment_changing_the_currency_leaves_declarations_in_theirs(cast):
    from tests.constitution.test_record_checks import amend
    from tests.membership.support import adopt, make_national_body

    adopt(cast)
    make_national_body(cast)
    office = Office.objects.get(council=cast.riverside, role="chair")
    actions.declare_pay(actor=cast.alice, office=office, pay=Decimal("2500.00"), expenses=Decimal(0), now=NOW)
    assert chair_line(cast).pay_excess == Decimal("100.00")
    amend(cast, now=NOW + timedelta(days=1), pay_currency="GBP")
    line = chair_line(cast)
    assert (line.currency, line.constitution_currency, line.currency_differs, line.pay_excess) == (
        "EUR",
        "GBP",
        True,
        None,
    )
    actions.declare_pay(
        actor=cast.alice,
        office=office,
        pay=Decimal("2500.00"),
        expenses=Decimal(0),
        now=NOW + timedelta(days=2),
    )
    line = chair_line(cast)
    assert (line.currency, line.currency_differs, line.pay_excess) == ("GBP", False, Decimal("100.00"))
    currencies = [
        json.loads(bytes(e.data))["payload"]["currency"]
        for e in Entry.objects.filter(event="office.pay_declared")
    ]
    assert currencies == ["EUR", "GBP"]
