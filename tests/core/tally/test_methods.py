"""Small counts checked by hand, one or more per method, asserting the values at each stage."""

from __future__ import annotations

import pytest

from councils.core.errors import InvalidInputError
from councils.core.tally import METHODS, Ballot, Election, count
from councils.core.tally.export import stages_csv
from councils.core.tally.schulze import condorcet_winner

A, B, C, D, E = range(5)


def election(candidates: str, seats: int, *ballots: tuple[int, tuple[int, ...]]) -> Election:
    return Election(
        candidates=tuple(candidates),
        ballots=tuple(Ballot(w, tuple((c,) for c in ranking)) for w, ranking in ballots),
        seats=seats,
    )


# 100 ballots, 2 seats: quota floor(100 / 3) + 1 = 34. A's surplus 7 over 41 papers gives the
# truncated transfer value 0.17073, so B receives 41 x 0.17073 = 6.99993 and 0.00007 is lost.
TRUNCATION = election("ABCD", 2, (41, (A, B)), (14, (B,)), (25, (C,)), (20, (D, C)))


def test_scottish_stv_truncates_transfer_values_to_five_places() -> None:
    result = count(TRUNCATION, method="scottish-stv")

    assert result.quota == "34.00000"
    assert result.elected == ("A", "C")
    assert result.elected_at_stage == {"A": 1, "C": 3}
    second = result.stages[1]
    assert second.transfer_value == "0.17073"
    assert second.totals == {"A": "34.00000", "B": "20.99993", "C": "25.00000", "D": "20.00000"}
    assert second.non_transferable == "0.00007"
    third = result.stages[2]
    assert third.excluded == ("D",)
    assert third.totals["C"] == "45.00000"


def test_wigm_transfers_exact_fractions() -> None:
    result = count(TRUNCATION, method="wigm")

    assert result.quota == "33.333333333333"
    # Surplus 41 - 100/3 = 23/3 moves whole to B: 14 + 23/3.
    assert result.stages[1].totals["B"] == "21.666666666667"
    assert result.stages[1].non_transferable == "0.000000000000"
    assert result.elected == ("A", "C")


def test_scottish_stv_transfers_the_larger_surplus_first_and_breaks_ties_by_earlier_stages() -> None:
    # 80 ballots, 3 seats: quota 21. A's surplus (9) goes before B's (4) (rule 49); C and D then tie
    # on 19 and D, lower at stage 3, is excluded (rule 51), leaving C for the last seat (rule 52).
    tied = election("ABCDE", 3, (30, (A, C)), (25, (B, D)), (10, (C,)), (9, (D,)), (6, (E, D)))
    result = count(tied, method="scottish-stv")

    assert [s.action for s in result.stages[1:3]] == ["surplus of A transferred", "surplus of B transferred"]
    assert result.stages[1].totals["C"] == "19.00000"
    assert result.stages[2].totals["D"] == "13.00000"
    assert result.stages[4].excluded == ("D",)
    assert result.elected_at_stage == {"A": 1, "B": 1, "C": 5}
    assert [t.to_json() for t in result.ties] == [
        {"stage": 5, "kind": "exclusion", "tied": ["C", "D"], "chosen": "D", "by": "earlier-stage"}
    ]


def test_meek_lowers_the_quota_as_votes_exhaust() -> None:
    # 21 ballots, 3 seats: quota 5.25 at first. B's surplus has nowhere to go, so the quota falls
    # towards 4.5 (A = B = q, 2q + 5 + 4 = 4q) and C's 5 votes exceed it.
    meek = election("ABCD", 3, (10, (A, B)), (2, (B,)), (5, (C,)), (4, (D,)))
    result = count(meek, method="meek")

    assert result.quota == "5.250000000000000000"
    assert result.elected_at_stage == {"A": 1, "B": 2, "C": 3}
    final_quota = float(result.stages[-1].quota or "nan")
    assert 4.5 <= final_quota < 5
    assert result.ties == ()


def test_meek_splits_equal_preferences_evenly() -> None:
    equal = Election(("A", "B", "C"), (Ballot(4, ((A, B),)), Ballot(3, ((C,),))), seats=1)
    result = count(equal, method="meek")

    assert result.stages[0].totals == {
        "A": "2.000000000000000000",
        "B": "2.000000000000000000",
        "C": "3.000000000000000000",
    }


@pytest.mark.parametrize("method", ["scottish-stv", "wigm", "plurality"])
def test_methods_that_need_strict_rankings_refuse_equal_preferences(method: str) -> None:
    equal = Election(("A", "B", "C"), (Ballot(2, ((A, B),)), Ballot(1, ((C,),))), seats=1)
    with pytest.raises(InvalidInputError, match="equal preferences"):
        count(equal, method=method)


def test_schulze_orders_tiers_and_draws_within_a_tie() -> None:
    # d(A,B) = d(A,C) = 3 against 4: B and C beat A and tie 2:2 with each other.
    ballots = (Ballot(3, ((A,), (B, C))), Ballot(2, ((B,), (C,), (A,))), Ballot(2, ((C,), (B,), (A,))))
    tie = Election(("A", "B", "C"), ballots, seats=1)

    first = count(tie, method="schulze", seed="congress-2026")
    again = count(tie, method="schulze", seed="congress-2026")
    assert first.to_json() == again.to_json()
    assert set(first.elected[:2]) == {"B", "C"}
    assert first.elected[2] == "A"
    assert [(t.tied, t.by, t.stage) for t in first.ties] == [(("B", "C"), "lot", 1)]
    assert first.seed == "congress-2026"
    assert condorcet_winner(tie) is None
    draws = {count(tie, method="schulze", seed=str(s)).elected[0] for s in range(20)}
    assert draws == {"B", "C"}


def test_schulze_elects_the_condorcet_winner() -> None:
    # A beats B 6:3 and C 5:4; B beats C 8:1.
    cw = election("ABC", 1, (5, (A, B, C)), (3, (B, C, A)), (1, (C, A, B)))
    assert condorcet_winner(cw) == "A"
    assert count(cw, method="schulze").elected == ("A", "B", "C")


def test_plurality_counts_the_first_preferences_of_each_seat() -> None:
    ballots = ((5, (A, B)), (3, (B, C, D)), (4, (C,)))
    single = count(election("ABCD", 1, *ballots), method="plurality")
    block = count(election("ABCD", 2, *ballots), method="plurality")
    approval = count(election("ABCD", 2, *ballots), method="approval")

    assert single.elected == ("A",)
    assert single.stages[0].totals == {"A": "5", "B": "3", "C": "4", "D": "0"}
    assert block.stages[0].totals == {"A": "5", "B": "8", "C": "7", "D": "0"}
    assert block.elected == ("B", "C")
    assert approval.stages[0].totals == {"A": "5", "B": "8", "C": "7", "D": "3"}


def test_block_plurality_counts_equal_preferences_that_fill_the_seats() -> None:
    # Marking A and B equal fills both seats; the later preference for C is not a mark.
    ballots = (Ballot(3, ((A, B), (C,))), Ballot(2, ((C,),)))
    result = count(Election(("A", "B", "C"), ballots, seats=2), method="plurality")

    assert result.stages[0].totals == {"A": "3", "B": "3", "C": "2"}
    assert result.elected == ("A", "B")


def test_a_tie_for_the_last_seat_is_drawn_reproducibly() -> None:
    tie = election("ABC", 1, (2, (A,)), (2, (B,)), (1, (C,)))
    results = [count(tie, method="plurality") for _ in range(2)]

    assert results[0].to_json() == results[1].to_json()
    assert results[0].seed is not None and results[0].seed.startswith("sha256:")
    assert results[0].ties[0].tied == ("A", "B")
    assert {count(tie, method="plurality", seed=str(s)).elected for s in range(20)} == {("A",), ("B",)}


def test_withdrawn_candidates_are_skipped() -> None:
    withdrawn = Election(
        ("A", "B", "C"), (Ballot(3, ((A,), (B,))), Ballot(2, ((C,),))), seats=1, withdrawn=frozenset({A})
    )
    for method in METHODS:
        result = count(withdrawn, method=method)
        assert "A" not in result.stages[0].totals
        assert result.elected[0] == "B"


def test_to_json_is_the_pinned_document() -> None:
    document = count(TRUNCATION, method="scottish-stv").to_json()

    assert list(document) == ["method", "seats", "quota", "seed", "elected", "stages", "ties"]
    assert list(document["stages"][1]) == ["stage", "totals", "elected", "excluded", "transfer_value"]
    assert document["stages"][0]["elected"] == ["A"]
    assert document["seed"] is None


def test_stages_export_as_csv() -> None:
    lines = stages_csv(count(TRUNCATION, method="scottish-stv")).splitlines()

    assert lines[0] == "stage,action,quota,A,B,C,D,non-transferable,elected,excluded,transfer value,notes"
    assert lines[2].startswith(
        "2,surplus of A transferred,34.00000,34.00000,20.99993,25.00000,20.00000,0.00007,"
    )
    assert len(lines) == 4


def test_unknown_method_and_bad_ballots_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="unknown counting method"):
        count(TRUNCATION, method="borda")
    with pytest.raises(InvalidInputError, match="out of range"):
        count(Election(("A",), (Ballot(1, ((3,),)),), seats=1), method="wigm")
    with pytest.raises(InvalidInputError, match="more than once"):
        count(Election(("A", "B"), (Ballot(1, ((0,), (0,))),), seats=1), method="wigm")
    with pytest.raises(InvalidInputError, match="unique"):
        Election(("A", "A"), (), seats=1)
    with pytest.raises(InvalidInputError, match="withdrawn candidate is not on the list"):
        Election(("A", "B"), (), seats=1, withdrawn=frozenset({2}))


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        (Ballot(0, ((0,),)), "ballot 2: weight must be a positive integer, not 0"),
        (Ballot(1, (("B",),)), "ballot 2: candidate index out of range 0..1"),
        (Ballot(1, ((2**70,),)), "ballot 2: candidate index out of range 0..1"),
        # NumPy would read each of these as candidate 1.
        (Ballot(1, ((1.5,),)), "ballot 2: candidate index out of range 0..1"),
        (Ballot(1, (("1",),)), "ballot 2: candidate index out of range 0..1"),
        (Ballot(1, ((True,),)), "ballot 2: candidate index out of range 0..1"),
        (Ballot(1, ((0,), (1.0,))), "ballot 2: candidate index out of range 0..1"),
    ],
)
def test_a_bad_ballot_is_refused_by_its_number(ballot: Ballot, message: str) -> None:
    bad = Election(("A", "B"), (Ballot(1, ((1,),)), ballot), seats=1)
    with pytest.raises(InvalidInputError) as raised:
        count(bad, method="meek")
    assert raised.value.message == message


@pytest.mark.parametrize(
    "weights",
    [
        (2**52, 2**52),
        (2**64,),  # more than an int64 holds
        (2**62, 2**62),  # an int64 sum would wrap round to a negative total
    ],
)
def test_more_ballots_than_can_be_summed_exactly_are_refused(weights: tuple[int, ...]) -> None:
    huge = Election(("A", "B"), tuple(Ballot(w, ((i % 2,),)) for i, w in enumerate(weights)), seats=1)
    with pytest.raises(InvalidInputError, match="counts exactly"):
        count(huge, method="wigm")


# Aggregated ballot files: with weights this large Meek's rounding outgrows its guard digits. The
# first once divided by an elected candidate's votes after its keep factor had rounded to zero; the
# second found no candidate to exclude once rounding had left the elected below the quota.
ROUNDED_TO_ZERO = election("ABCDE", 3, (227075901955, (A,)), (102511667560, (C,)), (283399473766, (A,)))
SHORT_OF_QUOTA = election(
    "ABCDEF",
    3,
    (22040449091, (E, D, B, C, A, 5)),
    (18452080372, (5, D, A, C, B, E)),
    (18918268345, (C,)),
    (21016336535, (5, B, D)),
    (27342719442, (A, E)),
    (12185596104, (E, D)),
    (26735622447, (B, C, A, D)),
    (28451491618, (B, D, A, C, 5)),
)


@pytest.mark.parametrize(
    ("huge", "failure"),
    [
        (ROUNDED_TO_ZERO, "at stage 3 rounding took a keep factor to zero"),
        (SHORT_OF_QUOTA, "at stage 3 rounding left the elected short of the quota"),
    ],
)
def test_meek_refuses_counts_its_arithmetic_cannot_do_exactly(
    huge: Election, failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = sum(b.weight for b in huge.ballots)
    with pytest.raises(InvalidInputError) as refused:
        count(huge, method="meek")
    assert refused.value.message.startswith(f"meek cannot count {total} ballots exactly: the rounding at")
    assert "(at most 1e+08) is more than its 9 guard digits absorb; count by another method" in (
        refused.value.message
    )
    assert count(huge, method="wigm").elected
    # Below the size limit, rounding can still outgrow the guard digits in a count that lets
    # almost every vote exhaust; the count is refused where it happens.
    monkeypatch.setattr("councils.core.tally.meek.MAX_PREFERENCES", 10**15)
    with pytest.raises(InvalidInputError, match=failure):
        count(huge, method="meek")


def test_meek_counts_up_to_its_limit_of_preferences() -> None:
    # 10^8 preferences: two on each of 5 * 10^7 - 2 ballots, one for each of the equal candidates
    # on another ballot, and one on each of the last two.
    at_limit = Election(
        ("A", "B", "C"),
        (Ballot(5 * 10**7 - 2, ((A,), (B,))), Ballot(1, ((A, B),)), Ballot(2, ((C,),))),
        seats=1,
    )
    assert count(at_limit, method="meek").elected == ("A",)
    over = Election(at_limit.candidates, (*at_limit.ballots, Ballot(1, ((C,),))), seats=1)
    with pytest.raises(InvalidInputError, match=r"their 1e\+08 preferences \(at most 1e\+08\)"):
        count(over, method="meek")


def test_meek_ends_a_stage_once_rounding_stops_the_surplus_falling(monkeypatch: pytest.MonkeyPatch) -> None:
    # A and B pass their surpluses to each other, so the keep factors converge slowly. Omega stops
    # the iteration long before the fixed-point arithmetic runs out of digits; without omega the
    # surplus would fall until rounding holds it still, and the stage must still end there.
    mutual = election("ABCD", 3, (10, (A, B)), (10, (B, A)), (9, (C,)), (9, (D,)))
    at_omega = count(mutual, method="meek")
    assert at_omega.stages[-1].action == "lowest candidate excluded (surplus below omega)"
    monkeypatch.setattr("councils.core.tally.meek.OMEGA", 0)
    held = count(mutual, method="meek")
    assert held.stages[-1].action == "lowest candidate excluded (surplus no longer falling)"
    assert held.elected == at_omega.elected == ("A", "B", "D")
