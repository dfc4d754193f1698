"""What the tests of live pages share: fetching a part as htmx does, checking that no part shows a viewer
more than the whole page shows them, and hearing which events an action tells a page's channels."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpResponse
from django.test import Client


def get_part(client: Client, url: str, part: str | None = None) -> HttpResponse:
    """The part `?part=` names of the page at `url`, fetched as htmx fetches it (the first without a name)."""
    query = f"?part={part}" if part else ""
    return client.get(f"{url}{query}", headers={"HX-Request": "true"})


def _unmasked(html: str) -> str:
    """`html` with its CSRF tokens blanked: Django masks the token afresh in every response."""
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+"', r'\1"', html)


def parts_within_page(client: Client, url: str, parts: Iterable[str]) -> dict[str, str]:
    """Each part as the client's viewer gets it, once checked to be word for word in the page they get."""
    page = _unmasked(client.get(url).content.decode())
    shown = {}
    for part in parts:
        html = _unmasked(get_part(client, url, part).content.decode().strip())
        assert html in page, part
        shown[part] = html
    return shown


def fields_to_fill(html: str) -> list[str]:
    """The inputs, text areas and lists in `html` that a person fills in (all but hidden fields)."""
    fields = re.findall(r"<(?:input|textarea|select)\b[^>]*>", html)
    return [field for field in fields if 'type="hidden"' not in field]


def hear(local_broker: Any, channels: dict[str, str], action: Callable[[], object]) -> dict[str, set[str]]:
    """The event types each of `channels` (name: channel) carries while `action` runs."""
    heard: dict[str, set[str]] = {name: set() for name in channels}
    stops = []
    for name, channel in channels.items():

        def tell(channel: str, event: dict[str, Any], name: str = name) -> None:
            assert set(event) == {"type"}, event  # what changed, never how
            heard[name].add(event["type"])

        stops.append(local_broker.subscribe(channel, tell))
    try:
        action()
    finally:
        for stop in stops:
            stop()
    return heard
