"""Each council's creation names its federation: the verifier holds a slate to its platform's federation."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection

from councils.elections import actions as election_actions
from councils.federation import actions as federation_actions
from councils.federation.models import Council, Federation
from councils.platforms import actions as platform_actions
from councils.record.verification import verify_database
from tests.conftest import NOW
from tests.record.support import documents, find, verify_forged, verify_genuine
from tests.record.test_verify_record import sql


def test_every_council_created_names_its_federation(cast):
    created = [d for d in documents() if d["event"] == "council.created"]
    assert len(created) == Council.objects.count() == 5
    assert {d["payload"]["federation"] for d in created} == {str(cast.federation.uuid)}


def test_a_slate_for_an_election_of_another_federation_is_caught(cast):
    # Rank and File is a platform of the demo federation, with a genuine slate in Riverside's election.
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", title="Delegates", now=NOW
    )
    election_actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    platform = platform_actions.found_platform(
        actor=cast.bob, federation=cast.federation, name="Rank and File", statement="Unite.", now=NOW
    )
    platform_actions.run_slate(
        actor=cast.bob,
        platform=platform,
        election_uuid=election.uuid,
        title="Our slate",
        candidates=[str(cast.bob.uuid)],
        now=NOW,
    )
    assert not [p for p in verify_genuine().problems if "federation" in p]
    docs = documents()
    # A server that claims Riverside is a council of another federation.
    other = str(uuid.uuid4())
    docs[find(docs, "council.created", 3)]["payload"]["federation"] = other
    problems = [p for p in verify_forged(docs).problems if "federation" in p]
    assert problems == [
        f"Rule broken at entry {find(docs, 'platform.slate_published')}: platform {platform.uuid}'s slate is "
        f'for election "{election.title}" ({election.uuid}) of council {cast.riverside.uuid}, which is in '
        f"federation {other}, not the platform's federation {cast.federation.uuid}."
    ]
    # Written before `council.created` named its federation: noted, not judged.
    del docs[find(docs, "council.created", 3)]["payload"]["federation"]
    verdict = verify_forged(docs)
    assert not [p for p in verdict.problems if "federation" in p]
    assert any("created before the record named their federation" in n for n in verdict.notes)


# Each of these moves or edits rows behind the record, to show the verifier catches it.
@pytest.mark.tampers
def test_the_database_must_place_each_council_where_the_record_created_it(cast):
    assert verify_database() == []
    other = federation_actions.create_federation(actor=None, name="Other Federation", now=NOW)
    Council.objects.filter(pk=cast.harbour.pk).update(federation=other)
    Council.objects.filter(pk=cast.district.pk).update(parent=cast.national)
    assert sorted(p for p in verify_database() if p.startswith("[councils]")) == sorted(
        [
            f"[councils] Council {cast.district.uuid} sits below another council than the record says.",
            f"[councils] Council {cast.harbour.uuid} is in another federation than the record says.",
        ]
    )


@pytest.mark.tampers
def test_the_database_must_keep_each_council_as_the_record_created_it(cast):
    assert cast.riverside.visibility == Council.Visibility.FEDERATION
    created = {d["payload"]["council"]: d["payload"] for d in documents() if d["event"] == "council.created"}
    assert created[str(cast.riverside.uuid)]["visibility"] == "federation"
    # A council the record created for the federation's eyes, opened to the world behind its back,
    # and the other facts of a council no action changes.
    Council.objects.filter(pk=cast.riverside.pk).update(visibility=Council.Visibility.PUBLIC)
    Council.objects.filter(pk=cast.harbour.pk).update(name="Harbour Works (new)", members_per_delegate=2)
    Council.objects.filter(pk=cast.district.pk).update(kind="workplace", is_base=True)
    assert sorted(p for p in verify_database() if p.startswith("[councils]")) == sorted(
        [
            f"[councils] Council {cast.riverside.uuid}'s visibility is 'public' "
            "but the record says 'federation'.",
            f"[councils] Council {cast.harbour.uuid}'s name is 'Harbour Works (new)' "
            "but the record says 'Harbour Works'.",
            f"[councils] Council {cast.harbour.uuid}'s members_per_delegate is 2 "
            f"but the record says {cast.harbour.members_per_delegate}.",
            f"[councils] Council {cast.district.uuid}'s kind is 'workplace' "
            f"but the record says {cast.district.kind!r}.",
            f"[councils] Council {cast.district.uuid}'s is_base is True but the record says False.",
        ]
    )


@pytest.mark.tampers
def test_the_database_must_keep_each_federation_as_the_record_founded_it(cast):
    assert verify_database() == []
    sql(
        "UPDATE federation_federation SET name = %s, created_at = %s",
        ["Bosses' Union", NOW - timedelta(days=1)],
    )
    forged = uuid.uuid4()
    sql(
        "INSERT INTO federation_federation (uuid, name, created_at) VALUES (%s, %s, %s)",
        [Federation._meta.get_field("uuid").get_db_prep_value(forged, connection), "Shadow Federation", NOW],
    )
    key = cast.federation.uuid
    assert sorted(p for p in verify_database() if p.startswith("[federations]")) == sorted(
        [
            f"[federations] Federation {key}'s name is \"Bosses' Union\" "
            "but the record says 'Demo Federation'.",
            f"[federations] Federation {key} was founded at 2026-02-28T09:00:00.000000Z, "
            "but the record says 2026-03-01T09:00:00.000000Z.",
            f"[federations] Federation {forged} exists but the record never founded it.",
        ]
    )
    sql("DELETE FROM federation_federation WHERE name = %s", ["Shadow Federation"])
    sql("UPDATE federation_federation SET name = %s, created_at = %s", ["Demo Federation", NOW])
    assert verify_database() == []


@pytest.mark.tampers
def test_the_database_must_keep_when_each_council_was_created(cast):
    # The rules call a council's first elections from its creation: moved, it would move them.
    sql(
        "UPDATE federation_council SET created_at = %s WHERE id = %s",
        [NOW + timedelta(days=3), cast.harbour.pk],
    )
    assert [p for p in verify_database() if p.startswith("[councils]")] == [
        f"[councils] Council {cast.harbour.uuid} was created at 2026-03-04T09:00:00.000000Z, "
        "but the record says 2026-03-01T09:00:00.000000Z."
    ]
