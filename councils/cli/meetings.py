"""`councils meetings …`: read a council's meetings, and run one as its chair or secretary."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from councils.cli.client import Api
from councils.cli.output import CliError, add_yes, confirm, emit_json, parse_moment, parse_uuid
from councils.core.wording import counted

# What an officer may put on an agenda; petitions and reports back are put there by the rules.
ITEM_KINDS = ("motion", "election", "report", "other")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "meetings",
        help="a council's meetings, agendas and minutes; run a meeting (chair or secretary)",
        description="A council's meetings, agendas, speakers' lists and minutes. The council's chair or "
        "secretary schedules a meeting, sets its agenda, opens it, marks who is present, gives the "
        "floor, takes each item in turn, closes it and approves its minutes.",
    )
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

    schedule = sub.add_parser("schedule", help="schedule a meeting of a council (chair or secretary)")
    schedule.add_argument("--council", required=True, help="the council's UUID")
    schedule.add_argument("--title", required=True, help="the meeting's title")
    schedule.add_argument(
        "--starts-at", required=True, help="ISO 8601 time with its zone, such as 2026-05-01T18:00+00:00"
    )
    schedule.add_argument("--place", default="", help="where it is held")
    schedule.add_argument("--online-url", default="", help="an https:// link to join it online")
    schedule.set_defaults(handler=run_schedule)

    add_item = sub.add_parser("add-item", help="add an item to the end of the agenda (chair or secretary)")
    add_item.add_argument("meeting", help="the meeting's UUID")
    add_item.add_argument("--kind", required=True, choices=ITEM_KINDS, help="what the item is")
    add_item.add_argument("--title", default="", help="default: the motion's or election's title")
    add_item.add_argument("--motion", help="for --kind motion: the motion's UUID")
    add_item.add_argument("--election", help="for --kind election: the election's UUID")
    add_item.set_defaults(handler=run_add_item)

    reorder = sub.add_parser(
        "reorder", help="put the items still to come in a new order (chair or secretary)"
    )
    reorder.add_argument("meeting", help="the meeting's UUID")
    reorder.add_argument(
        "items", nargs="+", metavar="ITEM", help="every item still to come, in the new order"
    )
    reorder.set_defaults(handler=run_reorder)

    open_meeting = sub.add_parser("open", help="open the meeting, not before its time (chair or secretary)")
    open_meeting.add_argument("meeting", help="the meeting's UUID")
    open_meeting.set_defaults(handler=lambda args: _step(args, "open", "Opened"))

    next_item = sub.add_parser(
        "next-item",
        help="take the next item, finishing the one under discussion (chair or secretary)",
    )
    next_item.add_argument("meeting", help="the meeting's UUID")
    next_item.set_defaults(handler=lambda args: _step(args, "next-item", "Next item taken"))

    close = sub.add_parser(
        "close",
        help="close the meeting; items not reached go to the next one (chair or secretary)",
    )
    close.add_argument("meeting", help="the meeting's UUID")
    add_yes(close)
    close.set_defaults(handler=run_close)

    attend = sub.add_parser(
        "attend",
        help="mark yourself present, or (chair or secretary) the people named",
        description="Mark yourself present at an open meeting; the chair or secretary may name others, "
        "by their person UUIDs. Only those present may ask to speak.",
    )
    attend.add_argument("meeting", help="the meeting's UUID")
    attend.add_argument("people", nargs="*", metavar="PERSON", help="a person's UUID (default: yourself)")
    attend.set_defaults(handler=run_attend)

    speak = sub.add_parser("speak", help="ask to speak: join the speakers' list of an item")
    speak.add_argument("meeting", help="the meeting's UUID")
    speak.add_argument("--item", help="the item's UUID (default: the item under discussion)")
    speak.set_defaults(handler=run_speak)

    floor = sub.add_parser("floor", help="give the floor to the next speaker waiting (chair or secretary)")
    floor.add_argument("meeting", help="the meeting's UUID")
    floor.add_argument("--item", help="the item's UUID (default: the item under discussion)")
    floor.set_defaults(handler=run_floor)

    leave = sub.add_parser(
        "leave-list",
        help="leave the speakers' list, or (chair or secretary) take someone off it",
    )
    leave.add_argument("meeting", help="the meeting's UUID")
    leave.add_argument(
        "--speaker", help="the place on the list, as `show --json` gives it (default: your own)"
    )
    leave.set_defaults(handler=run_leave_list)

    approve = sub.add_parser(
        "approve-minutes",
        help="approve the minutes of a closed meeting, which fixes them (chair or secretary)",
    )
    approve.add_argument("meeting", help="the meeting's UUID")
    approve.add_argument("--motion", help="the adopted motion approving them, if they went to a vote")
    add_yes(approve)
    approve.set_defaults(handler=run_approve_minutes)


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
    else:
        _print_meeting(meeting)
    return 0


def _print_meeting(meeting: dict[str, Any]) -> None:
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


def _emit_meeting(args: argparse.Namespace, meeting: dict[str, Any], summary: str) -> int:
    if args.json:
        emit_json(meeting)
    else:
        print(summary)
        _print_meeting(meeting)
    return 0


def _named(meeting: dict[str, Any]) -> str:
    """The meeting as a question names it: its title and council."""
    return f"the meeting {meeting['title']!r} of {meeting['council']['name']}"


def run_schedule(args: argparse.Namespace) -> int:
    body = {
        "council": parse_uuid(args.council, what="--council"),
        "title": args.title,
        "starts_at": parse_moment(args.starts_at, what="--starts-at"),
        "place": args.place,
        "online_url": args.online_url,
    }
    meeting = Api(args.server).post("/meetings", body)
    return _emit_meeting(args, meeting, f"Scheduled meeting {meeting['uuid']}.")


def run_add_item(args: argparse.Namespace) -> int:
    meeting = parse_uuid(args.meeting, what="MEETING")
    body: dict[str, Any] = {"kind": args.kind, "title": args.title}
    for name in ("motion", "election"):
        if getattr(args, name):
            body[name] = parse_uuid(getattr(args, name), what=f"--{name}")
    item = Api(args.server).post(f"/meetings/{meeting}/items", body)
    if args.json:
        emit_json(item)
    else:
        print(f"Item {item['position']} added: {item['title']} ({item['uuid']}).")
    return 0


def run_reorder(args: argparse.Namespace) -> int:
    meeting = parse_uuid(args.meeting, what="MEETING")
    order = [parse_uuid(item, what="ITEM") for item in args.items]
    answer = Api(args.server).post(f"/meetings/{meeting}/order", {"order": order})
    return _emit_meeting(args, answer, "The agenda is reordered.")


def _step(args: argparse.Namespace, verb: str, summary: str, api: Api | None = None) -> int:
    meeting = parse_uuid(args.meeting, what="MEETING")
    answer = (api or Api(args.server)).post(f"/meetings/{meeting}/{verb}")
    return _emit_meeting(args, answer, f"{summary}.")


def run_close(args: argparse.Namespace) -> int:
    meeting, api = parse_uuid(args.meeting, what="MEETING"), Api(args.server)

    def question() -> str:
        found = api.get(f"/meetings/{meeting}")
        left = sum(1 for item in found["items"] if item["status"] in ("pending", "current"))
        return (
            f"Close {_named(found)}? "
            + (f"Items not finished ({left}) go to the next meeting. " if left else "")
            + "A closed meeting cannot be opened again."
        )

    confirm(args, step="closing a meeting", question=question)
    return _step(args, "close", "Closed", api)


def run_attend(args: argparse.Namespace) -> int:
    meeting = parse_uuid(args.meeting, what="MEETING")
    people = [parse_uuid(person, what="PERSON") for person in args.people]
    api = Api(args.server)
    if len(people) > 1:
        answer = api.post(f"/meetings/{meeting}/attendance/many", {"people": people})
    else:
        answer = api.post(f"/meetings/{meeting}/attendance", {"person": people[0]} if people else {})
    who = counted(len(people), "person", "people") if people else "You are"
    return _emit_meeting(args, answer, f"{who} marked present.")


def _item(args: argparse.Namespace, api: Api, meeting: str) -> str:
    """The item named by --item, or else the one under discussion."""
    if args.item:
        return parse_uuid(args.item, what="--item")
    current = [i for i in api.get(f"/meetings/{meeting}")["items"] if i["status"] == "current"]
    if not current:
        raise CliError("no item is under discussion (is the meeting open?): name one with --item")
    return str(current[0]["uuid"])


def run_speak(args: argparse.Namespace) -> int:
    meeting, api = parse_uuid(args.meeting, what="MEETING"), Api(args.server)
    speaker = api.post(f"/meetings/{meeting}/items/{_item(args, api, meeting)}/speakers")
    if args.json:
        emit_json(speaker)
    else:
        print(f"{speaker['person']['name']} is on the speakers' list ({speaker['uuid']}).")
    return 0


def run_floor(args: argparse.Namespace) -> int:
    meeting, api = parse_uuid(args.meeting, what="MEETING"), Api(args.server)
    item = api.post(f"/meetings/{meeting}/items/{_item(args, api, meeting)}/floor")
    if args.json:
        emit_json(item)
        return 0
    speaking = [s["person"]["name"] for s in item["speakers"] if s["status"] == "speaking"]
    waiting = sum(1 for s in item["speakers"] if s["status"] == "waiting")
    print(f"{speaking[0] if speaking else 'Nobody'} has the floor on {item['title']}; {waiting} waiting.")
    return 0


def run_leave_list(args: argparse.Namespace) -> int:
    meeting, api = parse_uuid(args.meeting, what="MEETING"), Api(args.server)
    if args.speaker:
        speaker = parse_uuid(args.speaker, what="--speaker")
    else:
        me = api.get("/auth/me")["uuid"]
        places = [
            s["uuid"]
            for item in api.get(f"/meetings/{meeting}")["items"]
            for s in item["speakers"]
            if s["person"]["uuid"] == me and s["status"] == "waiting"
        ]
        if not places:
            raise CliError("you are not waiting to speak in this meeting")
        speaker = str(places[0])
    left = api.post(f"/meetings/{meeting}/speakers/{speaker}/withdraw")
    if args.json:
        emit_json(left)
    else:
        print(f"{left['person']['name']} is off the speakers' list.")
    return 0


def run_approve_minutes(args: argparse.Namespace) -> int:
    meeting, api = parse_uuid(args.meeting, what="MEETING"), Api(args.server)
    body = {"motion": parse_uuid(args.motion, what="--motion")} if args.motion else {}
    confirm(
        args,
        step="approving minutes",
        question=lambda: (
            f"Approve the minutes of {_named(api.get(f'/meetings/{meeting}'))}? "
            "They are fixed with the record's checkpoint and cannot be changed."
        ),
    )
    minutes = api.post(f"/meetings/{meeting}/minutes/approve", body)
    if args.json:
        emit_json(minutes)
    else:
        print(f"The minutes are approved; hash {minutes['minutes_hash']}.")
    return 0
