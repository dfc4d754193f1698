import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from councils.core.errors import ConflictError, PermissionDeniedError
from councils.core.rules.recall import PetitionClosedError
from councils.core.rules.terms import add_months
from councils.elections import actions as election_actions
from councils.elections.models import Election
from councils.federation import actions as fa
from councils.federation.models import Office, Seat
from councils.mandates import actions
from councils.mandates.models import RecallPetition, RecallSignature
from councils.motions import actions as motion_actions
from councils.motions.models import Vote
from councils.record.models import Entry
from councils.record.sequencer import sequence_pending
from tests.conftest import NOW
from tests.record.links import linked

# When the cast's delegate's and chair's terms end, where a test gives them one.
TERM_END = add_months(NOW, 12)


def bob_seat(cast):
    return Seat.objects.get(user=cast.bob, council=cast.district, ended_at__isnull=True)


def test_member_starts_a_petition_and_signs_it_first(cast, rules):
    petition = actions.start_recall(
        actor=cast.erin, seat=bob_seat(cast), reason="Broke the mandate.", now=NOW
    )
    assert petition.status == "open"
    assert petition.eligible_count == 4
    assert petition.threshold == 2
    assert list(petition.signatures.values_list("user__username", flat=True)) == ["erin"]
    assert petition.expires_at == NOW + timedelta(days=30)
    assert Entry.objects.filter(event="recall.petition_started").count() == 1


def test_signature_reaching_the_threshold_opens_the_recall_vote_at_once(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    actions.sign_recall(actor=cast.frank, petition=petition, now=NOW + timedelta(hours=1))
    petition.refresh_from_db()
    assert petition.status == "vote"
    vote = Vote.objects.get(uuid=petition.vote_uuid)
    assert vote.motion.kind == "recall"
    assert vote.motion.tabled_by is None and vote.opened_by is None
    assert vote.closes_at == NOW + timedelta(hours=1) + timedelta(days=14)
    assert vote.threshold == "simple"
    seat = bob_seat(cast)
    assert (
        vote.motion.title
        == f"Recall the delegate of Riverside Depot to Eastside District (seat {str(seat.uuid)[:8]})"
    )
    assert str(seat.uuid) in vote.motion.text and "Bob" not in vote.motion.title + vote.motion.text


def test_the_recall_motions_page_names_the_holder_the_record_does_not(cast, rules, client):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    actions.sign_recall(actor=cast.frank, petition=petition, now=NOW + timedelta(hours=1))
    petition.refresh_from_db()
    motion = Vote.objects.get(uuid=petition.vote_uuid).motion
    client.force_login(cast.erin)
    page = client.get(f"/motions/{motion.uuid}/").content.decode()
    assert "Recall of" in page and "Bob Novak</a>, delegate of Riverside Depot to Eastside District" in page
    tabled = Entry.objects.get(event="motion.tabled", data__isnull=False, council=cast.riverside)
    assert b"Bob" not in bytes(tabled.data)


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_second_signature_by_the_same_member_is_refused(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    with pytest.raises(ConflictError, match="already signed"):
        actions.sign_recall(actor=cast.erin, petition=petition, now=NOW)
    assert RecallSignature.objects.filter(petition=petition).count() == 1


def test_database_refuses_a_duplicate_signature_row(cast, rules):
    from django.db import IntegrityError, transaction

    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecallSignature.objects.create(petition=petition, user=cast.erin, signed_at=NOW)


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_outsider_and_observer_cannot_sign(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    for user in (cast.dave, cast.carol):
        with pytest.raises(PermissionDeniedError, match="Only the members of Riverside Depot"):
            actions.sign_recall(actor=user, petition=petition, now=NOW)


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_member_who_joined_after_the_start_cannot_sign(cast, rules):
    from councils.federation import actions as fa
    from tests.conftest import make_user

    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    newcomer = make_user("gita", "Gita Rao")
    fa.add_founding_member(actor=None, council=cast.riverside, user=newcomer, now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.sign_recall(actor=newcomer, petition=petition, now=NOW)


def test_outsider_cannot_start_a_recall_of_another_councils_delegate(cast, rules):
    with pytest.raises(PermissionDeniedError, match="no higher council can appoint, veto or remove"):
        actions.start_recall(actor=cast.dave, seat=bob_seat(cast), now=NOW)


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_expired_petition_is_closed_with_a_record_entry(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    assert actions.expire_recall_petitions(now=NOW + timedelta(days=29)) == 0
    assert actions.expire_recall_petitions(now=NOW + timedelta(days=30)) == 1
    petition.refresh_from_db()
    assert petition.status == "expired"
    assert Entry.objects.filter(event="recall.petition_expired").count() == 1


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_late_signature_is_refused_and_the_petition_expires(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    with pytest.raises(PetitionClosedError, match="window closed"):
        actions.sign_recall(actor=cast.frank, petition=petition, now=NOW + timedelta(days=31))
    petition.refresh_from_db()
    assert petition.status == "expired"
    assert Entry.objects.filter(event="recall.petition_expired").count() == 1


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_someone_not_entitled_is_refused_before_the_petition_or_seat_is_judged(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    with pytest.raises(PermissionDeniedError, match="had a vote when this petition started"):
        actions.sign_recall(actor=cast.carol, petition=petition, now=NOW + timedelta(days=31))
    petition.refresh_from_db()
    assert petition.status == "open"
    seat = bob_seat(cast)
    actions.resign_seat(actor=cast.bob, seat=seat, now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.start_recall(actor=cast.carol, seat=seat, now=NOW)
    with pytest.raises(ConflictError, match="no longer holds this seat"):
        actions.start_recall(actor=cast.frank, seat=seat, now=NOW)


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_second_live_petition_against_the_same_seat_is_refused(cast, rules):
    actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    with pytest.raises(ConflictError, match="already under way"):
        actions.start_recall(actor=cast.frank, seat=bob_seat(cast), now=NOW)


def _pass_recall(cast, petition, *, yes, no=(), when):
    vote = Vote.objects.get(uuid=petition.vote_uuid)
    for user in yes:
        motion_actions.cast_vote(actor=user, vote=vote, choice="yes", now=when)
    for user in no:
        motion_actions.cast_vote(actor=user, vote=vote, choice="no", now=when)
    return motion_actions.close_vote(actor=None, vote=vote, now=vote.closes_at)


def test_passed_recall_vacates_the_seat_and_everything_held_through_it(cast, rules):
    from django.db import transaction

    from councils.federation import actions as fa

    with transaction.atomic():
        city_seat = fa.seat_delegate(
            from_council=cast.district, user=cast.bob, election_uuid=None, term_ends_at=None, now=NOW
        )
        # Riverside sends two delegates; Frank keeps his seat, so Bob's recall leaves one vacancy.
        fa.seat_delegate(
            from_council=cast.riverside, user=cast.frank, election_uuid=None, term_ends_at=None, now=NOW
        )
    office = fa.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.bob, role="secretary", now=NOW
    )
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    actions.sign_recall(actor=cast.frank, petition=petition, now=NOW)
    petition.refresh_from_db()
    result = _pass_recall(cast, petition, yes=[cast.erin, cast.frank, cast.alice], no=[cast.bob], when=NOW)
    assert result.adopted
    petition.refresh_from_db()
    assert petition.status == "recalled"
    assert not Seat.objects.filter(user=cast.bob, ended_at__isnull=True).exists()
    city_seat.refresh_from_db()
    assert city_seat.ended_reason == "seat_lost"
    office.refresh_from_db()
    assert office.ended_at is not None
    byelections = {(e.council, e.kind, e.role): e for e in Election.objects.all()}
    assert set(byelections) == {
        (cast.riverside, "delegates", ""),
        (cast.district, "delegates", ""),
        (cast.district, "office", "secretary"),
    }
    assert byelections[(cast.riverside, "delegates", "")].seats == 1
    assert all(
        e.is_by_election and e.status == "nominating" and e.called_by is None for e in byelections.values()
    )
    called = [json.loads(bytes(e.data)) for e in Entry.objects.filter(event="election.called")]
    assert [(c["actor"], c["payload"]["is_by_election"]) for c in called] == [(None, True)] * 3
    [decided] = [json.loads(bytes(e.data))["payload"] for e in Entry.objects.filter(event="recall.decided")]
    assert sorted(decided["byelections"]) == sorted(str(e.uuid) for e in byelections.values())


def test_lost_recall_keeps_the_delegate(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    actions.sign_recall(actor=cast.frank, petition=petition, now=NOW)
    petition.refresh_from_db()
    result = _pass_recall(cast, petition, yes=[cast.erin], no=[cast.bob, cast.alice], when=NOW)
    assert not result.adopted
    petition.refresh_from_db()
    assert petition.status == "kept"
    assert bob_seat(cast).ended_at is None
    assert not Election.objects.exists()


def test_a_decided_recalls_motion_page_links_its_vote_and_the_recalls_decision_in_the_record(
    cast, rules, client
):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    actions.sign_recall(actor=cast.frank, petition=petition, now=NOW)
    petition.refresh_from_db()
    _pass_recall(cast, petition, yes=[cast.erin], no=[cast.bob, cast.alice], when=NOW)
    sequence_pending(now=NOW)
    client.force_login(cast.erin)
    entries = linked(client, client.get(f"/motions/{petition.motion_uuid}/").content.decode())
    assert [e["event"] for e in entries] == ["vote.closed", "recall.decided"]
    assert {e["motion"] for e in entries} == {str(petition.motion_uuid)}
    assert entries[1]["petition"] == str(petition.uuid) and entries[1]["recalled"] is False


def test_officer_can_be_recalled_by_the_council(cast, rules, client):
    office = Office.objects.get(council=cast.riverside, role="chair")
    petition = actions.start_recall(actor=cast.erin, office=office, now=NOW)
    actions.sign_recall(actor=cast.frank, petition=petition, now=NOW)
    petition.refresh_from_db()
    motion = Vote.objects.get(uuid=petition.vote_uuid).motion
    assert motion.title == f"Recall the chair of Riverside Depot (office {str(office.uuid)[:8]})"
    client.force_login(cast.frank)
    page = client.get(f"/motions/{motion.uuid}/").content.decode()
    assert f"{office.user.name}</a>, chair of Riverside Depot" in page
    _pass_recall(cast, petition, yes=[cast.erin, cast.frank], when=NOW)
    office.refresh_from_db()
    assert office.ended_reason == "recalled"
    byelection = Election.objects.get()
    assert (byelection.council, byelection.kind, byelection.role) == (cast.riverside, "office", "chair")
    assert byelection.is_by_election and byelection.seats == 1 and byelection.called_by is None


def test_chair_cannot_withdraw_or_close_the_recall_vote_early(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    actions.sign_recall(actor=cast.frank, petition=petition, now=NOW)
    petition.refresh_from_db()
    vote = Vote.objects.get(uuid=petition.vote_uuid)
    with pytest.raises(PermissionDeniedError, match=r"put by the rules .* cannot be withdrawn"):
        motion_actions.withdraw_motion(actor=cast.alice, motion=vote.motion, now=NOW)
    with pytest.raises(ConflictError, match="stays open until its closing time"):
        motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW + timedelta(days=1))
    petition.refresh_from_db()
    assert petition.status == RecallPetition.Status.VOTE


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_delegate_resigning_ends_the_seat_and_moots_the_petition(cast, rules):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    seat = bob_seat(cast)
    actions.resign_seat(actor=cast.bob, seat=seat, now=NOW)
    seat.refresh_from_db()
    assert seat.ended_reason == "resigned"
    petition.refresh_from_db()
    assert petition.status == "moot"
    byelection = Election.objects.get()
    assert (byelection.council, byelection.kind, byelection.seats) == (cast.riverside, "delegates", 2)
    assert byelection.is_by_election and byelection.called_by is None


@pytest.mark.delegate_term(NOW + timedelta(days=30))
@pytest.mark.chair_term(NOW + timedelta(days=30))
@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_a_term_that_ends_moots_the_petitions_against_the_post(cast, rules):
    ends = NOW + timedelta(days=30)
    office = Office.objects.get(council=cast.riverside, user=cast.alice, role="chair")
    against_seat = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=NOW)
    against_office = actions.start_recall(actor=cast.erin, office=office, now=NOW)
    run = election_actions.run_due_terms(now=ends)
    assert {type(p).__name__ for p in run.ended} >= {"Seat", "Office"}
    for petition in (against_seat, against_office):
        petition.refresh_from_db()
        assert (petition.status, petition.closed_at) == ("moot", ends)


def test_nobody_else_can_end_a_delegates_seat(cast, rules):
    with pytest.raises(PermissionDeniedError, match="only the members of Riverside Depot can recall"):
        actions.resign_seat(actor=cast.alice, seat=bob_seat(cast), now=NOW)


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"), agenda_petition_share=Decimal("1"))
def test_command_closes_expired_petitions(cast, rules, capsys):
    from django.core.management import call_command

    from councils.petitions import actions as petition_actions

    long_ago = NOW - timedelta(days=400)
    actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=long_ago)
    petition_actions.start_agenda_petition(
        actor=cast.erin, council=cast.riverside, title="t", text="x", now=long_ago
    )
    call_command("close_expired_petitions")
    assert "Closed 1 recall petition and 1 agenda petition." in capsys.readouterr().out
    assert RecallPetition.objects.get().status == "expired"


def _elect(cast, election, winner, *, when):
    """Run a by-election of Riverside with `winner` the only candidate, closed and certified at `when`."""
    from councils.elections import actions as election_actions

    opened = when - timedelta(hours=1)
    candidacy = election_actions.nominate(actor=winner, election=election, candidate=winner, now=opened)
    election_actions.open_voting(actor=cast.alice, election=election, closes_at=when, now=opened)
    for voter in (cast.erin, cast.frank):
        choice = {"ranking" if election.is_ranked else "approvals": [str(candidacy.uuid)]}
        election_actions.cast_ballot(actor=voter, election=election, now=opened, **choice)
    election_actions.close_election(actor=cast.alice, election=election, now=when)
    return election_actions.certify_election(actor=cast.alice, election=election, now=when)


def _recall_bob(cast, *, when):
    petition = actions.start_recall(actor=cast.erin, seat=bob_seat(cast), now=when)
    actions.sign_recall(actor=cast.frank, petition=petition, now=when)
    petition.refresh_from_db()
    _pass_recall(cast, petition, yes=[cast.erin, cast.frank, cast.alice], no=[cast.bob], when=when)
    return Election.objects.get(is_by_election=True, council=cast.riverside)


@pytest.mark.delegate_term(TERM_END)
def test_by_election_winner_serves_the_rest_of_the_recalled_delegates_term(cast, rules):
    from councils.core.rules.terms import TermRuleError
    from councils.mandates import queries
    from councils.mandates.rules import check_eligible_for_office

    when = add_months(NOW, 7)
    byelection = _recall_bob(cast, when=when)
    assert byelection.term_ends_at == TERM_END
    [called] = [json.loads(bytes(e.data))["payload"] for e in Entry.objects.filter(event="election.called")]
    assert called["term_ends_at"] == TERM_END.isoformat()
    certified_at = when + timedelta(days=30)
    _elect(cast, byelection, cast.erin, when=certified_at)
    seat = Seat.objects.get(user=cast.erin, ended_at__isnull=True)
    assert (seat.started_at, seat.term_ends_at) == (certified_at, TERM_END)

    def served(at):
        lines = queries.list_register(
            federation_id=cast.federation.id, now=at, council_ids=[cast.riverside.id]
        )
        return next(line.terms_served for line in lines if line.seat_uuid == seat.uuid)

    # The rest of Bob's term counts as one term; holding on past its end without an election starts another.
    assert served(TERM_END) == 1
    assert served(TERM_END + timedelta(days=1)) == 2
    # The rest of one term and a full term of her own make the two consecutive terms allowed.
    assert election_actions.end_expired_term(held=seat, now=TERM_END)
    with transaction.atomic():
        fa.seat_delegate(
            from_council=cast.riverside,
            user=cast.erin,
            election_uuid=None,
            term_ends_at=add_months(TERM_END, 12),
            now=TERM_END,
        )
    with pytest.raises(TermRuleError, match="2 consecutive term"):
        check_eligible_for_office(cast.erin, cast.riverside, "delegate", add_months(TERM_END, 12))


@pytest.mark.chair_term(TERM_END)
def test_by_election_for_an_office_fills_the_rest_of_the_recalled_officers_term(cast, rules):
    office = Office.objects.get(council=cast.riverside, role="chair")
    petition = actions.start_recall(actor=cast.erin, office=office, now=NOW)
    actions.sign_recall(actor=cast.frank, petition=petition, now=NOW)
    petition.refresh_from_db()
    _pass_recall(cast, petition, yes=[cast.erin, cast.frank], when=NOW)
    byelection = Election.objects.get()
    assert byelection.term_ends_at == TERM_END


@pytest.mark.delegate_term(add_months(NOW, 1))
def test_by_election_after_a_term_already_over_is_for_a_full_term(cast, rules):
    when = add_months(NOW, 3)
    byelection = _recall_bob(cast, when=when)
    assert byelection.term_ends_at is None
    # Nor does a remainder that lapses before certification seat anyone for a term already over.
    certified_at = add_months(when, 2)
    _elect(cast, byelection, cast.erin, when=certified_at)
    seat = Seat.objects.get(user=cast.erin, ended_at__isnull=True)
    assert seat.term_ends_at == add_months(certified_at, 12)


@pytest.mark.delegate_term(TERM_END)
def test_by_election_after_a_resignation_fills_the_rest_of_the_term(cast, rules):
    actions.resign_seat(actor=cast.bob, seat=bob_seat(cast), now=add_months(NOW, 2))
    assert Election.objects.get().term_ends_at == TERM_END
