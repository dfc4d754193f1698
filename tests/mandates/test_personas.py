"""Who gets what from each accountability endpoint and page (Riverside Depot hidden from outsiders)."""

import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from councils.federation.models import Office
from councils.mandates import actions
from tests.personas import API, LOGIN, WEB, check, check_invalid, check_wrong_method


@pytest.fixture
def hidden(cast, rules):
    cast.riverside.visibility = "council"
    cast.riverside.save()
    rules.set(recall_signature_share=Decimal("1.00"))
    return cast


def chair(cast):
    return Office.objects.get(council=cast.riverside, role="chair")


def petition(cast):
    return actions.start_recall(actor=cast.erin, office=chair(cast), now=timezone.now())


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201)]
)
def test_personas_start_recall(hidden, persona, status):
    check(
        hidden, persona, API, "post", "/api/v1/mandates/recalls", {"office": str(chair(hidden).uuid)}, status
    )


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201)]
)
def test_personas_sign_recall(hidden, persona, status):
    url = f"/api/v1/mandates/recalls/{petition(hidden).uuid}/signatures"
    check(hidden, persona, API, "post", url, {}, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", LOGIN), ("outsider", 404), ("observer", 403), ("member", 302)]
)
def test_personas_sign_recall_page(hidden, persona, status):
    check(hidden, persona, WEB, "post", f"/mandates/recalls/{petition(hidden).uuid}/sign/", {}, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 404), ("outsider", 404), ("observer", 200), ("member", 200)]
)
@pytest.mark.parametrize("tail", ["recalls", "mandates", "roll-call", "reports", "register"])
def test_personas_read_council_lists(hidden, persona, status, tail):
    check(
        hidden, persona, API, "get", f"/api/v1/mandates/councils/{hidden.riverside.uuid}/{tail}", None, status
    )


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 404), ("outsider", 404), ("observer", 200), ("member", 200)]
)
def test_personas_accountability_page(hidden, persona, status):
    check(hidden, persona, WEB, "get", f"/mandates/councils/{hidden.riverside.uuid}/", None, status)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 403), ("officer", 200)],
)
def test_personas_declare_pay(hidden, persona, status):
    check(
        hidden,
        persona,
        API,
        "post",
        f"/api/v1/mandates/offices/{chair(hidden).uuid}/pay",
        {"pay": "100"},
        status,
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", LOGIN), ("outsider", 404), ("observer", 403), ("member", 403), ("officer", 302)],
)
def test_personas_declare_pay_page(hidden, persona, status):
    data = {"pay": "100", "expenses": "0"}
    check(hidden, persona, WEB, "post", f"/mandates/offices/{chair(hidden).uuid}/pay/", data, status)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 404), ("observer", 403), ("officer", 403), ("member", 200)],
)
def test_personas_submit_report(hidden, persona, status):
    with transaction.atomic():
        [report] = actions.open_reports_due(
            council=hidden.district, meeting_uuid=uuid.uuid4(), now=timezone.now()
        )
    check(
        hidden, persona, API, "post", f"/api/v1/mandates/reports/{report.uuid}", {"text": "Report."}, status
    )


def test_wrong_methods_and_invalid_input(hidden):
    check_wrong_method(hidden, API, f"/api/v1/mandates/offices/{chair(hidden).uuid}/pay", "get")
    check_wrong_method(hidden, WEB, f"/mandates/recalls/{petition(hidden).uuid}/sign/", "get")
    check_invalid(hidden, API, "post", f"/api/v1/mandates/offices/{chair(hidden).uuid}/pay", {"pay": "-1"})
    check_invalid(hidden, WEB, "post", f"/mandates/offices/{chair(hidden).uuid}/pay/", {"pay": "x"})
