"""`councils verify`, `councils record export|verify` and `councils witness`: check the record offline.

Nothing here trusts the server: the checkpoint's signature, every entry's
hash, the tree's root, the witnesses' cosignatures and the consistency with
the last checkpoint this machine saw are all recomputed with councils.core.

A bundle is UTF-8 text: a first line of JSON
{"format": "councils-record-bundle/1", "checkpoint", "key", "size"}, then
one line per entry in log order: the entry's canonical bytes themselves
(JSON, which never holds a raw newline), or "#" and the base64 leaf hash for
an entry the exporter could not read.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import random
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from councils.cli.client import Api
from councils.cli.output import BAD_USAGE, CHECK_FAILED, CliError, emit_json
from councils.core.ledger import merkle, note
from councils.core.ledger.minutes import minutes_hash, minutes_problems
from councils.core.ledger.verify import (
    Verdict,
    check_consistency,
    check_entries,
    hash_leaves,
    open_signed_checkpoint,
    rotated_to,
)
from councils.core.wording import counted
from councils.files import written_whole

BUNDLE_FORMAT = "councils-record-bundle/1"
PAGE = 1000
# Bundles from this size (about 60,000 entries) are hashed in a second process while this one replays.
PARALLEL_BUNDLE_BYTES = 16_000_000


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = subparsers.add_parser(
        "verify",
        help="verify the public record of a server or a bundle, offline",
        description="Download (or read) the record, recompute every hash, check the signatures and "
        "the witnesses, check it extends what you saw last time, and replay the rules.",
    )
    source = verify.add_mutually_exclusive_group()
    source.add_argument("--bundle", metavar="FILE", help="verify an exported bundle instead of the server")
    _verify_options(verify)
    verify.set_defaults(handler=run_verify)

    record = subparsers.add_parser(
        "record",
        help="export or verify the record",
        description="Export the public record to a bundle file, or verify a bundle offline.",
    )
    sub = record.add_subparsers(dest="record_command", required=True, metavar="COMMAND")
    export = sub.add_parser(
        "export",
        help="write the record to a bundle file",
        description="Write the server's signed checkpoint, its key and every entry to a bundle file, "
        "to verify offline with `councils record verify` or keep.",
    )
    export.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the bundle to write ('-': stdout)"
    )
    export.set_defaults(handler=run_export)
    check = sub.add_parser(
        "verify", help="verify a bundle file", description="Same as `councils verify --bundle`."
    )
    check.add_argument("bundle", metavar="FILE", help="the bundle `councils record export` wrote")
    _verify_options(check)
    check.set_defaults(handler=run_verify)

    witness = subparsers.add_parser(
        "witness",
        help="run a witness that cosigns logs' checkpoints",
        description="Serve C2SP tlog-witness POST /add-checkpoint: cosign a checkpoint only when it is "
        "consistent with the last one this witness cosigned for the same log.",
    )
    witness.add_argument(
        "--state-dir", required=True, type=Path, help="keeps the witness key and checkpoints"
    )
    witness.add_argument(
        "--log", action="append", default=[], metavar="VKEY", help="a log to witness (repeat)"
    )
    witness.add_argument("--name", help="the witness's key name (default: witness-<host>-<port>)")
    witness.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    witness.add_argument("--port", type=_port, default=7380, help="the port to listen on (default: 7380)")
    witness.add_argument("--print-key", action="store_true", help="print the witness's vkey and exit")
    witness.set_defaults(handler=run_witness)


def _port(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535; got {value!r}")
    return int(value)


def _verify_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--require-witnesses", action="store_true", help="fail (not warn) when cosignatures are missing"
    )
    parser.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="VKEY",
        help="a witness key to check cosignatures against (repeat; default $COUNCILS_WITNESS_KEYS)",
    )
    parser.add_argument("--quorum", type=int, default=0, help="cosignatures needed (default: 1 if witnesses)")
    parser.add_argument(
        "--forget", action="store_true", help="do not compare with or store the last checkpoint"
    )
    parser.add_argument(
        "--seen",
        action="append",
        default=[],
        metavar="SIZE:FINGERPRINT",
        help="a record size and root fingerprint you were shown (in an e-mail digest, minutes or a page "
        "footer): check that the record's first SIZE entries still have that root (repeat)",
    )


def _parse_seen(values: list[str]) -> list[tuple[int, str]]:
    seen = []
    for value in values:
        size, _, fingerprint = value.partition(":")
        fingerprint = fingerprint.strip().lower()
        if (
            not size.strip().isdigit()
            or not 8 <= len(fingerprint) <= 64
            or any(c not in "0123456789abcdef" for c in fingerprint)
        ):
            raise CliError(
                f"--seen {value!r}: give the size and the root's fingerprint as SIZE:HEX, "
                "e.g. 1234:9f86d081884c7d65",
                code=BAD_USAGE,
            )
        seen.append((int(size), fingerprint))
    return seen


def _check_seen(
    seen: list[tuple[int, str]], checkpoint: note.Checkpoint, leaves: list[bytes], verdict: Verdict
) -> None:
    """Each size and fingerprint someone was shown must still be the root of the record's first entries."""
    for size, fingerprint in seen:
        if size > checkpoint.size:
            verdict.problems.append(
                f"You were shown a record of {counted(size, 'entry', 'entries')}, but it now has only "
                f"{checkpoint.size}: "
                "entries were removed, or this is not the log you were shown."
            )
        elif merkle.root_from_leaves(leaves[:size])[1].hex().startswith(fingerprint):
            verdict.notes.append(
                f"The record's first {counted(size, 'entry still has', 'entries still have')} the root "
                f"you were shown ({fingerprint})."
            )
        else:
            verdict.problems.append(
                f"The record's first {counted(size, 'entry no longer has', 'entries no longer have')} "
                f"the root you were shown ({fingerprint}): "
                "what you were told has been changed since."
            )


def _progress(done: int, total: int, what: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{what}: {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)


# Downloading.


def _decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CliError(f"{what} is not standard base64", code=CHECK_FAILED) from None


def _download(api: Api, size: int) -> Iterator[tuple[int, bytes | None, bytes | None]]:
    start = 0
    while start < size:
        body = api.get("/record/entries", start=start, end=size)
        entries = body.get("entries") if isinstance(body, dict) else None
        if not entries:
            raise CliError(f"the server returned no entries from {start}", code=CHECK_FAILED)
        for entry in entries:
            index = entry.get("index") if isinstance(entry, dict) else None
            # Each index a whole number past the one before: a server cannot send the download round again.
            if type(index) is not int or not start <= index < size:
                raise CliError(
                    f"the server sent {index!r} as the index of an entry from {start} to {size - 1}",
                    code=CHECK_FAILED,
                )
            data, leaf = entry.get("data"), entry.get("leaf_hash")
            if not isinstance(leaf, str) or not isinstance(data, str | None):
                raise CliError(f"entry {index}'s leaf hash or data is not text", code=CHECK_FAILED)
            yield (
                index,
                _decode(data, f"entry {index}") if data is not None else None,
                _decode(leaf, f"entry {index}'s leaf hash"),
            )
            start = index + 1
        _progress(start, size, "entries")


def _server_record(api: Api) -> tuple[str, str]:
    key = api.get("/record/key")
    checkpoint = api.get("/record/checkpoint")
    if not isinstance(key, str) or not isinstance(checkpoint, str):
        raise CliError("the server's record key or checkpoint is not text", code=CHECK_FAILED)
    return checkpoint, key.strip()


# Bundles.


def write_bundle(handle: Any, checkpoint: str, key: str, size: int, entries: Any) -> int:
    """Write a bundle to a binary file: canonical entry bytes never contain a newline, so one a line."""
    header = {"format": BUNDLE_FORMAT, "checkpoint": checkpoint, "key": key, "size": size}
    handle.write(json.dumps(header, ensure_ascii=False).encode() + b"\n")
    count = 0
    for _, data, leaf in entries:
        if data is not None:
            if b"\n" in data:
                raise CliError("an entry holds a raw newline, so it is not canonical", code=CHECK_FAILED)
            handle.write(data + b"\n")
        else:
            handle.write(b"#" + base64.b64encode(leaf) + b"\n")
        count += 1
    return count


def _hash_bundle(path: str) -> tuple[int, bytes, bytes]:
    return hash_leaves(read_bundle(path)[1])


def _check_bundle(
    path: str,
    entries: Iterator[tuple[int, bytes | None, bytes | None]],
    checkpoint: note.Checkpoint,
    verdict: Verdict,
) -> list[bytes]:
    """Check a bundle's entries and return their leaf hashes.

    A large bundle is hashed in a second process, which reads the file too,
    while this one replays the rules: on two cores verifying takes about the
    time of the replay alone. Where no second process can start, or it fails,
    the hashing happens here.
    """
    if (os.cpu_count() or 1) < 2 or os.path.getsize(path) < PARALLEL_BUNDLE_BYTES:
        leaves: list[bytes] = []
        check_entries(entries, checkpoint, verdict, leaves=leaves)
        return leaves
    hashed: list[tuple[int, bytes, bytes]] = []
    try:
        pool = ProcessPoolExecutor(max_workers=1)
        future = pool.submit(_hash_bundle, path)
    except (OSError, NotImplementedError, BrokenProcessPool):
        pool, future = None, None

    def tree() -> tuple[int, bytes]:
        try:
            hashed.append(future.result() if future is not None else _hash_bundle(path))
        except (OSError, BrokenProcessPool):
            hashed.append(_hash_bundle(path))
        size, root, _ = hashed[0]
        return size, root

    try:
        check_entries(entries, checkpoint, verdict, hashed=tree)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    joined = hashed[0][2]
    return [joined[i : i + merkle.HASH_SIZE] for i in range(0, len(joined), merkle.HASH_SIZE)]


def read_bundle(path: str) -> tuple[dict[str, Any], Iterator[tuple[int, bytes | None, bytes | None]]]:
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    try:
        header = json.loads(handle.readline())
    except ValueError:
        handle.close()
        raise CliError(f"{path} is not a Councils record bundle") from None
    if not isinstance(header, dict) or header.get("format") != BUNDLE_FORMAT:
        handle.close()
        raise CliError(f"{path} is not a {BUNDLE_FORMAT} file")

    def entries() -> Iterator[tuple[int, bytes | None, bytes | None]]:
        b64decode = binascii.a2b_base64
        with handle:
            for index, line in enumerate(handle):
                line = line.rstrip(b"\n")
                if not line.startswith(b"#"):
                    yield index, line, None
                    continue
                try:
                    yield index, None, b64decode(line[1:], strict_mode=True)
                except (binascii.Error, ValueError):
                    yield index, None, None

    return header, entries()


# Remembering the last checkpoint seen.


def _state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "councils" / "checkpoints"


def _state_file(origin: str, key: str) -> Path:
    digest = hashlib.sha256(f"{origin}\n{key}".encode()).hexdigest()[:32]
    return _state_dir() / f"{digest}.json"


def _read_state(path: Path) -> dict[str, Any]:
    try:
        seen = json.loads(path.read_text())
        return {
            "origin": str(seen["origin"]),
            "size": int(seen["size"]),
            "root": note.b64decode(seen["root"]),
            "key": str(seen["key"]),
        }
    except (ValueError, KeyError, TypeError, note.NoteError):
        raise CliError(f"{path} is damaged; remove it to start trusting this log afresh") from None
    except OSError as exc:
        raise CliError(f"cannot read the last checkpoint seen, {path}: {exc.strerror}") from None


def _load_previous(origin: str, key: str) -> dict[str, Any] | None:
    """The last checkpoint seen for this origin and key, else the largest for the origin under any key."""
    path = _state_file(origin, key)
    if path.exists():
        return _read_state(path)
    others = [_read_state(p) for p in _state_dir().glob("*.json")] if _state_dir().is_dir() else []
    others = [s for s in others if s["origin"] == origin]
    return max(others, key=lambda s: s["size"]) if others else None


def _save(verdict: Verdict, checkpoint_text: str) -> None:
    path = _state_file(verdict.origin, verdict.key)
    try:
        with written_whole(path) as handle:
            json.dump(
                {
                    "origin": verdict.origin,
                    "key": verdict.key,
                    "size": verdict.size,
                    "root": note.b64encode(verdict.root),
                    "checkpoint": checkpoint_text,
                },
                handle,
            )
    except OSError as exc:
        # The record checked out all the same; only next time's comparison is lost.
        verdict.warnings.append(
            f"Cannot keep this checkpoint in {path.parent} ({exc.strerror}), so the next verify "
            "cannot check that the log only grew since."
        )


# The checks.


def _witness_keys(args: argparse.Namespace) -> list[str]:
    """The witness keys given, each checked first: a key mistyped would otherwise only weaken the check."""
    given = [("--witness", key) for key in args.witness]
    given += [("$COUNCILS_WITNESS_KEYS", k) for k in os.environ.get("COUNCILS_WITNESS_KEYS", "").split()]
    for where, key in given:
        try:
            note.parse_vkey(key)
        except note.NoteError as exc:
            raise CliError(f"{where}: {key[:40]!r} is not a witness key: {exc}", code=BAD_USAGE) from None
    return [key for _, key in given]


def _verify(args: argparse.Namespace, seen: list[tuple[int, str]]) -> tuple[Verdict, str]:
    verdict = Verdict()
    witnesses = _witness_keys(args)
    bundle = getattr(args, "bundle", None)
    api: Api | None = None
    if bundle:
        header, entries = read_bundle(bundle)
        checkpoint_text, key = str(header.get("checkpoint", "")), str(header.get("key", ""))
    else:
        api = Api(args.server)
        checkpoint_text, key = _server_record(api)
    checkpoint = open_signed_checkpoint(
        checkpoint_text,
        key,
        witnesses=witnesses,
        quorum=args.quorum,
        require_witnesses=args.require_witnesses,
        verdict=verdict,
    )
    if checkpoint is None:
        return verdict, checkpoint_text
    if not witnesses:
        lines = checkpoint_text.count("\n\u2014 ") - 1
        message = "No witness keys were given (--witness), so no cosignature could be checked"
        message += (
            f" ({counted(lines, 'cosignature line', 'cosignature lines')} present)." if lines > 0 else "."
        )
        if args.require_witnesses:
            verdict.problems.append(message)
        else:
            verdict.warnings.append(message)
    if api is None:
        leaves = _check_bundle(str(bundle), entries, checkpoint, verdict)
    else:
        leaves = []
        check_entries(_download(api, checkpoint.size), checkpoint, verdict, leaves=leaves)
    if api is not None and checkpoint.size and not verdict.problems:
        _spot_check_proofs(api, checkpoint, leaves, verdict)
    if api is not None:
        _check_minutes(api, verdict)
    elif verdict.minutes.get("approved"):
        verdict.notes.append("Approved minutes are not in a bundle: `councils verify --server` checks them.")
    _check_seen(seen, checkpoint, leaves, verdict)
    if not args.forget:
        previous = _load_previous(checkpoint.origin, key)
        if previous is not None:
            if previous["key"] != key and not rotated_to(previous["key"], key, verdict.key_rotations):
                verdict.problems.append(
                    "The log is now signed by a key you have not seen before, and the record holds no "
                    "rotation to it endorsed by the key you trusted: this may not be the same log."
                )
            _check_previous(previous, checkpoint, leaves, api, verdict)
    return verdict, checkpoint_text


def _check_minutes(api: Api, verdict: Verdict) -> None:
    """Fetch each meeting's minutes the record approved: their hash, and the tallies they state, against it.

    Minutes a reader may see only with the names withheld are not the document
    whose hash the record holds; their tallies are compared all the same.
    """
    facts = verdict.minutes
    unseen = withheld = 0
    for meeting, digest in facts.get("approved", {}).items():
        try:
            body = api.get(f"/meetings/{meeting}/minutes")
        except CliError as exc:
            if exc.status != 404:
                raise
            unseen += 1
            continue
        document = body.get("document") if isinstance(body, dict) else None
        if not isinstance(document, dict):
            verdict.problems.append(f"The server sent no minutes document for meeting {meeting}.")
            continue
        if document.get("names_withheld"):
            withheld += 1
        elif minutes_hash(document) != digest:
            verdict.problems.append(
                f"Meeting {meeting}'s minutes are not the minutes the record approved (their hash differs)."
            )
        verdict.problems.extend(
            minutes_problems(
                document,
                name=f"Meeting {meeting}'s minutes",
                entries=facts["counts"],
                attended=facts["attended"].get(meeting, []),
            )
        )
    if unseen:
        verdict.notes.append(
            f"{counted(unseen, 'approved minutes document was', 'approved minutes documents were')} "
            "not checked (you may not read them)."
        )
    if withheld:
        verdict.notes.append(
            f"{counted(withheld, 'approved minutes document was', 'approved minutes documents were')} read "
            "with the names withheld: their tallies were checked, not their hash."
        )


def _spot_check_proofs(api: Api, checkpoint: note.Checkpoint, leaves: list[bytes], verdict: Verdict) -> None:
    """The server's proof API must agree with the tree: check a few inclusion proofs."""
    for index in {0, checkpoint.size - 1, random.randrange(checkpoint.size)}:
        body = api.get("/record/proof/inclusion", index=index, size=checkpoint.size)
        proof = [_decode(h, "a proof hash") for h in body["hashes"]]
        try:
            merkle.verify_inclusion(index, checkpoint.size, leaves[index], proof, checkpoint.root)
        except merkle.ProofError as exc:
            verdict.problems.append(f"The server's inclusion proof for entry {index} is wrong: {exc}.")


def _check_previous(
    previous: dict[str, Any],
    checkpoint: note.Checkpoint,
    leaves: list[bytes],
    api: Api | None,
    verdict: Verdict,
) -> None:
    size, root = previous["size"], previous["root"]
    if size > checkpoint.size:
        check_consistency(size, root, checkpoint, [], verdict)
        return
    if merkle.root_from_leaves(leaves[:size])[1] != root:
        verdict.problems.append(
            f"The first {counted(size, 'entry is not the one', 'entries are not the ones')} you saw last "
            "time: "
            "the record's history was rewritten."
        )
        return
    if api is not None:
        body = api.get("/record/proof/consistency", old=size, new=checkpoint.size)
        proof = [_decode(h, "a proof hash") for h in body["hashes"]]
        check_consistency(size, root, checkpoint, proof, verdict)


def _report(verdict: Verdict, args: argparse.Namespace) -> int:
    if args.json:
        emit_json(verdict.as_json())
    else:
        for warning in verdict.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if verdict.origin:
            print(
                f"Log {verdict.origin}: {counted(verdict.size, 'entry', 'entries')}, root "
                f"{verdict.root.hex()[:16]}…"
            )
        print(
            f"Replayed {counted(verdict.replayed, 'entry', 'entries')}; "
            f"{verdict.not_replayed} not replayed (you may not read them)."
        )
        for cosignature in verdict.cosignatures:
            print(f"Cosigned by {cosignature['witness']} at {cosignature['time']}.")
        for line in verdict.notes:
            print(f"note: {line}")
        if verdict.ok:
            print("The record checks out.")
        else:
            print(f"The record does NOT check out ({counted(len(verdict.problems), 'problem', 'problems')}):")
            for problem in verdict.problems:
                print(f"  - {problem}")
    return 0 if verdict.ok else CHECK_FAILED


def run_verify(args: argparse.Namespace) -> int:
    if args.quorum < 0:
        raise CliError("--quorum cannot be negative", code=BAD_USAGE)
    verdict, checkpoint_text = _verify(args, _parse_seen(args.seen))
    if verdict.ok and not args.forget:
        _save(verdict, checkpoint_text)
    return _report(verdict, args)


def run_export(args: argparse.Namespace) -> int:
    if args.json and args.output == "-":
        raise CliError("-o - writes the bundle on stdout, where --json prints its summary: give -o FILE")
    api = Api(args.server)
    checkpoint_text, key = _server_record(api)
    try:
        checkpoint, _ = note.open_checkpoint(checkpoint_text, note.parse_vkey(key))
    except note.NoteError as exc:
        raise CliError(f"the server's checkpoint does not verify: {exc}", code=CHECK_FAILED) from None
    entries = _download(api, checkpoint.size)
    if args.output == "-":
        count = write_bundle(sys.stdout.buffer, checkpoint_text, key, checkpoint.size, entries)
    else:
        target = Path(args.output)
        tmp = target.with_name(target.name + ".part")
        try:
            with open(tmp, "wb") as handle:
                count = write_bundle(handle, checkpoint_text, key, checkpoint.size, entries)
            tmp.replace(target)
        except OSError as exc:
            raise CliError(f"cannot write {args.output}: {exc.strerror}") from None
    summary = {"output": args.output, "origin": checkpoint.origin, "size": count}
    if args.json:
        emit_json(summary)
    elif args.output != "-":
        print(f"Wrote {counted(count, 'entry', 'entries')} of {checkpoint.origin} to {args.output}.")
    return 0


def run_witness(args: argparse.Namespace) -> int:
    from councils.cli import witness

    return witness.serve(args)
