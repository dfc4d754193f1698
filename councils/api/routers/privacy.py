"""A person's own data: everything kept about the caller (the right of access)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from councils.accounts import queries
from councils.accounts.queries import acting_user

router = Router(tags=["me"])


class PersonalDataOut(Schema):
    account: dict[str, Any] = Field(
        description="Account fields: names, e-mail, when joined and last logged in."
    )
    memberships: list[dict[str, Any]]
    offices: list[dict[str, Any]]
    seats: list[dict[str, Any]]
    applications: list[dict[str, Any]]
    cases: list[dict[str, Any]] = Field(description="Discipline cases against you, with their texts.")
    petitions_signed: list[dict[str, Any]]
    platforms: list[dict[str, Any]]
    named_votes: list[dict[str, Any]] = Field(description="Roll-call votes; secret ballots are never linked.")
    digest: dict[str, Any]
    tokens: list[dict[str, Any]] = Field(description="API tokens: names and dates, never the secret.")
    record_entries: list[int] = Field(description="Indexes of the record entries that name you by UUID.")


@router.get("/data", response=PersonalDataOut, operation_id="me_data")
def my_data(request: HttpRequest) -> dict[str, Any]:
    """Everything the organisation keeps about me."""
    return queries.personal_data(user=acting_user(request))
