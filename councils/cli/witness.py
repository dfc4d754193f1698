"""A small witness (C2SP tlog-witness) on the standard library's http.server.

POST /add-checkpoint with the body

    old <size>
    <base64 consistency proof hash>   (zero or more lines)

    <signed checkpoint note>

The witness checks the log's signature, that `old` is the size it last
cosigned for that origin (409 with its size otherwise), and the consistency
proof from that checkpoint to the new one (422 otherwise); then it stores the
new checkpoint and answers with its cosignature line (tlog-cosignature/v1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from councils.cli.output import CliError, emit_json
from councils.core.ledger import merkle, note
from councils.files import fsync_directory, written_whole

MAX_BODY = 1 << 20


class Refusal(Exception):
    def __init__(self, status: int, message: str, *, content_type: str = "text/plain; charset=utf-8") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.content_type = content_type


class Witness:
    """The witness's key, the logs it follows, and the last checkpoint it cosigned for each."""

    def __init__(self, state_dir: Path, name: str, logs: list[str]) -> None:
        self.state_dir = state_dir
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.signer = note.make_signer(name, self._key(), key_type=note.COSIGNATURE_V1)
        self.logs: dict[str, note.Verifier] = {}
        for vkey in logs:
            verifier = note.parse_vkey(vkey)
            if verifier.key_type != note.ED25519:
                raise note.NoteError(f"{verifier.name}: a log's key is an Ed25519 key")
            self.logs[verifier.name] = verifier
        self.lock = threading.Lock()

    def _key(self) -> Ed25519PrivateKey:
        path = self.state_dir / "witness_key.pem"
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
            )
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
            fsync_directory(self.state_dir)
        key = load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise CliError(f"{path} does not hold an Ed25519 key")
        return key

    def _state_path(self, origin: str) -> Path:
        import hashlib

        return self.state_dir / f"log-{hashlib.sha256(origin.encode()).hexdigest()[:32]}.json"

    def latest(self, origin: str) -> tuple[int, bytes]:
        path = self._state_path(origin)
        if not path.exists():
            return 0, merkle.EMPTY_ROOT
        try:
            stored = json.loads(path.read_text())
            return int(stored["size"]), note.b64decode(stored["root"])
        except (ValueError, KeyError, TypeError, note.NoteError):
            # Fail closed: without its last cosigned checkpoint the witness cannot tell a fork.
            raise Refusal(
                500, f"the witness's state {path} is damaged; it cosigns nothing until repaired\n"
            ) from None

    def _store(self, checkpoint: note.Checkpoint, text: str) -> None:
        # Durable before the cosignature leaves: after a crash the witness must not cosign a fork of it.
        with written_whole(self._state_path(checkpoint.origin)) as handle:
            json.dump(
                {
                    "origin": checkpoint.origin,
                    "size": checkpoint.size,
                    "root": note.b64encode(checkpoint.root),
                    "checkpoint": text,
                },
                handle,
            )

    def add_checkpoint(self, body: str) -> str:
        """Handle one add-checkpoint request body; return the cosignature line or raise Refusal."""
        head, separator, text = body.partition("\n\n")
        if not separator:
            raise Refusal(400, "the request has no blank line before the checkpoint")
        lines = head.split("\n")
        if not lines[0].startswith("old ") or not lines[0][4:].isdigit():
            raise Refusal(400, "the request starts with 'old <size>'")
        old = int(lines[0][4:])
        try:
            proof = [note.b64decode(line) for line in lines[1:]]
            parsed = note.parse_note(text)
            checkpoint = note.parse_checkpoint_body(parsed.body)
        except note.NoteError as exc:
            raise Refusal(400, str(exc)) from None
        log = self.logs.get(checkpoint.origin)
        if log is None:
            raise Refusal(404, f"this witness does not follow {checkpoint.origin}")
        signature = note.find_signature(parsed, log)
        if signature is None:
            raise Refusal(403, "the checkpoint is not signed by the log's key")
        try:
            note.verify_signature(parsed.body, signature, log)
        except note.NoteError as exc:
            raise Refusal(403, str(exc)) from None
        with self.lock:
            size, root = self.latest(checkpoint.origin)
            if old != size:
                raise Refusal(409, f"{size}\n", content_type="text/x.tlog.size")
            if checkpoint.size < size:
                raise Refusal(400, "the checkpoint is smaller than the one already cosigned")
            try:
                merkle.verify_consistency(size, checkpoint.size, root, checkpoint.root, proof)
            except merkle.ProofError as exc:
                raise Refusal(422, f"the consistency proof does not verify: {exc}") from None
            self._store(checkpoint, text)
        cosignature = note.cosign(parsed.body, self.signer, int(time.time()))
        return cosignature.line()


def make_handler(witness: Witness) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "councils-witness"

        def _send(self, status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> None:
            data = text.encode()
            self.send_response(status)
            if status == 405:
                self.send_header("Allow", "POST")  # the one method of its one path
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path != "/add-checkpoint":
                self._send(404, "not found\n")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY:
                self._send(400, "a request body of at most 1 MiB is required\n")
                return
            try:
                body = self.rfile.read(length).decode()
                self._send(200, witness.add_checkpoint(body), "text/x.tlog.signature")
            except UnicodeDecodeError:
                self._send(400, "the body is not UTF-8\n")
            except Refusal as refusal:
                self._send(refusal.status, refusal.message, refusal.content_type)
            except OSError as exc:
                print(f"cannot keep the cosigned checkpoint: {exc}", file=sys.stderr, flush=True)
                self._send(503, "the witness cannot keep its state; nothing was cosigned\n")

        def do_GET(self) -> None:
            self._send(405 if self.path == "/add-checkpoint" else 404, "use POST /add-checkpoint\n")

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def serve(args: argparse.Namespace) -> int:
    name_file = args.state_dir / "name"
    try:
        name = args.name or (
            name_file.read_text().strip() if name_file.exists() else f"witness-{args.host}-{args.port}"
        )
        witness = Witness(args.state_dir, name, args.log)
        name_file.write_text(name + "\n")
    except note.NoteError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot keep the witness's state in {args.state_dir}: {exc.strerror}") from None
    except (ValueError, TypeError):
        # load_pem_private_key refuses a damaged or passphrase-protected key file.
        key_file = args.state_dir / "witness_key.pem"
        raise CliError(f"{key_file} is not an unencrypted PEM private key") from None
    vkey = witness.signer.verifier.vkey()
    if not args.json:
        print(vkey, flush=True)
    if args.print_key:
        if args.json:
            emit_json({"vkey": vkey})
        return 0
    if not witness.logs:
        raise CliError("name at least one log to witness with --log VKEY")
    try:
        server = ThreadingHTTPServer((args.host, args.port), make_handler(witness))
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    url = f"http://{args.host}:{server.server_port}/"
    if args.json:
        # The one document, once the witness listens: a script may send it checkpoints when it reads it.
        emit_json({"vkey": vkey, "logs": list(witness.logs), "url": url})
        sys.stdout.flush()
    else:
        print(f"Witnessing {', '.join(witness.logs)} on {url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
