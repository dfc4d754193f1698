"""Every list answers `{"items": [...], "count": <total>}` and pages with ?page=."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

PAGE_SIZE = 100


class PageNumber(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, description="Which page, from 1; a page past the end is empty.")

    class Output(Schema):
        items: list[Any]
        count: int

    def paginate_queryset(  # type: ignore[override]  # lists as well as querysets
        self, queryset: QuerySet[Any] | list[Any], pagination: Input, **params: Any
    ) -> Any:
        start = (pagination.page - 1) * PAGE_SIZE
        total = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        # A page past the end is empty: asking the database for it could overflow its integers.
        items = list(queryset[start : start + PAGE_SIZE]) if start < total else []
        return {"items": items, "count": total}
