"""Multi-seat non-ranked methods: plurality (block vote) and approval.

Plurality counts each ballot's first `seats` preferences as one vote each
(one seat: the first preference alone); a ballot whose equal preferences
straddle that limit marks too many candidates and is refused. Approval
counts one vote for every candidate a ballot ranks at all. The `seats`
candidates with most votes win; a tie for the last seats goes to the seeded
draw.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from councils.core.errors import InvalidInputError
from councils.core.tally.model import CountResult, Stage
from councils.core.tally.profile import Profile, Ranking, TieBreaker
from councils.core.wording import counted


def _plurality_marks(ranking: Ranking, seats: int, names: tuple[str, ...]) -> list[int]:
    marks: list[int] = []
    for level in ranking:
        if len(marks) >= seats:
            break
        if len(marks) + len(level) > seats:
            shown = "=".join(names[c] for c in level)
            raise InvalidInputError(
                f"plurality with {counted(seats, 'seat', 'seats')} cannot count a ballot marking "
                f"{counted(len(marks) + len(level), 'candidate', 'candidates')} (equal preferences {shown})"
            )
        marks.extend(level)
    return marks


def _approval_marks(ranking: Ranking, seats: int, names: tuple[str, ...]) -> list[int]:
    return [c for level in ranking for c in level]


def _count(
    profile: Profile,
    ties: TieBreaker,
    *,
    method: str,
    depth: int,
    marks: Callable[[Ranking, int, tuple[str, ...]], list[int]],
) -> CountResult:
    names = profile.names
    n = len(names)
    columns = profile.rows[:, :depth]
    repeated = np.broadcast_to(profile.counts[:, None], columns.shape)
    ranked = columns >= 0
    tally = np.rint(np.bincount(columns[ranked], weights=repeated[ranked], minlength=n)).astype(np.int64)
    votes = [int(v) for v in tally]
    for count, ranking in profile.equal:
        for c in marks(ranking, profile.seats, names):
            votes[c] += count
    elected: list[int] = []
    remaining = sorted(profile.active, key=lambda c: (-votes[c], c))
    while remaining and len(elected) < profile.seats:
        level = [c for c in remaining if votes[c] == votes[remaining[0]]]
        if len(elected) + len(level) <= profile.seats:
            elected.extend(level)
        else:
            while len(elected) < profile.seats:
                chosen = ties.draw(level, stage=1, kind="last seat")
                elected.append(chosen)
                level.remove(chosen)
        remaining = [c for c in remaining if c not in elected and votes[c] != votes[remaining[0]]]
    stage = Stage(
        number=1,
        action="votes counted",
        totals={names[c]: str(votes[c]) for c in profile.active},
        non_transferable="0",
        elected=tuple(names[c] for c in elected),
    )
    return CountResult(
        method=method,
        seats=profile.seats,
        quota=None,
        seed=ties.seed,
        candidates=tuple(names[c] for c in profile.active),
        elected=tuple(names[c] for c in elected),
        stages=(stage,),
        ties=tuple(ties.ties),
    )


def count_plurality(profile: Profile, ties: TieBreaker) -> CountResult:
    return _count(profile, ties, method="plurality", depth=profile.seats, marks=_plurality_marks)


def count_approval(profile: Profile, ties: TieBreaker) -> CountResult:
    return _count(profile, ties, method="approval", depth=profile.rows.shape[1], marks=_approval_marks)
