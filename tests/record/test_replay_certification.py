"""The verifier checks that the holders a certification seats and ends, and what ends with a seat, are
written by the action that caused them: at its time, by its actor."""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.core.ledger.encoding import format_time
from tests.elections.test_terms import TERM_END, termed
from tests.elections.test_vacancies import elect_riverside_delegates, erin_holds_above
from tests.record.support import documents, verify_forged
from tests.record.test_replay_terms import run_by_the_rules

pytestmark = pytest.mark.usefixtures("terms_of_one_post")

LATER = format_time(TERM_END + timedelta(seconds=1))


def side_problems(docs) -> list[str]:
    return [
        p.split(": ", 1)[1]
        for p in verify_forged(docs).problems
        if "certified then" in p or "them then" in p or "held through a seat lost" in p
    ]


def entry(docs, event, **payload) -> dict:
    [found] = [
        d for d in docs if d["event"] == event and all(d["payload"].get(k) == v for k, v in payload.items())
    ]
    return found


@termed
def test_an_office_filled_but_not_by_the_certification_of_its_election_is_caught(cast):
    """The rules certify Erin as chair of Riverside Depot when Alice's term ends."""
    run_by_the_rules(cast)
    docs = documents()
    assert side_problems(docs) == []
    filled = entry(docs, "office.filled", holder=str(cast.erin.uuid))
    office, riverside = filled["payload"]["office"], cast.riverside.uuid
    filled["payload"]["holder"] = str(cast.frank.uuid)
    assert side_problems(docs) == [
        f"office {office} (chair) of council {riverside} was filled for {cast.frank.uuid} at "
        f"{filled['at']}, but no election of it certified them then."
    ]
    filled["payload"]["holder"], filled["at"] = str(cast.erin.uuid), LATER
    assert side_problems(docs) == [
        f"office {office} (chair) of council {riverside} was filled for {cast.erin.uuid} at {LATER}, but no "
        "election of it certified them then."
    ]


def test_delegates_seated_and_ended_apart_from_the_certification_are_caught(cast):
    """The rules certify Bob and Frank as Riverside's delegates: Bob is replaced by himself, Erin's term
    ends, and with her seat she loses the district's chair and her seat above."""
    chair, above = erin_holds_above(cast)
    elect_riverside_delegates(cast, cast.bob, cast.frank)
    docs = documents()
    assert verify_forged(docs).problems == []
    bob, erin, frank = (str(person.uuid) for person in (cast.bob, cast.erin, cast.frank))
    replaced = entry(docs, "delegate.unseated", delegate=bob, reason="replaced")
    seated = entry(docs, "delegate.seated", delegate=frank)
    vacated = entry(docs, "office.vacated", office=str(chair.uuid))
    lost_above = entry(docs, "delegate.unseated", seat=str(above.uuid))
    assert (vacated["payload"]["reason"], lost_above["payload"]["reason"]) == ("seat_lost", "seat_lost")
    election, at = seated["payload"]["election"], seated["at"]
    # As if written alone: at another time, by someone else.
    replaced["at"] = LATER
    seated["payload"]["delegate"] = str(cast.carol.uuid)
    vacated["actor"] = lost_above["actor"] = str(cast.alice.uuid)
    assert side_problems(docs) == [
        f"delegate seat {replaced['payload']['seat']} of {bob} ended at {LATER} by the rules as replaced by "
        "an election (replaced), but no election of its post (other than a by-election) was certified then "
        "by the rules.",
        f"office {chair.uuid} of {erin} ended at {at} by {cast.alice.uuid} as held through a seat lost, but "
        f"no seat of theirs in council {cast.district.uuid} ended then by {cast.alice.uuid}.",
        f"delegate seat {above.uuid} of {erin} ended at {at} by {cast.alice.uuid} as held through a seat "
        f"lost, but no seat of theirs in council {cast.district.uuid} ended then by {cast.alice.uuid}.",
        f"delegate seat {seated['payload']['seat']} was filled for {cast.carol.uuid} at {at} as elected in "
        f"election {election}, but that election did not certify them then.",
    ]
