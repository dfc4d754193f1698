"""Pure rules about the constitution: the changes between versions.

Which vote thresholds satisfy a requirement is `councils.core.rules.votes.threshold_satisfies`.

No Django here: these are decisions the actions ask for, tested without a database.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from councils.core.rules.constitution import Constitution


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
