"""A burst of events reaches a slow client as the latest event of each type, none of them lost."""

from __future__ import annotations

import pytest

from councils.live.publish import broker
from tests.live.support import follow, session
from tests.live.test_guards import meeting_channel

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_burst_keeps_the_latest_event_of_each_type(cast):
    channel = meeting_channel(cast)

    async def burst():
        for event in (
            {"type": "speakers.changed", "item": "first"},
            {"type": "attendance.changed"},
            {"type": "speakers.changed", "item": "second"},
        ):
            broker().publish(channel, event)

    status, body = follow(f"/live/{channel}", session(cast, cast.bob), burst)
    assert status == 200
    # The page refreshes its attendance and its speakers' list: a speakers' event must not hide the other.
    assert body == (
        'event: attendance.changed\ndata: {"type": "attendance.changed"}\n\n'
        'event: speakers.changed\ndata: {"type": "speakers.changed", "item": "second"}\n\n'
    )
