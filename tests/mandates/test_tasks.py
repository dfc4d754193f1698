from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings

from councils.federation.models import Seat
from councils.mandates import actions, tasks
from councils.mandates.models import RecallPetition
from tests.conftest import NOW


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_starting_a_petition_schedules_its_expiry(cast, rules, django_capture_on_commit_callbacks):
    from django_tasks import default_task_backend

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        with django_capture_on_commit_callbacks(execute=True):
            petition = actions.start_recall(actor=cast.erin, seat=Seat.objects.get(user=cast.bob), now=NOW)
        [scheduled] = default_task_backend.results
    assert scheduled.task.name == "expire_due_petitions"
    assert scheduled.task.run_after == petition.expires_at


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_expiry_task_closes_petitions_past_their_window(cast, rules):
    actions.start_recall(actor=cast.erin, seat=Seat.objects.get(user=cast.bob), now=NOW - timedelta(days=400))
    assert tasks.expire_due_petitions.call() == 1
    assert RecallPetition.objects.get().status == "expired"


def test_alert_mails_task_sends_each_alert(mailoutbox):
    assert tasks.send_alert_mails.call([["Subject", "Body", "erin@example.org"]]) == 1
    assert mailoutbox[0].to == ["erin@example.org"] and mailoutbox[0].subject == "Subject"
