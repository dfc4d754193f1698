"""What screen-reader, keyboard and low-vision users need from the pages: readable colours, parts
that refresh in place without losing the keyboard's place, and live regions that are read out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

import councils.web

CSS = (Path(councils.web.__file__).parent / "static" / "web" / "councils.css").read_text()
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

# --- Colour contrast (WCAG 2.1, 1.4.3 and 1.4.11), computed from councils.css itself. ---

TEXT, LARGE_TEXT, NON_TEXT = 4.5, 3.0, 3.0


def _rules(css: str) -> dict[str, dict[str, str]]:
    """Each selector's declarations; @media blocks are read like the rest, later rules adding to earlier."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{", "", css)
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {
            name.strip(): value.strip()
            for name, _, value in (d.partition(":") for d in body.split(";"))
            if value.strip()
        }
        for selector in selectors.split(","):
            rules.setdefault(" ".join(selector.split()), {}).update(declarations)
    return rules


RULES = _rules(CSS)
VARIABLES = {name: value for name, value in RULES[":root"].items() if name.startswith("--")}


def _colour(selector: str, prop: str) -> str:
    value = RULES[selector][prop]
    value = re.sub(r"var\((--[\w-]+)\)", lambda m: VARIABLES[m.group(1)], value)
    colour = re.search(r"#[0-9a-fA-F]{3,6}\b", value)
    assert colour, f"{selector} {{ {prop}: {value} }} is not a colour this test can read"
    return colour.group(0)


def _luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_ratio_matches_wcag_examples():
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#fff", "#fff") == pytest.approx(1.0)


def _text_rule(selector: str) -> str:
    """The rule giving the colour of text on what `selector` paints: its own, its element's, the body's."""
    if "color" in RULES[selector]:
        return selector
    element = re.match(r"[a-z]+", selector.split()[-1])
    if element and "color" in RULES.get(element.group(0), {}):
        return element.group(0)
    return "body"


def test_every_rule_that_paints_a_background_keeps_its_text_readable():
    """A button, badge, box or table heading that paints its own background: the text on it."""
    pairs = {
        selector: (_colour(_text_rule(selector), "color"), _colour(selector, background))
        for selector, declarations in RULES.items()
        for background in ("background", "background-color")
        if re.search(r"#|var\(", declarations.get(background, ""))
    }
    assert {"button", ".error", "th", ".vote-buttons button.no", "button.secondary:hover"} <= pairs.keys()
    poor = {s: round(contrast(fg, bg), 2) for s, (fg, bg) in pairs.items() if contrast(fg, bg) < TEXT}
    assert poor == {}


# Text colours shown on the page's surfaces (and on the hover colours of links).
TEXT_COLOURS = [
    ("body", "color", TEXT),
    (".hint, .muted", "color", TEXT),
    ("a", "color", TEXT),
    ("a:hover", "color", TEXT),
    (".field-error", "color", TEXT),
    (".badge.open", "color", TEXT),
    (".badge.warn", "color", TEXT),
    (".outcome.adopted", "color", TEXT),
    (".status-code", "color", LARGE_TEXT),
]
SURFACES = [
    ("body", "background"),
    (".panel", "background"),
    ("th", "background"),
    (".notice", "background"),
    (".messages li", "background"),
]


@pytest.mark.parametrize(("selector", "prop", "needed"), TEXT_COLOURS)
def test_text_colours_are_readable_on_every_surface(selector, prop, needed):
    fg = _colour(selector.split(",")[0].strip(), prop)
    poor = {
        surface: round(contrast(fg, _colour(surface, background)), 2)
        for surface, background in SURFACES
        if contrast(fg, _colour(surface, background)) < needed
    }
    assert poor == {}, f"{selector} ({fg}) falls below {needed}:1 on these"


def test_focus_rings_borders_and_bars_stand_out():
    """Non-text contrast: what shows where the keyboard is, where a field is, and a result's bar."""
    focus = _colour(":focus-visible", "outline")
    for surface, background in SURFACES:
        assert contrast(focus, _colour(surface, background)) >= NON_TEXT, surface
    header = _colour("header.site", "background")
    assert contrast(_colour("header.site :focus-visible", "outline-color"), header) >= NON_TEXT
    assert contrast(_colour("input", "border"), _colour("input", "background")) >= NON_TEXT
    assert contrast(_colour("svg.bar rect", "fill"), _colour("svg.bar", "background")) >= NON_TEXT


def test_long_lines_wrap_instead_of_scrolling_out_of_a_keyboards_reach():
    assert RULES["pre"].get("white-space") == "pre-wrap"
    assert "overflow-x" not in RULES["pre"]


# --- Markup: parts refreshed in place, and live regions. ---

FOCUSABLE = {"a", "button", "input", "select", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    children: list[Element] = field(default_factory=list)

    def ancestors(self) -> list[Element]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found

    def walk(self) -> list[Element]:
        return [self] + [e for child in self.children for e in child.walk()]

    def focusable(self) -> bool:
        if self.attrs.get("tabindex") == "0":
            return True
        if self.tag == "a":
            return "href" in self.attrs
        return self.tag in FOCUSABLE and self.attrs.get("type") != "hidden"


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Element("#root", {}, None)
        self.open = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.open)
        self.open.children.append(element)
        if tag not in VOID:
            self.open = element

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.open = node.parent


def parse(html: str) -> list[Element]:
    tree = _Tree()
    tree.feed(html)
    return tree.root.walk()


def swapped_parts(elements: list[Element]) -> list[Element]:
    """The elements htmx replaces: parts refreshed from the live stream, and the targets of forms."""
    targets = {e.attrs["hx-target"][1:] for e in elements if e.attrs.get("hx-target", "").startswith("#")}
    return [e for e in elements if "data-live-on" in e.attrs or e.attrs.get("id") in targets]


def refresh_problems(html: str) -> list[str]:
    """What a part replaced in place does wrong.

    htmx gives the keyboard back to the element with the id of the one that had it, so every control in a
    replaced part needs an id, or a keyboard user pressing it, or merely on it when someone else acts,
    is thrown back to the top of the page. A live region replaced whole is not read out, so one that
    follows what others do must hold the part that the stream refreshes, not sit in it. (A part that
    only the reader's own action replaces may hold one: the action's result takes the keyboard.)
    """
    elements = parse(html)
    parts = swapped_parts(elements)
    assert parts, "the page has no part that is replaced in place"
    problems = []
    for part in parts:
        for e in part.walk():
            if e.focusable() and not e.attrs.get("id"):
                problems.append(f"#{part.attrs.get('id')}: <{e.tag}> without an id")
            if "aria-live" in e.attrs and "data-live-on" in part.attrs:
                problems.append(f"#{part.attrs.get('id')}: aria-live on or inside the replaced part")
    ids = [e.attrs["id"] for e in elements if e.attrs.get("id")]
    problems += [f"id {i} twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    return problems


def in_live_region(html: str, element_id: str) -> bool:
    element = next(e for e in parse(html) if e.attrs.get("id") == element_id)
    return any(a.attrs.get("aria-live") == "polite" for a in element.ancestors())


def test_the_checks_find_what_they_look_for():
    bad = (
        '<section id="s" data-live-on="x" aria-live="polite"><button>Go</button></section>'
        '<form hx-target="#box"></form><div id="box"><a href="/">x</a><input type="hidden"></div>'
    )
    assert refresh_problems(bad) == [
        "#s: aria-live on or inside the replaced part",
        "#s: <button> without an id",
        "#box: <a> without an id",
    ]
    assert refresh_problems('<div id="a" data-live-on="x"></div><p id="a"></p>') == ["id a twice"]


@pytest.fixture
def open_meeting(cast):
    from councils.meetings import actions

    meeting = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW,
        place="Canteen",
        now=NOW - timedelta(days=7),
    )
    for title in ("Report", "Any other business", "Close"):
        actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title=title, now=NOW)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    # Frank is not marked present: his page tells him to press "I am here" before he asks to speak.
    actions.mark_present_many(
        actor=cast.alice, meeting=meeting, users=[cast.alice, cast.bob, cast.erin], now=NOW
    )
    item = actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    actions.join_speakers(actor=cast.bob, item=item, now=NOW)
    actions.join_speakers(actor=cast.erin, item=item, now=NOW)
    return meeting


@pytest.mark.parametrize("who", ["alice", "bob", "erin", "frank", "carol"])
def test_the_meeting_page_keeps_the_keyboards_place_and_reads_out_the_speakers(cast, open_meeting, who):
    page = cast.client(getattr(cast, who)).get(f"/meetings/{open_meeting.uuid}/").content.decode()
    assert refresh_problems(page) == []
    assert in_live_region(page, "speakers")


def test_asking_to_speak_and_leaving_keep_the_keyboard_on_the_same_place(cast, open_meeting):
    """The button that was pressed is replaced by its opposite under the same id."""
    from councils.meetings import actions
    from councils.meetings.models import Speaker

    actions.mark_present(actor=cast.frank, meeting=open_meeting, user=cast.frank, now=NOW)
    client = cast.client(cast.frank)
    before = client.get(f"/meetings/{open_meeting.uuid}/").content.decode()
    item = open_meeting.items.get(status="current")
    asked = client.post(
        f"/meetings/{open_meeting.uuid}/items/{item.uuid}/join/", headers={"HX-Request": "true"}
    ).content.decode()
    speaker = Speaker.objects.get(item=item, user=cast.frank)
    left = client.post(
        f"/meetings/{open_meeting.uuid}/speakers/{speaker.uuid}/leave/", headers={"HX-Request": "true"}
    ).content.decode()
    assert re.search(r'id="speak-toggle">Ask to speak<', before)
    assert re.search(r'id="speak-toggle">Leave the list<', asked)
    assert re.search(r'id="speak-toggle">Ask to speak<', left)


def test_the_election_page_keeps_the_keyboards_place_and_sums_up_the_turnout(cast):
    from django.utils import timezone

    from councils.elections import actions

    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    actions.nominate(actor=cast.alice, election=election, candidate=cast.bob, now=NOW)
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    url = f"/elections/{election.uuid}/"
    for who in (cast.bob, cast.erin):
        assert refresh_problems(cast.client(who).get(url).content.decode()) == []
    opened = timezone.now()
    closes_at = opened + timedelta(hours=1)
    actions.open_voting(actor=cast.alice, election=election, closes_at=closes_at, now=opened)
    for who in (cast.alice, cast.bob):
        page = cast.client(who).get(url).content.decode()
        assert refresh_problems(page) == []
        # Read out through its summary, at most every few seconds, not on every refresh.
        assert not in_live_region(page, "turnout")
        summary = next(e for e in parse(page) if e.attrs.get("id") == "turnout-summary")
        assert summary.attrs.get("data-live-summary") == "turnout"
        assert summary.attrs.get("aria-live") == "polite" and summary.attrs.get("aria-atomic") == "true"


@pytest.mark.parametrize("method", ["named", "secret"])
def test_after_voting_the_keyboard_is_on_what_the_vote_did(cast, method):
    """The pressed button is replaced: the receipt takes the keyboard, so a screen reader reads it."""
    from councils.motions import actions

    council = cast.riverside
    tabled = actions.table_motion(actor=cast.bob, council=council, title="Rota", text="A rota.", now=NOW)
    motion = actions.second_motion(actor=cast.erin, motion=tabled, now=NOW)
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method=method)
    bob = cast.client(cast.bob)
    page = bob.get(f"/motions/{motion.uuid}/").content.decode()
    assert refresh_problems(page) == []
    box = bob.post(
        f"/motions/votes/{vote.uuid}/cast/", {"choice": "yes"}, headers={"HX-Request": "true"}
    ).content.decode()
    receipt = next(e for e in parse(box) if e.attrs.get("id") == "vote-receipt")
    assert "autofocus" in receipt.attrs and receipt.attrs.get("tabindex") == "-1"
    assert receipt.attrs.get("role") == "status"


def test_after_a_form_sent_without_script_the_keyboard_is_on_the_message(cast):
    """A status already on the page when it loads is not read out: the message takes the keyboard."""
    from django.utils import timezone

    from councils.elections import actions

    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    actions.nominate(actor=cast.alice, election=election, candidate=cast.bob, now=NOW)
    candidacy = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    opened = timezone.now()
    closes_at = opened + timedelta(hours=1)
    actions.open_voting(actor=cast.alice, election=election, closes_at=closes_at, now=opened)
    page = cast.client(cast.bob).post(
        f"/elections/{election.uuid}/ballot/", {"rank_1": str(candidacy.uuid), "confirm": "1"}, follow=True
    )
    message = next(e for e in parse(page.content.decode()) if e.attrs.get("id") == "messages")
    assert "autofocus" in message.attrs and message.attrs.get("tabindex") == "-1"
    assert message.attrs.get("role") == "status"
    assert "Your ballot is in" in page.content.decode()


@pytest.mark.parametrize("method", ["named", "secret"])
def test_the_open_votes_counts_are_read_out_as_a_summary_not_one_by_one(cast, method):
    """In a vote of thousands the counts change all the time: a live region on them would never stop."""
    from councils.motions import actions

    council = cast.riverside
    tabled = actions.table_motion(actor=cast.bob, council=council, title="Rota", text="A rota.", now=NOW)
    motion = actions.second_motion(actor=cast.erin, motion=tabled, now=NOW)
    actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method=method)
    page = cast.client(cast.carol).get(f"/motions/{motion.uuid}/").content.decode()
    assert not in_live_region(page, "tally")
    assert not any("aria-live" in e.attrs for e in parse(page) if e.attrs.get("id") == "tally")
    summary = next(e for e in parse(page) if e.attrs.get("id") == "tally-summary")
    assert summary.attrs.get("aria-live") == "polite" and summary.attrs.get("aria-atomic") == "true"


@pytest.mark.parametrize("who", ["erin", "bob", "alice", "carol"])
def test_the_accountability_page_keeps_the_keyboards_place(cast, rules, who):
    import uuid

    from django.db import transaction

    from councils.federation.models import Seat
    from councils.mandates import actions
    from tests.mandates.flows import broken_mandate

    url = f"/mandates/councils/{cast.riverside.uuid}/"
    broken_mandate(cast)
    # The button that starts a recall from a broken mandate's row gives way to a link under its id.
    before = cast.client(cast.erin).get(url).content.decode()
    actions.start_recall(
        actor=cast.erin, seat=Seat.objects.get(user=cast.bob, ended_at__isnull=True), now=NOW
    )
    after = cast.client(cast.erin).get(url).content.decode()
    line = re.search(r'<button type="submit" id="(recall-[^"]+)">Start a recall of Bob Novak<', before)
    assert line and re.search(rf'id="{line.group(1)}">Recall under way<', after)
    with transaction.atomic():
        actions.open_reports_due(council=cast.district, meeting_uuid=uuid.uuid4(), now=NOW)
    assert refresh_problems(cast.client(getattr(cast, who)).get(url).content.decode()) == []


@pytest.mark.parametrize("who", ["bob", "erin", "dave"])
def test_the_platform_pages_keep_the_keyboards_place(cast, who):
    from councils.platforms import actions

    platform = actions.found_platform(
        actor=cast.bob, federation=cast.federation, name="Rank and File", statement="Unite.", now=NOW
    )
    actions.publish_document(
        actor=cast.bob, platform=platform, title="Why", body="Because.", councils=[cast.riverside], now=NOW
    )
    client = cast.client(getattr(cast, who))
    for url in ("/platforms/", f"/platforms/{platform.uuid}/"):
        assert refresh_problems(client.get(url).content.decode()) == [], url


def test_no_list_is_given_a_role_that_hides_its_items():
    """A role on a <ul> or <ol> (status, alert) makes it no list to a screen reader, so its items are
    announced as stray list items: the role goes on a wrapper instead."""
    templates = Path(councils.web.__file__).parent / "templates"
    found = [
        f"{path.relative_to(templates)}: {tag}"
        for path in templates.rglob("*.html")
        for tag in re.findall(r"<(?:ul|ol)\b[^>]*\brole=[^>]*>", path.read_text())
    ]
    assert found == []


def test_a_table_that_scrolls_sideways_can_be_scrolled_from_the_keyboard():
    """On a narrow screen a wide table scrolls inside its wrapper: the wrapper takes the keyboard (so the
    arrow keys scroll it) and is a region named for a screen reader, which announces it on arriving."""
    templates = Path(councils.web.__file__).parent / "templates"
    wrappers = [
        (path.relative_to(templates), tag)
        for path in templates.rglob("*.html")
        for tag in re.findall(r"<[a-z]+\b[^>]*\bclass=\"[^\"]*\btable-wrap\b[^>]*>", path.read_text())
    ]
    assert wrappers, "no template wraps a table"
    unreachable = [
        f"{path}: {tag}"
        for path, tag in wrappers
        if 'tabindex="0"' not in tag
        or 'role="region"' not in tag
        or not re.search(r"\baria-label(ledby)?=", tag)
    ]
    assert unreachable == []


LANDMARK = re.compile(
    r'<(?:section|nav|aside|main|form)\b[^>]*?aria-labelledby="([^"]+)"'
    r'|<[a-z]+\b(?=[^>]*\brole="region")[^>]*?aria-labelledby="([^"]+)"'
)


def test_no_two_landmarks_of_a_page_share_one_name():
    """A screen reader lists a page's regions by name: a scrolling table named by its section's
    heading would be listed twice under one name, so it carries a name of its own."""
    templates = Path(councils.web.__file__).parent / "templates"
    shared = {}
    for template in templates.rglob("*.html"):
        names = [a or b for a, b in LANDMARK.findall(template.read_text())]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            shared[str(template.relative_to(templates))] = twice
    assert shared == {}


# --- A form refused by the server comes back as a new page, at its top: the error takes the keyboard. ---


def test_a_refused_form_gives_its_first_refused_field_the_focus():
    """The browser focuses [autofocus] on load, scrolling to a form low on a long page (on a phone
    the error would otherwise be out of sight), and a screen reader reads the field's label and error."""
    from django import forms

    class Form(forms.Form):
        token = forms.CharField(widget=forms.HiddenInput)
        title = forms.CharField()
        text = forms.CharField()
        place = forms.CharField(required=False)

    refused = {
        e.attrs["name"]: e.attrs for e in parse(Form({"title": "", "text": ""}).as_div()) if "name" in e.attrs
    }
    assert "autofocus" in refused["title"] and refused["title"]["aria-invalid"] == "true"
    assert [name for name, attrs in refused.items() if "autofocus" in attrs] == ["title"]
    later = {
        e.attrs["name"]: e.attrs
        for e in parse(Form({"title": "Heat", "text": ""}).as_div())
        if "name" in e.attrs
    }
    assert [name for name, attrs in later.items() if "autofocus" in attrs] == ["text"]
    assert not any("autofocus" in e.attrs for e in parse(Form().as_div()))


def test_the_petition_form_sent_back_with_errors_puts_the_keyboard_on_its_first_field(cast, rules):
    page = cast.client(cast.erin).post(
        f"/petitions/councils/{cast.riverside.uuid}/", {"title": "", "text": ""}
    )
    assert page.status_code == 422
    focused = [e for e in parse(page.content.decode()) if "autofocus" in e.attrs]
    assert [(e.tag, e.attrs.get("name")) for e in focused] == [("input", "title")]


def test_an_error_said_above_a_form_takes_the_keyboard(cast, open_meeting):
    """An error said for the whole form sits above it; a role="alert" present at load is not read out."""
    page = cast.client(cast.alice).post(
        f"/meetings/{open_meeting.uuid}/items/", {"kind": "motion", "title": ""}
    )
    assert page.status_code == 422
    error = next(e for e in parse(page.content.decode()) if e.attrs.get("id") == "item-error")
    assert "autofocus" in error.attrs and error.attrs.get("tabindex") == "-1"


ERROR_BLOCK = re.compile(r'<[a-z]+ class="error" role="alert"[^>]*>')
# Pages whose whole content is the refusal, and the refusal htmx puts into a page that keeps the keyboard.
WHOLE_PAGE_REFUSALS = {
    "web/refused.html",
    "web/_refusal.html",
    "web/accounts/invitation_invalid.html",
    "web/accounts/password_reset_confirm.html",
}


def test_every_error_said_above_a_form_takes_the_keyboard():
    templates = Path(councils.web.__file__).parent / "templates"
    unfocused = sorted(
        f"{name}: {tag}"
        for template in templates.rglob("*.html")
        if (name := str(template.relative_to(templates))) not in WHOLE_PAGE_REFUSALS
        for tag in ERROR_BLOCK.findall(template.read_text())
        if 'tabindex="-1" autofocus' not in tag
    )
    assert unfocused == []
