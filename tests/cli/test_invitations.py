"""`councils invitations`, run against a real server."""

from __future__ import annotations

import io
import json

import pytest
from django.core import mail

from councils.accounts.models import Invitation
from councils.cli.main import main
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    for name in ("COUNCILS_TOKEN", "COUNCILS_PASSWORD", "COUNCILS_OTP", "COUNCILS_SERVER"):
        monkeypatch.delenv(name, raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def login(capsys, monkeypatch, server: str, username: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert run(capsys, "--server", server, "login", "-u", username, "--password-stdin")[0] == 0


def test_officer_sends_lists_and_withdraws(cast, live_server, capsys, monkeypatch):
    server = live_server.url
    login(capsys, monkeypatch, server, "alice")
    council = str(cast.riverside.uuid)
    code, out, _ = run(
        capsys, "--server", server, "invitations", "send", council, "cli@example.org", "--json"
    )
    assert code == 0
    sent = json.loads(out)
    assert sent["email"] == "cli@example.org" and sent["council"] == council
    assert [m.to for m in mail.outbox] == [["cli@example.org"]]
    code, out, _ = run(capsys, "--server", server, "invitations", "list", council)
    assert code == 0 and "cli@example.org" in out and "waiting until" in out
    code, out, _ = run(capsys, "--server", server, "invitations", "withdraw", sent["uuid"], "--yes")
    assert code == 0 and "withdrawn" in out
    assert Invitation.objects.get().revoked_at is not None
    code, out, _ = run(capsys, "--server", server, "invitations", "list", council, "--json")
    assert json.loads(out)["items"][0]["revoked_at"] is not None


def test_member_may_not_invite(cast, live_server, capsys, monkeypatch):
    login(capsys, monkeypatch, live_server.url, "bob")
    code, out, err = run(
        capsys, "--server", live_server.url, "invitations", "send", str(cast.riverside.uuid), "x@example.org"
    )
    assert code == 2 and out == "" and "403" in err
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["invitations", "send", "not-a-uuid", "x@example.org"], "UUID"),
        (["invitations", "send", "00000000-0000-0000-0000-000000000000", "not-an-address"], "e-mail"),
        (["invitations", "withdraw", "nope"], "UUID"),
        (["invitations", "list", "nope"], "UUID"),
    ],
)
def test_bad_input_is_exit_2(capsys, argv, message):
    code, out, err = run(capsys, "--server", "http://127.0.0.1:9", *argv)
    assert code == 2 and out == "" and message in err


@pytest.mark.parametrize("command", ["send", "list", "withdraw"])
def test_help(capsys, command):
    code, out, _ = run(capsys, "invitations", command, "--help")
    assert code == 0 and "usage: councils invitations" in out
