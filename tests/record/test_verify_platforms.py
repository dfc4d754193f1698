"""`verify_record` compares platforms, their documents and slates with the record (never their members).

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.platforms import actions
from councils.platforms.models import Platform, PlatformDocument, PlatformMember, Slate
from councils.record.verification import verify_database
from tests.membership.support import NOW, adopt, nominated_election
from tests.record.test_verify_record import sql


@pytest.fixture
def platform(cast):
    """Rank and File, with a document to Riverside and Harbour and a slate in Riverside's election."""
    adopt(cast)
    found = actions.found_platform(
        actor=cast.bob,
        federation=cast.federation,
        name="Rank and File",
        statement="Power to the depots.",
        now=NOW,
    )
    actions.publish_document(
        actor=cast.bob,
        platform=found,
        title="Our programme",
        body="Shorter hours.",
        councils=[cast.riverside, cast.harbour],
        now=NOW,
    )
    election = nominated_election(cast, nominees=[cast.erin, cast.bob])
    actions.run_slate(
        actor=cast.bob,
        platform=found,
        election_uuid=election.uuid,
        title="Slate",
        candidates=[str(cast.erin.uuid), str(cast.bob.uuid)],
        now=NOW,
    )
    return found


def test_a_platform_matches_its_record_whoever_joins_or_leaves(platform, cast):
    assert verify_database() == []
    actions.join_platform(actor=cast.erin, platform=platform, now=NOW)
    PlatformMember.objects.filter(user=cast.bob).delete()
    assert verify_database() == []


@pytest.mark.tampers
def test_a_platform_renamed_or_rewritten_in_the_database_is_detected(platform):
    Platform.objects.filter(pk=platform.pk).update(name="Bosses' Friends", statement="Longer hours.")
    assert verify_database() == [
        f"[platforms] Platform {platform.uuid}'s name is \"Bosses' Friends\" "
        "but the record says 'Rank and File'.",
        f"[platforms] Platform {platform.uuid}'s statement is not the statement the record holds.",
    ]


@pytest.mark.tampers
def test_a_platform_deleted_or_added_in_the_database_is_detected(platform, cast):
    document = platform.documents.get()
    slate = platform.slates.get()
    sql("DELETE FROM platforms_platformmember WHERE platform_id = %s", [platform.pk])
    sql("DELETE FROM platforms_platformdocument_councils WHERE platformdocument_id = %s", [document.pk])
    sql("DELETE FROM platforms_platformdocument WHERE id = %s", [document.pk])
    sql("DELETE FROM platforms_slate WHERE id = %s", [slate.pk])
    sql("DELETE FROM platforms_platform WHERE id = %s", [platform.pk])
    assert verify_database() == [
        f"[platforms] Platform {platform.uuid} is in the record but has vanished from the database.",
        f"[platforms] Platform document {document.uuid} is in the record but has vanished from the database.",
        f"[platforms] Slate {slate.uuid} is in the record but has vanished from the database.",
    ]
    forged = Platform.objects.create(federation=cast.federation, name="Forged", statement="x", created_at=NOW)
    assert f"[platforms] Platform {forged.uuid} ('Forged') exists but the record never founded it." in (
        verify_database()
    )


@pytest.mark.tampers
def test_a_document_changed_in_the_database_is_detected(platform, cast):
    document = platform.documents.get()
    PlatformDocument.objects.filter(pk=document.pk).update(title="Our real programme", body="Longer hours.")
    document.councils.remove(cast.harbour)
    councils = sorted([str(cast.riverside.uuid), str(cast.harbour.uuid)])
    assert verify_database() == [
        f"[platforms] Platform document {document.uuid}'s title is 'Our real programme' "
        "but the record says 'Our programme'.",
        f"[platforms] Platform document {document.uuid}'s councils is {[str(cast.riverside.uuid)]!r} "
        f"but the record says {councils!r}.",
        f"[platforms] Platform document {document.uuid}'s text is not the text the record holds.",
    ]


@pytest.mark.tampers
def test_a_document_added_in_the_database_is_detected(platform):
    forged = PlatformDocument.objects.create(platform=platform, title="Forged", body="x", published_at=NOW)
    assert verify_database() == [
        f"[platforms] Platform document {forged.uuid} ('Forged') exists but the record never published it."
    ]


@pytest.mark.tampers
def test_a_slate_changed_or_added_in_the_database_is_detected(platform, cast):
    slate = platform.slates.get()
    Slate.objects.filter(pk=slate.pk).update(candidates=[str(cast.bob.uuid), str(cast.erin.uuid)])
    assert verify_database() == [
        f"[platforms] Slate {slate.uuid}'s candidates is {[str(cast.bob.uuid), str(cast.erin.uuid)]!r} "
        f"but the record says {[str(cast.erin.uuid), str(cast.bob.uuid)]!r}."
    ]
    forged = Slate.objects.create(
        platform=platform, election_uuid=slate.election_uuid, title="Forged", candidates=[], published_at=NOW
    )
    assert f"[platforms] Slate {forged.uuid} exists but the record never published it." in verify_database()


@pytest.mark.parametrize(
    ("model", "field", "what"),
    [
        (Platform, "created_at", "Platform {} was founded"),
        (PlatformDocument, "published_at", "Platform document {} was published"),
        (Slate, "published_at", "Slate {} was published"),
    ],
)
@pytest.mark.tampers
def test_when_a_platform_or_its_publication_came_out_is_compared(platform, model, field, what):
    row = model.objects.get()
    model.objects.filter(pk=row.pk).update(**{field: NOW - timedelta(days=1)})
    assert verify_database() == [
        f"[platforms] {what.format(row.uuid)} at 2026-02-28T09:00:00.000000Z, "
        "but the record says 2026-03-01T09:00:00.000000Z."
    ]
