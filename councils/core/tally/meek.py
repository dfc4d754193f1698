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

from councils.core.errors import InvalidInputError
from councils.core.tally.model import CountResult, Stage
from councils.core.tally.profile import IntArray, Profile, Ranking, TieBreaker, fixed_point
from councils.core.wording import counted

PLACES = 27
ONE = 10**PLACES
EQUAL_WITHIN = 10**9 // 2  # half a unit of the 18th decimal: the guard digits' tolerance
OMEGA = ONE // 10**9
# Every preference a ballot passes through loses under a unit or two of 10**-27 to rounding down at
# each iteration; the guard digits absorb EQUAL_WITHIN (5 * 10**8) units. Counts with more
# preferences than this are refused rather than counted with their 18 digits in doubt.
MAX_PREFERENCES = 10**8
DISPLAY_PLACES = 18
GUARD_DIGITS = PLACES - DISPLAY_PLACES
ObjectArray = npt.NDArray[np.object_]


def _gt(a: int, b: int) -> bool:
    return a - b >= EQUAL_WITHIN


def _ge(a: int, b: int) -> bool:
    return a - b > -EQUAL_WITHIN


def _preferences(profile: Profile) -> float:
    """How many preferences the ballots pass through: a level of equal preferences is one for each of its
    candidates, and the levels after it once for each. A float: only its order of magnitude matters."""
    lengths = (profile.rows >= 0).sum(axis=1).astype(np.float64)
    strict = float(lengths @ profile.counts.astype(np.float64))
    equal = 0
    for count, ranking in profile.equal:
        paths, visits = 1, 0
        for level in ranking:
            paths *= len(level)
            visits += paths
        equal += count * visits
    return strict + equal


def _beyond_precision(total: int, what: str) -> InvalidInputError:
    """Refuse a count whose rounding the guard digits cannot absorb."""
    return InvalidInputError(
        f"meek cannot count {counted(total, 'ballot', 'ballots')} exactly: {what}; count by another method"
    )


def show(value: int) -> str:
    unit = 10 ** (PLACES - DISPLAY_PLACES)
    return fixed_point((value + unit // 2) // unit, DISPLAY_PLACES)


@dataclass(frozen=True)
class _PrefixTree:
    """Distinct ranking prefixes, depth by depth, in lexicographic order.

    The children of a node are contiguous at the next depth, at global
    indices first_child[i] up to last_child[i].
    """

    roots: int
    candidate: IntArray
    ballots: ObjectArray  # how many ballots pass through each node, as Python ints
    first_child: IntArray
    last_child: IntArray

    @classmethod
    def build(cls, profile: Profile) -> _PrefixTree:
        order = np.lexsort(profile.rows.T[::-1])
        rows, counts = profile.rows[order], profile.counts[order]
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
            parent.append(node_of_row[new] + starts[-2] if depth else node_of_row[new])
            ballots.append(np.rint(np.bincount(ids[valid], weights=counts[valid])).astype(np.int64))
            node_of_row = ids
            starts.append(starts[-1] + int(new.sum()))
        size = starts[-1]
        parents = np.concatenate(parent[1:]) if len(parent) > 1 else np.zeros(0, dtype=np.int64)
        nodes = np.arange(size)
        return cls(
            roots=starts[1] if len(starts) > 1 else 0,
            candidate=np.concatenate(candidate) if candidate else np.zeros(0, dtype=np.int64),
            ballots=np.concatenate(ballots).astype(object) if ballots else np.zeros(0, dtype=object),
            first_child=np.searchsorted(parents, nodes, side="left") + (starts[1] if len(starts) > 1 else 0),
            last_child=np.searchsorted(parents, nodes, side="right") + (starts[1] if len(starts) > 1 else 0),
        )

    def distribute(self, keep_factor: list[int], votes: list[int]) -> None:
        """Add to `votes` what each candidate keeps of every strict ballot.

        Only nodes that receive weight are visited: below a hopeful candidate
        (keep factor one) nothing passes on.
        """
        kf = np.array(keep_factor, dtype=object)
        passed_on = np.array([ONE - k for k in keep_factor], dtype=object)
        hopeful = np.array([k == ONE for k in keep_factor])
        defeated = np.array([k == 0 for k in keep_factor])
        who: list[IntArray] = []
        kept: list[ObjectArray] = []
        nodes = np.arange(self.roots)
        weight: ObjectArray = np.full(self.roots, ONE, dtype=object)
        while len(nodes):
            here = self.candidate[nodes]
            keeps_all, passes_all = hopeful[here], defeated[here]
            shares = ~(keeps_all | passes_all)
            who += [here[keeps_all], here[shares]]
            kept += [
                weight[keeps_all] * self.ballots[nodes[keeps_all]],
                weight[shares] * kf[here[shares]] // ONE * self.ballots[nodes[shares]],
            ]
            onward_nodes = np.concatenate([nodes[shares], nodes[passes_all]])
            onward = np.concatenate([weight[shares] * passed_on[here[shares]] // ONE, weight[passes_all]])
            first, last = self.first_child[onward_nodes], self.last_child[onward_nodes]
            fanout = last - first
            total = int(fanout.sum())
            nodes = np.repeat(first - np.cumsum(fanout) + fanout, fanout) + np.arange(total)
            weight = np.repeat(onward, fanout)
        candidates = np.concatenate(who) if who else np.zeros(0, dtype=np.int64)
        if len(candidates):
            order = np.argsort(candidates, kind="stable")
            candidates, values = candidates[order], np.concatenate(kept)[order]
            bounds = np.flatnonzero(np.r_[True, candidates[1:] != candidates[:-1]])
            for c, total_kept in zip(
                candidates[bounds].tolist(), np.add.reduceat(values, bounds), strict=True
            ):
                votes[c] += int(total_kept)


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
    preferences = _preferences(profile)
    if preferences > MAX_PREFERENCES:
        raise _beyond_precision(
            profile.total,
            f"the rounding at their {preferences:.3g} preferences (at most {MAX_PREFERENCES:.0e}) is more "
            f"than its {GUARD_DIGITS} guard digits absorb",
        )
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
            if any(votes[c] == 0 for c in elected):
                raise _beyond_precision(
                    profile.total,
                    f"at stage {number} rounding took a keep factor to zero, more than its "
                    f"{GUARD_DIGITS} guard digits absorb",
                )
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
            if not _ge(surplus, 0):
                raise _beyond_precision(
                    profile.total,
                    f"at stage {number} rounding left the elected short of the quota by more than "
                    f"its {GUARD_DIGITS} guard digits absorb",
                )
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
