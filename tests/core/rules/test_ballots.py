"""The pure ballot rules: no database."""

from __future__ import annotations

import pytest

from councils.core.errors import InvalidInputError
from councils.core.rules import ballots

CANDIDATES = ["a", "b", "c"]


def normalise(method, ranking=(), approvals=(), seats=1):
    return ballots.normalise_ballot(
        method=method, seats=seats, candidates=CANDIDATES, ranking=ranking, approvals=approvals
    )


def test_ranked_ballot_keeps_the_order_one_per_level():
    assert normalise("scottish-stv", ranking=["c", "a"]) == [["c"], ["a"]]


def test_ranked_methods_refuse_approvals():
    with pytest.raises(InvalidInputError, match="ranking"):
        normalise("meek", approvals=["a"])


def test_approval_and_plurality_are_one_level_of_equal_marks():
    assert normalise("approval", approvals=["c", "a"]) == [["a", "c"]]
    assert normalise("plurality", approvals=["b", "a"], seats=2) == [["a", "b"]]
    with pytest.raises(InvalidInputError, match=r"^Mark only one candidate in this election\.$"):
        normalise("plurality", approvals=["a", "b"])
    with pytest.raises(InvalidInputError, match=r"^Mark at most 2 candidates in this election\.$"):
        normalise("plurality", approvals=["a", "b", "c"], seats=2)
    with pytest.raises(InvalidInputError, match="either"):
        normalise("approval", ranking=["a"], approvals=["b"])


def test_unknown_repeated_and_empty_marks_are_refused():
    with pytest.raises(InvalidInputError, match="Not a candidate"):
        normalise("wigm", ranking=["z"])
    with pytest.raises(InvalidInputError, match="only once"):
        normalise("wigm", ranking=["a", "a"])
    with pytest.raises(InvalidInputError, match="at least one"):
        normalise("schulze")


def test_ballot_set_hash_ignores_order_but_not_content():
    one, two = [["a"], ["b"]], [["b"]]
    assert ballots.ballot_set_hash([one, two]) == ballots.ballot_set_hash([two, one])
    assert ballots.ballot_set_hash([one, two]) != ballots.ballot_set_hash([one, one])


def test_default_method_by_seats():
    assert ballots.default_method(1) == "plurality"
    assert ballots.default_method(3) == "scottish-stv"


def test_tally_input_groups_identical_ballots():
    election = ballots.tally_election(
        candidates=CANDIDATES, seats=1, rankings=[[["a"]], [["a"]], [["b"], ["c"]]], title='Say "hi"'
    )
    assert sorted((b.weight, b.ranking) for b in election.ballots) == [(1, ((1,), (2,))), (2, ((0,),))]
    assert '"' not in election.title


def test_published_ballot_set_groups_in_canonical_order_and_rebuilds_the_hash():
    rankings = [[["b"], ["a"]], [["a"]], [["b"], ["a"]]]
    published = ballots.published_ballot_set(rankings)
    assert published == [{"ranking": [["a"]], "weight": 1}, {"ranking": [["b"], ["a"]], "weight": 2}]
    assert published == ballots.published_ballot_set(list(reversed(rankings)))
    rebuilt = [group["ranking"] for group in published for _ in range(group["weight"])]
    assert ballots.ballot_set_hash(rebuilt) == ballots.ballot_set_hash(rankings)
