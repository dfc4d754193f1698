"""Entry point of the `councils` command."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys

from councils import __version__
from councils.cli.client import default_server
from councils.cli.output import BAD_USAGE, BROKEN_PIPE, CHECK_FAILED, INTERRUPTED, CliError

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
    _finish_subcommands(parser)
    return parser


def _finish_subcommands(parser: argparse.ArgumentParser) -> None:
    """Give every subcommand a description for its --help, and let --json and --server follow it."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        summaries = {choice.dest: choice.help for choice in action._choices_actions}
        for name, sub in action.choices.items():
            summary = summaries.get(name)
            if sub.description is None and summary:
                sub.description = summary[0].upper() + summary[1:] + "."
            if "--json" not in sub._option_string_actions:
                sub.add_argument(
                    "--json", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
                )
            if "--server" not in sub._option_string_actions:
                sub.add_argument("--server", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
            _finish_subcommands(sub)


def main(argv: list[str] | None = None) -> int:
    try:
        code = _run(argv)
        # Flush here, so that a reader gone away (`| head`) or a full disk is noticed below, not at exit.
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # What Python's documentation advises for SIGPIPE: send the rest of the output nowhere and
        # stop quietly, with the status of a command the signal ended.
        _discard_output()
        return BROKEN_PIPE
    except KeyboardInterrupt:
        print("councils: interrupted", file=sys.stderr)
        return INTERRUPTED
    except OSError as exc:
        # A file or directory this machine refused, or a full disk: say which, not a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"councils: {where}{exc.strerror or exc}", file=sys.stderr)
        try:
            sys.stdout.flush()
        except OSError:
            _discard_output()
        return CHECK_FAILED


def _discard_output() -> None:
    """Point standard output at the null device, so that Python's flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _run(argv: list[str] | None) -> int:
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


if __name__ == "__main__":
    sys.exit(main())
