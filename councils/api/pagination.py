"""Every list answers `{"items": [...], "count": <total>}` and pages with ?page=."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Schema
from ninja.pagination import PaginationBase

from councils.core.errors import InvalidInputError

PAGE_SIZE = 100


class PageNumber(PaginationBase):
    class Input(Schema):
        page: int = 1

    class Output(Schema):
        items: list[Any]
        count: int

    def paginate_queryset(  # type: ignore[override]  # lists as well as querysets
        self, queryset: QuerySet[Any] | list[Any], pagination: Input, **params: Any
    ) -> Any:
        if pagination.page < 1:
            raise InvalidInputError("page starts at 1.")
        start = (pagination.page - 1) * PAGE_SIZE
        total = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        # A page past the end is empty: asking the database for it could overflow its integers.
        items = list(queryset[start : start + PAGE_SIZE]) if start < total else []
        return {"items": items, "count": total}
