from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from councils.core.errors import ConflictError, InvalidInputError
from councils.core.rules import votes
from councils.core.rules.votes import compute_result


def result(yes, no, abstain, electorate=100, threshold="simple", quorum=None):
    return compute_result(
        yes=yes, no=no, abstain=abstain, electorate=electorate, threshold=threshold, quorum=quorum
    )


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "threshold", "outcome"),
    [
        (3, 2, 0, "simple", "adopted"),
        (2, 2, 5, "simple", "rejected"),  # a tie fails
        (3, 2, 40, "simple", "adopted"),  # abstentions are not votes cast
        (0, 0, 5, "simple", "rejected"),  # nobody voted for it
        (51, 0, 0, "absolute", "adopted"),
        (50, 0, 0, "absolute", "rejected"),  # half the electorate is not a majority of it
        (40, 10, 0, "absolute", "rejected"),
        (20, 10, 9, "two_thirds", "adopted"),  # exactly two thirds
        (19, 10, 0, "two_thirds", "rejected"),
        (3, 2, 0, "three_fifths", "adopted"),  # exactly three fifths
        (5, 4, 0, "three_fifths", "rejected"),
    ],
)
def test_threshold_decides_outcome(yes, no, abstain, threshold, outcome):
    assert result(yes, no, abstain, threshold=threshold).outcome == outcome


def test_abstentions_count_toward_quorum_but_not_votes_cast():
    decided = result(2, 1, 7, quorum=10)
    assert decided.quorum_met and decided.cast == 3 and decided.turnout == 10
    assert decided.outcome == "adopted"


def test_missed_quorum_decides_nothing_whatever_the_counts():
    decided = result(9, 0, 0, quorum=10)
    assert decided.outcome == "no_quorum" and not decided.quorum_met and not decided.adopted


def test_payload_is_json_safe_and_complete():
    payload = result(3, 1, 1, electorate=10, quorum=2).as_payload()
    assert payload == {
        "yes": 3,
        "no": 1,
        "abstain": 1,
        "cast": 4,
        "turnout": 5,
        "electorate": 10,
        "threshold": "simple",
        "quorum": 2,
        "quorum_met": True,
        "required": 3,
        "outcome": "adopted",
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"yes": -1, "no": 0, "abstain": 0, "electorate": 5}, "negative"),
        ({"yes": 4, "no": 2, "abstain": 0, "electorate": 5}, "More ballots"),
        ({"yes": 1, "no": 0, "abstain": 0, "electorate": 5, "quorum": 0}, "quorum"),
        ({"yes": 1, "no": 0, "abstain": 0, "electorate": 5, "threshold": "most"}, "Unknown threshold"),
    ],
)
def test_impossible_counts_are_refused(kwargs, message):
    arguments = {"threshold": "simple", "quorum": None, **kwargs}
    with pytest.raises(InvalidInputError, match=message):
        compute_result(**arguments)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"method": "show_of_hands"}, "method"),
        ({"threshold": "unanimous"}, "threshold"),
        ({"electorate": 0}, "Nobody"),
        ({"quorum": 0}, "quorum"),
        ({"quorum": 11}, "quorum"),
    ],
)
def test_unholdable_vote_settings_are_refused(settings, message):
    arguments = {"method": "named", "threshold": "simple", "quorum": None, "electorate": 10, **settings}
    with pytest.raises(InvalidInputError, match=message):
        votes.check_vote_settings(**arguments)


def test_holdable_vote_settings_pass():
    votes.check_vote_settings(method="secret", threshold="two_thirds", quorum=10, electorate=10)


def test_delegate_bodies_vote_by_roll_call_and_members_in_secret():
    assert votes.default_method(is_base=False) == "named"
    assert votes.default_method(is_base=True) == "secret"


def test_tally_counts_choices_and_refuses_unknown_ones():
    assert votes.tally(["yes", "no", "yes", "abstain"]) == {"yes": 2, "no": 1, "abstain": 1}
    with pytest.raises(InvalidInputError, match="maybe"):
        votes.tally(["yes", "maybe"])


def test_electorate_digest_ignores_order_but_not_membership_or_text():
    a = votes.electorate_digest(voter_uuids=["b", "a"], text="T")
    assert a == votes.electorate_digest(voter_uuids=["a", "b"], text="T")
    assert a != votes.electorate_digest(voter_uuids=["a"], text="T")
    assert a != votes.electorate_digest(voter_uuids=["a", "b"], text="T2")
    assert len(a) == 64


def test_word_diff_marks_replaced_and_added_words():
    ops = votes.word_diff("We ask for a 5% raise.", "We demand a 7% raise now.")
    assert ("delete", "ask for") in ops and ("insert", "demand") in ops
    assert ("delete", "5%") in ops and ("insert", "7%") in ops
    assert "".join(t for op, t in ops if op != "insert") == "We ask for a 5% raise."


counts = st.integers(min_value=0, max_value=300)
thresholds = st.sampled_from(votes.THRESHOLDS)


@given(yes=counts, no=counts, abstain=counts, extra=counts, threshold=thresholds)
def test_outcome_matches_the_fraction_definition(yes, no, abstain, extra, threshold):
    electorate = yes + no + abstain + extra
    if electorate == 0:
        return
    decided = result(yes, no, abstain, electorate=electorate, threshold=threshold)
    cast = yes + no
    expected = {
        "simple": cast > 0 and yes > no,
        "absolute": Fraction(yes, electorate) > Fraction(1, 2),
        "two_thirds": cast > 0 and Fraction(yes, cast) >= Fraction(2, 3),
        "three_fifths": cast > 0 and Fraction(yes, cast) >= Fraction(3, 5),
    }[threshold]
    assert decided.adopted == expected
    assert decided.adopted == (yes >= decided.required)


@given(yes=counts, no=counts, abstain=counts, more=st.integers(1, 50), threshold=thresholds)
def test_more_abstentions_never_change_a_vote_of_votes_cast(yes, no, abstain, more, threshold):
    electorate = yes + no + abstain + more
    before = result(yes, no, abstain, electorate=electorate, threshold=threshold)
    after = result(yes, no, abstain + more, electorate=electorate, threshold=threshold)
    assert before.outcome == after.outcome


@given(yes=counts, no=counts, abstain=counts, threshold=thresholds)
def test_one_more_yes_never_turns_adoption_into_rejection(yes, no, abstain, threshold):
    electorate = yes + no + abstain + 1
    before = result(yes, no, abstain, electorate=electorate, threshold=threshold)
    after = result(yes + 1, no, abstain, electorate=electorate, threshold=threshold)
    assert not (before.adopted and not after.adopted)


@given(choices=st.lists(st.sampled_from(votes.CHOICES), max_size=60), data=st.data())
def test_ballot_order_never_changes_the_tally(choices, data):
    shuffled = data.draw(st.permutations(choices))
    assert votes.tally(choices) == votes.tally(shuffled)


@given(old=st.text(max_size=80), new=st.text(max_size=80))
def test_word_diff_rebuilds_both_texts(old, new):
    ops = votes.word_diff(old, new)
    assert "".join(t for op, t in ops if op != "insert") == old
    assert "".join(t for op, t in ops if op != "delete") == new


def test_only_a_motion_worded_by_its_mover_can_be_amended():
    votes.check_amendable(kind="ordinary", has_subject=False)
    with pytest.raises(ConflictError, match="Amend the motion itself"):
        votes.check_amendable(kind="amendment", has_subject=True)
    for kind in ("recall", "discipline", "admission", "formation", "constitution", "agenda"):
        with pytest.raises(ConflictError, match="the rules word it, so it cannot be amended"):
            votes.check_amendable(kind=kind, has_subject=True)
    with pytest.raises(ConflictError, match=r"deciding a proposal .* make another proposal"):
        votes.check_amendable(kind="ordinary", has_subject=True)
    with pytest.raises(ConflictError, match="Propose another amendment to the constitution instead"):
        votes.check_amendable(kind="constitution", has_subject=True)
