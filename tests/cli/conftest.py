"""What the tests of `councils` against a real server share."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from councils.accounts.tokens import issue_token
from councils.cli.main import main


class Terminal(io.StringIO):
    """Standard input as someone at a terminal types it."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def councils(live_server, tmp_path, monkeypatch, capsys):
    """Run `councils` as a user of the cast, with `typed` the answer they type at a terminal."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    for name in ("COUNCILS_PASSWORD", "COUNCILS_OTP", "COUNCILS_SERVER"):
        monkeypatch.delenv(name, raising=False)

    def run(user, *argv: str, typed: str | None = None) -> tuple[int, str, str]:
        monkeypatch.setenv("COUNCILS_TOKEN", issue_token(user=user, name="cli", now=timezone.now()))
        monkeypatch.setattr("sys.stdin", io.StringIO("") if typed is None else Terminal(typed))
        capsys.readouterr()
        code = main(["--server", live_server.url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
