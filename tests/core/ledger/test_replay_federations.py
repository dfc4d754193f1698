"""Replaying which federation a slate's election is in, from entries alone."""

from __future__ import annotations

from typing import Any

from councils.core.ledger import replay
from councils.core.ledger.replay import Item


def entry(event: str, payload: dict[str, Any], actor: str | None = None, council: str = "c-top") -> Item:
    return Item(index=0, event=event, actor=actor, council=council, at="", payload=payload)


def created(council: str = "c-top", **extra: Any) -> Item:
    return entry(
        "council.created", {"council": council, "is_base": False, "parent": None, **extra}, council=council
    )


def outcome(*items: Item | None) -> replay.Replay:
    """Replay `items` in order (None: an entry the reader cannot see)."""
    for index, item in enumerate(items):
        if item is not None:
            item.index = index
    return replay.replay(items)


def slate_record(*, council_federation: Any = "f-1", platform_federation: str = "f-1") -> list[Item]:
    extra = {} if council_federation is ... else {"federation": council_federation}
    return [
        created("c-top", **extra),
        entry("platform.founded", {"platform": "p-1", "federation": platform_federation}, council="c-top"),
        entry("election.called", {"election": "e-1", "title": "Chair"}, actor="u-alice", council="c-top"),
        entry(
            "platform.slate_published",
            {"platform": "p-1", "slate": "s-1", "election": "e-1", "candidates": []},
            council="c-top",
        ),
    ]


def test_a_slate_for_an_election_of_the_platforms_federation_passes():
    result = outcome(*slate_record())
    assert [p.message for p in result.problems if "federation" in p.message] == []
    assert not [n for n in result.notes if "platform's federation" in n]


def test_a_slate_for_an_election_of_another_federations_council_is_caught():
    result = outcome(*slate_record(council_federation="f-2"))
    assert [p.message for p in result.problems if "federation" in p.message] == [
        'platform p-1\'s slate is for election "Chair" (e-1) of council c-top, which is in federation f-2, '
        "not the platform's federation f-1"
    ]


def test_a_council_created_before_entries_named_its_federation_is_noted_not_judged():
    result = outcome(*slate_record(council_federation=..., platform_federation="f-2"))
    assert [p.message for p in result.problems if "federation" in p.message] == []
    assert result.notes == [
        "some slates are for elections of councils created before the record named their federation: "
        "whether the election is of the platform's federation was not checked"
    ]


def test_a_slate_whose_council_or_platform_is_unseen_is_noted_not_judged():
    items = slate_record(platform_federation="f-2")
    unseen_council = outcome(None, *items[1:])
    assert [p.message for p in unseen_council.problems if "federation" in p.message] == []
    assert any("councils created in entries you may not read" in n for n in unseen_council.notes)
    unseen_platform = outcome(items[0], None, *items[2:])
    assert [p.message for p in unseen_platform.problems if "federation" in p.message] == []
    assert any("platforms founded in entries you may not read" in n for n in unseen_platform.notes)
