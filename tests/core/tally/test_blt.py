"""The .blt reader and writer: accepted dialects, and errors that name the line."""

from __future__ import annotations

import pytest

from councils.core.errors import InvalidInputError
from councils.core.tally import Ballot, Election, count
from councils.core.tally.blt import dumps, parse_text

ERS = """4 2
-3
3 1 2 0
2 2 1 0
2 4 0
1 1 2 0
0
Ann Smith
"Bo Lee"
Cy
Di
Ward 9 - East"""


def test_reads_unquoted_names_withdrawn_candidates_and_no_final_newline() -> None:
    document = parse_text(ERS)
    election = document.election

    assert election.candidates == ("Ann Smith", "Bo Lee", "Cy", "Di")
    assert election.seats == 2
    assert election.withdrawn == frozenset({2})
    assert election.title == "Ward 9 - East"
    assert set(election.ballots) == {Ballot(4, ((0,), (1,))), Ballot(2, ((1,), (0,))), Ballot(2, ((3,),))}
    assert document.warnings == ()


def test_reads_droop_nicknames_and_equal_preferences() -> None:
    text = '3 2\n[nick a b c]\n[tie c b a]\n5 a b=c 0\n1 c 0\n0\n"A"\n"B"\n"C"\n"title"\n'
    document = parse_text(text)

    assert document.election.ballots == (Ballot(5, ((0,), (1, 2))), Ballot(1, ((2,),)))
    assert document.warnings == ("line 3: option [tie] ignored",)


def test_ignores_text_after_the_title_with_a_warning() -> None:
    document = parse_text('2 1\n1 1 0\n0\n"A"\n"B"\n"T"\nFirst Prefs\n 1 0\n')

    assert document.election.title == "T"
    assert document.warnings == ("line 7: text after the title ignored",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: empty file"),
        ("2\n", "line 1: expected 'candidates seats'"),
        ("2 x\n", "line 1: the header must be an integer"),
        ("2 1\n1 1 2\n0\n", "line 2: a ballot must end with 0"),
        ("2 1\n1 1 0\n\n1 3 0\n0\n", "line 4: unknown candidate '3'"),
        ("2 1\n1 1 0\nx 1 0\n0\n", "line 3: ballot weight must be an integer"),
        ("2 1\n0 1 0\n0\n", "line 2: ballot weight must be positive"),
        ("2 1\n1 1 1 0\n0\n", "line 2: candidate 1 ranked twice"),
        ("2 1\n1 1 0\n", "no '0' line ends the ballots"),
        ('2 1\n1 1 0\n0\n"A"\n', "line 4: expected 2 candidate names, found 1"),
        ('2 1\n1 1 0\n0\n"A\n"B"\n', "line 4: candidate name: unbalanced quotes"),
        ("2 1\n-5\n1 1 0\n0\n", "line 2: withdrawn candidate -5 is not -1..-2"),
        ("2 1\n[nick a]\n0\n", "line 2: [nick] must give 2 distinct nicknames"),
        ('2 1\n1 1 0\n0\n"A"\n"A"\n', "line 4: candidate names must be unique"),
        ("0 1\n0\n", "line 1: the numbers of candidates and seats must be at least 1"),
        ("2 0\n0\n", "line 1: the numbers of candidates and seats must be at least 1"),
        ("2 1\n[nick a b\n1 a 0\n0\n", "line 2: option line has no closing ']'"),
        ("2 1\n[withdrawn 3]\n1 1 0\n0\n", "line 2: unknown candidate '3' in [withdrawn]"),
        ('2 1\n1 1 0\n0\n"A" x "B"\n', "line 4: candidate name: text outside the quotes"),
        ('2 1\n1 1 0\n0\n"A" "B" "C"\n', "line 4: expected 2 candidate names, found more"),
        ('2 1\n1 1 0\n0\nA\nB\n"T\n', "line 6: title: unbalanced quotes"),
    ],
)
def test_malformed_files_are_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_text(text)
    assert message in raised.value.message


def test_dumps_reads_back_to_the_same_election() -> None:
    election = Election(
        candidates=("A", "B", "C"),
        ballots=(Ballot(3, ((0,), (1, 2))), Ballot(1, ((2,),)), Ballot(2, ())),
        seats=2,
        title="Branch committee",
        withdrawn=frozenset({1}),
    )
    text = dumps(election)

    assert text.splitlines()[:5] == ["3 2", "-2", "3 1 2=3 0", "1 3 0", "2 0"]
    assert parse_text(text).election == election


def test_identical_ballot_lines_are_merged() -> None:
    election = parse_text("2 1\n" + "1 1 2 0\n" * 1000 + "3 1 2 0\n2 2 0\n0\nA\nB\n").election

    assert election.ballots == (Ballot(1003, ((0,), (1,))), Ballot(2, ((1,),)))
    assert count(election, method="plurality").stages[0].totals == {"A": "1003", "B": "2"}


def test_blank_lines_and_withdrawn_nicknames_are_read() -> None:
    text = '\n\n3 1\n[nick a b c]\n[withdrawn b]\n2 b a 0\n1 c 0\n0\n\n"A" "B"\n\n"C"\n\n"Title"\n'
    election = parse_text(text).election

    assert election.candidates == ("A", "B", "C")
    assert election.withdrawn == frozenset({1})
    assert election.title == "Title"
    assert set(election.ballots) == {Ballot(2, ((1,), (0,))), Ballot(1, ((2,),))}


def test_dumps_refuses_a_name_it_cannot_quote() -> None:
    election = Election(candidates=('Ann "the Hat"', "Bo"), ballots=(), seats=1)
    with pytest.raises(InvalidInputError, match=r"cannot be written to a \.blt file"):
        dumps(election)
