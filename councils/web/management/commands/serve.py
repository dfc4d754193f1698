"""Serve Councils in the foreground: the ASGI server, the task worker and the record's sequencer."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management.base import BaseCommand, CommandError

from councils.digests.tasks import schedule_digests
from councils.elections.tasks import schedule_terms
from councils.ops import highwater


class Command(BaseCommand):
    help = "Serve on 127.0.0.1 with uvicorn and run the background task worker until Ctrl-C or SIGTERM."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        if workers < 1:
            raise CommandError("--workers must be 1 or more.")
        if workers > 1 and not settings.REDIS_URL:
            # Each process would keep its own live events and cache: pages served by one would not
            # hear of changes made through another (docs/deployment.md).
            raise CommandError("Set REDIS_URL to serve with more than one worker.")
        storage = staticfiles_storage
        if isinstance(storage, ManifestFilesMixin) and storage.read_manifest() is None:
            # Every page names its styles and scripts through the manifest: without it each would fail.
            raise CommandError(
                "The static files are not collected: run `manage.py collectstatic --no-input` first "
                "(make run does)."
            )
        # Whatever was published before this start is the floor a restore must respect.
        highwater.note_published()
        # The worker sends the e-mail digests: each run enqueues the next, and this starts the chain.
        schedule_digests()
        # It ends terms that have passed and runs the elections the rules call, every few minutes.
        schedule_terms()
        env = dict(os.environ)
        # Links in mail the worker sends point here unless the site is published at another address.
        env.setdefault("COUNCILS_SITE_URL", f"http://{host}:{port}")
        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "0.5"], env=env)
        # A signed checkpoint follows each batch of actions within a second, and witnesses are asked then.
        sequencer = subprocess.Popen([sys.executable, "manage.py", "sign_checkpoint", "--follow", "1"])
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "councils.config.asgi:application",
                "--host",
                host,
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-server-header",
                "--timeout-graceful-shutdown",
                "5",
                "--log-level",
                "warning",
            ]
        )

        def stop(signum: int, frame: Any) -> None:
            for process in (server, worker, sequencer):
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # The address is given once it answers: opened at once, it would refuse the connection while
        # the server is still loading.
        if _listening(host, port, server):
            self.stdout.write(f"Councils is serving on http://{host}:{port}/ (Ctrl-C to stop)")
        code = server.wait()
        stop(signal.SIGTERM, None)
        worker.wait(timeout=10)
        sequencer.wait(timeout=10)
        sys.exit(code if code > 0 else 0)


def _listening(host: str, port: int, server: subprocess.Popen[bytes]) -> bool:
    """Whether the server accepts connections on the port, waiting while it starts; False if it stopped."""
    while server.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False
