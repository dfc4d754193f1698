"""`councils recall|mandate|register|petition` against this test's Django app."""

import json
import types
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from councils.accounts.tokens import issue_token
from councils.cli import client as cli_client
from councils.cli.main import main
from councils.federation import actions as fa
from councils.federation.models import Office, Seat
from councils.mandates import actions
from tests.conftest import NOW
from tests.mandates.flows import adopt_mandate, district_motion, district_vote, seat_dave_for_harbour

SERVER = "http://testserver"


@pytest.fixture
def cli(monkeypatch, tmp_path, cast):
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    # As Django's test client does: a request must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    app = get_wsgi_application()
    real_client = httpx.Client

    def client(*args, **kwargs):
        kwargs["transport"] = httpx.WSGITransport(app=app)
        return real_client(*args, **kwargs)

    proxy = types.SimpleNamespace(**{k: getattr(httpx, k) for k in dir(httpx) if not k.startswith("_")})
    proxy.Client = client
    monkeypatch.setattr(cli_client, "httpx", proxy)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))

    def run(user, *argv):
        if user is None:
            monkeypatch.delenv("COUNCILS_TOKEN", raising=False)
        else:
            monkeypatch.setenv("COUNCILS_TOKEN", issue_token(user=user, name="cli", now=NOW))
        return main(["--server", SERVER, *argv])

    yield run
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.constitution(recall_signature_share=Decimal("1.00"))
def test_member_starts_and_signs_a_recall(cli, cast, rules, capsys):
    seat = Seat.objects.get(user=cast.bob)
    assert (
        cli(cast.erin, "recall", "start", "--seat", str(seat.uuid), "--reason", "Broke it", "--json", "--yes")
        == 0
    )
    petition = json.loads(capsys.readouterr().out)
    assert petition["signatures"] == 1 and petition["status"] == "open"
    assert cli(cast.frank, "recall", "sign", petition["uuid"], "--yes") == 0
    assert "Signed: 2 of 4 signatures." in capsys.readouterr().out
    assert cli(cast.frank, "recall", "list", str(cast.riverside.uuid)) == 0
    assert "1 recall petition\n" in capsys.readouterr().out


def test_refusals_and_bad_input_exit_2(cli, cast, rules, capsys):
    seat = Seat.objects.get(user=cast.bob)
    assert cli(cast.carol, "recall", "start", "--seat", str(seat.uuid), "--yes") == 2
    assert "403: Only members with a vote in Riverside Depot" in capsys.readouterr().err
    assert cli(cast.erin, "recall", "start", "--seat", "not-a-uuid") == 2
    assert cli(cast.erin, "mandate", "report", str(seat.uuid), "--text", " ") == 2


def test_roll_call_check_fails_on_a_deviation(cli, cast, rules, capsys):
    seat_dave_for_harbour(cast)
    target = district_motion(cast)
    adopt_mandate(cast, target, choice="yes")
    district_vote(cast, target, bob="no")
    assert cli(cast.dave, "mandate", "roll-call", str(cast.riverside.uuid)) == 0
    assert "DEVIATED  Bob Novak: told yes, voted no" in capsys.readouterr().out
    assert cli(cast.dave, "mandate", "roll-call", str(cast.riverside.uuid), "--check", "--json") == 1
    assert json.loads(capsys.readouterr().out)["deviations"] == 1
    riverside = str(cast.riverside.uuid)
    assert (
        cli(cast.dave, "mandate", "roll-call", riverside, "--delegate", str(cast.dave.uuid), "--check") == 0
    )
    assert "0 instructed votes" in capsys.readouterr().out


def test_register_check_fails_on_pay_above_the_cap(cli, cast, rules, capsys):
    office = Office.objects.get(council=cast.riverside, role="chair")
    assert cli(cast.alice, "register", "declare-pay", str(office.uuid), "--pay", "2500.00") == 0
    assert "Pay is 100.00 EUR above the cap" in capsys.readouterr().out
    assert cli(cast.erin, "register", "show", str(cast.riverside.uuid), "--check") == 1
    out = capsys.readouterr().out
    assert "PAY 100.00 EUR ABOVE CAP" in out and "pay 2500.00 EUR" in out
    assert cli(cast.alice, "register", "declare-pay", str(office.uuid), "--pay", "lots") == 2


def test_register_show_takes_a_scope(cli, cast, rules, capsys):
    fa.appoint_founding_officer(actor=None, council=cast.harbour, user=cast.dave, role="treasurer", now=NOW)
    assert cli(cast.erin, "register", "show", str(cast.riverside.uuid), "--scope", "council", "--json") == 0
    alone = json.loads(capsys.readouterr().out)
    assert alone["count"] == 3 and {line["currency"] for line in alone["items"]} == {"EUR"}
    assert cli(cast.erin, "register", "show", str(cast.riverside.uuid), "--json") == 0
    assert json.loads(capsys.readouterr().out)["count"] == 4
    assert cli(cast.erin, "register", "show", str(cast.riverside.uuid), "--scope", "planet") == 2


def test_petition_commands(cli, cast, rules, capsys):
    assert (
        cli(
            cast.erin,
            "petition",
            "start",
            str(cast.riverside.uuid),
            "--title",
            "Heat",
            "--text",
            "Hot.",
            "--json",
            "--yes",
        )
        == 0
    )
    petition = json.loads(capsys.readouterr().out)
    assert cli(cast.frank, "petition", "sign", petition["uuid"], "-y") == 0
    assert "forced onto the next agenda" in capsys.readouterr().out
    assert cli(cast.frank, "petition", "list", str(cast.riverside.uuid), "--json") == 0
    item = json.loads(capsys.readouterr().out)["items"][0]["uuid"]
    assert cli(cast.alice, "petition", "propose-change", item, "postpone") == 0
    assert "only the council's vote can postpone" in capsys.readouterr().out
    assert cli(cast.alice, "petition", "propose-change", item, "merge", "--into", "not-a-uuid") == 2
    assert "merge it with" in capsys.readouterr().err


def test_petition_merge_names_the_other_item(cli, cast, rules, capsys):
    from councils.meetings import actions as meeting_actions
    from councils.petitions.models import ItemChangeProposal
    from tests.petitions.test_petitions import forced_item

    item = forced_item(cast)
    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="June meeting",
        starts_at=NOW + timedelta(days=7),
        place="Depot canteen",
        now=NOW,
    )
    other = meeting_actions.add_agenda_item(
        actor=cast.alice, meeting=meeting, kind="other", title="Working conditions", now=NOW
    )
    args = ("petition", "propose-change", str(item.uuid), "merge", "--into", str(other.uuid))
    assert cli(cast.alice, *args) == 0
    assert "only the council's vote can merge" in capsys.readouterr().out
    assert ItemChangeProposal.objects.get(item=item).merge_into_uuid == other.uuid


def test_mandate_propose_and_report(cli, cast, rules, capsys):
    import uuid

    from django.db import transaction

    seat_dave_for_harbour(cast)
    target = district_motion(cast)
    assert cli(cast.erin, "mandate", "propose", str(cast.riverside.uuid), str(target.uuid), "no") == 0
    assert "Mandate tabled as motion" in capsys.readouterr().out
    with transaction.atomic():
        reports = actions.open_reports_due(council=cast.district, meeting_uuid=uuid.uuid4(), now=NOW)
    report = next(r for r in reports if r.delegate == cast.bob)
    assert cli(cast.bob, "mandate", "report", str(report.uuid), "--text", "Levy adopted.", "--yes") == 0
    assert "Report to Riverside Depot submitted." in capsys.readouterr().out


def test_meetings_show_prints_the_report_back_on_the_agenda(cli, cast, rules, capsys):
    from councils.mandates.models import ReportDue
    from councils.meetings import actions as meeting_actions
    from tests.mandates.flows import hold_district_meeting

    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="Monthly",
        starts_at=NOW + timedelta(days=7),
        place="Canteen",
        now=NOW,
    )
    hold_district_meeting(cast)
    report = ReportDue.objects.get()
    capsys.readouterr()
    assert cli(cast.erin, "meetings", "show", str(meeting.uuid)) == 0
    out = capsys.readouterr().out
    assert "1. Report back on the meeting of Eastside District (2026-03-01) [report_back, pending]" in out
    assert f"report back by Bob Novak: not filed yet (report {report.uuid})" in out
    actions.submit_report(actor=cast.bob, report=report, text="Voted yes.", now=NOW)
    assert cli(cast.erin, "meetings", "show", str(meeting.uuid)) == 0
    assert f"report back by Bob Novak: filed 2026-03-01 (report {report.uuid})" in capsys.readouterr().out


def test_register_show_flags_pay_declared_in_a_currency_no_longer_in_force(cli, cast, rules, capsys):
    office = Office.objects.get(council=cast.riverside, role="chair")
    assert cli(cast.alice, "register", "declare-pay", str(office.uuid), "--pay", "2500.00") == 0
    capsys.readouterr()
    rules.amend(pay_currency="GBP")
    assert cli(cast.erin, "register", "show", str(cast.riverside.uuid), "--scope", "council") == 0
    out = capsys.readouterr().out
    assert "pay 2500.00 EUR" in out and "ABOVE CAP" not in out
    assert (
        "declared in EUR, before the currency changed to GBP: not compared with the cap, declare again" in out
    )
    assert "3 offices, 0 with pay above the cap, 1 declared in a currency no longer in force" in out
    # The cap cannot be checked, so `--check` fails as it does on pay above the cap.
    assert cli(cast.erin, "register", "show", str(cast.riverside.uuid), "--check") == 1
    capsys.readouterr()
    assert cli(cast.erin, "register", "show", str(cast.riverside.uuid), "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    chair = next(line for line in shown["items"] if line["role"] == "chair")
    assert (chair["currency"], chair["constitution_currency"], chair["currency_differs"]) == (
        "EUR",
        "GBP",
        True,
    )
    assert (shown["pay_above_cap"], shown["currency_differs"]) == (0, 1)
    assert cli(cast.alice, "register", "declare-pay", str(office.uuid), "--pay", "2500.00") == 0
    assert "Pay is 100.00 GBP above the cap" in capsys.readouterr().out
    assert cli(cast.erin, "register", "show", str(cast.riverside.uuid), "--scope", "council") == 0
    out = capsys.readouterr().out
    assert "pay 2500.00 GBP" in out and "PAY 100.00 GBP ABOVE CAP" in out and "declared in EUR" not in out


@pytest.mark.constitution(meeting_notice_hours=0)
def test_meetings_show_names_a_speaker_only_to_the_councils_own(cli, cast, rules, capsys):
    from councils.meetings import actions as meeting_actions

    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title="Monthly", starts_at=NOW, place="Canteen", now=NOW
    )
    item = meeting_actions.add_agenda_item(
        actor=cast.alice, meeting=meeting, kind="other", title="AOB", now=NOW
    )
    meeting_actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    for who in (cast.alice, cast.bob, cast.erin):
        meeting_actions.mark_present(actor=who, meeting=meeting, user=who, now=NOW)
    meeting_actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    meeting_actions.join_speakers(actor=cast.bob, item=item, now=NOW)
    capsys.readouterr()
    assert cli(cast.erin, "meetings", "show", str(meeting.uuid)) == 0
    assert "waiting   Bob Novak" in capsys.readouterr().out
    # Dave, of Harbour Works, sees Riverside Depot's meeting but not who its members are.
    assert cli(cast.dave, "meetings", "show", str(meeting.uuid)) == 0
    out = capsys.readouterr().out
    assert "waiting   a member" in out and "Bob Novak" not in out
