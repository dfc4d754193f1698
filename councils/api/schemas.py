"""Schemas shared by several routers, defined once.

The OpenAPI document names its components after the schema classes, so two
classes with the same name would publish one shape for both: every schema
class under `councils.api` has a name of its own (tests/api/test_schema_names.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, field_validator


def _check_storable(value: Any) -> None:
    """Refuse, as bad input, values the database would fail on: NUL characters and times it cannot hold."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text may not contain the NUL character (\\u0000)")
    elif isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError("give the time with its offset from UTC, e.g. 2026-05-01T18:00:00Z")
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise ValueError("the time is out of range") from None
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_storable(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_storable(key)
            _check_storable(item)


class Strict(Schema):
    """Base of request bodies."""

    # Unknown fields are refused, so nobody can slip in "on behalf of" someone else.
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        _check_storable(value)
        return value


class Ref(Schema):
    """A council, person or other named thing, by UUID and name."""

    uuid: UUID
    name: str


class CouncilRef(Ref):
    """A council, by UUID and name."""


class PersonRef(Ref):
    """A person, by UUID and name."""
