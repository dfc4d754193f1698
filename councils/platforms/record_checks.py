"""Compare platforms, their documents and their slates with the record.

Who belongs to a platform is never recorded, so it is not compared. A
platform's statement and a document's body are named by their SHA-256.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from councils.record.verification import (
    Recorded,
    RecordIndex,
    differences,
    each_row,
    matched,
    state_check,
    time_differs,
)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@state_check("platforms")
def check_platforms(record: RecordIndex) -> Iterator[str]:
    from councils.platforms.models import Platform

    founded = {str(e.payload.get("platform")): e for e in record.events("platform.founded")}
    rows = each_row(
        Platform.objects.values_list(
            "uuid", "federation__uuid", "name", "statement", "created_at", named=True
        )
    )

    def compare(key: str, row: tuple[Any, ...], entry: Recorded) -> Iterator[str]:
        _, federation, name, statement, created_at = row
        said = entry.payload
        yield from differences(f"Platform {key}", {"federation": str(federation), "name": name}, said)
        if _sha256(statement) != said.get("statement_sha256"):
            yield f"Platform {key}'s statement is not the statement the record holds."
        yield from time_differs(f"Platform {key} was founded", created_at, entry.at)

    yield from matched(rows, founded, compare, "Platform", "founded it", shown=lambda row: f"({row.name!r})")
    yield from _check_documents(record)
    yield from _check_slates(record)


def _check_documents(record: RecordIndex) -> Iterator[str]:
    from councils.platforms.models import PlatformDocument

    published = {str(e.payload.get("document")): e for e in record.events("platform.document_published")}
    addressed: dict[str, list[str]] = defaultdict(list)
    for document, council in each_row(
        PlatformDocument.councils.through.objects.values_list("platformdocument__uuid", "council__uuid")
    ):
        addressed[str(document)].append(str(council))
    rows = each_row(
        PlatformDocument.objects.values_list(
            "uuid", "platform__uuid", "title", "body", "published_at", named=True
        )
    )

    def compare(key: str, row: tuple[Any, ...], entry: Recorded) -> Iterator[str]:
        _, platform, title, body, published_at = row
        stored = {"platform": str(platform), "title": title, "councils": sorted(addressed[key])}
        yield from differences(f"Platform document {key}", stored, entry.payload)
        if _sha256(body) != entry.payload.get("body_sha256"):
            yield f"Platform document {key}'s text is not the text the record holds."
        yield from time_differs(f"Platform document {key} was published", published_at, entry.at)

    yield from matched(
        rows, published, compare, "Platform document", "published it", shown=lambda row: f"({row.title!r})"
    )


def _check_slates(record: RecordIndex) -> Iterator[str]:
    from councils.platforms.models import Slate

    published = {str(e.payload.get("slate")): e for e in record.events("platform.slate_published")}
    rows = each_row(
        Slate.objects.values_list("uuid", "platform__uuid", "election_uuid", "candidates", "published_at")
    )

    def compare(key: str, row: tuple[Any, ...], entry: Recorded) -> Iterator[str]:
        _, platform, election, candidates, published_at = row
        stored = {"platform": str(platform), "election": str(election), "candidates": candidates}
        yield from differences(f"Slate {key}", stored, entry.payload)
        yield from time_differs(f"Slate {key} was published", published_at, entry.at)

    yield from matched(rows, published, compare, "Slate", "published it")
