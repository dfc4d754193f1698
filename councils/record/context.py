"""The record's checkpoint in every page's footer: one cached query, on pages that have the footer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from councils.record.queries import current_checkpoint_summary


def checkpoint(request: HttpRequest) -> dict[str, Any]:
    # Read when the footer shows it: a live part, fetched by everyone following a page, has no footer.
    return {"record_checkpoint": SimpleLazyObject(current_checkpoint_summary)}
