"""Steps that cannot be undone are asked about once on a terminal, and need --yes without one."""

from __future__ import annotations

import argparse
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from councils.cli.main import build_parser, main
from councils.motions import actions
from councils.motions.models import NamedBallot, Participation
from tests.cli.conftest import Terminal
from tests.conftest import NOW

UUID = "6f1c2a3e-0000-4000-8000-000000000001"
UNREACHABLE = "http://127.0.0.1:9"

# Every command that asks first, with the words that make it whole, and the step its refusal names.
ASKED = {
    ("motions", "close"): (["motions", "close", UUID], "closing a vote"),
    ("motions", "forward"): (["motions", "forward", UUID], "forwarding a motion"),
    ("motions", "withdraw"): (["motions", "withdraw", UUID], "withdrawing a motion"),
    ("vote",): (None, None),  # asks only when the vote cannot be changed, which it reads first
    ("elections", "withdraw"): (["elections", "withdraw", UUID, UUID], "withdrawing a nomination"),
    ("elections", "ballot"): (None, None),  # reads the candidates first, to mark the ballot
    ("elections", "close"): (["elections", "close", UUID], "closing a poll"),
    ("elections", "certify"): (["elections", "certify", UUID], "certifying an election"),
    ("meetings", "close"): (["meetings", "close", UUID], "closing a meeting"),
    ("meetings", "approve-minutes"): (["meetings", "approve-minutes", UUID], "approving minutes"),
    ("recall", "start"): (["recall", "start", "--seat", UUID], "starting a recall petition"),
    ("recall", "sign"): (["recall", "sign", UUID], "signing a recall petition"),
    ("petition", "start"): (
        ["petition", "start", UUID, "--title", "T", "--text", "X"],
        "starting an agenda petition",
    ),
    ("petition", "sign"): (["petition", "sign", UUID], "signing an agenda petition"),
    ("mandate", "report"): (["mandate", "report", UUID, "--text", "Done."], "submitting a report back"),
    ("admission", "withdraw"): (["admission", "withdraw", UUID], "withdrawing an application"),
    ("admission", "leave"): (["admission", "leave", UUID], "leaving a council"),
    ("discipline", "withdraw"): (["discipline", "withdraw", UUID], "withdrawing charges"),
    ("discipline", "end-suspension"): (["discipline", "end-suspension", UUID], "ending a suspension"),
    ("councils", "withdraw-formation"): (
        ["council", "withdraw-formation", UUID, UUID],
        "withdrawing from a proposal to form a council",
    ),
    ("invitations", "withdraw"): (["invitations", "withdraw", UUID], "withdrawing an invitation"),
    ("platform", "publish"): (
        ["platform", "publish", UUID, "--title", "T", "--body", "B", "--council", UUID],
        "publishing a document",
    ),
}


def _asking(parser: argparse.ArgumentParser, prefix: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The commands under `parser` that take --yes."""
    found = {prefix} if "--yes" in parser._option_string_actions else set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:  # an alias names the same parser again
                    seen.add(id(sub))
                    found |= _asking(sub, (*prefix, name))
    return found


def test_the_commands_that_ask_are_those_documented():
    assert _asking(build_parser(), ()) == set(ASKED)
    assert "-y" in build_parser()._subparsers._actions[-1].choices["vote"]._option_string_actions


@pytest.mark.parametrize("argv, step", [v for v in ASKED.values() if v[0]], ids=lambda v: " ".join(v))
def test_without_a_terminal_a_step_that_cannot_be_undone_needs_yes(capsys, monkeypatch, argv, step):
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    message = f"{step} cannot be undone: pass --yes to do it without a terminal to ask on"
    # Refused before any request: the server given cannot be reached, and is not tried.
    assert main(["--server", UNREACHABLE, *argv]) == 2
    assert capsys.readouterr() == ("", f"councils: {message}\n")
    assert main(["--server", UNREACHABLE, *argv, "--json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out) == {"error": {"message": message, "exit": 2}} and err == f"councils: {message}\n"
    # With --yes the step is tried.
    assert main(["--server", UNREACHABLE, *argv, "--yes"]) == 1
    assert "cannot reach" in capsys.readouterr().err


@pytest.mark.parametrize(
    "typed", ["n\n", "\n", "", "whatever\n"], ids=["no", "enter", "end of input", "other"]
)
def test_at_a_terminal_only_yes_goes_on(capsys, monkeypatch, typed):
    monkeypatch.setattr("sys.stdin", Terminal(typed))
    argv = ["--server", UNREACHABLE, "invitations", "withdraw", UUID]
    assert main(argv) == 1
    question = (
        f"Withdraw invitation {UUID}? "
        "Its link stops working for good; the person would need a new invitation."
    )
    assert capsys.readouterr() == ("", f"{question} [y/N] councils: not confirmed: nothing was done\n")
    monkeypatch.setattr("sys.stdin", Terminal(typed))
    assert main([*argv, "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out) == {"error": {"message": "not confirmed: nothing was done", "exit": 1}}
    assert err.startswith(question)
    monkeypatch.setattr("sys.stdin", Terminal("Y\n"))
    assert main(argv) == 1
    assert capsys.readouterr().err.startswith(f"{question} [y/N] councils: cannot reach {UNREACHABLE}: ")


def open_vote(cast, **how):
    """Put a seconded motion of Riverside Depot to the vote."""
    motion = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two.", now=NOW
    )
    return actions.open_vote(
        actor=cast.alice,
        motion=actions.second_motion(actor=cast.erin, motion=motion, now=NOW),
        now=NOW,
        **how,
    )


@pytest.mark.django_db(transaction=True)
def test_a_vote_that_can_be_changed_is_cast_without_asking(councils, cast):
    vote = open_vote(cast, method="named")
    code, out, err = councils(cast.bob, "vote", str(vote.uuid), "yes")
    assert (code, out, err) == (0, "Your vote is recorded: yes\n", "")
    code, out, _ = councils(cast.bob, "vote", str(vote.uuid), "no")
    assert (code, out) == (0, "Your vote is recorded: no\n")
    assert NamedBallot.objects.get(vote=vote).choice == "no"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "method, allow_change, step, why",
    [
        ("secret", True, "casting a secret ballot", "A secret ballot cannot be changed once cast."),
        (
            "named",
            False,
            "voting where no change is allowed",
            "This vote allows no change: yours cannot be changed once cast.",
        ),
    ],
)
def test_a_vote_that_cannot_be_changed_is_asked_about(councils, cast, method, allow_change, step, why):
    vote = open_vote(cast, method=method, allow_change=allow_change)
    code, out, err = councils(cast.bob, "vote", str(vote.uuid), "yes", "--json")
    message = f"{step} cannot be undone: pass --yes to do it without a terminal to ask on"
    assert code == 2 and json.loads(out) == {"error": {"message": message, "exit": 2}}
    code, out, err = councils(cast.bob, "vote", str(vote.uuid), "yes", typed="n\n")
    assert (code, out) == (1, "")
    question = f"Vote yes on motion 'Safety reps' in Riverside Depot? {why}"
    assert err == f"{question} [y/N] councils: not confirmed: nothing was done\n"
    ballots = (
        Participation.objects.filter(vote=vote)
        if method == "secret"
        else NamedBallot.objects.filter(vote=vote)
    )
    assert not ballots.exists()
    code, out, err = councils(cast.bob, "vote", str(vote.uuid), "yes", typed="y\n")
    assert code == 0 and err == f"{question} [y/N] "
    assert ballots.count() == 1


def _made(councils, user, *argv: str) -> str:
    """Run a command that makes something, and give the UUID it made."""
    code, out, err = councils(user, *argv, "--json")
    assert code == 0, err
    return json.loads(out)["uuid"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.constitution(recall_signature_share=Decimal("1.00"), meeting_notice_hours=0)
def test_every_question_names_what_it_is_about(councils, cast, rules):
    """Each question reads what it names from the server; answered no, it leaves everything as it was."""
    from councils.elections import actions as elections
    from councils.federation.models import Membership, Seat
    from councils.meetings import actions as meetings

    riverside, district = str(cast.riverside.uuid), str(cast.district.uuid)
    vote = open_vote(cast, method="named")
    motion = str(vote.motion.uuid)
    election = elections.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    elections.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    meeting = meetings.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="June meeting",
        starts_at=NOW,
        place="Canteen",
        now=NOW,
    )
    seat = str(Seat.objects.get(user=cast.bob).uuid)
    recall = _made(councils, cast.erin, "recall", "start", "--seat", seat, "--yes")
    petition = _made(
        councils, cast.erin, "petition", "start", riverside, "--title", "Heat", "--text", "Hot.", "-y"
    )
    application = _made(councils, cast.dave, "admission", "transfer", riverside)
    frank = str(Membership.objects.get(user=cast.frank).uuid)
    hearing = (timezone.now() + timedelta(days=20)).isoformat()
    charges = ("--charges", "Scabbed.", "--penalty", "expulsion", "--hearing", hearing)
    case = _made(councils, cast.bob, "discipline", "charge", frank, *charges)
    formation = _made(
        councils, cast.erin, "council", "form", district, "--name", "Night Shift", "--reason", "R"
    )
    platform = _made(
        councils, cast.bob, "platform", "create", "--name", "Rank and File", "--statement", "Us."
    )
    asked = [
        (
            cast.alice,
            ["motions", "close", str(vote.uuid)],
            "Close the vote on motion 'Safety reps' in Riverside Depot (0 of ",
        ),
        (
            cast.alice,
            ["motions", "forward", motion],
            "Forward motion 'Safety reps' in Riverside Depot to the council above?",
        ),
        (cast.bob, ["motions", "withdraw", motion], "Withdraw motion 'Safety reps' in Riverside Depot?"),
        (
            cast.bob,
            ["elections", "ballot", str(election.uuid), "--rank", "Bob Novak"],
            f"Cast your ballot in {election.title!r} in Riverside Depot: 1. Bob Novak?",
        ),
        (
            cast.alice,
            ["elections", "close", str(election.uuid)],
            f"Close the poll of {election.title!r} in Riverside Depot (0 of ",
        ),
        (
            cast.alice,
            ["meetings", "approve-minutes", str(meeting.uuid)],
            "Approve the minutes of the meeting 'June meeting' of Riverside Depot?",
        ),
        (
            cast.frank,
            ["recall", "start", "--seat", seat],
            f"Start a petition to recall the holder of seat {seat}, and sign it first?",
        ),
        (
            cast.frank,
            ["recall", "sign", recall],
            "Sign the petition to recall Bob Novak (seat) in Riverside Depot, now at 1 of ",
        ),
        (
            cast.frank,
            ["petition", "start", riverside, "--title", "Cold", "--text", "Cold."],
            "Start a petition to put 'Cold' on the agenda of Riverside Depot, and sign it first?",
        ),
        (
            cast.frank,
            ["petition", "sign", petition],
            "Sign the petition to put 'Heat' on the agenda of Riverside Depot, now at 1 of ",
        ),
        (
            cast.bob,
            ["mandate", "report", seat, "--text", "Levy adopted."],
            f"Submit as report back {seat} the text beginning 'Levy adopted.'?",
        ),
        (
            cast.dave,
            ["admission", "withdraw", application],
            "Withdraw the transfer of Dave Okafor to Riverside Depot?",
        ),
        (cast.frank, ["admission", "leave", frank], f"Leave the council of your membership {frank}?"),
        (
            cast.bob,
            ["discipline", "withdraw", case],
            "Withdraw the charges against Frank Costa in Riverside Depot?",
        ),
        (
            cast.alice,
            ["discipline", "end-suspension", case],
            "End the suspension of Frank Costa in Riverside Depot and restore",
        ),
        (
            cast.erin,
            ["councils", "withdraw-formation", district, formation],
            "Withdraw the whole proposal and its motion, for good, from the proposal to form 'Night Shift' "
            "below Eastside District?",
        ),
        (
            cast.bob,
            ["platform", "publish", platform, "--title", "Why", "--body", "B.", "--council", riverside],
            "Publish 'Why' to the members of Riverside Depot?",
        ),
    ]
    for user, argv, question in asked:
        code, out, err = councils(user, *argv, typed="n\n")
        assert (code, out) == (1, ""), err
        assert err.startswith(question) and err.endswith(
            "[y/N] councils: not confirmed: nothing was done\n"
        ), err
    # Every command that asks is asked here, or by the tests above and in test_meetings.py.
    named = {tuple(argv[:2]) for _, argv, _ in asked}
    assert set(ASKED) - named == {
        ("vote",),
        ("elections", "withdraw"),
        ("elections", "certify"),
        ("meetings", "close"),
        ("invitations", "withdraw"),
    }
