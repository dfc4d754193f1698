"""Entry point of the `councils` command."""

from __future__ import annotations

import argparse
import importlib
import sys

from councils import __version__
from councils.cli.client import default_server
from councils.cli.output import BAD_USAGE, CliError

# Each module registers its subcommands with add_parser(subparsers).
SUBCOMMAND_MODULES = [
    "session",
    "councils_cmd",
    "tokens",
    "invitations",
    "count",
    "record",
    "mandates",
    "motions",
    "membership",
    "elections",
    "meetings",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="councils",
        description="Councils: work with a Councils server, and count and verify offline.",
    )
    parser.add_argument("--version", action="version", version=f"councils {__version__}")
    parser.add_argument(
        "--server",
        default=default_server(),
        help="site root of the server (default: $COUNCILS_SERVER or http://127.0.0.1:8000)",
    )
    parser.add_argument("--json", action="store_true", help="print exactly one JSON document on stdout")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"councils.cli.{name}").add_parser(subparsers)
    for sub in subparsers.choices.values():
        _accept_common_options(sub)
    return parser


def _accept_common_options(parser: argparse.ArgumentParser) -> None:
    """Let --json and --server also follow the subcommand, as scripts write them."""
    if "--json" not in parser._option_string_actions:
        parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    if "--server" not in parser._option_string_actions:
        parser.add_argument("--server", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _accept_common_options(sub)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        # argparse exits 2 on bad usage and 0 after --help; return it so callers get a code, not an exit.
        return exc.code if isinstance(exc.code, int) else BAD_USAGE
    try:
        return int(args.handler(args))
    except CliError as exc:
        print(f"councils: {exc.message}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("councils: interrupted", file=sys.stderr)
        return BAD_USAGE


if __name__ == "__main__":
    sys.exit(main())
