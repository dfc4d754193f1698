"""Capture route: a chair who never calls the election for the next term, to keep the office for ever."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from councils.core.ledger.encoding import format_time
from councils.core.rules.terms import add_months
from councils.elections.models import Election
from councils.federation.models import Office
from councils.record.models import Entry
from tests.conftest import NOW
from tests.record.support import verify_genuine

pytestmark = pytest.mark.usefixtures("terms_of_one_post")

TERM_END = NOW + timedelta(days=365)


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def run_terms(clock, at) -> str:
    """What an operator's cron (or the task worker) does every few minutes, at `at`."""
    clock["now"] = at
    out = io.StringIO()
    call_command("run_due_terms", stdout=out)
    return out.getvalue()


def entry(event):
    return [json.loads(bytes(e.data)) for e in Entry.objects.filter(event=event)][-1]


@pytest.mark.chair_term(TERM_END)
def test_an_officer_cannot_sit_past_the_term(cast, monkeypatch):
    clock = {"now": NOW}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    # Alice chairs Riverside Depot for a year, and she alone (with no election officer) could call
    # the election for the next term. She never does.
    page = cast.client(cast.bob).get(f"/councils/{cast.riverside.uuid}/").content.decode()
    assert "term ends" in page
    base = "/api/v1/elections"

    # 1. Eleven months on, nothing is due yet; thirty days before her term ends the rules call the election.
    assert "called 0" in run_terms(clock, TERM_END - timedelta(days=31))
    assert "called 1" in run_terms(clock, TERM_END - timedelta(days=30))
    election = Election.objects.get(council=cast.riverside, role="chair")
    called = entry("election.called")
    assert called["actor"] is None and called["payload"]["post_term_ends_at"] == format_time(TERM_END)
    shown = cast.api(cast.bob).get(f"{base}/{election.uuid}").json()
    nominations_close = TERM_END - timedelta(days=16)
    assert shown["called_by_rules"] is True
    assert (
        shown["nominations_close_at"]
        .replace("+00:00", "Z")
        .startswith(nominations_close.isoformat().replace("+00:00", ""))
    )
    page = cast.client(cast.bob).get(f"/elections/{election.uuid}/").content.decode()
    assert "by the rules, as the term of the post's holders ends" in page and "Nominations close" in page
    assert "then the rules open a poll of 7 days," in page

    # 2. Members nominate: Erin stands.
    nominated = post(
        cast.api(cast.erin), f"{base}/{election.uuid}/nominations", {"candidate": str(cast.erin.uuid)}
    )
    assert nominated.status_code == 201, nominated.content

    # 3. Alice does not open the poll: when nominations close, the rules open it for seven days.
    assert "opened 1" in run_terms(clock, nominations_close)
    election.refresh_from_db()
    assert election.status == "voting" and election.closes_at == nominations_close + timedelta(days=7)
    assert entry("election.opened")["actor"] is None
    erin = election.candidacies.get().uuid
    for voter in (cast.bob, cast.erin, cast.frank):
        cast_ = post(cast.api(voter), f"{base}/{election.uuid}/ballot", {"approvals": [str(erin)]})
        assert cast_.status_code == 201, cast_.content

    # 4. At its closing time the rules close and count the poll; Alice still chairs until her term ends.
    assert "closed 1" in run_terms(clock, election.closes_at)
    assert Office.objects.get(council=cast.riverside, role="chair", ended_at__isnull=True).user == cast.alice

    # 5. When her term ends, it ends: the rules end her office, certify the count and seat Erin.
    assert "Ended 1 term;" in run_terms(clock, TERM_END)
    old = Office.objects.get(council=cast.riverside, role="chair", user=cast.alice, term_ends_at=TERM_END)
    assert (old.ended_at, old.ended_reason) == (TERM_END, "term_ended")
    chair = Office.objects.get(council=cast.riverside, role="chair", ended_at__isnull=True)
    assert (chair.user, chair.term_ends_at) == (cast.erin, add_months(TERM_END, 12))
    assert entry("election.certified")["actor"] is None
    assert entry("office.filled")["payload"]["term_ends_at"] == format_time(add_months(TERM_END, 12))

    # Running again changes nothing, and the record checks out.
    assert "Ended 0 terms; called 0, opened 0, closed 0, certified 0" in run_terms(
        clock, TERM_END + timedelta(hours=1)
    )
    assert verify_genuine().problems == []


@pytest.mark.chair_term(TERM_END)
def test_a_post_is_not_left_empty_for_ever(cast, monkeypatch):
    clock = {"now": NOW}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    # Alice chairs Riverside Depot for a year; there is no election officer. Nobody stands to follow her.
    base = "/api/v1/elections"

    # 1. The rules call the election thirty days before her term ends; nobody stands, and it fails.
    assert "called 1" in run_terms(clock, TERM_END - timedelta(days=30))
    assert "failed 1" in run_terms(clock, TERM_END - timedelta(days=16))
    assert entry("election.failed")["payload"]["reason"] == "no_candidates"

    # 2. Her term ends all the same, and the chair is empty: nobody is left who could call an election.
    # Fourteen days have passed since the failure, so the rules call it again themselves.
    assert "Ended 1 term; called 1" in run_terms(clock, TERM_END)
    assert not Office.objects.filter(council=cast.riverside, role="chair", ended_at__isnull=True).exists()
    again = Election.objects.filter(council=cast.riverside, role="chair").latest("called_at")
    called = entry("election.called")
    assert called["actor"] is None and called["payload"]["is_by_election"] is True
    assert called["payload"]["after_failure"] != called["payload"]["election"]
    shown = cast.api(cast.bob).get(f"{base}/{again.uuid}").json()
    assert shown["called_by_rules"] is True and shown["nominations_close_at"] is not None

    # 3. This time Erin stands; the rules open the poll when nominations close, and members vote.
    nominated = post(
        cast.api(cast.erin), f"{base}/{again.uuid}/nominations", {"candidate": str(cast.erin.uuid)}
    )
    assert nominated.status_code == 201, nominated.content
    assert "opened 1" in run_terms(clock, TERM_END + timedelta(days=14))
    again.refresh_from_db()
    erin = again.candidacies.get().uuid
    for voter in (cast.bob, cast.erin, cast.frank):
        cast_ = post(cast.api(voter), f"{base}/{again.uuid}/ballot", {"approvals": [str(erin)]})
        assert cast_.status_code == 201, cast_.content

    # 4. At the poll's close the rules count it, certify it and seat Erin for a full term.
    assert "closed 1, certified 1" in run_terms(clock, again.closes_at)
    chair = Office.objects.get(council=cast.riverside, role="chair", ended_at__isnull=True)
    assert (chair.user, chair.term_ends_at) == (cast.erin, add_months(again.closes_at, 12))
    assert verify_genuine().problems == []
