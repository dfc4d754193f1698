"""A member's own words quoted among a page's facts line up with the facts around them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.federation.models import Membership
from councils.membership import actions
from tests.conftest import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_charges_start_level_with_their_label_and_in_line_with_the_facts_below(
    cast, page_for, live_server, artifacts
):
    case = actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges="Broke the picket line.",
        penalty="expulsion",
        suspension_days=None,
        hearing_at=NOW + timedelta(days=14, minutes=1),
        now=NOW,
    )
    page = page_for("alice")
    page.goto(f"{live_server.url}/membership/cases/{case.uuid}/")
    label = page.locator(".facts dt", has_text="Charges").bounding_box()
    charges = page.get_by_text("Broke the picket line.").bounding_box()
    brought_by = page.locator(".facts dt", has_text="Brought by").bounding_box()
    next_value = page.locator(".facts dd").nth(1).bounding_box()
    assert label and charges and brought_by and next_value
    assert abs(charges["y"] - label["y"]) <= 4, "the charges start below their label"
    assert charges["x"] - next_value["x"] <= 24, "the charges are indented past the other facts"
    assert brought_by["y"] - (charges["y"] + charges["height"]) <= 16, "a gap opens below the charges"
    page.screenshot(path=str(artifacts / "case-charges.png"))
