"""The published API is pinned: any change to it shows up here and is reviewed like code.

After an intended change, regenerate the snapshot and commit it with the change:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/api/test_openapi_snapshot.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

from councils.api.urls import api

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")
HOW_TO_UPDATE = "UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/api/test_openapi_snapshot.py"


def current() -> str:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    # The server's version is in the description; a release must not break the snapshot.
    schema["info"].pop("description", None)
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_openapi_schema_matches_the_snapshot():
    text = current()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(text)
        return
    assert SNAPSHOT.exists(), f"No snapshot yet at {SNAPSHOT}; make it with: {HOW_TO_UPDATE}"
    expected = SNAPSHOT.read_text()
    if text != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    fromfile="openapi.snapshot.json",
                    tofile="current schema",
                )
            )[:80]
        )
        raise AssertionError(
            "The OpenAPI schema changed. If the change is intended, regenerate the snapshot with\n"
            f"    {HOW_TO_UPDATE}\nand commit it with the change.\n\n{diff}"
        )


def test_the_document_is_built_once_and_each_caller_changes_only_its_copy(monkeypatch):
    first = api.get_openapi_schema(path_prefix="/api/v1")
    first["info"].pop("description")
    first["paths"].clear()
    built = []
    monkeypatch.setattr(type(api), "_build_openapi_schema", lambda *args: built.append(args))

    again = api.get_openapi_schema(path_prefix="/api/v1")
    assert built == []
    assert again["info"]["description"].startswith("Workers' democracy")
    assert json.loads(json.dumps(again["paths"])) == json.loads(SNAPSHOT.read_text())["paths"]
