"""What low-vision and keyboard users need from the pages: readable colours, visible focus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import councils.web

CSS = (Path(councils.web.__file__).parent / "static" / "web" / "councils.css").read_text()

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
