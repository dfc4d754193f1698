"""A poll's closing time: how soon and how late it may be, ballots after it, closes before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from councils.core.errors import ConflictError, InvalidInputError
from councils.core.rules import polls
from councils.core.rules.constitution import Constitution

OPENS = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(days=2)
# An election's limits under the shipped defaults.
LIMITS = {"minimum": Constitution().election_poll_min, "maximum": Constitution().election_poll_max}


@pytest.mark.parametrize("length", [timedelta(minutes=15), timedelta(days=2), timedelta(days=31)])
def test_closing_time_within_the_limits_is_accepted(length):
    polls.check_closing_time(opens_at=OPENS, closes_at=OPENS + length, **LIMITS)


@pytest.mark.parametrize(
    ("length", "message"),
    [
        (timedelta(0), "must stay open at least 15 minutes: close it at 2026-03-01 09:15 UTC or later"),
        (-timedelta(hours=1), "must stay open at least 15 minutes"),
        (timedelta(minutes=14, seconds=59), "must stay open at least 15 minutes"),
        (timedelta(days=31, seconds=1), "may stay open at most 31 days: close it by 2026-04-01 09:00 UTC"),
    ],
)
def test_closing_time_too_soon_or_too_late_is_refused(length, message):
    with pytest.raises(InvalidInputError, match=message) as refused:
        polls.check_closing_time(opens_at=OPENS, closes_at=OPENS + length, **LIMITS)
    assert refused.value.code == "closing_time"


def test_other_limits_are_named_in_the_message():
    with pytest.raises(InvalidInputError, match="at least 1 day: close it at 2026-03-02 09:00 UTC"):
        polls.check_closing_time(
            opens_at=OPENS, closes_at=OPENS, minimum=timedelta(days=1), maximum=timedelta(days=2)
        )
    with pytest.raises(InvalidInputError, match="at most 1 minute:"):
        polls.check_closing_time(
            opens_at=OPENS, closes_at=CLOSES, minimum=timedelta(0), maximum=timedelta(minutes=1)
        )


def test_a_ballot_at_or_after_the_closing_time_is_refused():
    polls.check_in_time(closes_at=CLOSES, now=CLOSES - timedelta(microseconds=1))
    polls.check_in_time(closes_at=None, now=CLOSES + timedelta(days=400))
    for late in (CLOSES, CLOSES + timedelta(seconds=1)):
        with pytest.raises(ConflictError, match="Voting time is over") as refused:
            polls.check_in_time(closes_at=CLOSES, now=late)
        assert refused.value.code == "voting_time_over"


@pytest.mark.parametrize(
    ("closes_at", "at", "turnout", "refused"),
    [
        (CLOSES, CLOSES - timedelta(hours=1), 2, True),  # early, someone yet to vote
        (CLOSES, CLOSES - timedelta(hours=1), 3, False),  # everyone has voted
        (CLOSES, CLOSES, 0, False),  # at the closing time
        (None, OPENS, 0, False),  # no closing time: closed by hand
    ],
)
def test_an_early_close_is_refused_until_everyone_has_voted(closes_at, at, turnout, refused):
    assert polls.closes_too_early(closes_at=closes_at, at=at, turnout=turnout, electorate=3) is refused


def test_the_refusal_names_the_poll():
    with pytest.raises(ConflictError, match="This poll stays open until its closing time") as refused:
        polls.check_close(closes_at=CLOSES, now=OPENS, turnout=0, electorate=3, what="poll")
    assert refused.value.code == "poll_still_open"


def test_a_motion_votes_closing_time_comes_after_its_opening():
    polls.check_closes_after_opening(opens_at=OPENS, closes_at=OPENS + timedelta(microseconds=1))
    polls.check_closes_after_opening(opens_at=OPENS, closes_at=OPENS + timedelta(days=400))
    for closes_at in (OPENS, OPENS - timedelta(hours=1)):
        with pytest.raises(InvalidInputError, match="The closing time must be in the future"):
            polls.check_closes_after_opening(opens_at=OPENS, closes_at=closes_at)
