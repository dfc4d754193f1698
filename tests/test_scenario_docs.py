"""docs/scenarios.md tells every capture scenario in tests/scenarios/, one section each, named alike."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_scenario_has_its_section_and_every_section_its_scenario():
    tests = {
        name
        for path in (ROOT / "tests" / "scenarios").glob("test_*.py")
        for name in re.findall(r"^def (test_\w+)\(", path.read_text(), re.M)
    }
    sections = re.findall(r"^## (test_\w+)$", (ROOT / "docs" / "scenarios.md").read_text(), re.M)
    assert len(sections) == len(set(sections)), "a scenario is told twice"
    assert sorted(tests - set(sections)) == [], "scenarios without a section in docs/scenarios.md"
    assert sorted(set(sections) - tests) == [], "sections in docs/scenarios.md without a scenario"
