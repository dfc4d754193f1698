"""`manage.py restore FILE`: put a backup back into an empty database, then prove the record is intact.

A restore never silently forks the log: if this installation may have
published a checkpoint beyond the backup (var/record_high_water, or the
database being replaced), it stops unless --accept-fork, and then the first
new entry, `record.restored`, names the entries that were lost.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from councils.core.ledger import merkle, note
from councils.core.ledger.note import b64decode, b64encode
from councils.core.wording import counted
from councils.ops import archive, database, highwater, recordcheck
from councils.ops.actions import record_restored
from councils.ops.highwater import HighWater

VERIFY_FAILED = 1


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into an empty database, restore the var/ secrets "
        "and verify the restored record against the backup's manifest. Stop the server first."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the backup (.tar.gz) to restore")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that is not empty (its rows are lost)"
        )
        parser.add_argument(
            "--published-checkpoint",
            metavar="FILE",
            help="a checkpoint the public holds (from a witness or a member's `councils verify` state): "
            "treat it as published, so a restore that would lose entries it covers stops",
        )
        parser.add_argument(
            "--accept-fork",
            action="store_true",
            help="restore even though checkpoints beyond the backup were published; record what was lost",
        )

    def handle(
        self,
        *args: Any,
        file: str,
        force: bool,
        accept_fork: bool,
        published_checkpoint: str | None,
        **options: Any,
    ) -> None:
        with tempfile.TemporaryDirectory(prefix="councils-restore-") as work:
            try:
                opened = archive.open_backup(Path(file), Path(work))
            except archive.ArchiveError as exc:
                raise CommandError(str(exc), returncode=2) from exc
            manifest = opened.manifest
            self._check_migrations(manifest)
            mark = self._high_water(force)
            backup = recordcheck.RecordState.from_json(manifest["record"])
            if published_checkpoint:
                mark = _higher(mark, self._published(Path(published_checkpoint), manifest))
            fork = _fork(mark, manifest.get("origin"), backup)
            if fork and not accept_fork:
                raise CommandError(
                    f"{fork}\nRestoring this backup would fork the public log: members and witnesses who "
                    "hold the later checkpoint would see the log rewritten. Restore a newer backup if you "
                    "have one. Otherwise run again with --accept-fork: the restored log then starts with a "
                    "record.restored entry that names the lost entries."
                )
            try:
                database.restore(opened.database, manifest["database"]["format"])
            except database.DatabaseError as exc:
                raise CommandError(f"The database was not restored: {exc}") from exc
            aside = Path(settings.VAR_DIR) / f"pre-restore-{timezone.now():%Y%m%dT%H%M%SZ}"
            written = archive.put_secrets(opened.secrets, aside=aside)
        # An accepted fork abandons the published history: the restored one need not extend it.
        self._verify(manifest, backup, None if fork else mark)
        if fork:
            self._record_fork(manifest, backup, mark)
        latest = recordcheck.read_state().checkpoint
        if latest is not None:
            new_mark = HighWater(latest["origin"], latest["size"], b64decode(latest["root"]))
            (highwater.reset if fork else highwater.raise_to)(new_mark)
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']}: {backup.entries} record entries, "
            f"log size {backup.size}, root {b64encode(backup.root)} (verified); "
            f"{len(written)} secret files into {settings.VAR_DIR}."
        )
        if aside.exists():
            self.stdout.write(f"Files the restore replaced are kept in {aside}.")
        if "secret_key" not in opened.secrets:
            self.stdout.write(
                "The backup holds no secret key: set SECRET_KEY as it was when the backup was made."
            )
        self._advise_migrate()

    def _check_migrations(self, manifest: dict[str, Any]) -> None:
        known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        unknown = [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known]
        if unknown:
            raise CommandError(
                f"The backup was made by Councils {manifest['versions']['councils']} with migrations this "
                f"installation does not have ({', '.join(unknown[:5])}). Install that version or newer "
                "first.",
                returncode=2,
            )

    def _high_water(self, force: bool) -> HighWater | None:
        try:
            mark = highwater.read()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        occupied = database.occupied_tables()
        if occupied and not force:
            listing = ", ".join(f"{table}: {count}" for table, count in sorted(occupied.items())[:8])
            raise CommandError(
                f"The database is not empty ({listing}). A restore replaces everything in it. Point "
                "DATABASE_URL at an empty database, or run again with --force to discard these rows."
            )
        if occupied and "record_checkpoint" in occupied:
            # The database about to be replaced may have published more than the high-water file knows.
            current = recordcheck.read_state().checkpoint
            if current is not None:
                candidate = HighWater(current["origin"], current["size"], b64decode(current["root"]))
                if mark is None or mark.origin != candidate.origin or candidate.size > mark.size:
                    mark = candidate
        return mark

    def _published(self, path: Path, manifest: dict[str, Any]) -> HighWater:
        """Read a checkpoint note the public holds; check its signature when the backup knows the key."""
        try:
            opened = note.parse_note(path.read_text())
            checkpoint = note.parse_checkpoint_body(opened.body)
        except (OSError, UnicodeDecodeError, note.NoteError) as exc:
            raise CommandError(f"{path} is not a readable signed checkpoint: {exc}", returncode=2) from exc
        known = (manifest["record"].get("checkpoint") or {}).get("key")
        verified = False
        if known:
            verifier = note.parse_vkey(known)
            signature = note.find_signature(opened, verifier)
            if signature is not None:
                try:
                    note.verify_signature(opened.body, signature, verifier)
                except note.NoteError as exc:
                    raise CommandError(
                        f"{path}: {exc}; it is not this log's checkpoint", returncode=2
                    ) from exc
                verified = True
        if not verified:
            self.stderr.write(
                f"{path} is not signed by the key in the backup (was the key rotated later?); "
                "it is taken as published without checking its signature."
            )
        return HighWater(origin=checkpoint.origin, size=checkpoint.size, root=checkpoint.root)

    def _verify(
        self, manifest: dict[str, Any], backup: recordcheck.RecordState, mark: HighWater | None
    ) -> None:
        from councils.record import signing
        from councils.record.verification import verify_database

        _, problems = recordcheck.verify(
            expected=backup, origin=signing.origin(), signing_vkey=signing.verifier().vkey()
        )
        if not problems:
            # The record's own full check: every checkpoint, and every app's rows against the record.
            problems.extend(verify_database())
        if mark is not None and mark.origin == manifest.get("origin") and 0 < mark.size <= backup.size:
            leaves = recordcheck.sequenced_leaves(mark.size)
            if merkle.root_from_leaves(leaves)[1] != mark.root:
                problems.append(
                    f"the restored log's first {counted(mark.size, 'entry does', 'entries do')} not hash "
                    "to the published "
                    "checkpoint's "
                    "root: this backup holds a different history than the one published"
                )
        if problems:
            report = "\n".join(f"  - {problem}" for problem in problems)
            raise CommandError(
                "The restore is NOT finished: the restored record does not match the backup.\n"
                f"{report}\nDo not start the server on this database. Restore another backup, or keep this "
                "report and the backup file for investigation.",
                returncode=VERIFY_FAILED,
            )

    def _record_fork(
        self, manifest: dict[str, Any], backup: recordcheck.RecordState, mark: HighWater | None
    ) -> None:
        from councils.record.sequencer import sequence_pending

        assert mark is not None
        lost_start = backup.size if mark.origin == manifest.get("origin") else 0
        record_restored(
            restored_size=backup.size,
            lost_start=lost_start,
            published_origin=mark.origin,
            published_size=mark.size,
            published_root=mark.root,
            backup_created_at=manifest["created_at"],
            now=timezone.now(),
        )
        sequence_pending()
        self.stdout.write(
            self.style.WARNING(
                f"The log is forked: entries {lost_start}..{mark.size - 1} of published log {mark.origin} "
                f"are lost. "
                f"Entry {backup.size} (record.restored) says so; tell your members and witnesses."
            )
        )

    def _advise_migrate(self) -> None:
        from django.db.migrations.executor import MigrationExecutor

        if MigrationExecutor(connection).migration_plan(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        ):
            self.stdout.write(
                "This Councils has newer migrations than the backup: run `manage.py migrate` now."
            )


def _higher(mark: HighWater | None, other: HighWater) -> HighWater:
    if mark is None or other.origin != mark.origin or other.size > mark.size:
        return other
    return mark


def _fork(mark: HighWater | None, origin: str | None, backup: recordcheck.RecordState) -> str:
    """Why restoring `backup` would fork the published log, or "" when it would not."""
    if mark is None or mark.size == 0:
        return ""
    if origin != mark.origin:
        return (
            f"This installation published log {mark.origin} up to size {mark.size}, but the backup is of "
            f"log {origin or '(none)'}: all {mark.size} published entries would be lost."
        )
    if backup.size < mark.size:
        return (
            f"This installation published a checkpoint of size {mark.size}, but the backup's log has "
            f"{counted(backup.size, 'entry', 'entries')}: entries after size {backup.size} "
            f"({backup.size}..{mark.size - 1}) "
            "would be lost."
        )
    if backup.size == mark.size and backup.root != mark.root:
        return (
            f"The backup's log has the published size {mark.size} but a different root: it is a different "
            "history."
        )
    return ""
