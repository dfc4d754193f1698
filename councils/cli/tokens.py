"""`councils tokens list|create|revoke`: the API tokens of the logged-in account."""

from __future__ import annotations

import argparse

from councils.cli.client import Api
from councils.cli.output import CliError, emit_json, parse_uuid
from councils.core.wording import counted


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "tokens", help="list, create and revoke your API tokens", description="Manage your API tokens."
    )
    sub = parser.add_subparsers(dest="tokens_command", required=True, metavar="COMMAND")
    list_parser = sub.add_parser(
        "list", help="your tokens that still work", description="List your tokens that still work."
    )
    list_parser.set_defaults(handler=run_list)
    create = sub.add_parser(
        "create",
        help="make a token for a script (printed once)",
        description="Make a new token, for example for a script; it is printed once and never again.",
    )
    create.add_argument("name", help="what uses the token, e.g. 'backup script'")
    create.set_defaults(handler=run_create)
    revoke = sub.add_parser(
        "revoke", help="revoke a token at once", description="Revoke a token; it stops working at once."
    )
    revoke.add_argument("token", help="the token's UUID, as `councils tokens list` shows it")
    revoke.set_defaults(handler=run_revoke)


def run_list(args: argparse.Namespace) -> int:
    tokens = Api(args.server).get_all("/auth/tokens")
    if args.json:
        emit_json({"items": tokens, "count": len(tokens)})
        return 0
    for token in tokens:
        used = token["last_used_at"] or "never used"
        print(f"{token['uuid']}  {token['name']:<24}  created {token['created_at']}  last used {used}")
    print(counted(len(tokens), "token", "tokens"))
    return 0


def run_create(args: argparse.Namespace) -> int:
    if not args.name.strip():
        raise CliError("a token needs a name")
    token = Api(args.server).post("/auth/tokens", {"name": args.name})
    if args.json:
        emit_json(token)
    else:
        print(
            f"Token {token['name']!r} ({token['uuid']}):\n{token['token']}\n"
            "Copy it now: it is not shown again."
        )
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    token_id = parse_uuid(args.token, what="the token")
    Api(args.server).delete(f"/auth/tokens/{token_id}")
    if args.json:
        emit_json({"uuid": token_id, "revoked": True})
    else:
        print(f"Token {token_id} is revoked.")
    return 0
