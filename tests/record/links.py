"""Read what a page shows under "In the public record" (the web/record/_recorded.html facts)."""

from __future__ import annotations

import json
import re
from typing import Any

from django.test import Client

from councils.record.models import Sequence


def recorded(page: str) -> str:
    """The page's "In the public record" facts, empty when it has none."""
    found = re.search(r'<dd id="recorded">(.*?)</dd>', page, re.S)
    return found.group(1) if found else ""


def indexes(page: str) -> list[int]:
    """The log indices of the entries the page links to there."""
    return [int(i) for i in re.findall(r'href="/record/entries/(\d+)/"', recorded(page))]


def linked(client: Client, page: str) -> list[dict[str, Any]]:
    """The entries the page links to in the record, as their event and payload; each entry's page answers."""
    entries = []
    for index in indexes(page):
        assert client.get(f"/record/entries/{index}/").status_code == 200
        entry = Sequence.objects.select_related("entry").get(index=index).entry
        entries.append({"event": entry.event, **json.loads(bytes(entry.data))["payload"]})
    return entries
