"""The migration that keeps each office's pay currency takes it from the office's latest declaration."""

import importlib
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.db import transaction

from councils.federation import actions as fa
from councils.federation.models import Office
from councils.mandates import actions
from councils.record.actions import append_entry
from tests.conftest import NOW

migration = importlib.import_module("councils.federation.migrations.0002_office_pay_currency")


def declare(cast, office, *, pay, now):
    actions.declare_pay(actor=office.user, office=office, pay=Decimal(pay), expenses=Decimal(0), now=now)


def declare_as_recorded_before(cast, office, *, now, **currency):
    """An `office.pay_declared` entry as older code wrote it: without `currency`, or with it null."""
    with transaction.atomic():
        append_entry(
            event="office.pay_declared",
            actor=office.user,
            council=office.council,
            payload={
                "office": str(office.uuid),
                "role": office.role,
                "pay": "2000.00",
                "expenses": "0",
                "cap": "2400.00",
                "above_cap": False,
                "constitution_version": 0,
                **currency,
            },
            now=now,
        )


def test_each_office_takes_the_currency_of_its_latest_declaration(cast, rules):
    chair = Office.objects.get(council=cast.riverside, role="chair")
    observer = Office.objects.get(council=cast.riverside, role="observer")
    treasurer = fa.appoint_founding_officer(
        actor=None, council=cast.harbour, user=cast.dave, role="treasurer", now=NOW
    )
    secretary = fa.appoint_founding_officer(
        actor=None, council=cast.harbour, user=cast.erin, role="secretary", now=NOW
    )
    later = NOW + timedelta(days=1)
    declare(cast, chair, pay="2500.00", now=NOW)
    declare(cast, treasurer, pay="2000.00", now=NOW)
    declare(cast, secretary, pay="2000.00", now=NOW)
    rules.amend(pay_currency="GBP")
    declare(cast, chair, pay="2100.00", now=later)  # EUR, then GBP: GBP.
    declare_as_recorded_before(cast, treasurer, now=later)  # EUR, then none named: none.
    declare_as_recorded_before(cast, secretary, now=later, currency=None)  # EUR, then null: none.
    rules.amend(pay_currency="USD")
    # The rows as they stood when the column was added: blank everywhere.
    Office.objects.update(pay_currency="")

    migration.currency_of_latest_declaration(apps, None)

    currencies = dict(Office.objects.values_list("uuid", "pay_currency"))
    # An office that never declared names no currency (observer), whatever the constitution states now.
    assert {
        "chair": currencies[chair.uuid],
        "treasurer": currencies[treasurer.uuid],
        "secretary": currencies[secretary.uuid],
        "observer": currencies[observer.uuid],
    } == {"chair": "GBP", "treasurer": "", "secretary": "", "observer": ""}
    assert Office.objects.get(pk=chair.pk).declared_pay == Decimal("2100.00")
