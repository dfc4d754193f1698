"""`manage.py verify_record` finds every kind of tampering, on SQLite and PostgreSQL.

Each test plays an operator who edits the database directly: with the
record's triggers dropped where the log itself is edited (as only the
database owner could), and with plain SQL for the other apps' rows.

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from councils.core.ledger.encoding import canonical_bytes
from councils.core.ledger.merkle import hash_leaf
from councils.federation.models import Membership, Office, Seat
from councils.mandates.actions import declare_pay
from councils.membership.actions import leave_membership
from councils.motions import actions as motion_actions
from councils.motions.models import Motion, NamedBallot, Participation, Second, Vote
from councils.record import sequencer, verification
from councils.record.actions import append_entry
from councils.record.models import Entry, Pending, Sequence
from councils.record.verification import each_row, verify_database
from tests.conftest import NOW
from tests.core.ledger.uncanonical import UNCANONICAL, WIDE_DOCUMENT, uncanonical

TABLES = ["record_entry", "record_sequence", "record_node", "record_checkpoint", "record_cosignature"]


def drop_triggers() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def decided(cast):
    """A motion adopted by a named vote in Riverside Depot, and a signed checkpoint covering it."""
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety", text="We demand a safe depot.", now=NOW
    )
    motion = motion_actions.second_motion(actor=cast.alice, motion=motion, now=NOW)
    vote = motion_actions.open_vote(actor=None, motion=motion, now=NOW, method="named")
    for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=NOW + timedelta(minutes=1))
    motion_actions.close_vote(actor=None, vote=vote, now=NOW + timedelta(minutes=2))
    sequencer.sequence_pending(now=NOW)
    return motion


def test_untouched_database_matches_its_record(decided, capsys):
    assert verify_database() == []
    call_command("verify_record")
    assert "matches its record" in capsys.readouterr().out


def test_pending_entries_are_fine_too(decided, cast):
    motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="More", text="And more.", now=NOW
    )
    assert verify_database() == []


@pytest.mark.tampers
def test_amendments_and_forwarded_motions_match_their_record(decided, cast):
    debated = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Lockers", text="New lockers.", now=NOW
    )
    motion_actions.propose_amendment(actor=cast.erin, motion=debated, text="New lockers, now.", now=NOW)
    incoming = motion_actions.forward_motion(actor=cast.alice, motion=decided, now=NOW + timedelta(minutes=3))
    sequencer.sequence_pending(now=NOW)
    assert incoming.forwarded_from == decided
    assert verify_database() == []
    Motion.objects.filter(pk=decided.pk).update(state="adopted")
    assert verify_database() == [
        f"[motions] Motion {decided.uuid} is 'adopted' but the record says 'forwarded'."
    ]


@pytest.mark.parametrize(("seconds", "recorded"), [(0, "seconded"), (1, "draft")])
@pytest.mark.tampers
def test_a_motion_moved_on_from_its_tabling_in_the_database_is_detected(cast, seconds, recorded):
    """Tabled, a motion awaits seconders, or the vote when it needs none: no entry after says otherwise."""
    motion = motion_actions.table_motion(
        actor=cast.bob,
        council=cast.riverside,
        title="Rota",
        text="A rota.",
        seconds_required=seconds,
        now=NOW,
    )
    amendment = motion_actions.propose_amendment(
        actor=cast.erin, motion=motion, text="A fair rota.", seconds_required=seconds, now=NOW
    )
    assert verify_database() == []
    Motion.objects.filter(pk__in=[motion.pk, amendment.pk]).update(state="adopted")
    assert set(verify_database()) == {
        f"[motions] Motion {motion.uuid} is 'adopted' but the record says '{recorded}'.",
        f"[motions] Motion {amendment.uuid} is 'adopted' but the record says '{recorded}'.",
    }


@pytest.mark.tampers
def test_direct_edit_of_an_entry_is_detected(decided, capsys):
    drop_triggers()
    sql(
        "UPDATE record_entry SET data = %s WHERE id = (SELECT entry_id FROM record_sequence WHERE "
        + '"index"'
        + " = 0)",
        [b'{"v":1,"event":"federation.founded","forged":true}'],
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_record")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "Entry 0 (federation.founded) was altered" in out


def _unsalted_entry() -> Entry:
    return _entered(
        canonical_bytes(
            {
                "v": 1,
                "event": "test.happened",
                "at": "2026-03-01T09:00:00.000000Z",
                "actor": None,
                "council": None,
                "payload": {},
            }
        )
    )


def _pending(data: bytes) -> Entry:
    """An entry of exactly these bytes, waiting for the sequencer, as a server writing them itself would."""
    with transaction.atomic():
        entry = Entry.objects.create(
            event="test.happened", created_at=NOW, data=data, leaf_hash=hash_leaf(data)
        )
        Pending.objects.create(entry=entry)
    return entry


def _entered(data: bytes) -> Entry:
    """An entry of exactly these bytes, sequenced and signed into the log."""
    entry = _pending(data)
    sequencer.sequence_pending(now=NOW)
    return entry


@pytest.mark.django_db
def test_entries_written_before_the_nonce_still_match():
    entry = _unsalted_entry()
    with transaction.atomic():
        append_entry(event="test.salted", actor=None, council=None, payload={}, now=NOW)
    sequencer.sequence_pending(now=NOW)
    assert Sequence.objects.get(entry=entry).index == 0 and Sequence.objects.count() == 2
    assert verify_database() == []


@pytest.mark.tampers
def test_a_return_to_unsalted_entries_is_detected(decided):
    index = Sequence.objects.get(entry=_unsalted_entry()).index
    assert verify_database() == [
        f"Entry {index} (test.happened) is in encoding version 1, without a nonce, after entry 0, which was "
        "salted: the server went back to entries whose content can be guessed from their public leaf hash."
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            b'{"v":2,"event":"federation.founded"}',
            "Entry 0 (federation.founded) is in encoding version 2 but has no well-formed nonce (32 "
            "lower-case hexadecimal digits), so anyone could guess its content from its public leaf hash.",
        ),
        (
            b'{"v":3,"event":"federation.founded"}',
            "Entry 0 (federation.founded) is in an encoding version this verifier does not know "
            "(3; it reads versions 1 and 2).",
        ),
    ],
)
@pytest.mark.tampers
def test_an_entry_without_its_nonce_or_in_an_unknown_version_is_detected(decided, data, problem):
    drop_triggers()
    sql(
        "UPDATE record_entry SET data = %s WHERE id = (SELECT entry_id FROM record_sequence WHERE "
        + '"index"'
        + " = 0)",
        [data],
    )
    assert problem in verify_database()


@pytest.mark.tampers
@pytest.mark.parametrize(("data", "why"), UNCANONICAL)
def test_an_entry_encoded_other_than_canonically_is_detected(decided, data, why):
    index = Sequence.objects.get(entry=_entered(data)).index
    assert verify_database() == [f"Entry {index} (test.happened) {uncanonical(why)}."]


@pytest.mark.tampers
def test_a_pending_entry_encoded_other_than_canonically_is_reported(decided, capsys):
    data, why = UNCANONICAL[0].values
    _pending(data)
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_record")
    assert exit_info.value.code == 1
    assert f"A pending entry (test.happened) {uncanonical(why)}." in capsys.readouterr().out


@pytest.mark.django_db
def test_integers_past_64_bits_and_text_beyond_ascii_are_canonical():
    _entered(canonical_bytes(WIDE_DOCUMENT))
    assert verify_database() == []


@pytest.mark.tampers
def test_a_vote_choice_changed_in_the_database_is_detected(decided, cast):
    sql("UPDATE motions_namedballot SET choice = %s WHERE voter_id = %s", ["no", cast.bob.id])
    problems = verify_database()
    assert any("ballot says 'no' but the record says 'yes'" in p for p in problems)


@pytest.mark.tampers
def test_a_motion_text_changed_in_the_database_is_detected(decided):
    sql("UPDATE motions_motion SET text = %s WHERE id = %s", ["We demand nothing.", decided.id])
    assert any("text is not the text the record holds" in p for p in verify_database())


@pytest.mark.tampers
def test_a_motion_state_changed_in_the_database_is_detected(decided):
    Motion.objects.filter(id=decided.id).update(state="rejected")
    assert any("'rejected' but the record says 'adopted'" in p for p in verify_database())


@pytest.mark.tampers
def test_a_membership_changed_in_the_database_is_detected(decided, cast):
    Membership.objects.filter(user=cast.dave).update(status="expelled")
    assert any("is 'expelled' but the record says 'full'" in p for p in verify_database())


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"title": "Nothing"}, "'s title is 'Nothing' but the record says 'Safety'."),
        ({"kind": "constitution"}, "'s kind is 'constitution' but the record says 'ordinary'."),
        (
            {"subject_uuid": "0" * 32},
            "'s subject is '00000000-0000-0000-0000-000000000000' but the record says None.",
        ),
        ({"seconds_required": 0}, "'s seconds_required is 0 but the record says 1."),
        ({"tabled_by": None}, "'s tabled by is None but the record says 'bob'."),
        ({"council": "harbour"}, " is in another council than the record says."),
        (
            {"tabled_at": NOW - timedelta(days=1)},
            " was tabled at 2026-02-28T09:00:00.000000Z, but the record says 2026-03-01T09:00:00.000000Z.",
        ),
    ],
)
@pytest.mark.tampers
def test_a_motion_field_changed_in_the_database_is_detected(decided, cast, change, problem):
    if "council" in change:
        change = {"council": cast.harbour}
    Motion.objects.filter(id=decided.id).update(**change)
    problem = problem.replace("'bob'", f"'{cast.bob.uuid}'")
    assert verify_database() == [f"[motions] Motion {decided.uuid}{problem}"]


@pytest.mark.tampers
def test_when_a_motion_was_decided_is_compared_with_its_vote(decided):
    Motion.objects.filter(pk=decided.pk).update(decided_at=NOW - timedelta(days=1))
    assert verify_database() == [
        f"[motions] Motion {decided.uuid} was decided at 2026-02-28T09:00:00.000000Z, "
        "but the record says 2026-03-01T09:02:00.000000Z."
    ]


@pytest.mark.tampers
def test_when_a_motion_was_withdrawn_is_compared_and_a_lapsed_amendment_is_undecided(decided, cast):
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Lockers", text="New lockers.", now=NOW
    )
    amendment = motion_actions.propose_amendment(
        actor=cast.erin, motion=motion, text="New lockers, now.", now=NOW
    )
    motion_actions.withdraw_motion(actor=cast.bob, motion=motion, now=NOW + timedelta(hours=1))
    assert verify_database() == []
    Motion.objects.filter(pk=motion.pk).update(decided_at=None)
    Motion.objects.filter(pk=amendment.pk).update(decided_at=NOW)
    assert verify_database() == [
        f"[motions] Motion {amendment.uuid} was decided at 2026-03-01T09:00:00.000000Z, "
        "but the record never says so.",
        f"[motions] Motion {motion.uuid} was decided at no time, "
        "but the record says 2026-03-01T10:00:00.000000Z.",
    ]


@pytest.mark.tampers
def test_an_amendment_that_lapsed_and_one_its_mover_withdrew_are_told_apart(decided, cast):
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Lockers", text="New lockers.", now=NOW
    )
    lapsed = motion_actions.propose_amendment(actor=cast.erin, motion=motion, text="Now.", now=NOW)
    dropped = motion_actions.propose_amendment(actor=cast.frank, motion=motion, text="Soon.", now=NOW)
    motion_actions.withdraw_motion(actor=cast.frank, motion=dropped, now=NOW)
    motion_actions.withdraw_motion(actor=cast.bob, motion=motion, now=NOW + timedelta(hours=1))
    assert verify_database() == []
    Motion.objects.filter(pk=lapsed.pk).update(state=Motion.State.WITHDRAWN)
    assert verify_database() == [
        f"[motions] Motion {lapsed.uuid} is 'withdrawn' but the record says 'lapsed'."
    ]
    Motion.objects.filter(pk=lapsed.pk).update(state=Motion.State.LAPSED)
    Motion.objects.filter(pk=dropped.pk).update(state=Motion.State.LAPSED)
    assert verify_database() == [
        f"[motions] Motion {dropped.uuid} is 'lapsed' but the record says 'withdrawn'."
    ]


@pytest.mark.tampers
def test_a_vote_without_quorum_leaves_its_motion_undecided(decided, cast):
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Lockers", text="New lockers.", now=NOW
    )
    motion = motion_actions.second_motion(actor=cast.alice, motion=motion, now=NOW)
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named", quorum=3)
    motion_actions.cast_vote(actor=cast.erin, vote=vote, choice="yes", now=NOW)
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW + timedelta(minutes=1))
    assert verify_database() == []
    Motion.objects.filter(pk=motion.pk).update(decided_at=NOW)
    assert verify_database() == [
        f"[motions] Motion {motion.uuid} was decided at 2026-03-01T09:00:00.000000Z, "
        "but the record never says so."
    ]


@pytest.mark.tampers
def test_who_seconded_a_motion_and_when_is_compared(decided, cast):
    Second.objects.filter(motion=decided, user=cast.alice).update(seconded_at=NOW + timedelta(minutes=1))
    assert verify_database() == [
        f"[motions] Motion {decided.uuid}: {cast.alice.uuid} seconded it at 2026-03-01T09:01:00.000000Z, "
        "but the record says 2026-03-01T09:00:00.000000Z."
    ]
    Second.objects.filter(motion=decided, user=cast.alice).update(user=cast.erin)
    assert verify_database() == [
        f"[motions] Motion {decided.uuid} lists a second by {cast.erin.uuid} that the record never received.",
        f"[motions] Motion {decided.uuid}: {cast.alice.uuid}'s recorded second "
        "has vanished from the database.",
    ]


@pytest.mark.tampers
def test_when_a_named_ballot_was_cast_and_changed_is_compared(decided, cast):
    vote = decided.votes.get()
    NamedBallot.objects.filter(vote=vote, voter=cast.bob).update(cast_at=NOW, changed_at=NOW)
    assert verify_database() == [
        f"[votes] Vote {vote.uuid}: {cast.bob.uuid}'s ballot was cast at 2026-03-01T09:00:00.000000Z, "
        "but the record says 2026-03-01T09:01:00.000000Z.",
        f"[votes] Vote {vote.uuid}: {cast.bob.uuid}'s ballot was changed at 2026-03-01T09:00:00.000000Z, "
        "but the record never says so.",
    ]


@pytest.mark.tampers
def test_when_a_named_ballot_was_changed_is_compared_with_its_last_change(cast):
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Lockers", text="New lockers.", now=NOW
    )
    motion = motion_actions.second_motion(actor=cast.alice, motion=motion, now=NOW)
    vote = motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    for minutes, choice in ((1, "yes"), (2, "no"), (3, "abstain")):
        motion_actions.cast_vote(
            actor=cast.erin, vote=vote, choice=choice, now=NOW + timedelta(minutes=minutes)
        )
    assert verify_database() == []
    NamedBallot.objects.filter(vote=vote).update(changed_at=NOW + timedelta(minutes=2))
    assert verify_database() == [
        f"[votes] Vote {vote.uuid}: {cast.erin.uuid}'s ballot was changed at 2026-03-01T09:02:00.000000Z, "
        "but the record says 2026-03-01T09:03:00.000000Z."
    ]


@pytest.mark.tampers
def test_who_cast_a_secret_ballot_is_compared_but_never_how(cast):
    motion = motion_actions.table_motion(
        actor=None,
        council=cast.riverside,
        title="Strike",
        text="Strike on Monday.",
        now=NOW,
        seconds_required=0,
    )
    vote = motion_actions.open_vote(actor=None, motion=motion, now=NOW, method="secret")
    for voter in (cast.alice, cast.erin):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=NOW)
    assert verify_database() == []
    Participation.objects.filter(vote=vote, voter=cast.erin).update(voter=cast.frank)
    assert verify_database() == [
        f"[votes] Vote {vote.uuid} marks 2 voters as having voted in secret but the record received "
        "secret ballots from 2, not all the same people."
    ]
    Participation.objects.filter(vote=vote, voter=cast.frank).delete()
    assert verify_database() == [
        f"[votes] Vote {vote.uuid} marks 1 voter as having voted in secret but the record received "
        "secret ballots from 2."
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"method": "secret"}, "'s method is 'secret' but the record says 'named'."),
        ({"threshold": "two_thirds"}, "'s threshold is 'two_thirds' but the record says 'simple'."),
        ({"quorum": 2}, "'s quorum is 2 but the record says None."),
        ({"allow_change": False}, "'s allow_change is False but the record says True."),
        ({"electorate_size": 9}, "'s electorate size is 9 but the record says 4."),
        ({"electorate_digest": "0" * 64}, f"'s electorate digest is '{'0' * 64}' but the record says"),
        ({"text": "We demand nothing."}, "'s text is not the text the record opened it on."),
        (
            {"opened_at": NOW - timedelta(days=1)},
            " opened at 2026-02-28T09:00:00.000000Z, but the record says",
        ),
    ],
)
@pytest.mark.tampers
def test_a_vote_setting_changed_in_the_database_is_detected(decided, change, problem):
    vote = decided.votes.get()
    Vote.objects.filter(pk=vote.pk).update(**change)
    [line] = verify_database()
    assert line.startswith(f"[votes] Vote {vote.uuid}")
    assert problem in line


@pytest.mark.tampers
def test_a_vote_deleted_or_added_in_the_database_is_detected(decided, cast):
    vote = decided.votes.get()
    sql("DELETE FROM motions_namedballot WHERE vote_id = %s", [vote.pk])
    sql("DELETE FROM motions_voteeligibility WHERE vote_id = %s", [vote.pk])
    sql("DELETE FROM motions_vote WHERE id = %s", [vote.pk])
    assert (
        f"[votes] Vote {vote.uuid} is in the record but has vanished from the database." in verify_database()
    )
    forged = Vote.objects.create(
        motion=decided, method="named", opened_at=NOW, electorate_size=1, electorate_digest="", text=""
    )
    assert f"[votes] Vote {forged.uuid} exists but the record never opened it." in verify_database()


@pytest.mark.tampers
def test_a_vote_closed_at_another_time_in_the_database_is_detected(decided):
    vote = decided.votes.get()
    Vote.objects.filter(pk=vote.pk).update(closed_at=NOW)
    assert verify_database() == [
        f"[votes] Vote {vote.uuid} closed at 2026-03-01T09:00:00.000000Z, "
        "but the record says 2026-03-01T09:02:00.000000Z."
    ]


@pytest.mark.parametrize(("field", "verb"), [("opened_by", "opened"), ("closed_by", "closed")])
@pytest.mark.tampers
def test_who_opened_or_closed_a_vote_is_compared(decided, cast, field, verb):
    vote = decided.votes.get()
    Vote.objects.filter(pk=vote.pk).update(**{field: cast.bob})
    assert verify_database() == [
        f"[votes] Vote {vote.uuid} was {verb} by someone other than the record says."
    ]


@pytest.mark.tampers
def test_membership_times_moved_in_the_database_are_detected(decided, cast):
    membership = Membership.objects.get(user=cast.dave)
    Membership.objects.filter(pk=membership.pk).update(joined_at=NOW - timedelta(days=1), ended_at=NOW)
    assert verify_database() == [
        f"[memberships] Membership {membership.uuid} began at 2026-02-28T09:00:00.000000Z, "
        "but the record says 2026-03-01T09:00:00.000000Z.",
        f"[memberships] Membership {membership.uuid} has ended at 2026-03-01T09:00:00.000000Z "
        "but the record never ended it.",
    ]


@pytest.mark.tampers
def test_a_members_standing_moved_in_the_database_is_detected(decided, cast):
    # Dated back, Bob would have the months of standing a sponsor needs before he had them.
    membership = Membership.objects.get(user=cast.bob)
    Membership.objects.filter(pk=membership.pk).update(full_since=NOW - timedelta(days=365))
    assert verify_database() == [
        f"[memberships] Membership {membership.uuid}'s full standing began at 2025-03-01T09:00:00.000000Z, "
        "but the record says 2026-03-01T09:00:00.000000Z."
    ]


@pytest.mark.tampers
def test_a_departure_moved_in_the_database_is_detected(decided, cast):
    membership = Membership.objects.get(user=cast.dave)
    leave_membership(actor=cast.dave, membership=membership, now=NOW + timedelta(days=1))
    assert verify_database() == []
    Membership.objects.filter(pk=membership.pk).update(ended_at=None)
    assert verify_database() == [
        f"[memberships] Membership {membership.uuid} ended at no time, "
        "but the record says 2026-03-02T09:00:00.000000Z."
    ]


@pytest.mark.tampers
def test_a_membership_slipped_in_without_the_record_is_detected(decided, cast):
    Membership.objects.filter(user=cast.carol).delete()
    Membership.objects.create(user=cast.carol, council=cast.riverside, status="full", joined_at=NOW)
    assert any("never admitted it" in p for p in verify_database())


@pytest.mark.tampers
def test_a_seat_given_to_someone_else_is_detected(decided, cast):
    Seat.objects.update(user=cast.erin)
    assert any("held by another person" in p for p in verify_database())


@pytest.mark.tampers
def test_a_term_lengthened_in_the_database_is_detected(decided, cast):
    # An officer who cannot sit past the term the record gave them cannot lengthen it in the database.
    office = Office.objects.get(council=cast.riverside, role="chair")
    seat = Seat.objects.get(user=cast.bob)
    Office.objects.filter(pk=office.pk).update(term_ends_at=NOW + timedelta(days=3650))
    Seat.objects.filter(pk=seat.pk).update(term_ends_at=NOW + timedelta(days=3650))
    assert sorted(verify_database()) == [
        f"[offices] Office {office.uuid}'s term ends at another time than the record says.",
        f"[seats] Delegate seat {seat.uuid}'s term ends at another time than the record says.",
    ]


@pytest.mark.tampers
def test_a_pay_currency_changed_in_the_database_is_detected(decided, cast):
    office = Office.objects.get(council=cast.riverside, role="chair")
    declare_pay(actor=cast.alice, office=office, pay=Decimal("2000.00"), expenses=Decimal(0), now=NOW)
    assert verify_database() == []
    Office.objects.filter(pk=office.pk).update(pay_currency="GBP")
    assert verify_database() == [
        f"[offices] Office {office.uuid}'s pay is declared in GBP "
        "but the record's latest declaration names EUR."
    ]


@pytest.mark.tampers
def test_a_ballot_deleted_from_the_database_is_detected(decided):
    sql("DELETE FROM motions_namedballot", [])
    assert any("recorded ballot has vanished" in p for p in verify_database())


@pytest.mark.tampers
def test_a_deleted_entry_is_detected(decided):
    drop_triggers()
    middle = Sequence.objects.count() // 2
    entry_id = Sequence.objects.get(index=middle).entry_id
    sql('DELETE FROM record_sequence WHERE "index" = %s', [middle])
    sql("DELETE FROM record_entry WHERE id = %s", [entry_id])
    problems = verify_database()
    assert any(f"jumps from entry {middle - 1} to entry {middle + 1}" in p for p in problems)
    assert any("does not match the entries" in p for p in problems)


@pytest.mark.tampers
def test_reordered_entries_are_detected(decided):
    drop_triggers()
    first, second = (Sequence.objects.get(index=i) for i in (1, 2))
    # Swap both the entries and their stored leaf hashes, as a careful forger would.
    sql(
        'UPDATE record_sequence SET entry_id = %s, leaf_hash = %s WHERE "index" = 1',
        [-1, bytes(second.leaf_hash)],
    )
    sql(
        'UPDATE record_sequence SET entry_id = %s, leaf_hash = %s WHERE "index" = 2',
        [first.entry_id, bytes(first.leaf_hash)],
    )
    sql('UPDATE record_sequence SET entry_id = %s WHERE "index" = 1', [second.entry_id])
    problems = verify_database()
    assert any("does not match the entries" in p for p in problems)
    assert any("signed checkpoint of size" in p for p in problems)


@pytest.mark.tampers
def test_a_forged_checkpoint_is_detected(decided):
    drop_triggers()
    sql("UPDATE record_checkpoint SET note = REPLACE(note, %s, %s)", ["\n", "\n "])
    assert any("does not verify" in p for p in verify_database())


def test_other_apps_register_their_own_state_checks(decided):
    from councils.record import verification

    @verification.state_check("test-app")
    def _check(record):
        yield f"{len(list(record.events('vote.closed')))} closed votes seen"

    try:
        assert "[test-app] 1 closed votes seen" in verify_database()
    finally:
        del verification.STATE_CHECKS["test-app"]


def test_named_ballot_rows_are_what_the_check_reads(decided):
    assert NamedBallot.objects.count() == 4


@pytest.mark.tampers
def test_a_forged_cosignature_is_detected(decided):
    from councils.core.ledger import note
    from councils.record.models import Checkpoint, Cosignature

    checkpoint = Checkpoint.objects.order_by("-id").first()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    witness = note.make_signer("w.example", Ed25519PrivateKey.generate(), key_type=note.COSIGNATURE_V1)
    other = note.make_signer("w.example", Ed25519PrivateKey.generate(), key_type=note.COSIGNATURE_V1)
    body = checkpoint.note[: checkpoint.note.index("\n\n") + 1]
    Cosignature.objects.create(
        checkpoint=checkpoint,
        witness="w.example",
        key=witness.verifier.vkey(),
        line=note.cosign(body, witness, 1).line(),
        signed_at=NOW,
    )
    assert verify_database() == []
    Cosignature.objects.create(
        checkpoint=checkpoint,
        witness="w.example",
        key=other.verifier.vkey(),
        line=note.cosign(body, witness, 1).line(),
        signed_at=NOW,
    )
    assert any("cosignature of checkpoint" in p for p in verify_database())


@pytest.mark.tampers
def test_times_are_compared_to_the_millisecond_a_json_backup_keeps(decided):
    vote = decided.votes.get()
    Vote.objects.filter(pk=vote.pk).update(closed_at=vote.closed_at + timedelta(microseconds=999))
    assert verify_database() == []
    Vote.objects.filter(pk=vote.pk).update(closed_at=vote.closed_at + timedelta(milliseconds=1))
    assert verify_database() == [
        f"[votes] Vote {vote.uuid} closed at 2026-03-01T09:02:00.001000Z, "
        "but the record says 2026-03-01T09:02:00.000000Z."
    ]


@pytest.mark.chair_term(NOW + timedelta(days=365))
@pytest.mark.tampers
def test_times_an_entry_states_are_compared_to_the_millisecond_too(decided, cast):
    office = Office.objects.get(council=cast.riverside, role="chair")
    Office.objects.filter(pk=office.pk).update(term_ends_at=office.term_ends_at + timedelta(microseconds=999))
    assert verify_database() == []
    Office.objects.filter(pk=office.pk).update(term_ends_at=office.term_ends_at + timedelta(milliseconds=1))
    assert verify_database() == [
        f"[offices] Office {office.uuid}'s term ends at another time than the record says."
    ]


def memberships():
    return Membership.objects.order_by("id").values_list("uuid", flat=True)


def test_each_row_reads_a_small_table_in_one_query_without_a_server_side_cursor(
    decided, monkeypatch, django_assert_num_queries
):
    everything = list(memberships())
    # `.iterator()` takes its cursor here: on PostgreSQL, one on the server.
    monkeypatch.setattr(connection, "chunked_cursor", lambda: pytest.fail("a chunked cursor was opened"))
    with django_assert_num_queries(1):
        assert list(each_row(memberships())) == everything


def test_each_row_streams_a_larger_table_whole_and_in_order(decided, monkeypatch):
    monkeypatch.setattr(verification, "CHUNK", 2)
    assert len(memberships()) > 2
    assert list(each_row(memberships())) == list(memberships())


@pytest.mark.tampers
def test_tables_larger_than_a_chunk_are_checked_whole(decided, cast, monkeypatch):
    monkeypatch.setattr(verification, "CHUNK", 2)
    assert verify_database() == []
    sql("UPDATE motions_namedballot SET choice = %s WHERE voter_id = %s", ["no", cast.frank.id])
    assert any("ballot says 'no' but the record says 'yes'" in p for p in verify_database())
