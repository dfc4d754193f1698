"""`manage.py backup [-o FILE]`: a consistent database snapshot, var/ secrets and a manifest in one tar.gz."""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from councils import __version__
from councils.core.ledger.note import b64decode
from councils.core.wording import counted
from councils.ops import archive, database, highwater
from councils.ops.highwater import HighWater


class Command(BaseCommand):
    help = (
        "Write a backup: a consistent snapshot of the database, the var/ secrets (signing key, log id, "
        "ballot keys, secret key) and a manifest with the record's size and root, as one tar.gz (mode 0600)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "-o", "--output", help="file to write (default: councils-backup-<UTC time>.tar.gz here)"
        )
        parser.add_argument(
            "--database-format",
            choices=["auto", "native", "json"],
            default="auto",
            help="native: sqlite3 backup or pg_dump (auto falls back to json when pg_dump is missing)",
        )

    def handle(self, *args: Any, output: str | None, database_format: str, **options: Any) -> None:
        now = timezone.now()
        target = Path(output or f"councils-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz").resolve()
        if target.is_dir():
            raise CommandError(f"{target} is a directory; name the backup file to write", returncode=2)
        try:
            fmt = database.choose_format(database_format)
            with tempfile.TemporaryDirectory(prefix="councils-backup-") as work:
                # Ballot keys read before and after the snapshot: a vote that opens or closes meanwhile
                # still has its key in the backup whenever its rows are in the snapshot.
                secrets = archive.read_secrets()
                file_name, state, migrations = database.snapshot(Path(work), fmt)
                secrets = {**secrets, **archive.read_secrets()}
                db_path = Path(work) / file_name
                manifest = self._manifest(now, fmt, file_name, state.as_json(), migrations, db_path, secrets)
                archive.write(target, manifest=manifest, database=db_path, secrets=secrets)
        except (database.DatabaseError, OSError) as exc:
            raise CommandError(f"No backup was written: {exc}") from exc
        if state.checkpoint is not None:
            highwater.raise_to(
                HighWater(
                    origin=state.checkpoint["origin"],
                    size=state.checkpoint["size"],
                    root=b64decode(state.checkpoint["root"]),
                )
            )
        self.stdout.write(
            f"Wrote {target} ({target.stat().st_size} bytes, mode 0600): database as {fmt}, "
            f"record of {counted(state.size, 'entry', 'entries')} with root {state.as_json()['root']}, "
            f"{len(secrets)} secret files. Keep it somewhere other than this machine."
        )
        if "secret_key" not in secrets:
            self.stdout.write("SECRET_KEY comes from the environment and is not in the backup: keep it too.")

    def _manifest(
        self,
        now: Any,
        fmt: str,
        file_name: str,
        record: dict[str, Any],
        migrations: list[list[str]],
        db_path: Path,
        secrets: dict[str, bytes],
    ) -> dict[str, Any]:
        files = {file_name: _file_sha256(db_path)}
        files.update({archive.SECRET_PREFIX + name: archive.sha256(data) for name, data in secrets.items()})
        checkpoint = record.get("checkpoint")
        return {
            "format": archive.FORMAT,
            "created_at": now.isoformat(),
            "versions": {
                "councils": __version__,
                "django": django.get_version(),
                "python": platform.python_version(),
            },
            "database": {**database.describe(), "format": fmt, "file": file_name},
            "migrations": migrations,
            "origin": checkpoint["origin"] if checkpoint else _origin_if_known(),
            "record": record,
            "secret_key_from_environment": bool(os.environ.get("SECRET_KEY")),
            "files": files,
            "host": platform.node(),
            "var_dir": str(settings.VAR_DIR),
        }


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _origin_if_known() -> str | None:
    """The log's origin without creating a log id where none exists yet."""
    if not Path(settings.COUNCILS_LOG_ID_PATH).exists():
        return None
    from councils.record import signing

    return signing.origin()
