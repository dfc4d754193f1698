"""`manage.py backup` and `restore` on SQLite, run as an operator runs them (subprocesses, own var/)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops.sites import Site, manifest, members, rewrite, sqlite_rows, sqlite_site


@dataclass
class Source:
    site: Site
    older: Path  # taken after the first council
    newer: Path  # taken after a second council was added and its checkpoint signed


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with no rows, copied for every fresh installation."""
    site = sqlite_site(tmp_path_factory.mktemp("template"), "db")
    site.ok("migrate", "--no-input", "-v", "0")
    path = Path(site.database_url.removeprefix("sqlite:///"))
    # Fold the write-ahead log into the file, so that copying the one file copies everything.
    sqlite_rows(path, "PRAGMA wal_checkpoint(TRUNCATE)")
    sqlite_rows(path, "PRAGMA journal_mode=DELETE")
    return path


def fresh(root: Path, name: str, template: Path | None = None) -> Site:
    site = sqlite_site(root, name)
    if template is not None:
        shutil.copy(template, site.database_url.removeprefix("sqlite:///"))
    return site


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, template: Path) -> Source:
    root = tmp_path_factory.mktemp("source")
    site = fresh(root, "live", template)
    site.populate("Alpha", 4, ballot_key=True)
    older = root / "older.tar.gz"
    site.ok("backup", "-o", str(older))
    site.populate("Beta", 3)
    newer = root / "newer.tar.gz"
    site.ok("backup", "-o", str(newer))
    return Source(site=site, older=older, newer=newer)


def test_backup_is_private_and_its_manifest_describes_the_snapshot(source: Source) -> None:
    assert stat.S_IMODE(source.older.stat().st_mode) == 0o600
    files = members(source.older)
    data = manifest(source.older)
    snapshot = source.older.parent / "snapshot.sqlite3"
    snapshot.write_bytes(files["database.sqlite3"])
    (size,) = sqlite_rows(snapshot, "SELECT size FROM record_logstate")[0]
    assert data["record"]["size"] == size > 0
    assert data["record"]["checkpoint"]["size"] == size
    assert data["database"] == {
        "vendor": "sqlite",
        "server_version": sqlite3.sqlite_version,
        "format": "sqlite3",
        "file": "database.sqlite3",
    }
    assert data["versions"]["councils"]
    var = source.site.var
    assert files["var/federation_signing_key"] == (var / "federation_signing_key").read_bytes()
    assert files["var/log_id"] == (var / "log_id").read_bytes()
    assert files["var/secret_key"] == (var / "secret_key").read_bytes()
    assert [name for name in files if name.startswith("var/ballot_keys/")]
    assert data["origin"] == "councils.record/" + (var / "log_id").read_text().strip()


def test_backup_raises_the_high_water_mark(source: Source) -> None:
    mark = json.loads((source.site.var / "record_high_water").read_text())
    assert mark["size"] == manifest(source.newer)["record"]["size"] > manifest(source.older)["record"]["size"]
    assert mark["root"] == manifest(source.newer)["record"]["root"]


def test_restore_on_a_new_machine_verifies_and_keeps_the_log_going(source: Source, tmp_path: Path) -> None:
    target = fresh(tmp_path, "new")
    out = target.ok("restore", str(source.newer))
    assert "verified" in out
    assert target.log() == source.site.log()
    for name in ("federation_signing_key", "log_id", "secret_key"):
        assert (target.var / name).read_bytes() == (source.site.var / name).read_bytes()
        assert stat.S_IMODE((target.var / name).stat().st_mode) == 0o600
    assert sorted(p.name for p in (target.var / "ballot_keys").iterdir()) == sorted(
        p.name for p in (source.site.var / "ballot_keys").iterdir()
    )
    before = len(target.log())
    target.populate("Gamma", 1)
    after = target.query("SELECT key FROM record_checkpoint ORDER BY id")
    assert len(target.log()) > before
    assert {key for (key,) in after} == {manifest(source.newer)["record"]["checkpoint"]["key"]}


def test_restore_into_a_migrated_empty_database_succeeds(
    source: Source, template: Path, tmp_path: Path
) -> None:
    target = fresh(tmp_path, "migrated", template)
    target.ok("restore", str(source.newer))
    assert target.log() == source.site.log()


def test_restore_refuses_a_database_with_rows_until_forced(
    source: Source, template: Path, tmp_path: Path
) -> None:
    target = fresh(tmp_path, "busy", template)
    target.populate("Delta", 2, sequence=False)
    entries = target.count("record_entry")
    refused = target.manage("restore", str(source.newer))
    assert refused.returncode == 1
    assert (
        "not empty" in refused.stderr and "record_entry: " in refused.stderr and "--force" in refused.stderr
    )
    assert target.count("record_entry") == entries
    target.ok("restore", "--force", str(source.newer))
    assert target.log() == source.site.log()
    assert target.query("SELECT COUNT(*) FROM federation_council WHERE name = 'Delta'") == [(0,)]


def test_forcing_over_a_log_that_published_checkpoints_is_a_fork(
    source: Source, template: Path, tmp_path: Path
) -> None:
    target = fresh(tmp_path, "other-log", template)
    target.populate("Epsilon", 1)
    refused = target.manage("restore", "--force", str(source.newer))
    assert refused.returncode == 1
    assert "fork" in refused.stderr and "--accept-fork" in refused.stderr
    assert target.query("SELECT COUNT(*) FROM federation_council WHERE name = 'Epsilon'") == [(1,)]


def test_restoring_an_older_backup_after_a_newer_checkpoint_refuses_to_fork(
    source: Source, tmp_path: Path
) -> None:
    target = fresh(tmp_path, "lost-db")
    shutil.copytree(source.site.var, target.var)
    key = (target.var / "federation_signing_key").read_bytes()
    older, newer = manifest(source.older)["record"]["size"], manifest(source.newer)["record"]["size"]
    refused = target.manage("restore", str(source.older))
    assert refused.returncode == 1
    assert f"entries after size {older} ({older}..{newer - 1}) would be lost" in refused.stderr
    assert "fork the public log" in refused.stderr
    assert sqlite_rows(
        Path(target.database_url.removeprefix("sqlite:///")), "SELECT COUNT(*) FROM sqlite_master"
    ) == [(0,)]
    assert (target.var / "federation_signing_key").read_bytes() == key


def test_accepting_a_fork_records_the_lost_entries_first(source: Source, tmp_path: Path) -> None:
    target = fresh(tmp_path, "forked")
    shutil.copytree(source.site.var, target.var)
    older, newer = manifest(source.older)["record"]["size"], manifest(source.newer)["record"]["size"]
    out = target.ok("restore", "--accept-fork", str(source.older))
    assert "forked" in out
    log = target.log()
    assert len(log) == older + 1
    index, event, document = log[-1]
    assert (index, event) == (older, "record.restored")
    mark = json.loads((source.site.var / "record_high_water").read_text())
    assert document["payload"]["lost"] == {"origin": mark["origin"], "start": older, "end": newer}
    assert document["payload"]["published_root"] == mark["root"]
    assert json.loads((target.var / "record_high_water").read_text())["size"] == older + 1


def test_restoring_the_newest_backup_after_losing_the_database_is_no_fork(
    source: Source, tmp_path: Path
) -> None:
    target = fresh(tmp_path, "recovered")
    shutil.copytree(source.site.var, target.var)
    target.ok("restore", str(source.newer))
    assert target.log() == source.site.log()


def test_tampered_record_fails_verification(source: Source, tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.sqlite3"
    snapshot.write_bytes(members(source.newer)["database.sqlite3"])
    with closing(sqlite3.connect(snapshot)) as connection:
        # Whoever edits a backup can drop the triggers; verification must still catch it.
        connection.execute("DROP TRIGGER record_entry_no_update")
        changed = connection.execute(
            "UPDATE record_entry "
            "SET data = CAST(REPLACE(CAST(data AS TEXT), '\"event\"', '\"evenT\"') AS BLOB) "
            "WHERE id = (SELECT MAX(id) FROM record_entry)"
        ).rowcount
        connection.commit()
    assert changed == 1
    tampered = tmp_path / "tampered.tar.gz"
    rewrite(source.newer, tampered, {"database.sqlite3": snapshot.read_bytes()}, fix_checksums=True)
    target = fresh(tmp_path, "target")
    result = target.manage("restore", str(tampered))
    assert result.returncode == 1
    assert "NOT finished" in result.stderr
    assert "do not hash to the stored leaf hash" in result.stderr


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("checksum", "does not match its checksum"),
        ("not-a-backup", "not a Councils backup"),
        ("missing", "does not exist"),
    ],
)
def test_damaged_backup_is_refused_before_anything_changes(
    source: Source, template: Path, tmp_path: Path, damage: str, message: str
) -> None:
    target = fresh(tmp_path, "target", template)
    path = tmp_path / "damaged.tar.gz"
    if damage == "checksum":
        rewrite(source.newer, path, {"var/log_id": b"0" * 32}, fix_checksums=False)
    elif damage == "not-a-backup":
        path.write_bytes(b"hello")
    result = target.manage("restore", str(path))
    assert result.returncode == 2
    assert message in result.stderr
    assert target.count("record_entry") == 0
    assert not (target.var / "log_id").exists()


def test_json_database_format_round_trips(source: Source, tmp_path: Path) -> None:
    backup = tmp_path / "json.tar.gz"
    source.site.ok("backup", "--database-format", "json", "-o", str(backup))
    assert manifest(backup)["database"]["format"] == "django-json"
    target = fresh(tmp_path, "from-json")
    assert "verified" in target.ok("restore", str(backup))
    assert target.log() == source.site.log()
    assert target.count("accounts_user") == source.site.count("accounts_user")


def test_backup_without_a_database_says_to_migrate(tmp_path: Path) -> None:
    result = fresh(tmp_path, "nothing").manage("backup", "-o", str(tmp_path / "x.tar.gz"))
    assert result.returncode == 1
    assert "run `manage.py migrate` first" in result.stderr
    assert not (tmp_path / "x.tar.gz").exists()


def test_backup_to_a_directory_is_bad_usage(source: Source, tmp_path: Path) -> None:
    result = source.site.manage("backup", "-o", str(tmp_path))
    assert result.returncode == 2
    assert "is a directory" in result.stderr


def test_backups_from_before_and_after_a_key_rotation_both_restore_and_verify(
    template: Path, tmp_path: Path
) -> None:
    site = fresh(tmp_path, "rotating", template)
    site.populate("Rho", 2)
    before, after = tmp_path / "before.tar.gz", tmp_path / "after.tar.gz"
    site.ok("backup", "-o", str(before))
    old_key = (site.var / "federation_signing_key").read_bytes()
    site.ok("rotate_signing_key")
    new_key = (site.var / "federation_signing_key").read_bytes()
    assert new_key != old_key
    site.ok("backup", "-o", str(after))
    assert [name for name in members(after) if name.startswith("var/retired_signing_keys/")]

    old = fresh(tmp_path, "restored-before")
    assert "verified" in old.ok("restore", str(before))
    assert (old.var / "federation_signing_key").read_bytes() == old_key
    old.ok("verify_record")

    new = fresh(tmp_path, "restored-after")
    assert "verified" in new.ok("restore", str(after))
    assert (new.var / "federation_signing_key").read_bytes() == new_key
    assert [p.read_bytes() for p in new.var.glob("federation_signing_key.retired-*")] == [old_key]
    assert new.log()[-1][1] == "record.key_rotated"
    new.ok("verify_record")
    new.populate("Sigma", 1)
    new.ok("verify_record")


def _mark(site: Site, *, origin: str, size: int, root: bytes) -> None:
    import base64

    site.var.mkdir(parents=True, exist_ok=True)
    (site.var / "record_high_water").write_text(
        json.dumps({"origin": origin, "size": size, "root": base64.b64encode(root).decode()})
    )


def test_a_backup_of_the_published_size_but_another_history_is_a_fork(source: Source, tmp_path: Path) -> None:
    data = manifest(source.newer)
    target = fresh(tmp_path, "other-history")
    _mark(target, origin=data["origin"], size=data["record"]["size"], root=b"\x07" * 32)
    refused = target.manage("restore", str(source.newer))
    assert refused.returncode == 1
    assert "different root" in refused.stderr and "fork" in refused.stderr
    assert sqlite_rows(
        Path(target.database_url.removeprefix("sqlite:///")), "SELECT COUNT(*) FROM sqlite_master"
    ) == [(0,)]


def test_a_longer_backup_that_does_not_extend_the_published_log_fails_verification(
    source: Source, tmp_path: Path
) -> None:
    data = manifest(source.older)
    target = fresh(tmp_path, "diverged")
    _mark(target, origin=data["origin"], size=data["record"]["size"], root=b"\x07" * 32)
    result = target.manage("restore", str(source.newer))
    assert result.returncode == 1
    assert "NOT finished" in result.stderr
    assert (
        f"first {data['record']['size']} entries do not hash to the published checkpoint's root"
        in result.stderr
    )


def test_another_log_published_here_is_a_fork(source: Source, tmp_path: Path) -> None:
    target = fresh(tmp_path, "other-origin")
    _mark(target, origin="councils.record/another", size=3, root=b"\x07" * 32)
    refused = target.manage("restore", str(source.newer))
    assert refused.returncode == 1
    assert "published log councils.record/another up to size 3" in refused.stderr


def test_a_checkpoint_the_public_holds_stops_a_restore_that_would_lose_it(
    source: Source, tmp_path: Path
) -> None:
    held = tmp_path / "checkpoint.txt"
    held.write_text(manifest(source.newer)["record"]["checkpoint"]["note"])
    older, newer = manifest(source.older)["record"]["size"], manifest(source.newer)["record"]["size"]
    target = fresh(tmp_path, "new-machine")
    refused = target.manage("restore", "--published-checkpoint", str(held), str(source.older))
    assert refused.returncode == 1
    assert f"entries after size {older} ({older}..{newer - 1}) would be lost" in refused.stderr
    assert "without checking its signature" not in refused.stderr
    target.ok("restore", "--published-checkpoint", str(held), "--accept-fork", str(source.older))
    assert target.log()[-1][2]["payload"]["lost"]["end"] == newer


def test_a_published_checkpoint_that_is_not_a_checkpoint_is_bad_input(source: Source, tmp_path: Path) -> None:
    held = tmp_path / "checkpoint.txt"
    held.write_text("hello\n")
    result = fresh(tmp_path, "t").manage("restore", "--published-checkpoint", str(held), str(source.older))
    assert result.returncode == 2
    assert "is not a readable signed checkpoint" in result.stderr
