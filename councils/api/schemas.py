"""Schemas shared by several routers, defined once.

The OpenAPI document names its components after the schema classes, so two
classes with the same name would publish one shape for both: every schema
class under `councils.api` has a name of its own (tests/api/test_schema_names.py).
"""

from __future__ import annotations

from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict


class Strict(Schema):
    """Base of request bodies."""

    # Unknown fields are refused, so nobody can slip in "on behalf of" someone else.
    model_config = ConfigDict(extra="forbid")


class Ref(Schema):
    """A council, person or other named thing, by UUID and name."""

    uuid: UUID
    name: str


class CouncilRef(Ref):
    """A council, by UUID and name."""


class PersonRef(Ref):
    """A person, by UUID and name."""
