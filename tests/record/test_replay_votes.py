"""The verifier holds a motion vote to its closing time: no ballot after it, no officer's early close."""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.cli.main import main
from councils.motions import actions
from councils.motions.models import Vote
from tests.motions.conftest import NOW
from tests.record.support import documents, find, signed_bundle, verify_forged, verify_genuine

CLOSES = NOW + timedelta(hours=1)


def voted(cast, *, method: str) -> Vote:
    """Riverside's vote on a motion, closing at 10:00: three of its four members vote, the rules close it."""
    tabled = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two safety reps.", now=NOW
    )
    motion = actions.second_motion(actor=cast.erin, motion=tabled, now=NOW)
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method=method, closes_at=CLOSES)
    for voter in (cast.alice, cast.bob, cast.erin):
        actions.cast_vote(actor=voter, vote=vote, choice="yes", now=NOW + timedelta(minutes=10))
    actions.close_vote(actor=None, vote=vote, now=CLOSES)
    return vote


@pytest.mark.parametrize("method", ["named", "secret"])
def test_a_vote_held_to_its_closing_time_replays_cleanly(cast, method):
    voted(cast, method=method)
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
    opened = documents()[find(documents(), "vote.opened")]["payload"]
    assert opened["closes_at"] == "2026-03-01T10:00:00+00:00" and opened["electorate"] == 4


@pytest.mark.parametrize(("method", "event"), [("named", "vote.cast"), ("secret", "ballot.cast")])
def test_a_ballot_after_the_closing_time_is_caught(cast, method, event):
    vote = voted(cast, method=method)
    docs = documents()
    docs[find(docs, event, 2)]["at"] = "2026-03-01T10:00:00.000000Z"
    [late] = verify_forged(docs).problems
    assert late.endswith(
        f"a ballot was recorded in vote {vote.uuid} after its closing time (2026-03-01 10:00 UTC)."
    )


def test_an_officers_early_close_is_caught_through_the_cli(cast, tmp_path, capsys):
    vote = voted(cast, method="named")
    docs = documents()
    closed = docs[find(docs, "vote.closed")]
    # The chair closing the vote at 09:30, before Frank had voted.
    closed["actor"], closed["at"] = str(cast.alice.uuid), "2026-03-01T09:30:00.000000Z"
    early = (
        f"vote {vote.uuid} was closed by {cast.alice.uuid} before its closing time (2026-03-01 10:00 UTC) "
        "with 3 of 4 members entitled having voted; it had to stay open until then unless all had voted"
    )
    [problem] = verify_forged(docs).problems
    assert problem.endswith(early + ".")
    path = signed_bundle(tmp_path, docs)
    assert main(["verify", "--bundle", str(path), "--forget"]) == 1
    assert early in capsys.readouterr().out


def test_an_early_close_recorded_as_the_rules_is_caught(cast):
    """The rules close a vote at its closing time: a close at 09:30 naming no officer is forged or rushed."""
    vote = voted(cast, method="secret")
    docs = documents()
    docs[find(docs, "vote.closed")]["at"] = "2026-03-01T09:30:00.000000Z"
    [problem] = verify_forged(docs).problems
    assert problem.endswith(
        f"vote {vote.uuid} was closed before its closing time (2026-03-01 10:00 UTC) with 3 of 4 members "
        "entitled having voted; it had to stay open until then unless all had voted."
    )
