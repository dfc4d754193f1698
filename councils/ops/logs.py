"""What the log leaves out: the task worker's routine lines."""

from __future__ import annotations

import logging


class RoutineTasks(logging.Filter):
    """Leave out the line the task worker logs as each task starts and as it finishes well.

    Some tasks run every few seconds (the secret ballots' mixing, the terms' check): at two lines a run
    they would bury everything else the server says, the address it serves on first. A task that fails
    is logged at ERROR and kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        routine = record.name == "django_tasks" and record.levelno == logging.INFO
        return not (routine and str(record.msg).startswith("Task id="))
