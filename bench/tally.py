"""Benchmark the counting engine; print one JSON line per measurement.

Ballots come from a fixed-seed generator: rankings drawn from a Plackett-Luce
model with Zipf-distributed candidate strengths, truncated to a mean length
of about 3.5, and uniform full rankings as a worst case (every ballot a
distinct ranking). For each method the fastest Python peer we know counts
the same ballots in the same run. Each line reports whether each peer's
winners are identical, `ratio` (the fastest peer's CPU time to count over
ours, each side's input already built) and `ratio_with_input` (the same
with building the input included: our grouping of the ballots, the peer's
ballot objects or profile). pyrankvote's STV is its own variant (see
docs/decisions/0002-counting-engine.md), timed for every STV method.

    .venv/bin/python bench/tally.py                     # 1,000,000 ballots
    .venv/bin/python bench/tally.py --ballots 10000 --no-peer
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from councils.core.tally import METHODS, Ballot, Election, count
from councils.core.tally.blt import parse_text

Rows = np.ndarray[Any, np.dtype[np.int64]]


def plackett_luce(rng: np.random.Generator, ballots: int, candidates: int) -> Rows:
    strength = 1.0 / np.arange(1, candidates + 1)  # Zipf, exponent 1
    keys = np.log(strength) + rng.gumbel(size=(ballots, candidates))
    order = np.argsort(-keys, axis=1)
    length = np.clip(1 + rng.poisson(2.5, size=ballots), 1, candidates)
    order[np.arange(candidates) >= length[:, None]] = -1
    return order


def uniform_full(rng: np.random.Generator, ballots: int, candidates: int) -> Rows:
    return np.argsort(rng.random((ballots, candidates)), axis=1)


def blt_text(rows: Rows, candidates: int, seats: int) -> str:
    lines = [f"{candidates} {seats}"]
    lines += ["1 " + " ".join(str(c + 1) for c in row if c >= 0) + " 0" for row in rows.tolist()]
    lines += ["0", *(f'"Candidate {c + 1}"' for c in range(candidates)), '"Benchmark"']
    return "\n".join(lines) + "\n"


def election_from(rows: Rows, candidates: int, seats: int) -> Election:
    distinct, counts = np.unique(rows, axis=0, return_counts=True)
    ballots = tuple(
        Ballot(int(w), tuple((c,) for c in row if c >= 0))
        for row, w in zip(distinct.tolist(), counts.tolist(), strict=True)
    )
    return Election(tuple(f"Candidate {c + 1}" for c in range(candidates)), ballots, seats)


Prepare = Callable[[], Any]
Run = Callable[[Any], list[str]]


def peers_for(method: str, election: Election, *, max_rankings: int) -> dict[str, tuple[Prepare, Run]]:
    """The Python implementations of `method` installed here, as (build its input, count) pairs.

    pref_voting walks every distinct ranking in Python, so it runs only up to
    `max_rankings`; its profile computes the pairwise margins when built.
    """
    names = election.candidates
    seats = election.seats
    rankings = [(tuple(level[0] for level in b.ranking), b.weight) for b in election.ballots]
    peers: dict[str, tuple[Prepare, Run]] = {}
    if method in ("scottish-stv", "wigm", "meek"):
        try:
            import pyrankvote
        except ImportError:
            pass
        else:
            people = [pyrankvote.Candidate(name) for name in names]
            peers["pyrankvote"] = (
                lambda: [pyrankvote.Ballot([people[c] for c in r]) for r, w in rankings for _ in range(w)],
                lambda ballots: [
                    c.name for c in pyrankvote.single_transferable_vote(people, ballots, seats).get_winners()
                ],
            )
    if method == "scottish-stv":
        try:
            from stvpoll.scottish_stv import calculate_scottish_stv
        except ImportError:
            pass
        else:
            ids = list(range(len(names)))
            peers["stvpoll"] = (
                lambda: list(rankings),
                lambda ballots: [
                    names[c]
                    for c in calculate_scottish_stv(
                        ids, ballots, seats, random_shuffle=False
                    ).elected_as_tuple()
                ],
            )
    if len(rankings) > max_rankings:
        return peers
    try:
        from pref_voting import proportional_methods
        from pref_voting.margin_based_methods import beat_path
        from pref_voting.profiles_with_ties import ProfileWithTies
    except ImportError:
        return peers

    def profile() -> Any:
        grouped = ProfileWithTies(
            [{c: i + 1 for i, c in enumerate(r)} for r, _ in rankings],
            rcounts=[w for _, w in rankings],
            candidates=list(range(len(names))),
        )
        grouped.use_extended_strict_preference()
        return grouped

    stv = {"scottish-stv": proportional_methods.stv_scottish, "wigm": proportional_methods.stv_wig}
    if method in stv:
        peers["pref_voting"] = (profile, lambda p: [names[c] for c in stv[method](p, num_seats=seats)])
    if method == "schulze":
        peers["pref_voting"] = (profile, lambda p: [names[c] for c in beat_path(p)])
    return peers


def timed(run: Callable[[], Any]) -> tuple[float, float, Any]:
    """Return wall-clock and CPU seconds: on a shared machine the CPU time is the steadier figure."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = run()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=12)
    parser.add_argument("--seats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--cases", default="plackett-luce,uniform-full")
    parser.add_argument("--no-peer", action="store_true", help="skip the Python peers")
    parser.add_argument(
        "--peer-max-rankings",
        type=int,
        default=200_000,
        help="run pref_voting only up to this many distinct rankings",
    )
    args = parser.parse_args()
    generators = {"plackett-luce": plackett_luce, "uniform-full": uniform_full}

    for case in args.cases.split(","):
        rows = generators[case](np.random.default_rng(args.seed), args.ballots, args.candidates)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.blt"
            path.write_text(blt_text(rows, args.candidates, args.seats), encoding="utf-8")

            def load(path: Path = path) -> Election:
                election = parse_text(path.read_text(encoding="utf-8")).election
                election.profile  # noqa: B018  (grouping is part of loading)
                return election

            seconds, cpu, loaded = timed(load)
        emit(
            case=case,
            ballots=args.ballots,
            step="load .blt",
            seconds=round(seconds, 3),
            cpu_seconds=round(cpu, 3),
            distinct_rankings=len(loaded.ballots),
        )
        del loaded
        election = election_from(rows, args.candidates, args.seats)
        _, grouping, _ = timed(partial(getattr, election, "profile"))
        emit(case=case, ballots=args.ballots, step="group ballots", cpu_seconds=round(grouping, 3))
        lines: list[tuple[dict[str, Any], set[str]]] = []
        for method in args.methods.split(","):
            seconds, cpu, result = timed(partial(count, election, method=method))
            line: dict[str, Any] = {
                "case": case,
                "ballots": args.ballots,
                "method": method,
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu, 3),
                "elected": list(result.elected),
            }
            lines.append((line, set(result.elected[:1] if method == "schulze" else result.elected)))
        # Before any peer has run in this process, the peak is the engine's own (with --no-peer, always).
        emit(
            case=case,
            step="peak memory",
            max_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        )
        for line, ours in lines:
            peers = (
                {}
                if args.no_peer
                else peers_for(line["method"], election, max_rankings=args.peer_max_rankings)
            )
            timings = {}
            for name, (prepare, run) in peers.items():
                _, prepare_cpu, prepared = timed(prepare)
                _, peer_cpu, peer_elected = timed(partial(run, prepared))
                timings[name] = {
                    "cpu_seconds": round(peer_cpu, 3),
                    "input_cpu_seconds": round(prepare_cpu, 3),
                    "same_winners": set(peer_elected) == ours,
                }
                del prepared
            if timings:
                fastest = min(timings, key=lambda name: timings[name]["cpu_seconds"])
                line.update(
                    peers=timings,
                    fastest_peer=fastest,
                    ratio=round(timings[fastest]["cpu_seconds"] / max(line["cpu_seconds"], 0.001), 1),
                    ratio_with_input=round(
                        (timings[fastest]["cpu_seconds"] + timings[fastest]["input_cpu_seconds"])
                        / (line["cpu_seconds"] + grouping),
                        1,
                    ),
                )
            emit(**line)


if __name__ == "__main__":
    main()
