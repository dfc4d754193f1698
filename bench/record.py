"""Benchmark the record; print one JSON line per measurement.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/councils_bench .venv/bin/python bench/record.py

The database named in DATABASE_URL is created if missing and emptied: never
point this at real data. Measured:

- `record.cpu`: CPU per action, run serially, of the process and its
  PostgreSQL backend together and each apart, with and without the entry
  (needs the server on this machine);
- `record.actions`: actions per second with and without their record
  entries, in the same run, alternating, by several worker processes; and
  the record's share of an action's time. Four actions: the smallest
  possible (a transaction that writes one row, the floor), `create_council`,
  `cast_vote` (each worker changing its own named vote back and forth) and
  `cast_vote_one_vote` (every worker's voter on the same vote, as at a
  congress: compared with `cast_vote`, what casts lose waiting on each other);
- `record.sequence`: entries per second the sequencer numbers, hashes and signs;
- `record.proofs`: inclusion and consistency proofs at the full size;
- `record.verify_bundle`: `councils record verify` of an exported bundle.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def setup_django(var_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.config.settings")
    os.environ["COUNCILS_VAR_DIR"] = var_dir
    os.environ["DATABASE_POOL"] = "0"
    os.environ["COUNCILS_SIGNING_KEY_PATH"] = str(Path(var_dir) / "federation_signing_key")
    os.environ["COUNCILS_LOG_ID_PATH"] = str(Path(var_dir) / "log_id")
    import django

    django.setup()


def reset_database(url: str) -> None:
    import psycopg
    from dj_database_url import parse

    config = parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    admin = psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{config["NAME"]}"')


def seed(workers: int) -> tuple[int, int]:
    from django.contrib.auth import get_user_model

    from councils.federation import actions as fa
    from councils.motions import actions as ma

    now = datetime.now(UTC)
    federation = fa.create_federation(actor=None, name="Bench Federation", now=now)
    district = fa.create_council(
        actor=None,
        federation=federation,
        name="Bench District",
        kind="district",
        parent=None,
        is_base=False,
        now=now,
    )
    council = fa.create_council(
        actor=None,
        federation=federation,
        name="Bench Works",
        kind="workplace",
        parent=district,
        is_base=True,
        now=now,
    )
    user = get_user_model().objects.create_user(username="bench", password="bench-bench-bench")
    # One voter and one open named vote per worker, so casts measure work, not waiting on one vote's lock.
    for i in range(workers):
        voter = get_user_model().objects.create_user(username=f"voter{i}", password="bench-bench-bench")
        fa.add_founding_member(actor=None, council=council, user=voter, now=now)
    voters = list(get_user_model().objects.filter(username__startswith="voter"))
    for i in range(workers):
        motion = ma.table_motion(
            actor=None, council=council, title=f"Bench {i}", text="Bench.", now=now, seconds_required=0
        )
        vote = ma.open_vote(actor=None, motion=motion, now=now, method="named", allow_change=True)
        # Every voter casts with the record first: runs without it only change votes, and the exported
        # record still replays without a problem.
        for voter in voters:
            ma.cast_vote(actor=voter, vote=vote, choice="abstain", now=now)
    return council.id, user.id


def worker(args: tuple[str, str, bool, float, int, int, int, Any, Any]) -> None:
    var_dir, action, with_record, seconds, council_id, user_id, slot, queue, go = args
    try:
        queue.put(_run_actions(var_dir, action, with_record, seconds, council_id, user_id, slot, queue, go))
    except BaseException as exc:
        queue.put(f"{type(exc).__name__}: {exc}")


def _action_step(action: str, council_id: int, user_id: int, slot: int) -> Any:
    """The step that performs one action of `action` when called with the count done so far."""
    from django.db import transaction

    import councils.federation.actions as fa
    import councils.motions.actions as ma
    from councils.accounts.models import User
    from councils.federation.models import Council, Office
    from councils.motions.models import Vote
    from councils.record import actions as record_actions

    council = Council.objects.get(id=council_id)
    parent = council.parent
    user = User.objects.get(id=user_id)
    voter = User.objects.get(username=f"voter{slot}")
    # Every voter is in every bench vote's electorate: the shared vote is Bench 0's.
    title = "Bench 0" if action == "cast_vote_one_vote" else f"Bench {slot}"
    vote = Vote.objects.select_related("motion__council").get(motion__title=title)
    tag = f"{os.getpid()}-{time.monotonic_ns()}"
    names = itertools.count()

    def create_council(done: int) -> None:
        # A real action: validation, the insert (its name kept unique by the database) and its entry.
        fa.create_council(
            actor=user,
            federation=council.federation,
            name=f"Works {tag}-{next(names)}",
            kind="workplace",
            parent=parent,
            is_base=True,
            now=datetime.now(UTC),
        )

    def cast_vote(done: int) -> None:
        # A real action: the vote's hold, eligibility, the ballot and its entry; changes back and forth.
        ma.cast_vote(actor=voter, vote=vote, choice=("yes", "no")[done % 2], now=datetime.now(UTC))

    def insert_one_row(done: int) -> None:
        # The smallest possible action: one insert in a transaction, and its entry.
        now = datetime.now(UTC)
        with transaction.atomic():
            office = Office.objects.create(council=council, user=user, role="observer", started_at=now)
            record_actions.append_entry(
                event="bench.office_filled",
                actor=user,
                council=council,
                payload={"office": str(office.uuid), "role": "observer", "holder": str(user.uuid)},
                now=now,
            )

    steps = {"create_council": create_council, "cast_vote": cast_vote, "cast_vote_one_vote": cast_vote}
    return steps.get(action, insert_one_row)


def _without_record() -> dict[Any, Any]:
    """Make `append_entry` a no-op wherever the measured actions call it; return what to put back."""
    import councils.federation.actions as fa
    import councils.motions.actions as ma
    import councils.record.actions as ra

    kept = {module: module.append_entry for module in (fa, ma, ra)}
    for module in kept:
        setattr(module, "append_entry", lambda **kwargs: None)  # noqa: B010
    return kept


def _run_actions(
    var_dir: str,
    action: str,
    with_record: bool,
    seconds: float,
    council_id: int,
    user_id: int,
    slot: int,
    queue: Any,
    go: Any,
) -> int:
    """Run one kind of action for `seconds`; without the record, the same code with append_entry a no-op."""
    setup_django(var_dir)
    from django.db import connection

    if not with_record:
        _without_record()
    step = _action_step(action, council_id, user_id, slot)
    done = 0
    # Start together, so the timed windows of all workers overlap.
    queue.put("ready")
    go.wait()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        step(done)
        done += 1
    connection.close()
    return done


def _backend_cpu_seconds(pid: int) -> float | None:
    """CPU time (user and system) of the PostgreSQL backend process `pid`, if it runs on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_cpu(council_id: int, user_id: int, *, actions: int, rounds: int) -> None:
    """CPU per action, serially: this process and its PostgreSQL backend, with and without the entry.

    CPU per action does not depend on how many actions run at once, and it
    tells the client's share from the server's; on two cores the throughput is
    about 2 / (CPU per action) once enough actions run at once. On a shared
    virtual machine it still varies from run to run: compare within one run.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    if _backend_cpu_seconds(backend) is None:
        emit(bench="record.cpu", skipped="the PostgreSQL server does not run on this machine")
        return
    for action in ("insert_one_row", "create_council", "cast_vote"):
        step = _action_step(action, council_id, user_id, slot=0)
        for i in range(50):
            step(i)
        runs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
        for _ in range(rounds):
            for with_record in (False, True):
                kept = {} if with_record else _without_record()
                client, server = time.thread_time(), _backend_cpu_seconds(backend) or 0.0
                for i in range(actions):
                    step(i)
                server = (_backend_cpu_seconds(backend) or 0.0) - server
                client = time.thread_time() - client
                for module, function in kept.items():
                    setattr(module, "append_entry", function)  # noqa: B010
                runs[with_record].append((client / actions, server / actions))
        # The median run by total CPU, without and with the entry.
        bare, recorded = (sorted(runs[w], key=sum)[len(runs[w]) // 2] for w in (False, True))
        emit(
            bench="record.cpu",
            action=action,
            actions=actions,
            rounds=rounds,
            cpu_us_per_action_without_record=round(sum(bare) * 1e6),
            cpu_us_per_action_with_record=round(sum(recorded) * 1e6),
            client_us_without_and_with=[round(bare[0] * 1e6), round(recorded[0] * 1e6)],
            server_us_without_and_with=[round(bare[1] * 1e6), round(recorded[1] * 1e6)],
            record_share_of_action_cpu_pct=round(100 * (sum(recorded) / sum(bare) - 1), 1),
        )


def measure_actions(
    var_dir: str, council_id: int, user_id: int, *, workers: int, seconds: float, rounds: int
) -> None:
    from django.db import connections

    connections.close_all()
    for action in ("insert_one_row", "create_council", "cast_vote", "cast_vote_one_vote"):
        _measure_action(var_dir, action, council_id, user_id, workers=workers, seconds=seconds, rounds=rounds)


def _measure_action(
    var_dir: str, action: str, council_id: int, user_id: int, *, workers: int, seconds: float, rounds: int
) -> None:
    context = multiprocessing.get_context("spawn")
    totals: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(rounds):
        for with_record in (False, True):
            queue = context.Queue()
            go = context.Event()
            processes = [
                context.Process(
                    target=worker,
                    args=((var_dir, action, with_record, seconds, council_id, user_id, slot, queue, go),),
                )
                for slot in range(workers)
            ]
            for p in processes:
                p.start()
            ready = [queue.get() for _ in processes]
            if any(r != "ready" for r in ready):
                sys.exit(f"a worker failed: {next(r for r in ready if r != 'ready')}")
            go.set()
            results = [queue.get() for _ in processes]
            failures = [r for r in results if not isinstance(r, int)]
            if failures:
                sys.exit(f"a worker failed: {failures[0]}")
            for p in processes:
                p.join()
            totals[with_record].append(sum(results) / seconds)
    bare, recorded = statistics.median(totals[False]), statistics.median(totals[True])
    emit(
        bench="record.actions",
        action=action,
        workers=workers,
        seconds_per_run=seconds,
        rounds=rounds,
        actions_per_s_without_record=round(bare),
        actions_per_s_with_record=round(recorded),
        record_share_of_action_time_pct=round(100 * (bare / recorded - 1), 1),
    )


def fill(total: int) -> None:
    """Bulk-insert synthetic entries (as pending) up to `total`, shaped like real ones."""
    from django.db import transaction

    from councils.core.ledger.encoding import canonical_bytes, entry_document
    from councils.core.ledger.merkle import hash_leaf
    from councils.record.models import Entry, Pending

    existing = Entry.objects.count()
    now = datetime.now(UTC)
    batch = 10_000
    rng = random.Random(7)
    for start in range(existing, total, batch):
        rows = []
        for i in range(start, min(total, start + batch)):
            document = entry_document(
                event="vote.cast",
                at=now,
                actor=f"{rng.getrandbits(128):032x}",
                council=None,
                payload={"vote": f"{rng.getrandbits(128):032x}", "voter": f"{i:032x}", "choice": "yes"},
                nonce=f"{rng.getrandbits(128):032x}",
            )
            data = canonical_bytes(document)
            rows.append(Entry(event="vote.cast", created_at=now, data=data, leaf_hash=hash_leaf(data)))
        with transaction.atomic():
            created = Entry.objects.bulk_create(rows)
            Pending.objects.bulk_create([Pending(entry_id=e.id) for e in created])


def measure_sequencer(total: int) -> None:
    from councils.record import sequencer
    from councils.record.models import Pending

    fill(total)
    pending = Pending.objects.count()
    started = time.perf_counter()
    checkpoint = sequencer.sequence_pending()
    elapsed = time.perf_counter() - started
    emit(
        bench="record.sequence",
        entries=pending,
        size=checkpoint.size if checkpoint else None,
        seconds=round(elapsed, 2),
        entries_per_s=round(pending / elapsed) if elapsed else None,
    )


def measure_proofs(samples: int) -> None:
    from councils.record import queries, sequencer

    size = sequencer.current_size()
    rng = random.Random(11)
    timings: dict[str, list[float]] = {"inclusion": [], "consistency": []}
    for _ in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter()
        queries.inclusion_proof(index=index, size=size)
        timings["inclusion"].append(time.perf_counter() - started)
        old = rng.randrange(1, size)
        started = time.perf_counter()
        queries.consistency_proof(old=old, new=size)
        timings["consistency"].append(time.perf_counter() - started)
    for kind, values in timings.items():
        values.sort()
        emit(
            bench=f"record.proofs.{kind}",
            size=size,
            samples=samples,
            p50_ms=round(1000 * values[len(values) // 2], 2),
            p99_ms=round(1000 * values[int(len(values) * 0.99)], 2),
            max_ms=round(1000 * values[-1], 2),
        )


def measure_bundle(var_dir: str) -> None:
    from councils.cli.record import write_bundle
    from councils.record import queries, sequencer
    from councils.record.models import Sequence

    checkpoint = sequencer.latest_checkpoint()
    assert checkpoint is not None
    path = Path(var_dir) / "record.bundle"
    rows = (
        Sequence.objects.order_by("index").values_list("index", "entry__data", "leaf_hash").iterator(20_000)
    )
    started = time.perf_counter()
    with open(path, "wb") as handle:
        write_bundle(
            handle,
            queries.checkpoint_note_of(checkpoint),
            checkpoint.key,
            checkpoint.size,
            ((i, bytes(d), bytes(h)) for i, d, h in rows),
        )
    exported = time.perf_counter() - started
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "councils.cli.main", "--json", "record", "verify", str(path), "--forget"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    verdict = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    emit(
        bench="record.verify_bundle",
        entries=checkpoint.size,
        bundle_mb=round(path.stat().st_size / 1e6, 1),
        export_seconds=round(exported, 2),
        verify_seconds=round(elapsed, 2),
        verify_cpu_seconds=round(cpu, 2),
        exit_code=result.returncode,
        ok=verdict.get("ok"),
        replayed=verdict.get("replayed"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=1_000_000, help="log size for proofs and the bundle")
    parser.add_argument("--workers", type=int, default=8, help="processes running actions at once")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each throughput run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs with and without the record")
    parser.add_argument("--samples", type=int, default=1000, help="proofs of each kind to time")
    parser.add_argument(
        "--serial-actions", type=int, default=2000, help="actions of each kind per serial CPU measurement"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of an earlier run instead of emptying it"
    )
    parser.add_argument(
        "--only",
        default="actions,cpu,sequence,proofs,bundle",
        help="comma-separated parts to run (default: all)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database this benchmark may empty (e.g. .../councils_bench)."
        )
    if not args.reuse:
        reset_database(url)
    var_dir = tempfile.mkdtemp(prefix="councils-bench-")
    setup_django(var_dir)
    from django.core.management import call_command

    from councils.federation.models import Council

    call_command("migrate", verbosity=0)
    existing = Council.objects.filter(name="Bench Works").first()
    council_id, user_id = (
        seed(args.workers) if existing is None else (existing.id, existing.offices.first().user_id)
    )
    parts = set(args.only.split(","))
    if "actions" in parts:
        measure_actions(
            var_dir, council_id, user_id, workers=args.workers, seconds=args.seconds, rounds=args.rounds
        )
    if "cpu" in parts:
        measure_cpu(council_id, user_id, actions=args.serial_actions, rounds=args.rounds)
    if parts & {"sequence", "proofs", "bundle"}:
        measure_sequencer(args.entries)
    if "proofs" in parts:
        measure_proofs(args.samples)
    if "bundle" in parts:
        measure_bundle(var_dir)
    emit(bench="record.machine", cpus=os.cpu_count(), load_average_1m=round(os.getloadavg()[0], 1))


if __name__ == "__main__":
    main()
