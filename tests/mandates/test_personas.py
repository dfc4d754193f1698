"""Who gets what from each accountability endpoint and page (Riverside Depot hidden from outsiders)."""

import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from councils.federation.models import Council, Office
from councils.mandates import actions
from tests.personas import API, LOGIN, WEB, check, check_invalid, check_wrong_method

pytestmark = [
    pytest.mark.visibility(riverside=Council.Visibility.COUNCIL),
    pytest.mark.constitution(recall_signature_share=Decimal("1.00")),
    pytest.mark.usefixtures("rules"),
]


def chair(cast):
    return Office.objects.get(council=cast.riverside, role="chair")


def petition(cast):
    return actions.start_recall(actor=cast.erin, office=chair(cast), now=timezone.now())


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201)]
)
def test_personas_start_recall(cast, persona, status):
    check(cast, persona, API, "post", "/api/v1/mandates/recalls", {"office": str(chair(cast).uuid)}, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201)]
)
def test_personas_sign_recall(cast, persona, status):
    url = f"/api/v1/mandates/recalls/{petition(cast).uuid}/signatures"
    check(cast, persona, API, "post", url, {}, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", LOGIN), ("outsider", 404), ("observer", 403), ("member", 302)]
)
def test_personas_sign_recall_page(cast, persona, status):
    check(cast, persona, WEB, "post", f"/mandates/recalls/{petition(cast).uuid}/sign/", {}, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 404), ("outsider", 404), ("observer", 200), ("member", 200)]
)
@pytest.mark.parametrize("tail", ["recalls", "mandates", "roll-call", "reports", "register"])
def test_personas_read_council_lists(cast, persona, status, tail):
    check(cast, persona, API, "get", f"/api/v1/mandates/councils/{cast.riverside.uuid}/{tail}", None, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 404), ("outsider", 404), ("observer", 200), ("member", 200)]
)
def test_personas_accountability_page(cast, persona, status):
    check(cast, persona, WEB, "get", f"/mandates/councils/{cast.riverside.uuid}/", None, status)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 403), ("officer", 200)],
)
def test_personas_declare_pay(cast, persona, status):
    check(
        cast,
        persona,
        API,
        "post",
        f"/api/v1/mandates/offices/{chair(cast).uuid}/pay",
        {"pay": "100"},
        status,
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", LOGIN), ("outsider", 404), ("observer", 403), ("member", 403), ("officer", 302)],
)
def test_personas_declare_pay_page(cast, persona, status):
    data = {"pay": "100", "expenses": "0"}
    check(cast, persona, WEB, "post", f"/mandates/offices/{chair(cast).uuid}/pay/", data, status)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 404), ("observer", 403), ("officer", 403), ("member", 200)],
)
def test_personas_submit_report(cast, persona, status):
    with transaction.atomic():
        [report] = actions.open_reports_due(
            council=cast.district, meeting_uuid=uuid.uuid4(), now=timezone.now()
        )
    check(cast, persona, API, "post", f"/api/v1/mandates/reports/{report.uuid}", {"text": "Report."}, status)


def test_wrong_methods_and_invalid_input(cast):
    check_wrong_method(cast, API, f"/api/v1/mandates/offices/{chair(cast).uuid}/pay", "get")
    check_wrong_method(cast, WEB, f"/mandates/recalls/{petition(cast).uuid}/sign/", "get")
    check_invalid(cast, API, "post", f"/api/v1/mandates/offices/{chair(cast).uuid}/pay", {"pay": "-1"})
    check_invalid(cast, WEB, "post", f"/mandates/offices/{chair(cast).uuid}/pay/", {"pay": "x"})
