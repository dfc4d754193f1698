"""`councils recall|mandate|register|petition`: delegates' accountability from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from councils.cli.client import Api
from councils.cli.output import CHECK_FAILED, add_yes, confirm, emit_json, fail, parse_uuid
from councils.core.rules.currencies import format_amount
from councils.core.wording import counted

CHOICES = ("yes", "no", "abstain")
CHANGES = ("remove", "postpone", "merge")
# Why signing is asked about: enough signatures force a vote or an agenda item with no one's leave.
SIGNED_FOR_GOOD = "A signature cannot be taken back."


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    recall = subparsers.add_parser(
        "recall", help="start, sign and follow recall petitions", description="Recall petitions and votes."
    ).add_subparsers(dest="recall_command", required=True, metavar="COMMAND")
    start = recall.add_parser("start", help="start a recall petition (you sign first)")
    target = start.add_mutually_exclusive_group(required=True)
    target.add_argument("--seat", help="the delegate's seat UUID")
    target.add_argument("--office", help="the office UUID")
    start.add_argument("--reason", default="", help="why, shown to the members")
    add_yes(start)
    start.set_defaults(handler=run_recall_start)
    sign = recall.add_parser("sign", help="sign a recall petition yourself")
    sign.add_argument("petition", help="the petition's UUID")
    add_yes(sign)
    sign.set_defaults(handler=run_recall_sign)
    show = recall.add_parser("show", help="one recall petition")
    show.add_argument("petition", help="the petition's UUID")
    show.set_defaults(handler=run_recall_show)
    listing = recall.add_parser("list", help="a council's recall petitions")
    listing.add_argument("council", help="the council's UUID")
    listing.set_defaults(handler=run_recall_list)

    mandate = subparsers.add_parser(
        "mandate", help="mandates, roll calls and reports back", description="Mandates and roll calls."
    ).add_subparsers(dest="mandate_command", required=True, metavar="COMMAND")
    propose = mandate.add_parser("propose", help="table a mandate for your council's delegates")
    propose.add_argument("council", help="your council's UUID")
    propose.add_argument("motion", help="the UUID of the motion pending in the council above")
    propose.add_argument("choice", choices=CHOICES, help="how the delegates must vote")
    propose.set_defaults(handler=run_mandate_propose)
    roll = mandate.add_parser("roll-call", help="the council's mandate compliance table")
    roll.add_argument("council", help="the council's UUID")
    roll.add_argument("--deviations", action="store_true", help="only votes against the mandate")
    roll.add_argument("--delegate", help="only this delegate's record (the person's UUID)")
    roll.add_argument("--check", action="store_true", help="exit 1 when any delegate deviated")
    roll.set_defaults(handler=run_mandate_roll_call)
    report = mandate.add_parser("report", help="submit your report back to the council you represent")
    report.add_argument("report", help="the report's UUID")
    report.add_argument("--text", required=True, help="what was decided and how you voted")
    add_yes(report)
    report.set_defaults(handler=run_mandate_report)

    register = subparsers.add_parser(
        "register", help="the register of offices and pay", description="The public register of offices."
    ).add_subparsers(dest="register_command", required=True, metavar="COMMAND")
    reg_show = register.add_parser("show", help="the register of offices, as far as you may see it")
    reg_show.add_argument("council", help="any council of the federation")
    reg_show.add_argument(
        "--scope",
        choices=("federation", "council", "below"),
        default="federation",
        help="the whole federation (the default), the council alone, or it and the councils below it",
    )
    reg_show.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when any pay is above the cap, or declared in a currency no longer in force",
    )
    reg_show.set_defaults(handler=run_register_show)
    pay = register.add_parser("declare-pay", help="declare the pay and expenses of your office")
    pay.add_argument("office", help="the office's UUID")
    pay.add_argument("--pay", required=True, help="monthly pay, e.g. 2100.00")
    pay.add_argument("--expenses", default="0", help="monthly expenses, e.g. 45.50")
    pay.set_defaults(handler=run_register_declare_pay)

    petition = subparsers.add_parser(
        "petition", help="agenda petitions", description="Petitions that force an item onto an agenda."
    ).add_subparsers(dest="petition_command", required=True, metavar="COMMAND")
    p_start = petition.add_parser("start", help="petition for an item on a council's agenda")
    p_start.add_argument("council", help="the council's UUID")
    p_start.add_argument("--title", required=True, help="the item's title")
    p_start.add_argument("--text", required=True, help="what the item is about")
    add_yes(p_start)
    p_start.set_defaults(handler=run_petition_start)
    p_sign = petition.add_parser("sign", help="sign an agenda petition yourself")
    p_sign.add_argument("petition", help="the petition's UUID")
    add_yes(p_sign)
    p_sign.set_defaults(handler=run_petition_sign)
    p_list = petition.add_parser("list", help="a council's agenda petitions and forced items")
    p_list.add_argument("council", help="the council's UUID")
    p_list.set_defaults(handler=run_petition_list)
    p_change = petition.add_parser(
        "propose-change", help="table a motion to remove, postpone or merge an item"
    )
    p_change.add_argument("item", help="the forced item's UUID")
    p_change.add_argument("change", choices=CHANGES, help="what to do with the item")
    p_change.add_argument(
        "--into", metavar="AGENDA_ITEM", help="for a merge: the UUID of the agenda item to merge it with"
    )
    p_change.set_defaults(handler=run_petition_propose_change)

    alerts = subparsers.add_parser(
        "alerts",
        help="your alerts: broken mandates, pay above the cap, platform documents",
        description="Your alerts, newest first.",
    )
    alerts.add_argument("--unread", action="store_true", help="only alerts not yet read")
    alerts.add_argument("--mark-read", action="store_true", help="then mark every alert as read")
    alerts.set_defaults(handler=run_alerts)


def run_alerts(args: argparse.Namespace) -> int:
    api = Api(args.server)
    items = [a for a in api.get_all("/mandates/notifications") if not (args.unread and a["read"])]
    marked = api.post("/mandates/notifications/read", {})["marked"] if args.mark_read else None
    if args.json:
        emit_json({"items": items, "count": len(items), "marked": marked})
        return 0
    for a in items:
        new = "" if a["read"] else "NEW  "
        print(f"{new}{a['created_at'][:10]}  {a['kind']}  {a['subject']}\n    {a['message']}")
    if not items:
        print("no alerts")
    if marked is not None:
        print(f"{marked} marked as read")
    return 0


def _print_recall(p: dict[str, Any]) -> None:
    print(f"Recall of {p['holder']['name']} ({p['target']}) in {p['council']['name']}: {p['status']}")
    print(
        f"  {p['signatures']} of {counted(p['threshold'], 'signature', 'signatures')}; {p['eligible']} "
        "may sign; "
        f"closes {p['expires_at']}"
    )
    if p["vote"]:
        print(f"  recall vote {p['vote']} (motion {p['motion']})")


def run_recall_start(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"reason": args.reason}
    if args.seat:
        body["seat"] = parse_uuid(args.seat, what="the seat")
    else:
        body["office"] = parse_uuid(args.office, what="the office")
    target = f"seat {body['seat']}" if args.seat else f"office {body['office']}"
    confirm(
        args,
        step="starting a recall petition",
        question=lambda: (
            f"Start a petition to recall the holder of {target}, and sign it first? "
            f"{SIGNED_FOR_GOOD} The petition cannot be withdrawn."
        ),
    )
    petition = Api(args.server).post("/mandates/recalls", body)
    if args.json:
        emit_json(petition)
    else:
        _print_recall(petition)
    return 0


def run_recall_sign(args: argparse.Namespace) -> int:
    petition_id, api = parse_uuid(args.petition, what="the petition"), Api(args.server)

    def question() -> str:
        p = api.get(f"/mandates/recalls/{petition_id}")
        return (
            f"Sign the petition to recall {p['holder']['name']} ({p['target']}) in {p['council']['name']}, "
            f"now at {p['signatures']} of {p['threshold']}? {SIGNED_FOR_GOOD}"
        )

    confirm(args, step="signing a recall petition", question=question)
    result = api.post(f"/mandates/recalls/{petition_id}/signatures", {})
    if args.json:
        emit_json(result)
    elif result["status"] == "vote":
        print(
            f"Signed: {result['signatures']} of {result['threshold']}. "
            f"The recall vote is open: {result['vote']}"
        )
    else:
        print(f"Signed: {result['signatures']} of {counted(result['threshold'], 'signature', 'signatures')}.")
    return 0


def run_recall_show(args: argparse.Namespace) -> int:
    petition = Api(args.server).get(f"/mandates/recalls/{parse_uuid(args.petition, what='the petition')}")
    if args.json:
        emit_json(petition)
    else:
        _print_recall(petition)
    return 0


def run_recall_list(args: argparse.Namespace) -> int:
    items = Api(args.server).get_all(
        f"/mandates/councils/{parse_uuid(args.council, what='the council')}/recalls"
    )
    if args.json:
        emit_json({"items": items, "count": len(items)})
        return 0
    for p in items:
        print(f"{p['uuid']}  {p['status']:<9}  {p['signatures']}/{p['threshold']}  {p['holder']['name']}")
    print(counted(len(items), "recall petition", "recall petitions"))
    return 0


def run_mandate_propose(args: argparse.Namespace) -> int:
    body = {
        "council": parse_uuid(args.council, what="the council"),
        "motion": parse_uuid(args.motion, what="the motion"),
        "choice": args.choice,
    }
    proposal = Api(args.server).post("/mandates/proposals", body)
    if args.json:
        emit_json(proposal)
    else:
        print(f"Mandate tabled as motion {proposal['motion']} of {proposal['council']['name']}.")
    return 0


def run_mandate_roll_call(args: argparse.Namespace) -> int:
    council_id = parse_uuid(args.council, what="the council")
    params = {"deviations": "true"} if args.deviations else {}
    if args.delegate:
        params["delegate"] = parse_uuid(args.delegate, what="the delegate")
    lines = Api(args.server).get_all(f"/mandates/councils/{council_id}/roll-call", **params)
    deviations = sum(1 for line in lines if not line["complied"])
    if args.json:
        emit_json({"items": lines, "count": len(lines), "deviations": deviations})
    else:
        for line in lines:
            mark = "ok" if line["complied"] else "DEVIATED"
            cast = line["cast"] or "did not vote"
            print(
                f"{mark:<8}  {line['delegate']['name']}: told {line['instructed']}, voted {cast}  "
                f"({line['target_title']})"
            )
        held = counted(len(lines), "instructed vote", "instructed votes")
        print(f"{held}, {deviations} against the mandate")
    return CHECK_FAILED if args.check and deviations else 0


def run_mandate_report(args: argparse.Namespace) -> int:
    if not args.text.strip():
        fail("the report text is empty")
    report_id = parse_uuid(args.report, what="the report")
    confirm(
        args,
        step="submitting a report back",
        question=lambda: (
            f"Submit as report back {report_id} the text beginning {args.text.strip()[:60]!r}? "
            "Once submitted it cannot be changed."
        ),
    )
    report = Api(args.server).post(f"/mandates/reports/{report_id}", {"text": args.text})
    if args.json:
        emit_json(report)
    else:
        print(f"Report to {report['council']['name']} submitted.")
    return 0


def run_register_show(args: argparse.Namespace) -> int:
    lines = Api(args.server).get_all(
        "/mandates/register", council=parse_uuid(args.council, what="the council"), scope=args.scope
    )
    breaches = [line for line in lines if line["pay_above_cap"]]
    # Pay declared in a currency no longer in force cannot be checked against the cap: `--check` says so.
    unchecked = [line for line in lines if line.get("currency_differs")]
    if args.json:
        emit_json(
            {
                "items": lines,
                "count": len(lines),
                "pay_above_cap": len(breaches),
                "currency_differs": len(unchecked),
            }
        )
    else:
        for line in lines:
            flags = []
            if line["pay_above_cap"]:
                flags.append(f"PAY {format_amount(line['pay_excess'], line.get('currency'))} ABOVE CAP")
            if line.get("currency_differs"):
                now = line.get("constitution_currency")
                change = (
                    f"before the currency changed to {now}" if now else "the constitution now states none"
                )
                flags.append(
                    f"declared in {line.get('currency')}, {change}: not compared with the cap, declare again"
                )
            if line["reports_overdue"]:
                flags.append(f"{counted(line['reports_overdue'], 'report', 'reports')} overdue")
            pay = (
                format_amount(line["declared_pay"], line.get("currency"))
                if line["declared_pay"] is not None
                else "-"
            )
            print(
                f"{line['council']['name']:<28} {line['role_label']:<20} {line['holder']['name']:<24} "
                f"since {line['since'][:10]}  terms {line['terms_served']}  pay {pay}  {'; '.join(flags)}"
            )
        summary = f"{len(lines)} offices, {len(breaches)} with pay above the cap"
        if unchecked:
            summary += f", {len(unchecked)} declared in a currency no longer in force"
        print(summary)
    return CHECK_FAILED if args.check and (breaches or unchecked) else 0


def run_register_declare_pay(args: argparse.Namespace) -> int:
    office_id = parse_uuid(args.office, what="the office")
    line = Api(args.server).post(
        f"/mandates/offices/{office_id}/pay", {"pay": args.pay, "expenses": args.expenses}
    )
    if args.json:
        emit_json(line)
    elif line["pay_above_cap"]:
        print(
            f"Declared. Pay is {format_amount(line['pay_excess'], line.get('currency'))} above the cap: "
            "the register flags it and members are alerted."
        )
    else:
        print("Declared.")
    return 0


def run_petition_start(args: argparse.Namespace) -> int:
    council_id, api = parse_uuid(args.council, what="the council"), Api(args.server)
    body = {"council": council_id, "title": args.title, "text": args.text}
    confirm(
        args,
        step="starting an agenda petition",
        question=lambda: (
            f"Start a petition to put {args.title!r} on the agenda of "
            f"{api.get(f'/councils/{council_id}')['name']}, and sign it first? {SIGNED_FOR_GOOD}"
        ),
    )
    petition = api.post("/petitions", body)
    if args.json:
        emit_json(petition)
    else:
        print(
            f"Petition {petition['uuid']}: {petition['signatures']} of "
            f"{counted(petition['threshold'], 'signature', 'signatures')}."
        )
    return 0


def run_petition_sign(args: argparse.Namespace) -> int:
    petition_id, api = parse_uuid(args.petition, what="the petition"), Api(args.server)

    def question() -> str:
        p = api.get(f"/petitions/{petition_id}")
        return (
            f"Sign the petition to put {p['title']!r} on the agenda of {p['council']['name']}, now at "
            f"{p['signatures']} of {p['threshold']}? {SIGNED_FOR_GOOD}"
        )

    confirm(args, step="signing an agenda petition", question=question)
    petition = api.post(f"/petitions/{petition_id}/signatures", {})
    if args.json:
        emit_json(petition)
    elif petition["status"] == "forced":
        print(f"Signed. The item is forced onto the next agenda ({petition['item']}).")
    else:
        print(
            f"Signed: {petition['signatures']} of "
            f"{counted(petition['threshold'], 'signature', 'signatures')}."
        )
    return 0


def run_petition_list(args: argparse.Namespace) -> int:
    council_id = parse_uuid(args.council, what="the council")
    api = Api(args.server)
    petitions = api.get_all(f"/petitions/councils/{council_id}/petitions")
    items = api.get_all(f"/petitions/councils/{council_id}/items")
    if args.json:
        emit_json({"petitions": petitions, "items": items})
        return 0
    for p in petitions:
        print(f"{p['uuid']}  {p['status']:<8}  {p['signatures']}/{p['threshold']}  {p['title']}")
    for item in items:
        print(f"item {item['uuid']}  {item['status']:<10}  {item['title']}")
    return 0


def run_petition_propose_change(args: argparse.Namespace) -> int:
    item_id = parse_uuid(args.item, what="the item")
    body = {"change": args.change}
    if args.into:
        body["merge_into"] = str(parse_uuid(args.into, what="the agenda item to merge it with"))
    proposal = Api(args.server).post(f"/petitions/items/{item_id}/change-motions", body)
    if args.json:
        emit_json(proposal)
    else:
        print(f"Tabled motion {proposal['motion']}: only the council's vote can {args.change} the item.")
    return 0
