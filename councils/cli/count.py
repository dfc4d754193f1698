"""`councils count`: count a .blt ballot file offline, with no server and no Django."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TextIO

from councils.cli.output import OK, CliError, decode_text, emit_json, read_text
from councils.core.errors import InvalidInputError
from councils.core.tally import METHODS, CountResult, count
from councils.core.tally.blt import parse_text
from councils.core.tally.export import stages_csv
from councils.core.wording import counted

PROGRESS_FROM_BYTES = 8 * 1024 * 1024
CHUNK = 1024 * 1024


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "count",
        help="count a .blt ballot file offline",
        description="Count a .blt ballot file offline and print every stage of the count.",
    )
    _add_arguments(parser)
    parser.set_defaults(handler=handle)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the .blt file, or - to read standard input")
    parser.add_argument("--method", required=True, choices=list(METHODS), help="counting method")
    parser.add_argument("--seats", type=int, help="seats to fill (default: as the file says)")
    parser.add_argument("--seed", help="seed for ties left to lot (default: derived from the ballots)")
    # SUPPRESS keeps a `--json` given before the subcommand (`councils --json count ...`).
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print the result as one JSON document"
    )
    output.add_argument(
        "--csv", action="store_true", default=argparse.SUPPRESS, help="print the stages as CSV"
    )


def _read(path: str) -> str:
    """Read the file as UTF-8, with a progress bar on stderr for large files at a terminal."""
    if path == "-":
        return read_text(path)
    try:
        with open(path, "rb") as handle:
            # A pipe (/dev/stdin, <(...)) has no size and cannot seek: no progress bar then.
            size = os.fstat(handle.fileno()).st_size
            show = size >= PROGRESS_FROM_BYTES and sys.stderr.isatty()
            chunks: list[bytes] = []
            done = 0
            while chunk := handle.read(CHUNK):
                chunks.append(chunk)
                done += len(chunk)
                if show:
                    _progress(sys.stderr, f"reading {path}", done / size)
            if show:
                sys.stderr.write("\n")
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror or exc}") from None
    return decode_text(b"".join(chunks), name=path)


def _progress(stream: TextIO, label: str, fraction: float) -> None:
    width = 30
    filled = int(fraction * width)
    stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%}")
    stream.flush()


def handle(args: argparse.Namespace) -> int:
    if getattr(args, "json", False) and getattr(args, "csv", False):
        # The parser refuses both after the subcommand; `councils --json count ... --csv` gets here.
        raise CliError("--json and --csv ask for two outputs: give one")
    name = "<stdin>" if args.file == "-" else args.file
    text = _read(args.file)
    try:
        document = parse_text(text)
        election = document.election
        if args.seats is not None:
            election = replace(election, seats=args.seats)
        result = count(election, method=args.method, seed=args.seed)
    except InvalidInputError as exc:
        raise CliError(f"{name}: {exc.message}") from None
    for warning in (*document.warnings, *_unopposed(result)):
        print(f"councils: warning: {name}: {warning}", file=sys.stderr)
    if getattr(args, "json", False):
        emit_json(result.to_json())
    elif getattr(args, "csv", False):
        sys.stdout.write(stages_csv(result))
    else:
        sys.stdout.write(render_text(result, title=election.title))
    return OK


def _unopposed(result: CountResult) -> list[str]:
    """A warning when there are as many seats as candidates standing, or more: nobody is counted out.

    Schulze ranks every candidate whatever the seats, so it is never warned of.
    """
    standing = len(result.candidates)
    if result.method == "schulze" or result.seats < standing:
        return []
    return [
        f"{counted(result.seats, 'seat', 'seats')} for {counted(standing, 'candidate', 'candidates')}: "
        "every candidate is elected unopposed"
    ]


def tie_line(*, stage: int, kind: str, tied: Sequence[str], chosen: str, by: str) -> str:
    """A tie the count settled, as the count and the results of an election both say it."""
    return f"tie at stage {stage} ({kind}) between {', '.join(tied)}: {chosen} by {by}"


def render_text(result: CountResult, *, title: str = "") -> str:
    """Lay the stages out as a table, candidates down and stages across, then what each stage did."""
    lines = [title] if title else []
    lines.append(
        f"method {result.method}, {counted(result.seats, 'seat', 'seats')}"
        + (f", quota {result.quota}" if result.quota else "")
    )
    header = ["candidate", *(f"stage {s.number}" for s in result.stages)]
    body = [[name, *(s.totals.get(name, "") for s in result.stages)] for name in result.candidates]
    body.append(["non-transferable", *(s.non_transferable for s in result.stages)])
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    for row in [header, *body]:
        lines.append(
            "  ".join(
                [
                    row[0].ljust(widths[0]),
                    *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)),
                ]
            )
        )
    lines.append("")
    for s in result.stages:
        detail = [s.action]
        if s.transfer_value:
            detail.append(f"transfer value {s.transfer_value}")
        if s.elected:
            detail.append("elected: " + ", ".join(s.elected))
        if s.excluded:
            detail.append("excluded: " + ", ".join(s.excluded))
        lines.append(f"stage {s.number}: " + "; ".join(detail))
    lines.extend(
        tie_line(stage=t.stage, kind=t.kind, tied=t.tied, chosen=t.chosen, by=t.by) for t in result.ties
    )
    if any(t.by == "lot" for t in result.ties):
        lines.append(f"seed {result.seed}")
    lines.append("elected: " + ", ".join(result.elected))
    return "\n".join(lines) + "\n"
