"""Helpers for the accountability tests: constitution numbers and closing votes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from councils.core.rules.constitution import Constitution


@pytest.fixture
def rules(monkeypatch: pytest.MonkeyPatch):
    """Set the constitution in force for the test; halves the recall share so 2 of Riverside's 4 must sign."""
    current = {
        "value": Constitution(recall_signature_share=Decimal("0.50"), agenda_petition_share=Decimal("0.50"))
    }

    def constitution_for(*, federation):
        return current["value"]

    # Every app reads its numbers through this one helper.
    monkeypatch.setattr("councils.constitution.queries.constitution_for", constitution_for)

    class Rules:
        def set(self, **changes):
            current["value"] = replace(current["value"], **changes)

        @property
        def value(self):
            return current["value"]

    return Rules()
