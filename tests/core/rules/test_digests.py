from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from councils.core.errors import InvalidInputError
from councils.core.rules import digests

# A Wednesday afternoon.
WED = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
MON = datetime(2026, 3, 2, tzinfo=UTC)
TUE = datetime(2026, 3, 3, tzinfo=UTC)
THU = datetime(2026, 3, 5, tzinfo=UTC)


def test_unknown_frequency_is_refused():
    with pytest.raises(InvalidInputError, match="daily, weekly, never"):
        digests.check_frequency("hourly")
    with pytest.raises(InvalidInputError):
        digests.due_period(frequency="monthly", now=WED, sent_until=None)


def test_periods_end_at_midnight_utc_and_weeks_on_monday():
    assert digests.period_end(frequency="daily", now=WED) == datetime(2026, 3, 4, tzinfo=UTC)
    assert digests.period_end(frequency="weekly", now=WED) == MON
    assert digests.period_end(frequency="weekly", now=MON) == MON
    assert digests.period_end(frequency="never", now=WED) is None
    # A local time is read in UTC: 01:00 in UTC+2 on Thursday is still Wednesday in UTC.
    local = datetime(2026, 3, 5, 1, 0, tzinfo=timezone(timedelta(hours=2)))
    assert digests.period_end(frequency="daily", now=local) == datetime(2026, 3, 4, tzinfo=UTC)


def test_a_first_digest_covers_one_period():
    assert digests.due_period(frequency="weekly", now=WED, sent_until=None) == digests.Period(
        MON - timedelta(days=7), MON
    )
    assert digests.due_period(frequency="daily", now=WED, sent_until=None) == digests.Period(
        TUE, datetime(2026, 3, 4, tzinfo=UTC)
    )


def test_nothing_is_due_twice_in_a_period_or_for_never():
    assert digests.due_period(frequency="weekly", now=WED, sent_until=MON) is None
    assert digests.due_period(frequency="never", now=WED, sent_until=None) is None


def test_switching_frequency_neither_repeats_nor_skips():
    # Weekly until Monday, then daily: Thursday's digest starts on Monday.
    assert digests.due_period(frequency="daily", now=THU, sent_until=MON) == digests.Period(MON, THU)
    # Daily until Thursday, then weekly: nothing until next Monday, which starts on Thursday.
    assert digests.due_period(frequency="weekly", now=THU, sent_until=THU) is None
    next_monday = MON + timedelta(days=7)
    assert digests.due_period(frequency="weekly", now=next_monday, sent_until=THU) == digests.Period(
        THU, next_monday
    )


def test_a_digest_resumed_after_a_pause_reaches_back_a_week_only():
    long_ago = MON - timedelta(days=90)
    assert digests.due_period(frequency="daily", now=WED, sent_until=long_ago) == digests.Period(
        datetime(2026, 2, 25, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC)
    )


def test_the_next_run_is_the_coming_midnight():
    assert digests.next_run(now=WED) == THU
    assert digests.next_run(now=MON) == TUE


@given(
    st.sampled_from(["daily", "weekly"]),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    st.integers(min_value=0, max_value=24 * 30),
)
def test_periods_sent_in_turn_never_overlap(frequency, start, hours):
    """Digests sent in turn never cover the same time twice, and adjoin unless a whole week was missed."""
    first = digests.due_period(frequency=frequency, now=start, sent_until=None)
    assert first is not None and first.since < first.until <= start
    later = start + timedelta(hours=hours)
    second = digests.due_period(frequency=frequency, now=later, sent_until=first.until)
    if second is None:
        assert digests.period_end(frequency=frequency, now=later) == first.until
    else:
        assert second.since == max(first.until, second.until - digests.LOOKBACK)
        assert second.until <= later
