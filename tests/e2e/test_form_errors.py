"""An error said above a form keeps apart from the form's first field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_error_above_the_schedule_form_keeps_apart_from_its_first_field(
    cast, page_for, live_server, artifacts
):
    page = page_for("alice")
    page.goto(f"{live_server.url}/meetings/schedule/{cast.riverside.uuid}/")
    page.get_by_label("Title").fill("General meeting")
    starts = timezone.now() + timedelta(days=7)
    page.get_by_label("Date and time (UTC)").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    error = page.get_by_role("alert").filter(has_text="Give a place")
    error.wait_for()
    box = error.bounding_box()
    label = page.get_by_text("Title", exact=True).bounding_box()
    assert box and label
    assert label["y"] >= box["y"] + box["height"] + 8, "the error touches the form below it"
    page.screenshot(path=str(artifacts / "schedule-error.png"))


def test_a_petition_refused_on_a_phone_shows_the_field_to_fill_in(
    cast, rules, page_for, live_server, artifacts
):
    """The form sits below the petitions; sent back with an error, the page must not open at its top."""
    page = page_for("erin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/petitions/councils/{cast.riverside.uuid}/")
    page.get_by_label("What the council should discuss").fill("The showers in the yard are cold.")
    page.get_by_role("button", name="Start the petition and sign it").click()
    title = page.get_by_label("Item for the agenda")
    title.wait_for()
    assert title.evaluate("el => el === document.activeElement"), (
        "the refused field does not have the keyboard"
    )
    box = title.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= 844, "the refused field is out of sight"
    page.screenshot(path=str(artifacts / "narrow-petition-error.png"))
