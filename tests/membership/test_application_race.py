"""A person has one open application at most, even when they apply to two councils at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from councils.core.errors import ConflictError
from councils.membership import actions
from councils.membership.models import Application
from councils.record.models import Entry
from tests.conftest import make_user
from tests.membership.support import LATER, adopt


@pytest.mark.django_db(transaction=True)
def test_two_applications_at_once_give_one_application_and_one_clear_refusal(cast):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time, so applications cannot overlap there")
    adopt(cast)
    gina = make_user("gina", "Gina Rossi")
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def apply(council):
        try:
            barrier.wait()
            outcomes.append(actions.apply_for_membership(actor=gina, council=council, now=LATER))
        except Exception as exc:  # an IntegrityError would be the failure looked for
            outcomes.append(exc)
        finally:
            connections.close_all()

    # Each application locks its own council's row, so the two do not wait for each other.
    threads = [threading.Thread(target=apply, args=(c,)) for c in (cast.riverside, cast.harbour)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    refusals = [o for o in outcomes if not isinstance(o, Application)]
    assert [str(r) for r in refusals] == ["You already have an application in progress."]
    assert isinstance(refusals[0], ConflictError)
    assert Application.objects.filter(applicant=gina).count() == 1
    assert Entry.objects.filter(event="membership.applied").count() == 1


def test_an_applicant_with_an_application_in_progress_is_refused_another(cast):
    adopt(cast)
    gina = make_user("gina", "Gina Rossi")
    actions.apply_for_membership(actor=gina, council=cast.riverside, now=LATER)
    with pytest.raises(ConflictError, match="already have an application in progress"):
        actions.apply_for_membership(actor=gina, council=cast.harbour, now=LATER)
    assert Application.objects.filter(applicant=gina).count() == 1
