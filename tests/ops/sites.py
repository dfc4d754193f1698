"""Installations in temporary directories, driven through manage.py in subprocesses as an operator would."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
POPULATE = Path(__file__).with_name("populate_record.py")


@dataclass
class Site:
    """One installation: a database and a var/ directory, with production settings."""

    database_url: str
    var: Path

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COUNCILS_", "DATABASE_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="councils.config.settings",
            DATABASE_URL=self.database_url,
            COUNCILS_VAR_DIR=str(self.var),
            PYTHONDONTWRITEBYTECODE="1",
        )
        return env

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def ok(self, *args: str) -> str:
        result = self.manage(*args)
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def populate(self, name: str, members: int, *, sequence: bool = True, ballot_key: bool = False) -> None:
        flags = [flag for flag, on in (("--sequence", sequence), ("--ballot-key", ballot_key)) if on]
        result = subprocess.run(
            [sys.executable, str(POPULATE), name, str(members), *flags],
            cwd=REPO,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Run SQL on the site's database: directly for SQLite, through Django in a subprocess otherwise."""
        if self.database_url.startswith("sqlite:///"):
            rows = sqlite_rows(Path(self.database_url.removeprefix("sqlite:///")), sql)
            return [tuple(bytes(v).hex() if isinstance(v, bytes) else v for v in row) for row in rows]
        code = (
            "import json; from django.db import connection\n"
            "with connection.cursor() as c:\n"
            f"    c.execute({sql!r}); rows = c.fetchall()\n"
            "print(json.dumps([[bytes(v).hex() if isinstance(v, (bytes, memoryview)) else v for v in r] "
            "for r in rows], default=str))"
        )
        return [tuple(row) for row in json.loads(self.ok("shell", "--no-imports", "-c", code))]

    def count(self, table: str) -> int:
        return int(self.query(f"SELECT COUNT(*) FROM {table}")[0][0])

    def log(self) -> list[tuple[int, str, dict[str, Any]]]:
        """The sequenced entries: (index, event, document)."""
        rows = self.query(
            'SELECT s."index", e.event, e.data FROM record_sequence s '
            'JOIN record_entry e ON e.id = s.entry_id ORDER BY s."index"'
        )
        return [(int(i), str(event), json.loads(bytes.fromhex(data))) for i, event, data in rows]


def sqlite_site(root: Path, name: str) -> Site:
    root.mkdir(parents=True, exist_ok=True)
    return Site(database_url=f"sqlite:///{root / name}.sqlite3", var=root / f"{name}-var")


def manifest(backup: Path) -> dict[str, Any]:
    with tarfile.open(backup) as tar:
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        return dict(json.load(handle))


def members(backup: Path) -> dict[str, bytes]:
    with tarfile.open(backup) as tar:
        found = {}
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            assert handle is not None
            found[member.name] = handle.read()
        return found


def rewrite(backup: Path, target: Path, replace: dict[str, bytes], *, fix_checksums: bool) -> None:
    """Copy a backup with some members replaced, optionally with a manifest that vouches for them."""
    import hashlib

    files = members(backup)
    files.update(replace)
    if fix_checksums:
        data = json.loads(files["manifest.json"])
        for name, content in replace.items():
            data["files"][name] = hashlib.sha256(content).hexdigest()
        files["manifest.json"] = json.dumps(data).encode()
    import io

    with tarfile.open(target, "w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))


def sqlite_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return list(connection.execute(sql).fetchall())
