"""Benchmark casting votes through the real HTTP API; print one JSON line per measurement.

The bench makes a fresh database, a council of N voters with an API token
each and one open vote per method, starts uvicorn (one worker, 127.0.0.1 on a
free port), and has N voters cast concurrently (at most C requests in flight)
with httpx. In the same run it measures a request that touches no database
(a static file served by ServeStatic inside Django) as a baseline, and the
record's share of a cast as the voter waits: named votes cast through a
second server, alike but for `append_entry` replaced by a no-op, alternating
with the real one for --rounds rounds, each on a fresh vote.

    .venv/bin/python bench/votes.py                       # SQLite in a temporary directory
    .venv/bin/python bench/votes.py --voters 500 --concurrency 32
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/councils_bench_votes .venv/bin/python bench/votes.py

With DATABASE_URL the named database is dropped and created again: never
point it at real data. Counts and time are bounded (--voters at most 5,000;
every phase has a timeout).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MAX_VOTERS = 5_000
PHASE_TIMEOUT = 300.0
# The same application as `uvicorn councils.config.asgi:application --workers 1`, but with every
# module's `append_entry` a no-op: the baseline for what the record costs a request.
SERVE_WITHOUT_RECORD = """
import sys

import uvicorn

from councils.config.asgi import application
import councils.config.urls
import councils.record.actions as record

real = record.append_entry
for module in list(sys.modules.values()):
    if getattr(module, "append_entry", None) is real:
        module.append_entry = lambda **kwargs: None
uvicorn.run(application, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _recreate_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    if not name or name in {"postgres", "template0", "template1"}:
        raise SystemExit("DATABASE_URL must name a database of its own for the bench")
    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _environment(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["COUNCILS_VAR_DIR"] = str(var_dir)
    env["DJANGO_SETTINGS_MODULE"] = "councils.config.settings"
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _setup_database() -> None:
    """Set Django up on the bench's database, migrated, with its static files collected."""
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.getLogger("httpx").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)


def _base_council(name: str, prefix: str, size: int, now: Any) -> tuple[Any, list[Any]]:
    """A base council of `size` founding members (`<prefix>00000`...), the first its chair."""
    from django.contrib.auth.hashers import make_password

    from councils.accounts.models import User
    from councils.federation import actions as fa
    from councils.federation.models import Office

    federation = fa.create_federation(actor=None, name="Bench", now=now)
    council = fa.create_council(
        actor=None, federation=federation, name=name, kind="workplace", parent=None, is_base=True, now=now
    )
    password = make_password(None)
    User.objects.bulk_create(
        User(username=f"{prefix}{i:05d}", display_name=f"{prefix.title()} {i:05d}", password=password)
        for i in range(size)
    )
    users = list(User.objects.filter(username__startswith=prefix).order_by("username"))
    for user in users:
        fa.add_founding_member(actor=None, council=council, user=user, now=now)
    fa.appoint_founding_officer(actor=None, council=council, user=users[0], role=Office.Role.CHAIR, now=now)
    return council, users


def _prepare(voters: int, rounds: int) -> dict[str, Any]:
    """Make the council, its voters with tokens and the open votes, through the actions."""
    _setup_database()
    from django.db import transaction
    from django.utils import timezone

    from councils.accounts.tokens import issue_token
    from councils.motions import actions as ma

    now = timezone.now()
    with transaction.atomic():
        council, users = _base_council("Bench Depot", "voter", voters, now)
        tokens = [issue_token(user=user, name="bench", now=now) for user in users]

        def open_named_or_secret(title: str, method: str) -> str:
            motion = ma.table_motion(
                actor=None, council=council, title=title, text="Bench.", now=now, seconds_required=0
            )
            return str(ma.open_vote(actor=None, motion=motion, now=now, method=method).uuid)

        votes = {method: open_named_or_secret(f"Bench {method}", method) for method in ("named", "secret")}
        paired = [
            {served: open_named_or_secret(f"Bench round {r} {served}", "named") for served in SERVERS}
            for r in range(rounds)
        ]
    from django.db import connections

    connections.close_all()
    return {"tokens": tokens, "votes": votes, "paired": paired}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


async def _load(
    base: str, requests: list[tuple[str, str, dict[str, str], Any]], concurrency: int
) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as client:

        async def one(method: str, path: str, headers: dict[str, str], body: Any) -> None:
            async with gate:
                started = time.perf_counter()
                response = await client.request(method, path, headers=headers, json=body)
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(one(*r) for r in requests)), PHASE_TIMEOUT)
        elapsed = time.perf_counter() - started
    return {
        "requests": len(requests),
        "per_s": round(len(requests) / elapsed, 1),
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def _wait_until_serving(base: str, server: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("uvicorn exited before serving")
        try:
            if httpx.get(base + "/static/web/councils.css", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("uvicorn did not serve within 60 s")


SERVERS = ("with_record", "without_record")


def _start_server(served: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    if served == "with_record":
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "councils.config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    else:
        command = [sys.executable, "-c", SERVE_WITHOUT_RECORD, str(port)]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def _cast_requests(vote: str, tokens: list[str]) -> list[tuple[str, str, dict[str, str], Any]]:
    return [
        (
            "POST",
            f"/api/v1/motions/votes/{vote}/cast",
            {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
            {"choice": ("yes", "no", "abstain")[i % 3]},
        )
        for i, token in enumerate(tokens)
    ]


def _ballots_in(votes: list[str]) -> int:
    from councils.motions.models import NamedBallot

    return NamedBallot.objects.filter(vote__uuid__in=votes).count()


def _cast_entries() -> int:
    from councils.record.models import Entry

    return Entry.objects.filter(event="vote.cast").count()


def _count_committed(votes: dict[str, str]) -> dict[str, int]:
    from councils.motions.models import NamedBallot, Participation

    return {
        "named": NamedBallot.objects.filter(vote__uuid=votes["named"]).count(),
        "secret": Participation.objects.filter(vote__uuid=votes["secret"]).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--voters", type=int, default=300, help=f"voters casting (at most {MAX_VOTERS})")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight at once")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds with and without the record (1..20)"
    )
    args = parser.parse_args()
    if not 1 <= args.voters <= MAX_VOTERS or not 1 <= args.concurrency <= 256 or not 1 <= args.rounds <= 20:
        raise SystemExit(f"--voters must be 1..{MAX_VOTERS}, --concurrency 1..256 and --rounds 1..20")

    with tempfile.TemporaryDirectory(prefix="councils-bench-votes-") as tmp:
        var_dir = Path(tmp)
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url:
            _recreate_postgres(database_url)
        env = _environment(var_dir)
        os.environ.update(
            {k: env[k] for k in ("COUNCILS_VAR_DIR", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS")}
        )
        sys.path.insert(0, str(ROOT))
        prepared = _prepare(args.voters, args.rounds)
        ports = {served: _free_port() for served in SERVERS}
        servers = {served: _start_server(served, ports[served], env) for served in SERVERS}
        bases = {served: f"http://127.0.0.1:{port}" for served, port in ports.items()}
        base = bases["with_record"]
        try:
            for served in SERVERS:
                _wait_until_serving(bases[served], servers[served])
            baseline = asyncio.run(
                _load(
                    base,
                    [("GET", "/static/web/councils.css", {}, None)] * args.voters,
                    args.concurrency,
                )
            )
            results = {
                method: asyncio.run(_load(base, _cast_requests(vote, prepared["tokens"]), args.concurrency))
                for method, vote in prepared["votes"].items()
            }
            paired: dict[str, list[dict[str, Any]]] = {served: [] for served in SERVERS}
            for pair in prepared["paired"]:
                for served in SERVERS:
                    requests = _cast_requests(pair[served], prepared["tokens"])
                    paired[served].append(asyncio.run(_load(bases[served], requests, args.concurrency)))
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(timeout=30)
        committed = _count_committed(prepared["votes"])
        database = "postgresql" if database_url else "sqlite"
        for method, result in results.items():
            line = {
                "bench": "votes.cast",
                "database": database,
                "method": method,
                "voters": args.voters,
                "concurrency": args.concurrency,
                "votes_per_s": result["per_s"],
                "p50_ms": result["p50_ms"],
                "p99_ms": result["p99_ms"],
                "statuses": result["statuses"],
                "ballots_committed": committed[method],
                "baseline_no_db": {k: baseline[k] for k in ("per_s", "p50_ms", "p99_ms")},
            }
            print(json.dumps(line), flush=True)
        _report_record_share(paired, prepared["paired"], prepared["votes"]["named"], args, database)


def _report_record_share(
    paired: dict[str, list[dict[str, Any]]],
    votes: list[dict[str, str]],
    named_vote: str,
    args: Any,
    database: str,
) -> None:
    """One line: the same named casts as the voter waits, with and without their record entries."""
    import statistics

    def summary(served: str) -> dict[str, Any]:
        runs = paired[served]
        return {
            "per_s": round(statistics.median(r["per_s"] for r in runs), 1),
            "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 1),
            "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 1),
            "ballots_committed": _ballots_in([pair[served] for pair in votes]),
            "statuses": {
                status: sum(r["statuses"].get(status, 0) for r in runs)
                for status in sorted({s for r in runs for s in r["statuses"]})
            },
        }

    with_record, without_record = summary("with_record"), summary("without_record")
    # Every cast with the record wrote its entry; none without (the first named vote's casts aside).
    named_alone = _ballots_in([named_vote])
    with_record["entries_written"] = _cast_entries() - named_alone
    line = {
        "bench": "votes.record_share",
        "database": database,
        "method": "named",
        "voters": args.voters,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "with_record": with_record,
        "without_record": without_record,
        "record_share_of_request_time_pct": round(
            100 * (with_record["p50_ms"] / without_record["p50_ms"] - 1), 1
        ),
        "record_share_of_throughput_pct": round(
            100 * (without_record["per_s"] / with_record["per_s"] - 1), 1
        ),
    }
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
