"""An applicant whose last sponsor signs as they join another council: one membership, a clear refusal."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from councils.core.errors import ConflictError
from councils.federation import actions as federation_actions
from councils.federation.models import Membership
from councils.membership import actions
from councils.membership.models import Application
from tests.conftest import make_user
from tests.membership.support import LATER, adopt


@pytest.mark.django_db(transaction=True)
def test_a_candidacy_starting_as_the_applicant_joins_elsewhere_is_refused_clearly(cast):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time, so the two cannot overlap there")
    adopt(cast)
    gina = make_user("gina", "Gina Rossi")
    application = actions.apply_for_membership(actor=gina, council=cast.riverside, now=LATER)
    actions.sponsor_application(actor=cast.bob, application=application, now=LATER)
    enrolled = threading.Event()
    outcomes: dict[str, object] = {}

    def enrol():
        # Holds its membership uncommitted while the last sponsor signs, so that any query of the
        # sponsor's action finds gina in no council: only the constraint can refuse the candidacy.
        try:
            with transaction.atomic():
                federation_actions.add_founding_member(actor=None, council=cast.harbour, user=gina, now=LATER)
                enrolled.set()
                time.sleep(1)
            outcomes["enrol"] = "enrolled"
        except Exception as exc:
            outcomes["enrol"] = exc
        finally:
            enrolled.set()
            connections.close_all()

    def sponsor():
        try:
            enrolled.wait(timeout=30)
            outcomes["sponsor"] = actions.sponsor_application(
                actor=cast.erin, application=application, now=LATER
            )
        except Exception as exc:  # an IntegrityError would be the failure looked for
            outcomes["sponsor"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol), threading.Thread(target=sponsor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes["enrol"] == "enrolled"
    refused = outcomes["sponsor"]
    assert isinstance(refused, ConflictError), refused
    assert str(refused) == "The applicant has joined another council meanwhile."
    assert Membership.objects.get(user=gina, ended_at__isnull=True).council == cast.harbour
    application.refresh_from_db()
    assert application.status == Application.Status.SPONSORING
    assert application.sponsorships.count() == 1
