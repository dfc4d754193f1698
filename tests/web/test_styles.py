"""Every class a template gives an element for its looks is styled in councils.css."""

from __future__ import annotations

import re
from pathlib import Path

import councils.web

WEB = Path(councils.web.__file__).parent
# Classes that mark elements for scripts or tests, or carry meaning only, and need no style.
HOOKS = {"receipt", "proof", "yes", "success", "pager", "table"}


def test_every_class_the_templates_use_is_styled():
    css = (WEB / "static" / "web" / "councils.css").read_text()
    styled = set(re.findall(r"\.([a-zA-Z][\w-]*)", css))
    used: dict[str, str] = {}
    for template in (WEB / "templates").rglob("*.html"):
        for value in re.findall(r'class="([^"]*)"', template.read_text()):
            for name in re.sub(r"{%.*?%}|{{.*?}}", " ", value).split():
                used.setdefault(name, template.name)
    assert {name: where for name, where in used.items() if name not in styled | HOOKS} == {}
