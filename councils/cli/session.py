"""`councils login` and `councils logout`."""

from __future__ import annotations

import argparse
import getpass
import os

from councils.cli.client import Api, save_token
from councils.cli.output import emit_json


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    login = subparsers.add_parser("login", help="log in and store an API token for this server")
    login.add_argument("--username", "-u", help="your username (asked when missing)")
    login.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input, for scripts"
    )
    login.set_defaults(handler=run_login)
    logout = subparsers.add_parser("logout", help="forget the stored token for this server")
    logout.set_defaults(handler=run_logout)


def run_login(args: argparse.Namespace) -> int:
    username = args.username or input("Username: ")
    if args.password_stdin:
        import sys

        password = sys.stdin.readline().rstrip("\n")
    else:
        password = os.environ.get("COUNCILS_PASSWORD") or getpass.getpass("Password: ")
    body = Api(args.server, token="-").post("/auth/token", {"username": username, "password": password})
    path = save_token(args.server, body["token"])
    if args.json:
        emit_json({"server": args.server, "username": username, "stored_in": str(path)})
    else:
        print(f"Logged in to {args.server} as {username}; token stored in {path}.")
    return 0


def run_logout(args: argparse.Namespace) -> int:
    save_token(args.server, None)
    if args.json:
        emit_json({"server": args.server, "logged_out": True})
    else:
        print(f"Forgot the token for {args.server}.")
    return 0
