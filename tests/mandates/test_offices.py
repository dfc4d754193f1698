import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.core.rules.terms import TermRuleError, add_months
from councils.federation import actions as fa
from councils.federation.models import Office, Seat
from councils.mandates import actions, queries
from councils.mandates.models import Notification, ReportDue
from councils.mandates.rules import check_eligible_for_office, check_term
from councils.record.models import Entry
from tests.conftest import NOW


def chair(cast):
    return Office.objects.get(council=cast.riverside, role="chair", ended_at__isnull=True)


def test_pay_above_the_cap_is_flagged_and_members_alerted(
    cast, rules, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.declare_pay(
            actor=cast.alice, office=chair(cast), pay=Decimal("3000.00"), expenses=Decimal("0"), now=NOW
        )
    line = next(
        x
        for x in queries.list_register(federation_id=cast.federation.id, now=NOW)
        if x.office_uuid == chair(cast).uuid
    )
    assert line.pay_excess == Decimal("600.00")
    assert Notification.objects.filter(kind="pay_above_cap").count() == 4
    assert len(mailoutbox) == 4 and "above the cap" in mailoutbox[0].body


def test_pay_within_the_cap_is_not_flagged(cast, rules):
    actions.declare_pay(
        actor=cast.alice, office=chair(cast), pay=Decimal("2400.00"), expenses=Decimal("80"), now=NOW
    )
    assert queries.list_pay_breaches(federation_id=cast.federation.id, now=NOW) == []
    assert not Notification.objects.exists()


def test_ended_office_cannot_declare(cast, rules):
    office = chair(cast)
    with transaction.atomic():
        fa.vacate_office(office=office, reason="term_ended", actor=None, now=NOW)
    with pytest.raises(ConflictError):
        actions.declare_pay(actor=cast.alice, office=office, pay=Decimal(1), expenses=Decimal(0), now=NOW)


def test_register_counts_terms_served(cast, rules):
    later = add_months(NOW, 13)
    lines = queries.list_register(
        federation_id=cast.federation.id, now=later, council_ids=[cast.riverside.id]
    )
    by_role = {(line.council.name, line.role): line for line in lines}
    assert by_role[("Riverside Depot", "chair")].terms_served == 2
    assert by_role[("Eastside District", "delegate")].terms_served == 2
    assert by_role[("Eastside District", "delegate")].from_council == cast.riverside


def test_third_consecutive_term_is_refused_for_office_and_delegate(cast, rules):
    later = add_months(NOW, 25)
    with pytest.raises(TermRuleError, match="chair of Riverside Depot for more than 2 consecutive"):
        check_eligible_for_office(cast.alice, cast.riverside, "chair", later)
    with pytest.raises(TermRuleError, match="delegate of Riverside Depot"):
        check_eligible_for_office(cast.bob, cast.riverside, "delegate", later)
    check_eligible_for_office(cast.erin, cast.riverside, "chair", later)
    check_eligible_for_office(cast.alice, cast.riverside, "chair", add_months(NOW, 11))


def test_check_term_refuses_indefinite_tenure(cast, rules):
    with pytest.raises(TermRuleError, match="indefinite tenure"):
        check_term(cast.riverside, NOW, None)
    check_term(cast.riverside, NOW, add_months(NOW, 12))


def _reports(cast):
    with transaction.atomic():
        return actions.open_reports_due(council=cast.district, meeting_uuid=uuid.uuid4(), now=NOW)


def test_meeting_close_opens_a_report_due_for_each_delegate(cast, rules):
    reports = _reports(cast)
    assert [(r.delegate, r.council) for r in reports] == [(cast.bob, cast.riverside)]
    assert reports[0].due_at == NOW + timedelta(days=14)
    assert Entry.objects.filter(event="report.due").count() == 1


def test_each_report_due_is_forced_onto_the_represented_councils_next_agenda(cast, rules):
    from councils.petitions.models import ForcedAgendaItem

    [report] = _reports(cast)
    item = ForcedAgendaItem.objects.get()
    assert (item.report, item.council, item.status, item.petition) == (
        report,
        cast.riverside,
        "pending",
        None,
    )
    [entry] = [json.loads(bytes(e.data)) for e in Entry.objects.filter(event="agenda.item_forced")]
    assert (entry["actor"], entry["payload"]["report"], entry["payload"]["by"]) == (
        None,
        str(report.uuid),
        "report_due",
    )


def test_delegate_submits_the_report_and_it_closes(cast, rules):
    report = _reports(cast)[0]
    actions.submit_report(actor=cast.bob, report=report, text="We adopted the levy; I voted yes.", now=NOW)
    report.refresh_from_db()
    assert report.submitted_at == NOW
    with pytest.raises(ConflictError):
        actions.submit_report(actor=cast.bob, report=report, text="again", now=NOW)


def test_only_the_delegate_reports_and_not_empty(cast, rules):
    report = _reports(cast)[0]
    with pytest.raises(PermissionDeniedError):
        actions.submit_report(actor=cast.alice, report=report, text="x", now=NOW)
    with pytest.raises(InvalidInputError):
        actions.submit_report(actor=cast.bob, report=report, text="  ", now=NOW)


def test_overdue_report_is_flagged_on_the_register(cast, rules):
    _reports(cast)
    later = NOW + timedelta(days=15)
    line = next(
        x for x in queries.list_register(federation_id=cast.federation.id, now=later) if x.role == "delegate"
    )
    assert (line.reports_open, line.reports_overdue) == (1, 1)
    report = ReportDue.objects.get()
    assert queries.is_overdue(report=report, now=later)


def test_report_api(cast, rules):
    report = _reports(cast)[0]
    listed = cast.api(cast.erin).get(f"/api/v1/mandates/councils/{cast.riverside.uuid}/reports").json()
    assert listed["count"] == 1 and listed["items"][0]["submitted_at"] is None
    url = f"/api/v1/mandates/reports/{report.uuid}"
    assert (
        cast.api(cast.alice)
        .post(url, data=json.dumps({"text": "x"}), content_type="application/json")
        .status_code
        == 403
    )
    assert (
        cast.api(cast.bob).post(url, data=json.dumps({}), content_type="application/json").status_code == 422
    )
    ok = cast.api(cast.bob).post(
        url, data=json.dumps({"text": "Levy adopted."}), content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["report"] == "Levy adopted."


def test_seat_not_in_the_register_after_it_ends(cast, rules):
    seat = Seat.objects.get(user=cast.bob)
    actions.resign_seat(actor=cast.bob, seat=seat, now=NOW)
    assert not [
        x for x in queries.list_register(federation_id=cast.federation.id, now=NOW) if x.role == "delegate"
    ]


def test_rules_come_from_the_adopted_constitution(cast):
    from dataclasses import replace

    from councils.constitution.actions import adopt_initial_constitution
    from councils.constitution.queries import constitution_for
    from councils.core.rules.constitution import Constitution

    assert constitution_for(federation=cast.federation) == Constitution()
    adopted = Constitution(term_months=6, recall_signature_share=Decimal("0.40"))
    adopt_initial_constitution(
        actor=None, federation=cast.federation, document=adopted.to_document(), now=NOW
    )
    assert constitution_for(federation=cast.federation) == replace(adopted, version=1)
    with pytest.raises(TermRuleError, match="at most 6 months"):
        check_term(cast.riverside, NOW, add_months(NOW, 12))


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_council_summary_lists_recalls_reports_and_items_in_one_query(cast, rules, django_assert_num_queries):
    from councils.petitions import actions as petition_actions

    actions.start_recall(actor=cast.erin, seat=Seat.objects.get(user=cast.bob), now=NOW)
    _reports(cast)
    petition = petition_actions.start_agenda_petition(
        actor=cast.erin, council=cast.riverside, title="Heat", text="x", now=NOW
    )
    petition_actions.sign_agenda_petition(actor=cast.frank, petition=petition, now=NOW)
    with django_assert_num_queries(1):
        rows = queries.council_summary(council=cast.riverside, now=NOW + timedelta(days=20))
    summary = [(r["kind"], r["label"], r["count"], r["needed"], r["state"], r["overdue"]) for r in rows]
    assert summary == [
        ("item", "Heat", 0, 0, "pending", False),
        ("recall", "Bob Novak", 1, 4, "open", False),
        ("report", "Bob Novak", 0, 0, "due", True),
    ]
    assert rows[2]["owner"] == cast.bob.id and rows[2]["other"] == "Eastside District"
    assert rows[0]["link"] == petition.uuid


def test_without_a_constitution_the_defaults_decide_and_entries_say_so(cast):
    # No `rules` fixture: the federation has adopted nothing, so the shipped defaults apply.
    actions.declare_pay(
        actor=cast.alice, office=chair(cast), pay=Decimal("2500.00"), expenses=Decimal("0"), now=NOW
    )
    [declared] = [
        json.loads(bytes(e.data))["payload"] for e in Entry.objects.filter(event="office.pay_declared")
    ]
    assert (declared["cap"], declared["above_cap"], declared["constitution_version"]) == ("2400.00", True, 0)
    seat = Seat.objects.get(user=cast.bob)
    petition = actions.start_recall(actor=cast.erin, seat=seat, now=NOW)
    assert petition.constitution_version == 0
    assert petition.threshold == 1  # 20% of Riverside's four voters, rounded up
    with pytest.raises(TermRuleError, match=r"Rule \(defaults apply: no constitution adopted yet\)"):
        check_term(cast.riverside, NOW, None)


def test_pages_say_the_defaults_apply(cast):
    register = cast.client(cast.bob).get(f"/mandates/register/{cast.riverside.uuid}/").content.decode()
    assert "Defaults apply: no constitution adopted yet" in register
    petition = actions.start_recall(actor=cast.erin, seat=Seat.objects.get(user=cast.bob), now=NOW)
    page = cast.client(cast.bob).get(f"/mandates/recalls/{petition.uuid}/").content.decode()
    assert "default rules</a>: no constitution had been adopted when it began." in page
