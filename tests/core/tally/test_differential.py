"""Our counts against independent Python implementations, wherever the rules coincide.

Counts in which our rules had to settle a tie are left out: each implementation settles ties its own
way (see docs/decisions/0002-counting-engine.md for every known difference).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from councils.core.tally import Ballot, Election, count

Rankings = dict[tuple[int, ...], int]
CASES = 30


def plackett_luce(rng: random.Random, n: int, voters: int) -> Rankings:
    """Truncated rankings drawn with candidate strengths 1, 1/2, 1/3, ..."""
    rankings: Rankings = {}
    for _ in range(voters):
        rest, order = list(range(n)), []
        for _ in range(rng.randint(1, n)):
            pick = rng.choices(rest, weights=[1 / (c + 1) for c in rest])[0]
            order.append(pick)
            rest.remove(pick)
        rankings[tuple(order)] = rankings.get(tuple(order), 0) + 1
    return rankings


def cases(
    salt: int,
    *,
    seats: tuple[int, int] = (1, 3),
    candidates: tuple[int, int] = (3, 8),
    voters: tuple[int, int] = (30, 300),
    number: int = CASES,
) -> list[tuple[Election, Rankings]]:
    out = []
    for i in range(number):
        rng = random.Random(salt * 1000 + i)
        n = rng.randint(*candidates)
        rankings = plackett_luce(rng, n, rng.randint(*voters))
        ballots = tuple(Ballot(w, tuple((c,) for c in r)) for r, w in rankings.items())
        names = tuple(f"C{c}" for c in range(n))
        out.append((Election(names, ballots, seats=min(n - 1, rng.randint(*seats))), rankings))
    return out


def agree(
    method: str, peer: Callable[[Election, Rankings], set[int]], elections: list[tuple[Election, Rankings]]
) -> int:
    compared = 0
    for election, rankings in elections:
        result = count(election, method=method)
        if result.ties:
            continue
        ours = {election.candidates.index(name) for name in result.elected}
        assert ours == peer(election, rankings), (method, election)
        compared += 1
    assert compared >= len(elections) * 3 // 4
    return compared


@pytest.mark.parametrize(
    ("method", "peer_name"), [("scottish-stv", "stv_scottish"), ("wigm", "stv_wig"), ("meek", "stv_meek")]
)
def test_stv_agrees_with_pref_voting(method: str, peer_name: str) -> None:
    pytest.importorskip(
        "pref_voting.proportional_methods",
        reason="pref_voting (test-only peer) is not importable",
        exc_type=ImportError,
    )
    from pref_voting import proportional_methods
    from pref_voting.profiles_with_ties import ProfileWithTies

    peer_method = getattr(proportional_methods, peer_name)

    def peer(election: Election, rankings: Rankings) -> set[int]:
        profile = ProfileWithTies(
            [{c: level + 1 for level, c in enumerate(r)} for r in rankings],
            rcounts=list(rankings.values()),
            candidates=list(range(len(election.candidates))),
        )
        return set(peer_method(profile, num_seats=election.seats))

    # pref_voting's Meek iterates in pure Python over every ballot: keep its cases small.
    if method == "meek":
        agree(method, peer, cases(1, candidates=(3, 5), voters=(20, 80), number=15))
    else:
        agree(method, peer, cases(1))


def test_scottish_stv_agrees_with_stvpoll() -> None:
    pytest.importorskip("stvpoll", reason="stvpoll (test-only peer) is not installed")
    from stvpoll.scottish_stv import calculate_scottish_stv

    def peer(election: Election, rankings: Rankings) -> set[int]:
        candidates = list(range(len(election.candidates)))
        result = calculate_scottish_stv(
            candidates, list(rankings.items()), election.seats, random_shuffle=False
        )
        return set(result.elected_as_tuple())

    agree("scottish-stv", peer, cases(2))


@pytest.mark.parametrize("method", ["scottish-stv", "wigm", "meek"])
def test_single_seat_stv_is_pyrankvote_instant_runoff(method: str) -> None:
    pyrankvote = pytest.importorskip("pyrankvote", reason="pyrankvote (test-only peer) is not installed")

    def peer(election: Election, rankings: Rankings) -> set[int]:
        candidates = [pyrankvote.Candidate(name) for name in election.candidates]
        ballots = [
            pyrankvote.Ballot([candidates[c] for c in r]) for r, w in rankings.items() for _ in range(w)
        ]
        winners = pyrankvote.instant_runoff_voting(candidates, ballots).get_winners()
        return {election.candidates.index(w.name) for w in winners}

    agree(method, peer, cases(3, seats=(1, 1), voters=(300, 600)))


def test_schulze_condorcet_and_plurality_agree_with_pref_voting() -> None:
    pytest.importorskip(
        "pref_voting.margin_based_methods",
        reason="pref_voting (test-only peer) is not importable",
        exc_type=ImportError,
    )
    from pref_voting.margin_based_methods import beat_path
    from pref_voting.profiles_with_ties import ProfileWithTies

    from councils.core.tally.schulze import condorcet_winner, tiers

    for election, rankings in cases(4, seats=(1, 1)):
        profile = ProfileWithTies(
            [{c: level + 1 for level, c in enumerate(r)} for r in rankings],
            rcounts=list(rankings.values()),
            candidates=list(range(len(election.candidates))),
        )
        profile.use_extended_strict_preference()
        assert set(tiers(election.profile)[0]) == set(beat_path(profile))
        winner = condorcet_winner(election)
        assert (None if winner is None else election.candidates.index(winner)) == profile.condorcet_winner()
        firsts = profile.plurality_scores()
        ours = count(election, method="plurality").stages[0].totals
        assert {election.candidates.index(k): int(v) for k, v in ours.items()} == firsts
