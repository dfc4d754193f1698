"""Where the shared reference counts live, and how to turn their files into elections."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from councils.core.tally import Ballot, Election

REPO_ROOT = Path(__file__).resolve().parents[3]
REFERENCE_COUNTS = REPO_ROOT.parent / "shared" / "reference-counts"
ABSENT = f"reference counts not found at {REFERENCE_COUNTS} (third-party data, kept outside the repository)"


def expected_files(pattern: str) -> list[Path]:
    return sorted(REFERENCE_COUNTS.glob(pattern)) if REFERENCE_COUNTS.is_dir() else []


def schulze_election(data: dict[str, Any]) -> Election:
    index = {name: i for i, name in enumerate(data["candidates"])}
    ballots = tuple(
        Ballot(b["count"], tuple(tuple(index[name] for name in level) for level in b["ranking"]))
        for b in data["ballots"]
    )
    return Election(candidates=tuple(data["candidates"]), ballots=ballots, seats=1)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
