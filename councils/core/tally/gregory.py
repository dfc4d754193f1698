"""The weighted inclusive Gregory count that Scottish STV and WIGM share.

Every ballot held by a candidate whose surplus is transferred moves on, at
its value times surplus / votes. Ballots that have taken the same path have
the same value, so values live in a short table and each row of the profile
carries an index into it: a stage is a few array operations however many
ballots there are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from councils.core.tally.model import CountResult, Stage
from councils.core.tally.profile import IntArray, Profile, TieBreaker


@dataclass(frozen=True)
class GregoryRules:
    """How one Gregory variant computes its quota, rounds and decides election."""

    method: str
    integer_quota: bool  # Scottish rule 46: floor(votes / (seats + 1)) + 1, elected on reaching it
    truncate_places: int | None  # transfer values cut to this many decimals, or exact
    display_places: int

    def quota(self, total: int, seats: int) -> Fraction:
        if self.integer_quota:
            return Fraction(total // (seats + 1) + 1)
        return Fraction(total, seats + 1)

    def reached(self, votes: Fraction, quota: Fraction) -> bool:
        return votes >= quota if self.integer_quota else votes > quota

    def transfer_value(self, value: Fraction, surplus: Fraction, votes: Fraction) -> Fraction:
        exact = value * surplus / votes
        if self.truncate_places is None:
            return exact
        scale = 10**self.truncate_places
        return Fraction(math.floor(exact * scale), scale)

    def show(self, value: Fraction) -> str:
        scale = 10**self.display_places
        units = math.floor(value * scale + Fraction(1, 2))
        whole, frac = divmod(units, scale)
        return f"{whole}.{frac:0{self.display_places}d}"


class _Papers:
    """Where each distinct ranking's ballots sit now, and at what value."""

    def __init__(self, profile: Profile) -> None:
        self.rows = profile.rows
        self.counts = profile.counts
        self.n = len(profile.names)
        self.exhausted = self.n
        self.pos = np.zeros(len(self.rows), dtype=np.int64)
        self.top = self.rows[:, 0].astype(np.int64)
        self.value_id = np.zeros(len(self.rows), dtype=np.int64)
        self.values: list[Fraction] = [Fraction(1)]

    def held_by(self, candidate: int) -> IntArray:
        return np.flatnonzero(self.top == candidate)

    def move_on(self, rows: IntArray, continuing: set[int]) -> None:
        """Advance the given rows to their next continuing candidate, or to exhaustion."""
        is_continuing = np.zeros(self.n + 1, dtype=bool)
        is_continuing[list(continuing)] = True
        pending = rows
        while len(pending):
            self.pos[pending] += 1
            nxt = self.rows[pending, self.pos[pending]].astype(np.int64)
            nxt[nxt < 0] = self.exhausted
            self.top[pending] = nxt
            stop = is_continuing[nxt] | (nxt == self.exhausted)
            pending = pending[~stop]

    def revalue(self, rows: IntArray, new_value: dict[int, Fraction]) -> None:
        remap = np.arange(len(self.values), dtype=np.int64)
        for old, value in new_value.items():
            remap[old] = len(self.values)
            self.values.append(value)
        self.value_id[rows] = remap[self.value_id[rows]]

    def totals(self) -> list[Fraction]:
        """Votes held by each candidate, and last the value of exhausted papers."""
        k = len(self.values)
        weights = np.bincount(self.top * k + self.value_id, weights=self.counts, minlength=(self.n + 1) * k)
        table = np.rint(weights).astype(np.int64).reshape(self.n + 1, k)
        return [
            sum((int(c) * v for c, v in zip(row, self.values, strict=True) if c), Fraction(0))
            for row in table
        ]


def count_gregory(profile: Profile, *, rules: GregoryRules, ties: TieBreaker) -> CountResult:
    profile.require_strict(rules.method)
    names = profile.names
    seats = profile.seats
    quota = rules.quota(profile.total, seats)
    papers = _Papers(profile)
    hopeful = set(profile.active)
    elected: list[int] = []
    awaiting_transfer: list[int] = []
    settled: dict[int, Fraction] = {}  # elected candidates whose surplus has gone: they keep the quota
    stages: list[Stage] = []

    def close_stage(
        action: str, *, excluded: tuple[int, ...] = (), transfer_value: str | None = None
    ) -> None:
        raw = papers.totals()
        votes = [settled.get(c, raw[c]) for c in range(len(names))]
        for c in (c for c in range(len(names)) if c not in hopeful and c not in elected):
            votes[c] = Fraction(0)
        ties.record(votes)
        number = len(stages) + 1
        winners = sorted((c for c in hopeful if rules.reached(votes[c], quota)), key=lambda c: (-votes[c], c))
        notes = [f"{names[c]} reached the quota" for c in winners]
        for c in winners:
            hopeful.discard(c)
            elected.append(c)
            if votes[c] > quota:
                awaiting_transfer.append(c)
        if len(elected) < seats and len(hopeful) <= seats - len(elected):
            last = sorted(hopeful, key=lambda c: (-votes[c], c))
            notes += [f"{names[c]} fills a last vacancy" for c in last]
            winners += last
            elected.extend(last)
            hopeful.clear()
        counted = sum((votes[c] for c in profile.active), Fraction())
        stages.append(
            Stage(
                number=number,
                action=action,
                totals={names[c]: rules.show(votes[c]) for c in profile.active},
                non_transferable=rules.show(profile.total - counted),
                elected=tuple(names[c] for c in winners),
                excluded=tuple(names[c] for c in excluded),
                transfer_value=transfer_value,
                quota=rules.show(quota),
                notes=tuple(notes),
            )
        )

    close_stage("first preferences")
    while len(elected) < seats and hopeful:
        number = len(stages) + 1
        votes = ties.history[-1]
        if awaiting_transfer:
            top_votes = max(votes[c] for c in awaiting_transfer)
            chosen = ties.highest(
                [c for c in awaiting_transfer if votes[c] == top_votes], stage=number, kind="surplus order"
            )
            awaiting_transfer.remove(chosen)
            total = Fraction(votes[chosen])
            surplus = total - quota
            rows = papers.held_by(chosen)
            papers.revalue(
                rows,
                {
                    old: rules.transfer_value(papers.values[old], surplus, total)
                    for old in np.unique(papers.value_id[rows]).tolist()
                },
            )
            papers.move_on(rows, hopeful)
            settled[chosen] = quota
            close_stage(
                f"surplus of {names[chosen]} transferred",
                transfer_value=rules.show(rules.transfer_value(Fraction(1), surplus, total)),
            )
        else:
            low_votes = min(votes[c] for c in hopeful)
            chosen = ties.lowest(
                sorted(c for c in hopeful if votes[c] == low_votes), stage=number, kind="exclusion"
            )
            hopeful.discard(chosen)
            papers.move_on(papers.held_by(chosen), hopeful)
            close_stage(f"{names[chosen]} excluded with the fewest votes", excluded=(chosen,))

    return CountResult(
        method=rules.method,
        seats=seats,
        quota=rules.show(quota),
        seed=ties.seed,
        candidates=tuple(names[c] for c in profile.active),
        elected=tuple(names[c] for c in elected),
        stages=tuple(stages),
        ties=tuple(ties.ties),
    )
