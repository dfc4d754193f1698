"""A base council's minutes name its members only to its own participants.

Who attended is the council's member list, and a named vote's roll call is how
each member voted: someone from another council, or anyone where the council
is public, reads the numbers only, in the page, the PDF and the API alike.
"""

from __future__ import annotations

import json

import pytest

from councils.federation.models import Council
from councils.meetings import actions
from councils.meetings.pdf import minutes_pdf as real_pdf
from tests.meetings.test_actions import CALLED, NOW
from tests.meetings.test_minutes_namesakes import hold

PRIVATE = ("Erin Walsh", "Frank Costa")


@pytest.fixture
def held(cast):
    """A closed Riverside meeting that Erin and Frank attended, with a named vote Erin and Frank cast."""
    meeting = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW,
        place="Canteen",
        now=CALLED,
    )
    return hold(
        cast,
        meeting,
        present=[cast.erin, cast.frank],
        voters=[(cast.erin, "yes"), (cast.frank, "no")],
    )


def _documents(cast, user, meeting) -> dict[str, str]:
    page = cast.client(user).get(f"/meetings/{meeting.uuid}/minutes/")
    api = cast.api(user).get(f"/api/v1/meetings/{meeting.uuid}/minutes")
    assert page.status_code == api.status_code == 200
    return {"page": page.content.decode(), "api": api.content.decode()}


def test_members_read_who_attended_and_the_roll_call(cast, held):
    for where, text in _documents(cast, cast.bob, held).items():
        assert all(name in text for name in PRIVATE), where
        assert "Erin Walsh: yes" in text and "Frank Costa: no" in text, where


@pytest.mark.parametrize(
    "persona",
    [
        "outsider",
        pytest.param("anonymous", marks=pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)),
    ],
)
def test_others_read_the_numbers_without_names(cast, held, persona):
    user = cast.dave if persona == "outsider" else None
    for where, text in _documents(cast, user, held).items():
        assert not any(name in text for name in PRIVATE), where
        assert str(cast.erin.uuid) not in text, where
        assert "Yes 1, no 1" in text, where
    assert _documents(cast, user, held)["api"].count('"name": null') == 2


def test_an_outsider_s_pdf_names_nobody(cast, held, monkeypatch):
    laid_out = []

    def minutes_pdf(document, **kwargs):
        laid_out.append(json.dumps(document))
        return real_pdf(document, **kwargs)

    for module in ("councils.web.views.meetings", "councils.api.routers.meetings"):
        monkeypatch.setattr(f"{module}.minutes_pdf", minutes_pdf)
    member = cast.client(cast.bob).get(f"/meetings/{held.uuid}/minutes.pdf")
    outsider = cast.client(cast.dave).get(f"/meetings/{held.uuid}/minutes.pdf")
    api = cast.api(cast.dave).get(f"/api/v1/meetings/{held.uuid}/minutes.pdf")
    assert member.status_code == outsider.status_code == api.status_code == 200
    assert "Erin Walsh" in laid_out[0]
    assert not any(name in document for document in laid_out[1:] for name in PRIVATE)
