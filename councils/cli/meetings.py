"""`councils meetings list|show|minutes`."""

from __future__ import annotations

import argparse
import sys

from councils.cli.client import Api
from councils.cli.output import CliError, emit_json, parse_uuid
from councils.core.wording import counted


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("meetings", help="a council's meetings, agendas and minutes")
    sub = parser.add_subparsers(dest="meetings_command", required=True, metavar="COMMAND")

    listing = sub.add_parser("list", help="the meetings of a council, latest first")
    listing.add_argument("--council", required=True, help="the council's UUID")
    listing.set_defaults(handler=run_list)

    show = sub.add_parser("show", help="a meeting with its agenda and speakers' lists")
    show.add_argument("meeting", help="the meeting's UUID")
    show.set_defaults(handler=run_show)

    minutes = sub.add_parser("minutes", help="the minutes (a draft until approved)")
    minutes.add_argument("meeting", help="the meeting's UUID")
    minutes.add_argument("--pdf", metavar="FILE", help="write the minutes as PDF to FILE")
    minutes.set_defaults(handler=run_minutes)


def run_list(args: argparse.Namespace) -> int:
    council = parse_uuid(args.council, what="--council")
    items = Api(args.server).get_all("/meetings", council=council)
    if args.json:
        emit_json({"items": items, "count": len(items)})
        return 0
    for m in items:
        where = m["place"] or "online"
        print(f"{m['uuid']}  {m['starts_at'][:16]}  {m['status']:<9}  {m['title']}  ({where})")
    print(counted(len(items), "meeting", "meetings"))
    return 0


def run_show(args: argparse.Namespace) -> int:
    meeting = Api(args.server).get(f"/meetings/{parse_uuid(args.meeting, what='MEETING')}")
    if args.json:
        emit_json(meeting)
        return 0
    print(f"{meeting['title']} ({meeting['council']['name']}), {meeting['starts_at']}, {meeting['status']}")
    for item in meeting["items"]:
        marker = ">" if item["status"] == "current" else " "
        print(f" {marker}{item['position']}. {item['title']} [{item['kind']}, {item['status']}]")
        report = item.get("report")
        if report:
            state = f"filed {report['submitted_at'][:10]}" if report["submitted_at"] else "not filed yet"
            print(f"      report back by {report['delegate']['name']}: {state} (report {report['uuid']})")
        for s in item["speakers"]:
            # The server names a base council's members only to its own participants.
            who = s["person"]["name"] if s["person"] else "a member"
            print(f"      {'speaking' if s['status'] == 'speaking' else 'waiting '}  {who}")
    print(f"{meeting['attendance']} present")
    return 0


def run_minutes(args: argparse.Namespace) -> int:
    api = Api(args.server)
    meeting = parse_uuid(args.meeting, what="MEETING")
    if args.pdf:
        pdf = api.request("GET", f"/meetings/{meeting}/minutes.pdf", raw=True)
        try:
            with open(args.pdf, "wb") as handle:
                handle.write(pdf)
        except OSError as exc:
            raise CliError(f"{args.pdf}: {exc.strerror}") from None
        print(f"wrote {args.pdf}", file=sys.stderr)
        if args.json:
            emit_json({"meeting": meeting, "file": args.pdf})
        return 0
    minutes = api.get(f"/meetings/{meeting}/minutes")
    if args.json:
        emit_json(minutes)
        return 0
    doc = minutes["document"]
    print(
        f"Minutes: {doc['title']} ({doc['council']['name']})" + ("" if minutes["approved"] else "  [DRAFT]")
    )
    print(f"Present ({len(doc['attendance'])}): " + ", ".join(a["name"] for a in doc["attendance"]))
    for item in doc["items"]:
        print(f"{item['position']}. {item['title']}")
        for d in item["decisions"]:
            print(f"   {d['at'][:16].replace('T', ' ')}  {d['text']}")
            for line in d["roll_call"]:
                print(f"      {line}")
    if minutes["approved"]:
        print(
            f"approved {doc['approved_at']}; hash {minutes['minutes_hash']}; "
            f"record checkpoint size {doc['checkpoint']['size']} root {doc['checkpoint']['root']}"
        )
    return 0
