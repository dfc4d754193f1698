from __future__ import annotations

import pytest

from councils.core.errors import ConflictError, PermissionDeniedError
from councils.motions import actions
from councils.motions.models import Motion

from .conftest import LATER, NOW


def test_member_tables_motion_and_it_awaits_seconders(cast):
    motion = actions.table_motion(actor=cast.bob, council=cast.riverside, title="T", text="Text", now=NOW)
    assert motion.state == Motion.State.DRAFT


def test_seconded_motion_is_put_to_named_vote_and_adopted(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    for user, choice in [(cast.alice, "yes"), (cast.bob, "yes"), (cast.erin, "no"), (cast.frank, "abstain")]:
        actions.cast_vote(actor=user, vote=vote, choice=choice, now=NOW)
    result = actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    assert (result.yes, result.no, result.abstain, result.outcome) == (2, 1, 1, "adopted")
    motion.refresh_from_db()
    assert motion.state == Motion.State.ADOPTED


def test_observer_cannot_vote(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    with pytest.raises(PermissionDeniedError):
        actions.cast_vote(actor=cast.carol, vote=vote, choice="yes", now=NOW)


def test_secret_ballot_cannot_be_changed(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    receipt = actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    assert receipt.receipt and receipt.choice is None
    with pytest.raises(ConflictError):
        actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=NOW)
    result = actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    assert result.yes == 1
