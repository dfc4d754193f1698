"""Members' e-mail digests: what they say, to whom, how often, and the record's fingerprint at the end."""

from __future__ import annotations

import io
import re
import types
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from councils.accounts.models import User
from councils.core.rules.digests import Period
from councils.digests import actions, queries, tasks
from councils.digests.models import DigestPreference
from councils.elections import actions as election_actions
from councils.federation import actions as federation_actions
from councils.federation.models import Council
from councils.motions import actions as motion_actions
from councils.record.models import Checkpoint
from councils.record.sequencer import SUMMARY_CACHE, current_size
from tests.conftest import NOW, make_user
from tests.mandates.flows import adopt_mandate, district_motion, district_vote, seat_dave_for_harbour
from tests.record.test_verify_discipline import HEARING
from tests.record.test_verify_discipline import _decided as decided_against_frank

# NOW is Sunday 2026-03-01 09:00 UTC: at RUN (Monday morning) the week and the day before are both over.
RUN = NOW + timedelta(hours=21)
NEXT_DAY = RUN + timedelta(days=1)


def send(now=RUN, **kwargs):
    # The sequencer drops the cached checkpoint summary on commit; a test's transaction never commits.
    SUMMARY_CACHE.clear()
    return actions.send_due_digests(now=now, **kwargs)


def mail_to(username):
    [message] = [m for m in mail.outbox if m.to == [f"{username}@example.org"]]
    return message


# Harbour Works shows itself only to its own participants (the tests of `busy_week` are marked so).
HARBOUR_HIDDEN = pytest.mark.visibility(harbour=Council.Visibility.COUNCIL)


@pytest.fixture
def busy_week(cast):
    """A week in Riverside, Eastside District and a hidden Harbour Works, with secret and named votes."""
    assert cast.harbour.visibility == Council.Visibility.COUNCIL, "a test of the busy week is HARBOUR_HIDDEN"
    seat_dave_for_harbour(cast)
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two safety reps.", now=NOW
    )
    motion_actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW)
    receipts = [
        motion_actions.cast_vote(actor=user, vote=vote, choice=choice, now=NOW).receipt
        for user, choice in [
            (cast.alice, "yes"),
            (cast.erin, "no"),
            (cast.frank, "yes"),
            (cast.bob, "abstain"),
        ]
    ]
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW + timedelta(minutes=5))
    target = district_motion(cast)
    adopt_mandate(cast, target, choice="yes")
    district_vote(cast, target, bob="no")
    motion_actions.table_motion(
        actor=cast.dave,
        council=cast.harbour,
        title="Harbour overtime ban",
        text="No overtime.",
        seconds_required=0,
        now=NOW,
    )
    return types.SimpleNamespace(receipts=receipts, vote=vote)


@HARBOUR_HIDDEN
def test_a_member_of_two_councils_hears_of_both_and_nothing_hidden(cast, busy_week):
    send()
    body = mail_to("bob").body
    assert "== Riverside Depot ==" in body and "== Eastside District ==" in body
    assert "Motion tabled: “Safety reps”." in body
    assert "Vote closed on “Safety reps”: adopted. Yes 2, no 1, abstain 1; 4 of 4 voted." in body
    assert "Motion tabled: “Strike fund levy”." in body
    assert (
        "Mandate broken: Bob Novak was instructed to vote YES on “Strike fund levy” in Eastside District"
        in body
    )
    assert "== Alerts for you ==" in body
    # Harbour Works is visible to its own members only, and bob is not one.
    assert "Harbour" not in body and "overtime" not in body
    # Every line points at its record entry.
    assert re.search(r"Record entry \d+: http://127\.0\.0\.1:8000/record/entries/\d+/", body)
    # dave, who only sits in the district and Harbour, hears of those and not of Riverside.
    dave = mail_to("dave").body
    assert "Harbour overtime ban" in dave and "Strike fund levy" in dave and "Riverside" not in dave


@HARBOUR_HIDDEN
def test_secret_ballots_and_contact_details_stay_out(cast, busy_week):
    send()
    for message in mail.outbox:
        for receipt in busy_week.receipts:
            assert receipt and receipt not in message.body
        # Totals only: nobody's choice, in a secret ballot or a roll call, and no e-mail addresses.
        assert not re.search(
            r"(Alice Adeyemi|Erin Walsh|Frank Costa|Dave Okafor)\W+(yes|no|abstain)", message.body
        )
        assert "@" not in message.body
    assert "Erin Walsh" not in mail_to("bob").body


@HARBOUR_HIDDEN
def test_the_digest_ends_with_the_current_checkpoint(cast, busy_week):
    send()
    latest = Checkpoint.objects.order_by("-id").first()
    assert latest.size == current_size()
    size, fingerprint = latest.size, bytes(latest.root).hex()[:16]
    for message in mail.outbox:
        assert f"the record held {size} entries, and its root began {fingerprint}" in message.body
        assert f"councils verify --server http://127.0.0.1:8000 --seen {size}:{fingerprint}" in message.body
        assert "http://127.0.0.1:8000/record/" in message.body
    # Every entry a digest lists is covered by the checkpoint it quotes.
    indexes = [int(i) for i in re.findall(r"Record entry (\d+):", mail_to("bob").body)]
    assert indexes and max(indexes) < size


@HARBOUR_HIDDEN
def test_frequencies_daily_weekly_never(cast, busy_week):
    actions.set_digest_frequency(actor=cast.bob, frequency="daily")
    actions.set_digest_frequency(actor=cast.erin, frequency="never")
    outcomes = {o.username: o for o in send()}
    assert "erin" not in outcomes and "erin@example.org" not in [m.to[0] for m in mail.outbox]
    assert outcomes["bob"].period.until == outcomes["frank"].period.until == RUN.replace(hour=0)
    assert outcomes["bob"].period.since == NOW.replace(hour=0)  # one day
    assert outcomes["frank"].period.since == NOW.replace(hour=0) - timedelta(days=6)  # one week
    assert mail_to("bob").subject == "Councils digest: 2026-03-01"
    assert mail_to("frank").subject == "Councils digest: 2026-02-23 to 2026-03-01"
    assert "You get this digest daily." in mail_to("bob").body
    assert "You get this digest weekly." in mail_to("frank").body
    # The next day bob's daily digest is due again, but nothing happened: no mail, the day counts as done.
    mail.outbox.clear()
    assert [(o.username, o.status) for o in send(now=NEXT_DAY)] == [("bob", actions.EMPTY)]
    assert mail.outbox == []
    assert DigestPreference.objects.get(user=cast.bob).sent_until == NEXT_DAY.replace(hour=0)


@HARBOUR_HIDDEN
def test_a_period_is_never_sent_twice(cast, busy_week):
    first = send()
    assert {o.status for o in first} == {actions.SENT}
    sent = len(mail.outbox)
    assert send() == []
    assert send(now=RUN + timedelta(hours=12)) == []
    assert len(mail.outbox) == sent
    preference = DigestPreference.objects.get(user=cast.bob)
    assert preference.sent_at == RUN and preference.sent_until == RUN.replace(hour=0)
    # The member sees when the last one went, on the account page and through the API.
    assert "Last sent 2026-03-02 06:00 UTC." in cast.client(cast.bob).get("/account/").content.decode()
    assert cast.api(cast.bob).get("/api/v1/auth/me").json()["digest_sent_at"] == "2026-03-02T06:00:00Z"


@HARBOUR_HIDDEN
def test_two_runs_at_once_send_each_period_once(cast, busy_week, monkeypatch):
    from councils.digests import queries

    real_build = queries.build_digest

    def build_while_another_run_sends(*, user, **kwargs):
        digest = real_build(user=user, **kwargs)
        if user == cast.bob:
            # Another run claims bob's period while this one is still writing his digest.
            DigestPreference.objects.update_or_create(user=user, defaults={"sent_until": RUN.replace(hour=0)})
        return digest

    monkeypatch.setattr(queries, "build_digest", build_while_another_run_sends)
    statuses = {o.username: o.status for o in send()}
    assert statuses["bob"] == actions.TAKEN and statuses["erin"] == actions.SENT
    assert "bob@example.org" not in [m.to[0] for m in mail.outbox]


@HARBOUR_HIDDEN
def test_a_crash_mid_run_does_not_resend_to_members_already_done(cast, busy_week, monkeypatch):
    real_send = actions.EmailMessage.send

    def crash_at_erin(message, *args, **kwargs):
        if message.to == ["erin@example.org"]:
            raise RuntimeError("the worker died")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(actions.EmailMessage, "send", crash_at_erin)
    with pytest.raises(RuntimeError):
        send()
    before = sorted(m.to[0] for m in mail.outbox)
    assert before == ["alice@example.org", "bob@example.org", "carol@example.org", "dave@example.org"]
    monkeypatch.setattr(actions.EmailMessage, "send", real_send)
    # erin's period was claimed before the crash, so she misses it rather than risking a second copy.
    outcomes = send()
    assert [o.username for o in outcomes] == ["frank"]
    assert sorted(m.to[0] for m in mail.outbox) == [*before, "frank@example.org"]


@HARBOUR_HIDDEN
def test_a_refused_mail_is_tried_again_next_run(cast, busy_week, monkeypatch):
    real_send = actions.EmailMessage.send

    def refuse_frank(message, *args, **kwargs):
        if message.to == ["frank@example.org"]:
            raise ConnectionRefusedError("mail server down")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(actions.EmailMessage, "send", refuse_frank)
    statuses = {o.username: o.status for o in send()}
    assert statuses["frank"] == actions.FAILED and statuses["bob"] == actions.SENT
    assert DigestPreference.objects.get(user=cast.frank).sent_until is None
    monkeypatch.setattr(actions.EmailMessage, "send", real_send)
    assert [(o.username, o.status) for o in send()] == [("frank", actions.SENT)]


def test_members_without_news_or_address_get_nothing(cast):
    cast.dave.email = ""
    cast.dave.save(update_fields=["email"])
    # The cast's founding happened at NOW, but founding events are not news for a digest.
    outcomes = send()
    assert {o.status for o in outcomes} == {actions.EMPTY}
    assert "dave" not in {o.username for o in outcomes}
    assert mail.outbox == []


@HARBOUR_HIDDEN
def test_send_digests_dry_run_sends_and_marks_nothing(cast, busy_week, monkeypatch):
    clock = types.SimpleNamespace(now=lambda: RUN)
    monkeypatch.setattr("councils.digests.management.commands.send_digests.timezone", clock)
    SUMMARY_CACHE.clear()
    out = io.StringIO()
    call_command("send_digests", "--dry-run", stdout=out)
    text = out.getvalue()
    assert (
        "bob: would be sent (2026-02-23 00:00 to 2026-03-02 00:00 UTC): Councils digest: 2026-02-23 to"
        in text
    )
    assert text.strip().endswith("Dry run, nothing sent: 6 due.")
    assert mail.outbox == [] and not DigestPreference.objects.filter(sent_until__isnull=False).exists()
    out = io.StringIO()
    call_command("send_digests", "--member", "bob", stdout=out)
    assert "bob: sent" in out.getvalue() and [m.to for m in mail.outbox] == [["bob@example.org"]]
    out = io.StringIO()
    call_command("send_digests", "--member", "bob", stdout=out)
    assert out.getvalue().strip() == "no digest due."


def test_send_digests_refuses_an_unknown_member(cast):
    with pytest.raises(CommandError, match="no account with username 'nobody'") as refused:
        call_command("send_digests", "--member", "nobody")
    assert refused.value.returncode == 2
    actions.set_digest_frequency(actor=cast.bob, frequency="never")
    out = io.StringIO()
    call_command("send_digests", "--member", "bob", stdout=out)
    assert "bob gets no digest" in out.getvalue()


@HARBOUR_HIDDEN
def test_the_task_sends_and_one_run_waits_for_the_next_midnight(cast, busy_week, settings, monkeypatch):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(tasks, "timezone", types.SimpleNamespace(now=lambda: RUN))
    assert tasks.schedule_digests() is True
    assert tasks.schedule_digests() is False  # one waits already: serve starting again adds none
    [waiting] = DBTaskResult.objects.filter(task_path=tasks.send_digests.module_path)
    DBTaskResult.objects.filter(id=waiting.id).update(status=TaskResultStatus.RUNNING)
    SUMMARY_CACHE.clear()
    assert tasks.send_digests.call() == len(mail.outbox) == 6
    [following] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert following.run_after == NEXT_DAY.replace(hour=0)


def test_a_countback_is_told_with_who_was_left_out_and_who_is_elected(cast):
    from datetime import timedelta

    from councils.core.rules.digests import Period
    from councils.digests.queries import list_council_lines
    from councils.record.sequencer import sequence_pending
    from tests.record.test_replay_elections import NOW, counted_back

    counted_back(cast)
    sequence_pending()
    period = Period(NOW - timedelta(days=1), NOW + timedelta(days=1))
    lines = [line.text for line in list_council_lines(council=cast.riverside, period=period)]
    recounted = next(t for t in lines if "was counted again" in t)
    assert recounted.startswith(
        "“Delegates of Riverside Depot to Eastside District” was counted again without Erin"
    )
    assert recounted.endswith(
        "who no longer had a vote when the result was certified: Bob Novak, Frank Costa elected."
    )


@pytest.mark.parametrize(
    ("withdrawn", "why"),
    [(False, "no ballots were cast"), (True, "every candidate withdrew or was withdrawn")],
)
def test_an_election_that_failed_is_told_with_why(cast, withdrawn, why):
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
    )
    bob = election_actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    closes_at = NOW + timedelta(hours=1)
    election_actions.open_voting(actor=cast.alice, election=election, closes_at=closes_at, now=NOW)
    if withdrawn:
        election_actions.cast_ballot(actor=cast.erin, election=election, ranking=[str(bob.uuid)], now=NOW)
        election_actions.withdraw_all_candidacies(user=cast.bob, reason="expelled", now=NOW)
    election_actions.close_election(actor=None, election=election, now=closes_at)
    send()
    assert (
        f"“{election.title}” failed: {why}, so nobody was elected. The council may call a new election."
    ) in mail_to("bob").body


def erin_namesake(cast) -> User:
    """A second Erin Walsh among Riverside's founding members."""
    namesake = make_user("erin2", "Erin Walsh")
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=namesake, now=NOW)
    return namesake


def elect(cast, candidates, *, at=NOW):
    """Riverside elects `candidates` its delegates at `at`, each voter ranking them in that order."""
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", seats=len(candidates), now=at
    )
    ranking = [
        str(election_actions.nominate(actor=who, election=election, candidate=who, now=at).uuid)
        for who in candidates
    ]
    closes = at + timedelta(hours=1)
    election_actions.open_voting(actor=cast.alice, election=election, closes_at=closes, now=at)
    for voter in (cast.alice, cast.bob, *candidates):
        election_actions.cast_ballot(actor=voter, election=election, ranking=ranking, now=at)
    closed = election_actions.close_election(actor=cast.alice, election=election, now=closes)
    return election_actions.certify_election(actor=cast.alice, election=closed, now=closes)


def test_two_elected_who_share_a_name_are_told_apart_for_the_councils_participants(cast):
    election = elect(cast, [cast.erin, erin_namesake(cast)])
    send()
    body = mail_to("alice").body
    assert f"“{election.title}” counted: elected Erin Walsh (erin), Erin Walsh (erin2);" in body
    assert f"Result of “{election.title}” certified: Erin Walsh (erin), Erin Walsh (erin2)." in body
    assert "Erin Walsh (erin2)" in mail_to("erin2").body


def test_one_elected_is_told_apart_from_a_namesake_who_was_not(cast):
    erin_namesake(cast)
    election = elect(cast, [cast.erin])
    send()
    assert f"Result of “{election.title}” certified: Erin Walsh (erin)." in mail_to("bob").body


def test_names_alone_where_no_namesake_takes_part(cast):
    election = elect(cast, [cast.erin])
    send()
    assert f"Result of “{election.title}” certified: Erin Walsh." in mail_to("bob").body


def test_a_member_who_may_not_read_usernames_reads_names_alone(cast):
    erin_namesake(cast)
    # Frank, suspended, still hears of his council but may not read its member list.
    decided_against_frank(cast, penalty="suspension", days=30)
    election = elect(cast, [cast.erin, User.objects.get(username="erin2")], at=HEARING)
    period = Period(HEARING, HEARING + timedelta(days=1))
    said = {
        who.username: "\n".join(
            line.text
            for section in queries.build_digest(user=who, frequency="daily", period=period).sections
            for line in section.lines
        )
        for who in (cast.frank, cast.alice)
    }
    assert f"Result of “{election.title}” certified: Erin Walsh, Erin Walsh." in said["frank"]
    assert f"Result of “{election.title}” certified: Erin Walsh (erin), Erin Walsh (erin2)." in said["alice"]
