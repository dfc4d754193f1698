"""The record's checkpoint in every page's footer: one cached query."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from councils.record.queries import current_checkpoint_summary


def checkpoint(request: HttpRequest) -> dict[str, Any]:
    return {"record_checkpoint": current_checkpoint_summary()}
