"""Schulze (beatpath, winning votes) ranking, and plain Condorcet winner detection.

A ballot prefers a to b when it ranks a on an earlier level than b; equal
levels and two unranked candidates express no preference, and any ranked
candidate is preferred to every unranked one. The strongest path from a to b
is the widest path through pairwise defeats measured by winning votes; a
ranks above b when its strongest path to b is stronger than b's to a. That
relation is transitive, so the candidates fall into tiers; candidates within
a tier are ordered by the seeded draw, and each draw is recorded.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from councils.core.tally.model import CountResult, Election, Stage
from councils.core.tally.profile import Profile, TieBreaker

Matrix = npt.NDArray[np.int64]


def pairwise(profile: Profile) -> Matrix:
    """Return d with d[a, b] the number of ballots preferring a to b.

    Walking the rankings depth by depth, the candidate at depth i beats every
    candidate the ballot has not ranked by then: one small matrix product
    per depth instead of a comparison per pair of candidates.
    """
    n = len(profile.names)
    rows = profile.rows
    weights = profile.counts.astype(np.float64)
    not_ranked_yet = np.ones((len(rows), n), dtype=np.float64)
    totals = np.zeros((n, n), dtype=np.float64)
    lengths = (rows >= 0).sum(axis=1)
    for depth in range(rows.shape[1]):
        first = int(np.searchsorted(lengths, depth + 1))  # rows are shortest first: the rest rank this deep
        if first == len(rows):
            break
        here = rows[first:, depth]
        pending = not_ranked_yet[first:]
        pending[np.arange(len(here)), here] = 0.0
        chooser = np.zeros((n, len(here)), dtype=np.float64)
        chooser[here, np.arange(len(here))] = weights[first:]
        totals += chooser @ pending
    d = np.rint(totals).astype(np.int64)
    for count, ranking in profile.equal:
        level = {c: i for i, lv in enumerate(ranking) for c in lv}
        for a, la in level.items():
            for b in profile.active:
                if la < level.get(b, len(ranking)):
                    d[a, b] += count
    return d


def strongest_paths(d: Matrix, active: tuple[int, ...]) -> Matrix:
    p = np.where(d > d.T, d, 0)
    inactive = [c for c in range(len(d)) if c not in active]
    p[inactive, :] = 0
    p[:, inactive] = 0
    np.fill_diagonal(p, 0)
    for k in active:
        p = np.maximum(p, np.minimum(p[:, k : k + 1], p[k : k + 1, :]))
        np.fill_diagonal(p, 0)
    return p


def tiers(profile: Profile) -> list[list[int]]:
    """Candidates in Schulze order, best tier first; a tier of several is a tie."""
    return _tiers(strongest_paths(pairwise(profile), profile.active), profile.active)


def _tiers(p: Matrix, active: tuple[int, ...]) -> list[list[int]]:
    remaining = list(active)
    order: list[list[int]] = []
    while remaining:
        top = [a for a in remaining if not any(p[b, a] > p[a, b] for b in remaining)]
        order.append(top)
        remaining = [c for c in remaining if c not in top]
    return order


def condorcet_winner(election: Election) -> str | None:
    """Return the candidate every other candidate loses to head to head, if there is one."""
    profile = election.profile
    d = pairwise(profile)
    for a in profile.active:
        if all(d[a, b] > d[b, a] for b in profile.active if b != a):
            return profile.names[a]
    return None


def count_schulze(profile: Profile, ties: TieBreaker) -> CountResult:
    names = profile.names
    p = strongest_paths(pairwise(profile), profile.active)
    ranked: list[int] = []
    for tier in _tiers(p, profile.active):
        remaining = sorted(tier)
        while len(remaining) > 1:
            chosen = ties.draw(remaining, stage=1, kind=f"Schulze tie for place {len(ranked) + 1}")
            ranked.append(chosen)
            remaining.remove(chosen)
        ranked.extend(remaining)
    wins = {a: sum(1 for b in profile.active if p[a, b] > p[b, a]) for a in profile.active}
    stage = Stage(
        number=1,
        action="strongest paths compared (totals: candidates each one beats)",
        totals={names[a]: str(wins[a]) for a in profile.active},
        non_transferable="0",
        elected=tuple(names[c] for c in ranked),
    )
    return CountResult(
        method="schulze",
        seats=profile.seats,
        quota=None,
        seed=ties.seed,
        candidates=tuple(names[c] for c in profile.active),
        elected=tuple(names[c] for c in ranked),
        stages=(stage,),
        ties=tuple(ties.ties),
    )
