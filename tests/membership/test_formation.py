"""Forming a new base council: members below a council ask it, each founder consents, its vote decides."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from councils.core.errors import ConflictError, InvalidInputError
from councils.core.ledger import replay
from councils.core.ledger.replay import Item
from councils.core.rules.constitution import Constitution
from councils.elections import permissions as election_permissions
from councils.federation import actions as federation_actions
from councils.federation.models import Council, Membership, Office, Seat
from councils.membership import actions
from councils.membership.models import DisciplineCase, Formation, FormationSignature
from councils.motions import actions as motion_actions
from councils.motions.models import Motion
from tests.conftest import make_user
from tests.membership.support import NOW, adopt, payloads, vote_through
from tests.record.support import documents, verify_forged, verify_genuine

T = NOW + timedelta(days=10)


@pytest.fixture
def ready(cast):
    adopt(cast)
    # The district's chair opens and closes its votes; Bob sits there for Riverside.
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.carol, role=Office.Role.CHAIR, now=NOW
    )
    return cast


def propose(cast, actor=None, name="Riverside Night Shift", **kwargs):
    return actions.propose_formation(
        actor=actor or cast.erin,
        parent=kwargs.pop("parent", cast.district),
        name=name,
        reason="The night shift organised on its own.",
        now=T,
        **kwargs,
    )


def decide(cast, formation, *, yes=True):
    motion = Motion.objects.get(uuid=formation.motion_uuid)
    vote = motion_actions.open_vote(actor=cast.carol, motion=motion, now=T, method="named")
    vote_through(vote, yes=[cast.bob] if yes else [], no=[] if yes else [cast.bob], now=T)
    formation.refresh_from_db()
    return vote


def charge(cast, user):
    actions.bring_charges(
        actor=cast.alice,
        membership=current(user),
        charges="Took the strike fund.",
        penalty="expulsion",
        hearing_at=T + timedelta(days=20),
        now=T,
    )


def current(user):
    return Membership.objects.get(user=user, ended_at__isnull=True)


def test_a_proposal_tables_a_motion_in_the_council_asked_and_counts_the_proposer_as_founder(ready):
    formation = propose(ready)
    motion = Motion.objects.get(uuid=formation.motion_uuid)
    assert (motion.council, motion.kind, motion.state) == (ready.district, "formation", Motion.State.SECONDED)
    assert motion.subject_uuid == formation.uuid and motion.tabled_by is None
    [signature] = formation.signatures.all()
    assert (signature.signer, signature.membership) == (ready.erin, current(ready.erin))
    [proposed] = payloads("council.formation_proposed")
    assert proposed == {
        "formation": str(formation.uuid),
        "motion": str(motion.uuid),
        "name": "Riverside Night Shift",
        "kind": "workplace",
        "visibility": "federation",
        "reason": "The night shift organised on its own.",
        "proposer": str(ready.erin.uuid),
        "membership": str(current(ready.erin).uuid),
        "min_members": 3,
        "constitution": 1,
    }


def test_a_carried_vote_forms_the_council_and_moves_each_consenting_founder(ready):
    before = {u: current(u) for u in (ready.erin, ready.frank, ready.dave)}
    formation = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    actions.sign_formation(actor=ready.dave, formation=formation, now=T)
    decide(ready, formation)
    assert formation.status == Formation.Status.FORMED
    council = formation.council
    assert (council.parent, council.is_base, council.name, council.kind) == (
        ready.district,
        True,
        "Riverside Night Shift",
        "workplace",
    )
    for user, old in before.items():
        old.refresh_from_db()
        new = current(user)
        assert (old.status, old.ended_at) == (Membership.Status.TRANSFERRED, T)
        assert (new.council, new.status, new.joined_at, new.full_since, new.transferred_from) == (
            council,
            Membership.Status.FULL,
            old.joined_at,
            T,
            old,
        )
    # Nobody else moved: Alice and Bob stay in Riverside.
    assert current(ready.alice).council == ready.riverside
    [formed] = payloads("council.formed")
    assert formed["council"] == str(council.uuid) and formed["not_moved"] == []
    assert sorted(formed["founders"]) == sorted(str(u.uuid) for u in before)
    assert len(payloads("member.transferred")) == 3
    assert verify_genuine().problems == []
    call_command("verify_record")


def test_a_rejected_vote_forms_nothing_and_moves_nobody(ready):
    formation = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    actions.sign_formation(actor=ready.dave, formation=formation, now=T)
    decide(ready, formation, yes=False)
    assert formation.status == Formation.Status.REJECTED and formation.council is None
    assert not Council.objects.filter(name="Riverside Night Shift").exists()
    assert current(ready.erin).council == ready.riverside
    assert len(payloads("council.formation_rejected")) == 1


def test_a_founder_who_sits_for_the_old_council_loses_that_seat_to_a_by_election(ready):
    formation = propose(ready)
    for user in (ready.frank, ready.bob):
        actions.sign_formation(actor=user, formation=formation, now=T)
    seat = Seat.objects.get(user=ready.bob, ended_at__isnull=True)
    decide(ready, formation)
    assert formation.status == Formation.Status.FORMED
    seat.refresh_from_db()
    assert (seat.ended_at, seat.ended_reason) == (T, "transferred")
    moved = [p for p in payloads("member.transferred") if p["member"] == str(ready.bob.uuid)]
    assert moved[0]["ended_seats"] == [str(seat.uuid)] and len(moved[0]["byelections"]) == 1
    assert verify_genuine().problems == []


def test_founders_who_left_or_face_charges_are_not_moved_and_too_few_forms_nothing(ready):
    formation = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    actions.sign_formation(actor=ready.dave, formation=formation, now=T)
    actions.leave_membership(actor=ready.dave, membership=current(ready.dave), now=T)
    charge(ready, ready.frank)
    decide(ready, formation)
    assert formation.status == Formation.Status.REFUSED
    assert "Only 1 of the founding members can still be moved" in formation.refusal
    assert not Council.objects.filter(name="Riverside Night Shift").exists()
    assert current(ready.erin).council == ready.riverside
    [refused] = payloads("council.formation_refused")
    reasons = {entry["member"]: entry["reason"] for entry in refused["not_moved"]}
    assert "Only a member of a base council" in reasons[str(ready.dave.uuid)]
    assert "Charges against the member are open" in reasons[str(ready.frank.uuid)]
    assert verify_genuine().problems == []


def test_the_minimum_is_the_constitutions(cast):
    adopt(cast, formation_min_members=2)
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.carol, role=Office.Role.CHAIR, now=NOW
    )
    formation = propose(cast)
    actions.sign_formation(actor=cast.dave, formation=formation, now=T)
    decide(cast, formation)
    assert formation.status == Formation.Status.FORMED
    assert verify_genuine().problems == []


# The council formed runs itself: a founder chairs it until it has elected its officers.


def test_the_proposer_chairs_the_new_council_for_the_constitutions_interim_days(ready):
    formation = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    actions.sign_formation(actor=ready.dave, formation=formation, now=T)
    decide(ready, formation)
    [office] = Office.objects.filter(council=formation.council)
    ends = T + timedelta(days=60)
    assert (office.user, office.role, office.started_at, office.term_ends_at) == (
        ready.erin,
        Office.Role.CHAIR,
        T,
        ends,
    )
    assert election_permissions.can(ready.erin, "call", formation.council)
    assert not election_permissions.can(ready.frank, "call", formation.council)
    [formed] = payloads("council.formed")
    assert formed["interim_chair"] == {
        "office": str(office.uuid),
        "member": str(ready.erin.uuid),
        "days": 60,
        "term_ends_at": "2026-05-10T09:00:00.000000Z",
    }
    [filled] = payloads("office.filled")
    assert filled == {
        "office": str(office.uuid),
        "role": "chair",
        "holder": str(ready.erin.uuid),
        "term_ends_at": "2026-05-10T09:00:00.000000Z",
    }
    assert verify_genuine().problems == []


def test_when_the_proposer_is_not_moved_the_first_founder_moved_chairs(ready):
    formation = propose(ready)
    for user in (ready.frank, ready.dave, ready.alice):
        actions.sign_formation(actor=user, formation=formation, now=T)
    charge(ready, ready.erin)
    decide(ready, formation)
    assert formation.status == Formation.Status.FORMED
    [office] = Office.objects.filter(council=formation.council)
    assert (office.user, office.role) == (ready.frank, Office.Role.CHAIR)
    assert verify_genuine().problems == []


def test_the_interim_days_are_the_constitutions(cast):
    adopt(cast, formation_interim_days=14)
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.carol, role=Office.Role.CHAIR, now=NOW
    )
    formation = propose(cast)
    actions.sign_formation(actor=cast.frank, formation=formation, now=T)
    actions.sign_formation(actor=cast.dave, formation=formation, now=T)
    decide(cast, formation)
    [office] = Office.objects.filter(council=formation.council)
    assert office.term_ends_at == T + timedelta(days=14)
    assert payloads("council.formed")[0]["interim_chair"]["days"] == 14
    assert verify_genuine().problems == []


def test_a_version_adopted_before_the_setting_gives_the_default_interim_days(cast, monkeypatch):
    adopt_without_interim_days(cast, monkeypatch)
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.carol, role=Office.Role.CHAIR, now=NOW
    )
    formation = propose(cast)
    actions.sign_formation(actor=cast.frank, formation=formation, now=T)
    actions.sign_formation(actor=cast.dave, formation=formation, now=T)
    decide(cast, formation)
    assert Office.objects.get(council=formation.council).term_ends_at == T + timedelta(days=60)
    assert verify_genuine().problems == []


def adopt_without_interim_days(cast, monkeypatch):
    rendered = Constitution.to_document
    with monkeypatch.context() as patched:
        patched.setattr(
            Constitution,
            "to_document",
            lambda self: {k: v for k, v in rendered(self).items() if k != "formation_interim_days"},
        )
        version = adopt(cast)
    assert "formation_interim_days" not in version.document


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"parent": "riverside"}, InvalidInputError, "is a base council of members"),
        ({"name": "Harbour Works"}, ConflictError, "already a council called 'Harbour Works'"),
        ({"name": "  "}, InvalidInputError, "Name the council"),
        ({"kind": "guild"}, InvalidInputError, "Unknown council type"),
        (
            {"kind": "district"},
            InvalidInputError,
            "base council of members, so it cannot be a District council",
        ),
        ({"visibility": "secret"}, InvalidInputError, "Unknown visibility"),
    ],
)
def test_a_proposal_is_refused_with_a_clear_reason(ready, change, error, message):
    if "parent" in change:
        change["parent"] = getattr(ready, change["parent"])
    with pytest.raises(error, match=message):
        propose(ready, **change)
    assert not Formation.objects.exists()


def test_a_second_proposal_of_the_same_name_waits_for_the_first(ready):
    propose(ready)
    with pytest.raises(ConflictError, match="or one proposed"):
        propose(ready, actor=ready.dave)


def test_only_full_members_below_the_council_in_good_standing_found_it(ready):
    outsider = make_user("gita", "Gita Rao")
    with pytest.raises(ConflictError, match="Only a member of a base council"):
        propose(ready, actor=outsider)
    # Carol is an observer with no membership; Dave's Harbour is below the district but not below Riverside's.
    formation = propose(ready)
    with pytest.raises(ConflictError, match="Only a member of a base council"):
        actions.sign_formation(actor=ready.carol, formation=formation, now=T)
    other = federation_actions.create_council(
        actor=None,
        federation=ready.federation,
        name="Westside District",
        kind="district",
        parent=ready.city,
        is_base=False,
        now=NOW,
    )
    with pytest.raises(ConflictError, match="not below Westside District"):
        propose(ready, actor=ready.dave, parent=other)
    charge(ready, ready.frank)
    assert DisciplineCase.objects.filter(membership=current(ready.frank)).exists()
    with pytest.raises(ConflictError, match="Charges against the member are open"):
        actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    with pytest.raises(ConflictError, match="already consented to found this council"):
        actions.sign_formation(actor=ready.erin, formation=formation, now=T)


def test_consent_closes_when_the_vote_opens_and_counts_once_across_proposals(ready):
    first = propose(ready)
    with pytest.raises(ConflictError, match="another council that is still to be decided"):
        propose(ready, name="Depot Cleaners")
    motion = Motion.objects.get(uuid=first.motion_uuid)
    motion_actions.open_vote(actor=ready.carol, motion=motion, now=T, method="named")
    with pytest.raises(ConflictError, match="has opened its vote"):
        actions.sign_formation(actor=ready.frank, formation=first, now=T)
    assert FormationSignature.objects.count() == 1


# The record replayed: a council is formed only by the carried vote, from consenting eligible founders.


def formed_record(cast):
    formation = propose(cast)
    actions.sign_formation(actor=cast.frank, formation=formation, now=T)
    actions.sign_formation(actor=cast.dave, formation=formation, now=T)
    decide(cast, formation)
    docs = documents()
    assert verify_forged(docs).problems == []
    return formation, docs


def problems(docs):
    return [str(p) for p in verify_forged(docs).problems]


def test_a_forged_formation_without_the_councils_vote_is_reported(ready):
    formation, docs = formed_record(ready)
    motion = str(formation.motion_uuid)
    votes = {
        d["payload"]["vote"] for d in docs if d["event"] == "vote.opened" and d["payload"]["motion"] == motion
    }
    forged = [d for d in docs if d["payload"].get("vote") not in votes]
    found = problems(forged)
    assert any("was formed by formation" in p and "without the vote of" in p for p in found)
    assert any("was moved into the council of formation" in p and "without the vote" in p for p in found)


def test_a_forged_formation_the_vote_rejected_is_reported(ready):
    _, docs = formed_record(ready)
    [closed] = [d for d in docs if d["event"] == "vote.closed"]
    closed["payload"]["result"]["outcome"] = "rejected"
    assert any("did not carry formation motion" in p for p in problems(docs))


def test_a_founder_moved_without_consent_is_reported(ready):
    _, docs = formed_record(ready)
    forged = [
        d
        for d in docs
        if not (d["event"] == "council.formation_signed" and d["payload"]["member"] == str(ready.dave.uuid))
    ]
    found = problems(forged)
    assert any("without consenting to found it" in p for p in found)
    assert any("with founding members who never consented" in p for p in found)


def test_a_council_formed_with_fewer_founders_than_the_constitution_requires_is_reported(ready):
    _, docs = formed_record(ready)
    [formed] = [d for d in docs if d["event"] == "council.formed"]
    formed["payload"]["founders"] = formed["payload"]["founders"][:2]
    found = problems(docs)
    assert any("with 2 founding members; the constitution requires 3" in p for p in found)
    assert any("not those the record moved into it" in p for p in found)


def test_an_interim_chair_who_is_no_founder_or_serves_longer_is_reported(ready):
    _, docs = formed_record(ready)
    [formed] = [d for d in docs if d["event"] == "council.formed"]
    [filled] = [d for d in docs if d["event"] == "office.filled"]
    interim = formed["payload"]["interim_chair"]
    filled["payload"]["holder"] = interim["member"] = str(ready.alice.uuid)
    assert any("who is not one of the founding members moved" in p for p in problems(docs))
    filled["payload"]["holder"] = interim["member"] = str(ready.frank.uuid)
    assert any("but its proposer" in p and "was moved in" in p for p in problems(docs))
    filled["payload"]["holder"] = interim["member"] = str(ready.erin.uuid)
    interim["term_ends_at"] = "2026-12-31T09:00:00.000000Z"
    assert any("not 60 days after it was formed" in p for p in problems(docs))
    interim["days"] = 365
    assert any("for 365 days; the constitution sets 60" in p for p in problems(docs))


def test_another_office_filled_in_a_council_at_its_formation_is_reported(ready):
    _, docs = formed_record(ready)
    [filled] = [d for d in docs if d["event"] == "office.filled"]
    extra = {
        **filled,
        "payload": {"office": "forged-office", "role": "treasurer", "holder": str(ready.bob.uuid)},
    }
    at = docs.index(filled)
    found = problems([*docs[:at], extra, *docs[at:]])
    assert any(
        f"office forged-office was filled in it for {ready.bob.uuid} before it was formed" in p for p in found
    )
    [formed] = [d for d in docs if d["event"] == "council.formed"]
    del formed["payload"]["interim_chair"]
    assert any("was filled in it for" in p for p in problems(docs))
    filled["payload"]["role"] = "secretary"
    formed["payload"]["interim_chair"] = {}
    assert any("with interim chair office None, which the record never filled" in p for p in problems(docs))


def read_without(docs, council):
    """The record replayed by a reader who may not read `council`'s entries."""
    return replay.replay(
        None if d["council"] == council else Item.from_document(i, d) for i, d in enumerate(docs)
    )


def test_a_reader_of_the_council_asked_but_not_of_the_council_formed_gets_notes_not_problems(ready):
    formation, docs = formed_record(ready)
    formation.refresh_from_db()
    seen = read_without(docs, str(formation.council.uuid))
    assert seen.not_replayed and seen.problems == []
    assert (
        "some councils were formed whose own entries you may not read: "
        "their creation, founding members and interim chair were not checked" in seen.notes
    )
    # Whoever reads every entry still catches a formed council the record never created or filled.
    [formed] = [d for d in docs if d["event"] == "council.formed"]
    forged = [d for d in docs if d["council"] != formed["payload"]["council"]]
    found = problems(forged)
    assert any("but the record never created it as a base council below" in p for p in found)
    assert any("not those the record moved into it" in p for p in found)
    assert any("which the record never filled in it" in p for p in found)


def test_a_reader_of_the_council_formed_but_not_of_the_council_asked_gets_notes_not_problems(ready):
    formation, docs = formed_record(ready)
    formation.refresh_from_db()
    seen = read_without(docs, str(ready.district.uuid))
    assert seen.not_replayed and seen.problems == []
    assert "some formation entries belong to formations proposed in entries you may not read" in seen.notes
    # Whoever reads every entry still catches founders moved under a formation nobody proposed.
    forged = [d for d in docs if d["event"] != "council.formation_proposed"]
    assert any("which nobody proposed" in p for p in problems(forged))


def test_a_consent_from_a_member_outside_the_council_or_facing_charges_is_reported(ready):
    formation = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    docs = documents()
    [signed] = [d for d in docs if d["event"] == "council.formation_signed"]
    # Frank's membership, as a forger would have it: charged before he signed.
    case = {
        "event": "discipline.charged",
        "at": signed["at"],
        "actor": str(ready.alice.uuid),
        "council": str(ready.riverside.uuid),
        "payload": {
            "case": "forged-case",
            "membership": signed["payload"]["membership"],
            "member": str(ready.frank.uuid),
            "penalty": "expulsion",
            "notice_days": 14,
            "hearing_at": "2026-04-01T09:00:00Z",
            "constitution": 1,
        },
    }
    found = problems([*docs[: docs.index(signed)], case, *docs[docs.index(signed) :]])
    assert any("faces the open charges of case forged-case" in p for p in found)
    signed["payload"]["membership"] = str(current(ready.alice).uuid)
    assert any("which is not their full membership" in p for p in problems(docs))


def test_a_formation_proposed_to_a_base_council_is_reported(ready):
    propose(ready)
    docs = documents()
    [proposed] = [d for d in docs if d["event"] == "council.formation_proposed"]
    proposed["council"] = str(ready.harbour.uuid)
    found = problems(docs)
    assert any("asks base council" in p for p in found)
    assert any("which is not below" in p for p in found)


# Withdrawing consent, before the council opens its vote.


def test_a_founder_withdraws_consent_and_may_then_consent_elsewhere(ready):
    formation = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    actions.withdraw_formation_consent(actor=ready.frank, formation=formation, now=T)
    assert [s.signer for s in formation.signatures.all()] == [ready.erin]
    formation.refresh_from_db()
    assert formation.status == Formation.Status.PROPOSED
    [withdrawn] = payloads("council.formation_consent_withdrawn")
    assert withdrawn == {
        "formation": str(formation.uuid),
        "member": str(ready.frank.uuid),
        "membership": str(current(ready.frank).uuid),
        "signatures": 1,
    }
    with pytest.raises(ConflictError, match="not consented to found this council"):
        actions.withdraw_formation_consent(actor=ready.frank, formation=formation, now=T)
    other = propose(ready, actor=ready.frank, name="Depot Cleaners")
    assert other.signatures.get().signer == ready.frank
    assert verify_genuine().problems == []


def test_a_withdrawn_founder_is_not_moved(ready):
    formation = propose(ready)
    for user in (ready.frank, ready.dave, ready.alice):
        actions.sign_formation(actor=user, formation=formation, now=T)
    actions.withdraw_formation_consent(actor=ready.alice, formation=formation, now=T)
    decide(ready, formation)
    assert formation.status == Formation.Status.FORMED
    assert current(ready.alice).council == ready.riverside
    assert current(ready.frank).council == formation.council
    assert verify_genuine().problems == []


def test_the_proposer_withdrawing_withdraws_the_proposal_and_its_motion(ready):
    formation = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    actions.withdraw_formation_consent(actor=ready.erin, formation=formation, now=T)
    formation.refresh_from_db()
    assert (formation.status, formation.decided_at) == (Formation.Status.WITHDRAWN, T)
    assert Motion.objects.get(uuid=formation.motion_uuid).state == Motion.State.WITHDRAWN
    [withdrawn] = payloads("council.formation_withdrawn")
    assert withdrawn == {
        "formation": str(formation.uuid),
        "motion": str(formation.motion_uuid),
        "proposer": str(ready.erin.uuid),
    }
    with pytest.raises(ConflictError, match="already been decided"):
        actions.sign_formation(actor=ready.dave, formation=formation, now=T)
    # Its founders are free to consent to another proposal, and its name may be proposed again.
    propose(ready, actor=ready.frank)
    assert verify_genuine().problems == []
    call_command("verify_record")


def test_consent_cannot_be_withdrawn_once_the_vote_opens(ready):
    formation = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    motion = Motion.objects.get(uuid=formation.motion_uuid)
    motion_actions.open_vote(actor=ready.carol, motion=motion, now=T, method="named")
    for user in (ready.frank, ready.erin):
        with pytest.raises(ConflictError, match="consent given before it opened stands"):
            actions.withdraw_formation_consent(actor=user, formation=formation, now=T)
    assert formation.signatures.count() == 2


def test_a_founder_moved_after_withdrawing_is_reported(ready):
    formation = propose(ready)
    for user in (ready.frank, ready.dave):
        actions.sign_formation(actor=user, formation=formation, now=T)
    actions.withdraw_formation_consent(actor=ready.dave, formation=formation, now=T)
    actions.sign_formation(actor=ready.alice, formation=formation, now=T)
    decide(ready, formation)
    docs = documents()
    assert verify_forged(docs).problems == []
    [moved] = [
        d
        for d in docs
        if d["event"] == "member.transferred" and d["payload"]["member"] == str(ready.alice.uuid)
    ]
    [formed] = [d for d in docs if d["event"] == "council.formed"]
    moved["payload"]["member"] = str(ready.dave.uuid)
    formed["payload"]["founders"] = [
        str(ready.dave.uuid) if f == str(ready.alice.uuid) else f for f in formed["payload"]["founders"]
    ]
    found = problems(docs)
    assert any("after withdrawing their consent" in p for p in found)
    assert any("founding members who withdrew their consent" in p for p in found)
    assert not any("never consented" in p for p in found)


def test_a_withdrawal_forged_for_someone_else_or_after_the_vote_is_reported(ready):
    formation = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    actions.withdraw_formation_consent(actor=ready.frank, formation=formation, now=T)
    docs = documents()
    [withdrawn] = [d for d in docs if d["event"] == "council.formation_consent_withdrawn"]
    withdrawn["actor"] = str(ready.alice.uuid)
    assert any("withdrew the consent of" in p for p in problems(docs))
    withdrawn["actor"] = withdrawn["payload"]["member"] = str(ready.erin.uuid)
    assert any("withdrew their consent but not the proposal" in p for p in problems(docs))


def test_a_proposal_withdrawn_by_someone_else_is_reported(ready):
    formation = propose(ready)
    actions.withdraw_formation_consent(actor=ready.erin, formation=formation, now=T)
    docs = documents()
    [withdrawn] = [d for d in docs if d["event"] == "council.formation_withdrawn"]
    withdrawn["actor"] = str(ready.frank.uuid)
    assert any(f"which {ready.erin.uuid} proposed" in p for p in problems(docs))


def test_consent_given_or_taken_back_after_the_vote_opened_is_reported(ready):
    formation = propose(ready)
    actions.sign_formation(actor=ready.frank, formation=formation, now=T)
    actions.sign_formation(actor=ready.dave, formation=formation, now=T)
    actions.withdraw_formation_consent(actor=ready.dave, formation=formation, now=T)
    motion = Motion.objects.get(uuid=formation.motion_uuid)
    motion_actions.open_vote(actor=ready.carol, motion=motion, now=T, method="named")
    docs = documents()
    late = [
        d
        for d in docs
        if (d["event"], d["actor"])
        in (
            ("council.formation_signed", str(ready.frank.uuid)),
            ("council.formation_consent_withdrawn", str(ready.dave.uuid)),
        )
    ]
    assert len(late) == 2
    # The record as if Frank consented, and Dave withdrew, once the vote was open.
    found = problems([d for d in docs if d not in late] + late)
    assert any(
        f"{ready.frank.uuid} consented to formation" in p and "after its vote opened" in p for p in found
    )
    assert any(
        f"{ready.dave.uuid} withdrew from formation" in p and "after its vote opened" in p for p in found
    )
