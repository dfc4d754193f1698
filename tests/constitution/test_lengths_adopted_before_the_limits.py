"""A version adopted before the limits on settings may hold lengths past them: the rules count each as its
limit, so that no date is computed past the calendar's end, and the record still checks out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.core.errors import InvalidInputError
from councils.core.rules.constitution import Constitution
from councils.core.rules.terms import add_months
from councils.elections import actions as election_actions
from councils.federation.models import Membership, Office
from councils.meetings import actions as meeting_actions
from councils.membership import actions as membership_actions
from councils.record import sequencer
from councils.record.verification import verify_database
from tests.membership.support import NOW, adopt

# Each past what a date can be moved by: 10 million days and a billion hours are tens of thousands of years.
PAST_THE_CALENDAR = {
    "hearing_notice_days": 10_000_000,
    "meeting_notice_hours": 1_000_000_000,
    "term_months": 10**6,
}
TEN_YEARS_OF_DAYS = 3660


@pytest.fixture
def adopted_before_the_limits(cast, monkeypatch):
    """Version 1 adopted through the record as founding adopted it before `check_limits` existed."""
    with monkeypatch.context() as patched:
        patched.setattr(Constitution, "check_limits", lambda self: None)
        version = adopt(cast, **{**Constitution().to_document(), **PAST_THE_CALENDAR})
    assert version.document["hearing_notice_days"] == 10_000_000
    return version


def test_a_hearing_notice_past_the_limit_counts_as_ten_years(cast, adopted_before_the_limits):
    def charge(hearing_at):
        return membership_actions.bring_charges(
            actor=cast.erin,
            membership=Membership.objects.get(user=cast.bob),
            charges="Signed a side deal with management without a mandate.",
            penalty="expulsion",
            hearing_at=hearing_at,
            now=NOW,
        )

    with pytest.raises(InvalidInputError, match="on or after 2036-03-"):
        charge(NOW + timedelta(days=TEN_YEARS_OF_DAYS - 1))
    case = charge(NOW + timedelta(days=TEN_YEARS_OF_DAYS))
    assert case.hearing_at == NOW + timedelta(days=TEN_YEARS_OF_DAYS)
    sequencer.sequence_pending(now=NOW)
    assert verify_database() == []


def test_a_meeting_notice_past_the_limit_counts_as_ten_years(cast, adopted_before_the_limits):
    def schedule(starts_at):
        return meeting_actions.schedule_meeting(
            actor=cast.alice,
            council=cast.riverside,
            title="General meeting",
            starts_at=starts_at,
            place="Canteen",
            now=NOW,
        )

    with pytest.raises(InvalidInputError, match="can start at 2036-03-"):
        schedule(NOW + timedelta(hours=87_839))
    meeting = schedule(NOW + timedelta(hours=87_840))
    assert meeting.starts_at == NOW + timedelta(hours=87_840)
    sequencer.sequence_pending(now=NOW)
    assert verify_database() == []


def test_a_term_past_the_limit_counts_as_ten_years(cast, adopted_before_the_limits):
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="secretary", now=NOW
    )
    erin = election_actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    election_actions.open_voting(
        actor=cast.alice, election=election, closes_at=NOW + timedelta(hours=1), now=NOW
    )
    for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
        election_actions.cast_ballot(actor=voter, election=election, approvals=[str(erin.uuid)], now=NOW)
    election = election_actions.close_election(actor=cast.alice, election=election, now=NOW)
    election_actions.certify_election(actor=cast.alice, election=election, now=NOW)
    office = Office.objects.get(council=cast.riverside, role="secretary", ended_at__isnull=True)
    assert (office.user, office.term_ends_at) == (cast.erin, add_months(NOW, 120))
    sequencer.sequence_pending(now=NOW)
    assert verify_database() == []
