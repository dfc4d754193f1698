"""What viewers of a channel read alike is read once per event on it, and never served from before one."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from councils.live.publish import publish_on_commit
from councils.live.state import shared

pytestmark = pytest.mark.django_db


class Reads:
    """A read that says how often it ran and gives what the rows hold now."""

    def __init__(self) -> None:
        self.rows = "before"
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return self.rows


def test_every_viewer_is_given_one_read_until_an_event_on_the_channel():
    read = Reads()
    assert [shared("meeting-a", "floor", read) for _ in range(3)] == ["before"] * 3
    assert read.count == 1
    # Another channel, or another name on the same one, is read on its own.
    assert shared("meeting-b", "floor", read) == "before" and read.count == 2
    read.rows = "after"
    publish_on_commit("meeting-a", {"type": "speakers.changed"})
    assert shared("meeting-a", "floor", read) == "after" and read.count == 3
    assert shared("meeting-b", "floor", read) == "before"


def test_nothing_is_kept_as_well_as_something():
    reads = []
    assert shared("meeting-a", "floor", lambda: reads.append(1)) is None
    assert shared("meeting-a", "floor", lambda: reads.append(1)) is None
    assert reads == [1]


def test_what_was_read_before_the_commit_is_dropped_when_it_commits(django_capture_on_commit_callbacks):
    read = Reads()
    shared("meeting-a", "floor", read)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish_on_commit("meeting-a", {"type": "speakers.changed"})
        # Another process reads the rows as they were before the action commits.
        assert shared("meeting-a", "floor", read) == "before"
        read.rows = "after"
    assert shared("meeting-a", "floor", read) == "after"


def test_without_the_cache_the_rows_are_read_each_time_and_actions_still_publish(monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    for method in ("get", "set", "delete", "get_or_set"):
        monkeypatch.setattr(cache, method, down)
    read = Reads()
    assert [shared("meeting-a", "floor", read) for _ in range(2)] == ["before"] * 2
    assert read.count == 2
    publish_on_commit("meeting-a", {"type": "speakers.changed"})
    assert "could not retire the state kept for live channel meeting-a" in caplog.text
