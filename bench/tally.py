"""Benchmark the counting engine; print one JSON line per measurement.

Ballots come from a fixed-seed generator: rankings drawn from a Plackett-Luce
model with Zipf-distributed candidate strengths, truncated to a mean length
of about 3.5, and uniform full rankings as a worst case (every ballot a
distinct ranking). For each method the fastest Python peer we know counts
the same ballots in the same run, and the line reports the ratio of times
and whether the winners are identical.

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
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from councils.core.tally import METHODS, Ballot, Election, count  # noqa: E402
from councils.core.tally.blt import parse_text  # noqa: E402

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
        Ballot(int(w), tuple((c,) for c in row if c >= 0)) for row, w in zip(distinct.tolist(), counts.tolist(), strict=True)
    )
    return Election(tuple(f"Candidate {c + 1}" for c in range(candidates)), ballots, seats)


def pref_voting_peer(method: str) -> Callable[[Election], list[str]] | None:
    """pref_voting counts grouped ballots with NumPy, the fastest of the Python peers we tried."""
    try:
        from pref_voting import proportional_methods
        from pref_voting.margin_based_methods import beat_path
        from pref_voting.profiles_with_ties import ProfileWithTies
    except ImportError:
        return None
    stv = {"scottish-stv": proportional_methods.stv_scottish, "wigm": proportional_methods.stv_wig}

    def profile(election: Election) -> Any:
        return ProfileWithTies(
            [{level[0]: i + 1 for i, level in enumerate(b.ranking)} for b in election.ballots],
            rcounts=[b.weight for b in election.ballots],
            candidates=list(range(len(election.candidates))),
        )

    if method in stv:
        return lambda e: [e.candidates[c] for c in stv[method](profile(e), num_seats=e.seats)]
    if method == "schulze":

        def schulze(e: Election) -> list[str]:
            p = profile(e)
            p.use_extended_strict_preference()
            return [e.candidates[c] for c in beat_path(p)]

        return schulze
    return None


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=12)
    parser.add_argument("--seats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--cases", default="plackett-luce,uniform-full")
    parser.add_argument("--no-peer", action="store_true", help="skip the Python peer")
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

            seconds, loaded = timed(load)
        emit(case=case, ballots=args.ballots, step="load .blt", seconds=round(seconds, 3),
             distinct_rankings=len(loaded.ballots))
        election = election_from(rows, args.candidates, args.seats)
        election.profile  # noqa: B018
        for method in args.methods.split(","):
            seconds, result = timed(lambda m=method: count(election, method=m))
            line: dict[str, Any] = {"case": case, "ballots": args.ballots, "method": method,
                                    "seconds": round(seconds, 3), "elected": list(result.elected)}
            peer = None if args.no_peer else pref_voting_peer(method)
            if peer is not None:
                peer_seconds, peer_elected = timed(lambda p=peer: p(election))
                ours = result.elected[:1] if method == "schulze" else result.elected
                line.update(peer="pref_voting", peer_seconds=round(peer_seconds, 3),
                            ratio=round(peer_seconds / seconds, 1), same_winners=set(ours) == set(peer_elected))
            emit(**line)
    emit(step="peak memory", max_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


if __name__ == "__main__":
    main()
