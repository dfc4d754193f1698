"""Terms end by themselves: the rules call, open, close and certify the next term's election."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction

from councils.core.errors import ConflictError
from councils.core.ledger.encoding import format_time
from councils.core.rules.terms import add_months
from councils.elections import actions, tasks
from councils.elections.models import Election
from councils.federation import actions as federation_actions
from councils.federation.models import Office, Seat
from councils.record.models import Entry
from tests.record.support import verify_genuine

pytestmark = pytest.mark.usefixtures("terms_of_one_post")

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TERM_END = NOW + timedelta(days=60)
# The rules call the election 30 days before the term ends, nominations last 14 days, the poll 7.
DUE = TERM_END - timedelta(days=30)
NOMINATIONS_CLOSE = DUE + timedelta(days=14)
POLL_CLOSES = NOMINATIONS_CLOSE + timedelta(days=7)
# Alice chairs Riverside Depot until the term's end (the cast's founding chair has none otherwise).
termed = pytest.mark.chair_term(TERM_END)


def entries(event: str) -> list[dict]:
    return [json.loads(bytes(e.data)) for e in Entry.objects.filter(event=event)]


def the_chair(cast) -> Office:
    return Office.objects.get(council=cast.riverside, role=Office.Role.CHAIR, ended_at__isnull=True)


@termed
def test_nothing_is_called_before_the_lead_time(cast):
    run = actions.run_due_terms(now=DUE - timedelta(seconds=1))
    assert run.changed == 0 and run.refused == []
    assert not Election.objects.exists()


@termed
def test_the_rules_call_the_election_when_the_term_ends_within_the_lead_time_and_only_once(cast):
    run = actions.run_due_terms(now=DUE)
    [election] = run.called
    assert (election.kind, election.role, election.seats, election.is_by_election) == (
        "office",
        "chair",
        1,
        False,
    )
    assert election.called_by is None and election.nominations_close_at == NOMINATIONS_CLOSE
    [called] = entries("election.called")
    assert called["actor"] is None
    assert called["payload"]["nominations_close_at"] == format_time(NOMINATIONS_CLOSE)
    assert called["payload"]["post_term_ends_at"] == format_time(TERM_END)
    assert called["payload"]["constitution"] == 0
    assert actions.run_due_terms(now=DUE + timedelta(days=1)).changed == 0
    assert Election.objects.count() == 1
    assert verify_genuine().problems == []


@termed
def test_an_election_an_officer_called_is_left_to_run(cast):
    actions.call_election(actor=cast.alice, council=cast.riverside, kind="office", role="chair", now=NOW)
    assert actions.run_due_terms(now=DUE).called == []


@termed
def test_the_rules_open_the_poll_when_nominations_close(cast):
    [election] = actions.run_due_terms(now=DUE).called
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=DUE)
    assert actions.run_due_terms(now=NOMINATIONS_CLOSE - timedelta(seconds=1)).opened == []
    [opened] = actions.run_due_terms(now=NOMINATIONS_CLOSE).opened
    assert opened.status == Election.Status.VOTING and opened.closes_at == POLL_CLOSES
    [entry] = entries("election.opened")
    assert entry["actor"] is None and entry["payload"]["closes_at"] == format_time(POLL_CLOSES)
    assert actions.run_due_terms(now=NOMINATIONS_CLOSE).changed == 0
    assert verify_genuine().problems == []


@termed
def test_with_nobody_standing_the_election_fails_and_is_not_called_again_while_the_post_is_held(cast):
    [election] = actions.run_due_terms(now=DUE).called
    # A nomination never accepted does not stand.
    actions.nominate(actor=cast.erin, election=election, candidate=cast.frank, now=DUE)
    [failed] = actions.run_due_terms(now=NOMINATIONS_CLOSE).failed
    assert (failed.status, failed.failure_reason) == ("failed", "no_candidates")
    [entry] = entries("election.failed")
    assert entry["actor"] is None and entry["payload"]["reason"] == "no_candidates"
    assert actions.run_due_terms(now=NOMINATIONS_CLOSE + timedelta(days=1)).changed == 0
    # At the term's end the chair goes all the same; the empty post's election is called again,
    # as a by-election (tests/elections/test_vacancies.py), not as the ordinary one once more.
    run = actions.run_due_terms(now=TERM_END)
    assert [o.user for o in run.ended] == [cast.alice]
    assert [(e.is_by_election, e.called_by) for e in run.called] == [(True, None)]
    assert not Office.objects.filter(council=cast.riverside, role="chair", ended_at__isnull=True).exists()
    assert verify_genuine().problems == []


def vote_in(cast, election, candidacy, at):
    for voter in (cast.alice, cast.bob, cast.frank):
        actions.cast_ballot(actor=voter, election=election, ranking=[str(candidacy.uuid)], now=at)


@termed
def test_the_rules_close_count_and_certify_when_the_term_ends(cast):
    [election] = actions.run_due_terms(now=DUE).called
    erin = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=DUE)
    actions.run_due_terms(now=NOMINATIONS_CLOSE)
    vote_in(cast, election, erin, NOMINATIONS_CLOSE)
    run = actions.run_due_terms(now=POLL_CLOSES)
    assert [e.pk for e in run.closed] == [election.pk] and run.certified == []
    # The rules do not end Alice's term early: the winner takes over when it ends.
    assert actions.run_due_terms(now=TERM_END - timedelta(seconds=1)).changed == 0
    assert the_chair(cast).user == cast.alice
    with pytest.raises(ConflictError, match="has not ended yet"):
        actions.certify_election(actor=None, election=election, now=TERM_END - timedelta(seconds=1))
    run = actions.run_due_terms(now=TERM_END)
    assert [o.user for o in run.ended] == [cast.alice]
    assert [e.pk for e in run.certified] == [election.pk] and run.called == []
    chair = the_chair(cast)
    assert (chair.user, chair.started_at, chair.term_ends_at) == (
        cast.erin,
        TERM_END,
        add_months(TERM_END, 12),
    )
    [vacated] = entries("office.vacated")[-1:]
    assert (vacated["actor"], vacated["payload"]["reason"], vacated["at"]) == (
        None,
        "term_ended",
        format_time(TERM_END),
    )
    [certified] = entries("election.certified")
    assert certified["actor"] is None
    assert entries("office.filled")[-1]["payload"]["term_ends_at"] == format_time(add_months(TERM_END, 12))
    assert actions.run_due_terms(now=TERM_END + timedelta(days=1)).changed == 0
    assert verify_genuine().problems == []
    call_command("verify_record")


@termed
def test_officers_may_open_the_poll_and_certify_sooner(cast):
    [election] = actions.run_due_terms(now=DUE).called
    erin = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=DUE)
    soon = DUE + timedelta(days=1)
    actions.open_voting(actor=cast.alice, election=election, closes_at=soon + timedelta(hours=1), now=soon)
    vote_in(cast, election, erin, soon)
    actions.run_due_terms(now=soon + timedelta(hours=1))
    actions.certify_election(actor=cast.alice, election=election, now=soon + timedelta(hours=2))
    assert the_chair(cast).user == cast.erin
    assert verify_genuine().problems == []


@termed
def test_the_rules_act_only_on_elections_they_called(cast):
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="secretary", now=NOW
    )
    with pytest.raises(RuntimeError, match="only the poll of an election they called"):
        actions.open_voting(actor=None, election=election, closes_at=NOW + timedelta(days=7), now=NOW)
    [called] = actions.run_due_terms(now=DUE).called
    with pytest.raises(ConflictError, match="Nominations are open until"):
        actions.open_voting(actor=None, election=called, closes_at=DUE + timedelta(days=7), now=DUE)


@pytest.mark.chair_term(NOW + timedelta(days=1))
def test_a_term_already_past_ends_and_the_empty_post_gets_its_election(cast):
    run = actions.run_due_terms(now=NOW + timedelta(days=2))
    assert [o.user for o in run.ended] == [cast.alice]
    [election] = run.called
    assert election.role == "chair" and election.nominations_close_at == NOW + timedelta(days=16)
    assert entries("election.called")[0]["payload"]["post_term_ends_at"] == format_time(
        NOW + timedelta(days=1)
    )
    assert actions.run_due_terms(now=NOW + timedelta(days=3)).changed == 0
    assert verify_genuine().problems == []


@pytest.mark.delegate_term(TERM_END)
def test_delegates_whose_term_ends_soon_get_the_councils_delegate_election(cast):
    seat = Seat.objects.get(user=cast.bob)
    assert entries("delegate.seated")[-1]["payload"]["term_ends_at"] == format_time(TERM_END)
    [election] = actions.run_due_terms(now=DUE).called
    assert (election.council, election.kind, election.seats) == (cast.riverside, "delegates", 2)
    [ended] = actions.run_due_terms(now=TERM_END).ended
    assert ended == seat and not Seat.objects.filter(from_council=cast.riverside, ended_at=None).exists()
    assert verify_genuine().problems == []


def test_a_new_councils_interim_chair_gives_way_to_the_election_the_rules_call(ready):
    from tests.membership.test_formation import T, decide, propose

    formation = propose(ready)
    for user in (ready.frank, ready.dave):
        from councils.membership import actions as membership_actions

        membership_actions.sign_formation(actor=user, formation=formation, now=T)
    decide(ready, formation)
    council = formation.council
    interim = Office.objects.get(council=council, role=Office.Role.CHAIR)
    ends = interim.term_ends_at
    assert ends == T + timedelta(days=60)
    [election] = actions.run_due_terms(now=ends - timedelta(days=30)).called
    assert (election.council, election.role) == (council, "chair")
    frank = actions.nominate(
        actor=ready.frank, election=election, candidate=ready.frank, now=ends - timedelta(days=30)
    )
    actions.run_due_terms(now=ends - timedelta(days=16))
    for voter in (ready.erin, ready.frank, ready.dave):
        actions.cast_ballot(
            actor=voter, election=election, ranking=[str(frank.uuid)], now=ends - timedelta(days=16)
        )
    actions.run_due_terms(now=ends - timedelta(days=9))
    run = actions.run_due_terms(now=ends)
    assert [o.pk for o in run.ended] == [interim.pk] and len(run.certified) == 1
    assert Office.objects.get(council=council, role="chair", ended_at__isnull=True).user == ready.frank
    assert verify_genuine().problems == []


@pytest.fixture
def ready(cast):
    from tests.membership.support import adopt

    adopt(cast)
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.carol, role=Office.Role.CHAIR, now=NOW
    )
    return cast


@termed
def test_the_command_runs_the_terms_and_says_what_it_did(cast, monkeypatch):
    monkeypatch.setattr("councils.elections.management.commands.run_due_terms.timezone.now", lambda: DUE)
    out = io.StringIO()
    call_command("run_due_terms", stdout=out)
    assert out.getvalue().strip() == (
        "Ended 0 terms; called 1, opened 0, closed 0, certified 0 and failed 0 elections."
    )
    assert Election.objects.get().called_by is None


@termed
def test_the_task_runs_the_terms_and_waits_for_its_next_run(cast, settings, monkeypatch):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(tasks.timezone, "now", lambda: DUE)
    assert tasks.schedule_terms() is True
    assert tasks.schedule_terms() is False  # one waits already: serve starting again adds none
    [waiting] = DBTaskResult.objects.filter(task_path=tasks.run_terms.module_path)
    DBTaskResult.objects.filter(id=waiting.id).update(status=TaskResultStatus.RUNNING)
    assert tasks.run_terms.call() == 1
    [following] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert following.run_after == DUE + tasks.TERMS_INTERVAL
    assert Election.objects.get().called_by is None


def test_a_holder_with_no_term_end_is_replaced_not_said_to_reach_an_end_they_did_not_have(cast):
    # Bob's founding seat has no end; Erin's, beside it, ends with the term.
    with transaction.atomic():
        federation_actions.seat_delegate(
            from_council=cast.riverside, user=cast.erin, election_uuid=None, term_ends_at=TERM_END, now=NOW
        )
    [election] = actions.run_due_terms(now=DUE).called
    assert election.seats == 2
    frank = actions.nominate(actor=cast.frank, election=election, candidate=cast.frank, now=DUE)
    actions.run_due_terms(now=NOMINATIONS_CLOSE)
    vote_in(cast, election, frank, NOMINATIONS_CLOSE)
    actions.run_due_terms(now=POLL_CLOSES)
    assert actions.run_due_terms(now=TERM_END).certified
    ended = {
        s.user.username: s.ended_reason
        for s in Seat.objects.filter(from_council=cast.riverside, ended_at=TERM_END)
    }
    assert ended == {"bob": "replaced", "erin": "term_ended"}
    assert Seat.objects.get(from_council=cast.riverside, ended_at__isnull=True).user == cast.frank
    assert verify_genuine().problems == []
