"""`matched`: the loop every state check shares, rows against what the record says of them."""

from __future__ import annotations

from collections.abc import Iterator

from councils.record.verification import matched


def compare(key: str, row: tuple[str, str], said: str) -> Iterator[str]:
    if row[1] != said:
        yield f"Platform {key} is named {row[1]!r} but the record says {said!r}."


def test_rows_are_compared_in_their_order_and_the_vanished_keys_follow_sorted():
    rows = [("p2", "Rank and File"), ("p9", "Left Caucus"), ("p1", "Solidarity")]
    recorded = {"p1": "Solidarity", "p2": "Rank & File", "p7": "Old Guard", "p3": "Depot Voice"}

    lines = list(matched(rows, recorded, compare, "Platform", "founded it"))

    assert lines == [
        "Platform p2 is named 'Rank and File' but the record says 'Rank & File'.",
        "Platform p9 exists but the record never founded it.",
        "Platform p3 is in the record but has vanished from the database.",
        "Platform p7 is in the record but has vanished from the database.",
    ]


def test_a_row_the_record_never_states_is_shown_and_found_under_its_key():
    rows = [{"uuid": "p9", "name": "Left Caucus"}, {"uuid": "p1", "name": "Solidarity"}]

    lines = matched(
        rows,
        {"p1": "Solidarity"},
        lambda key, row, said: compare(key, (row["uuid"], row["name"]), said),
        "Platform",
        "founded it",
        shown=lambda row: f"({row['name']!r})",
        key=lambda row: row["uuid"],
    )

    assert list(lines) == ["Platform p9 ('Left Caucus') exists but the record never founded it."]
