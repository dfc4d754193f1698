"""`councils login`, `councils logout`, `councils whoami` and `councils digest`."""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
import warnings

from councils.cli.client import Api, load_token, save_token
from councils.cli.output import CliError, emit_json


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    login = subparsers.add_parser(
        "login",
        help="log in and store an API token for this server",
        description="Log in and store an API token for this server in "
        "$XDG_CONFIG_HOME/councils/credentials.json (by default ~/.config/councils/credentials.json). "
        "The password comes from --password-stdin, $COUNCILS_PASSWORD or a prompt; the two-factor code "
        "from --otp, $COUNCILS_OTP or a prompt.",
    )
    login.add_argument("--username", "-u", help="your username (asked when missing)")
    login.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input, for scripts"
    )
    login.add_argument("--otp", help="the current code of your authenticator app, if you use two-factor")
    login.add_argument("--token-name", help="name shown in your token list (default: cli@<this host>)")
    login.set_defaults(handler=run_login)
    logout = subparsers.add_parser(
        "logout",
        help="revoke and forget the stored token for this server",
        description="Revoke the stored token on the server (so a copy of it is useless) and forget it here.",
    )
    logout.set_defaults(handler=run_logout)
    whoami = subparsers.add_parser(
        "whoami",
        help="show the account you are logged in as",
        description="Show the account you are logged in as.",
    )
    whoami.set_defaults(handler=run_whoami)
    digest = subparsers.add_parser(
        "digest",
        help="show or set how often your e-mail digest comes",
        description="Show how often the e-mail digest of your councils comes, or set it: daily (each "
        "morning, about the day before), weekly (each Monday, about the week before) or never.",
    )
    digest.add_argument("frequency", nargs="?", choices=DIGEST_FREQUENCIES, help="the new frequency")
    digest.set_defaults(handler=run_digest)


DIGEST_FREQUENCIES = ("daily", "weekly", "never")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get("COUNCILS_PASSWORD"):
        return os.environ["COUNCILS_PASSWORD"]
    # With no terminal, getpass would warn over several lines and read the password with echo on.
    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)
        try:
            return getpass.getpass("Password: ")
        except getpass.GetPassWarning:
            raise CliError(
                "no terminal to ask for the password on: use --password-stdin or $COUNCILS_PASSWORD"
            ) from None


def _ask(prompt: str, what: str) -> str:
    # Prompts go to stderr, so that stdout holds only the result (one JSON document with --json).
    sys.stderr.write(prompt)
    sys.stderr.flush()
    try:
        return input()
    except EOFError:
        raise CliError(f"no {what} given: pass it as an option when there is no terminal") from None


def run_login(args: argparse.Namespace) -> int:
    username = args.username or _ask("Username: ", "username")
    if not username.strip():
        raise CliError("a username is needed")
    try:
        password = _read_password(args)
    except EOFError:
        raise CliError("no password given: use --password-stdin or $COUNCILS_PASSWORD") from None
    if not password:
        raise CliError("an empty password cannot be right")
    body = {
        "username": username,
        "password": password,
        "name": args.token_name or f"cli@{socket.gethostname()}"[:100],
    }
    otp = args.otp or os.environ.get("COUNCILS_OTP")
    if otp:
        body["otp"] = otp
    api = Api(args.server, token="-")
    try:
        answer = api.post("/auth/token", body)
    except CliError as exc:
        if exc.problem != "otp_required" or not sys.stdin.isatty():
            if exc.problem == "otp_required":
                raise CliError("this account uses two-factor authentication: pass --otp CODE") from None
            raise
        body["otp"] = _ask("Code from your authenticator app: ", "code").strip()
        answer = api.post("/auth/token", body)
    path = save_token(args.server, answer["token"])
    if args.json:
        emit_json({"server": args.server, "username": username, "stored_in": str(path)})
    else:
        print(f"Logged in to {args.server} as {username}; token stored in {path}.")
    return 0


def run_logout(args: argparse.Namespace) -> int:
    token = os.environ.get("COUNCILS_TOKEN") or load_token(args.server.rstrip("/"))
    revoked = False
    if token:
        try:
            Api(args.server, token=token).request("DELETE", "/auth/token")
            revoked = True
        except CliError as exc:
            # A token the server no longer accepts is as good as revoked; forget it anyway.
            if exc.status != 401:
                raise
    save_token(args.server, None)
    if args.json:
        emit_json({"server": args.server, "logged_out": True, "revoked": revoked})
    elif token:
        print(f"Logged out of {args.server}; the token is revoked and forgotten.")
    else:
        print(f"You were not logged in to {args.server}.")
    return 0


def run_whoami(args: argparse.Namespace) -> int:
    me = Api(args.server).get("/auth/me")
    if args.json:
        emit_json({**me, "server": args.server})
    else:
        totp = ", two-factor on" if me.get("has_totp") else ""
        print(f"{me['name']} ({me['username']}{totp}) on {args.server}")
    return 0


def run_digest(args: argparse.Namespace) -> int:
    api = Api(args.server)
    if args.frequency is None:
        me = api.get("/auth/me")
    else:
        me = api.request("PATCH", "/auth/me", json={"digest_frequency": args.frequency})
    if args.json:
        emit_json({"digest_frequency": me["digest_frequency"], "digest_sent_at": me["digest_sent_at"]})
        return 0
    frequency = me["digest_frequency"]
    print("You get no e-mail digest." if frequency == "never" else f"You get the e-mail digest {frequency}.")
    if me["digest_sent_at"]:
        print(f"The last one was sent at {me['digest_sent_at']}.")
    return 0
