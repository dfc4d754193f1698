"""`councils constitution …`, `councils admission …`, `councils discipline …` and `councils platform …`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from councils.cli.client import Api
from councils.cli.output import CliError, add_yes, confirm, emit_json, parse_moment, parse_uuid, read_text
from councils.core.wording import counted

if TYPE_CHECKING:
    Sub = argparse._SubParsersAction[argparse.ArgumentParser]


def add_parser(subparsers: Sub) -> None:
    _constitution(subparsers)
    _admission(subparsers)
    _discipline(subparsers)
    _platform(subparsers)


def _out(args: argparse.Namespace, document: Any, text: Callable[[Any], str]) -> int:
    if args.json:
        emit_json(document)
    else:
        print(text(document))
    return 0


def _read_text(value: str | None, path: str | None, what: str) -> str:
    if path:
        return read_text(path)
    if value is None:
        raise CliError(
            f"give the {what} with --{what.replace(' ', '-')} or a file with --{what.replace(' ', '-')}-file"
        )
    return value


# constitution -----------------------------------------------------------------------


def _constitution(subparsers: Sub) -> None:
    parser = subparsers.add_parser("constitution", help="read the constitution and propose amendments")
    sub = parser.add_subparsers(dest="constitution_command", required=True, metavar="COMMAND")
    show = sub.add_parser("show", help="the constitution in force, in plain language")
    show.add_argument("--federation", help="the federation's UUID (when you belong to several)")
    show.add_argument("--version", type=int, dest="number", help="an earlier version instead")
    show.set_defaults(handler=run_constitution_show)
    history = sub.add_parser("history", help="every version adopted, with its fingerprint")
    history.add_argument("--federation", help="the federation's UUID (when you belong to several)")
    history.set_defaults(handler=run_constitution_history)
    amendments = sub.add_parser("amendments", help="amendments proposed, and what became of them")
    amendments.add_argument("--federation", help="the federation's UUID (when you belong to several)")
    amendments.set_defaults(handler=run_constitution_amendments)
    propose = sub.add_parser("propose", help="propose an amendment in the top council (needs a seconder)")
    propose.add_argument("--federation", help="the federation's UUID (when you belong to several)")
    propose.add_argument(
        "--set",
        action="append",
        required=True,
        metavar="SETTING=VALUE",
        help="a setting to change, e.g. hearing_notice_days=21 (repeat for several)",
    )
    propose.add_argument("--explanation", default="", help="why, shown with the amendment")
    propose.set_defaults(handler=run_constitution_propose)
    open_vote = sub.add_parser("open-vote", help="open the top council's vote on an amendment (chair)")
    open_vote.add_argument("amendment", help="the amendment's UUID")
    open_vote.add_argument("--method", choices=("named", "secret"), help="how the vote is cast")
    open_vote.set_defaults(handler=run_constitution_open_vote)


def _fed(args: argparse.Namespace) -> dict[str, str]:
    return {"federation": parse_uuid(args.federation, what="the federation")} if args.federation else {}


def run_constitution_show(args: argparse.Namespace) -> int:
    api = Api(args.server)
    if args.number is not None:
        version = api.get(f"/constitution/versions/{args.number}", **_fed(args))
        return _out(args, version, lambda v: "\n".join(f"{k} = {val}" for k, val in v["document"].items()))
    current = api.get("/constitution/current", **_fed(args))

    def text(c: dict[str, Any]) -> str:
        if c.get("is_default"):
            heading = f"Constitution: {c['note']}"
        else:
            heading = f"Constitution, version {c['version']} (adopted {c['adopted_at'][:10]})"
        lines = [heading, f"Fingerprint (SHA-256): {c['content_hash']}"]
        for section in c["plain"]:
            lines.append(f"\n{section['title']}")
            lines.extend(f"  - {rule}" for rule in section["rules"])
        return "\n".join(lines)

    return _out(args, current, text)


def run_constitution_history(args: argparse.Namespace) -> int:
    versions = Api(args.server).get_all("/constitution/versions", **_fed(args))
    return _out(
        args,
        {"items": versions, "count": len(versions)},
        lambda d: (
            "\n".join(
                f"v{v['version']}  {v['adopted_at'][:10]}  {v['content_hash']}"
                f"  {'motion ' + v['adopted_by_motion'] if v['adopted_by_motion'] else 'founding'}"
                for v in d["items"]
            )
            or "no version adopted yet: defaults apply"
        ),
    )


def _amendment_text(a: dict[str, Any]) -> str:
    changes = ", ".join(f"{c['setting']}: {c['old']} → {c['new']}" for c in a["changes"])
    base = f"v{a['base_version']}" if a["base_version"] else "defaults"
    line = f"{a['uuid']}  {a['status']:<9} {base}  {changes}"
    return line + (f"\n    {a['refusal']}" if a["refusal"] else "")


def run_constitution_amendments(args: argparse.Namespace) -> int:
    items = Api(args.server).get_all("/constitution/amendments", **_fed(args))
    return _out(
        args,
        {"items": items, "count": len(items)},
        lambda d: "\n".join(map(_amendment_text, d["items"])) or "none",
    )


def _setting(value: str) -> tuple[str, Any]:
    name, sep, raw = value.partition("=")
    if not sep or not name.strip():
        raise CliError(f"--set takes SETTING=VALUE, got {value!r}")
    raw = raw.strip()
    try:
        parsed: Any = int(raw)
    except ValueError:
        parsed = raw
    return name.strip(), parsed


def run_constitution_propose(args: argparse.Namespace) -> int:
    changes = dict(_setting(s) for s in args.set)
    body: dict[str, Any] = {"changes": changes, "explanation": args.explanation}
    body.update(_fed(args))
    amendment = Api(args.server).post("/constitution/amendments", body)
    return _out(
        args,
        amendment,
        lambda a: _amendment_text(a) + f"\nTabled as motion {a['motion']}; it needs a seconder.",
    )


def run_constitution_open_vote(args: argparse.Namespace) -> int:
    uuid = parse_uuid(args.amendment, what="the amendment")
    body = {"method": args.method} if args.method else {}
    vote = Api(args.server).post(f"/constitution/amendments/{uuid}/open-vote", body)
    return _out(
        args, vote, lambda v: f"Vote {v['vote']} is open; it needs {v['threshold'].replace('_', ' ')}."
    )


# admission -----------------------------------------------------------------------------


def _admission(subparsers: Sub) -> None:
    parser = subparsers.add_parser("admission", help="apply, sponsor and admit members")
    sub = parser.add_subparsers(dest="admission_command", required=True, metavar="COMMAND")
    apply = sub.add_parser("apply", help="apply to join a base council")
    apply.add_argument("council", help="the council's UUID")
    apply.add_argument("--statement", default="", help="why you want to join, shown to the members")
    apply.set_defaults(handler=run_apply)
    transfer = sub.add_parser(
        "transfer",
        help="ask to move your membership to another base council (its admission vote decides)",
    )
    transfer.add_argument("council", help="the UUID of the council you move to")
    transfer.add_argument("--statement", default="", help="why you are moving, shown to its members")
    transfer.set_defaults(handler=run_transfer)
    listing = sub.add_parser("list", help="a council's applications, or without --council your own")
    listing.add_argument("--council", help="the council's UUID")
    listing.set_defaults(handler=run_applications)
    show = sub.add_parser("show", help="one application")
    show.add_argument("application", help="the application's UUID")
    show.set_defaults(handler=lambda a: _application_call(a, "GET", ""))
    sponsor = sub.add_parser("sponsor", help="sponsor an applicant (full members of standing)")
    sponsor.add_argument("application", help="the application's UUID")
    sponsor.set_defaults(handler=lambda a: _application_call(a, "POST", "/sponsor"))
    withdraw = sub.add_parser("withdraw", help="withdraw your own application or transfer")
    withdraw.add_argument("application", help="the application's UUID")
    add_yes(withdraw)
    withdraw.set_defaults(handler=run_withdraw_application)
    for name, aliases, path, help_text in (
        ("call-vote", [], "/call-vote", "put a candidate to the council's admission vote (chair)"),
        (
            "call-approval-vote",
            ["call-parent-vote"],
            "/call-parent-vote",
            "put a flagged admission to its approval vote: the council above, or where there is none "
            "the council's longer-standing members (the approving council's chair)",
        ),
    ):
        p = sub.add_parser(name, aliases=aliases, help=help_text)
        p.add_argument("application", help="the application's UUID")
        p.add_argument("--method", choices=("named", "secret"), help="how the vote is cast")
        _closes_at(p, days=3)
        p.set_defaults(
            handler=lambda a, path=path: _vote_call(
                a, f"/membership/applications/{parse_uuid(a.application, what='the application')}{path}"
            )
        )
    status = sub.add_parser(
        "leave",
        help="leave your council (your membership UUID); your seats, offices and candidacies through it end",
    )
    status.add_argument("membership", help="your membership's UUID")
    add_yes(status)
    status.set_defaults(handler=run_leave)


def _application_text(a: dict[str, Any]) -> str:
    lines = [f"{a['applicant']['name']} → {a['council']['name']}: {a['status_label']}"]
    if a["transfer_from"]:
        origin = a["transfer_from"]["council"]["name"]
        lines.append(f"  transfer from {origin} (no sponsors or candidate period)")
    else:
        sponsors = ", ".join(s["name"] for s in a["sponsors"]) or "none"
        lines.append(f"  sponsors: {sponsors} ({a['sponsors_required']} needed)")
    if a["candidate_until"]:
        lines.append(f"  candidate until {a['candidate_until'][:10]} (voice, no vote)")
    if a["is_flagged"] and a.get("approval_members_before"):
        lines.append(
            "  FLAGGED: a surge of admissions; with no council above, the members who were full members "
            f"before {a['approval_members_before'][:10]} must approve too"
        )
    elif a["is_flagged"]:
        lines.append("  FLAGGED: a surge of admissions; the council above must approve too")
    return "\n".join(lines)


def run_apply(args: argparse.Namespace) -> int:
    body = {"council": parse_uuid(args.council, what="the council"), "statement": args.statement}
    return _out(args, Api(args.server).post("/membership/applications", body), _application_text)


def run_transfer(args: argparse.Namespace) -> int:
    body = {"council": parse_uuid(args.council, what="the council"), "statement": args.statement}
    return _out(args, Api(args.server).post("/membership/transfers", body), _application_text)


def run_applications(args: argparse.Namespace) -> int:
    params = {"council": parse_uuid(args.council, what="the council")} if args.council else {}
    items = Api(args.server).get_all("/membership/applications", **params)
    return _out(
        args,
        {"items": items, "count": len(items)},
        lambda d: "\n".join(f"{a['uuid']}  {_application_text(a)}" for a in d["items"]) or "none",
    )


def _application_call(args: argparse.Namespace, method: str, path: str, api: Api | None = None) -> int:
    uuid = parse_uuid(args.application, what="the application")
    api = api or Api(args.server)
    url = f"/membership/applications/{uuid}{path}"
    document = api.get(url) if method == "GET" else api.post(url)
    return _out(args, document, _application_text)


def run_withdraw_application(args: argparse.Namespace) -> int:
    uuid, api = parse_uuid(args.application, what="the application"), Api(args.server)

    def question() -> str:
        a = api.get(f"/membership/applications/{uuid}")
        what = "transfer" if a["transfer_from"] else "application"
        return (
            f"Withdraw the {what} of {a['applicant']['name']} to {a['council']['name']}? "
            "It cannot be taken up again: a new one would have to be made."
        )

    confirm(args, step="withdrawing an application", question=question)
    return _application_call(args, "POST", "/withdraw", api)


def _vote_call(args: argparse.Namespace, url: str) -> int:
    body = {"method": args.method} if getattr(args, "method", None) else {}
    if getattr(args, "closes_at", None) is not None:
        body["closes_at"] = parse_moment(args.closes_at, what="--closes-at")
    vote = Api(args.server).post(url, body)

    def text(v: dict[str, Any]) -> str:
        line = f"Vote {v['vote']} is open (motion {v['motion']}, {v['threshold'].replace('_', ' ')})."
        if v.get("closes_at"):
            line += f" It closes at {v['closes_at']}, and not earlier unless everyone entitled has voted."
        return line

    return _out(args, vote, text)


def _closes_at(parser: argparse.ArgumentParser, *, days: int) -> None:
    parser.add_argument(
        "--closes-at",
        help="ISO 8601 time with its zone at which the vote closes; at least the days the constitution "
        f"sets from now (by default {days}), which is also the default",
    )


def run_leave(args: argparse.Namespace) -> int:
    uuid = parse_uuid(args.membership, what="the membership")
    confirm(
        args,
        step="leaving a council",
        question=lambda: (
            f"Leave the council of your membership {uuid}? Your delegate seats, offices and "
            "candidacies through it end, and only a new admission brings you back."
        ),
    )
    result = Api(args.server).post(f"/membership/members/{uuid}/status", {"status": "left"})
    return _out(args, result, lambda m: f"You have left {m['council']['name']}.")


# discipline ------------------------------------------------------------------------------


def _discipline(subparsers: Sub) -> None:
    parser = subparsers.add_parser("discipline", help="charges, hearings, votes and appeals (due process)")
    sub = parser.add_subparsers(dest="discipline_command", required=True, metavar="COMMAND")
    charge = sub.add_parser("charge", help="bring written charges against a member of your own council")
    charge.add_argument("membership", help="the accused member's membership UUID")
    charge.add_argument("--charges", help="the charges, in writing")
    charge.add_argument("--charges-file", help="read the charges from a file ('-' for standard input)")
    charge.add_argument(
        "--penalty", choices=("suspension", "expulsion"), required=True, help="the penalty sought"
    )
    charge.add_argument("--days", type=int, help="length of a suspension in days")
    charge.add_argument("--hearing", required=True, help="hearing time, ISO 8601 with time zone")
    charge.set_defaults(handler=run_charge)
    listing = sub.add_parser("list", help="a council's cases, or without --council those against you")
    listing.add_argument("--council", help="the council's UUID")
    listing.set_defaults(handler=run_cases)
    show = sub.add_parser("show", help="one case with the defence and appeals")
    show.add_argument("case", help="the case's UUID")
    show.set_defaults(handler=lambda a: _case_call(a, "GET", "", None))
    defend = sub.add_parser("defend", help="answer the charges against you and bring evidence")
    defend.add_argument("case", help="the case's UUID")
    defend.add_argument("--statement", help="your answer to the charges")
    defend.add_argument("--statement-file", help="read the answer from a file ('-' for standard input)")
    defend.add_argument(
        "--evidence",
        action="append",
        default=[],
        metavar="TITLE=URL",
        help="a link to evidence (repeat for several)",
    )
    defend.set_defaults(handler=run_defend)
    hearing = sub.add_parser("hearing", help="record that the hearing was held (chair)")
    hearing.add_argument("case", help="the case's UUID")
    hearing.add_argument("--notes", default="", help="what was said at the hearing")
    hearing.set_defaults(handler=lambda a: _case_call(a, "POST", "/hearing", {"notes": a.notes}))
    call = sub.add_parser("call-vote", help="put heard charges to the council's vote (chair)")
    call.add_argument("case", help="the case's UUID")
    call.add_argument("--method", choices=("named", "secret"), help="how the vote is cast")
    _closes_at(call, days=7)
    call.set_defaults(
        handler=lambda a: _vote_call(a, f"/membership/cases/{parse_uuid(a.case, what='the case')}/call-vote")
    )
    for name, path, help_text in (
        ("withdraw", "/withdraw", "withdraw charges you brought"),
        ("end-suspension", "/end-suspension", "restore rights after a served suspension"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("case", help="the case's UUID")
        add_yes(p)
        p.set_defaults(handler=lambda a, path=path: _case_step(a, path))
    appeal = sub.add_parser("appeal", help="appeal an upheld decision (to the parent, then the top body)")
    appeal.add_argument("case", help="the case's UUID")
    appeal.add_argument("--grounds", required=True, help="why the decision should be overturned")
    appeal.set_defaults(handler=run_appeal)
    appeal_vote = sub.add_parser("appeal-vote", help="put an appeal to the council hearing it (its chair)")
    appeal_vote.add_argument("appeal", help="the appeal's UUID")
    appeal_vote.add_argument("--method", choices=("named", "secret"), help="how the vote is cast")
    _closes_at(appeal_vote, days=7)
    appeal_vote.set_defaults(
        handler=lambda a: _vote_call(
            a, f"/membership/appeals/{parse_uuid(a.appeal, what='the appeal')}/call-vote"
        )
    )


def _case_text(c: dict[str, Any]) -> str:
    lines = [
        f"Case {c['uuid']}: {c['penalty']} sought against {c['accused']['name']} in {c['council']['name']}",
        f"  status: {c['status_label']}",
        f"  hearing: {c['hearing_at']}",
        f"  charges: {c['charges']}",
    ]
    lines += [f"  defence ({d['submitted_at'][:10]}): {d['statement']}" for d in c["defences"]]
    lines += [f"  appeal to {a['council']['name']}: {a['status']}" for a in c["appeals"]]
    return "\n".join(lines)


def run_charge(args: argparse.Namespace) -> int:
    body = {
        "membership": parse_uuid(args.membership, what="the membership"),
        "charges": _read_text(args.charges, args.charges_file, "charges"),
        "penalty": args.penalty,
        "hearing_at": parse_moment(args.hearing, what="--hearing"),
    }
    if args.days is not None:
        body["suspension_days"] = args.days
    return _out(args, Api(args.server).post("/membership/cases", body), _case_text)


def run_cases(args: argparse.Namespace) -> int:
    params = {"council": parse_uuid(args.council, what="the council")} if args.council else {}
    items = Api(args.server).get_all("/membership/cases", **params)
    return _out(
        args,
        {"items": items, "count": len(items)},
        lambda d: "\n\n".join(map(_case_text, d["items"])) or "none",
    )


def _case_call(args: argparse.Namespace, method: str, path: str, body: Any, api: Api | None = None) -> int:
    uuid = parse_uuid(args.case, what="the case")
    api = api or Api(args.server)
    url = f"/membership/cases/{uuid}{path}"
    document = api.get(url) if method == "GET" else api.post(url, body)
    return _out(args, document, _case_text)


# What each step of a case that cannot be undone does, as the question says it.
CASE_STEPS = {
    "/withdraw": (
        "withdrawing charges",
        "Withdraw the charges against {name} in {council}? The case ends and cannot be reopened.",
    ),
    "/end-suspension": (
        "ending a suspension",
        "End the suspension of {name} in {council} and restore their rights? This cannot be undone.",
    ),
}


def _case_step(args: argparse.Namespace, path: str) -> int:
    uuid, api = parse_uuid(args.case, what="the case"), Api(args.server)
    step, wording = CASE_STEPS[path]

    def question() -> str:
        case = api.get(f"/membership/cases/{uuid}")
        return wording.format(name=case["accused"]["name"], council=case["council"]["name"])

    confirm(args, step=step, question=question)
    return _case_call(args, "POST", path, None, api)


def run_defend(args: argparse.Namespace) -> int:
    evidence = []
    for item in args.evidence:
        title, sep, url = item.partition("=")
        if not sep:
            raise CliError(f"--evidence takes TITLE=URL, got {item!r}")
        evidence.append({"title": title.strip(), "url": url.strip()})
    body = {"statement": _read_text(args.statement, args.statement_file, "statement"), "evidence": evidence}
    return _case_call(args, "POST", "/defence", body)


def run_appeal(args: argparse.Namespace) -> int:
    uuid = parse_uuid(args.case, what="the case")
    appeal = Api(args.server).post(f"/membership/cases/{uuid}/appeals", {"grounds": args.grounds})
    return _out(
        args, appeal, lambda a: f"Appeal {a['uuid']} lodged with {a['council']['name']} (level {a['level']})."
    )


# platforms -----------------------------------------------------------------------------


def _platform(subparsers: Sub) -> None:
    parser = subparsers.add_parser("platform", help="platforms: form, join, publish, run slates")
    sub = parser.add_subparsers(dest="platform_command", required=True, metavar="COMMAND")
    sub.add_parser("list", help="platforms in your federation").set_defaults(handler=run_platforms)
    show = sub.add_parser("show", help="one platform with its documents and slates")
    show.add_argument("platform", help="the platform's UUID")
    show.set_defaults(handler=run_platform_show)
    create = sub.add_parser("create", help="form a platform (you become its first member)")
    create.add_argument("--name", required=True, help="the platform's name")
    create.add_argument("--statement", required=True, help="what the platform stands for")
    create.add_argument("--federation", help="the federation's UUID (when you belong to several)")
    create.set_defaults(handler=run_platform_create)
    for name in ("join", "leave"):
        p = sub.add_parser(name, help=f"{name} a platform")
        p.add_argument("platform", help="the platform's UUID")
        p.set_defaults(handler=lambda a, name=name: _platform_post(a, f"/{name}", None))
    members = sub.add_parser("members", help="its members (only for its members and credentials officers)")
    members.add_argument("platform", help="the platform's UUID")
    members.set_defaults(handler=run_platform_members)
    document = sub.add_parser("document", help="one document (an alert names it as its subject)")
    document.add_argument("document", help="the document's UUID")
    document.set_defaults(handler=run_platform_document)
    publish = sub.add_parser(
        "publish", help="publish a document to the members of some councils (alerts them)"
    )
    publish.add_argument("platform", help="the platform's UUID")
    publish.add_argument("--title", required=True, help="the document's title")
    publish.add_argument("--body", help="the document's text")
    publish.add_argument("--body-file", help="read the text from a file ('-' for standard input)")
    publish.add_argument("--council", action="append", required=True, help="a council's UUID (repeat)")
    add_yes(publish)
    publish.set_defaults(handler=run_platform_publish)
    slate = sub.add_parser("slate", help="publish the platform's slate for an election")
    slate.add_argument("platform", help="the platform's UUID")
    slate.add_argument("--election", required=True, help="the election's UUID")
    slate.add_argument("--title", required=True, help="the slate's title")
    slate.add_argument(
        "--candidate", action="append", required=True, help="a member's UUID, in order (repeat)"
    )
    slate.set_defaults(handler=run_platform_slate)


def _platform_text(p: dict[str, Any]) -> str:
    mine = " (you are a member)" if p["is_member"] else ""
    return f"{p['uuid']}  {p['name']}: {counted(p['member_count'], 'member', 'members')}{mine}"


def run_platforms(args: argparse.Namespace) -> int:
    items = Api(args.server).get_all("/platforms")
    return _out(
        args,
        {"items": items, "count": len(items)},
        lambda d: "\n".join(map(_platform_text, d["items"])) or "none",
    )


def run_platform_show(args: argparse.Namespace) -> int:
    uuid = parse_uuid(args.platform, what="the platform")
    api = Api(args.server)
    document = {
        **api.get(f"/platforms/{uuid}"),
        "documents": api.get_all(f"/platforms/{uuid}/documents"),
        "slates": api.get_all(f"/platforms/{uuid}/slates"),
    }

    def text(p: dict[str, Any]) -> str:
        lines = [_platform_text(p), p["statement"]]
        lines += [f"  document: {d['title']} ({d['published_at'][:10]})" for d in p["documents"]]
        lines += [f"  slate: {s['title']}: {', '.join(s['candidates'])}" for s in p["slates"]]
        return "\n".join(lines)

    return _out(args, document, text)


def run_platform_create(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"name": args.name, "statement": args.statement}
    body.update(_fed(args))
    return _out(args, Api(args.server).post("/platforms", body), _platform_text)


def _platform_post(args: argparse.Namespace, path: str, body: Any) -> int:
    uuid = parse_uuid(args.platform, what="the platform")
    return _out(args, Api(args.server).post(f"/platforms/{uuid}{path}", body), _platform_text)


def run_platform_members(args: argparse.Namespace) -> int:
    uuid = parse_uuid(args.platform, what="the platform")
    items = Api(args.server).get_all(f"/platforms/{uuid}/members")
    return _out(
        args,
        {"items": items, "count": len(items)},
        lambda d: "\n".join(f"{m['person']['name']}  since {m['joined_at'][:10]}" for m in d["items"]),
    )


def run_platform_document(args: argparse.Namespace) -> int:
    uuid = parse_uuid(args.document, what="the document")
    return _out(
        args,
        Api(args.server).get(f"/platforms/documents/{uuid}"),
        lambda d: (
            f"{d['title']}\nTo the members of {', '.join(c['name'] for c in d['councils'])}, "
            f"{d['published_at'][:10]}\n\n{d['body']}"
        ),
    )


def run_platform_publish(args: argparse.Namespace) -> int:
    body = {
        "title": args.title,
        "body": _read_text(args.body, args.body_file, "body"),
        "councils": [parse_uuid(c, what="a council") for c in args.council],
    }
    api = Api(args.server)
    confirm(
        args,
        step="publishing a document",
        question=lambda: (
            f"Publish {args.title!r} to the members of "
            + ", ".join(api.get(f"/councils/{c}")["name"] for c in body["councils"])
            + "? They are alerted at once, and it cannot be unpublished."
        ),
    )
    return _platform_post_doc(
        args,
        "/documents",
        body,
        lambda d: (
            f"Published {d['uuid']} to {counted(len(d['councils']), 'council', 'councils')}; their "
            "members are alerted."
        ),
    )


def run_platform_slate(args: argparse.Namespace) -> int:
    body = {
        "election": parse_uuid(args.election, what="the election"),
        "title": args.title,
        "candidates": [parse_uuid(c, what="a candidate") for c in args.candidate],
    }
    return _platform_post_doc(
        args,
        "/slates",
        body,
        lambda s: (
            f"Slate {s['uuid']} published with {counted(len(s['candidates']), 'candidate', 'candidates')}."
        ),
    )


def _platform_post_doc(args: argparse.Namespace, path: str, body: Any, text: Callable[[Any], str]) -> int:
    uuid = parse_uuid(args.platform, what="the platform")
    return _out(args, Api(args.server).post(f"/platforms/{uuid}{path}", body), text)
