from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from councils.federation.models import Council
from councils.motions import actions, queries
from councils.motions.models import NamedBallot
from tests.live.support import follow, session
from tests.motions.conftest import NOW


@pytest.mark.django_db(transaction=True)
def test_named_vote_streams_counts_without_names(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")

    async def cast_yes():
        await sync_to_async(actions.cast_vote)(actor=cast.bob, vote=vote, choice="yes", now=NOW)

    status, body = follow(f"/live/vote-{vote.uuid}", session(cast, cast.erin), cast_yes)
    assert status == 200 and body.startswith("event: tally\n")
    data = json.loads(body.split("data: ", 1)[1])
    assert data == {"type": "tally", "yes": 1, "no": 0, "abstain": 0, "turnout": 1, "electorate": 4}
    assert "Bob" not in body and str(cast.bob.uuid) not in body


@pytest.mark.django_db(transaction=True)
def test_secret_vote_streams_turnout_only(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")

    async def cast_no():
        await sync_to_async(actions.cast_vote)(actor=cast.bob, vote=vote, choice="no", now=NOW)

    status, body = follow(f"/live/vote-{vote.uuid}", session(cast, cast.carol), cast_no)
    assert status == 200
    data = json.loads(body.split("data: ", 1)[1])
    assert data == {"type": "turnout", "turnout": 1, "electorate": 4}


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
@pytest.mark.django_db(transaction=True)
def test_hidden_council_vote_stream_is_404(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")

    assert follow(f"/live/vote-{vote.uuid}", None)[0] == 404
    assert follow(f"/live/vote-{vote.uuid}", session(cast, cast.dave))[0] == 404
    assert follow("/live/vote-not-a-uuid", None)[0] == 404
    assert follow(f"/live/vote-{vote.uuid}", session(cast, cast.carol))[0] == 200


@pytest.mark.django_db(transaction=True)
def test_tally_is_neither_read_nor_published_when_the_cast_rolls_back(
    cast, motion, monkeypatch, local_broker
):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    counted, published = [], []
    real_counts = queries.live_counts
    monkeypatch.setattr(queries, "live_counts", lambda **kw: counted.append(kw) or real_counts(**kw))
    unsubscribe = local_broker.subscribe(actions.vote_channel(vote), lambda _, event: published.append(event))
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
            raise RuntimeError("the surrounding work fails")
        assert counted == [] and published == []
        assert not NamedBallot.objects.filter(vote=vote).exists()
        actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    finally:
        unsubscribe()
    assert len(counted) == 1
    assert published == [{"type": "tally", "yes": 1, "no": 0, "abstain": 0, "turnout": 1, "electorate": 4}]


@pytest.mark.django_db(transaction=True)
def test_a_tally_nobody_follows_is_not_counted(cast, motion, monkeypatch, local_broker):
    """Without a stream on the vote in this process, a cast does not count the whole vote again."""
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    counted = []
    real_counts = queries.live_counts
    monkeypatch.setattr(queries, "live_counts", lambda **kw: counted.append(kw) or real_counts(**kw))
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    assert counted == []
    unsubscribe = local_broker.subscribe(actions.vote_channel(vote), lambda _, event: None)
    try:
        actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=NOW)  # a change is published too
    finally:
        unsubscribe()
    assert len(counted) == 1


def test_the_in_process_broker_tells_whether_anyone_follows():
    from councils.live.broker import InProcessBroker

    local = InProcessBroker()
    assert not local.may_have_listeners("vote-x")
    unsubscribe = local.subscribe("vote-x", lambda _, event: None)
    assert local.may_have_listeners("vote-x") and not local.may_have_listeners("vote-y")
    unsubscribe()
    assert not local.may_have_listeners("vote-x")


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_does_not_turn_a_committed_action_into_an_error(
    cast, motion, monkeypatch, caplog
):
    """Events leave after the commit: if the broker refuses them, the action has still happened."""

    class Down:
        def may_have_listeners(self, channel):
            return True

        def publish(self, channel, event):
            raise ConnectionError("the broker is down")

    monkeypatch.setattr("councils.live.publish.broker", lambda: Down())
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    receipt = actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    assert receipt.choice == "yes" and NamedBallot.objects.filter(vote=vote, voter=cast.bob).exists()
    assert "the broker is down" in caplog.text
