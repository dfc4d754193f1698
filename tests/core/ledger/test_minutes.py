"""Minutes documents in each format version, and the comparison of version 3's tallies with the record.

The golden files are minutes as frozen in each version: the record names
approved minutes by the SHA-256 of these canonical bytes, so neither the bytes
nor the hashes may ever change.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from councils.core.ledger.encoding import canonical_bytes
from councils.core.ledger.minutes import MINUTES_VERSION, minutes_problems

GOLDEN = Path(__file__).parent / "minutes"
HASHES = {
    1: "sha256:19ab12eb072f0e476485783f4704ac1461fe687955f0a479c01f5a120511f706",
    2: "sha256:766133c89fe3713225e2a8c80c56b6542a02fe3834c59c59a0c4586c7cc3deaf",
    3: "sha256:82736be19e06bd7979ba8b1f7bb60f66c0558e8528da5672585713b905dd8cbf",
}
VOTE = "40000000-0000-4000-8000-000000000001"
CLOSED_AT = "2026-03-01T09:08:00.000000Z"
PEOPLE = (
    "a11ce000-0000-4000-8000-000000000001",
    "e1e1e1e1-0000-4000-8000-000000000002",
    "f1f1f1f1-0000-4000-8000-000000000003",
)
RESULT = {
    "yes": 2,
    "no": 1,
    "abstain": 0,
    "cast": 3,
    "turnout": 3,
    "electorate": 5,
    "threshold": "simple",
    "quorum": None,
    "quorum_met": True,
    "required": 2,
    "outcome": "adopted",
}


def golden(version: int) -> dict[str, Any]:
    return json.loads((GOLDEN / f"v{version}.json").read_bytes())


def closed(result: dict[str, Any] = RESULT, choices: tuple[str, ...] = ("no", "yes", "yes")) -> tuple:
    ballots = [{"voter": p, "choice": c} for p, c in zip(PEOPLE, choices, strict=True)]
    payload = {"vote": VOTE, "motion": "m", "method": "named", "result": result, "ballots": ballots}
    return ("vote.closed", CLOSED_AT, payload)


def problems(document: dict[str, Any], *entries: tuple, attended: int = 3) -> list[str]:
    times = ["2026-03-01T09:01:00.000000Z"] * attended
    return list(minutes_problems(document, name="These minutes", entries=entries, attended=times))


@pytest.mark.parametrize("version", [1, 2, 3])
def test_frozen_minutes_keep_their_bytes_and_hash(version: int) -> None:
    raw = (GOLDEN / f"v{version}.json").read_bytes()
    document = golden(version)

    assert document["v"] == version
    assert canonical_bytes(document) == raw
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == HASHES[version]


def test_minutes_are_written_in_version_3() -> None:
    assert MINUTES_VERSION == 3


def test_version_3_minutes_that_state_the_records_tally_are_accepted() -> None:
    assert problems(golden(3), closed()) == []


@pytest.mark.parametrize("version", [1, 2])
def test_earlier_versions_state_no_tally_and_are_not_compared(version: int) -> None:
    assert problems(golden(version)) == []


def test_an_amendments_tally_unlike_the_records_is_reported() -> None:
    forged = golden(3)
    forged["items"][0]["decisions"][1]["tally"].update(yes=1, no=2, outcome="rejected")

    assert problems(forged, closed()) == [
        f"These minutes state vote {VOTE} as yes 1, no 2, abstain 0 (rejected; 3 present) "
        "but the record has yes 2, no 1, abstain 0 (adopted; 3 present)."
    ]


def test_a_count_of_those_present_unlike_the_records_is_reported() -> None:
    assert problems(golden(3), closed(), attended=2) == [
        f"These minutes state vote {VOTE} as yes 2, no 1, abstain 0 (adopted; 3 present) "
        "but the record has yes 2, no 1, abstain 0 (adopted; 2 present)."
    ]


def test_a_roll_call_unlike_the_records_is_reported() -> None:
    assert problems(golden(3), closed(choices=("yes", "no", "yes"))) == [
        f"These minutes state how members voted by name in vote {VOTE} unlike the record."
    ]


def test_a_vote_the_record_never_closed_is_reported() -> None:
    assert problems(golden(3)) == [
        f"These minutes state that vote {VOTE} closed at {CLOSED_AT}, which the record does not hold."
    ]


def test_minutes_with_names_withheld_are_compared_without_the_ballots() -> None:
    withheld = copy.deepcopy(golden(3)) | {"names_withheld": True}
    withheld["items"][0]["decisions"][1]["ballots"] = []

    assert problems(withheld, closed()) == []


def test_a_counts_result_unlike_the_records_is_reported() -> None:
    election = "60000000-0000-4000-8000-000000000001"
    payload = {"election": election, "elected": ["c1"], "turnout": 4, "electorate_size": 5, "seed": "s"}
    document = {
        "v": 3,
        "items": [
            {
                "decisions": [
                    {
                        "event": "election.closed",
                        "at": CLOSED_AT,
                        "election": election,
                        "result": {**payload, "elected": ["c2"]} | {"election": None},
                    }
                ]
            }
        ],
    }
    document["items"][0]["decisions"][0]["result"].pop("election")
    entry = ("election.closed", CLOSED_AT, payload)

    assert problems(document, entry) == [
        f"These minutes state the count of election {election} at {CLOSED_AT} unlike the record."
    ]
    document["items"][0]["decisions"][0]["result"]["elected"] = ["c1"]
    assert problems(document, entry) == []
