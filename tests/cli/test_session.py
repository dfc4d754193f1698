"""The account and council commands of `councils`, run against a real server."""

from __future__ import annotations

import io
import json

import pyotp
import pytest

from councils.accounts import actions, totp
from councils.accounts.models import ApiToken
from councils.cli.main import main
from tests.conftest import NOW, PASSWORD

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


def refused_in_json(capsys, *argv: str) -> dict:
    """Run with --json a command that fails: its message is on stderr and, as the one document, on stdout."""
    code, out, err = run(capsys, *argv, "--json")
    error = json.loads(out)["error"]
    assert code != 0 and error["exit"] == code
    assert err == f"councils: {error['message']}\n"
    return error


def login(capsys, monkeypatch, server: str, username: str = "bob", *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, _out, _err = run(capsys, "--server", server, "login", "-u", username, "--password-stdin", *extra)
    return code


def test_login_whoami_logout(cast, live_server, capsys, monkeypatch):
    server = live_server.url
    assert login(capsys, monkeypatch, server) == 0
    code, out, _ = run(capsys, "--server", server, "whoami", "--json")
    assert code == 0
    me = json.loads(out)
    assert me["username"] == "bob" and me["name"] == "Bob Novak"
    code, out, _ = run(capsys, "--server", server, "whoami")
    assert code == 0 and "Bob Novak (bob)" in out
    code, out, _ = run(capsys, "--server", server, "logout", "--json")
    assert code == 0 and json.loads(out) == {"server": server, "logged_out": True, "revoked": True}
    assert ApiToken.objects.filter(user=cast.bob, revoked_at__isnull=True).count() == 0
    code, _out, err = run(capsys, "--server", server, "whoami")
    assert code == 2 and "councils login" in err
    error = refused_in_json(capsys, "--server", server, "whoami")
    assert (error["exit"], error["status"], error["code"]) == (2, 401, "unauthenticated")
    assert "councils login" in error["message"]


def test_login_with_a_wrong_password_fails_cleanly(cast, live_server, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    code, out, err = run(capsys, "--server", live_server.url, "login", "-u", "bob", "--password-stdin")
    assert code == 2 and out == ""
    assert "Wrong username or password" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    error = refused_in_json(capsys, "--server", live_server.url, "login", "-u", "bob", "--password-stdin")
    assert (
        error["exit"] == 2
        and error["status"] in (400, 401)
        and "Wrong username or password" in error["message"]
    )


def test_login_with_two_factor(cast, live_server, capsys, monkeypatch):
    secret = totp.new_secret()
    actions.enable_totp(user=cast.erin, secret=secret, code=pyotp.TOTP(secret).now())
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, _out, err = run(capsys, "--server", live_server.url, "login", "-u", "erin", "--password-stdin")
    assert code == 2 and "--otp" in err
    assert login(capsys, monkeypatch, live_server.url, "erin", "--otp", pyotp.TOTP(secret).now()) == 0


def test_councils_list_and_show(cast, live_server, capsys, monkeypatch):
    server = live_server.url
    login(capsys, monkeypatch, server)
    code, out, _ = run(capsys, "--server", server, "councils", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert listed["count"] == 5 and len(listed["items"]) == 5
    code, out, _ = run(capsys, "--server", server, "councils", "list")
    assert code == 0 and "Riverside Depot" in out and "5 councils" in out
    code, out, _ = run(capsys, "--server", server, "councils", "show", str(cast.riverside.uuid), "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["name"] == "Riverside Depot"
    assert {o["role"] for o in shown["offices"]} == {"chair", "observer"}
    assert [s["person"]["username"] for s in shown["delegates_sent"]] == ["bob"]
    assert len(shown["members"]) == 4
    code, out, _ = run(capsys, "--server", server, "councils", "show", str(cast.district.uuid))
    assert code == 0 and "delegate sitting for Riverside Depot: Bob Novak" in out


def test_outsider_sees_no_member_list(cast, live_server, capsys, monkeypatch):
    login(capsys, monkeypatch, live_server.url, "dave")
    code, out, _ = run(
        capsys, "--server", live_server.url, "councils", "show", str(cast.riverside.uuid), "--json"
    )
    assert code == 0 and json.loads(out)["members"] is None


def test_show_with_bad_or_unknown_ids(cast, live_server, capsys, monkeypatch):
    login(capsys, monkeypatch, live_server.url)
    code, out, err = run(capsys, "--server", live_server.url, "councils", "show", "nope")
    assert code == 2 and out == "" and "UUID" in err
    unknown = "00000000-0000-0000-0000-000000000000"
    code, out, err = run(capsys, "--server", live_server.url, "councils", "show", unknown)
    assert code == 2 and out == "" and "404" in err
    error = refused_in_json(capsys, "--server", live_server.url, "councils", "show", unknown)
    assert (error["exit"], error["status"]) == (2, 404)
    error = refused_in_json(capsys, "--server", live_server.url, "councils", "show", "nope")
    assert error == {"message": error["message"], "exit": 2} and "UUID" in error["message"]


def test_tokens_list_create_and_revoke(cast, live_server, capsys, monkeypatch):
    server = live_server.url
    login(capsys, monkeypatch, server, "carol", "--token-name", "laptop")
    code, out, _ = run(capsys, "--server", server, "tokens", "create", "backup", "--json")
    assert code == 0
    created = json.loads(out)
    assert created["token"].startswith("cnl_")
    code, out, _ = run(capsys, "--server", server, "tokens", "list", "--json")
    assert code == 0
    names = {t["name"] for t in json.loads(out)["items"]}
    assert names == {"laptop", "backup"}
    code, out, _ = run(capsys, "--server", server, "tokens", "revoke", created["uuid"])
    assert code == 0 and "revoked" in out
    code, out, _ = run(capsys, "--server", server, "tokens", "list")
    assert code == 0 and "backup" not in out and "1 token\n" in out
    code, _out, err = run(capsys, "--server", server, "tokens", "revoke", created["uuid"])
    assert code == 2 and "404" in err
    code, _out, err = run(capsys, "--server", server, "tokens", "revoke", "not-a-uuid")
    assert code == 2 and "UUID" in err


def test_server_failure_exits_1(capsys):
    code, out, err = run(capsys, "--server", "http://127.0.0.1:9", "councils", "list")
    assert code == 1 and out == "" and "cannot reach" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["login", "--help"],
        ["logout", "--help"],
        ["whoami", "--help"],
        ["councils", "list", "--help"],
        ["councils", "show", "--help"],
        ["tokens", "list", "--help"],
        ["tokens", "create", "--help"],
        ["tokens", "revoke", "--help"],
    ],
)
def test_every_command_has_help_and_json(capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "usage: councils" in out
    code, _out, _err = run(capsys, *argv[:-1], "--json", "--help")
    assert code == 0
    code, _out, err = run(capsys, *argv[:-1], "--no-such-option")
    assert code == 2 and "error:" in err
    code, out, err = run(capsys, *argv[:-1], "--no-such-option", "--json")
    message = err.splitlines()[-1].partition(": error: ")[2]
    assert code == 2 and message and json.loads(out) == {"error": {"message": message, "exit": 2}}


def test_missing_arguments_are_usage_errors(capsys):
    code, _out, err = run(capsys, "councils", "show")
    assert code == 2 and "required" in err
    code, _out, err = run(capsys, "tokens")
    assert code == 2


def test_login_without_a_terminal_or_password_is_a_usage_error(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, err = run(capsys, "--server", "http://127.0.0.1:9", "login", "--password-stdin")
    assert code == 2 and out == "" and "username" in err
    code, out, err = run(capsys, "--server", "http://127.0.0.1:9", "login", "-u", "bob", "--password-stdin")
    assert code == 2 and out == "" and "password" in err


def test_a_token_revoked_elsewhere_says_so_and_how_to_go_on(cast, live_server, capsys, monkeypatch):
    server = live_server.url
    login(capsys, monkeypatch, server)
    ApiToken.objects.filter(user=cast.bob).update(revoked_at=NOW)
    # Even a public read is refused rather than answered as to someone who never logged in.
    for argv in (["whoami"], ["councils", "list"]):
        code, out, err = run(capsys, "--server", server, *argv)
        assert (code, out) == (2, "")
        assert err.startswith("councils: 401: The bearer token does not work")
        assert err.endswith("Log in again.\n")
        error = refused_in_json(capsys, "--server", server, *argv)
        assert (error["exit"], error["status"], error["code"]) == (2, 401, "invalid_token")
        assert error["message"].startswith("401: The bearer token does not work")
