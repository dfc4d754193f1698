"""`manage.py backup` and `restore` on PostgreSQL: pg_dump/pg_restore, and the JSON fallback without them."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ops.sites import Site, manifest

DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")),
        reason="needs DATABASE_URL=postgres://… (these tests create and drop their own databases there)",
    ),
]


class Server:
    """The PostgreSQL server of DATABASE_URL, where each test gets databases of its own."""

    def __init__(self) -> None:
        import dj_database_url

        self.config: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL))
        self.made: list[str] = []

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(
            dbname="postgres",
            host=self.config["HOST"] or None,
            port=self.config["PORT"] or None,
            user=self.config["USER"] or None,
            password=self.config["PASSWORD"] or None,
            autocommit=True,
        )

    def create(self, template: str | None = None) -> str:
        name = f"test_ops_{secrets.token_hex(4)}"
        with self._admin() as connection:
            clause = f' TEMPLATE "{template}"' if template else ""
            connection.execute(f'CREATE DATABASE "{name}"{clause}')
        self.made.append(name)
        return name

    def url(self, name: str) -> str:
        return DATABASE_URL.rsplit("/", 1)[0] + "/" + name

    def drop_all(self) -> None:
        with self._admin() as connection:
            for name in self.made:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    server = Server()
    yield server
    server.drop_all()


@pytest.fixture(scope="module")
def template(server: Server, tmp_path_factory: pytest.TempPathFactory) -> str:
    name = server.create()
    site = Site(server.url(name), tmp_path_factory.mktemp("template") / "var")
    site.ok("migrate", "--no-input", "-v", "0")
    return name


@pytest.fixture(scope="module")
def source(server: Server, template: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Path]:
    root = tmp_path_factory.mktemp("source")
    site = Site(server.url(server.create(template)), root / "var")
    site.populate("Alpha", 4, ballot_key=True)
    site.populate("Beta", 2)
    backup = root / "backup.tar.gz"
    site.ok("backup", "-o", str(backup))
    return site, backup


def test_pg_dump_backup_restores_into_an_empty_database(
    source: tuple[Site, Path], server: Server, tmp_path: Path
) -> None:
    site, backup = source
    data = manifest(backup)
    assert data["database"]["vendor"] == "postgresql"
    assert data["database"]["format"] == "pg_dump-custom"
    target = Site(server.url(server.create()), tmp_path / "var")
    assert "verified" in target.ok("restore", str(backup))
    assert target.log() == site.log()
    assert len(target.log()) == data["record"]["size"]
    assert (target.var / "federation_signing_key").read_bytes() == (
        site.var / "federation_signing_key"
    ).read_bytes()


def test_restore_replaces_a_non_empty_database_only_when_forced(
    source: tuple[Site, Path], server: Server, template: str, tmp_path: Path
) -> None:
    site, backup = source
    target = Site(server.url(server.create(template)), tmp_path / "var")
    target.populate("Delta", 1, sequence=False)
    refused = target.manage("restore", str(backup))
    assert refused.returncode == 1
    assert "not empty" in refused.stderr
    target.ok("restore", "--force", str(backup))
    assert target.log() == site.log()
    assert target.query("SELECT COUNT(*) FROM federation_council WHERE name = 'Delta'") == [(0,)]


def test_without_pg_dump_the_backup_falls_back_to_json_and_restores(
    source: tuple[Site, Path], server: Server, tmp_path: Path
) -> None:
    site, _ = source
    backup = tmp_path / "json.tar.gz"
    env_path = os.environ.get("PATH", "")
    os.environ["PATH"] = str(tmp_path / "no-tools")
    try:
        site.ok("backup", "-o", str(backup))
    finally:
        os.environ["PATH"] = env_path
    assert manifest(backup)["database"]["format"] == "django-json"
    target = Site(server.url(server.create()), tmp_path / "var")
    assert "verified" in target.ok("restore", str(backup))
    assert target.log() == site.log()
    assert target.count("accounts_user") == site.count("accounts_user")


def test_accepted_fork_on_postgres_appends_record_restored(
    source: tuple[Site, Path], server: Server, tmp_path: Path
) -> None:
    _, backup = source
    live = Site(server.url(server.create()), tmp_path / "live-var")
    live.ok("restore", str(backup))
    live.populate("Later", 2)
    live.ok("backup", "-o", str(tmp_path / "later.tar.gz"))
    size = manifest(backup)["record"]["size"]
    lost_db = Site(server.url(server.create()), tmp_path / "lost-var")
    shutil.copytree(live.var, lost_db.var)
    refused = lost_db.manage("restore", str(backup))
    assert refused.returncode == 1 and f"entries after size {size}" in refused.stderr
    lost_db.ok("restore", "--accept-fork", str(backup))
    index, event, document = lost_db.log()[-1]
    assert (index, event) == (size, "record.restored")
    assert document["payload"]["lost"]["start"] == size
    assert document["payload"]["lost"]["end"] == manifest(tmp_path / "later.tar.gz")["record"]["size"]


def test_a_json_backup_moves_an_installation_from_sqlite_to_postgres(server: Server, tmp_path: Path) -> None:
    from tests.ops.sites import sqlite_site

    small = sqlite_site(tmp_path, "small")
    small.ok("migrate", "--no-input", "-v", "0")
    small.populate("Branch", 3, ballot_key=True)
    native, portable = tmp_path / "native.tar.gz", tmp_path / "portable.tar.gz"
    small.ok("backup", "-o", str(native))
    small.ok("backup", "--database-format", "json", "-o", str(portable))
    target = Site(server.url(server.create()), tmp_path / "pg-var")
    refused = target.manage("restore", str(native))
    assert refused.returncode == 1
    assert "holds a SQLite database" in refused.stderr and "--database-format json" in refused.stderr
    assert "verified" in target.ok("restore", str(portable))
    assert target.log() == small.log()
    target.ok("verify_record")
