"""`manage.py check --deploy` is clean with a production environment behind a TLS-terminating proxy."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.ops.sites import REPO


def _check(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COUNCILS_", "DATABASE_"))}
    env.pop("DEBUG", None)
    env.update(
        DJANGO_SETTINGS_MODULE="councils.config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        COUNCILS_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="councils.example.org",
        CSRF_TRUSTED_ORIGINS="https://councils.example.org",
        BEHIND_TLS_PROXY="1",
        SECURE_HSTS_SECONDS="31536000",
        EMAIL_URL="smtp+tls://branch:secret@mail.example.org:587",
    )
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_environment_passes_check_deploy(tmp_path: Path) -> None:
    result = _check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_the_proxy_setting_check_deploy_fails(tmp_path: Path) -> None:
    result = _check(tmp_path, BEHIND_TLS_PROXY="0")
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W012" in result.stderr


def test_debug_on_fails_check_deploy(tmp_path: Path) -> None:
    result = _check(tmp_path, DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stderr
