"""`councils motions …` and `councils vote VOTE yes|no|abstain`."""

from __future__ import annotations

import argparse
import sys
import uuid
from typing import Any

from councils.cli.client import Api
from councils.cli.output import CliError, add_yes, confirm, emit_json, parse_moment, parse_uuid, read_text
from councils.core.wording import counted

CHOICES = ("yes", "no", "abstain")
THRESHOLDS = ("simple", "absolute", "two_thirds", "three_fifths")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("motions", help="table, second, amend, vote on and forward motions")
    sub = parser.add_subparsers(dest="motions_command", required=True, metavar="COMMAND")

    listing = sub.add_parser("list", help="the motions of a council")
    listing.add_argument("--council", required=True, help="the council's UUID")
    listing.add_argument("--state", help="only motions in this state (draft, seconded, voting, adopted, ...)")
    listing.set_defaults(handler=run_list)

    show = sub.add_parser("show", help="a motion with its text, amendments, votes and results")
    show.add_argument("motion", help="the motion's UUID")
    show.set_defaults(handler=run_show)

    table = sub.add_parser("table", help="table a motion in a council where you have a vote")
    table.add_argument("--council", required=True, help="the council's UUID")
    table.add_argument("--title", required=True, help="the motion's title")
    _text_arguments(table)
    table.add_argument("--seconds", type=int, default=None, help="seconders needed (default 1)")
    table.set_defaults(handler=run_table)

    second = sub.add_parser("second", help="second a motion or amendment")
    second.add_argument("motion", help="the motion's UUID")
    second.set_defaults(handler=lambda args: _motion_post(args, "second"))

    amend = sub.add_parser("amend", help="propose a new full text for a motion")
    amend.add_argument("motion", help="the motion's UUID")
    _text_arguments(amend)
    amend.set_defaults(handler=run_amend)

    open_vote = sub.add_parser("open-vote", help="put a seconded motion to the vote (chair or secretary)")
    open_vote.add_argument("motion", help="the motion's UUID")
    open_vote.add_argument("--method", choices=("named", "secret"), help="default: named in delegate bodies")
    open_vote.add_argument(
        "--threshold", choices=THRESHOLDS, default="simple", help="majority needed (default: simple)"
    )
    open_vote.add_argument("--quorum", type=int, help="ballots needed, abstentions included")
    open_vote.add_argument(
        "--closes-at",
        help="ISO 8601 time with its zone (2026-05-01T18:00+00:00) at which the vote closes by itself",
    )
    open_vote.add_argument("--no-change", action="store_true", help="named votes cannot be changed once cast")
    open_vote.set_defaults(handler=run_open_vote)

    close = sub.add_parser("close", help="close a vote and publish its result (chair or secretary)")
    close.add_argument("vote", help="the vote's UUID")
    add_yes(close)
    close.set_defaults(handler=run_close)

    ballots = sub.add_parser("ballots", help="the published ballots (secret) or roll call (named) of a vote")
    ballots.add_argument("vote", help="the vote's UUID")
    ballots.set_defaults(handler=run_ballots)

    forward = sub.add_parser("forward", help="send an adopted motion to the council above")
    forward.add_argument("motion", help="the motion's UUID")
    add_yes(forward)
    forward.set_defaults(handler=run_forward)

    withdraw = sub.add_parser("withdraw", help="withdraw a motion not yet put to the vote")
    withdraw.add_argument("motion", help="the motion's UUID")
    add_yes(withdraw)
    withdraw.set_defaults(handler=run_withdraw)

    vote = subparsers.add_parser(
        "vote",
        help="cast your vote: councils vote VOTE_UUID yes|no|abstain",
        description="Cast your vote. A secret ballot, or a named vote in a vote that allows no change, "
        "cannot be changed once cast: then you are asked first (--yes does not ask).",
    )
    vote.add_argument("vote", help="the vote's UUID")
    vote.add_argument("choice", choices=CHOICES, help="your vote")
    vote.add_argument(
        "--idempotency-key",
        help="reuse a key to retry an earlier attempt safely (default: a new random key)",
    )
    add_yes(vote)
    vote.set_defaults(handler=run_vote)


def _text_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--text", help="the text, in full")
    group.add_argument("--file", help="read the text from FILE (- for standard input)")


def _read_text(args: argparse.Namespace) -> str:
    return str(args.text) if args.text is not None else read_text(args.file)


def _print_motion(motion: dict[str, Any]) -> None:
    print(f"{motion['title']}  [{motion['state_label']}]")
    print(f"  {motion['council']['name']} · {motion['kind']} · {motion['uuid']}")
    origin = motion.get("forwarded_from")
    if origin:
        result = origin.get("result") or {}
        print(
            f"  incoming from {origin['council']['name']}"
            + (
                f" (adopted there {result['yes']}–{result['no']}, {result['abstain']} abstaining)"
                if result
                else ""
            )
        )
    print(f"  seconders: {motion['seconds']} of {motion['seconds_required']}")
    if motion.get("diff"):
        print(f"\n  change: {_diff_text(motion['diff'])}")
    if "text" in motion:
        print()
        for line in motion["text"].splitlines():
            print(f"    {line}")
    for amendment in motion.get("amendments", []):
        diff = _diff_text(amendment["diff"])
        print(f"\n  amendment {amendment['uuid']} [{amendment['state_label']}]:\n    {diff}")
    for vote in motion.get("votes", []):
        _print_vote(vote)


def _diff_text(ops: list[dict[str, str]]) -> str:
    """A word diff as text: [-removed-] and {+added+}, as `git diff --word-diff` writes it."""
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    return "".join(marks[op["op"]].format(op["text"]) for op in ops)


def _print_vote(vote: dict[str, Any]) -> None:
    status = "open" if vote["is_open"] else "closed"
    print(f"\n  vote {vote['uuid']}: {vote['method']}, {vote['threshold']}, {status}")
    if vote["result"]:
        r = vote["result"]
        counts = f"{r['yes']} yes, {r['no']} no, {r['abstain']} abstain"
        print(f"    {r['outcome']}: {counts} ({r['turnout']}/{r['electorate']})")
    else:
        live = vote["live"]
        if vote["method"] == "named":
            print(f"    so far: {live['yes']} yes, {live['no']} no, {live['abstain']} abstain")
        print(f"    turnout {live['turnout']} of {live['electorate']}")


def run_list(args: argparse.Namespace) -> int:
    council = parse_uuid(args.council, what="--council")
    params = {"council": council, **({"state": args.state} if args.state else {})}
    motions = Api(args.server).get_all("/motions", **params)
    if args.json:
        emit_json({"items": motions, "count": len(motions)})
        return 0
    for motion in motions:
        print(f"{motion['uuid']}  {motion['state']:<10}  {motion['title']}")
    print(counted(len(motions), "motion", "motions"))
    return 0


def run_show(args: argparse.Namespace) -> int:
    motion = Api(args.server).get(f"/motions/{parse_uuid(args.motion, what='MOTION')}")
    if args.json:
        emit_json(motion)
    else:
        _print_motion(motion)
    return 0


def _emit_motion(args: argparse.Namespace, motion: dict[str, Any]) -> int:
    if args.json:
        emit_json(motion)
    else:
        _print_motion(motion)
    return 0


def run_table(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {
        "council": parse_uuid(args.council, what="--council"),
        "title": args.title,
        "text": _read_text(args),
    }
    if args.seconds is not None:
        body["seconds_required"] = args.seconds
    return _emit_motion(args, Api(args.server).post("/motions", body))


def run_amend(args: argparse.Namespace) -> int:
    motion = parse_uuid(args.motion, what="MOTION")
    return _emit_motion(
        args, Api(args.server).post(f"/motions/{motion}/amendments", {"text": _read_text(args)})
    )


def _motion_post(args: argparse.Namespace, verb: str, api: Api | None = None) -> int:
    motion = parse_uuid(args.motion, what="MOTION")
    return _emit_motion(args, (api or Api(args.server)).post(f"/motions/{motion}/{verb}"))


def _motion_named(api: Api, motion: str) -> str:
    """The motion as a question names it: its title and council."""
    found = api.get(f"/motions/{motion}")
    return f"motion {found['title']!r} in {found['council']['name']}"


def run_forward(args: argparse.Namespace) -> int:
    motion, api = parse_uuid(args.motion, what="MOTION"), Api(args.server)
    confirm(
        args,
        step="forwarding a motion",
        question=lambda: (
            f"Forward {_motion_named(api, motion)} to the council above? "
            "It arrives there awaiting a vote and cannot be called back."
        ),
    )
    return _motion_post(args, "forward", api)


def run_withdraw(args: argparse.Namespace) -> int:
    motion, api = parse_uuid(args.motion, what="MOTION"), Api(args.server)
    confirm(
        args,
        step="withdrawing a motion",
        question=lambda: (
            f"Withdraw {_motion_named(api, motion)}? It cannot be put back: it would have to be tabled anew."
        ),
    )
    return _motion_post(args, "withdraw", api)


def run_open_vote(args: argparse.Namespace) -> int:
    motion = parse_uuid(args.motion, what="MOTION")
    body: dict[str, Any] = {"threshold": args.threshold, "allow_change": not args.no_change}
    for name in ("method", "quorum"):
        if getattr(args, name) is not None:
            body[name] = getattr(args, name)
    if args.closes_at is not None:
        body["closes_at"] = parse_moment(args.closes_at, what="--closes-at")
    vote = Api(args.server).post(f"/motions/{motion}/votes", body)
    if args.json:
        emit_json(vote)
    else:
        print(f"vote {vote['uuid']} is open: {vote['method']}, {vote['electorate']} entitled to vote")
    return 0


def run_close(args: argparse.Namespace) -> int:
    vote, api = parse_uuid(args.vote, what="VOTE"), Api(args.server)

    def question() -> str:
        found = api.get(f"/motions/votes/{vote}")
        live = found["live"]
        return (
            f"Close the vote on {_motion_named(api, found['motion'])} "
            f"({live['turnout']} of {live['electorate']} have voted)? "
            "The result is published and cannot be changed."
        )

    confirm(args, step="closing a vote", question=question)
    result = api.post(f"/motions/votes/{vote}/close")
    if args.json:
        emit_json(result)
    else:
        print(
            f"{result['outcome']}: {result['yes']} yes, {result['no']} no, {result['abstain']} abstain "
            f"({result['turnout']} of {result['electorate']} took part; {result['required']} yes needed)"
        )
    return 0


def run_ballots(args: argparse.Namespace) -> int:
    ballots = Api(args.server).get_all(f"/motions/votes/{parse_uuid(args.vote, what='VOTE')}/ballots")
    if args.json:
        emit_json({"items": ballots, "count": len(ballots)})
        return 0
    for ballot in ballots:
        who = ballot.get("receipt") or (ballot.get("voter") or {}).get("name") or "-"
        print(f"{who:<20}  {ballot['choice']}")
    print(counted(len(ballots), "ballot", "ballots"))
    return 0


def run_vote(args: argparse.Namespace) -> int:
    vote = parse_uuid(args.vote, what="VOTE")
    key = args.idempotency_key or uuid.uuid4().hex
    api = Api(args.server)
    if not args.yes:
        # Only a vote that cannot be changed is asked about, so its rules are read before casting.
        found = api.get(f"/motions/votes/{vote}")
        secret = found["method"] == "secret"
        if secret or not found["allow_change"]:
            confirm(
                args,
                step="casting a secret ballot" if secret else "voting where no change is allowed",
                question=lambda: (
                    f"Vote {args.choice} on {_motion_named(api, found['motion'])}? "
                    + (
                        "A secret ballot cannot be changed once cast."
                        if secret
                        else "This vote allows no change: yours cannot be changed once cast."
                    )
                ),
            )
    path = f"/motions/votes/{vote}/cast"
    try:
        answer = api.post(path, {"choice": args.choice}, headers={"Idempotency-Key": key})
    except CliError as exc:
        if exc.status is not None:
            raise
        # The request may or may not have arrived: retrying with the same key cannot vote twice.
        print(f"councils: {exc.message}; retrying once with the same Idempotency-Key", file=sys.stderr)
        answer = api.post(path, {"choice": args.choice}, headers={"Idempotency-Key": key})
    if args.json:
        emit_json(answer)
    elif answer["secret"]:
        print(f"Your secret ballot is recorded. Receipt: {answer['receipt']}")
        print("It cannot be changed. Find the receipt in the ballots published when the vote closes.")
    else:
        print(f"Your vote is recorded: {answer['choice']}")
    return 0
