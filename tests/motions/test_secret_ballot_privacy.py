"""Attack a dump of the database after a secret vote, as an operator would, and measure re-linking.

Ground truth comes from the receipts each voter was given. The attacker sorts
participation rows (who voted) by every hidden or visible order the database
offers (SQLite rowid; PostgreSQL xmin and ctid; ids; the order of the
`ballot.cast` record entries) and the ballot rows likewise, and pairs them by
rank. With batches of k shuffled ballots, each batch gives one lucky match on
average, so the expected share re-linked is 1/k with standard deviation
sqrt(n/k)/n. The naive design (participation and ballot in one transaction)
is attacked the same way and must fail.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from councils.accounts.models import User
from councils.federation import actions as federation_actions
from councils.motions import actions
from councils.motions.models import Participation, SecretBallot, Vote
from councils.record.models import Entry
from tests.privacy import relink_bound

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
VOTERS = 150
K = 10


def _council_of(n: int):
    federation = federation_actions.create_federation(actor=None, name="Privacy", now=NOW)
    council = federation_actions.create_council(
        actor=None,
        federation=federation,
        name="Big Depot",
        kind="workplace",
        parent=None,
        is_base=True,
        now=NOW,
    )
    users = User.objects.bulk_create(User(username=f"voter{i:03d}", password="!") for i in range(n))
    users = list(User.objects.filter(username__startswith="voter").order_by("username"))
    for user in users:
        federation_actions.add_founding_member(actor=None, council=council, user=user, now=NOW)
    return council, users


def _sort_keys() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {"xmin_ctid": "xmin::text::bigint, ctid", "ctid": "ctid", "id": "id"}
    return {"rowid": "rowid", "id": "id"}


def _rows(table: str, columns: str, vote: Vote, order: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE vote_id = %s ORDER BY {order}", [vote.pk])
        return list(cursor.fetchall())


def _attack(vote: Vote, truth: dict[int, str]) -> dict[str, float]:
    """Pair who-voted rows with ballot rows by rank under every ordering; share of voters re-linked."""
    voter_orders: dict[str, list[int]] = {
        f"participation.{name}": [r[0] for r in _rows("motions_participation", "voter_id", vote, order)]
        for name, order in _sort_keys().items()
    }
    entries = Entry.objects.filter(event="ballot.cast").order_by("id")
    by_uuid = {str(u.uuid): u.pk for u in User.objects.filter(pk__in=truth)}
    voter_orders["record.entries"] = [
        by_uuid[json.loads(bytes(e.data))["payload"]["voter"]]
        for e in entries
        if json.loads(bytes(e.data))["payload"]["vote"] == str(vote.uuid)
    ]
    ballot_orders = {
        f"ballot.{name}": [r[0] for r in _rows("motions_secretballot", "receipt", vote, order)]
        for name, order in _sort_keys().items()
    }
    rates = {}
    for voter_name, voters in voter_orders.items():
        for ballot_name, receipts in ballot_orders.items():
            hits = sum(truth[v] == r for v, r in zip(voters, receipts, strict=True))
            rates[f"{voter_name}~{ballot_name}"] = hits / len(truth)
    return rates


def _secret_vote(council, users) -> tuple[Vote, dict[int, str]]:
    motion = actions.table_motion(
        actor=None, council=council, title="Strike", text="Strike on Monday.", now=NOW, seconds_required=0
    )
    vote = actions.open_vote(actor=None, motion=motion, now=NOW, method="secret")
    truth = {}
    rng = random.Random(7)
    for user in rng.sample(users, len(users)):
        receipt = actions.cast_vote(
            actor=user, vote=vote, choice=rng.choice(["yes", "no", "abstain"]), now=NOW
        )
        truth[user.pk] = receipt.receipt
    return vote, truth


@pytest.mark.django_db(transaction=True)
def test_dump_of_secret_vote_relinks_no_more_than_one_in_k(settings):
    settings.COUNCILS_SECRET_BATCH_SIZE = K
    settings.COUNCILS_SECRET_BATCH_SECONDS = 3600
    council, users = _council_of(VOTERS)
    vote, truth = _secret_vote(council, users)
    # Every cast committed on its own and the flusher ran after each commit.
    assert SecretBallot.objects.filter(vote=vote).count() == VOTERS // K * K
    during = _attack(vote, truth)
    actions.close_vote(actor=None, vote=vote, now=NOW)
    after = _attack(vote, truth)
    bound = relink_bound(VOTERS, K)
    assert max(during.values()) <= bound, during
    assert max(after.values()) <= bound, after


# Casts the naive design's ballots by hand, behind `cast_vote`.
@pytest.mark.tampers
@pytest.mark.django_db(transaction=True)
def test_naive_design_fails_the_same_attack(settings):
    council, users = _council_of(VOTERS)
    motion = actions.table_motion(
        actor=None, council=council, title="Strike", text="Strike on Monday.", now=NOW, seconds_required=0
    )
    vote = actions.open_vote(actor=None, motion=motion, now=NOW, method="secret")
    truth = {}
    for user in random.Random(3).sample(users, len(users)):
        receipt = uuid.uuid4().hex[:16]
        with transaction.atomic():
            # The naive design: the ballot goes in with the participation, in the voter's transaction.
            Participation.objects.create(vote=vote, voter=user)
            SecretBallot.objects.create(vote=vote, choice="yes", receipt=receipt)
            from councils.record.actions import append_entry

            append_entry(
                event="ballot.cast",
                actor=user,
                council=council,
                payload={"vote": str(vote.uuid), "voter": str(user.uuid)},
                now=NOW,
            )
        truth[user.pk] = receipt
    rates = _attack(vote, truth)
    assert max(rates.values()) > relink_bound(VOTERS, K)
    assert max(rates.values()) == 1.0
