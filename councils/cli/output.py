"""Exit codes and output conventions shared by every subcommand."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn

OK, CHECK_FAILED, BAD_USAGE = 0, 1, 2
# As a shell reports a command ended by SIGINT (Ctrl-C) or SIGPIPE (its reader, such as `head`, left).
INTERRUPTED, BROKEN_PIPE = 128 + 2, 128 + 13


class CliError(Exception):
    """A failure to report as one line on stderr with an exit code."""

    def __init__(
        self, message: str, *, code: int = BAD_USAGE, status: int | None = None, problem: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        # The HTTP status and problem+json `code` when the server refused the request.
        self.status = status
        self.problem = problem


def emit_json(document: Any) -> None:
    """Print exactly one JSON document on stdout."""
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False, sort_keys=False)
    sys.stdout.write("\n")


def decode_text(data: bytes, *, name: str) -> str:
    """UTF-8 text (a byte order mark is dropped), or a one-line error naming the file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(f"{name}: not UTF-8 text (byte {exc.start})") from None


def read_text(path: str) -> str:
    """A text file given on the command line, or standard input for '-'."""
    if path == "-":
        return decode_text(sys.stdin.buffer.read(), name="<stdin>")
    try:
        with open(path, "rb") as handle:
            return decode_text(handle.read(), name=path)
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None


def fail(message: str, *, code: int = BAD_USAGE) -> NoReturn:
    raise CliError(message, code=code)


def parse_uuid(value: str, *, what: str) -> str:
    """Check an identifier before asking the server, so a typo is a usage error (exit 2)."""
    import uuid

    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise CliError(f"{what} must be a UUID such as 6f1c2a3e-…; got {value!r}") from None


def parse_moment(value: str, *, what: str) -> str:
    """Check a time before asking the server: ISO 8601 with its zone, so it cannot be read two ways."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise CliError(
            f"{what} must be an ISO 8601 time with its zone, such as 2026-05-01T18:00+00:00; got {value!r}"
        )
    return moment.isoformat()


def add_yes(parser: argparse.ArgumentParser) -> None:
    """Give a command whose step cannot be undone the option that answers its question in advance."""
    parser.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help="do it without asking first; needed when standard input is not a terminal, as the step "
        "cannot be undone",
    )


def confirm(args: argparse.Namespace, *, step: str, question: Callable[[], str]) -> None:
    """Ask once, on a terminal, before a step that cannot be undone; refuse without one unless --yes.

    `step` names the step for the refusal, before any request; `question` reads from the server what
    the question names, only when there is someone to ask. Answering anything but yes does nothing.
    """
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise CliError(f"{step} cannot be undone: pass --yes to do it without a terminal to ask on")
    # The question goes to stderr, so that stdout holds only the result (one JSON document with --json).
    sys.stderr.write(f"{question()} [y/N] ")
    sys.stderr.flush()
    try:
        answer = input()
    except EOFError:
        answer = ""
    if answer.strip().casefold() not in ("y", "yes"):
        raise CliError("not confirmed: nothing was done", code=CHECK_FAILED)
