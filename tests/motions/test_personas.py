"""The persona matrix for motion and vote endpoints and pages, in a council hidden from outsiders."""

from __future__ import annotations

import pytest

from councils.federation.models import Council
from councils.motions import actions
from tests.motions.conftest import NOW
from tests.personas import API, LOGIN, WEB, check, check_invalid, check_wrong_method

PERSONAS = ("anonymous", "outsider", "observer", "member", "officer")


pytestmark = pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)


@pytest.fixture
def erins_motion(cast):
    return actions.table_motion(actor=cast.erin, council=cast.riverside, title="T", text="Text", now=NOW)


@pytest.fixture
def open_vote(cast, erins_motion):
    actions.second_motion(actor=cast.frank, motion=erins_motion, now=NOW)
    return actions.open_vote(actor=cast.alice, motion=erins_motion, now=NOW, method="named")


@pytest.fixture
def adopted(cast, open_vote):
    actions.cast_vote(actor=cast.erin, vote=open_vote, choice="yes", now=NOW)
    actions.close_vote(actor=cast.alice, vote=open_vote, now=NOW)
    return open_vote.motion


def _matrix(*statuses):
    return list(zip(PERSONAS, statuses, strict=True))


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 201, 201))
def test_personas_table_motion_api(cast, persona, status):
    body = {"council": str(cast.riverside.uuid), "title": "T", "text": "X"}
    check(cast, persona, API, "post", "/api/v1/motions", body, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(404, 404, 200, 200, 200))
def test_personas_read_motion_api(cast, erins_motion, persona, status):
    check(cast, persona, API, "get", f"/api/v1/motions/{erins_motion.uuid}", None, status)
    check(cast, persona, API, "get", f"/api/v1/motions?council={cast.riverside.uuid}", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 200, 200))
def test_personas_second_api(cast, erins_motion, persona, status):
    check(cast, persona, API, "post", f"/api/v1/motions/{erins_motion.uuid}/second", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 403, 201))
def test_personas_open_vote_api(cast, erins_motion, persona, status):
    actions.second_motion(actor=cast.frank, motion=erins_motion, now=NOW)
    check(cast, persona, API, "post", f"/api/v1/motions/{erins_motion.uuid}/votes", {}, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 200, 200))
def test_personas_cast_api(cast, open_vote, persona, status):
    check(
        cast, persona, API, "post", f"/api/v1/motions/votes/{open_vote.uuid}/cast", {"choice": "no"}, status
    )


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 403, 200))
def test_personas_close_api(cast, open_vote, persona, status):
    check(cast, persona, API, "post", f"/api/v1/motions/votes/{open_vote.uuid}/close", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 403, 200))
def test_personas_forward_api(cast, adopted, persona, status):
    check(cast, persona, API, "post", f"/api/v1/motions/{adopted.uuid}/forward", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(LOGIN, 404, 403, 200, 200))
def test_personas_table_motion_page(cast, persona, status):
    check(cast, persona, WEB, "get", f"/motions/council/{cast.riverside.uuid}/new/", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(404, 404, 200, 200, 200))
def test_personas_motion_page(cast, erins_motion, persona, status):
    check(cast, persona, WEB, "get", f"/motions/{erins_motion.uuid}/", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(LOGIN, 404, 403, 302, 302))
def test_personas_cast_page(cast, open_vote, persona, status):
    check(cast, persona, WEB, "post", f"/motions/votes/{open_vote.uuid}/cast/", {"choice": "yes"}, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(LOGIN, 404, 403, 403, 302))
def test_personas_close_page(cast, open_vote, persona, status):
    check(cast, persona, WEB, "post", f"/motions/votes/{open_vote.uuid}/close/", None, status)


def test_wrong_methods_are_405(cast, open_vote):
    check_wrong_method(cast, API, f"/api/v1/motions/votes/{open_vote.uuid}/cast", "get")
    check_wrong_method(cast, API, f"/api/v1/motions/{open_vote.motion.uuid}/forward", "get")
    check_wrong_method(cast, WEB, f"/motions/votes/{open_vote.uuid}/close/", "get")
    check_wrong_method(cast, WEB, f"/motions/{open_vote.motion.uuid}/", "post")


def test_invalid_input_is_422(cast, open_vote):
    check_invalid(cast, API, "post", f"/api/v1/motions/votes/{open_vote.uuid}/cast", {"choice": "maybe"})
    check_invalid(cast, API, "post", "/api/v1/motions", {"council": str(cast.riverside.uuid), "title": ""})
    check_invalid(cast, WEB, "post", f"/motions/council/{cast.riverside.uuid}/new/", {"title": ""})
