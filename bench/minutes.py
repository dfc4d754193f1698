"""Benchmark viewing a meeting's draft minutes in a large base council; print one JSON line.

Until they are approved, minutes are generated on every view (meetings/queries.py,
`build_minutes`). The bench makes a fresh database, a base council of N founding
members, two more who share a name with members present (so that the minutes
tell namesakes apart), and a closed meeting at which P members (a quorum) were present and
cast a named vote; then the chair views the draft minutes page (Django's test
client, in process) R times. It reports the queries a view makes, the median
and the slowest view, the median CPU time of the view's process (the client's
and Django's; the database's too on SQLite, which runs in it), and the median
time of `build_minutes` alone.

    .venv/bin/python bench/minutes.py                     # SQLite in a temporary directory
    .venv/bin/python bench/minutes.py --members 5000 --present 600
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/councils_bench_minutes .venv/bin/python bench/minutes.py

With DATABASE_URL the named database is dropped and created again: never
point it at real data. Counts are bounded (--members at most 5,000).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from votes import ROOT, _base_council, _environment, _recreate_postgres, _setup_database

MAX_MEMBERS = 5_000


def _prepare(members: int, present: int) -> tuple[Any, Any]:
    """The council, its namesakes and the closed meeting; the meeting and its chair."""
    _setup_database()
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from councils.accounts.models import User
    from councils.federation import actions as fa
    from councils.meetings import actions as ma
    from councils.motions import actions as mo

    now = timezone.now()
    with transaction.atomic():
        council, users = _base_council("Bench Depot", "member", members, now)
        chair, attending = users[0], users[:present]
        for user in attending[1:3]:
            namesake = User.objects.create(username=f"other{user.username}", display_name=user.name)
            fa.add_founding_member(actor=None, council=council, user=namesake, now=now)
        motion = mo.table_motion(
            actor=chair, council=council, title="Overtime ban", text="Bench.", now=now, seconds_required=0
        )
        meeting = ma.schedule_meeting(
            actor=chair,
            council=council,
            title="General meeting",
            starts_at=now,
            place="Canteen",
            now=now - timedelta(days=30),
        )
        ma.add_agenda_item(actor=chair, meeting=meeting, kind="motion", motion=motion, now=now)
        ma.open_meeting(actor=chair, meeting=meeting, now=now)
        ma.mark_present_many(actor=chair, meeting=meeting, users=attending, now=now)
        ma.take_next_item(actor=chair, meeting=meeting, now=now)
        vote = mo.open_vote(actor=chair, motion=motion, method="named", now=now)
        for i, user in enumerate(attending):
            mo.cast_vote(actor=user, vote=vote, choice="yes" if i % 3 else "no", now=now)
        mo.close_vote(actor=chair, vote=vote, now=now)
        meeting = ma.close_meeting(actor=chair, meeting=meeting, now=now)
    return meeting, chair


def _median_ms(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 1)


def _measure(meeting: Any, chair: Any, rounds: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from councils.meetings.queries import build_minutes

    client = Client()
    client.force_login(chair)
    path = f"/meetings/{meeting.uuid}/minutes/"
    page = client.get(path)  # warm the templates and the connection
    if page.status_code != 200:
        raise SystemExit(f"the minutes page answered {page.status_code}")
    views: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        started, used = time.perf_counter(), time.process_time()
        client.get(path)
        views.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    builds: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        document = build_minutes(meeting=meeting)
        builds.append(time.perf_counter() - started)
    return {
        "queries": len(captured.captured_queries),
        "view_p50_ms": _median_ms(views),
        "view_max_ms": round(max(views) * 1000, 1),
        "view_cpu_p50_ms": _median_ms(cpu),
        "build_minutes_p50_ms": _median_ms(builds),
        "namesakes": len(document["namesakes"]),
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=2000, help=f"of the council (at most {MAX_MEMBERS})")
    parser.add_argument(
        "--present", type=int, default=250, help="of them, present and voting (at least the quorum, a tenth)"
    )
    parser.add_argument("--rounds", type=int, default=20, help="views of the minutes to time")
    args = parser.parse_args()
    if not 3 <= args.present <= args.members <= MAX_MEMBERS or not 1 <= args.rounds <= 1000:
        parser.error(f"need 3 <= --present <= --members <= {MAX_MEMBERS} and 1 <= --rounds <= 1000")
    return args


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="councils-bench-minutes-") as tmp:
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url:
            _recreate_postgres(database_url)
        env = _environment(Path(tmp))
        os.environ.update({k: env[k] for k in ("COUNCILS_VAR_DIR", "DJANGO_SETTINGS_MODULE")})
        os.environ["ALLOWED_HOSTS"] = "testserver"
        sys.path.insert(0, str(ROOT))
        from councils.core.errors import DomainError

        try:
            meeting, chair = _prepare(args.members, args.present)
        except DomainError as refused:
            raise SystemExit(f"the meeting could not be held: {refused}") from None
        line = {
            "bench": "minutes.draft",
            "database": "postgresql" if database_url else "sqlite",
            "members": args.members,
            "present": args.present,
            "rounds": args.rounds,
            **_measure(meeting, chair, args.rounds),
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
