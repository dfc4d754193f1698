"""The persona matrix for motion and vote endpoints and pages, in a council hidden from outsiders."""

from __future__ import annotations

import pytest

from councils.federation.models import Council
from councils.motions import actions
from tests.motions.conftest import NOW
from tests.personas import API, LOGIN, WEB, check, check_invalid, check_wrong_method

PERSONAS = ("anonymous", "outsider", "observer", "member", "officer")


@pytest.fixture
def hidden(cast):
    Council.objects.filter(pk=cast.riverside.pk).update(visibility=Council.Visibility.COUNCIL)
    cast.riverside.refresh_from_db()
    return cast


@pytest.fixture
def erins_motion(hidden):
    return actions.table_motion(actor=hidden.erin, council=hidden.riverside, title="T", text="Text", now=NOW)


@pytest.fixture
def open_vote(hidden, erins_motion):
    actions.second_motion(actor=hidden.frank, motion=erins_motion, now=NOW)
    return actions.open_vote(actor=hidden.alice, motion=erins_motion, now=NOW, method="named")


@pytest.fixture
def adopted(hidden, open_vote):
    actions.cast_vote(actor=hidden.erin, vote=open_vote, choice="yes", now=NOW)
    actions.close_vote(actor=hidden.alice, vote=open_vote, now=NOW)
    return open_vote.motion


def _matrix(*statuses):
    return list(zip(PERSONAS, statuses, strict=True))


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 201, 201))
def test_personas_table_motion_api(hidden, persona, status):
    body = {"council": str(hidden.riverside.uuid), "title": "T", "text": "X"}
    check(hidden, persona, API, "post", "/api/v1/motions", body, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(404, 404, 200, 200, 200))
def test_personas_read_motion_api(hidden, erins_motion, persona, status):
    check(hidden, persona, API, "get", f"/api/v1/motions/{erins_motion.uuid}", None, status)
    check(hidden, persona, API, "get", f"/api/v1/motions?council={hidden.riverside.uuid}", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 200, 200))
def test_personas_second_api(hidden, erins_motion, persona, status):
    check(hidden, persona, API, "post", f"/api/v1/motions/{erins_motion.uuid}/second", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 403, 201))
def test_personas_open_vote_api(hidden, erins_motion, persona, status):
    actions.second_motion(actor=hidden.frank, motion=erins_motion, now=NOW)
    check(hidden, persona, API, "post", f"/api/v1/motions/{erins_motion.uuid}/votes", {}, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 200, 200))
def test_personas_cast_api(hidden, open_vote, persona, status):
    check(
        hidden, persona, API, "post", f"/api/v1/motions/votes/{open_vote.uuid}/cast", {"choice": "no"}, status
    )


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 403, 200))
def test_personas_close_api(hidden, open_vote, persona, status):
    check(hidden, persona, API, "post", f"/api/v1/motions/votes/{open_vote.uuid}/close", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(401, 404, 403, 403, 200))
def test_personas_forward_api(hidden, adopted, persona, status):
    check(hidden, persona, API, "post", f"/api/v1/motions/{adopted.uuid}/forward", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(LOGIN, 404, 403, 200, 200))
def test_personas_table_motion_page(hidden, persona, status):
    check(hidden, persona, WEB, "get", f"/motions/council/{hidden.riverside.uuid}/new/", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(404, 404, 200, 200, 200))
def test_personas_motion_page(hidden, erins_motion, persona, status):
    check(hidden, persona, WEB, "get", f"/motions/{erins_motion.uuid}/", None, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(LOGIN, 404, 403, 302, 302))
def test_personas_cast_page(hidden, open_vote, persona, status):
    check(hidden, persona, WEB, "post", f"/motions/votes/{open_vote.uuid}/cast/", {"choice": "yes"}, status)


@pytest.mark.parametrize(("persona", "status"), _matrix(LOGIN, 404, 403, 403, 302))
def test_personas_close_page(hidden, open_vote, persona, status):
    check(hidden, persona, WEB, "post", f"/motions/votes/{open_vote.uuid}/close/", None, status)


def test_wrong_methods_are_405(hidden, open_vote):
    check_wrong_method(hidden, API, f"/api/v1/motions/votes/{open_vote.uuid}/cast", "get")
    check_wrong_method(hidden, API, f"/api/v1/motions/{open_vote.motion.uuid}/forward", "get")
    check_wrong_method(hidden, WEB, f"/motions/votes/{open_vote.uuid}/close/", "get")
    check_wrong_method(hidden, WEB, f"/motions/{open_vote.motion.uuid}/", "post")


def test_invalid_input_is_422(hidden, open_vote):
    check_invalid(hidden, API, "post", f"/api/v1/motions/votes/{open_vote.uuid}/cast", {"choice": "maybe"})
    check_invalid(
        hidden, API, "post", "/api/v1/motions", {"council": str(hidden.riverside.uuid), "title": ""}
    )
    check_invalid(hidden, WEB, "post", f"/motions/council/{hidden.riverside.uuid}/new/", {"title": ""})
