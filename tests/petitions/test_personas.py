"""Who gets what from the agenda petition endpoints and pages (Riverside Depot hidden from outsiders)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from councils.federation.models import Council
from councils.petitions import actions
from tests.personas import API, LOGIN, WEB, check, check_invalid, check_wrong_method

pytestmark = [
    pytest.mark.visibility(riverside=Council.Visibility.COUNCIL),
    pytest.mark.constitution(agenda_petition_share=Decimal("1.00")),
    pytest.mark.usefixtures("rules"),
]


def petition(cast):
    return actions.start_agenda_petition(
        actor=cast.erin, council=cast.riverside, title="t", text="x", now=timezone.now()
    )


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201)]
)
def test_personas_start(cast, persona, status):
    body = {"council": str(cast.riverside.uuid), "title": "Heat", "text": "Too hot."}
    check(cast, persona, API, "post", "/api/v1/petitions", body, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201)]
)
def test_personas_sign(cast, persona, status):
    check(cast, persona, API, "post", f"/api/v1/petitions/{petition(cast).uuid}/signatures", {}, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", LOGIN), ("outsider", 404), ("observer", 403), ("member", 302)]
)
def test_personas_sign_page(cast, persona, status):
    check(cast, persona, WEB, "post", f"/petitions/{petition(cast).uuid}/sign/", {}, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 404), ("outsider", 404), ("observer", 200), ("member", 200)]
)
def test_personas_read(cast, persona, status):
    check(cast, persona, API, "get", f"/api/v1/petitions/{petition(cast).uuid}", None, status)
    check(cast, persona, WEB, "get", f"/petitions/councils/{cast.riverside.uuid}/", None, status)


def test_wrong_methods_and_invalid_input(cast):
    check_wrong_method(cast, API, "/api/v1/petitions", "get")
    check_wrong_method(cast, WEB, f"/petitions/{petition(cast).uuid}/sign/", "get")
    check_invalid(cast, API, "post", "/api/v1/petitions", {"council": str(cast.riverside.uuid), "title": "t"})
    check_invalid(
        cast, WEB, "post", f"/petitions/councils/{cast.riverside.uuid}/", {"title": ""}, persona="member"
    )
