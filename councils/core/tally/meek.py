"""Meek STV as Droop's "Meek Parametric" rule (Hill, Wichmann and Woodall's algorithm).

Arithmetic is guarded fixed point: values are integers in units of 10**-27
(18 digits of precision and 9 guard digits); products and quotients round
down; two values closer than half a unit of the 18th digit compare equal.
Each stage iterates the keep factors (kf <- kf * quota / votes) until a
candidate exceeds the quota, or the total surplus falls to omega = 10**-9 or
stops shrinking, or a batch of sure losers can go; then the lowest candidate
(any within the surplus of the lowest count as tied) is excluded. Equal
preferences split a ballot's weight evenly between the continuing
candidates of that level.

The ballots are walked as a tree of shared prefixes: every ballot that starts
with the same candidates carries exactly the same weights down that prefix,
so each distinct prefix is computed once per iteration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from councils.core.tally.model import CountResult, Stage
from councils.core.tally.profile import IntArray, Profile, Ranking, TieBreaker, fixed_point

PLACES = 27
ONE = 10**PLACES
EQUAL_WITHIN = 10**9 // 2  # half a unit of the 18th decimal: the guard digits' tolerance
OMEGA = ONE // 10**9
DISPLAY_PLACES = 18
ObjectArray = npt.NDArray[np.object_]


def _eq(a: int, b: int) -> bool:
    return abs(a - b) < EQUAL_WITHIN


def _gt(a: int, b: int) -> bool:
    return a - b >= EQUAL_WITHIN


def _ge(a: int, b: int) -> bool:
    return a - b > -EQUAL_WITHIN


def show(value: int) -> str:
    unit = 10 ** (PLACES - DISPLAY_PLACES)
    return fixed_point((value + unit // 2) // unit, DISPLAY_PLACES)


@dataclass(frozen=True)
class _PrefixTree:
    """Distinct ranking prefixes, depth by depth: node i at depth d follows node parent[i] at depth d-1."""

    starts: tuple[int, ...]
    candidate: IntArray
    parent: IntArray  # index within the previous depth
    ballots: ObjectArray  # how many ballots pass through the node, as Python ints
    by_candidate: tuple[IntArray, ...]

    @classmethod
    def build(cls, profile: Profile) -> _PrefixTree:
        rows = profile.rows[np.lexsort(profile.rows.T[::-1])] if len(profile.rows) else profile.rows
        counts = profile.counts[np.lexsort(profile.rows.T[::-1])] if len(profile.rows) else profile.counts
        changed = np.zeros(len(rows), dtype=bool)
        starts, candidate, parent, ballots = [0], [], [], []
        node_of_row = np.zeros(len(rows), dtype=np.int64)
        for depth in range(rows.shape[1]):
            column = rows[:, depth]
            valid = column >= 0
            if not valid.any():
                break
            changed[1:] |= column[1:] != column[:-1]
            changed[0] = True
            new = changed & valid
            ids = np.cumsum(new) - 1
            candidate.append(column[new].astype(np.int64))
            parent.append(node_of_row[new])
            ballots.append(np.rint(np.bincount(ids[valid], weights=counts[valid])).astype(np.int64))
            node_of_row = ids
            starts.append(starts[-1] + int(new.sum()))
        all_candidates = np.concatenate(candidate) if candidate else np.zeros(0, dtype=np.int64)
        return cls(
            starts=tuple(starts),
            candidate=all_candidates,
            parent=np.concatenate(parent) if parent else np.zeros(0, dtype=np.int64),
            ballots=np.concatenate(ballots).astype(object) if ballots else np.zeros(0, dtype=object),
            by_candidate=tuple(np.flatnonzero(all_candidates == c) for c in range(len(profile.names))),
        )

    def distribute(self, keep_factor: list[int], votes: list[int]) -> None:
        """Add to `votes` what each candidate keeps of every strict ballot."""
        kf = np.array(keep_factor, dtype=object)
        passed_on = np.array([ONE - k for k in keep_factor], dtype=object)
        kept = np.empty(len(self.candidate), dtype=object)
        if len(self.starts) < 2:
            return
        weight: ObjectArray = np.full(self.starts[1], ONE, dtype=object)
        for depth in range(len(self.starts) - 1):
            span = slice(self.starts[depth], self.starts[depth + 1])
            here = self.candidate[span]
            kept[span] = weight * kf[here] // ONE
            if depth + 2 < len(self.starts):
                onward = weight * passed_on[here] // ONE
                weight = onward[self.parent[self.starts[depth + 1] : self.starts[depth + 2]]]
        contribution = kept * self.ballots
        for c, nodes in enumerate(self.by_candidate):
            if len(nodes):
                votes[c] += int(contribution[nodes].sum())


def _distribute_equal(
    equal: tuple[tuple[int, Ranking], ...], keep_factor: list[int], standing: set[int], votes: list[int]
) -> None:
    """Split each level's weight evenly between its standing candidates; levels with none are skipped."""

    def descend(levels: Ranking, weight: int, count: int) -> None:
        for i, level in enumerate(levels):
            here = [c for c in level if c in standing]
            if here:
                share = weight // len(here)
                for c in here:
                    votes[c] += share * keep_factor[c] // ONE * count
                    rest = share * (ONE - keep_factor[c]) // ONE
                    if rest:
                        descend(levels[i + 1 :], rest, count)
                return

    for count, ranking in equal:
        descend(ranking, ONE, count)


def count_meek(profile: Profile, ties: TieBreaker) -> CountResult:
    names = profile.names
    n = len(names)
    seats = profile.seats
    tree = _PrefixTree.build(profile)
    keep_factor = [0] * n
    hopeful = set(profile.active)
    for c in hopeful:
        keep_factor[c] = ONE
    elected: list[int] = []
    stages: list[Stage] = []
    total = profile.total * ONE
    first_quota = total // (seats + 1)

    def distribute() -> list[int]:
        votes = [0] * n
        tree.distribute(keep_factor, votes)
        _distribute_equal(profile.equal, keep_factor, hopeful | set(elected), votes)
        return votes

    def sure_losers(votes: list[int], surplus: int) -> list[int]:
        """Droop's safe batch: the lowest groups whose votes plus the surplus stay below the next."""
        groups: list[list[int]] = []
        group: list[int] = []
        start = 0
        for c in sorted(hopeful, key=lambda c: (votes[c], c)):
            if _ge(start + surplus, votes[c]):
                group.append(c)
            else:
                if group:
                    groups.append(group)
                group, start = [c], votes[c]
        if group:
            groups.append(group)
        most = len(hopeful) - (seats - len(elected))
        batch_end, taken, running = 0, 0, 0
        for g, group in enumerate(groups[:-1]):
            taken += len(group)
            if taken > most:
                break
            running += sum(votes[c] for c in group)
            if _gt(votes[groups[g + 1][0]], running + surplus):
                batch_end = g + 1
        return [c for group in groups[:batch_end] for c in group]

    def close_stage(
        action: str,
        votes: list[int],
        quota: int,
        *,
        winners: Sequence[int] = (),
        excluded: Sequence[int] = (),
        notes: Sequence[str] = (),
    ) -> None:
        stages.append(
            Stage(
                number=len(stages) + 1,
                action=action,
                totals={names[c]: show(votes[c]) for c in profile.active},
                non_transferable=show(total - sum(votes)),
                elected=tuple(names[c] for c in winners),
                excluded=tuple(names[c] for c in excluded),
                quota=show(quota),
                notes=tuple(notes),
            )
        )

    votes = distribute()
    quota = first_quota
    while hopeful and len(elected) < seats and len(hopeful) > seats - len(elected):
        number = len(stages) + 1
        last_surplus = total
        while True:
            votes = distribute()
            quota = sum(votes[c] for c in hopeful | set(elected)) // (seats + 1)
            winners = sorted((c for c in hopeful if _gt(votes[c], quota)), key=lambda c: (-votes[c], c))
            surplus = sum(votes[c] - quota for c in elected)
            if winners:
                outcome = "elected"
                break
            if not _gt(surplus, OMEGA):
                outcome = "omega"
                break
            if _ge(surplus, last_surplus):
                outcome = "stable"
                break
            batch = sure_losers(votes, surplus)
            if batch:
                outcome = "batch"
                break
            last_surplus = surplus
            for c in elected:
                keep_factor[c] = keep_factor[c] * quota // ONE * ONE // votes[c]
        ties.record(votes)
        if outcome == "elected":
            for c in winners:
                hopeful.discard(c)
                elected.append(c)
            close_stage(
                "keep factors converged: quota exceeded",
                votes,
                quota,
                winners=winners,
                notes=[f"{names[c]} exceeded the quota" for c in winners],
            )
            continue
        if outcome == "batch":
            losers = sorted(batch)
            reason = "sure losers excluded: their votes and the surplus cannot reach the next candidate"
        else:
            low = min(votes[c] for c in hopeful)
            tied = sorted(c for c in hopeful if _ge(low + surplus, votes[c]))
            losers = [ties.lowest(tied, stage=number, kind="exclusion")]
            why = "surplus below omega" if outcome == "omega" else "surplus no longer falling"
            reason = f"lowest candidate excluded ({why})"
        for c in losers:
            hopeful.discard(c)
            keep_factor[c] = 0
        close_stage(reason, votes, quota, excluded=losers)

    if hopeful and len(elected) < seats:
        last = sorted(hopeful, key=lambda c: (-votes[c], c))[: seats - len(elected)]
        elected.extend(last)
        notes = [f"{names[c]} fills a last vacancy" for c in last]
        if stages:
            previous = stages[-1]
            stages[-1] = replace(
                previous,
                elected=previous.elected + tuple(names[c] for c in last),
                notes=previous.notes + tuple(notes),
            )
        else:
            close_stage("every continuing candidate fills a vacancy", votes, quota, winners=last, notes=notes)

    return CountResult(
        method="meek",
        seats=seats,
        quota=show(first_quota),
        seed=ties.seed,
        candidates=tuple(names[c] for c in profile.active),
        elected=tuple(names[c] for c in elected),
        stages=tuple(stages),
        ties=tuple(ties.ties),
    )
