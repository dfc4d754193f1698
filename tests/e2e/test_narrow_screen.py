"""On a phone-sized screen, pages with long keys, hashes and wide tables scroll inside, never sideways."""

from __future__ import annotations

import pytest

from councils.record import sequencer
from councils.record.models import Sequence
from tests.conftest import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_pages_fit_a_phone_screen(cast, page_for, live_server, artifacts):
    sequencer.sequence_pending(now=NOW)
    index = Sequence.objects.order_by("index").values_list("index", flat=True)[0]
    page = page_for("carol")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/record/", f"/record/entries/{index}/", f"/mandates/councils/{cast.riverside.uuid}/"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px screen"
    page.screenshot(path=str(artifacts / "narrow-record-entry.png"), full_page=True)


def test_the_buttons_of_the_not_found_page_keep_apart_when_they_stack(browser, live_server):
    page = browser.new_page(viewport={"width": 280, "height": 640})
    page.goto(f"{live_server.url}/no-such-page/")
    first, second = (page.locator("main .button").nth(i).bounding_box() for i in (0, 1))
    assert first and second
    assert second["y"] >= first["y"] + first["height"] + 4, "the buttons touch"
    page.close()
