"""`councils invitations send|list|withdraw`: a council officer invites people by e-mail."""

from __future__ import annotations

import argparse

from councils.cli.client import Api
from councils.cli.output import CliError, add_yes, confirm, emit_json, parse_uuid
from councils.core.wording import counted


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "invitations",
        help="invite people to your council by e-mail",
        description="Invite people by e-mail to a base council you chair or are secretary of.",
    )
    sub = parser.add_subparsers(dest="invitations_command", required=True, metavar="COMMAND")
    send = sub.add_parser(
        "send",
        help="send an invitation link by e-mail",
        description="Send an invitation link by e-mail; the person joins as a candidate member.",
    )
    send.add_argument("council", help="the council's UUID")
    send.add_argument("email", help="the person's e-mail address")
    send.set_defaults(handler=run_send)
    list_parser = sub.add_parser(
        "list", help="invitations a council has sent", description="List the invitations a council has sent."
    )
    list_parser.add_argument("council", help="the council's UUID")
    list_parser.set_defaults(handler=run_list)
    withdraw = sub.add_parser(
        "withdraw",
        help="withdraw an unused invitation",
        description="Withdraw an unused invitation so that its link stops working.",
    )
    withdraw.add_argument("invitation", help="the invitation's UUID, as `councils invitations list` shows it")
    add_yes(withdraw)
    withdraw.set_defaults(handler=run_withdraw)


def run_send(args: argparse.Namespace) -> int:
    council = parse_uuid(args.council, what="the council")
    if "@" not in args.email:
        raise CliError(f"{args.email!r} is not an e-mail address")
    invitation = Api(args.server).post("/invitations", {"council": council, "email": args.email})
    if args.json:
        emit_json(invitation)
    else:
        print(
            f"Invitation {invitation['uuid']} sent to {invitation['email']}; "
            f"valid until {invitation['expires_at']}."
        )
    return 0


def _status(invitation: dict[str, str | None]) -> str:
    if invitation["accepted_at"]:
        return "joined"
    if invitation["revoked_at"]:
        return "withdrawn"
    return f"waiting until {invitation['expires_at']}"


def run_list(args: argparse.Namespace) -> int:
    council = parse_uuid(args.council, what="the council")
    invitations = Api(args.server).get_all("/invitations", council=council)
    if args.json:
        emit_json({"items": invitations, "count": len(invitations)})
        return 0
    for invitation in invitations:
        print(f"{invitation['uuid']}  {invitation['email']:<32}  {_status(invitation)}")
    print(counted(len(invitations), "invitation", "invitations"))
    return 0


def run_withdraw(args: argparse.Namespace) -> int:
    invitation = parse_uuid(args.invitation, what="the invitation")
    confirm(
        args,
        step="withdrawing an invitation",
        question=lambda: (
            f"Withdraw invitation {invitation}? Its link stops working for good; "
            "the person would need a new invitation."
        ),
    )
    Api(args.server).delete(f"/invitations/{invitation}")
    if args.json:
        emit_json({"uuid": invitation, "withdrawn": True})
    else:
        print(f"Invitation {invitation} is withdrawn.")
    return 0
