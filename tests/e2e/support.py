"""What browser tests share: a meeting in session, and hearing the browser refuse something under the
page's policies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from councils.meetings import actions
from councils.meetings.models import Meeting
from tests.conftest import NOW


def watch_policies(page: Any, said: list[str]) -> None:
    """Collect what the browser says about the page's policies: refused loads and bad policy headers.

    Chromium words a refusal "Refused to load ..." or, for inline code, "Executing inline script
    violates the following Content Security Policy directive ..."; both name a policy.
    """

    def heard(message: Any) -> None:
        if "Refused to" in message.text or "Policy" in message.text:
            said.append(f"{message.location['url']}: {message.text}")

    page.on("console", heard)


def meeting_in_session(cast: Any) -> Meeting:
    """Riverside's general meeting, opened by Alice with Bob present, its first of two items taken up."""
    meeting = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW,
        place="Canteen",
        now=NOW - timedelta(days=7),
    )
    for title in ("Report", "Any other business"):
        actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title=title, now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.bob, now=NOW)
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    return meeting
