"""`councils motions …` and `councils vote` against this test's Django app, over WSGI."""

from __future__ import annotations

import json
import types

import httpx
import pytest

from councils.accounts.tokens import issue_token
from councils.cli import client as cli_client
from councils.cli.main import main
from councils.motions import actions
from councils.motions.models import Motion, NamedBallot
from tests.motions.conftest import NOW

SERVER = "http://testserver"


@pytest.fixture
def cli(monkeypatch, tmp_path, cast):
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    app = get_wsgi_application()
    # As Django's test client does: the request must not close the test's own connection (PostgreSQL).
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


def test_table_second_vote_close_and_forward(cli, cast, capsys):
    council = str(cast.riverside.uuid)
    assert (
        cli(
            cast.bob,
            "motions",
            "table",
            "--council",
            council,
            "--title",
            "Canteen",
            "--text",
            "Open it.",
            "--json",
        )
        == 0
    )
    motion = json.loads(capsys.readouterr().out)
    assert motion["state"] == "draft"
    assert cli(cast.erin, "motions", "second", motion["uuid"]) == 0
    assert "Seconded, awaiting a vote" in capsys.readouterr().out
    assert cli(cast.alice, "motions", "open-vote", motion["uuid"], "--method", "named", "--json") == 0
    vote = json.loads(capsys.readouterr().out)
    assert cli(cast.bob, "vote", vote["uuid"], "yes") == 0
    assert "Your vote is recorded: yes" in capsys.readouterr().out
    assert cli(cast.bob, "motions", "show", motion["uuid"]) == 0
    assert "so far: 1 yes, 0 no, 0 abstain" in capsys.readouterr().out
    assert cli(cast.alice, "motions", "close", vote["uuid"], "--yes") == 0
    assert capsys.readouterr().out.startswith("adopted: 1 yes")
    assert cli(cast.alice, "motions", "ballots", vote["uuid"]) == 0
    assert "Bob Novak" in capsys.readouterr().out
    assert cli(cast.alice, "motions", "forward", motion["uuid"], "--json", "-y") == 0
    incoming = json.loads(capsys.readouterr().out)
    assert incoming["council"]["name"] == "Eastside District"
    assert cli(cast.bob, "motions", "list", "--council", str(cast.district.uuid), "--json") == 0
    assert json.loads(capsys.readouterr().out)["count"] == 1


def test_secret_vote_prints_receipt(cli, cast, motion, capsys):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    assert cli(cast.bob, "vote", str(vote.uuid), "no", "--json", "--yes") == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["secret"] and answer["choice"] is None and answer["receipt"]


def test_retry_with_same_key_does_not_vote_twice(cli, cast, motion, capsys):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named", allow_change=False)
    for _ in range(2):
        assert cli(cast.bob, "vote", str(vote.uuid), "yes", "--idempotency-key", "k-1", "--yes") == 0
    assert NamedBallot.objects.filter(vote=vote).count() == 1


def test_amend_from_file_and_withdraw(cli, cast, motion, capsys, tmp_path):
    text = tmp_path / "amendment.txt"
    text.write_text("Elect three safety reps.")
    assert cli(cast.frank, "motions", "amend", str(motion.uuid), "--file", str(text)) == 0
    assert "[-two-]{+three+}" in capsys.readouterr().out
    assert cli(cast.bob, "motions", "withdraw", str(motion.uuid), "--yes") == 0
    assert Motion.objects.get(pk=motion.pk).state == "withdrawn"


def test_refusals_and_bad_input_exit_non_zero(cli, cast, motion, capsys):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    assert cli(cast.carol, "vote", str(vote.uuid), "yes") == 2
    assert "403" in capsys.readouterr().err
    assert cli(cast.bob, "vote", "not-a-uuid", "yes") == 2
    assert "VOTE must be a UUID" in capsys.readouterr().err
    assert cli(None, "motions", "close", str(vote.uuid), "--yes") == 2
    assert "401" in capsys.readouterr().err
    assert cli(cast.bob, "motions", "amend", str(motion.uuid), "--file", "/nonexistent/x") == 2
    assert cli(cast.bob, "vote", str(vote.uuid), "maybe") == 2


def test_help_lists_commands(capsys):
    assert main(["motions", "--help"]) == 0
    out = capsys.readouterr().out
    for command in ("list", "show", "table", "second", "amend", "open-vote", "close", "forward", "withdraw"):
        assert command in out
