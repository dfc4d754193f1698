"""`manage.py serve` starts nothing it cannot serve correctly."""

from __future__ import annotations

import io
import signal
import socket
import subprocess

import pytest
from django.core.management import CommandError, call_command


def test_several_workers_need_redis(settings, monkeypatch):
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda *args, **kwargs: started.append(args))
    settings.REDIS_URL = ""
    with pytest.raises(CommandError, match="Set REDIS_URL to serve with more than one worker"):
        call_command("serve", "--workers", "2")
    with pytest.raises(CommandError, match="--workers must be 1 or more"):
        call_command("serve", "--workers", "0")
    assert started == []


def test_serving_needs_the_static_files_collected(settings, tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda *args, **kwargs: started.append(args))
    # As `make run` serves, but with nothing collected (settings changes reset the storage).
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage"},
    }
    with pytest.raises(CommandError, match=r"run `manage\.py collectstatic --no-input` first"):
        call_command("serve")
    assert started == []


class _Process:
    """A started process, as `serve` sees one: running until it is stopped, or ended with `code`."""

    def __init__(self, code: int | None = None) -> None:
        self.code = code

    def poll(self) -> int | None:
        return self.code

    def wait(self, timeout: float | None = None) -> int:
        return self.code or 0

    def terminate(self) -> None:
        self.code = 0


def _serve(monkeypatch, port: int, server: _Process) -> tuple[int, str]:
    started = iter([_Process(), _Process(), server])  # the worker, the sequencer, then the server
    monkeypatch.setattr(subprocess, "Popen", lambda *args, **kwargs: next(started))
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("serve", "--port", str(port), stdout=out)
    return exit.value.code, out.getvalue()


@pytest.mark.django_db
def test_the_address_is_given_once_the_server_answers_on_it(monkeypatch):
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        code, said = _serve(monkeypatch, port, _Process())
    assert code == 0 and f"Councils is serving on http://127.0.0.1:{port}/" in said


@pytest.mark.django_db
def test_no_address_is_given_when_the_server_stops_before_it_answers(monkeypatch):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    code, said = _serve(monkeypatch, port, _Process(code=1))
    assert code == 1 and "serving on" not in said
