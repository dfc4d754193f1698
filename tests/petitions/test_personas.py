"""Who gets what from the agenda petition endpoints and pages (Riverside Depot hidden from outsiders)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from councils.petitions import actions
from tests.personas import API, LOGIN, WEB, check, check_invalid, check_wrong_method


@pytest.fixture
def hidden(cast, rules):
    cast.riverside.visibility = "council"
    cast.riverside.save()
    rules.set(agenda_petition_share=Decimal("1.00"))
    return cast


def petition(cast):
    return actions.start_agenda_petition(
        actor=cast.erin, council=cast.riverside, title="t", text="x", now=timezone.now()
    )


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201)]
)
def test_personas_start(hidden, persona, status):
    body = {"council": str(hidden.riverside.uuid), "title": "Heat", "text": "Too hot."}
    check(hidden, persona, API, "post", "/api/v1/petitions", body, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201)]
)
def test_personas_sign(hidden, persona, status):
    check(hidden, persona, API, "post", f"/api/v1/petitions/{petition(hidden).uuid}/signatures", {}, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", LOGIN), ("outsider", 404), ("observer", 403), ("member", 302)]
)
def test_personas_sign_page(hidden, persona, status):
    check(hidden, persona, WEB, "post", f"/petitions/{petition(hidden).uuid}/sign/", {}, status)


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 404), ("outsider", 404), ("observer", 200), ("member", 200)]
)
def test_personas_read(hidden, persona, status):
    check(hidden, persona, API, "get", f"/api/v1/petitions/{petition(hidden).uuid}", None, status)
    check(hidden, persona, WEB, "get", f"/petitions/councils/{hidden.riverside.uuid}/", None, status)


def test_wrong_methods_and_invalid_input(hidden):
    check_wrong_method(hidden, API, "/api/v1/petitions", "get")
    check_wrong_method(hidden, WEB, f"/petitions/{petition(hidden).uuid}/sign/", "get")
    check_invalid(
        hidden, API, "post", "/api/v1/petitions", {"council": str(hidden.riverside.uuid), "title": "t"}
    )
    check_invalid(
        hidden, WEB, "post", f"/petitions/councils/{hidden.riverside.uuid}/", {"title": ""}, persona="member"
    )
