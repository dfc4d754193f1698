"""What browser tests share: hearing the browser refuse something under the page's policies."""

from __future__ import annotations

from typing import Any


def watch_policies(page: Any, said: list[str]) -> None:
    """Collect what the browser says about the page's policies: refused loads and bad policy headers.

    Chromium words a refusal "Refused to load ..." or, for inline code, "Executing inline script
    violates the following Content Security Policy directive ..."; both name a policy.
    """

    def heard(message: Any) -> None:
        if "Refused to" in message.text or "Policy" in message.text:
            said.append(f"{message.location['url']}: {message.text}")

    page.on("console", heard)
