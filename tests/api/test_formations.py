"""The API for forming a council: propose, consent, follow; refusals are problem+json."""

from __future__ import annotations

import pytest

from councils.membership.models import Formation
from tests.membership.support import adopt

BODY = {"name": "Riverside Night Shift", "reason": "The night shift organised on its own."}


@pytest.fixture
def ready(cast):
    adopt(cast)
    return cast


def url(cast, *rest):
    return "/".join([f"/api/v1/councils/{cast.district.uuid}/formations", *rest])


def test_a_member_below_proposes_others_consent_and_anyone_who_sees_the_council_follows(ready):
    created = ready.api(ready.erin).post(url(ready), BODY, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    formation = Formation.objects.get()
    assert body["uuid"] == str(formation.uuid) and body["motion"] == str(formation.motion_uuid)
    assert (body["type"], body["visibility"], body["status"], body["min_founders"]) == (
        "workplace",
        "federation",
        "proposed",
        3,
    )
    assert [f["name"] for f in body["founders"]] == ["Erin Walsh"]
    signed = ready.api(ready.dave).post(url(ready, body["uuid"], "sign"))
    assert signed.status_code == 200
    assert [f["name"] for f in signed.json()["founders"]] == ["Erin Walsh", "Dave Okafor"]
    listed = ready.api(ready.bob).get(url(ready))
    assert listed.json()["count"] == 1 and [f["uuid"] for f in listed.json()["items"]] == [body["uuid"]]
    assert ready.api(ready.bob).get(url(ready, body["uuid"])).json()["name"] == "Riverside Night Shift"


def test_refusals_are_problems_with_the_reason(ready):
    outsider = ready.api(ready.carol).post(url(ready), BODY, content_type="application/json")
    assert outsider.status_code == 409
    assert outsider["Content-Type"].startswith("application/problem+json")
    assert "Only a member of a base council" in outsider.json()["detail"]
    base = ready.api(ready.erin).post(
        f"/api/v1/councils/{ready.riverside.uuid}/formations", BODY, content_type="application/json"
    )
    assert base.status_code == 422 and "is a base council of members" in base.json()["detail"]
    bad = ready.api(ready.erin).post(url(ready), {**BODY, "type": "guild"}, content_type="application/json")
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    assert bad.json()["detail"] == ("Unknown council type 'guild'; choose one of workplace, other.")
    level = ready.api(ready.erin).post(
        url(ready), {**BODY, "type": "national"}, content_type="application/json"
    )
    assert level.status_code == 422 and level.json()["detail"] == (
        "The council formed is a base council of members, so it cannot be a National congress; "
        "choose one of workplace, other."
    )
    hidden = ready.api(ready.erin).post(
        url(ready), {**BODY, "visibility": "secret"}, content_type="application/json"
    )
    assert (
        hidden.status_code == 422 and "Unknown visibility 'secret'; choose one of" in hidden.json()["detail"]
    )
    created = ready.api(ready.erin).post(url(ready), BODY, content_type="application/json").json()
    twice = ready.api(ready.erin).post(url(ready, created["uuid"], "sign"))
    assert twice.status_code == 409 and "already consented" in twice.json()["detail"]
    elsewhere = ready.api(ready.erin).get(f"/api/v1/councils/{ready.city.uuid}/formations/{created['uuid']}")
    assert elsewhere.status_code == 404


def test_founders_withdraw_consent_and_the_proposer_withdraws_the_proposal(ready):
    created = ready.api(ready.erin).post(url(ready), BODY, content_type="application/json").json()
    ready.api(ready.dave).post(url(ready, created["uuid"], "sign"))
    withdrawn = ready.api(ready.dave).post(url(ready, created["uuid"], "withdraw"))
    assert withdrawn.status_code == 200
    assert [f["name"] for f in withdrawn.json()["founders"]] == ["Erin Walsh"]
    again = ready.api(ready.dave).post(url(ready, created["uuid"], "withdraw"))
    assert again.status_code == 409 and "not consented" in again.json()["detail"]
    whole = ready.api(ready.erin).post(url(ready, created["uuid"], "withdraw"))
    assert whole.status_code == 200
    assert (whole.json()["status"], whole.json()["status_label"]) == (
        "withdrawn",
        "Withdrawn by its proposer",
    )
