"""The pieces of backup and restore, in process: the archive, the record check, emptiness and forks."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from councils.core.ledger import merkle
from councils.ops import archive, database, recordcheck
from councils.ops.highwater import HighWater
from councils.ops.management.commands.restore import _fork
from councils.record import signing
from councils.record.sequencer import sequence_pending


def _manifest(files: dict[str, bytes]) -> dict[str, object]:
    return {
        "format": archive.FORMAT,
        "database": {"file": "database.sqlite3"},
        "files": {name: archive.sha256(data) for name, data in files.items()},
    }


def test_archive_round_trips_and_is_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "database.sqlite3"
    db.write_bytes(b"rows")
    secrets = {"log_id": b"abc", "ballot_keys/v.key": b"k"}
    files = {"database.sqlite3": b"rows", **{f"var/{k}": v for k, v in secrets.items()}}
    target = tmp_path / "out" / "b.tar.gz"
    archive.write(target, manifest=_manifest(files), database=db, secrets=secrets)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    work = tmp_path / "work"
    work.mkdir()
    opened = archive.open_backup(target, work)
    assert opened.secrets == secrets
    assert opened.database.read_bytes() == b"rows"


def test_archive_lacking_a_listed_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "database.sqlite3"
    db.write_bytes(b"rows")
    manifest = _manifest({"database.sqlite3": b"rows", "var/log_id": b"abc"})
    archive.write(tmp_path / "b.tar.gz", manifest=manifest, database=db, secrets={})
    with pytest.raises(archive.ArchiveError, match="lacks files its manifest lists: var/log_id"):
        archive.open_backup(tmp_path / "b.tar.gz", tmp_path)


def test_archive_of_another_format_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "database.sqlite3"
    db.write_bytes(b"")
    archive.write(tmp_path / "b.tar.gz", manifest={"format": 99, "files": {}}, database=db, secrets={})
    with pytest.raises(archive.ArchiveError, match="format 99"):
        archive.open_backup(tmp_path / "b.tar.gz", tmp_path)


def test_secrets_put_back_move_what_they_replace_aside(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    settings.COUNCILS_SIGNING_KEY_PATH = tmp_path / "federation_signing_key"
    settings.COUNCILS_LOG_ID_PATH = tmp_path / "log_id"
    settings.COUNCILS_BALLOT_KEY_DIR = tmp_path / "ballot_keys"
    (tmp_path / "log_id").write_bytes(b"old")
    (tmp_path / "ballot_keys").mkdir()
    (tmp_path / "ballot_keys" / "stale.key").write_bytes(b"s")
    written = archive.put_secrets(
        {"log_id": b"new", "ballot_keys/../../escape.key": b"k", "unknown": b"x"}, aside=tmp_path / "aside"
    )
    assert written == ["ballot_keys/../../escape.key", "log_id"]
    assert (tmp_path / "log_id").read_bytes() == b"new"
    assert (tmp_path / "aside" / "log_id").read_bytes() == b"old"
    assert [p.name for p in (tmp_path / "ballot_keys").iterdir()] == ["escape.key"]
    assert (tmp_path / "aside" / "ballot_keys" / "stale.key").exists()
    assert not (tmp_path / "unknown").exists()


def test_record_state_and_verification_of_a_sound_log(cast) -> None:
    sequence_pending()
    state = recordcheck.read_state()
    assert state.size == state.entries > 0 and state.pending == 0
    found, problems = recordcheck.verify(
        expected=recordcheck.RecordState.from_json(json.loads(json.dumps(state.as_json()))),
        origin=signing.origin(),
        signing_vkey=signing.verifier().vkey(),
    )
    assert problems == []
    assert found == state


def test_verification_lists_every_difference(cast) -> None:
    sequence_pending()
    state = recordcheck.read_state()
    wrong = recordcheck.RecordState(
        size=state.size + 1, root=merkle.EMPTY_ROOT, entries=state.entries, pending=1, checkpoint=None
    )
    _, problems = recordcheck.verify(
        expected=wrong, origin="councils.record/other", signing_vkey="other+00+AA=="
    )
    text = "\n".join(problems)
    assert f"the backup's log has {state.size + 1} sequenced entries" in text
    assert "not the backup's" in text
    assert "(1 not yet sequenced)" in text
    assert "latest signed checkpoint is not the backup's" in text
    assert "but the restored log id makes 'councils.record/other'" in text
    assert "records no rotation to it" in text


def test_a_migrated_database_counts_as_empty(db) -> None:
    assert database.occupied_tables() == {}


def test_the_cast_occupies_tables(cast) -> None:
    occupied = database.occupied_tables()
    assert occupied["record_entry"] > 0 and occupied["federation_council"] == 5


STATE = recordcheck.RecordState(size=10, root=b"\x01" * 32, entries=10, pending=0, checkpoint=None)


@pytest.mark.parametrize(
    ("mark", "origin", "expected"),
    [
        (None, "o", ""),
        (HighWater("o", 0, merkle.EMPTY_ROOT), "o", ""),
        (HighWater("o", 10, b"\x01" * 32), "o", ""),
        (HighWater("o", 8, b"\x09" * 32), "o", ""),
        (HighWater("o", 12, b"\x01" * 32), "o", "entries after size 10 (10..11) would be lost"),
        (HighWater("o", 10, b"\x02" * 32), "o", "a different root"),
        (HighWater("p", 3, b"\x02" * 32), "o", "published log p up to size 3"),
    ],
)
def test_fork_is_named_only_when_published_entries_would_be_lost(
    mark: HighWater | None, origin: str, expected: str
) -> None:
    reason = _fork(mark, origin, STATE)
    assert (expected in reason) and (bool(reason) == bool(expected))
