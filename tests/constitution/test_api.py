from __future__ import annotations

import pytest
from django.utils import timezone

from councils.api.urls import api
from councils.constitution.models import Amendment, ConstitutionVersion
from councils.core.rules.constitution import Constitution, content_hash
from councils.federation.models import Council
from councils.motions.models import Motion
from tests.membership.support import adopt, adopt_before_newer_settings, make_national_body
from tests.personas import API, check, check_invalid, check_wrong_method

CURRENT = "/api/v1/constitution/current"


@pytest.fixture
def ready(cast):
    adopt(cast)
    return cast


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 404), ("outsider", 200), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_read_the_current_constitution(ready, persona, status):
    response = check(ready, persona, API, "get", CURRENT, expected=status)
    if status == 200:
        body = response.json()
        assert body["version"] == 1
        assert body["document"]["amendment_threshold"] == "two_thirds"
        assert any("sponsors" in rule for section in body["plain"] for rule in section["rules"])


@pytest.mark.visibility(national=Council.Visibility.PUBLIC)
def test_public_top_council_makes_the_constitution_public(ready):
    body = check(ready, "anonymous", API, "get", CURRENT, expected=200).json()
    assert body["federation"] == str(ready.federation.uuid)


def test_versions_list_and_one_version(ready, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        body = check(ready, "member", API, "get", "/api/v1/constitution/versions", expected=200).json()
    assert body["count"] == 1
    assert body["items"][0]["content_hash"]
    check(ready, "member", API, "get", "/api/v1/constitution/versions/1", expected=200)
    check(ready, "member", API, "get", "/api/v1/constitution/versions/9", expected=404)


def test_wrong_method_is_405(ready):
    check_wrong_method(ready, API, CURRENT, "post")


def test_before_any_adoption_the_defaults_are_in_force(cast):
    body = check(cast, "member", API, "get", CURRENT, expected=200).json()
    assert (body["version"], body["is_default"]) == (0, True)
    assert body["note"] == "defaults apply: no constitution adopted yet"
    assert body["adopted_at"] is None
    assert body["content_hash"] == content_hash(Constitution().to_document())
    assert body["document"]["sponsors_required"] == 2
    assert (
        check(cast, "member", API, "get", "/api/v1/constitution/versions", expected=200).json()["count"] == 0
    )


def test_an_adopted_version_is_in_force_with_its_own_hash(ready):
    body = check(ready, "member", API, "get", CURRENT, expected=200).json()
    version = ConstitutionVersion.objects.get()
    assert (body["version"], body["is_default"], body["note"]) == (1, False, "")
    assert body["content_hash"] == version.content_hash


def test_a_version_adopted_before_newer_settings_keeps_its_hash(cast, monkeypatch):
    version = adopt_before_newer_settings(cast, monkeypatch)
    body = check(cast, "member", API, "get", CURRENT, expected=200).json()
    assert body["content_hash"] == version.content_hash
    assert (body["document"]["meeting_notice_hours"], body["document"]["meeting_quorum_share"]) == (0, "0")


def test_an_amendment_of_a_version_adopted_before_newer_settings_lists_only_its_change(cast, monkeypatch):
    adopt_before_newer_settings(cast, monkeypatch)
    make_national_body(cast)
    body = {"changes": {"hearing_notice_days": 21}, "explanation": ""}
    response = check(cast, "officer", API, "post", "/api/v1/constitution/amendments", body, expected=201)
    # The settings version 1 never had were unset, and the amendment leaves them so.
    assert response.json()["changes"] == [{"setting": "hearing_notice_days", "old": 14, "new": 21}]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 403), ("observer", 403), ("member", 403), ("officer", 201)],
)
def test_personas_propose_an_amendment(ready, persona, status):
    make_national_body(ready)  # alice sits in the top council; bob, carol and dave do not
    body = {"changes": {"hearing_notice_days": 21}, "explanation": "More time to prepare."}
    response = check(ready, persona, API, "post", "/api/v1/constitution/amendments", body, expected=status)
    if status == 201:
        data = response.json()
        assert data["changes"] == [{"setting": "hearing_notice_days", "old": 14, "new": 21}]
        assert Motion.objects.get(uuid=data["motion"]).kind == "constitution"


def test_invalid_amendment_is_422(ready):
    make_national_body(ready)
    url = "/api/v1/constitution/amendments"
    check_invalid(ready, API, "post", url, {"changes": {"hearing_notice_days": -1}})
    check_invalid(ready, API, "post", url, {"changes": {}})
    check_invalid(ready, API, "post", url, {"changes": {"nope": 1}})
    check_invalid(ready, API, "post", url, {"changes": {"sponsors_required": 3}, "extra": True})
    check_invalid(ready, API, "post", url, {"changes": {"election_poll_min_minutes": 0}})
    check_invalid(ready, API, "post", url, {"changes": {"election_poll_max_days": 400}})
    check_invalid(ready, API, "post", url, {"changes": {"election_poll_min_minutes": 44640}})


def changes_published() -> dict:
    schema = api.get_openapi_schema(path_prefix="/api/v1")["components"]["schemas"]
    return schema["ConstitutionAmendmentIn"]["properties"]["changes"]


def test_the_amendment_schema_publishes_each_settings_limits():
    changes = changes_published()
    assert changes["additionalProperties"] is False
    settings = changes["properties"]
    assert set(settings) == set(Constitution().to_document()) - {"version"}
    assert settings["hearing_notice_days"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 3660,
        "description": "Days of notice before a disciplinary hearing: a whole number.",
    }
    assert (settings["election_poll_max_days"]["minimum"], settings["election_poll_max_days"]["maximum"]) == (
        1,
        366,
    )
    wage, share = settings["average_member_wage"]["anyOf"][0], settings["recall_signature_share"]["anyOf"][0]
    assert wage == {"type": "number", "minimum": 0, "maximum": 1_000_000_000}
    assert share == {"type": "number", "exclusiveMinimum": 0, "maximum": 1}
    assert "a decimal from 0 to 1,000,000,000" in settings["average_member_wage"]["description"]
    assert settings["amendment_threshold"]["enum"] == ["simple", "absolute", "two_thirds", "three_fifths"]
    assert "EUR" in settings["pay_currency"]["enum"]


def test_a_proposal_may_leave_pay_without_a_currency_as_the_schema_says(ready):
    make_national_body(ready)
    assert changes_published()["properties"]["pay_currency"]["enum"][0] == ""
    url = "/api/v1/constitution/amendments"
    check(ready, "officer", API, "post", url, {"changes": {"pay_currency": ""}}, expected=201)
    response = check_invalid(ready, API, "post", url, {"changes": {"pay_currency": "XXY"}})
    assert "pay_currency" in response.json()["detail"]


@pytest.mark.parametrize(
    ("name", "past"),
    [
        ("hearing_notice_days", 1),
        ("election_poll_max_days", 1),
        ("election_poll_min_minutes", 1),
        ("average_member_wage", 0.01),
        ("pay_cap_share", 0.01),
        ("sponsors_required", 1),
    ],
)
def test_a_value_past_its_published_limit_is_a_422_naming_the_setting(ready, name, past):
    make_national_body(ready)
    setting = changes_published()["properties"][name]
    highest = setting.get("maximum", setting.get("anyOf", [{}])[0].get("maximum"))
    url = "/api/v1/constitution/amendments"
    response = check_invalid(ready, API, "post", url, {"changes": {name: highest + past}})
    assert response.json()["detail"].startswith(f"{name} must be")
    check_invalid(ready, API, "post", url, {"changes": {name: -past}})
    assert not Amendment.objects.exists()


def test_open_vote_uses_the_constitutions_threshold(ready):
    from councils.motions import actions as motion_actions

    make_national_body(ready)
    data = check(
        ready,
        "officer",
        API,
        "post",
        "/api/v1/constitution/amendments",
        {"changes": {"sponsors_required": 3}},
        expected=201,
    ).json()
    motion_actions.second_motion(
        actor=ready.erin, motion=Motion.objects.get(uuid=data["motion"]), now=timezone.now()
    )
    url = f"/api/v1/constitution/amendments/{data['uuid']}/open-vote"
    check(ready, "member", API, "post", url, {"method": "named"}, expected=403)
    opened = check(ready, "officer", API, "post", url, {"method": "named"}, expected=201).json()
    assert opened["threshold"] == "two_thirds"
    listed = check(ready, "member", API, "get", "/api/v1/constitution/amendments", expected=200).json()
    assert listed["items"][0]["status"] == Amendment.Status.PROPOSED
