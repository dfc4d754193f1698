"""`manage.py serve` starts nothing it cannot serve correctly."""

from __future__ import annotations

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
