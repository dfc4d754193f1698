"""`manage.py verify_record` compares recall and agenda petitions with the record.

Each petition's status, threshold and signatures (and the councils backing a
congress petition) must be what the entries say; an edit in the database is
named in one line.

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from councils.core.ledger.encoding import format_time
from councils.core.rules.constitution import Constitution
from councils.federation import actions as fa
from councils.federation.models import Office, Seat
from councils.mandates import actions as recall_actions
from councils.mandates.models import RecallPetition, RecallSignature
from councils.motions import actions as motion_actions
from councils.motions.models import Vote
from councils.petitions import actions as agenda_actions
from councils.petitions.models import AgendaPetition, AgendaSignature, CouncilSupport
from councils.record.verification import verify_database
from tests.conftest import NOW
from tests.petitions.test_petitions import carry, start
from tests.record.test_verify_record import sql

LATER = NOW + timedelta(days=31)
AT = format_time(NOW)
DECIDED = format_time(NOW + timedelta(minutes=5))
ENDS = format_time(NOW + timedelta(days=Constitution().recall_window_days))


def bob_seat(cast) -> Seat:
    return Seat.objects.get(user=cast.bob, council=cast.district, ended_at__isnull=True)


def office(cast, role: str) -> Office:
    return Office.objects.get(council=cast.riverside, role=role, ended_at__isnull=True)


def signed_to_a_vote(cast, **target) -> RecallPetition:
    petition = recall_actions.start_recall(actor=cast.erin, now=NOW, **target)
    recall_actions.sign_recall(actor=cast.frank, petition=petition, now=NOW)
    petition.refresh_from_db()
    return petition


def decide(petition: RecallPetition, voters, choice: str) -> None:
    vote = Vote.objects.get(uuid=petition.vote_uuid)
    for voter in voters:
        motion_actions.cast_vote(actor=voter, vote=vote, choice=choice, now=NOW)
    motion_actions.close_vote(actor=None, vote=vote, now=vote.closes_at)


@pytest.fixture
def recalls(cast, rules) -> dict[str, RecallPetition]:
    """A recall petition of Riverside Depot in each status, by that status."""
    kept = signed_to_a_vote(cast, seat=bob_seat(cast))
    decide(kept, [cast.alice, cast.bob, cast.erin], "no")
    recalled = signed_to_a_vote(cast, office=office(cast, "chair"))
    decide(recalled, [cast.bob, cast.erin, cast.frank], "yes")
    under_way = signed_to_a_vote(cast, seat=bob_seat(cast))
    # From here one signature is too few to call a vote.
    rules.amend(recall_signature_share=Decimal("1.00"))
    with transaction.atomic():
        frank = fa.seat_delegate(
            from_council=cast.riverside, user=cast.frank, election_uuid=None, term_ends_at=None, now=NOW
        )
    expired = recall_actions.start_recall(actor=cast.erin, seat=frank, now=NOW)
    recall_actions.expire_recall_petitions(now=NOW + timedelta(days=30))
    moot = recall_actions.start_recall(actor=cast.erin, seat=frank, now=LATER)
    recall_actions.resign_seat(actor=cast.frank, seat=frank, now=LATER)
    collecting = recall_actions.start_recall(actor=cast.erin, office=office(cast, "observer"), now=LATER)
    petitions = {
        "kept": kept,
        "recalled": recalled,
        "vote": under_way,
        "expired": expired,
        "moot": moot,
        "open": collecting,
    }
    for status, petition in petitions.items():
        petition.refresh_from_db()
        assert petition.status == status
    return petitions


def test_recall_petitions_in_every_status_match_their_record(recalls):
    assert verify_database() == []


@pytest.mark.parametrize("status", ["kept", "recalled", "vote", "expired", "moot", "open"])
@pytest.mark.tampers
def test_a_recall_status_changed_in_the_database_is_detected(recalls, status):
    petition = recalls[status]
    other = "recalled" if status == "kept" else "kept"
    RecallPetition.objects.filter(pk=petition.pk).update(status=other)
    assert verify_database() == [
        f"[recalls] Recall petition {petition.uuid} is {other!r} but the record says {status!r}."
    ]


@pytest.mark.tampers
def test_recall_fields_changed_in_the_database_are_detected(recalls, cast):
    petition = recalls["vote"]
    RecallPetition.objects.filter(pk=petition.pk).update(
        threshold=1, council=cast.harbour, started_by=cast.alice, target=cast.alice, vote_uuid=None
    )
    name = f"[recalls] Recall petition {petition.uuid}"
    assert sorted(verify_database()) == sorted(
        [
            f"{name} is in another council than the record says.",
            f"{name} was started by someone other than the record says.",
            f"{name} is against another seat, office or holder than the record says.",
            f"{name} needs 1 signature but the record says 2.",
            f"{name} names another recall vote than the record says.",
        ]
    )


@pytest.mark.tampers
def test_recall_signatures_added_removed_or_changed_are_detected(recalls, cast):
    collecting, expired = recalls["open"], recalls["expired"]
    RecallSignature.objects.create(petition=collecting, user=cast.frank, signed_at=LATER)
    RecallSignature.objects.filter(petition=expired).update(user=cast.alice)
    assert sorted(verify_database()) == sorted(
        [
            f"[recalls] Recall petition {collecting.uuid} holds 2 signatures but the record received 1.",
            f"[recalls] Recall petition {expired.uuid}'s signatures are by other members "
            "than the record says.",
        ]
    )
    RecallSignature.objects.filter(petition=collecting).delete()
    assert f"[recalls] Recall petition {collecting.uuid} holds 0 signatures but the record received 1." in (
        verify_database()
    )


@pytest.mark.parametrize(
    ("status", "change", "problem"),
    [
        ("vote", {"eligible_count": 9}, "counts 9 members who may sign but the record says 4."),
        ("vote", {"started_at": LATER}, f"was started at {format_time(LATER)}, but the record says {AT}."),
        ("vote", {"expires_at": LATER}, f"expires at {format_time(LATER)}, but the record says {ENDS}."),
        (
            "vote",
            {"vote_called_at": LATER},
            f"called its vote at {format_time(LATER)}, but the record says {AT}.",
        ),
        (
            "open",
            {"vote_called_at": LATER},
            f"called its vote at {format_time(LATER)}, but the record never says so.",
        ),
        (
            "expired",
            {"closed_at": LATER},
            f"closed at {format_time(LATER)}, but the record says {format_time(NOW + timedelta(days=30))}.",
        ),
        ("moot", {"closed_at": None}, f"closed at no time, but the record says {format_time(LATER)}."),
        ("open", {"closed_at": LATER}, f"closed at {format_time(LATER)}, but the record never says so."),
    ],
)
@pytest.mark.tampers
def test_when_a_recall_petition_started_ends_called_its_vote_and_closed_is_compared(
    recalls, status, change, problem
):
    petition = recalls[status]
    RecallPetition.objects.filter(pk=petition.pk).update(**change)
    assert verify_database() == [f"[recalls] Recall petition {petition.uuid} {problem}"]


@pytest.mark.tampers
def test_when_a_decided_recall_closed_is_compared_with_its_vote(recalls):
    petition = recalls["kept"]
    closed = Vote.objects.get(uuid=petition.vote_uuid).closed_at
    RecallPetition.objects.filter(pk=petition.pk).update(closed_at=LATER)
    assert verify_database() == [
        f"[recalls] Recall petition {petition.uuid} closed at {format_time(LATER)}, "
        f"but the record says {format_time(closed)}."
    ]


@pytest.mark.tampers
def test_when_each_member_signed_a_recall_petition_is_compared(recalls, cast):
    petition = recalls["open"]
    RecallSignature.objects.filter(petition=petition).update(signed_at=NOW)
    assert verify_database() == [
        f"[recalls] Recall petition {petition.uuid}: {cast.erin.uuid} signed at {AT}, "
        f"but the record says {format_time(LATER)}."
    ]


@pytest.mark.tampers
def test_recall_petitions_deleted_or_added_without_the_record_are_detected(recalls, cast):
    collecting = recalls["open"]
    RecallSignature.objects.filter(petition=collecting).delete()
    collecting.signers.all().delete()
    RecallPetition.objects.filter(pk=collecting.pk).delete()
    slipped = RecallPetition.objects.create(
        council=cast.riverside,
        seat=bob_seat(cast),
        target=cast.bob,
        started_by=cast.erin,
        started_at=LATER,
        expires_at=LATER,
        eligible_count=4,
        threshold=1,
        constitution_version=0,
        status="expired",
    )
    assert set(verify_database()) == {
        f"[recalls] Recall petition {collecting.uuid} is in the record but has vanished from the database.",
        f"[recalls] Recall petition {slipped.uuid} (expired) exists but the record never started it.",
    }


@pytest.fixture
def agenda(cast, rules) -> dict[str, AgendaPetition]:
    """Agenda petitions forced by signatures and by backing councils, expired, and open."""
    forced = start(cast)
    agenda_actions.sign_agenda_petition(actor=cast.frank, petition=forced, now=NOW)
    # Metro City's two voters: a petition there is backed by the councils below it, not forced by one.
    with transaction.atomic():
        fa.seat_delegate(
            from_council=cast.harbour, user=cast.dave, election_uuid=None, term_ends_at=None, now=NOW
        )
        for delegate in (cast.bob, cast.dave):
            fa.seat_delegate(
                from_council=cast.district, user=delegate, election_uuid=None, term_ends_at=None, now=NOW
            )
    rules.amend(agenda_petition_share=Decimal("1.00"), agenda_petition_councils=1)
    expired = start(cast)
    agenda_actions.expire_agenda_petitions(now=NOW + timedelta(days=30))
    collecting = start(cast)
    backed = agenda_actions.start_agenda_petition(
        actor=cast.bob, council=cast.city, title="Transit", text="x", now=NOW
    )
    support = agenda_actions.propose_council_support(
        actor=cast.erin, petition=backed, council=cast.riverside, now=NOW
    )
    carry(cast, support.motion_uuid)
    petitions = {"forced": forced, "expired": expired, "open": collecting, "backed": backed}
    for petition in petitions.values():
        petition.refresh_from_db()
    assert [p.status for p in petitions.values()] == ["forced", "expired", "open", "forced"]
    return petitions


def test_agenda_petitions_match_their_record(agenda):
    assert verify_database() == []


@pytest.mark.tampers
def test_agenda_petition_fields_changed_in_the_database_are_detected(agenda, cast):
    forced, backed = agenda["forced"], agenda["backed"]
    AgendaPetition.objects.filter(pk=forced.pk).update(
        status="open", text="Something else.", threshold=1, council=cast.harbour, started_by=cast.alice
    )
    name = f"[petitions] Agenda petition {forced.uuid}"
    assert sorted(verify_database()) == sorted(
        [
            f"{name} is in another council than the record says.",
            f"{name} was started by someone other than the record says.",
            f"{name}'s title or text is not what the record holds.",
            f"{name} needs other numbers of signatures or councils than the record says.",
            f"{name} is 'open' but the record says 'forced'.",
        ]
    )
    AgendaPetition.objects.filter(pk=forced.pk).update(
        status="forced",
        text=forced.text,
        threshold=forced.threshold,
        council=cast.riverside,
        started_by=cast.erin,
    )
    AgendaPetition.objects.filter(pk=backed.pk).update(councils_threshold=5)
    assert verify_database() == [
        f"[petitions] Agenda petition {backed.uuid} needs other numbers of signatures or councils "
        "than the record says."
    ]


@pytest.mark.tampers
def test_agenda_signatures_and_backers_changed_in_the_database_are_detected(agenda, cast):
    collecting, backed = agenda["open"], agenda["backed"]
    AgendaSignature.objects.create(petition=collecting, user=cast.alice, signed_at=NOW)
    support = CouncilSupport.objects.get(petition=backed)
    CouncilSupport.objects.filter(pk=support.pk).update(status="rejected")
    assert sorted(verify_database()) == sorted(
        [
            f"[petitions] Agenda petition {collecting.uuid} holds 2 signatures but the record received 1.",
            f"[petitions] Council backing {support.uuid}'s status is 'rejected' "
            "but the record says 'adopted'.",
        ]
    )
    AgendaSignature.objects.filter(petition=collecting).delete()
    CouncilSupport.objects.filter(pk=support.pk).update(status="adopted")
    slipped = CouncilSupport.objects.create(
        petition=backed, council=cast.harbour, proposed_at=NOW, status="adopted"
    )
    assert sorted(verify_database()) == sorted(
        [
            f"[petitions] Agenda petition {collecting.uuid} holds 0 signatures but the record received 1.",
            f"[petitions] Council backing {slipped.uuid} of agenda petition {backed.uuid} exists "
            "but the record never proposed it.",
        ]
    )


@pytest.mark.parametrize(
    ("status", "change", "problem"),
    [
        ("forced", {"eligible_count": 9}, "counts 9 members who may sign but the record says 4."),
        ("forced", {"started_at": LATER}, f"was started at {format_time(LATER)}, but the record says {AT}."),
        ("forced", {"expires_at": LATER}, f"expires at {format_time(LATER)}, but the record says {ENDS}."),
        (
            "forced",
            {"forced_at": LATER},
            f"forced its item at {format_time(LATER)}, but the record says {AT}.",
        ),
        ("open", {"forced_at": NOW}, f"forced its item at {AT}, but the record never says so."),
    ],
)
@pytest.mark.tampers
def test_when_an_agenda_petition_started_ends_and_forced_its_item_is_compared(
    agenda, status, change, problem
):
    petition = agenda[status]
    AgendaPetition.objects.filter(pk=petition.pk).update(**change)
    assert verify_database() == [f"[petitions] Agenda petition {petition.uuid} {problem}"]


@pytest.mark.tampers
def test_when_each_member_signed_an_agenda_petition_is_compared(agenda, cast):
    petition = agenda["forced"]
    AgendaSignature.objects.filter(petition=petition, user=cast.frank).update(signed_at=LATER)
    assert verify_database() == [
        f"[petitions] Agenda petition {petition.uuid}: {cast.frank.uuid} signed at {format_time(LATER)}, "
        f"but the record says {AT}."
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"proposed_at": LATER}, f"was proposed at {format_time(LATER)}, but the record says {AT}."),
        ({"decided_at": LATER}, f"was decided at {format_time(LATER)}, but the record says {DECIDED}."),
        (
            {"motion_uuid": "0" * 32},
            "'s motion is '00000000-0000-0000-0000-000000000000' but the record says",
        ),
        ({"council": "harbour"}, "'s council is"),
    ],
)
@pytest.mark.tampers
def test_a_council_backing_changed_in_the_database_is_detected(agenda, cast, change, problem):
    support = CouncilSupport.objects.get(petition=agenda["backed"])
    if "council" in change:
        change = {"council": cast.harbour}
    CouncilSupport.objects.filter(pk=support.pk).update(**change)
    [line] = verify_database()
    assert line.startswith(f"[petitions] Council backing {support.uuid}")
    assert problem in line


@pytest.mark.tampers
def test_pending_and_rejected_council_backings_match_their_record(agenda, cast):
    petition = agenda_actions.start_agenda_petition(
        actor=cast.bob, council=cast.city, title="Fares", text="x", now=NOW
    )
    support = agenda_actions.propose_council_support(
        actor=cast.erin, petition=petition, council=cast.riverside, now=NOW
    )
    assert verify_database() == []
    carry(cast, support.motion_uuid, yes=())
    support.refresh_from_db()
    assert (support.status, support.decided_at) == ("rejected", NOW + timedelta(minutes=5))
    assert verify_database() == []
    CouncilSupport.objects.filter(pk=support.pk).update(status="pending", decided_at=None)
    assert verify_database() == [
        f"[petitions] Council backing {support.uuid}'s status is 'pending' but the record says 'rejected'.",
        f"[petitions] Council backing {support.uuid} was decided at no time, but the record says {DECIDED}.",
    ]
    sql("DELETE FROM petitions_councilsupport WHERE id = %s", [support.pk])
    assert verify_database() == [
        f"[petitions] Council backing {support.uuid} is in the record but has vanished from the database."
    ]


@pytest.mark.tampers
def test_agenda_petitions_deleted_or_added_without_the_record_are_detected(agenda, cast):
    expired = agenda["expired"]
    AgendaSignature.objects.filter(petition=expired).delete()
    expired.signers.all().delete()
    AgendaPetition.objects.filter(pk=expired.pk).delete()
    slipped = AgendaPetition.objects.create(
        council=cast.riverside,
        title="Slipped in",
        text="x",
        started_by=cast.erin,
        started_at=NOW,
        expires_at=LATER,
        eligible_count=4,
        threshold=1,
        constitution_version=0,
        status="forced",
    )
    assert set(verify_database()) == {
        f"[petitions] Agenda petition {expired.uuid} is in the record but has vanished from the database.",
        f"[petitions] Agenda petition {slipped.uuid} (forced) exists but the record never started it.",
    }
