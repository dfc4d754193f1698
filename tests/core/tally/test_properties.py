"""Invariants every count must keep, on elections Hypothesis makes up."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from councils.core.errors import InvalidInputError
from councils.core.tally import METHODS, Ballot, Election, count
from councils.core.tally.blt import dumps, parse_text
from councils.core.tally.profile import MAX_BALLOTS
from councils.core.tally.schulze import condorcet_winner

STV = ("scottish-stv", "meek", "wigm")
STRICT_ONLY = {"scottish-stv", "wigm", "plurality"}
NAMES = ("Ada", "Ben", "Cleo", "Dev", "Eli", "Fay")
EXAMPLES = settings(max_examples=60, deadline=None)
FEW = st.integers(1, 4)


@st.composite
def elections(draw: st.DrawFn, *, equal: bool = False, weights: st.SearchStrategy[int] = FEW) -> Election:
    n = draw(st.integers(2, len(NAMES)))
    seats = draw(st.integers(1, n))
    ballots = []
    for _ in range(draw(st.integers(1, 25))):
        order = draw(st.permutations(range(n)))[: draw(st.integers(1, n))]
        if equal:
            cuts = sorted(draw(st.sets(st.integers(1, max(1, len(order) - 1)), max_size=2)))
            bounds = [0, *(c for c in cuts if c < len(order)), len(order)]
            ranking = tuple(tuple(order[a:b]) for a, b in itertools.pairwise(bounds) if b > a)
        else:
            ranking = tuple((c,) for c in order)
        ballots.append(Ballot(draw(weights), ranking))
    return Election(candidates=NAMES[:n], ballots=tuple(ballots), seats=seats)


def methods_for(election: Election) -> list[str]:
    return [m for m in METHODS if not (election.profile.equal and m in STRICT_ONLY)]


def normalised(document: dict[str, Any], method: str) -> dict[str, Any]:
    """The outcome with the order of candidates settled in the same stage left out."""
    out = dict(document)
    if method != "schulze":
        out["elected"] = sorted(document["elected"])
    out["stages"] = [
        {**stage, "elected": sorted(stage["elected"]), "excluded": sorted(stage["excluded"])}
        for stage in document["stages"]
    ]
    return out


@EXAMPLES
@given(elections(), st.randoms(use_true_random=False))
def test_ballot_order_never_changes_a_count(election: Election, rnd: Any) -> None:
    shuffled = list(election.ballots)
    rnd.shuffle(shuffled)
    other = Election(election.candidates, tuple(shuffled), election.seats)
    for method in METHODS:
        assert count(other, method=method).to_json() == count(election, method=method).to_json()


@EXAMPLES
@given(elections(equal=True), st.randoms(use_true_random=False))
def test_relabelling_candidates_never_changes_a_count(election: Election, rnd: Any) -> None:
    n = len(election.candidates)
    new_index = list(range(n))
    rnd.shuffle(new_index)
    candidates = [""] * n
    for old, new in enumerate(new_index):
        candidates[new] = election.candidates[old]
    ballots = tuple(
        Ballot(b.weight, tuple(tuple(new_index[c] for c in level) for level in b.ranking))
        for b in election.ballots
    )
    relabelled = Election(tuple(candidates), ballots, election.seats)
    for method in methods_for(election):
        ours = count(election, method=method).to_json()
        theirs = count(relabelled, method=method).to_json()
        assert normalised(theirs, method) == normalised(ours, method), method


@EXAMPLES
@given(elections(equal=True))
def test_every_seat_is_filled_when_enough_candidates_stand(election: Election) -> None:
    for method in methods_for(election):
        result = count(election, method=method)
        expected = len(election.candidates) if method == "schulze" else election.seats
        assert len(result.elected) == expected == len(set(result.elected)), method


@EXAMPLES
@given(elections())
def test_a_candidate_with_a_quota_of_first_preferences_is_elected(election: Election) -> None:
    total = sum(b.weight for b in election.ballots)
    first: dict[str, int] = {}
    for b in election.ballots:
        name = election.candidates[b.ranking[0][0]]
        first[name] = first.get(name, 0) + b.weight
    for method in STV:
        result = count(election, method=method)
        for name, votes in first.items():
            if method == "scottish-stv":
                has_quota = votes >= total // (election.seats + 1) + 1
            else:
                has_quota = votes > Fraction(total, election.seats + 1)
            if has_quota:
                assert result.elected_at_stage[name] == 1, (method, name)


@EXAMPLES
@given(elections(equal=True))
def test_a_condorcet_winner_wins_schulze(election: Election) -> None:
    winner = condorcet_winner(election)
    result = count(election, method="schulze")
    if winner is not None:
        assert result.elected[0] == winner
        assert not [t for t in result.ties if t.kind.endswith("place 1")]


@EXAMPLES
@given(elections(equal=True))
def test_a_blt_file_counts_the_same_as_its_election(election: Election) -> None:
    again = parse_text(dumps(election)).election
    for method in methods_for(election):
        assert count(again, method=method).to_json() == count(election, method=method).to_json()


# Aggregated ballot files carry weights in the billions: Meek's rounding outgrows its guard digits
# from about 10^8 ballots, and float64 sums stop being exact at 2^53.
HUGE_WEIGHTS = st.integers(1, 2**64) | st.integers(10**8, 10**13)


@settings(max_examples=200, deadline=None)
@given(elections(equal=True, weights=HUGE_WEIGHTS))
def test_huge_weights_give_a_count_or_the_documented_refusal(election: Election) -> None:
    n = len(election.candidates)
    too_many = sum(b.weight for b in election.ballots) > MAX_BALLOTS
    for method in METHODS:
        try:
            result = count(election, method=method)
        except InvalidInputError as refused:
            if too_many:
                assert "this engine counts exactly" in refused.message
            elif method in STRICT_ONLY and "equal preferences" in refused.message:
                assert election.profile.equal
            else:
                assert method == "meek", refused.message
                assert refused.message.startswith("meek cannot count"), refused.message
        else:
            assert not too_many
            assert len(result.elected) == (n if method == "schulze" else election.seats), method
