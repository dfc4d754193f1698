"""Entry point of the `councils` command."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from typing import NoReturn

from councils import __version__
from councils.cli.client import default_server
from councils.cli.output import BAD_USAGE, BROKEN_PIPE, CHECK_FAILED, INTERRUPTED, CliError, emit_json

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


class _UsageError(CliError):
    """What argparse refuses, told as argparse tells it: the usage, then `PROG: error: MESSAGE`."""

    def __init__(self, message: str, *, usage: str, prog: str) -> None:
        super().__init__(message, code=BAD_USAGE)
        self.line = f"{usage}{prog}: error: {message}"


class _Parser(argparse.ArgumentParser):
    """An argument parser (and, through add_subparsers, its subcommands') that raises, not exits."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message, usage=self.format_usage(), prog=self.prog)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    argv = sys.argv[1:] if argv is None else argv
    as_json = _wants_json(argv)
    try:
        code = _run(argv)
        # Flush here, so that a reader gone away (`| head`) or a full disk is noticed below, not at exit.
        sys.stdout.flush()
        return code
    except CliError as exc:
        return _fail(exc, as_json=as_json)
    except BrokenPipeError:
        # What Python's documentation advises for SIGPIPE: send the rest of the output nowhere and
        # stop quietly, with the status of a command the signal ended.
        _discard_output()
        return BROKEN_PIPE
    except KeyboardInterrupt:
        return _fail(CliError("interrupted", code=INTERRUPTED), as_json=as_json)
    except OSError as exc:
        # A file or directory this machine refused, or a full disk: say which, not a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(CliError(f"{where}{exc.strerror or exc}", code=CHECK_FAILED), as_json=as_json)


def _wants_json(argv: list[str]) -> bool:
    """Whether --json (or a prefix of it, which argparse takes for it) is among the options.

    Decided from the words themselves, so that a command line argparse refuses is answered in JSON too.
    """
    for word in argv:
        if word == "--":
            return False
        if len(word) > 2 and "--json".startswith(word):
            return True
    return False


def _error_document(exc: CliError) -> dict[str, object]:
    """`{"error": {"message", "exit"}}`, with the HTTP `status` and problem `code` when a server refused."""
    error: dict[str, object] = {"message": exc.message, "exit": exc.code}
    if exc.status is not None:
        error["status"] = exc.status
    if exc.problem is not None:
        error["code"] = exc.problem
    return {"error": error}


def _fail(exc: CliError, *, as_json: bool) -> int:
    """Say what went wrong on stderr, and with --json as the one document on stdout; return the exit code."""
    print(exc.line if isinstance(exc, _UsageError) else f"councils: {exc.message}", file=sys.stderr)
    try:
        if as_json:
            emit_json(_error_document(exc))
        sys.stdout.flush()
    except OSError:
        _discard_output()
    return exc.code


def _discard_output() -> None:
    """Point standard output at the null device, so that Python's flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _run(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        # argparse exits 0 after --help and --version; return it so callers get a code, not an exit.
        return exc.code if isinstance(exc.code, int) else BAD_USAGE
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
