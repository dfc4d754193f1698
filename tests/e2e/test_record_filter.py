"""The record's filter reads as one control: its field and button side by side, apart from the checkpoint."""

from __future__ import annotations

import pytest

from councils.record import sequencer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_filter_keeps_apart_from_the_checkpoint_with_its_button_beside_the_field(
    cast, page_for, live_server, artifacts
):
    sequencer.latest_checkpoint(current=True)
    page = page_for("carol")
    page.goto(f"{live_server.url}/record/")
    checkpoint = page.locator("section[aria-labelledby=checkpoint]").bounding_box()
    label = page.get_by_text("Kind of entry").bounding_box()
    field = page.get_by_label("Kind of entry").bounding_box()
    button = page.get_by_role("button", name="Show").bounding_box()
    assert checkpoint and label and field and button
    assert label["y"] >= checkpoint["y"] + checkpoint["height"] + 12, "the filter touches the checkpoint"
    assert button["x"] >= field["x"] + field["width"], "the button is not beside the field"
    bottoms = (button["y"] + button["height"], field["y"] + field["height"])
    assert abs(bottoms[0] - bottoms[1]) <= 2, "the button is out of line with the field"
    assert field["width"] < 600, "the field stretches across the page"
    page.screenshot(path=str(artifacts / "record-filter.png"))
