"""Motions whose text the rules write cannot be amended: not by action, API, web form or CLI."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse

from councils.core.errors import ConflictError
from councils.mandates import actions as mandate_actions
from councils.motions import actions
from councils.motions.models import Motion
from tests.membership.support import propose_constitution_change
from tests.motions.conftest import NOW
from tests.motions.test_cli import cli  # noqa: F401  (the fixture)

REFUSED = "the rules word it, so it cannot be amended"


def rules_motion(cast, kind: str) -> Motion:
    """A motion of `kind` the rules put in Riverside, awaiting a vote (as one is again after no quorum)."""
    return actions.table_motion(
        actor=None,
        council=cast.riverside,
        title=f"A {kind} motion",
        text="Worded by the rules.",
        kind=kind,
        subject_uuid=uuid.uuid4(),
        now=NOW,
    )


@pytest.mark.parametrize("kind", ["recall", "discipline", "admission", "formation", "agenda"])
def test_a_motion_of_a_kind_the_rules_word_cannot_be_amended(cast, kind):
    motion = rules_motion(cast, kind)
    assert motion.state == "seconded" and not motion.is_amendable
    with pytest.raises(ConflictError, match=REFUSED):
        actions.propose_amendment(actor=cast.frank, motion=motion, text="Other words.", now=NOW)
    assert not Motion.objects.filter(amends=motion).exists()


def test_a_proposal_to_amend_the_constitution_cannot_be_amended(cast):
    proposal = propose_constitution_change(cast)
    motion = Motion.objects.get(uuid=proposal.motion_uuid)
    assert motion.state == "draft"
    with pytest.raises(ConflictError, match="Propose another amendment to the constitution instead"):
        actions.propose_amendment(actor=cast.frank, motion=motion, text="Five sponsors.", now=NOW)


def test_a_mandate_proposal_cannot_be_amended(cast):
    target = actions.table_motion(
        actor=None, council=cast.district, title="Strike fund", text="Set up a strike fund.", now=NOW
    )
    proposal = mandate_actions.propose_mandate(
        actor=cast.erin, council=cast.riverside, target_motion=target, choice="no", now=NOW
    )
    motion = Motion.objects.get(uuid=proposal.motion_uuid)
    assert motion.kind == "ordinary" and not motion.is_amendable
    # Amended to say "yes", the vote would mandate what the proposal it adopts does not.
    with pytest.raises(ConflictError, match="make another proposal"):
        actions.propose_amendment(
            actor=cast.frank, motion=motion, text=motion.text.replace("vote NO", "vote YES"), now=NOW
        )


def test_the_api_refuses_with_a_409_problem(cast):
    motion = rules_motion(cast, "recall")
    response = cast.api(cast.frank).post(
        f"/api/v1/motions/{motion.uuid}/amendments",
        json.dumps({"text": "Other words."}),
        content_type="application/json",
    )
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    assert REFUSED in response.json()["detail"]


def test_the_page_offers_no_amendment_and_the_form_is_refused(cast):
    motion = rules_motion(cast, "admission")
    client = cast.client(cast.frank)
    page = client.get(reverse("web:motion", args=[motion.uuid])).content.decode()
    assert "Propose amendment" not in page and "amendments-heading" not in page
    refused = client.post(reverse("web:motion_amend", args=[motion.uuid]), {"text": "Other words."})
    assert refused.status_code == 409 and REFUSED in refused.content.decode()
    ordinary = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Lockers", text="Buy.", now=NOW
    )
    assert "Propose amendment" in client.get(reverse("web:motion", args=[ordinary.uuid])).content.decode()


def test_the_cli_refuses_with_the_reason(cli, cast, capsys):  # noqa: F811
    motion = rules_motion(cast, "discipline")
    assert cli(cast.frank, "motions", "amend", str(motion.uuid), "--text", "Other words.") == 2
    assert REFUSED in capsys.readouterr().err
