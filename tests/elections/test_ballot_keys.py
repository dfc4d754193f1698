"""The rules' sweep removes the ballot key files no open poll needs, and never an open poll's key.

A key file is written inside the transaction that opens the poll; the file system takes no part in
a rollback. Each key here is dated as written at NOW, so the sweep's grace runs from NOW.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from councils.elections import actions
from councils.elections.models import Election
from councils.motions import actions as motion_actions
from councils.motions import sealing
from councils.motions.models import Vote
from tests.conftest import NOW
from tests.membership.support import nominated_election

GRACE = sealing.UNCLAIMED_KEY_GRACE
POLL_CLOSES = NOW + timedelta(days=7)


class RequestFailed(Exception):
    """Whatever made the transaction that opened the poll roll back after the opening."""


def key_written_at_now(poll: Vote | Election) -> Path:
    path = Path(settings.COUNCILS_BALLOT_KEY_DIR) / f"{poll.uuid}.key"
    os.utime(path, (NOW.timestamp(), NOW.timestamp()))
    return path


def sweep(at) -> list[str]:
    """The polls whose keys the sweep at `at` deleted or set aside."""
    run = actions.run_due_terms(now=at)
    return run.removed_keys + run.set_aside_keys


def set_aside(key: Path) -> Path:
    return key.with_name(key.name + sealing.SET_ASIDE_SUFFIX)


def secret_vote(cast) -> Vote:
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Canteen", text="Open a canteen.", now=NOW
    )
    motion_actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    return motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")


def open_poll(cast, election: Election | None = None) -> Election:
    election = election or nominated_election(cast)
    return actions.open_voting(actor=cast.alice, election=election, closes_at=POLL_CLOSES, now=NOW)


def test_the_key_of_a_vote_whose_opening_rolled_back_goes_once_the_grace_has_passed(cast):
    with pytest.raises(RequestFailed), transaction.atomic():
        vote = secret_vote(cast)
        raise RequestFailed
    assert not Vote.objects.exists()
    key = key_written_at_now(vote)
    # Until then the transaction that wrote it might still be running: its vote would be open.
    assert sweep(NOW + GRACE - timedelta(seconds=1)) == [] and key.exists()
    assert sweep(NOW + GRACE) == [str(vote.uuid)] and not key.exists() and set_aside(key).exists()


def test_the_key_of_a_poll_whose_opening_rolled_back_goes_once_the_grace_has_passed(cast):
    election = nominated_election(cast)
    with pytest.raises(RequestFailed), transaction.atomic():
        open_poll(cast, election)
        raise RequestFailed
    election.refresh_from_db()
    assert election.status == Election.Status.NOMINATING
    key = key_written_at_now(election)
    # An election taking nominations may be opening its poll in a transaction not yet committed.
    assert sweep(NOW + GRACE - timedelta(seconds=1)) == [] and key.exists()
    assert sweep(NOW + GRACE) == [str(election.uuid)] and not key.exists() and set_aside(key).exists()


def test_the_keys_of_open_polls_stay_and_still_seal_ballots(cast):
    vote, election = secret_vote(cast), open_poll(cast)
    keys = [key_written_at_now(vote), key_written_at_now(election)]
    later = POLL_CLOSES - timedelta(minutes=1)
    assert sweep(later) == [] and all(key.exists() for key in keys)
    receipt = motion_actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=later)
    [candidacy] = election.candidacies.filter(candidate=cast.erin)
    assert actions.cast_ballot(actor=cast.bob, election=election, ranking=[str(candidacy.uuid)], now=later)
    result = motion_actions.close_vote(actor=cast.alice, vote=vote, now=later)
    assert (result.yes, vote.secret_ballots.get().receipt) == (1, receipt.receipt)


def test_the_keys_of_closed_polls_go_at_the_next_sweep_without_waiting(cast):
    vote, election = secret_vote(cast), open_poll(cast)
    vote_key, election_key = key_written_at_now(vote), key_written_at_now(election)
    # Each close deletes its key once it commits, which no test transaction does: as when the
    # process stops between the commit and the deletion.
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW + timedelta(minutes=1))
    assert vote_key.exists()
    assert sweep(NOW + timedelta(minutes=1)) == [str(vote.uuid)]
    assert not vote_key.exists() and election_key.exists()
    actions.close_election(actor=None, election=election, now=POLL_CLOSES)
    assert election_key.exists()
    assert sweep(POLL_CLOSES) == [str(election.uuid)] and not election_key.exists()


def test_a_key_no_poll_of_the_database_claims_is_set_aside_and_put_back_when_its_poll_needs_it(cast):
    # As when the server is pointed at the wrong database: the poll is open in the right one.
    vote = secret_vote(cast)
    key = key_written_at_now(vote)
    assert sealing.remove_stale_keys(now=NOW + GRACE, polls=lambda polls: {}) == ([], [str(vote.uuid)])
    assert not key.exists() and set_aside(key).exists()
    # Back on the right database, the sweep leaves the set-aside key alone and the poll goes on.
    assert sweep(NOW + GRACE) == [] and set_aside(key).exists()
    receipt = motion_actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW + GRACE)
    assert key.exists() and not set_aside(key).exists()
    result = motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW + GRACE)
    assert (result.yes, vote.secret_ballots.get().receipt) == (1, receipt.receipt)


def test_the_sweep_leaves_files_not_named_as_keys_alone(cast):
    directory = Path(settings.COUNCILS_BALLOT_KEY_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    others = [directory / name for name in ("README", "old.key", f"{str(cast.bob.uuid).upper()}.key")]
    for path in others:
        path.write_bytes(b"x")
        os.utime(path, (NOW.timestamp(), NOW.timestamp()))
    assert sweep(NOW + timedelta(days=1)) == [] and all(path.exists() for path in others)


def test_the_command_says_how_many_key_files_it_deleted_and_set_aside(cast):
    vote = secret_vote(cast)
    key_written_at_now(vote)
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW + timedelta(minutes=1))
    with pytest.raises(RequestFailed), transaction.atomic():
        rolled_back = secret_vote(cast)
        raise RequestFailed
    key_written_at_now(rolled_back)
    out = io.StringIO()
    call_command("run_due_terms", stdout=out, stderr=io.StringIO())
    assert "Deleted the ballot keys of 1 closed poll." in out.getvalue()
    said = "Set aside 1 ballot key file that no poll in this database claims (as .unclaimed;"
    assert said in out.getvalue()
