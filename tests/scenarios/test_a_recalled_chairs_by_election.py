"""Capture route: the chair who alone ran elections is recalled; nobody is left to open the by-election."""

from datetime import timedelta

import pytest
from django.utils import timezone

from councils.elections.models import Election
from councils.federation.models import Office
from councils.mandates import actions as mandate_actions
from councils.motions import actions as motion_actions
from councils.motions.models import Vote
from tests.conftest import NOW
from tests.record.support import verify_genuine
from tests.scenarios.test_an_officer_cannot_sit_past_the_term import entry, post, run_terms

pytestmark = pytest.mark.usefixtures("terms_of_one_post")


def test_a_recalled_chairs_by_election_runs_by_itself(cast, monkeypatch):
    clock = {"now": NOW}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    base = "/api/v1/elections"
    # Alice chairs Riverside Depot, which has no election officer: she alone could open a poll.
    # 1. The members recall her; the rules call the by-election for the chair in the same action.
    office = Office.objects.get(council=cast.riverside, role="chair", ended_at__isnull=True)
    petition = mandate_actions.start_recall(actor=cast.erin, office=office, now=NOW)
    petition.refresh_from_db()
    vote = Vote.objects.get(uuid=petition.vote_uuid)
    for voter in (cast.erin, cast.frank, cast.bob):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=NOW)
    assert vote.closes_at is not None
    recalled_at = vote.closes_at
    motion_actions.close_vote(actor=None, vote=vote, now=recalled_at)
    assert not Office.objects.filter(council=cast.riverside, ended_at__isnull=True, role="chair").exists()
    byelection = Election.objects.get(council=cast.riverside, role="chair")
    assert entry("recall.decided")["payload"]["byelections"] == [str(byelection.uuid)]
    called = entry("election.called")
    assert called["actor"] is None and called["payload"]["is_by_election"] is True
    nominations_close = recalled_at + timedelta(days=14)
    assert byelection.nominations_close_at == nominations_close
    shown = cast.api(cast.bob).get(f"{base}/{byelection.uuid}").json()
    assert shown["called_by_rules"] is True and shown["nominations_close_at"] is not None
    page = cast.client(cast.bob).get(f"/elections/{byelection.uuid}/").content.decode()
    assert "Nominations close" in page

    # 2. Erin stands. Nobody can open the poll, so nothing happens until nominations close.
    nominated = post(
        cast.api(cast.erin), f"{base}/{byelection.uuid}/nominations", {"candidate": str(cast.erin.uuid)}
    )
    assert nominated.status_code == 201, nominated.content
    assert "called 0, opened 0" in run_terms(clock, nominations_close - timedelta(minutes=1))

    # 3. When nominations close the rules open the poll for seven days; the members vote.
    assert "opened 1" in run_terms(clock, nominations_close)
    byelection.refresh_from_db()
    assert byelection.status == "voting" and entry("election.opened")["actor"] is None
    erin = byelection.candidacies.get().uuid
    for voter in (cast.bob, cast.erin, cast.frank):
        cast_ = post(cast.api(voter), f"{base}/{byelection.uuid}/ballot", {"approvals": [str(erin)]})
        assert cast_.status_code == 201, cast_.content

    # 4. At its closing time the rules close, count and certify it at once: it fills a vacancy.
    assert "closed 1, certified 1" in run_terms(clock, byelection.closes_at)
    chair = Office.objects.get(council=cast.riverside, role="chair", ended_at__isnull=True)
    assert chair.user == cast.erin and entry("election.certified")["actor"] is None

    # Running again changes nothing, and the record checks out.
    assert "Ended 0 terms; called 0, opened 0, closed 0, certified 0" in run_terms(
        clock, byelection.closes_at + timedelta(hours=1)
    )
    assert verify_genuine().problems == []
