"""Pure rules about the constitution: the changes between versions.

Which vote thresholds satisfy a requirement is `councils.core.rules.votes.threshold_satisfies`.

No Django here: these are decisions the actions ask for, tested without a database.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from councils.core.rules.constitution import Constitution


def document_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The settings whose value differs between two documents, in the order the constitution lists them.

    Either may have been written before later settings existed. `old` is read as
    its members voted it (settings added since are unset); a setting `new` lacks
    did not exist when it was written, so it changes nothing there.
    """
    # The version is not compared, and the defaults' 0 is no adopted version: read both as version 1.
    before_all = Constitution.from_adopted({**old, "version": 1}).to_document()
    after_all = Constitution.from_adopted({**new, "version": 1}).to_document()
    changes = []
    for field in fields(Constitution):
        if field.name == "version" or field.name not in new:
            continue
        before, after = before_all[field.name], after_all[field.name]
        if before != after:
            changes.append((field.name, before, after))
    return changes
