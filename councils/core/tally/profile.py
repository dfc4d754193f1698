"""Grouped ballots as arrays, tie-breaking and number formatting shared by the methods.

Identical rankings are merged into one row with a count, so a count's cost
grows with the number of distinct rankings, not with the number of voters.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from councils.core.errors import InvalidInputError
from councils.core.tally.model import Election, Tie

IntArray = npt.NDArray[np.int64]
RankArray = npt.NDArray[np.int16]
Ranking = tuple[tuple[int, ...], ...]
Number = int | Fraction


@dataclass(frozen=True)
class Profile:
    """Distinct rankings of an election, withdrawn candidates removed.

    `rows` holds the strict rankings, one per row, padded with -1 and with at
    least one trailing -1 column so that "the preference after the last" can
    be read without a bounds check. Rankings with equal preferences are kept
    apart in `equal` as (count, levels).
    """

    names: tuple[str, ...]
    seats: int
    active: tuple[int, ...]
    rows: RankArray
    counts: IntArray
    equal: tuple[tuple[int, Ranking], ...]
    total: int

    def require_strict(self, method: str) -> None:
        if self.equal:
            count, ranking = self.equal[0]
            shown = " ".join("=".join(self.names[c] for c in level) for level in ranking)
            raise InvalidInputError(
                f"{method} cannot count equal preferences, and {len(self.equal)} distinct ranking(s) "
                f"have them (e.g. {count} ballot(s) ranking {shown!r})"
            )

    def canonical_digest(self) -> str:
        """Hash the ballots in a form that neither ballot order nor candidate order changes."""
        by_name = sorted(range(len(self.names)), key=lambda c: self.names[c])
        position = np.zeros(len(self.names) + 1, dtype=np.int16)
        position[by_name] = np.arange(len(self.names), dtype=np.int16)
        position[-1] = -1
        rows = position[self.rows]
        order = np.lexsort(rows.T[::-1])
        digest = hashlib.sha256()
        digest.update(repr((self.seats, sorted(self.names[c] for c in self.active))).encode())
        digest.update(np.ascontiguousarray(rows[order]).tobytes())
        digest.update(np.ascontiguousarray(self.counts[order]).tobytes())
        equal = sorted(
            (count, tuple(tuple(sorted(self.names[c] for c in lv)) for lv in ranking))
            for count, ranking in self.equal
        )
        digest.update(repr(equal).encode())
        return "sha256:" + digest.hexdigest()


def compile_profile(election: Election) -> Profile:
    n = len(election.candidates)
    withdrawn = election.withdrawn
    merged: dict[Ranking, int] = {}
    for number, ballot in enumerate(election.ballots, start=1):
        if not isinstance(ballot.weight, int) or ballot.weight < 1:
            raise InvalidInputError(
                f"ballot {number}: weight must be a positive integer, not {ballot.weight!r}"
            )
        flat = [c for level in ballot.ranking for c in level]
        if len(set(flat)) != len(flat):
            raise InvalidInputError(f"ballot {number}: a candidate is ranked more than once")
        if flat and not (min(flat) >= 0 and max(flat) < n):
            raise InvalidInputError(f"ballot {number}: candidate index out of range 0..{n - 1}")
        ranking = ballot.ranking
        if withdrawn and not withdrawn.isdisjoint(flat):
            ranking = tuple(
                kept for kept in (tuple(c for c in lv if c not in withdrawn) for lv in ranking) if kept
            )
        elif not all(ranking):
            ranking = tuple(level for level in ranking if level)
        if ranking:
            merged[ranking] = merged.get(ranking, 0) + ballot.weight
    strict: dict[int, list[tuple[int, ...]]] = {}
    strict_counts: dict[int, list[int]] = {}
    equal: list[tuple[int, Ranking]] = []
    for ranking, count in merged.items():
        if all(len(level) == 1 for level in ranking):
            strict.setdefault(len(ranking), []).append(tuple(level[0] for level in ranking))
            strict_counts.setdefault(len(ranking), []).append(count)
        else:
            equal.append((count, ranking))
    width = max(strict, default=0) + 1
    blocks = [np.full((len(strict[length]), width), -1, dtype=np.int16) for length in sorted(strict)]
    for block, length in zip(blocks, sorted(strict), strict=True):
        block[:, :length] = np.array(strict[length], dtype=np.int16)
    rows = np.concatenate(blocks) if blocks else np.full((0, 1), -1, dtype=np.int16)
    counts = np.array([c for length in sorted(strict) for c in strict_counts[length]], dtype=np.int64)
    total = int(counts.sum()) + sum(count for count, _ in equal)
    return Profile(
        names=election.candidates,
        seats=election.seats,
        active=tuple(c for c in range(n) if c not in withdrawn),
        rows=rows,
        counts=counts,
        equal=tuple(equal),
        total=total,
    )


@dataclass
class TieBreaker:
    """Settle ties by the most recent stage where the tied differ, then by a seeded draw.

    The latest stage comes first: Meek treats candidates within the surplus
    of the lowest as tied although their exact votes may differ.

    The draw's seed is the caller's, or else a digest of the ballots, made
    only when a draw is needed; candidates are drawn from in name order, so
    relabelling candidates never changes a draw.
    """

    names: Sequence[str]
    seed: str | None
    derive_seed: Callable[[], str]
    history: list[list[Number]] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    _rng: random.Random | None = None

    def record(self, totals: Sequence[Number]) -> None:
        self.history.append(list(totals))

    def lowest(self, tied: Sequence[int], *, stage: int, kind: str) -> int:
        return self._settle(tied, stage=stage, kind=kind, pick_lowest=True)

    def highest(self, tied: Sequence[int], *, stage: int, kind: str) -> int:
        return self._settle(tied, stage=stage, kind=kind, pick_lowest=False)

    def draw(self, tied: Sequence[int], *, stage: int, kind: str) -> int:
        if self._rng is None:
            if self.seed is None:
                self.seed = self.derive_seed()
            self._rng = random.Random(self.seed)
        chosen = self._rng.choice(sorted(tied, key=lambda c: self.names[c]))
        self._note(tied, chosen, stage=stage, kind=kind, by="lot")
        return chosen

    def _settle(self, tied: Sequence[int], *, stage: int, kind: str, pick_lowest: bool) -> int:
        if len(tied) == 1:
            return tied[0]
        remaining = list(tied)
        for back, totals in enumerate(reversed(self.history)):
            values = [totals[c] for c in remaining]
            best = min(values) if pick_lowest else max(values)
            narrowed = [c for c, v in zip(remaining, values, strict=True) if v == best]
            if len(narrowed) < len(remaining):
                remaining = narrowed
                if len(remaining) == 1:
                    by = "earlier-stage" if back else "exact-votes"
                    self._note(tied, remaining[0], stage=stage, kind=kind, by=by)
                    return remaining[0]
        return self.draw(remaining, stage=stage, kind=kind)

    def _note(self, tied: Sequence[int], chosen: int, *, stage: int, kind: str, by: str) -> None:
        self.ties.append(
            Tie(
                stage=stage,
                kind=kind,
                tied=tuple(sorted(self.names[c] for c in tied)),
                chosen=self.names[chosen],
                by=by,
            )
        )


def fixed_point(value: int, places: int) -> str:
    """Format `value` units of 10**-places as a decimal string."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"
