"""`verify_record` compares proposals to form a council, and each founder's consent, with the record.

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.membership import actions
from councils.membership.models import Formation, FormationSignature
from councils.record.verification import verify_database
from tests.membership.test_formation import T, current, decide, propose, ready  # noqa: F401
from tests.record.test_verify_record import sql

WHEN = "2026-03-11T09:00:00.000000Z"


@pytest.fixture
def formed(ready):  # noqa: F811
    """Riverside Night Shift, proposed by Erin, consented to by Frank and Dave, and formed by a vote."""
    formation = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    actions.sign_formation(actor=ready.dave, formation=formation, now=T)
    decide(ready, formation)
    assert formation.status == Formation.Status.FORMED
    return formation


def lines(formation):
    return [line.removeprefix(f"[formations] Formation {formation.uuid}") for line in verify_database()]


def test_every_outcome_matches_its_record(ready):  # noqa: F811
    formed = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formed, now=T)
    actions.sign_formation(actor=ready.dave, formation=formed, now=T)
    decide(ready, formed)
    rejected = propose(ready, actor=ready.bob, name="Riverside Day Shift")
    actions.sign_formation(actor=ready.alice, formation=rejected, now=T)
    actions.withdraw_formation_consent(actor=ready.alice, formation=rejected, now=T + timedelta(hours=1))
    decide(ready, rejected, yes=False)
    withdrawn = propose(ready, actor=ready.alice, name="Riverside Yard")
    actions.withdraw_formation_consent(actor=ready.alice, formation=withdrawn, now=T + timedelta(hours=2))
    refused = propose(ready, actor=ready.bob, name="Riverside Garage")
    decide(ready, refused)
    withdrawn.refresh_from_db()
    assert [f.status for f in (formed, rejected, withdrawn, refused)] == [
        "formed",
        "rejected",
        "withdrawn",
        "refused",
    ]
    assert verify_database() == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"name": "Night Owls"}, "'s name is 'Night Owls' but the record says 'Riverside Night Shift'."),
        ({"kind": "industry"}, "'s kind is 'industry' but the record says 'workplace'."),
        ({"visibility": "public"}, "'s visibility is 'public' but the record says 'federation'."),
        ({"constitution_version": 7}, "'s constitution version is 7 but the record says 1."),
        ({"status": "rejected"}, "'s status is 'rejected' but the record says 'formed'."),
        ({"reason": "The bosses asked us to."}, "'s reason is not the reason the record holds."),
        ({"refusal": "Too few."}, "'s reason for not forming the council is not the one the record holds."),
        (
            {"proposed_at": T - timedelta(days=1)},
            f" was proposed at 2026-03-10T09:00:00.000000Z, but the record says {WHEN}.",
        ),
        ({"decided_at": None}, f" was decided at no time, but the record says {WHEN}."),
    ],
)
@pytest.mark.tampers
def test_a_formation_changed_in_the_database_is_detected(formed, change, problem):
    Formation.objects.filter(pk=formed.pk).update(**change)
    assert lines(formed) == [problem]


@pytest.mark.tampers
def test_who_proposed_it_where_and_by_which_motion_are_compared(formed, ready):  # noqa: F811
    Formation.objects.filter(pk=formed.pk).update(
        parent=ready.city, proposed_by=ready.bob, motion_uuid=ready.riverside.uuid, council=ready.harbour
    )
    assert lines(formed) == [
        f"'s parent is '{ready.city.uuid}' but the record says '{ready.district.uuid}'.",
        f"'s proposed by is '{ready.bob.uuid}' but the record says '{ready.erin.uuid}'.",
        f"'s motion is '{ready.riverside.uuid}' but the record says '{formed.motion_uuid}'.",
        f"'s council is '{ready.harbour.uuid}' but the record says '{formed.council.uuid}'.",
    ]


@pytest.mark.tampers
def test_a_consent_changed_in_the_database_is_detected(formed, ready):  # noqa: F811
    signature = FormationSignature.objects.get(formation=formed, signer=ready.frank)
    FormationSignature.objects.filter(pk=signature.pk).update(
        signed_at=T + timedelta(days=1), moved=False, membership=current(ready.alice)
    )
    assert lines(formed) == [
        f": {ready.frank.uuid} consented at 2026-03-12T09:00:00.000000Z, but the record says {WHEN}.",
        f": {ready.frank.uuid}'s consent's membership is '{current(ready.alice).uuid}' "
        f"but the record says '{signature.membership.uuid}'.",
        f": {ready.frank.uuid}'s consent's moved is False but the record says True.",
    ]


@pytest.mark.tampers
def test_a_consent_deleted_added_or_moved_to_another_member_is_detected(formed, ready):  # noqa: F811
    signature = FormationSignature.objects.get(formation=formed, signer=ready.frank)
    FormationSignature.objects.filter(pk=signature.pk).update(signer=ready.alice)
    assert lines(formed) == ["'s founders' consents are by other members than the record says."]
    sql("DELETE FROM membership_formationsignature WHERE id = %s", [signature.pk])
    assert lines(formed) == [" holds 2 founders' consents but the record received 3."]
    FormationSignature.objects.create(
        formation=formed, signer=ready.frank, membership=signature.membership, signed_at=T, moved=True
    )
    FormationSignature.objects.create(
        formation=formed, signer=ready.alice, membership=current(ready.alice), signed_at=T
    )
    assert lines(formed) == [" holds 4 founders' consents but the record received 3."]


@pytest.mark.tampers
def test_a_formation_deleted_or_added_in_the_database_is_detected(ready):  # noqa: F811
    formation = propose(ready)
    sql("DELETE FROM membership_formationsignature WHERE formation_id = %s", [formation.pk])
    sql("DELETE FROM membership_formation WHERE id = %s", [formation.pk])
    assert verify_database() == [
        f"[formations] Formation {formation.uuid} is in the record but has vanished from the database."
    ]
    forged = Formation.objects.create(
        parent=ready.district,
        name="Forged",
        kind="workplace",
        visibility="federation",
        reason="x",
        proposed_by=ready.erin,
        proposed_at=T,
        constitution_version=1,
    )
    assert verify_database() == [
        f"[formations] Formation {forged.uuid} ('Forged') exists but the record never proposed it.",
        f"[formations] Formation {formation.uuid} is in the record but has vanished from the database.",
    ]
