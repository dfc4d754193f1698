"""Ask the federation's witnesses to cosign a checkpoint (C2SP tlog-witness), and keep their cosignatures.

Witnesses are named in settings.COUNCILS_WITNESSES as {"vkey", "url"}; a
checkpoint is official once COUNCILS_WITNESS_QUORUM of them have cosigned.
Runs as a background task after the sequencer signs, never inside an action.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django_tasks import task

from councils.core.ledger import merkle, note
from councils.record.models import Checkpoint, Cosignature
from councils.record.sequencer import resolve_plan

log = logging.getLogger(__name__)


def configured_witnesses() -> list[tuple[note.Verifier, str]]:
    witnesses = []
    for item in settings.COUNCILS_WITNESSES:
        witnesses.append((note.parse_vkey(item["vkey"]), str(item["url"]).rstrip("/")))
    return witnesses


def _request_body(old: int, checkpoint: Checkpoint) -> str:
    proof = resolve_plan(merkle.consistency_plan(old, checkpoint.size)) if old else []
    lines = [f"old {old}", *(note.b64encode(h) for h in proof)]
    return "\n".join(lines) + "\n\n" + checkpoint.note


def request_cosignature(
    checkpoint: Checkpoint, witness: note.Verifier, url: str, *, client: httpx.Client | None = None
) -> Cosignature | None:
    """Ask one witness; store and return its cosignature, or None (logged) when it refuses."""
    if checkpoint.cosignatures.filter(key=witness.vkey()).exists():
        return checkpoint.cosignatures.get(key=witness.vkey())
    last = (
        Cosignature.objects.filter(key=witness.vkey(), checkpoint__origin=checkpoint.origin)
        .order_by("-checkpoint__size")
        .values_list("checkpoint__size", flat=True)
        .first()
    )
    old = int(last or 0)
    http = client or httpx.Client(timeout=10)
    try:
        for _ in range(2):
            response = http.post(
                url + "/add-checkpoint",
                content=_request_body(old, checkpoint).encode(),
                headers={"Content-Type": "text/plain"},
            )
            if response.status_code == 409 and response.text.strip().isdigit():
                # The witness has cosigned another size (perhaps a checkpoint we never stored): follow it.
                old = int(response.text.strip())
                if old > checkpoint.size:
                    return None
                continue
            break
    except httpx.HTTPError as exc:
        log.warning("witness %s unreachable: %s", witness.name, exc)
        return None
    finally:
        if client is None:
            http.close()
    if response.status_code != 200:
        log.warning(
            "witness %s refused checkpoint %s: %s %s",
            witness.name,
            checkpoint.size,
            response.status_code,
            response.text[:200],
        )
        return None
    return _store(checkpoint, witness, response.text)


def _store(checkpoint: Checkpoint, witness: note.Verifier, text: str) -> Cosignature | None:
    body = checkpoint.note[: checkpoint.note.index("\n\n") + 1]
    for line in text.splitlines(keepends=True):
        try:
            parsed = note.parse_note(body + "\n" + line)
            signature = note.find_signature(parsed, witness)
            if signature is None:
                continue
            timestamp = note.verify_signature(body, signature, witness)
        except note.NoteError as exc:
            log.warning("witness %s sent an invalid cosignature: %s", witness.name, exc)
            continue
        try:
            with transaction.atomic():
                return Cosignature.objects.create(
                    checkpoint=checkpoint,
                    witness=witness.name,
                    key=witness.vkey(),
                    line=signature.line(),
                    signed_at=datetime.fromtimestamp(timestamp or 0, tz=UTC),
                )
        except IntegrityError:
            return checkpoint.cosignatures.get(key=witness.vkey())
    return None


def request_cosignatures(checkpoint: Checkpoint) -> list[Cosignature]:
    found = []
    for witness, url in configured_witnesses():
        cosignature = request_cosignature(checkpoint, witness, url)
        if cosignature is not None:
            found.append(cosignature)
    return found


def is_official(checkpoint: Checkpoint) -> bool:
    return checkpoint.cosignatures.count() >= settings.COUNCILS_WITNESS_QUORUM


@task()
def request_cosignatures_task(checkpoint_id: int) -> int:
    checkpoint = Checkpoint.objects.filter(id=checkpoint_id).first()
    if checkpoint is None:
        return 0
    return len(request_cosignatures(checkpoint))


def summary(checkpoint: Checkpoint) -> dict[str, Any]:
    """A checkpoint's cosignatures, how many make it official, and how many witnesses the federation names."""
    cosignatures = list(checkpoint.cosignatures.order_by("witness"))
    return {
        "cosignatures": cosignatures,
        "named": len(settings.COUNCILS_WITNESSES),
        "quorum": settings.COUNCILS_WITNESS_QUORUM,
        "official": len(cosignatures) >= settings.COUNCILS_WITNESS_QUORUM,
    }
