"""Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42), rules 45-52.

Quota floor(valid ballots / (seats + 1)) + 1, reached when votes equal it;
transfer values truncated to five decimal places (rule 48(3)); the largest
surplus first (rule 49); ties by the most recent stage at which the tied
candidates differed, then by lot (rules 49(2)-(3), 51); the last vacancies
filled by the continuing candidates (rule 52). A surplus of zero is not
transferred: a stage moves only papers that carry value.
"""

from __future__ import annotations

from councils.core.tally.gregory import GregoryRules, count_gregory
from councils.core.tally.model import CountResult
from councils.core.tally.profile import Profile, TieBreaker

RULES = GregoryRules(method="scottish-stv", integer_quota=True, truncate_places=5, display_places=5)


def count_scottish_stv(profile: Profile, ties: TieBreaker) -> CountResult:
    return count_gregory(profile, rules=RULES, ties=ties)
