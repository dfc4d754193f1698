"""Every page is sent with a strict Content-Security-Policy and the other security headers, and no
template holds inline script or style that the policy would refuse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from councils.web.headers import CONTENT_SECURITY_POLICY

TEMPLATES = sorted(Path(__file__).resolve().parents[2].glob("councils/**/templates/**/*.html"))

# What a Content-Security-Policy without 'unsafe-inline' refuses to run or apply.
TAG = re.compile(r"<([a-zA-Z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
INLINE_ATTRIBUTE = re.compile(r"(?:^|\s)(on[a-z]+|style|hx-on[\w:-]*)\s*=", re.IGNORECASE)


def inline_code(text: str) -> list[str]:
    """The inline scripts, styles, event handlers and javascript: URLs in a template's text, by line."""

    def line(offset: int) -> str:
        return f"line {text.count(chr(10), 0, offset) + 1}"

    found = [f"{line(m.start())}: javascript: URL" for m in re.finditer(r"javascript:", text, re.IGNORECASE)]
    for tag in TAG.finditer(text):
        name, attributes, at = tag.group(1).lower(), tag.group(2), line(tag.start())
        if name == "style":
            found.append(f"{at}: <style> block")
        if name == "script" and not re.search(r"\ssrc\s*=", attributes):
            found.append(f"{at}: <script> without src")
        found += [f"{at}: {a.group(1)}= attribute on <{name}>" for a in INLINE_ATTRIBUTE.finditer(attributes)]
    return found


def test_the_scan_finds_every_kind_of_inline_code():
    page = """<script>alert(1)</script><script src="/static/web/verify.js" defer></script>
    <style>p { color: red }</style><p style="color: red">x</p><button onclick="go()" type="button">
    <a href="javascript:go()">go</a><div hx-on:click="go()" class="x"></div>"""
    assert inline_code(page) == [
        "line 3: javascript: URL",
        "line 1: <script> without src",
        "line 2: <style> block",
        "line 2: style= attribute on <p>",
        "line 2: onclick= attribute on <button>",
        "line 3: hx-on:click= attribute on <div>",
    ]
    assert inline_code('<p class="online" data-style="x">Vote on style=none</p>') == []


def test_no_template_holds_inline_script_or_style():
    assert TEMPLATES, "no templates found"
    found = {str(t): inline_code(t.read_text()) for t in TEMPLATES}
    assert {t: f for t, f in found.items() if f} == {}


@pytest.mark.parametrize("path", ["/", "/login/", "/no-such-page/", "/api/v1/docs"])
def test_every_html_response_carries_the_policy_and_security_headers(cast, path):
    response = cast.client(None).get(path)
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    directives = dict(d.split(" ", 1) for d in response["Content-Security-Policy"].split("; "))
    assert directives["default-src"] == directives["script-src"] == directives["style-src"] == "'self'"
    assert directives["object-src"] == directives["base-uri"] == directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    features = dict(f.split("=") for f in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


def test_a_signed_in_page_carries_the_policy(cast):
    response = cast.client(cast.bob).get(f"/councils/{cast.riverside.uuid}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_api_answers_json_without_a_page_policy(cast):
    response = cast.api(cast.bob).get("/api/v1/auth/me")
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
