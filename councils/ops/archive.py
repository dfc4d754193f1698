"""The backup file: one tar.gz holding manifest.json, the database snapshot and the var/ secrets.

Readable by the owner only (mode 0600): it holds the federation's signing
key and, during an open secret vote, that vote's ballot key.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from councils.files import written_whole

MANIFEST = "manifest.json"
FORMAT = 1
SECRET_PREFIX = "var/"
BALLOT_KEYS = "ballot_keys"
RETIRED_KEYS = "retired_signing_keys"


class ArchiveError(Exception):
    """The file is not a usable Councils backup; the message says why."""


def secret_paths() -> dict[str, Path]:
    """The var/ files a restore needs, by their name inside the backup, at this installation's paths."""
    return {
        "secret_key": Path(settings.VAR_DIR) / "secret_key",
        "federation_signing_key": Path(settings.COUNCILS_SIGNING_KEY_PATH),
        "log_id": Path(settings.COUNCILS_LOG_ID_PATH),
    }


def ballot_key_dir() -> Path:
    return Path(settings.COUNCILS_BALLOT_KEY_DIR)


def read_secrets() -> dict[str, bytes]:
    """The secrets as they are now: name inside the backup → bytes; key directories as <dir>/<file>."""
    found = {name: path.read_bytes() for name, path in secret_paths().items() if path.is_file()}
    signing_key = Path(settings.COUNCILS_SIGNING_KEY_PATH)
    # Keys replaced by `rotate_signing_key`: the log's older checkpoints were signed with them.
    for path in sorted(signing_key.parent.glob(f"{signing_key.name}.retired-*")):
        found[f"{RETIRED_KEYS}/{path.name}"] = path.read_bytes()
    directory = ballot_key_dir()
    if directory.is_dir():
        for path in sorted(directory.iterdir()):
            if path.is_file():
                try:
                    found[f"{BALLOT_KEYS}/{path.name}"] = path.read_bytes()
                except FileNotFoundError:
                    continue  # the vote closed while we listed its key
    return found


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def write(target: Path, *, manifest: dict[str, Any], database: Path, secrets: dict[str, bytes]) -> None:
    """Write the archive to `target` atomically, created with mode 0600 before any byte is written."""
    with written_whole(target, binary=True) as handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
        _add(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
        with database.open("rb") as db:
            info = tarfile.TarInfo(database.name)
            info.size = database.stat().st_size
            info.mode = 0o600
            tar.addfile(info, db)
        for name, data in sorted(secrets.items()):
            _add(tar, SECRET_PREFIX + name, data)


@dataclass
class Opened:
    manifest: dict[str, Any]
    database: Path
    secrets: dict[str, bytes]


def open_backup(source: Path, workdir: Path) -> Opened:
    """Read and check a backup: manifest, every checksum; the database is extracted into `workdir`."""
    try:
        tar = tarfile.open(source, mode="r:gz")  # noqa: SIM115 (closed by the `with` below)
    except FileNotFoundError:
        raise ArchiveError(f"{source} does not exist") from None
    except (tarfile.TarError, OSError) as exc:
        raise ArchiveError(f"{source} is not a Councils backup (not a readable tar.gz: {exc})") from None
    with tar:
        try:
            members = {member.name: member for member in tar.getmembers() if member.isfile()}
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ArchiveError(f"{source} is truncated or damaged: {exc}") from None
        if MANIFEST not in members:
            raise ArchiveError(f"{source} is not a Councils backup: it has no {MANIFEST}")
        manifest = json.loads(_read(tar, members[MANIFEST]))
        if manifest.get("format") != FORMAT:
            raise ArchiveError(
                f"{source} is a backup in format {manifest.get('format')!r}; this Councils reads {FORMAT}"
            )
        checksums: dict[str, str] = manifest["files"]
        missing = sorted(set(checksums) - set(members))
        if missing:
            raise ArchiveError(f"{source} lacks files its manifest lists: {', '.join(missing)}")
        secrets: dict[str, bytes] = {}
        database = workdir / manifest["database"]["file"]
        for name, expected in checksums.items():
            data = _read(tar, members[name])
            if sha256(data) != expected:
                raise ArchiveError(f"{name} in {source} does not match its checksum: the backup is damaged")
            if name.startswith(SECRET_PREFIX):
                secrets[name.removeprefix(SECRET_PREFIX)] = data
            elif name == database.name:
                database.write_bytes(data)
        return Opened(manifest=manifest, database=database, secrets=secrets)


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    if handle is None:
        raise ArchiveError(f"{member.name} cannot be read from the backup")
    try:
        return handle.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(f"{member.name} cannot be read from the backup: {exc}") from None


def put_secrets(secrets: dict[str, bytes], *, aside: Path) -> list[str]:
    """Write the backup's secrets to this installation's paths; move files they replace into `aside`."""
    written = []
    targets = secret_paths()
    ballot_dir = ballot_key_dir()
    if ballot_dir.exists():
        aside.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.replace(ballot_dir, aside / BALLOT_KEYS)
    ballot_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, data in sorted(secrets.items()):
        if name.startswith(BALLOT_KEYS + "/"):
            path = ballot_dir / Path(name).name
        elif name.startswith(RETIRED_KEYS + "/"):
            path = Path(settings.COUNCILS_SIGNING_KEY_PATH).parent / Path(name).name
        elif name in targets:
            path = targets[name]
        else:
            continue
        if path.exists():
            aside.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(path, aside / path.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        written.append(name)
    return written
