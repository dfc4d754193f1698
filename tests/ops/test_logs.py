"""The server's log keeps what an operator reads: not a line for every run of a background task."""

from __future__ import annotations

import logging

from councils.ops.logs import RoutineTasks


def _record(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.makeLogRecord({"name": name, "levelno": level, "msg": msg, "args": args})


def test_routine_task_lines_are_left_out_and_failures_kept():
    routine = RoutineTasks()
    line = "Task id=%s path=%s state=%s"
    assert not routine.filter(_record("django_tasks", logging.INFO, line, "1", "a.b", "RUNNING"))
    assert not routine.filter(_record("django_tasks", logging.INFO, line, "1", "a.b", "SUCCESSFUL"))
    assert routine.filter(_record("django_tasks", logging.ERROR, line, "1", "a.b", "FAILED"))
    assert routine.filter(_record("django_tasks_db", logging.INFO, "Starting worker worker_id=%s", "w"))
    assert routine.filter(_record("councils", logging.INFO, "Task id=%s", "1"))


def test_the_console_filters_them(settings):
    console = settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["routine_tasks"]
    assert settings.LOGGING["filters"]["routine_tasks"]["()"] == "councils.ops.logs.RoutineTasks"
    [handler] = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert any(isinstance(f, RoutineTasks) for f in handler.filters)
