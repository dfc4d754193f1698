from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from councils.federation.models import Membership
from councils.membership import actions
from councils.membership.models import Application, DisciplineCase
from tests.conftest import make_user
from tests.membership.support import adopt, payloads
from tests.membership.test_transfer import _admit, _request
from tests.personas import API, assert_status, check, check_invalid, check_wrong_method


@pytest.fixture
def ready(cast):
    adopt(cast)
    return cast


def _application(cast):
    gina = make_user("gina", "Gina")
    return gina, actions.apply_for_membership(actor=gina, council=cast.riverside, now=timezone.now())


def test_applicant_applies_through_the_api(ready):
    gina = make_user("gina", "Gina")
    response = ready.api(gina).post(
        "/api/v1/membership/applications",
        {"council": str(ready.riverside.uuid), "statement": "I drive the 42."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "sponsoring"
    assert body["sponsors_required"] == 2
    assert body["constitution"] == 1
    mine = ready.api(gina).get("/api/v1/membership/applications").json()
    assert mine["count"] == 1


def test_member_cannot_apply_again(ready):
    response = check(
        ready,
        "member",
        API,
        "post",
        "/api/v1/membership/applications",
        {"council": str(ready.riverside.uuid)},
        expected=409,
    )
    assert "already a member" in response.json()["detail"]


def test_apply_invalid_input_is_422(ready):
    check_invalid(ready, API, "post", "/api/v1/membership/applications", {"council": "nope"})
    check_invalid(ready, API, "post", "/api/v1/membership/applications", {})


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 404), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_see_an_application(ready, persona, status):
    _, application = _application(ready)
    check(ready, persona, API, "get", f"/api/v1/membership/applications/{application.uuid}", expected=status)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 200), ("officer", 200)],
)
def test_personas_sponsor(ready, persona, status):
    _, application = _application(ready)
    response = check(
        ready,
        persona,
        API,
        "post",
        f"/api/v1/membership/applications/{application.uuid}/sponsor",
        expected=status,
    )
    if status == 200:
        assert len(response.json()["sponsors"]) == 1


def test_new_member_cannot_sponsor_yet(ready):
    # Dave moved to Riverside ten days ago: his standing there starts again.
    moved = timezone.now() - timedelta(days=10)
    _admit(ready, _request(ready, now=moved), now=moved)
    _, application = _application(ready)
    url = f"/api/v1/membership/applications/{application.uuid}/sponsor"
    response = ready.api(ready.dave).post(url)
    assert_status(response, API, 409, url)
    assert "at least 6 months" in response.json()["detail"]


def test_sponsor_with_standing_starts_the_candidacy(ready):
    _, application = _application(ready)
    url = f"/api/v1/membership/applications/{application.uuid}/sponsor"
    check(ready, "member", API, "post", url, expected=200)
    body = ready.api(ready.erin).post(url).json()
    assert body["status"] == "candidate"
    assert len(body["sponsors"]) == 2
    response = check(
        ready,
        "officer",
        API,
        "post",
        f"/api/v1/membership/applications/{application.uuid}/call-vote",
        {"method": "named"},
        expected=409,
    )
    assert "candidate period" in response.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "status"),
    # Harbour's member sees that Riverside exists (same federation) but not who applies to it.
    [("anonymous", 401), ("outsider", 403), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_list_a_councils_applications(ready, persona, status, django_assert_max_num_queries):
    _application(ready)
    url = f"/api/v1/membership/applications?council={ready.riverside.uuid}"
    with django_assert_max_num_queries(30):
        check(ready, persona, API, "get", url, expected=status)


def test_wrong_method_is_405(ready):
    _, application = _application(ready)
    check_wrong_method(ready, API, f"/api/v1/membership/applications/{application.uuid}/sponsor", "get")


MEMBER_STATUS = "/api/v1/membership/members/{}/status"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 404), ("observer", 409), ("member", 409), ("officer", 409)],
)
def test_personas_cannot_expel_directly(ready, persona, status):
    frank = Membership.objects.get(user=ready.frank)
    response = check(
        ready, persona, API, "post", MEMBER_STATUS.format(frank.uuid), {"status": "expelled"}, expected=status
    )
    if status == 409:
        assert response.json()["code"] == "due_process_required"
    frank.refresh_from_db()
    assert frank.status == Membership.Status.FULL


def test_member_leaves_through_the_api(ready):
    bob = Membership.objects.get(user=ready.bob)
    body = check(ready, "member", API, "post", MEMBER_STATUS.format(bob.uuid), {"status": "left"}).json()
    assert body["status"] == "left"
    check_invalid(ready, API, "post", MEMBER_STATUS.format(bob.uuid), {"status": "banished"})


def _charges_body(cast, **kw):
    body = {
        "membership": str(Membership.objects.get(user=cast.frank).uuid),
        "charges": "Broke the picket line on 3 March.",
        "penalty": "suspension",
        "suspension_days": 30,
        "hearing_at": (timezone.now() + timedelta(days=20)).isoformat(),
    }
    body.update(kw)
    return body


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201), ("officer", 201)],
)
def test_personas_bring_charges(ready, persona, status):
    response = check(
        ready, persona, API, "post", "/api/v1/membership/cases", _charges_body(ready), expected=status
    )
    if status == 201:
        assert response.json()["status"] == "charged"
        assert payloads("discipline.charged")


def test_charges_with_short_notice_or_bad_fields_are_422(ready):
    check_invalid(
        ready,
        API,
        "post",
        "/api/v1/membership/cases",
        _charges_body(ready, hearing_at=(timezone.now() + timedelta(days=2)).isoformat()),
    )
    check_invalid(ready, API, "post", "/api/v1/membership/cases", _charges_body(ready, charges=""))
    check_invalid(ready, API, "post", "/api/v1/membership/cases", _charges_body(ready, penalty="fine"))


def _case(cast):
    return actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges="Broke the picket line.",
        penalty="expulsion",
        hearing_at=timezone.now() + timedelta(days=20),
        now=timezone.now(),
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 404), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_read_a_case(ready, persona, status):
    case = _case(ready)
    check(ready, persona, API, "get", f"/api/v1/membership/cases/{case.uuid}", expected=status)


def test_accused_answers_and_hearing_cannot_be_early(ready):
    case = _case(ready)
    url = f"/api/v1/membership/cases/{case.uuid}"
    body = {
        "statement": "I was on leave that day.",
        "evidence": [{"title": "Leave slip", "text": "Approved 1 March"}],
    }
    check(ready, "member", API, "post", url + "/defence", body, expected=403)
    response = ready.api(ready.frank).post(url + "/defence", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["defences"][0]["evidence"][0]["title"] == "Leave slip"
    early = check(ready, "officer", API, "post", url + "/hearing", {"notes": ""}, expected=409)
    assert early.json()["code"] == "due_process_required"
    vote = check(ready, "officer", API, "post", url + "/call-vote", {"method": "named"}, expected=409)
    assert "after the hearing" in vote.json()["detail"]
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.CHARGED


def test_accused_sees_their_own_cases_and_applications_list_is_theirs(ready):
    _case(ready)
    body = ready.api(ready.frank).get("/api/v1/membership/cases").json()
    assert body["count"] == 1
    assert Application.objects.count() == 0


def test_cases_list_query_count_does_not_grow(ready, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _case(ready)
    url = f"/api/v1/membership/cases?council={ready.riverside.uuid}"
    client = ready.api(ready.bob)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).json()["count"] == 1
    actions.bring_charges(
        actor=ready.bob,
        membership=Membership.objects.get(user=ready.erin),
        charges="Also broke the picket line.",
        penalty="suspension",
        suspension_days=5,
        hearing_at=timezone.now() + timedelta(days=20),
        now=timezone.now(),
    )
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).json()["count"] == 2
    assert len(two) == len(one)
    check(ready, "outsider", API, "get", url, expected=403)


def _flagged_in_a_standalone_council(cast):
    from tests.membership.support import LATER, standalone_council

    bakery, founders = standalone_council(cast)
    applications = []
    for name in ("wes", "xia"):
        application = actions.apply_for_membership(
            actor=make_user(name, name.title()), council=bakery, now=LATER
        )
        for sponsor in founders[1:3]:
            actions.sponsor_application(actor=sponsor, application=application, now=LATER)
        applications.append(application)
    return bakery, founders, applications[1]


def test_a_flagged_admission_with_no_council_above_is_approved_by_longer_standing_members(ready):
    from tests.membership.support import LATER

    _, (sam, tess, *_), flagged = _flagged_in_a_standalone_council(ready)
    url = f"/api/v1/membership/applications/{flagged.uuid}"
    body = ready.api(sam).get(url).json()
    assert (body["is_flagged"], body["approval_by"]) == (True, "standing_members")
    assert body["approval_members_before"].startswith((LATER - timedelta(days=30)).date().isoformat())
    refused = ready.api(tess).post(url + "/call-parent-vote", {}, content_type="application/json")
    assert refused.status_code == 403 and "council that approves" in refused.json()["detail"]
    called = ready.api(sam).post(
        url + "/call-parent-vote", {"method": "named"}, content_type="application/json"
    )
    assert called.status_code == 201, called.content
    assert called.json()["threshold"] == "simple"
    assert ready.api(sam).get(url).json()["parent_motion"] == called.json()["motion"]
    riverside = ready.api(ready.bob).get("/api/v1/membership/applications").json()
    assert riverside["count"] == 0


def test_a_flagged_admission_below_a_council_names_the_council_above(ready):
    applications = []
    for name in ("gina", "hugo"):
        applicant = make_user(name, name.title())
        applications.append(
            actions.apply_for_membership(actor=applicant, council=ready.riverside, now=timezone.now())
        )
    body = check(
        ready, "member", API, "get", f"/api/v1/membership/applications/{applications[1].uuid}"
    ).json()
    assert (body["approval_by"], body["approval_members_before"]) == ("parent", None)
    body = check(
        ready, "member", API, "get", f"/api/v1/membership/applications/{applications[0].uuid}"
    ).json()
    assert body["approval_by"] is None


TRANSFERS = "/api/v1/membership/transfers"


@pytest.mark.parametrize(
    ("persona", "status"),
    # Dave is already in Harbour Works; Carol observes Riverside but is a member of no council.
    [("anonymous", 401), ("outsider", 409), ("observer", 409), ("member", 201), ("officer", 201)],
)
def test_personas_ask_to_transfer(ready, persona, status):
    response = check(
        ready, persona, API, "post", TRANSFERS, {"council": str(ready.harbour.uuid)}, expected=status
    )
    if status == 201:
        body = response.json()
        assert body["status"] == "awaiting_vote"
        assert body["transfer_from"]["council"]["name"] == "Riverside Depot"
        assert body["sponsors"] == [] and body["candidate_until"] is None


def test_transfer_to_an_unknown_or_a_higher_council(ready):
    check(ready, "member", API, "post", TRANSFERS, {"council": str(uuid.uuid4())}, expected=404)
    response = check(
        ready, "member", API, "post", TRANSFERS, {"council": str(ready.district.uuid)}, expected=422
    )
    assert "base council" in response.json()["detail"]


def test_transfer_with_bad_input_is_422(ready):
    check_invalid(ready, API, "post", TRANSFERS, {"council": "x"}, persona="member")
    check_invalid(
        ready,
        API,
        "post",
        TRANSFERS,
        {"council": str(ready.harbour.uuid), "statement": "x" * 20_001},
        "member",
    )
    check_wrong_method(ready, API, TRANSFERS, "get")


def test_transfer_through_the_api_from_request_to_move(ready):
    made = ready.api(ready.dave).post(
        TRANSFERS,
        {"council": str(ready.riverside.uuid), "statement": "New job."},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    uuid_ = made.json()["uuid"]
    listed = (
        ready.api(ready.alice).get(f"/api/v1/membership/applications?council={ready.riverside.uuid}").json()
    )
    assert [a["transfer_from"]["council"]["name"] for a in listed["items"]] == ["Harbour Works"]
    called = ready.api(ready.alice).post(
        f"/api/v1/membership/applications/{uuid_}/call-vote",
        {"method": "named"},
        content_type="application/json",
    )
    assert called.status_code == 201, called.content
    withdrawn = ready.api(ready.dave).post(f"/api/v1/membership/applications/{uuid_}/withdraw")
    assert withdrawn.status_code == 409
    assert withdrawn.json()["detail"] == "Only an application not yet put to the vote can be withdrawn."


def test_the_admission_vote_needs_a_closing_time_with_its_zone_within_the_constitutions_limits(ready):
    transfer = actions.request_transfer(actor=ready.dave, council=ready.riverside, now=timezone.now())
    url = f"/api/v1/membership/applications/{transfer.uuid}/call-vote"
    naive = (timezone.now() + timedelta(days=4)).replace(tzinfo=None).isoformat()
    refused = check(ready, "officer", API, "post", url, {"closes_at": naive}, expected=422).json()
    assert refused["code"] == "validation_error" and refused["errors"][0]["loc"][-1] == "closes_at"
    soon = (timezone.now() + timedelta(minutes=30)).isoformat()
    refused = check(ready, "officer", API, "post", url, {"closes_at": soon}, expected=422).json()
    assert refused["code"] == "closing_time"
    assert refused["detail"].startswith("The admission vote must stay open at least 3 days: close it at")
    transfer.refresh_from_db()
    assert transfer.status == Application.Status.AWAITING_VOTE
    before = timezone.now()
    vote = check(ready, "officer", API, "post", url, {"method": "named"}, expected=201).json()
    closes_at = datetime.fromisoformat(vote["closes_at"])
    assert before + timedelta(days=3) <= closes_at <= timezone.now() + timedelta(days=3)
    assert payloads("membership.admission_vote_called")[0]["min_days"] == 3
