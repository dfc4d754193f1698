"""A list's filters narrow it to what they name; a value no filter knows is refused, not matched."""

from __future__ import annotations

from typing import get_args

from councils.api.routers.motions import MotionStateName
from councils.motions import actions
from councils.motions.models import Motion
from tests.motions.conftest import NOW


def test_motions_are_filtered_by_state_and_an_unknown_state_is_named(cast):
    tabled = actions.table_motion(actor=cast.bob, council=cast.riverside, title="Lockers", text="X", now=NOW)
    actions.second_motion(actor=cast.erin, motion=tabled, now=NOW)
    actions.table_motion(actor=cast.bob, council=cast.riverside, title="Canteen", text="Y", now=NOW)
    client = cast.api(cast.carol)
    url = f"/api/v1/motions?council={cast.riverside.uuid}"

    body = client.get(f"{url}&state=seconded").json()
    assert (body["count"], [m["title"] for m in body["items"]]) == (1, ["Lockers"])
    assert client.get(f"{url}&state=adopted").json() == {"items": [], "count": 0}

    for unknown in ["open", "DRAFT", "bogus"]:
        response = client.get(f"{url}&state={unknown}")
        assert response.status_code == 422, response.content
        assert response["Content-Type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["detail"].startswith("query.state: Input should be 'draft', 'seconded', 'voting'")
        assert [error["loc"] for error in problem["errors"]] == [["query", "state"]]


def test_the_published_motion_states_are_the_states_a_motion_can_be_in():
    assert list(get_args(MotionStateName)) == Motion.State.values
