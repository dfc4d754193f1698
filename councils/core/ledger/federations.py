"""Replayed rules on which federation each council is in: a platform's slate is for its own federation.

`council.created` names its federation (`federation`); entries written before it did are noted, not
judged. The tree alone does not tell a council's federation, since a federation may have several
councils with no parent. A platform's slate (`platform.slate_published`) must be for an election
(`election.called`) of a council of the federation the platform was founded in (`platform.founded`).

Imported by `replay`, which registers these rules with the others.
"""

from __future__ import annotations

from councils.core.ledger.replay import Item, Replay, _election_name, rule


@rule("council.created")
def _council_federation(replay: Replay, item: Item) -> None:
    p = item.payload
    council = p.get("council")
    if isinstance(council, str):
        # None: created before `council.created` named its federation.
        replay.table("council_federations")[council] = p.get("federation") if "federation" in p else None


# Platforms: a slate is for an election of a council of the platform's own federation.


@rule("platform.founded")
def _platform_founded(replay: Replay, item: Item) -> None:
    platform = item.payload.get("platform")
    if isinstance(platform, str):
        replay.table("platform_federations")[platform] = item.payload.get("federation")


@rule("election.called")
def _election_council(replay: Replay, item: Item) -> None:
    election = item.payload.get("election")
    if isinstance(election, str):
        replay.table("election_councils")[election] = item.council


@rule("platform.slate_published")
def _slate_federation(replay: Replay, item: Item) -> None:
    """The election a slate names is held by a council of the federation the platform belongs to.

    An election whose call is not in the entries read is left to the slate's other rule. A council
    whose creation the reader did not see, or created before `council.created` named its federation,
    and a platform founded in entries not read, are noted.
    """
    p = item.payload
    election, platform = p.get("election"), p.get("platform")
    council = replay.table("election_councils").get(str(election))
    if council is None:
        return
    federations = replay.table("council_federations")
    federation = federations.get(str(council))
    founded = replay.table("platform_federations")
    name = _election_name(replay.table("elections").get(str(election), {}), str(election))
    if str(platform) not in founded:
        replay.note(
            "some slates are of platforms founded in entries you may not read: "
            "whether the election is of the platform's federation was not checked"
        )
    elif str(council) not in federations:
        replay.note(
            "some slates are for elections of councils created in entries you may not read: "
            "whether the election is of the platform's federation was not checked"
        )
    elif federation is None:
        replay.note(
            "some slates are for elections of councils created before the record named their federation: "
            "whether the election is of the platform's federation was not checked"
        )
    elif federation != founded[str(platform)]:
        replay.problem(
            item,
            f"platform {platform}'s slate is for {name} of council {council}, which is in federation "
            f"{federation}, not the platform's federation {founded[str(platform)]}",
        )
