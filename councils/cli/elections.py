"""`councils elections list|show|call|nominate|accept|withdraw|open|ballot|close|certify|results|blt`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from councils.cli.client import Api
from councils.cli.count import tie_line
from councils.cli.output import CliError, add_yes, confirm, emit_json, parse_moment, parse_uuid
from councils.core.tally import METHODS
from councils.core.wording import counted

# What a failed election means, as the election page says it.
# Why a failed election failed, by the API's `failure_reason`.
FAILED = {
    "no_ballots": "No ballots were cast: nobody was elected. The council may call a new election.",
    "no_candidates": "Every candidate withdrew or was withdrawn, so nobody was left to elect: "
    "nobody was elected. The council may call a new election.",
}


def _failed(election: dict[str, Any]) -> str:
    """Say why the election failed; a server older or newer than this client may not give a known reason."""
    return FAILED.get(
        election.get("failure_reason", ""), "Nobody was elected. The council may call a new election."
    )


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "elections", help="elections of delegates and officers: vote and see results"
    )
    sub = parser.add_subparsers(dest="elections_command", required=True, metavar="COMMAND")

    listing = sub.add_parser("list", help="the elections of a council, newest first")
    listing.add_argument("--council", required=True, help="the council's UUID")
    listing.set_defaults(handler=run_list)

    show = sub.add_parser("show", help="an election with its candidates and turnout")
    show.add_argument("election", help="the election's UUID")
    show.set_defaults(handler=run_show)

    call = sub.add_parser("call", help="call an election: nominations open (chair or election officer)")
    call.add_argument("--council", required=True, help="the council's UUID")
    call.add_argument(
        "--kind",
        required=True,
        choices=("delegates", "office"),
        help="delegates to the council above, or an office of the council",
    )
    call.add_argument("--role", default="", help="the office, for --kind office: chair, secretary, ...")
    call.add_argument("--title", default="", help="the election's title (default: named after what it fills)")
    call.add_argument("--seats", type=int, help="default: the delegates apportioned, or 1 for an office")
    call.add_argument(
        "--method", choices=METHODS, help="default: scottish-stv for several seats, else plurality"
    )
    call.add_argument("--by-election", action="store_true", help="fill seats left empty during a term")
    call.add_argument("--term-ends-at", help="ISO 8601 time with its zone at which the term ends")
    call.set_defaults(handler=run_call)

    nominate = sub.add_parser("nominate", help="nominate a voter of the council (default: yourself)")
    nominate.add_argument("election", help="the election's UUID")
    nominate.add_argument("--candidate", help="the person's UUID (default: yourself)")
    nominate.set_defaults(handler=run_nominate)

    accept = sub.add_parser("accept", help="accept your nomination, so that you stand")
    withdraw = sub.add_parser("withdraw", help="decline or withdraw your nomination before the poll opens")
    for candidacy in (accept, withdraw):
        candidacy.add_argument("election", help="the election's UUID")
        candidacy.add_argument("candidacy", help="the nomination's (candidacy's) UUID, as `show` lists it")
    accept.set_defaults(handler=run_accept)
    add_yes(withdraw)
    withdraw.set_defaults(handler=run_withdraw)

    open_poll = sub.add_parser(
        "open",
        help="close nominations and open the poll until its closing time (chair or election officer)",
    )
    open_poll.add_argument("election", help="the election's UUID")
    open_poll.add_argument(
        "--closes-at",
        required=True,
        help="ISO 8601 time with its zone (2026-05-01T18:00+00:00) at which the poll closes by itself: "
        "as soon and as late after now as the constitution allows (by default 15 minutes to 31 days)",
    )
    open_poll.set_defaults(handler=run_open)

    close = sub.add_parser(
        "close", help="close the poll and count: before its closing time only once everyone has voted"
    )
    close.add_argument("election", help="the election's UUID")
    add_yes(close)
    close.set_defaults(handler=run_close)

    certify = sub.add_parser(
        "certify",
        help="certify the count: the elected take their seats or offices (chair or election officer)",
        description="Certify the count: the elected take their seats or offices. A winner who no longer "
        "has a vote in the council is passed over and the same ballots counted again.",
    )
    certify.add_argument("election", help="the election's UUID")
    add_yes(certify)
    certify.set_defaults(handler=run_certify)

    ballot = sub.add_parser(
        "ballot",
        help="cast your secret ballot",
        description="Cast your secret ballot. It cannot be changed once cast. Candidates may be given by "
        "candidacy UUID or by name as `show` prints them; you are asked first (--yes does not ask).",
    )
    ballot.add_argument("election", help="the election's UUID")
    marks = ballot.add_mutually_exclusive_group(required=True)
    marks.add_argument("--rank", help="candidates in order of preference, comma-separated: A,B,C")
    marks.add_argument("--approve", help="candidates you mark (approval or plurality), comma-separated")
    add_yes(ballot)
    ballot.set_defaults(handler=run_ballot)

    results = sub.add_parser("results", help="the count, stage by stage")
    results.add_argument("election", help="the election's UUID")
    results.set_defaults(handler=run_results)

    blt = sub.add_parser("blt", help="download the anonymous ballots as .blt, to count with `councils count`")
    blt.add_argument("election", help="the election's UUID")
    blt.add_argument("-o", "--output", help="file to write (default: standard output)")
    blt.set_defaults(handler=run_blt)


def run_list(args: argparse.Namespace) -> int:
    council = parse_uuid(args.council, what="--council")
    items = Api(args.server).get_all("/elections", council=council)
    if args.json:
        emit_json({"items": items, "count": len(items)})
        return 0
    for e in items:
        print(
            f"{e['uuid']}  {e['status']:<10}  {counted(e['seats'], 'seat', 'seats'):<8}  "
            f"{e['method']:<12}  {e['title']}"
        )
    print(counted(len(items), "election", "elections"))
    return 0


def _get(args: argparse.Namespace) -> tuple[Api, dict[str, Any]]:
    api = Api(args.server)
    return api, api.get(f"/elections/{parse_uuid(args.election, what='ELECTION')}")


def run_show(args: argparse.Namespace) -> int:
    _, election = _get(args)
    if args.json:
        emit_json(election)
        return 0
    print(f"{election['title']} ({election['council']['name']})")
    print(
        f"  {election['status']}, {counted(election['seats'], 'seat', 'seats')}, counted by "
        f"{election['method']}"
    )
    if election["opened_at"]:
        print(f"  turnout {election['turnout']} of {election['electorate_size']}")
    if election["closes_at"]:
        print(f"  the poll closes {election['closes_at']}")
    if election["status"] == "failed":
        print(f"  {_failed(election)}")
    for c in election["candidates"]:
        flags = [f for f, on in (("elected", c["elected"]), ("withdrawn", c["withdrawn"])) if on]
        if not c["accepted"] and not c["withdrawn"]:
            flags.append("not yet accepted")
        print(f"  {c['uuid']}  {c['person']['name']}" + (f"  ({', '.join(flags)})" if flags else ""))
    you = election["you"]
    if you["is_elector"]:
        print("  you have voted" if you["has_voted"] else "  you may vote: councils elections ballot ...")
    return 0


def _named(election: dict[str, Any]) -> str:
    """The election as a question names it: its title and council."""
    return f"{election['title']!r} in {election['council']['name']}"


def run_call(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {
        "council": parse_uuid(args.council, what="--council"),
        "kind": args.kind,
        "role": args.role,
        "title": args.title,
        "is_by_election": args.by_election,
    }
    if args.seats is not None:
        body["seats"] = args.seats
    if args.method is not None:
        body["method"] = args.method
    if args.term_ends_at is not None:
        body["term_ends_at"] = parse_moment(args.term_ends_at, what="--term-ends-at")
    election = Api(args.server).post("/elections", body)
    if args.json:
        emit_json(election)
    else:
        print(
            f"Election {election['uuid']} called: {election['title']}, "
            f"{counted(election['seats'], 'seat', 'seats')}, counted by {election['method']}. "
            "Nominations are open."
        )
    return 0


def _candidacy_path(args: argparse.Namespace) -> tuple[str, str]:
    """The election's path, and its nomination's."""
    election = f"/elections/{parse_uuid(args.election, what='ELECTION')}"
    return election, f"{election}/nominations/{parse_uuid(args.candidacy, what='CANDIDACY')}"


def _print_candidacy(args: argparse.Namespace, candidacy: dict[str, Any], summary: str) -> int:
    if args.json:
        emit_json(candidacy)
    else:
        print(summary.format(name=candidacy["person"]["name"]))
    return 0


def run_accept(args: argparse.Namespace) -> int:
    candidacy = Api(args.server).post(f"{_candidacy_path(args)[1]}/accept")
    return _print_candidacy(args, candidacy, "{name} accepted the nomination and stands.")


def run_withdraw(args: argparse.Namespace) -> int:
    (election, path), api = _candidacy_path(args), Api(args.server)
    confirm(
        args,
        step="withdrawing a nomination",
        question=lambda: (
            f"Withdraw the nomination in {_named(api.get(election))}? It cannot stand again in this election."
        ),
    )
    candidacy = api.post(f"{path}/withdraw")
    return _print_candidacy(args, candidacy, "{name} no longer stands.")


def run_nominate(args: argparse.Namespace) -> int:
    api = Api(args.server)
    election = parse_uuid(args.election, what="ELECTION")
    candidate = (
        parse_uuid(args.candidate, what="--candidate") if args.candidate else api.get("/auth/me")["uuid"]
    )
    body = {"candidate": candidate}
    candidacy = api.post(f"/elections/{election}/nominations", body)
    if args.json:
        emit_json(candidacy)
        return 0
    state = "standing" if candidacy["standing"] else "awaiting the candidate's acceptance"
    print(f"Nominated {candidacy['person']['name']}: {state}.")
    return 0


def run_open(args: argparse.Namespace) -> int:
    election = parse_uuid(args.election, what="ELECTION")
    closes_at = parse_moment(args.closes_at, what="--closes-at")
    opened = Api(args.server).post(f"/elections/{election}/open", {"closes_at": closes_at})
    if args.json:
        emit_json(opened)
    else:
        print(f"Voting is open until {opened['closes_at']}: {opened['electorate_size']} electors.")
    return 0


def run_close(args: argparse.Namespace) -> int:
    election, api = parse_uuid(args.election, what="ELECTION"), Api(args.server)

    def question() -> str:
        found = api.get(f"/elections/{election}")
        return (
            f"Close the poll of {_named(found)} ({found['turnout']} of {found['electorate_size']} "
            "have voted) and count? The result is published and cannot be changed."
        )

    confirm(args, step="closing a poll", question=question)
    closed = api.post(f"/elections/{election}/close")
    if args.json:
        emit_json(closed)
    elif closed["status"] == "failed":
        print(f"Closed: {_failed(closed)}")
    else:
        print(
            f"Closed and counted: {counted(closed['ballot_count'], 'ballot', 'ballots')}. "
            f"See: councils elections results {election}"
        )
    return 0


def run_certify(args: argparse.Namespace) -> int:
    election, api = parse_uuid(args.election, what="ELECTION"), Api(args.server)

    def question() -> str:
        found = api.get(f"/elections/{election}")
        # The count names the elected in the order it elected them.
        elected = api.get(f"/elections/{election}/results")["named"]["elected"]
        return (
            f"Certify the result of {_named(found)}, which elected {', '.join(elected) or 'nobody'}? "
            "They take their seats or offices, and the certification cannot be undone."
        )

    confirm(args, step="certifying an election", question=question)
    certified = api.post(f"/elections/{election}/certify")
    if args.json:
        emit_json(certified)
    elif certified["status"] == "failed":
        print(f"Not certified: {_failed(certified)}")
    else:
        elected = [c["person"]["name"] for c in certified["candidates"] if c["elected"]]
        print(f"Certified: {', '.join(elected)} elected; they take their seats or offices.")
    return 0


def _resolve(marks: str, candidates: list[dict[str, Any]]) -> list[str]:
    """Turn comma-separated candidacy UUIDs or names into candidacy UUIDs, refusing anything ambiguous."""
    standing = [c for c in candidates if c["standing"]]
    chosen: list[str] = []
    for raw in (m.strip() for m in marks.split(",")):
        if not raw:
            raise CliError("an empty candidate in the list (two commas?)")
        matches = [
            c
            for c in standing
            if raw in (c["uuid"], c["person"]["uuid"]) or raw.casefold() == c["person"]["name"].casefold()
        ]
        if len(matches) != 1:
            names = ", ".join(c["person"]["name"] for c in standing)
            problem = "matches several candidates" if matches else "is not a candidate"
            raise CliError(f"{raw!r} {problem}; candidates: {names}")
        chosen.append(matches[0]["uuid"])
    return chosen


def run_ballot(args: argparse.Namespace) -> int:
    api, election = _get(args)
    key = "ranking" if args.rank is not None else "approvals"
    marks = _resolve(args.rank if args.rank is not None else args.approve, election["candidates"])
    names = {c["uuid"]: c["person"]["name"] for c in election["candidates"]}
    chosen = (
        ", ".join(f"{n}. {names[m]}" for n, m in enumerate(marks, 1))
        if key == "ranking"
        else ", ".join(names[m] for m in marks)
    )
    confirm(
        args,
        step="casting a secret ballot",
        question=lambda: (
            f"Cast your ballot in {_named(election)}: {chosen}? It is secret and cannot be changed once cast."
        ),
    )
    answer = api.post(f"/elections/{election['uuid']}/ballot", {key: marks})
    if args.json:
        emit_json(answer)
    else:
        print(answer["message"])
    return 0


def run_results(args: argparse.Namespace) -> int:
    api = Api(args.server)
    election = parse_uuid(args.election, what="ELECTION")
    results = api.get(f"/elections/{election}/results")
    if args.json:
        emit_json(results)
        return 0
    named = results["named"]
    print(
        f"{results['method']}, {counted(results['seats'], 'seat', 'seats')}; "
        f"{counted(results['ballot_count'], 'ballot', 'ballots')}, "
        f"turnout {results['turnout']} of {results['electorate_size']}"
    )
    if named.get("quota"):
        print(f"quota {named['quota']}")
    for stage in named["stages"]:
        parts = [f"{name} {votes}" for name, votes in stage["totals"].items()]
        extra = [f"elected {', '.join(stage['elected'])}"] if stage["elected"] else []
        extra += [f"excluded {', '.join(stage['excluded'])}"] if stage["excluded"] else []
        extra += [f"transfer value {stage['transfer_value']}"] if stage["transfer_value"] else []
        print(f"stage {stage['stage']}: " + "; ".join(parts + extra))
    for tie in named.get("ties", []):
        print(tie_line(**tie))
    print("elected: " + ", ".join(named["elected"]))
    print(f"seed {results['seed']}; ballot set {results['ballot_set_hash']}")
    print(
        f"check it: councils elections blt {election} -o e.blt && "
        f"councils count e.blt --method {results['method']} --seed {results['seed']}"
    )
    return 0


def run_blt(args: argparse.Namespace) -> int:
    api = Api(args.server)
    election = parse_uuid(args.election, what="ELECTION")
    text = api.get(f"/elections/{election}/ballots.blt")
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise CliError(f"{args.output}: {exc.strerror}") from None
        if args.json:
            emit_json({"election": election, "file": args.output})
        else:
            print(f"wrote {args.output}", file=sys.stderr)
    elif args.json:
        emit_json({"election": election, "blt": text})
    else:
        sys.stdout.write(text)
    return 0
