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
from itertools import chain

import numpy as np
import numpy.typing as npt

from councils.core.errors import InvalidInputError
from councils.core.tally.model import Ballot, Election, Tie
from councils.core.wording import counted

IntArray = npt.NDArray[np.int64]
RankArray = npt.NDArray[np.int16]
Ranking = tuple[tuple[int, ...], ...]
Number = int | Fraction
MAX_BALLOTS = 2**53 - 1


@dataclass(frozen=True)
class Profile:
    """Distinct rankings of an election, withdrawn candidates removed.

    `rows` holds the strict rankings, one per row, shortest first, padded
    with -1 and with at least one trailing -1 column so that "the preference
    after the last" can be read without a bounds check. Rankings with equal preferences are kept
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
                f"{method} cannot count equal preferences, and "
                f"{counted(len(self.equal), 'distinct ranking has', 'distinct rankings have')} them "
                f"(e.g. {counted(count, 'ballot', 'ballots')} ranking {shown!r})"
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


def _ballot_problem(number: int, ballot: Ballot, n: int) -> str | None:
    """What is wrong with ballot `number` of an election of `n` candidates; None if nothing."""
    if type(ballot.weight) is not int or ballot.weight < 1:
        return f"ballot {number}: weight must be a positive integer, not {ballot.weight!r}"
    flat = list(chain.from_iterable(ballot.ranking))
    if len(set(flat)) != len(flat):
        return f"ballot {number}: a candidate is ranked more than once"
    if any(type(c) is not int or not 0 <= c < n for c in flat):
        return f"ballot {number}: candidate index out of range 0..{n - 1}"
    return None


def _check_ballot(number: int, ballot: Ballot, n: int) -> None:
    problem = _ballot_problem(number, ballot, n)
    if problem is not None:
        raise InvalidInputError(problem)


def _first_bad_ballot(election: Election) -> InvalidInputError:
    """The refusal of the first bad ballot, once the quick checks have found that one is bad.

    The type scan and the array check refuse exactly what the ballot check refuses (anything
    but an int in range, each once), so the ballot they refuse is one `_ballot_problem` names.
    """
    n = len(election.candidates)
    return next(
        InvalidInputError(problem)
        for number, ballot in enumerate(election.ballots, start=1)
        if (problem := _ballot_problem(number, ballot, n)) is not None
    )


def compile_profile(election: Election) -> Profile:
    """Group identical rankings and check every ballot; strict rankings are checked as arrays."""
    n = len(election.candidates)
    # NumPy reads 1.5, "1" and True as candidate 1, and grouping merges True and 1.0 with 1.
    levels = chain.from_iterable(ballot.ranking for ballot in election.ballots)
    if not set(map(type, chain.from_iterable(levels))) <= {int}:
        raise _first_bad_ballot(election)
    withdrawn = election.withdrawn
    strict: dict[tuple[int, ...], int] = {}
    equal: dict[Ranking, int] = {}
    for number, ballot in enumerate(election.ballots, start=1):
        ranking, weight = ballot.ranking, ballot.weight
        flat = tuple(chain.from_iterable(ranking))
        if len(flat) != len(ranking) or (withdrawn and not withdrawn.isdisjoint(flat)):
            _check_ballot(number, ballot, n)
            ranking = tuple(
                kept for kept in (tuple(c for c in lv if c not in withdrawn) for lv in ranking) if kept
            )
            flat = tuple(chain.from_iterable(ranking))
            if len(flat) != len(ranking):
                equal[ranking] = equal.get(ranking, 0) + weight
                continue
        elif type(weight) is not int or weight < 1:
            _check_ballot(number, ballot, n)
        if flat:
            strict[flat] = strict.get(flat, 0) + weight
    total = sum(strict.values()) + sum(equal.values())
    if total > MAX_BALLOTS:
        # Counts are summed in float64 (bincount, matrix products), exact only below 2**53.
        raise InvalidInputError(f"{total} ballots is more than the {MAX_BALLOTS} this engine counts exactly")
    by_length: dict[int, list[tuple[int, ...]]] = {}
    for flat in strict:
        by_length.setdefault(len(flat), []).append(flat)
    lengths = sorted(by_length)
    width = max(lengths, default=0) + 1
    blocks = []
    for length in lengths:
        group = by_length[length]
        block = np.full((len(group), width), -1, dtype=np.int64)
        try:
            values = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=len(group) * length)
        except OverflowError:
            raise _first_bad_ballot(election) from None
        block[:, :length] = values.reshape(len(group), length)
        ordered = np.sort(block[:, :length], axis=1)
        if ordered[:, 0].min() < 0 or ordered[:, -1].max() >= n or (ordered[:, 1:] == ordered[:, :-1]).any():
            raise _first_bad_ballot(election)
        blocks.append(block)
    rows = np.concatenate(blocks).astype(np.int16) if blocks else np.full((0, 1), -1, dtype=np.int16)
    counts = np.fromiter((strict[flat] for length in lengths for flat in by_length[length]), dtype=np.int64)
    return Profile(
        names=election.candidates,
        seats=election.seats,
        active=tuple(c for c in range(n) if c not in withdrawn),
        rows=rows,
        counts=counts,
        equal=tuple((count, ranking) for ranking, count in equal.items()),
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
