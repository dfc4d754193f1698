"""Pure rules about the constitution: which vote thresholds satisfy a requirement, and hashes.

No Django here: these are decisions the actions ask for, tested without a database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from typing import Any

from councils.core.rules.constitution import Constitution

# A vote held at a threshold satisfies a requirement when every result that
# passes at the held threshold would also pass at the required one.
# "absolute" is measured against the whole electorate, the others against
# the votes cast, so neither implies the other except by equality.
_SATISFIES: dict[str, frozenset[str]] = {
    "simple": frozenset({"simple", "absolute", "three_fifths", "two_thirds"}),
    "absolute": frozenset({"absolute"}),
    "three_fifths": frozenset({"three_fifths", "two_thirds"}),
    "two_thirds": frozenset({"two_thirds"}),
}


def threshold_satisfies(*, held: str, required: str) -> bool:
    """Answer whether a vote held at `held` meets a rule that requires `required`."""
    return held in _SATISFIES.get(required, frozenset())


def content_hash(document: dict[str, Any]) -> str:
    """SHA-256 hex of the document's canonical JSON (sorted keys, no spaces)."""
    data = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def document_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The settings whose value differs between two documents, in the order the constitution lists them."""
    changes = []
    for field in fields(Constitution):
        if field.name == "version":
            continue
        before, after = old.get(field.name), new.get(field.name)
        if before != after:
            changes.append((field.name, before, after))
    return changes
