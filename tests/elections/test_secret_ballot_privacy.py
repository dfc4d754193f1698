"""Attack a dump of the database during and after a secret election, and measure re-linking.

Every voter casts a different ranking, so the test knows which ballot is
whose. The attacker sorts the who-voted rows (SQLite rowid; PostgreSQL xmin
and ctid; ids; the order of the `election.ballot_cast` entries) and the
ballot rows by every order the database offers and pairs them by rank. With
shuffled batches of k, about 1/k of voters are re-linked by luck; the naive
design (ballot written in the voter's transaction) re-links all of them.
"""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from councils.accounts.models import User
from councils.elections import actions
from councils.elections.models import Ballot, Election, Participation
from councils.federation import actions as federation_actions
from councils.federation.models import Office
from councils.record.actions import append_entry
from councils.record.models import Entry
from tests.privacy import relink_bound

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
VOTERS = 120
K = 10


def _election() -> tuple[Election, list[User], list[str]]:
    federation = federation_actions.create_federation(actor=None, name="Privacy", now=NOW)
    council = federation_actions.create_council(
        actor=None, federation=federation, name="Region", kind="district", parent=None, is_base=False, now=NOW
    )
    depot = federation_actions.create_council(
        actor=None,
        federation=federation,
        name="Big Depot",
        kind="workplace",
        parent=council,
        is_base=True,
        now=NOW,
    )
    User.objects.bulk_create(User(username=f"voter{i:03d}", password="!") for i in range(VOTERS))
    users = list(User.objects.filter(username__startswith="voter").order_by("username"))
    for user in users:
        federation_actions.add_founding_member(actor=None, council=depot, user=user, now=NOW)
    federation_actions.appoint_founding_officer(
        actor=None, council=depot, user=users[0], role=Office.Role.CHAIR, now=NOW
    )
    election = actions.call_election(
        actor=users[0], council=depot, kind="office", role="secretary", method="scottish-stv", now=NOW
    )
    candidates = [
        str(actions.nominate(actor=u, election=election, candidate=u, now=NOW).uuid) for u in users[:6]
    ]
    election = actions.open_voting(
        actor=users[0], election=election, closes_at=NOW + timedelta(hours=1), now=NOW
    )
    return election, users, candidates


def _order_keys() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {"xmin_ctid": "xmin::text::bigint, ctid", "ctid": "ctid", "id": "id"}
    return {"rowid": "rowid", "id": "id"}


def _rows(table: str, column: str, election: Election, order: str) -> list[object]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE election_id = %s ORDER BY {order}", [election.pk])
        return [row[0] for row in cursor.fetchall()]


def _attack(election: Election, truth: dict[int, str]) -> dict[str, float]:
    voters = {
        f"participation.{name}": _rows("elections_participation", "user_id", election, order)
        for name, order in _order_keys().items()
    }
    by_uuid = {str(u.uuid): u.pk for u in User.objects.filter(pk__in=truth)}
    voters["record.entries"] = [
        by_uuid[json.loads(bytes(e.data))["actor"]]
        for e in Entry.objects.filter(event="election.ballot_cast").order_by("id")
    ]
    ballots = {
        f"ballot.{name}": [
            json.dumps(json.loads(r) if isinstance(r, str) else r)
            for r in _rows("elections_ballot", "ranking", election, order)
        ]
        for name, order in _order_keys().items()
    }
    rates = {}
    for voter_name, who in voters.items():
        for ballot_name, what in ballots.items():
            hits = sum(truth[v] == b for v, b in zip(who, what, strict=False))
            rates[f"{voter_name}~{ballot_name}"] = hits / len(truth)
    return rates


def _distinct_rankings(candidates: list[str], n: int) -> list[list[str]]:
    rankings = [list(p) for p in itertools.permutations(candidates, 4)]
    return random.Random(5).sample(rankings, n)


@pytest.mark.django_db(transaction=True)
def test_dump_of_election_relinks_no_more_than_one_in_k(settings):
    settings.COUNCILS_SECRET_BATCH_SIZE = K
    election, users, candidates = _election()
    truth = {}
    for user, ranking in zip(
        random.Random(9).sample(users, VOTERS), _distinct_rankings(candidates, VOTERS), strict=True
    ):
        actions.cast_ballot(actor=user, election=election, ranking=ranking, now=NOW)
        truth[user.pk] = json.dumps([[c] for c in ranking])
    # Every cast committed on its own and the flush ran after each commit.
    assert Ballot.objects.filter(election=election).count() == VOTERS // K * K
    during = _attack(election, truth)
    actions.close_election(actor=users[0], election=election, now=NOW)
    after = _attack(election, truth)
    bound = relink_bound(VOTERS, K)
    assert max(during.values()) <= bound, during
    assert max(after.values()) <= bound, after


@pytest.mark.django_db(transaction=True)
def test_naive_design_fails_the_same_attack():
    election, users, candidates = _election()
    truth = {}
    for user, ranking in zip(
        random.Random(9).sample(users, VOTERS), _distinct_rankings(candidates, VOTERS), strict=True
    ):
        stored = [[c] for c in ranking]
        with transaction.atomic():
            Participation.objects.create(election=election, user=user)
            Ballot.objects.create(election=election, ranking=stored)
            append_entry(
                event="election.ballot_cast",
                actor=user,
                council=election.council,
                payload={"election": str(election.uuid)},
                now=NOW,
            )
        truth[user.pk] = json.dumps(stored)
    rates = _attack(election, truth)
    assert max(rates.values()) == 1.0
