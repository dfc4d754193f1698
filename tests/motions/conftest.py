"""Helpers for motion tests: a seconded motion in Riverside Depot, ready to be put to the vote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from councils.motions import actions
from councils.motions.models import Motion

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)  # as in tests/conftest.py
LATER = NOW + timedelta(minutes=5)


@pytest.fixture
def motion(cast) -> Motion:
    tabled = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two safety reps.", now=NOW
    )
    return actions.second_motion(actor=cast.erin, motion=tabled, now=NOW)
