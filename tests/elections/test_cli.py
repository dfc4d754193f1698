"""`councils elections …` and `councils meetings …` against this test's Django app, over WSGI."""

from __future__ import annotations

import json
import re
import types
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.utils import timezone

from councils.accounts.tokens import issue_token
from councils.cli import client as cli_client
from councils.cli.main import main
from councils.elections import actions
from councils.elections.models import Election
from councils.meetings import actions as meeting_actions

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SERVER = "http://testserver"


@pytest.fixture
def cli(monkeypatch, tmp_path, cast):
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    app = get_wsgi_application()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    real_client = httpx.Client

    def client(*args, **kwargs):
        kwargs["transport"] = httpx.WSGITransport(app=app)
        return real_client(*args, **kwargs)

    proxy = types.SimpleNamespace(**{k: getattr(httpx, k) for k in dir(httpx) if not k.startswith("_")})
    proxy.Client = client
    monkeypatch.setattr(cli_client, "httpx", proxy)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))

    def run(user, *argv):
        if user is None:
            monkeypatch.delenv("COUNCILS_TOKEN", raising=False)
        else:
            monkeypatch.setenv("COUNCILS_TOKEN", issue_token(user=user, name="cli", now=NOW))
        return main(["--server", SERVER, *argv])

    yield run
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def election(cast):
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    for user in (cast.bob, cast.erin, cast.frank):
        actions.nominate(actor=user, election=election, candidate=user, now=NOW)
    return election


def test_list_show_nominate_vote_and_results(cli, cast, election, capsys, tmp_path):
    council = str(cast.riverside.uuid)
    assert cli(cast.bob, "elections", "list", "--council", council, "--json") == 0
    assert json.loads(capsys.readouterr().out)["count"] == 1
    assert cli(cast.alice, "elections", "nominate", str(election.uuid)) == 0
    assert "Nominated Alice Adeyemi: standing" in capsys.readouterr().out
    closes_at = (timezone.now() + timedelta(hours=1)).isoformat()
    for unreadable in ("tomorrow", closes_at[:16]):
        assert cli(cast.alice, "elections", "open", str(election.uuid), "--closes-at", unreadable) == 2
        assert "--closes-at must be an ISO 8601 time with its zone" in capsys.readouterr().err
    assert Election.objects.get(pk=election.pk).status == "nominating"
    assert cli(cast.bob, "elections", "open", str(election.uuid), "--closes-at", closes_at) == 2
    assert "403" in capsys.readouterr().err
    assert cli(cast.alice, "elections", "open", str(election.uuid), "--closes-at", closes_at) == 0
    assert "Voting is open until" in capsys.readouterr().out
    assert cli(cast.bob, "elections", "show", str(election.uuid)) == 0
    out = capsys.readouterr().out
    assert "Bob Novak" in out and "you may vote" in out and "the poll closes" in out
    assert (
        cli(cast.bob, "elections", "ballot", str(election.uuid), "--rank", "bob novak,Erin Walsh", "--yes")
        == 0
    )
    assert "cannot be changed" in capsys.readouterr().out
    assert cli(cast.bob, "elections", "ballot", str(election.uuid), "--rank", "Bob Novak", "--yes") == 2
    assert "already voted" in capsys.readouterr().err
    assert cli(cast.erin, "elections", "ballot", str(election.uuid), "--rank", "Nobody") == 2
    assert "is not a candidate" in capsys.readouterr().err
    for user in (cast.erin, cast.frank, cast.alice):
        assert (
            cli(user, "elections", "ballot", str(election.uuid), "--rank", "Erin Walsh,Frank Costa", "--yes")
            == 0
        )
    capsys.readouterr()
    assert cli(cast.alice, "elections", "close", str(election.uuid), "--yes") == 0
    assert "Closed and counted: 4 ballots" in capsys.readouterr().out
    assert cli(cast.carol, "elections", "results", str(election.uuid)) == 0
    out = capsys.readouterr().out
    assert "elected:" in out and "Erin Walsh" in out
    blt = tmp_path / "e.blt"
    assert cli(cast.carol, "elections", "blt", str(election.uuid), "-o", str(blt)) == 0
    election.refresh_from_db()
    capsys.readouterr()
    assert main(["count", str(blt), "--method", election.method, "--seed", election.seed, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == election.result


def test_results_say_which_tie_was_settled_by_lot(cli, cast, capsys):
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", seats=1, method="plurality", now=NOW
    )
    for user in (cast.bob, cast.erin):
        actions.nominate(actor=user, election=election, candidate=user, now=NOW)
    assert (
        cli(
            cast.alice,
            "elections",
            "open",
            str(election.uuid),
            "--closes-at",
            (timezone.now() + timedelta(hours=1)).isoformat(),
        )
        == 0
    )
    for user in (cast.bob, cast.erin):
        assert cli(user, "elections", "ballot", str(election.uuid), "--rank", user.name, "--yes") == 0
    actions.close_election(actor=None, election=election, now=timezone.now() + timedelta(hours=2))
    capsys.readouterr()
    assert cli(cast.carol, "elections", "results", str(election.uuid)) == 0
    out = capsys.readouterr().out
    [elected] = re.findall(r"^elected: (.+)$", out, re.M)
    [tie] = [line for line in out.splitlines() if line.startswith("tie at stage 1 (")]
    assert "between Bob Novak, Erin Walsh" in tie or "between Erin Walsh, Bob Novak" in tie
    assert tie.endswith(f": {elected} by lot")


def test_bad_usage_and_refusals_exit_2(cli, cast, election, capsys):
    assert cli(cast.bob, "elections", "show", "not-a-uuid") == 2
    assert cli(cast.dave, "elections", "nominate", str(election.uuid)) == 2
    assert "403" in capsys.readouterr().err
    assert cli(None, "elections", "ballot", str(election.uuid), "--rank", "x") == 2


def test_meetings_list_show_and_minutes(cli, cast, capsys, tmp_path):
    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW + timedelta(days=7),
        place="Canteen",
        now=NOW,
    )
    meeting_actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="report", title="Report", now=NOW)
    assert cli(cast.bob, "meetings", "list", "--council", str(cast.riverside.uuid)) == 0
    assert "General meeting" in capsys.readouterr().out
    assert cli(cast.bob, "meetings", "show", str(meeting.uuid)) == 0
    assert "1. Report" in capsys.readouterr().out
    assert cli(cast.bob, "meetings", "minutes", str(meeting.uuid), "--json") == 0
    assert json.loads(capsys.readouterr().out)["approved"] is False
    pdf = tmp_path / "m.pdf"
    assert cli(cast.bob, "meetings", "minutes", str(meeting.uuid), "--pdf", str(pdf)) == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_show_and_close_say_an_election_failed(cli, cast, election, capsys, monkeypatch):
    closes_at = timezone.now() + timedelta(hours=1)
    assert cli(cast.alice, "elections", "open", str(election.uuid), "--closes-at", closes_at.isoformat()) == 0
    monkeypatch.setattr(timezone, "now", lambda: closes_at)
    capsys.readouterr()
    failed = "No ballots were cast: nobody was elected. The council may call a new election."
    assert cli(cast.alice, "elections", "close", str(election.uuid), "--yes") == 0
    assert capsys.readouterr().out == f"Closed: {failed}\n"
    assert cli(cast.bob, "elections", "show", str(election.uuid)) == 0
    out = capsys.readouterr().out
    assert "  failed, 2 seats" in out and f"  {failed}\n" in out
    assert cli(cast.bob, "elections", "list", "--council", str(cast.riverside.uuid)) == 0
    assert f"{election.uuid}  failed" in capsys.readouterr().out


def test_show_and_close_say_an_election_failed_for_want_of_candidates(
    cli, cast, election, capsys, monkeypatch
):
    closes_at = timezone.now() + timedelta(hours=1)
    assert cli(cast.alice, "elections", "open", str(election.uuid), "--closes-at", closes_at.isoformat()) == 0
    assert cli(cast.alice, "elections", "ballot", str(election.uuid), "--rank", "Bob Novak", "--yes") == 0
    for user in (cast.bob, cast.erin, cast.frank):
        actions.withdraw_all_candidacies(user=user, reason="expelled", now=timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: closes_at)
    capsys.readouterr()
    failed = (
        "Every candidate withdrew or was withdrawn, so nobody was left to elect: nobody was elected. "
        "The council may call a new election."
    )
    assert cli(cast.alice, "elections", "close", str(election.uuid), "--yes") == 0
    assert capsys.readouterr().out == f"Closed: {failed}\n"
    assert cli(cast.bob, "elections", "show", str(election.uuid)) == 0
    assert f"  {failed}\n" in capsys.readouterr().out
    assert cli(cast.bob, "elections", "show", str(election.uuid), "--json") == 0
    assert json.loads(capsys.readouterr().out)["failure_reason"] == "no_candidates"
