"""In a real browser: a second press of a form's button while the first is on its way sends nothing more,
so a double click tables one motion, and a motion seconded once is not then refused as seconded."""

from __future__ import annotations

import pytest

from councils.motions import actions as motion_actions
from councils.motions.models import Motion
from tests.conftest import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Two presses 30 ms apart, as an impatient double click on a slow line gives: the first is still on its way.
PRESS_TWICE = """selector => {
  const button = document.querySelector(selector);
  button.click();
  setTimeout(() => button.click(), 30);
}"""


def test_a_motion_pressed_twice_is_tabled_once(cast, page_for, live_server):
    bob = page_for("bob")
    bob.goto(f"{live_server.url}/motions/council/{cast.riverside.uuid}/new/")
    bob.get_by_label("Title").fill("Bike racks")
    bob.get_by_label("Text of the motion").fill("Put bike racks by the gate.")
    bob.evaluate(PRESS_TWICE, "main form button[type=submit]")
    bob.wait_for_url(f"{live_server.url}/motions/*/")
    bob.wait_for_load_state()
    assert bob.locator("#messages").inner_text() == "Your motion is tabled."
    assert Motion.objects.filter(title="Bike racks").count() == 1


def test_a_motion_seconded_with_two_presses_says_it_is_seconded(cast, page_for, live_server):
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Bike racks", text="Put them by the gate.", now=NOW
    )
    erin = page_for("erin")
    url = f"{live_server.url}/motions/{motion.uuid}/"
    erin.goto(url)
    erin.evaluate(PRESS_TWICE, "main form[action$='/second/'] button")
    erin.wait_for_url(url)
    erin.wait_for_load_state()
    # Not "That cannot be done: you have already seconded it", though the first press went through.
    assert erin.locator("#messages").inner_text() == "You seconded the motion."
    assert motion.seconds.count() == 1
