"""Weighted inclusive Gregory method (WIGM) in exact rational arithmetic.

As Droop's generic WIGM rule: quota votes / (seats + 1), exactly; elected on
exceeding it; every ballot of a candidate whose surplus is transferred moves
on at value times surplus / votes, never rounded; the largest surplus first.
Ties go to the most recent stage at which the tied candidates differed, then
to the seeded draw.
"""

from __future__ import annotations

from councils.core.tally.gregory import GregoryRules, count_gregory
from councils.core.tally.model import CountResult
from councils.core.tally.profile import Profile, TieBreaker

RULES = GregoryRules(method="wigm", integer_quota=False, truncate_places=None, display_places=12)


def count_wigm(profile: Profile, ties: TieBreaker) -> CountResult:
    return count_gregory(profile, rules=RULES, ties=ties)
