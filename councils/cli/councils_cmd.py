"""`councils councils list|show`."""

from __future__ import annotations

import argparse

from councils.cli.client import Api
from councils.cli.output import emit_json


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("councils", help="list and show councils")
    sub = parser.add_subparsers(dest="councils_command", required=True, metavar="COMMAND")
    list_parser = sub.add_parser("list", help="every council you may see")
    list_parser.set_defaults(handler=run_list)
    show = sub.add_parser("show", help="one council with its officers and delegates")
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
    api = Api(args.server)
    council = api.get(f"/councils/{args.council}")
    offices = api.get_all(f"/councils/{args.council}/offices")
    sent = api.get_all(f"/councils/{args.council}/delegates-sent")
    if args.json:
        emit_json({**council, "offices": offices, "delegates_sent": sent})
        return 0
    print(f"{council['name']} ({council['type_label']})")
    for office in offices:
        print(f"  {office['role']}: {office['person']['name']}")
    for seat in sent:
        print(f"  delegate to {seat['council']['name']}: {seat['person']['name']}")
    return 0
