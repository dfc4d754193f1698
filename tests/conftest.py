"""The fixed cast shared by every test (and mirrored by the demo).

- `alice`: chair of Riverside Depot, a workplace council; a full member there.
- `bob`: full member of Riverside Depot and its delegate to Eastside District.
- `carol`: observer of Riverside Depot: reads, never votes.
- `dave`: full member of Harbour Works only, another workplace council.
- `erin`, `frank`: further full members of Riverside Depot, so votes have a crowd.
- anonymous: no login at all.

The tree: National Congress > Metro City > Eastside District > {Riverside Depot, Harbour Works}.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from django.db import transaction
from django.test import Client

from councils.accounts.models import User
from councils.accounts.tokens import issue_token
from councils.constitution import actions as constitution_actions
from councils.core.rules.constitution import Constitution
from councils.elections import actions as election_actions
from councils.elections.models import Election
from councils.federation import actions as federation_actions
from councils.federation.models import Council, Federation, Office, Seat
from councils.motions import actions as motion_actions
from tests.migrated_once import migrated_once, remove_template

# Property tests check correctness, not speed (bench/ does that): a busy CI machine must not fail them.
hypothesis.settings.register_profile(
    "councils", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("councils")

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "councils-demo"


@dataclass
class Cast:
    federation: Federation
    national: Council
    city: Council
    district: Council
    riverside: Council
    harbour: Council
    alice: User
    bob: User
    carol: User
    dave: User
    erin: User
    frank: User

    def client(self, user: User | None) -> Client:
        """A web client logged in as `user` (anonymous for None)."""
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def api(self, user: User | None) -> Client:
        """An API client sending `user`'s bearer token (none for anonymous)."""
        if user is None:
            return Client()
        token = issue_token(user=user, name="test", now=NOW)
        return Client(headers={"Authorization": f"Bearer {token}"})

    def reelect_bob(self) -> Election:
        """Riverside Depot re-elects Bob to one seat within the hour: he then sits by that election."""
        election = election_actions.call_election(
            actor=self.alice, council=self.riverside, kind="delegates", seats=1, now=NOW
        )
        bob = election_actions.nominate(actor=self.bob, election=election, candidate=self.bob, now=NOW)
        closes = NOW + timedelta(hours=1)
        election_actions.open_voting(actor=self.alice, election=election, closes_at=closes, now=NOW)
        for voter in (self.alice, self.bob, self.erin, self.frank):
            election_actions.cast_ballot(actor=voter, election=election, ranking=[str(bob.uuid)], now=NOW)
        closed = election_actions.close_election(actor=self.alice, election=election, now=closes)
        return election_actions.certify_election(actor=self.alice, election=closed, now=closes)


def make_user(username: str, name: str) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, display_name=name, email=f"{username}@example.org"
    )


def created_as(visibilities: Iterable[str], *councils: str) -> list[Any]:
    """Parameters running a test once for each of `visibilities`, the cast's `councils` created with it."""
    return [
        pytest.param(v, marks=pytest.mark.visibility(**dict.fromkeys(councils, v)), id=str(v))
        for v in visibilities
    ]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "chair_term(ends): the cast's founding chair of Riverside Depot serves until `ends`"
    )
    config.addinivalue_line(
        "markers", "delegate_term(ends): the cast's delegate of Riverside Depot sits until `ends`"
    )
    config.addinivalue_line(
        "markers", "tampers: the test alters the database behind the record on purpose (`verified_record`)"
    )
    config.addinivalue_line(
        "markers", "constitution(**settings): the founding constitution of the `rules` fixture sets them"
    )
    config.addinivalue_line(
        "markers",
        'visibility(**councils): who sees the cast\'s councils named (riverside="council"), set as each'
        " is created",
    )
    config.addinivalue_line(
        "markers",
        "members_per_delegate(**councils): the cast's councils named (district=1) take from each council"
        " below a delegate per so many of its voters, set as each is created",
    )
    if _starts_workers(config) and config.getoption("testrunuid") is None:
        # Known here, so that the run's migrated template can be removed when it ends.
        config.option.testrunuid = uuid.uuid4().hex


def _starts_workers(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput") and bool(config.getoption("numprocesses", None))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _starts_workers(config):
        from pytest_django.plugin import blocking_manager_key

        with config.stash[blocking_manager_key].unblock():
            remove_template(config.getoption("testrunuid"))


@pytest.fixture(scope="session")
def _migrated_once(request: pytest.FixtureRequest, django_db_keepdb: bool) -> Iterator[None]:
    """In an xdist worker, take the run's migrated database rather than migrate (tests/migrated_once.py)."""
    from django.db import connections

    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is None or django_db_keepdb:
        yield
        return
    with migrated_once(connections["default"], workerinput["testrunuid"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(_migrated_once: None, django_db_setup: None) -> None:
    """pytest-django's, the database of each xdist worker copied from the run's migrated one."""


@pytest.fixture
def cast(db: None, request: pytest.FixtureRequest) -> Cast:
    """A federation of five councils and six people; `chair_term` and `delegate_term` give posts terms.

    Every council is seen by the whole federation unless the `visibility` marker names it: a council's
    visibility is chosen when it is created and no action changes it. So is the apportionment of each
    council above the base, which the `members_per_delegate` marker sets.
    """
    chair_term = request.node.get_closest_marker("chair_term")
    delegate_term = request.node.get_closest_marker("delegate_term")
    marker = request.node.get_closest_marker("visibility")
    seen = dict(marker.kwargs) if marker else {}
    unknown = seen.keys() - {"national", "city", "district", "riverside", "harbour"}
    assert not unknown, f"The cast has no council called {', '.join(sorted(unknown))}."
    apportioned = request.node.get_closest_marker("members_per_delegate")
    per_delegate = {"national": 2, "city": 2, "district": 3, **(apportioned.kwargs if apportioned else {})}
    unknown = per_delegate.keys() - {"national", "city", "district"}
    assert not unknown, f"The cast has no council above the base called {', '.join(sorted(unknown))}."
    fa = federation_actions
    federation = fa.create_federation(actor=None, name="Demo Federation", now=NOW)
    national = fa.create_council(
        actor=None,
        federation=federation,
        visibility=seen.get("national", Council.Visibility.FEDERATION),
        name="National Congress",
        kind="national",
        parent=None,
        is_base=False,
        members_per_delegate=per_delegate["national"],
        now=NOW,
    )
    city = fa.create_council(
        actor=None,
        federation=federation,
        visibility=seen.get("city", Council.Visibility.FEDERATION),
        name="Metro City",
        kind="city",
        parent=national,
        is_base=False,
        members_per_delegate=per_delegate["city"],
        now=NOW,
    )
    district = fa.create_council(
        actor=None,
        federation=federation,
        visibility=seen.get("district", Council.Visibility.FEDERATION),
        name="Eastside District",
        kind="district",
        parent=city,
        is_base=False,
        members_per_delegate=per_delegate["district"],
        now=NOW,
    )
    riverside = fa.create_council(
        actor=None,
        federation=federation,
        visibility=seen.get("riverside", Council.Visibility.FEDERATION),
        name="Riverside Depot",
        kind="workplace",
        parent=district,
        is_base=True,
        now=NOW,
    )
    harbour = fa.create_council(
        actor=None,
        federation=federation,
        visibility=seen.get("harbour", Council.Visibility.FEDERATION),
        name="Harbour Works",
        kind="workplace",
        parent=district,
        is_base=True,
        now=NOW,
    )
    users = {
        name: make_user(name, label)
        for name, label in [
            ("alice", "Alice Adeyemi"),
            ("bob", "Bob Novak"),
            ("carol", "Carol Singh"),
            ("dave", "Dave Okafor"),
            ("erin", "Erin Walsh"),
            ("frank", "Frank Costa"),
        ]
    }
    for name in ("alice", "bob", "erin", "frank"):
        fa.add_founding_member(actor=None, council=riverside, user=users[name], now=NOW)
    fa.add_founding_member(actor=None, council=harbour, user=users["dave"], now=NOW)
    fa.appoint_founding_officer(
        actor=None,
        council=riverside,
        user=users["alice"],
        role=Office.Role.CHAIR,
        term_ends_at=chair_term.args[0] if chair_term else None,
        now=NOW,
    )
    fa.appoint_founding_officer(
        actor=None, council=riverside, user=users["carol"], role=Office.Role.OBSERVER, now=NOW
    )
    with transaction.atomic():
        fa.seat_delegate(
            from_council=riverside,
            user=users["bob"],
            election_uuid=None,
            term_ends_at=delegate_term.args[0] if delegate_term else None,
            now=NOW,
        )
    return Cast(federation, national, city, district, riverside, harbour, **users)


@pytest.fixture(autouse=True, scope="session")
def _record_guard_lifted_for_flush():
    """Let transactional tests empty the test database; the record's triggers refuse it otherwise.

    SQLite: this thread lifts the guard its triggers ask. PostgreSQL: the flush runs with triggers
    off, which only a superuser (as the test database's role is) may ask for.
    """
    from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQL
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLite

    from councils.record.guard import lifted

    sqlite_ops, postgresql_ops = SQLite.ops_class, PostgreSQL.ops_class
    sqlite_flush, postgresql_flush = sqlite_ops.execute_sql_flush, postgresql_ops.execute_sql_flush

    def flush_sqlite(self, sql_list):
        with lifted():
            return sqlite_flush(self, sql_list)

    def flush_postgresql(self, sql_list):
        return postgresql_flush(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    sqlite_ops.execute_sql_flush = flush_sqlite
    postgresql_ops.execute_sql_flush = flush_postgresql
    yield
    sqlite_ops.execute_sql_flush = sqlite_flush
    postgresql_ops.execute_sql_flush = postgresql_flush


@pytest.fixture(autouse=True)
def _ballot_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Give each test a ballot key directory of its own, as it has a transaction of its own.

    Key files are not in the database, so the rollback that ends a test leaves behind the keys of
    the polls it opened (in production the rules' sweep removes such files). Keys already there
    when the test starts, of data loaded for more than one test (the demo's, for its module), are
    copied in. (Not through pytest-django's `settings`, a name some tests give their parameters.)
    """
    from django.conf import settings
    from django.test import override_settings

    shared = Path(settings.COUNCILS_BALLOT_KEY_DIR)
    own = tmp_path_factory.mktemp("ballot_keys")
    if shared.is_dir():
        for key in shared.iterdir():
            shutil.copy(key, own)
    with override_settings(COUNCILS_BALLOT_KEY_DIR=own):
        yield


@pytest.fixture(autouse=True)
def _no_connection_left_in_asgirefs_thread() -> Iterator[None]:
    """Close what database connection the test left open in asgiref's shared worker thread.

    `sync_to_async` called outside a request (under a test's own `asyncio.run`) runs in that one
    thread, which lives as long as the process: a connection opened there and left open would hold
    the test database until the end, and PostgreSQL would refuse to drop it ("being accessed by
    other users").
    """
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Start every test with an empty cache, so login-failure counters and used codes never leak."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def local_broker(monkeypatch):
    """Live events published in this process, whatever broker the settings name (Redis relays later)."""
    from councils.live.broker import InProcessBroker

    local = InProcessBroker()
    monkeypatch.setattr("councils.live.publish.broker", lambda: local)
    return local


# The founding constitution of the `rules` fixture: recall and agenda petitions at half the voters, so
# that 2 of Riverside's 4 force a vote or an item.
RULES = {"recall_signature_share": "0.50", "agenda_petition_share": "0.50"}


class Rules:
    """The cast's constitution in force, changed only as a federation changes it."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast

    def amend(self, **changes: Any) -> None:
        """Amend the constitution by a vote of the National Congress.

        Bob, Riverside's delegate, is seated up the tree where he does not sit yet: the National
        Congress's one voter, he carries it. The rules propose the change and open the vote (actor
        None), so the amendment needs no chair.
        """
        with transaction.atomic():
            for below, above in ((self.cast.district, self.cast.city), (self.cast.city, self.cast.national)):
                if not Seat.objects.filter(user=self.cast.bob, council=above, ended_at__isnull=True).exists():
                    federation_actions.seat_delegate(
                        from_council=below, user=self.cast.bob, election_uuid=None, term_ends_at=None, now=NOW
                    )
        amendment = constitution_actions.propose_constitution_amendment(
            actor=None, federation=self.cast.federation, changes=changes, explanation="", now=NOW
        )
        vote = constitution_actions.open_amendment_vote(
            actor=None, amendment=amendment, now=NOW, method="named"
        )
        motion_actions.cast_vote(actor=self.cast.bob, vote=vote, choice="yes", now=NOW)
        assert motion_actions.close_vote(actor=None, vote=vote, now=NOW).adopted


@pytest.fixture
def rules(cast: Cast, request: pytest.FixtureRequest) -> Rules:
    """Found the cast's federation on a constitution: `RULES`, and the settings of the `constitution` marker.

    The marker nearest the test wins over one on its module. Change it later with `rules.amend(...)`.
    """
    settings = dict(RULES)
    for marker in reversed(list(request.node.iter_markers("constitution"))):
        settings.update(marker.kwargs)
    document = {**Constitution().to_document(), **settings}
    constitution_actions.adopt_initial_constitution(
        actor=None, federation=cast.federation, document=document, now=NOW
    )
    return Rules(cast)


@pytest.fixture
def terms_of_one_post(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave out of the rules' sweep the elections for the cast's unfilled delegate seats.

    The cast leaves Harbour Works and Eastside District without delegates and Riverside Depot a seat
    short, and from 30 days on the rules call their delegates' elections (tests/elections/
    test_unfilled_seats.py). Tests that follow the terms of one post leave that step out.
    """
    monkeypatch.setattr("councils.elections.actions._call_for_unfilled_seats", lambda **_: None)


@pytest.fixture(autouse=True)
def verified_record(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves a database its record does not account for.

    As `manage.py verify_record` would, so that no test passes on a state no sequence of actions
    reaches. A test without the database is left alone, and so is one marked `tampers`, which alters
    the database behind the record on purpose. A browser test is verified too: what its live server
    wrote through actions is committed (`transactional_db`), or, on SQLite in memory, written through
    the very connection this thread verifies with.
    """
    uses = [name for name in ("transactional_db", "db") if name in request.fixturenames]
    if request.node.get_closest_marker("django_db"):
        uses.append("db")  # A test may ask for the database by its marker alone, which still says how.
    checked = bool(uses) and request.node.get_closest_marker("tampers") is None
    if checked:
        # Set up first, so that the database is still there when the test's own fixtures are gone.
        request.getfixturevalue(uses[0])
    yield
    if checked:
        from councils.record.verification import verify_database

        assert verify_database() == [], "the test left a database its record does not account for"
