"""The verifier checks each slate against the election it names, as the record describes it then."""

from __future__ import annotations

import copy
import uuid
from datetime import timedelta

import pytest

from councils.elections import actions as election_actions
from councils.platforms import actions
from tests.membership.support import NOW, adopt, nominated_election
from tests.record.support import documents, find, verify_forged, verify_genuine


@pytest.fixture
def slate(cast):
    """Rank and File's slate of Bob in an election where Bob and Erin stood and Erin then withdrew."""
    adopt(cast)
    election = nominated_election(cast, nominees=[cast.bob, cast.erin])
    erin = election.candidacies.get(candidate=cast.erin)
    election_actions.withdraw_candidacy(actor=cast.erin, candidacy=erin, now=NOW)
    platform = actions.found_platform(
        actor=cast.bob, federation=cast.federation, name="Rank and File", statement="Unite.", now=NOW
    )
    actions.run_slate(
        actor=cast.bob,
        platform=platform,
        election_uuid=election.uuid,
        title="Our slate",
        candidates=[str(cast.bob.uuid)],
        now=NOW,
    )
    return election


def _slate_problems(docs) -> list[str]:
    return [p for p in verify_forged(docs).problems if "slate" in p]


def test_a_genuine_slate_passes(cast, slate):
    verdict = verify_genuine()
    assert verdict.problems == []
    assert not any("slate" in n for n in verdict.notes)


def test_a_slate_for_an_election_never_called_is_caught(cast, slate):
    docs = documents()
    made_up = str(uuid.uuid4())
    docs[find(docs, "platform.slate_published")]["payload"]["election"] = made_up
    assert _slate_problems(docs) == [
        f"Rule broken at entry {find(docs, 'platform.slate_published')}: "
        f"a slate was published for election {made_up}, which the record never called."
    ]


@pytest.mark.parametrize("who", ["erin", "dave"])
def test_a_slate_naming_someone_not_standing_is_caught(cast, slate, who):
    docs = documents()
    person = str(getattr(cast, who).uuid)
    docs[find(docs, "platform.slate_published")]["payload"]["candidates"].append(person)
    [problem] = _slate_problems(docs)
    assert f'a slate for election "{slate.title}" ({slate.uuid}) names {person}, not nominated' in problem


def test_a_slate_after_the_poll_closed_is_caught(cast, slate):
    election_actions.open_voting(
        actor=cast.alice, election=slate, closes_at=NOW + timedelta(hours=1), now=NOW
    )
    election_actions.cast_ballot(
        actor=cast.alice,
        election=slate,
        ranking=[str(slate.candidacies.get(candidate=cast.bob).uuid)],
        now=NOW,
    )
    election_actions.close_election(actor=cast.alice, election=slate, now=NOW + timedelta(hours=1))
    docs = documents()
    docs.append(copy.deepcopy(docs[find(docs, "platform.slate_published")]))
    assert f'election "{slate.title}" ({slate.uuid}) after its poll closed' in " ".join(_slate_problems(docs))
