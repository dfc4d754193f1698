"""`councils councils list|show`, and forming a new base council (`councils council form|formations|…`)."""

from __future__ import annotations

import argparse
from typing import Any

from councils.cli.client import Api
from councils.cli.output import CliError, add_yes, confirm, emit_json, parse_uuid, read_text
from councils.core.wording import counted

# A council formed below another is a base council of members.
BASE_KINDS = ("workplace", "other")
VISIBILITIES = ("public", "federation", "council")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "councils",
        aliases=["council"],
        help="list and show councils; ask one to form a new council below it",
        description="List and show councils you may see; ask a council to form a new base council below it.",
    )
    sub = parser.add_subparsers(dest="councils_command", required=True, metavar="COMMAND")
    list_parser = sub.add_parser(
        "list", help="every council you may see", description="List every council you may see."
    )
    list_parser.set_defaults(handler=run_list)
    show = sub.add_parser(
        "show",
        help="one council with its officers and delegates",
        description="Show one council: officers, delegates sent up, delegates sitting and councils below.",
    )
    show.add_argument("council", help="the council's UUID")
    show.set_defaults(handler=run_show)
    form = sub.add_parser(
        "form",
        help="ask a council to form a new base council below it, as its first founding member",
        description="Ask a council to form a new base council below it, as its first founding member. "
        "Other members consent with sign-formation; the council decides by its vote on the motion tabled.",
    )
    form.add_argument("council", help="the UUID of the council asked to form it")
    form.add_argument("--name", required=True, help="the new council's name")
    form.add_argument("--kind", choices=BASE_KINDS, default="workplace", help="its type (default: workplace)")
    form.add_argument(
        "--visibility", choices=VISIBILITIES, default="federation", help="who sees it (default: federation)"
    )
    form.add_argument("--reason", help="why the council should be formed")
    form.add_argument("--reason-file", help="read the reason from a file ('-' for standard input)")
    form.set_defaults(handler=run_form)
    formations = sub.add_parser(
        "formations", help="the proposals made to a council to form a council below it"
    )
    formations.add_argument("council", help="the council's UUID")
    formations.set_defaults(handler=run_formations)
    for name, handler, summary in (
        ("sign-formation", run_sign_formation, "consent to found a proposed council and move into it"),
        (
            "withdraw-formation",
            run_withdraw_formation,
            "take back your consent before the vote opens (the proposer withdraws the whole proposal)",
        ),
    ):
        command = sub.add_parser(name, help=summary)
        command.add_argument("council", help="the UUID of the council asked to form it")
        command.add_argument(
            "formation", help="the proposal's UUID, as `councils council formations` lists it"
        )
        if handler is run_withdraw_formation:
            add_yes(command)
        command.set_defaults(handler=handler)


def run_list(args: argparse.Namespace) -> int:
    councils = Api(args.server).get_all("/councils")
    if args.json:
        emit_json({"items": councils, "count": len(councils)})
        return 0
    for council in councils:
        parent = council["parent"]["name"] if council["parent"] else "-"
        print(f"{council['uuid']}  {council['type_label']:<20}  {council['name']}  (in {parent})")
    print(counted(len(councils), "council", "councils"))
    return 0


def run_show(args: argparse.Namespace) -> int:
    council_id = parse_uuid(args.council, what="the council")
    api = Api(args.server)
    council = api.get(f"/councils/{council_id}")
    offices = api.get_all(f"/councils/{council_id}/offices")
    sent = api.get_all(f"/councils/{council_id}/delegates-sent")
    seats = api.get_all(f"/councils/{council_id}/delegates")
    children = api.get_all(f"/councils/{council_id}/children")
    members = None
    if council["is_base"]:
        try:
            members = api.get_all(f"/councils/{council_id}/members")
        except CliError as exc:
            # Member lists are private to the council; outsiders just do not see them.
            if exc.status not in (401, 403):
                raise
    if args.json:
        emit_json(
            {
                **council,
                "offices": offices,
                "delegates_sent": sent,
                "delegates": seats,
                "children": children,
                "members": members,
            }
        )
        return 0
    print(f"{council['name']} ({council['type_label']})")
    if council["parent"]:
        print(f"  in {council['parent']['name']}")
    for office in offices:
        print(f"  {office['role']}: {office['person']['name']}")
    for seat in sent:
        print(f"  delegate to {seat['council']['name']}: {seat['person']['name']}")
    for seat in seats:
        print(f"  delegate sitting for {seat['from_council']['name']}: {seat['person']['name']}")
    for child in children:
        print(f"  council below: {child['name']} ({child['uuid']})")
    if members is not None:
        print(f"  {counted(len(members), 'member', 'members')}:")
        for member in members:
            status = "" if member["status"] == "full" else f" ({member['status']})"
            print(f"    {member['person']['name']}{status}")
    return 0


def _formation_text(formation: dict[str, Any]) -> str:
    founders = ", ".join(f["name"] for f in formation["founders"])
    lines = [
        f"{formation['uuid']}  {formation['status_label']}: {formation['name']} ({formation['type_label']})",
        f"    founders ({len(formation['founders'])} of at least {formation['min_founders']}): {founders}",
    ]
    if formation["motion"] and formation["status"] == "proposed":
        lines.append(f"    the council's vote: motion {formation['motion']}")
    if formation["council"]:
        lines.append(f"    formed: {formation['council']['name']} ({formation['council']['uuid']})")
    if formation["refusal"]:
        lines.append(f"    not formed: {formation['refusal']}")
    return "\n".join(lines)


def _print_formation(args: argparse.Namespace, formation: dict[str, Any], summary: str) -> int:
    if args.json:
        emit_json(formation)
    else:
        print(summary)
        print(_formation_text(formation))
    return 0


def run_form(args: argparse.Namespace) -> int:
    council_id = parse_uuid(args.council, what="the council")
    reason = read_text(args.reason_file) if args.reason_file else args.reason
    if not (reason or "").strip():
        raise CliError("give the reason with --reason or a file with --reason-file")
    body = {"name": args.name, "type": args.kind, "visibility": args.visibility, "reason": reason}
    formation = Api(args.server).post(f"/councils/{council_id}/formations", body)
    return _print_formation(
        args, formation, f"Proposed to {formation['parent']['name']}; ask the other founders to consent."
    )


def run_formations(args: argparse.Namespace) -> int:
    council_id = parse_uuid(args.council, what="the council")
    formations = Api(args.server).get_all(f"/councils/{council_id}/formations")
    if args.json:
        emit_json({"items": formations, "count": len(formations)})
        return 0
    for formation in formations:
        print(_formation_text(formation))
    print(counted(len(formations), "proposal", "proposals"))
    return 0


def _formation_path(args: argparse.Namespace) -> str:
    council_id = parse_uuid(args.council, what="the council")
    formation_id = parse_uuid(args.formation, what="the proposal")
    return f"/councils/{council_id}/formations/{formation_id}"


def run_sign_formation(args: argparse.Namespace) -> int:
    formation = Api(args.server).post(f"{_formation_path(args)}/sign")
    return _print_formation(args, formation, "You consented to found this council.")


def run_withdraw_formation(args: argparse.Namespace) -> int:
    path, api = _formation_path(args), Api(args.server)

    def question() -> str:
        formation, me = api.get(path), api.get("/auth/me")["uuid"]
        proposer = bool(formation["founders"]) and formation["founders"][0]["uuid"] == me
        what = "the whole proposal and its motion, for good" if proposer else "your consent"
        return (
            f"Withdraw {what}, from the proposal to form {formation['name']!r} below "
            f"{formation['parent']['name']}? This cannot be undone."
        )

    confirm(args, step="withdrawing from a proposal to form a council", question=question)
    formation = api.post(f"{path}/withdraw")
    summary = (
        "You withdrew your consent."
        if formation["status"] == "proposed"
        else "You withdrew your proposal and its motion."
    )
    return _print_formation(args, formation, summary)
