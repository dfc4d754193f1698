"""The verifier holds each amendment to the text adopted: it names the version it replaces by that hash."""

from __future__ import annotations

from datetime import timedelta

from councils.elections import actions as election_actions
from tests.constitution.test_record_checks import amend
from tests.membership.support import NOW, adopt, adopt_before_newer_settings, make_national_body
from tests.record.support import documents, find, verify_forged, verify_genuine


def test_amendments_of_a_version_adopted_before_newer_settings_check_out(cast, monkeypatch):
    adopt_before_newer_settings(cast, monkeypatch)
    make_national_body(cast)
    amend(cast, now=NOW, sponsors_required=1)
    assert verify_genuine().problems == []


def test_an_amendment_replacing_another_text_than_the_one_adopted_is_caught(cast):
    adopt(cast)
    make_national_body(cast)
    amend(cast, now=NOW, sponsors_required=1)
    docs = documents()
    adopted = docs[find(docs, "constitution.adopted")]["payload"]["hash"]
    docs[find(docs, "constitution.amendment_proposed")]["payload"]["base_hash"] = "0" * 64
    docs[find(docs, "constitution.amended")]["payload"]["old_hash"] = "1" * 64
    problems = verify_forged(docs).problems
    for forged in ("0" * 64, "1" * 64):
        said = f"version 1 by the hash {forged}, but that version was adopted with the hash {adopted}"
        assert any(said in p for p in problems), problems


def test_an_adoption_whose_hash_is_not_its_text_is_caught(cast):
    adopt(cast)
    docs = documents()
    docs[find(docs, "constitution.adopted")]["payload"]["document"]["sponsors_required"] = 1
    problems = verify_forged(docs).problems
    assert any("constitution version 1 is recorded with the hash" in p for p in problems), problems


def test_an_election_is_held_to_the_poll_lengths_of_the_version_in_force_when_it_opened(cast):
    make_national_body(cast)
    amend(cast, now=NOW, election_poll_max_days=60)  # version 1, amending the defaults
    opens = NOW + timedelta(hours=2)
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=opens
    )
    election_actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=opens)
    election_actions.open_voting(
        actor=cast.alice, election=election, closes_at=opens + timedelta(days=40), now=opens
    )
    assert verify_genuine().problems == []
    docs = documents()
    opened = docs[find(docs, "election.opened")]["payload"]
    assert opened["constitution"] == 1
    opened["constitution"] = 0  # as if opened under the defaults
    problems = verify_forged(docs).problems
    refused = "with a closing time the rules refuse: A poll may stay open at most 31 days"
    assert any(refused in p for p in problems), problems
