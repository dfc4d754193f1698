"""The whole demo federation, loaded as `make run` loads it, matches what the README promises."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from councils.accounts.models import User
from councils.federation.models import Council, Membership, Office, Seat
from councils.meetings.models import Meeting
from councils.motions.models import Motion
from councils.record.models import Checkpoint
from councils.record.verification import verify_database


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for the module; the keys of its open polls are the module's alone."""
    keys = tmp_path_factory.mktemp("demo_ballot_keys")
    with override_settings(COUNCILS_BALLOT_KEY_DIR=keys), django_db_blocker.unblock():
        call_command("load_demo", "--if-empty")
        yield
        call_command("flush", "--no-input")


@pytest.mark.django_db
def test_demo_has_the_promised_federation(demo):
    kinds = {kind: Council.objects.filter(kind=kind).count() for kind in ("national", "city", "district")}
    assert kinds == {"national": 1, "city": 3, "district": 9}
    assert Council.objects.filter(kind="workplace").count() >= 40
    assert Membership.objects.filter(ended_at__isnull=True).count() >= 2000
    for kind in ("district", "city", "national"):
        for council in Council.objects.filter(kind=kind):
            assert Seat.objects.filter(council=council, ended_at__isnull=True).exists(), council.name


@pytest.mark.django_db
def test_demo_cast_holds_the_roles_the_readme_names(demo):
    riverside = Council.objects.get(name="Riverside Depot")
    alice = Office.objects.filter(council=riverside, user__username="alice", role="chair", ended_at=None)
    assert alice.exists()
    assert Office.objects.filter(council=riverside, user__username="carol", role="observer").exists()
    secretary = Office.objects.get(council=riverside, role="secretary", ended_at=None).user
    assert (secretary.username, secretary.display_name) == ("member0002", "Vera Fischer")
    assert Seat.objects.filter(
        from_council=riverside, council__name="Eastside District", user__username="bob", ended_at=None
    ).exists()
    assert Membership.objects.get(user__username="dave", ended_at=None).council.name == "Harbour Works"


def test_the_logins_printed_name_every_demo_user_and_who_they_are():
    from io import StringIO

    from councils.demo.management.commands.load_demo import Command

    out = StringIO()
    Command(stdout=out)._print_logins()
    printed = out.getvalue()
    logins = printed.splitlines()[0].split("): ", 1)[1].split(", ")
    assert logins == ["alice", "bob", "carol", "dave", "erin", "frank", "member0002"]
    for user in logins:
        assert f"{user}: " in printed, f"{user} is not described"


@pytest.mark.django_db
def test_demo_has_motions_in_every_state_and_minutes(demo):
    states = set(Motion.objects.values_list("state", flat=True))
    assert {"draft", "voting", "adopted", "rejected", "forwarded"} <= states
    assert Meeting.objects.filter(minutes_approved_at__isnull=False).exists()


@pytest.mark.django_db
def test_demo_matches_its_signed_record(demo):
    assert Checkpoint.objects.exists()
    assert verify_database() == []


@pytest.mark.django_db
def test_demo_loads_only_into_an_empty_database(demo):
    with pytest.raises(CommandError, match="empty"):
        call_command("load_demo")


@pytest.mark.django_db
def test_demo_officers_all_serve_fixed_terms(demo):
    elected = Office.objects.filter(ended_at__isnull=True).exclude(role="observer")
    assert elected.exists()
    assert not elected.filter(term_ends_at__isnull=True).exists()


@pytest.mark.django_db
def test_demo_news_reads_well_in_digests(demo):
    """Every kind of news a digest tells is in the demo, each line naming what it is about."""
    from datetime import timedelta

    from django.db.models import Max, Min

    from councils.core.rules.digests import Period
    from councils.digests.queries import DESCRIBED, list_council_lines
    from councils.record.models import Entry, Sequence

    span = Entry.objects.aggregate(since=Min("created_at"), until=Max("created_at"))
    period = Period(span["since"], span["until"] + timedelta(seconds=1))
    lines = [line for c in Council.objects.all() for line in list_council_lines(council=c, period=period)]
    events = dict(
        Sequence.objects.filter(index__in=[line.index for line in lines]).values_list("index", "entry__event")
    )
    told = {events[line.index] for line in lines}
    assert told == set(DESCRIBED)
    fallbacks = (
        "a motion",
        "an election",
        "a meeting",
        "an agenda petition",
        "an office holder",
        "a candidate",
    )
    for line in lines:
        assert not any(f" {fallback}" in line.text for fallback in fallbacks), line.text


@pytest.mark.django_db
def test_demo_record_replays_every_rule(demo):
    from tests.record.support import verify_genuine

    verdict = verify_genuine()
    assert verdict.problems == [], verdict.problems[:20]
    assert verdict.notes == []


@pytest.mark.django_db
def test_demo_puts_the_report_back_on_riversides_next_agenda(demo):
    from councils.meetings.models import AgendaItem, Meeting

    riverside = Council.objects.get(name="Riverside Depot")
    upcoming = Meeting.objects.get(council=riverside, status="scheduled")
    reports = [item.report for item in AgendaItem.objects.filter(meeting=upcoming, kind="report_back")]
    sitting = riverside.delegate_seats.filter(council=riverside.parent, ended_at__isnull=True)
    assert len(reports) == sitting.count() > 0, "one report back for each delegate sitting in the district"
    assert {r.seat_id for r in reports} == set(sitting.values_list("id", flat=True))
    assert all(r.council == riverside for r in reports)


@pytest.mark.django_db
def test_demo_has_a_riverside_meeting_in_session(demo):
    """Open with a quorum but people still absent, a debate under way and business still to come."""
    from councils.meetings import queries
    from councils.meetings.models import AgendaItem

    meeting = Meeting.objects.get(status="open")
    assert meeting.council.name == "Riverside Depot"
    quorum = queries.quorum(meeting=meeting)
    assert quorum.met and quorum.present < quorum.voters, quorum
    absent = {u.username for u in queries.list_absent(meeting=meeting)}
    assert {"bob", "carol"} <= absent
    assert {"alice", "member0002"}.isdisjoint(absent), "the chair and the secretary are there"
    items = queries.list_items(meeting=meeting)
    assert [i.status for i in items] == ["done", "current", "pending", "pending"]
    current = items[1]
    assert current.kind == AgendaItem.Kind.MOTION and current.motion.is_open
    speakers = [(s.user.username, s.status) for s in current.speakers.all() if s.status != "done"]
    assert speakers[0] == ("erin", "speaking")
    assert len([s for s in speakers if s[1] == "waiting"]) == 2
    present = set(meeting.attendance.values_list("user__username", flat=True))
    assert {username for username, _ in speakers} <= present, "only people present speak"


@pytest.mark.django_db
def test_demo_has_a_council_forming_that_dave_may_found(demo):
    from councils.membership.models import Formation

    [proposal] = Formation.objects.filter(parent__name="Eastside District", name="Harbour Night Shift")
    assert proposal.is_open and proposal.signatures.count() == 2
    client = Client()
    client.force_login(User.objects.get(username="dave"))
    page = client.get(f"/membership/formations/{proposal.uuid}/").content.decode()
    assert "Harbour Night Shift" in page and "Consent to found this council" in page


@pytest.mark.django_db
def test_the_rules_open_the_polls_of_the_by_elections_northgates_recall_left(demo):
    """Members stand in them, so when their nominations close the rules open their polls, failing none."""
    from councils.elections.actions import run_due_terms
    from councils.elections.models import Election

    waiting = list(Election.objects.filter(status="nominating", is_by_election=True).order_by("pk"))
    assert {(e.council.name, e.role, e.called_by_rules) for e in waiting} == {
        ("Northgate Depot", "", True),
        ("Northgate District", "chair", True),
    }
    run = run_due_terms(now=max(e.nominations_close_at for e in waiting))
    assert ([e.pk for e in run.opened], run.failed) == ([e.pk for e in waiting], [])


@pytest.mark.django_db
def test_the_rules_have_no_term_to_end_nor_election_to_run_at_load(demo):
    from django.utils import timezone

    from councils.elections.actions import run_due_terms

    run = run_due_terms(now=timezone.now())
    assert (run.changed, run.refused) == (0, [])


@pytest.mark.django_db
def test_demo_still_matches_its_record_after_the_rules_sweeps(demo):
    """Terms ending, elections the rules run and petitions expiring over two years keep it matching."""
    from datetime import timedelta

    from django.utils import timezone

    from councils.elections.actions import run_due_terms
    from councils.elections.models import Election
    from councils.mandates.actions import expire_recall_petitions
    from councils.petitions.actions import expire_agenda_petitions

    start = timezone.now()
    runs = [run_due_terms(now=start + timedelta(days=days)) for days in (15, 30, 45, 60, 400, 420, 440, 800)]
    expired = expire_recall_petitions(now=start + timedelta(days=800))
    expired += expire_agenda_petitions(now=start + timedelta(days=800))
    assert sum(run.changed for run in runs) > 0 and expired > 0
    assert Election.objects.filter(called_by__isnull=True, status__in=["failed", "certified"]).exists()
    assert verify_database() == []
