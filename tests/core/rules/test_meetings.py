from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from councils.core.rules.constitution import Constitution
from councils.core.rules.meetings import earliest_start, quorum

NOW = datetime(2026, 3, 1, 9, 0, 30, tzinfo=UTC)


def test_the_earliest_start_is_the_notice_later_to_the_minute():
    assert earliest_start(now=NOW, notice_hours=48) == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert earliest_start(now=NOW, notice_hours=0) == NOW - timedelta(seconds=30)


@pytest.mark.parametrize(
    ("voters", "share", "needed"),
    [
        (4, "0.10", 1),
        (25, "0.10", 3),
        (30, "0.10", 3),
        (4, "0.50", 2),
        (4, "1", 4),
        (0, "0.10", 1),
        (9, "0", 0),
    ],
)
def test_quorum_is_a_share_of_the_voters_rounded_up_and_at_least_one(voters, share, needed):
    assert quorum(voters=voters, share=Decimal(share)) == needed


def test_the_defaults_give_two_days_notice_and_a_tenth_of_the_voters():
    rules = Constitution()
    assert (rules.meeting_notice_hours, rules.meeting_quorum_share) == (48, Decimal("0.10"))
    at_once = Constitution.from_document(
        {"meeting_quorum_share": "0", "meeting_notice_hours": 0, "version": 2}
    )
    assert (at_once.meeting_notice_hours, at_once.meeting_quorum_share) == (0, Decimal(0))
