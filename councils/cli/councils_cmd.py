"""`councils councils list|show`."""

from __future__ import annotations

import argparse

from councils.cli.client import Api
from councils.cli.output import CliError, emit_json, parse_uuid


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "councils", help="list and show councils", description="List and show councils you may see."
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


def run_list(args: argparse.Namespace) -> int:
    councils = Api(args.server).get_all("/councils")
    if args.json:
        emit_json({"items": councils, "count": len(councils)})
        return 0
    for council in councils:
        parent = council["parent"]["name"] if council["parent"] else "-"
        print(f"{council['uuid']}  {council['type_label']:<20}  {council['name']}  (in {parent})")
    print(f"{len(councils)} councils")
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
        print(f"  {len(members)} members:")
        for member in members:
            status = "" if member["status"] == "full" else f" ({member['status']})"
            print(f"    {member['person']['name']}{status}")
    return 0
