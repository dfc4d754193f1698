from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connections, transaction

from councils.federation.models import Council
from councils.live.asgi import live_router
from councils.motions import actions, queries
from councils.motions.models import NamedBallot
from tests.motions.conftest import NOW


async def _django(scope, receive, send):
    raise AssertionError("the live stream must not reach Django")


async def _follow(path, cookie, action):
    """Open the stream, run `action`, and return (status, first event body)."""
    messages: asyncio.Queue = asyncio.Queue()
    gone = asyncio.Event()

    async def receive():
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        await messages.put(message)

    try:
        return await _stream_once(path, cookie, action, messages, gone, receive, send)
    finally:
        # The guard's database connection lives in asgiref's worker thread; let the test database go.
        await sync_to_async(connections.close_all)()


async def _stream_once(path, cookie, action, messages, gone, receive, send):
    headers = [(b"cookie", f"sessionid={cookie}".encode())] if cookie else []
    task = asyncio.create_task(
        live_router(_django)({"type": "http", "path": path, "headers": headers}, receive, send)
    )
    start = await asyncio.wait_for(messages.get(), 10)
    if start["status"] != 200:
        await asyncio.wait_for(task, 10)
        return start["status"], None
    await asyncio.wait_for(messages.get(), 10)  # ": connected"
    await action()
    event = await asyncio.wait_for(messages.get(), 10)
    gone.set()
    await asyncio.wait_for(task, 10)
    return 200, event["body"].decode()


def _session(cast, user):
    return cast.client(user).cookies["sessionid"].value


@pytest.mark.django_db(transaction=True)
def test_named_vote_streams_counts_without_names(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")

    async def cast_yes():
        await sync_to_async(actions.cast_vote)(actor=cast.bob, vote=vote, choice="yes", now=NOW)

    status, body = asyncio.run(_follow(f"/live/vote-{vote.uuid}", _session(cast, cast.erin), cast_yes))
    assert status == 200 and body.startswith("event: tally\n")
    data = json.loads(body.split("data: ", 1)[1])
    assert data == {"type": "tally", "yes": 1, "no": 0, "abstain": 0, "turnout": 1, "electorate": 4}
    assert "Bob" not in body and str(cast.bob.uuid) not in body


@pytest.mark.django_db(transaction=True)
def test_secret_vote_streams_turnout_only(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")

    async def cast_no():
        await sync_to_async(actions.cast_vote)(actor=cast.bob, vote=vote, choice="no", now=NOW)

    status, body = asyncio.run(_follow(f"/live/vote-{vote.uuid}", _session(cast, cast.carol), cast_no))
    assert status == 200
    data = json.loads(body.split("data: ", 1)[1])
    assert data == {"type": "turnout", "turnout": 1, "electorate": 4}


@pytest.mark.django_db(transaction=True)
def test_hidden_council_vote_stream_is_404(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    Council.objects.filter(pk=cast.riverside.pk).update(visibility=Council.Visibility.COUNCIL)

    async def nothing():
        return None

    assert asyncio.run(_follow(f"/live/vote-{vote.uuid}", None, nothing))[0] == 404
    assert asyncio.run(_follow(f"/live/vote-{vote.uuid}", _session(cast, cast.dave), nothing))[0] == 404
    assert asyncio.run(_follow("/live/vote-not-a-uuid", None, nothing))[0] == 404
    status, _ = asyncio.run(
        _follow(f"/live/vote-{vote.uuid}", _session(cast, cast.carol), nothing_then_cast(cast, vote))
    )
    assert status == 200


def nothing_then_cast(cast, vote):
    async def run():
        await sync_to_async(actions.cast_vote)(actor=cast.frank, vote=vote, choice="no", now=NOW)

    return run


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
def test_a_broker_that_is_down_does_not_turn_a_committed_action_into_an_error(
    cast, motion, monkeypatch, caplog
):
    """Events leave after the commit: if the broker refuses them, the action has still happened."""

    class Down:
        def publish(self, channel, event):
            raise ConnectionError("the broker is down")

    monkeypatch.setattr("councils.live.publish.broker", lambda: Down())
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    receipt = actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    assert receipt.choice == "yes" and NamedBallot.objects.filter(vote=vote, voter=cast.bob).exists()
    assert "the broker is down" in caplog.text
