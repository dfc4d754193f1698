"""With no environment at all (the `make run` layout), backup and restore use var/ next to the code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.ops.sites import REPO, manifest


def _copy_of_the_code(root: Path) -> Path:
    shutil.copytree(REPO / "councils", root / "councils", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "manage.py", root / "manage.py")
    return root


def _manage(root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COUNCILS_", "DATABASE_"))}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_make_run_layout_backs_up_and_restores_var_beside_the_code(tmp_path: Path) -> None:
    live = _copy_of_the_code(tmp_path / "live")
    _manage(live, "migrate", "--no-input", "-v", "0")
    _manage(live, "sign_checkpoint")
    backup = tmp_path / "backup.tar.gz"
    _manage(live, "backup", "-o", str(backup))
    assert manifest(backup)["var_dir"] == str(live / "var")
    assert manifest(backup)["record"]["checkpoint"]["size"] == 0

    spare = _copy_of_the_code(tmp_path / "spare")
    assert "verified" in _manage(spare, "restore", str(backup))
    assert (spare / "var" / "councils.sqlite3").exists()
    for name in ("federation_signing_key", "log_id", "secret_key"):
        assert (spare / "var" / name).read_bytes() == (live / "var" / name).read_bytes()
