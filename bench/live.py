"""Benchmark the meeting page's live fan-out as delegates wait; print one JSON line per measurement.

At a congress every delegate has the meeting page open: when the speakers'
list changes, each page fetches its speakers part again (htmx, `?part=speakers`)
after a random 0.25–1 s wait (web/static/web/live-parts.js). The bench makes
a fresh database, a council of N members with a web session each, all present
at an open meeting whose current item has a few speakers waiting, starts
uvicorn (one worker, 127.0.0.1 on a free port) and measures with httpx:

- `live.baseline`: a static file (ServeStatic inside Django, no database)
  fetched by all N at once: what the server gives a request that reads nothing;
- `live.part`: a speaker joins the list, then all N fetch the speakers part,
  spread as live-parts.js spreads them and all at once: each member's wait
  from the change until they hold the new list, and the requests per second;
- `live.stream` (unless --subscribers 0): K members follow the meeting's
  stream (SSE), a speaker joins through the API, and each subscriber fetches
  the part after its random wait, as the page does: the event's delivery
  latency and the wait until each has the new list.

    .venv/bin/python bench/live.py                        # SQLite in a temporary directory
    .venv/bin/python bench/live.py --members 300 --subscribers 100
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/councils_bench_live .venv/bin/python bench/live.py

The server is the one `manage.py serve` starts: Django works on at most
COUNCILS_CONCURRENT_REQUESTS requests at a time (config/asgi.py), and the
speakers' list is read once per change for every delegate (live/state.py;
the bench's cache is files in its temporary directory, as `make run`'s is in
var/). The client runs on the same machine as the server and takes CPU from it. With
DATABASE_URL the named database is dropped and created again: never point it
at real data. Counts and time are bounded (--members at most 5,000,
--subscribers at most 1,000; every phase has a timeout).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from votes import (
    PHASE_TIMEOUT,
    ROOT,
    _base_council,
    _environment,
    _free_port,
    _percentile,
    _recreate_postgres,
    _setup_database,
    _start_server,
    _wait_until_serving,
)

MAX_MEMBERS = 5_000
MAX_SUBSCRIBERS = 1_000
# As live-parts.js waits before fetching a part: SETTLE_MS + Math.random() * SPREAD_MS.
SETTLE_S, SPREAD_S = 0.25, 0.75


def _prepare(members: int) -> dict[str, Any]:
    """The council, its members with a session each, present at an open meeting on its first item."""
    _setup_database()
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections, transaction
    from django.utils import timezone

    from councils.accounts.tokens import issue_token
    from councils.meetings import actions as ma

    now = timezone.now()
    with transaction.atomic():
        council, users = _base_council("Bench Congress", "member", members, now)
        chair = users[0]
        meeting = ma.schedule_meeting(
            actor=chair,
            council=council,
            title="Congress",
            starts_at=now,
            place="Congress hall",
            now=now - timedelta(days=30),
        )
        for title in ("Report of the delegates", "Motions", "Any other business"):
            ma.add_agenda_item(actor=chair, meeting=meeting, kind="other", title=title, now=now)
        ma.open_meeting(actor=chair, meeting=meeting, now=now)
        ma.mark_present_many(actor=chair, meeting=meeting, users=users, now=now)
        item = ma.take_next_item(actor=chair, meeting=meeting, now=now)
        assert item is not None
        for user in users[1:6]:
            ma.join_speakers(actor=user, item=item, now=now)
        cookies = []
        for user in users:
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
        # Who joins the list in each measurement: members not on it yet.
        joiners = [
            {"name": user.name, "token": issue_token(user=user, name="bench", now=now)} for user in users[-3:]
        ]
    connections.close_all()
    return {"meeting": str(meeting.uuid), "item": str(item.uuid), "cookies": cookies, "joiners": joiners}


def _join_in_process(item: str) -> str:
    """A member not yet on the list joins it; their name, to look for in every fetched part."""
    from django.db import connections
    from django.utils import timezone

    from councils.accounts.models import User
    from councils.meetings import actions as ma
    from councils.meetings.models import AgendaItem, Speaker

    item_row = AgendaItem.objects.get(uuid=item)
    on_the_list = Speaker.objects.filter(item=item_row).values("user_id")
    user = (
        User.objects.filter(username__startswith="member").exclude(pk__in=on_the_list).order_by("pk").first()
    )
    assert user is not None
    ma.join_speakers(actor=user, item=item_row, now=timezone.now())
    connections.close_all()
    return user.name


def _summary(waits: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(_percentile(waits, 0.5) * 1000, 1),
        "p99_ms": round(_percentile(waits, 0.99) * 1000, 1),
        "max_ms": round(max(waits) * 1000, 1),
    }


async def _get(port: int, path: str, cookie: str) -> tuple[int, str]:
    """A page's htmx fetch, on a connection of its own (a plain HTTP/1.1 GET: an httpx pool of
    thousands of connections costs the client more CPU than the server spends answering)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
        "HX-Request: true\r\nConnection: close\r\n\r\n"
    )
    writer.write(request.encode())
    response = await reader.read()
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body.decode("utf-8", "replace")


async def _fan_out(
    port: int, path: str, cookies: list[str], delays: list[float], expect: str
) -> dict[str, Any]:
    """Each member fetches `path` with their cookie `delays[i]` seconds after now; every wait from now."""
    waits: list[float] = []
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    current = 0

    async def one(cookie: str, delay: float) -> None:
        nonlocal current
        await asyncio.sleep(delay)
        sent = time.perf_counter()
        status, body = await _get(port, path, cookie)
        done = time.perf_counter()
        waits.append(done - started)
        latencies.append(done - sent)
        statuses[status] = statuses.get(status, 0) + 1
        current += expect in body

    started = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(one(c, d) for c, d in zip(cookies, delays, strict=True))), PHASE_TIMEOUT
    )
    elapsed = time.perf_counter() - started - min(delays)
    return {
        "requests": len(cookies),
        "per_s": round(len(cookies) / elapsed, 1),
        "wait_from_change": _summary(waits),
        "request": _summary(latencies),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "with_the_change": current,
    }


async def _stream(
    port: int, meeting: str, item: str, cookies: list[str], joiner: dict[str, str]
) -> dict[str, Any]:
    """K subscribers on the meeting's stream; a speaker joins through the API; each then fetches the part."""
    import httpx

    connected = 0
    all_connected = asyncio.Event()
    delivered: list[float] = []
    fetched: list[float] = []
    current = 0
    statuses: dict[int, int] = {}
    changed_at = 0.0
    part = f"/meetings/{meeting}/?part=speakers"
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=len(cookies) + 1, max_keepalive_connections=len(cookies) + 1)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=PHASE_TIMEOUT) as client:

        async def subscriber(cookie: str) -> None:
            nonlocal connected, current
            async with client.stream("GET", f"/live/meeting-{meeting}", headers={"Cookie": cookie}) as stream:
                if stream.status_code != 200:
                    raise SystemExit(f"the meeting's stream answered {stream.status_code}")
                async for line in stream.aiter_lines():
                    if line.startswith(": connected"):
                        connected += 1
                        if connected == len(cookies):
                            all_connected.set()
                    elif line == "event: speakers.changed":
                        delivered.append(time.perf_counter() - changed_at)
                        break
            await asyncio.sleep(SETTLE_S + random.random() * SPREAD_S)
            status, body = await _get(port, part, cookie)
            fetched.append(time.perf_counter() - changed_at)
            statuses[status] = statuses.get(status, 0) + 1
            current += joiner["name"] in body

        subscribers = [asyncio.create_task(subscriber(c)) for c in cookies]
        connect_started = time.perf_counter()
        await asyncio.wait_for(all_connected.wait(), PHASE_TIMEOUT)
        connect_s = time.perf_counter() - connect_started
        changed_at = time.perf_counter()
        joined = await client.post(
            f"/api/v1/meetings/{meeting}/items/{item}/speakers",
            headers={"Authorization": f"Bearer {joiner['token']}"},
        )
        if joined.status_code != 201:
            raise SystemExit(f"joining the list answered {joined.status_code}: {joined.text}")
        action_ms = round((time.perf_counter() - changed_at) * 1000, 1)
        await asyncio.wait_for(asyncio.gather(*subscribers), PHASE_TIMEOUT)
    return {
        "subscribers": len(cookies),
        "all_connected_s": round(connect_s, 2),
        "action_ms": action_ms,
        "delivery_from_change": _summary(delivered),
        "part_from_change": _summary(fetched),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "with_the_change": current,
    }


def _arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--members", type=int, default=300, help=f"delegates following (at most {MAX_MEMBERS})"
    )
    parser.add_argument(
        "--subscribers",
        type=int,
        default=100,
        help=f"of them, following the stream in the end-to-end run (0 to skip it; at most {MAX_SUBSCRIBERS})",
    )
    args = parser.parse_args(argv)
    if not 10 <= args.members <= MAX_MEMBERS or not 0 <= args.subscribers <= min(
        args.members, MAX_SUBSCRIBERS
    ):
        parser.error(
            f"--members must be 10..{MAX_MEMBERS}; --subscribers 0..{MAX_SUBSCRIBERS}, at most --members"
        )
    return args


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="councils-bench-live-") as tmp:
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url:
            _recreate_postgres(database_url)
        env = _environment(Path(tmp))
        os.environ.update(
            {k: env[k] for k in ("COUNCILS_VAR_DIR", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS")}
        )
        sys.path.insert(0, str(ROOT))
        prepare_started = time.perf_counter()
        prepared = _prepare(args.members)
        prepare_s = round(time.perf_counter() - prepare_started, 1)
        port = _free_port()
        server = _start_server("with_record", port, env)
        base = f"http://127.0.0.1:{port}"
        cookies = prepared["cookies"]
        part = f"/meetings/{prepared['meeting']}/?part=speakers"
        common = {
            "database": "postgresql" if database_url else "sqlite",
            "members": args.members,
            "prepare_s": prepare_s,
        }
        try:
            _wait_until_serving(base, server)
            # Warm the server (templates, connections) before measuring.
            asyncio.run(_fan_out(port, part, cookies[:20], [0.0] * 20, ""))
            at_once = [0.0] * len(cookies)
            baseline = asyncio.run(_fan_out(port, "/static/web/councils.css", cookies, at_once, ""))
            line = {"bench": "live.baseline", **common, "arrival": "at_once", **baseline}
            del line["with_the_change"]
            print(json.dumps(line), flush=True)
            for arrival in ("spread", "at_once"):
                name = _join_in_process(prepared["item"])
                delays = (
                    [SETTLE_S + random.random() * SPREAD_S for _ in cookies]
                    if arrival == "spread"
                    else at_once
                )
                result = asyncio.run(_fan_out(port, part, cookies, delays, name))
                line = {"bench": "live.part", **common, "arrival": arrival, **result}
                print(json.dumps(line), flush=True)
            if args.subscribers:
                result = asyncio.run(
                    _stream(
                        port,
                        prepared["meeting"],
                        prepared["item"],
                        cookies[: args.subscribers],
                        prepared["joiners"][0],
                    )
                )
                print(json.dumps({"bench": "live.stream", **common, **result}), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
