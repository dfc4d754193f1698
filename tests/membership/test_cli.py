"""`councils constitution|admission|discipline|platform …` against this test's Django app, over WSGI."""

from __future__ import annotations

import json
import types
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from councils.accounts.tokens import issue_token
from councils.cli import client as cli_client
from councils.cli.main import main
from councils.federation.models import Membership
from councils.membership import actions
from councils.membership.models import Application, DisciplineCase
from councils.platforms.models import Platform
from tests.conftest import make_user
from tests.membership.support import NOW, adopt, make_national_body

SERVER = "http://testserver"


@pytest.fixture
def cli_before_adoption(monkeypatch, tmp_path, cast):
    """The command line against the cast's federation, which has adopted no constitution yet."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    app = get_wsgi_application()
    # The WSGI app would close the test's own database connection after each request (PostgreSQL).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
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


@pytest.fixture
def cli(cli_before_adoption, cast):
    """The command line against the cast's federation, founded on the default constitution."""
    adopt(cast)
    return cli_before_adoption


def test_constitution_show_says_when_the_defaults_apply(cli_before_adoption, cast, capsys):
    cli = cli_before_adoption
    assert cli(cast.bob, "constitution", "show") == 0
    out = capsys.readouterr().out
    assert "Constitution: defaults apply: no constitution adopted yet" in out
    assert "needs 2 sponsors" in out
    assert cli(cast.bob, "constitution", "history") == 0
    assert "no version adopted yet: defaults apply" in capsys.readouterr().out


def test_constitution_show_history_and_propose(cli, cast, capsys):
    assert cli(cast.bob, "constitution", "show") == 0
    out = capsys.readouterr().out
    assert "Constitution, version 1" in out
    assert "needs 2 sponsors" in out
    assert cli(cast.bob, "constitution", "history", "--json") == 0
    assert json.loads(capsys.readouterr().out)["count"] == 1
    make_national_body(cast)
    assert cli(cast.alice, "constitution", "propose", "--set", "hearing_notice_days=21", "--json") == 0
    amendment = json.loads(capsys.readouterr().out)
    assert amendment["changes"] == [{"setting": "hearing_notice_days", "old": 14, "new": 21}]
    assert cli(cast.bob, "constitution", "propose", "--set", "hearing_notice_days=21") == 2
    assert "top council" in capsys.readouterr().err
    assert cli(cast.alice, "constitution", "propose", "--set", "nonsense") == 2
    assert cli(cast.alice, "constitution", "amendments") == 0
    assert "proposed" in capsys.readouterr().out


def test_admission_apply_sponsor_and_show(cli, cast, capsys):
    gina = make_user("gina", "Gina")
    assert cli(gina, "admission", "apply", str(cast.riverside.uuid), "--statement", "Driver.", "--json") == 0
    application = json.loads(capsys.readouterr().out)
    assert cli(cast.bob, "admission", "sponsor", application["uuid"]) == 0
    assert cli(cast.erin, "admission", "sponsor", application["uuid"]) == 0
    assert "candidate until" in capsys.readouterr().out
    assert Application.objects.get().status == "candidate"
    assert cli(cast.alice, "admission", "call-vote", application["uuid"]) == 2
    assert "candidate period" in capsys.readouterr().err
    assert cli(cast.alice, "admission", "list", "--council", str(cast.riverside.uuid)) == 0
    assert "Gina" in capsys.readouterr().out
    assert cli(cast.dave, "admission", "show", application["uuid"]) == 2
    assert cli(cast.alice, "admission", "show", "not-a-uuid") == 2


def test_admission_transfer_call_vote_and_withdraw(cli, cast, capsys):
    assert cli(cast.dave, "admission", "transfer", str(cast.riverside.uuid), "--statement", "New job.") == 0
    assert "transfer from Harbour Works (no sponsors or candidate period)" in capsys.readouterr().out
    assert cli(cast.dave, "admission", "transfer", str(cast.riverside.uuid)) == 2
    assert "in progress" in capsys.readouterr().err
    application = Application.objects.get(applicant=cast.dave)
    assert cli(cast.dave, "admission", "withdraw", str(application.uuid), "--json", "--yes") == 0
    assert json.loads(capsys.readouterr().out)["status"] == "withdrawn"
    assert cli(cast.bob, "admission", "transfer", str(cast.harbour.uuid), "--json") == 0
    moving = json.loads(capsys.readouterr().out)
    assert moving["transfer_from"]["council"]["name"] == "Riverside Depot"
    assert cli(cast.bob, "admission", "transfer", "not-a-uuid") == 2


def test_admission_approval_vote_in_a_council_with_no_parent(cli, cast, capsys):
    from tests.membership.support import LATER, standalone_council

    bakery, (sam, tess, uma, _) = standalone_council(cast)
    for name in ("wes", "xia"):
        flagged = actions.apply_for_membership(actor=make_user(name, name.title()), council=bakery, now=LATER)
        for sponsor in (tess, uma):
            actions.sponsor_application(actor=sponsor, application=flagged, now=LATER)
    assert cli(sam, "admission", "show", str(flagged.uuid)) == 0
    assert "with no council above, the members who were full members before" in capsys.readouterr().out
    assert cli(tess, "admission", "call-approval-vote", str(flagged.uuid)) == 2
    assert "council that approves" in capsys.readouterr().err
    assert cli(sam, "admission", "call-approval-vote", str(flagged.uuid), "--method", "named") == 0
    assert "simple" in capsys.readouterr().out
    # The former name still works, and says why a second call is refused.
    assert cli(sam, "admission", "call-parent-vote", str(flagged.uuid)) == 2
    assert "already been called" in capsys.readouterr().err


def test_discipline_charge_defend_and_refusals(cli, cast, capsys):
    frank = Membership.objects.get(user=cast.frank)
    hearing = (timezone.now() + timedelta(days=20)).isoformat()
    assert (
        cli(
            cast.bob,
            "discipline",
            "charge",
            str(frank.uuid),
            "--charges",
            "Scabbed.",
            "--penalty",
            "expulsion",
            "--hearing",
            hearing,
            "--json",
        )
        == 0
    )
    case = json.loads(capsys.readouterr().out)
    assert (
        cli(
            cast.frank,
            "discipline",
            "defend",
            case["uuid"],
            "--statement",
            "I did not.",
            "--evidence",
            "Rota=https://example.org/rota",
        )
        == 0
    )
    assert "defence" in capsys.readouterr().out
    assert cli(cast.alice, "discipline", "call-vote", case["uuid"]) == 2
    assert "only after the hearing" in capsys.readouterr().err
    assert cli(cast.alice, "admission", "leave", str(frank.uuid), "--yes") == 2
    assert "Only the member can leave" in capsys.readouterr().err
    assert DisciplineCase.objects.get().defences.count() == 1
    assert cli(cast.frank, "discipline", "list") == 0
    assert "Scabbed." in capsys.readouterr().out


def test_platform_create_join_members_publish(cli, cast, capsys):
    assert cli(cast.bob, "platform", "create", "--name", "Rank and File", "--statement", "Us.", "--json") == 0
    platform = json.loads(capsys.readouterr().out)
    assert cli(cast.erin, "platform", "join", platform["uuid"]) == 0
    assert cli(cast.alice, "platform", "members", platform["uuid"]) == 2
    assert "known only to its own members" in capsys.readouterr().err
    assert cli(cast.bob, "platform", "members", platform["uuid"]) == 0
    assert "Erin Walsh" in capsys.readouterr().out
    assert (
        cli(
            cast.bob,
            "platform",
            "publish",
            platform["uuid"],
            "--title",
            "Why",
            "--body",
            "Because.",
            "--council",
            str(cast.harbour.uuid),
            "--yes",
        )
        == 0
    )
    assert "their members are alerted" in capsys.readouterr().out
    assert cli(cast.dave, "platform", "show", platform["uuid"]) == 0
    assert "document: Why" in capsys.readouterr().out
    assert Platform.objects.get().members.filter(left_at__isnull=True).count() == 2
    # dave, a member of Harbour Works, finds the alert and reads the document it names.
    assert cli(cast.dave, "alerts", "--unread", "--json") == 0
    [alert] = json.loads(capsys.readouterr().out)["items"]
    assert alert["kind"] == "platform_document"
    assert cli(cast.dave, "platform", "document", alert["subject"]) == 0
    assert "Because." in capsys.readouterr().out
    assert cli(cast.dave, "alerts", "--mark-read") == 0
    out = capsys.readouterr().out
    assert "The platform Rank and File published “Why”" in out and "1 marked as read" in out
    assert cli(cast.dave, "alerts", "--unread") == 0
    assert "no alerts" in capsys.readouterr().out
    assert cli(cast.alice, "platform", "document", alert["subject"]) == 2  # not sent to Riverside
    assert "No such document" in capsys.readouterr().err
    assert cli(cast.alice, "platform", "document", "not-a-uuid") == 2


def test_the_vote_on_charges_closes_no_sooner_than_the_constitution_allows(cli, cast, capsys):
    then = timezone.now() - timedelta(days=21)
    case = actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges="Broke the picket line.",
        penalty="expulsion",
        hearing_at=then + timedelta(days=14),
        now=then,
    )
    actions.record_hearing(actor=cast.alice, case=case, now=then + timedelta(days=14))
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    assert cli(cast.alice, "discipline", "call-vote", str(case.uuid), "--closes-at", tomorrow) == 2
    assert "The vote on charges must stay open at least 7 days" in capsys.readouterr().err
    assert cli(cast.alice, "discipline", "call-vote", str(case.uuid), "--closes-at", "tomorrow") == 2
    assert "--closes-at must be an ISO 8601 time with its zone" in capsys.readouterr().err
    closes = (timezone.now() + timedelta(days=8)).replace(microsecond=0)
    assert cli(cast.alice, "discipline", "call-vote", str(case.uuid), "--closes-at", closes.isoformat()) == 0
    out = capsys.readouterr().out
    assert "It closes at" in out and "not earlier unless everyone entitled has voted" in out
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.VOTING


def test_the_admission_vote_closes_no_sooner_than_the_constitution_allows(cli, cast, capsys):
    """A transfer waits for no candidate period: its admission vote can be called at once, but not rushed."""
    transfer = actions.request_transfer(actor=cast.dave, council=cast.riverside, now=timezone.now())
    soon = (timezone.now() + timedelta(hours=1)).isoformat()
    assert cli(cast.alice, "admission", "call-vote", str(transfer.uuid), "--closes-at", soon) == 2
    assert "The admission vote must stay open at least 3 days" in capsys.readouterr().err
    closes = (timezone.now() + timedelta(days=4)).replace(microsecond=0)
    assert (
        cli(cast.alice, "admission", "call-vote", str(transfer.uuid), "--closes-at", closes.isoformat()) == 0
    )
    out = capsys.readouterr().out
    assert "It closes at" in out and "not earlier unless everyone entitled has voted" in out
    transfer.refresh_from_db()
    assert transfer.status == Application.Status.VOTING


def test_council_form_sign_list_and_withdraw(cli, cast, capsys, tmp_path):
    district = str(cast.district.uuid)
    reason = tmp_path / "reason.txt"
    reason.write_text("The night shift organised on its own.\n")
    argv = ["council", "form", district, "--name", "Night Shift", "--reason-file", str(reason), "--json"]
    assert cli(cast.erin, *argv) == 0
    formation = json.loads(capsys.readouterr().out)
    assert (formation["name"], formation["type"], formation["type_label"]) == (
        "Night Shift",
        "workplace",
        "Workplace council",
    )
    assert cli(cast.dave, "council", "sign-formation", district, formation["uuid"]) == 0
    out = capsys.readouterr().out
    assert "You consented to found this council." in out
    assert "founders (2 of at least 3): Erin Walsh, Dave Okafor" in out
    assert cli(cast.bob, "council", "formations", district) == 0
    listed = capsys.readouterr().out
    assert "Collecting consent; awaiting the council's vote: Night Shift (Workplace council)" in listed
    assert listed.endswith("1 proposal\n")
    assert cli(cast.dave, "council", "withdraw-formation", district, formation["uuid"], "--yes") == 0
    assert "You withdrew your consent." in capsys.readouterr().out
    assert cli(cast.dave, "council", "withdraw-formation", district, formation["uuid"], "--yes") == 2
    assert "409: You have not consented to found this council." in capsys.readouterr().err
    assert cli(cast.erin, "councils", "withdraw-formation", district, formation["uuid"], "--json", "-y") == 0
    assert json.loads(capsys.readouterr().out)["status"] == "withdrawn"
    assert cli(cast.bob, "council", "formations", district, "--json") == 0
    assert json.loads(capsys.readouterr().out)["items"][0]["status_label"] == "Withdrawn by its proposer"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["council", "form", "nope", "--name", "N", "--reason", "R"], "the council must be a UUID"),
        (["council", "form", "{district}", "--name", "N"], "give the reason with --reason"),
        (
            ["council", "form", "{district}", "--name", "N", "--reason", "R", "--kind", "guild"],
            "invalid choice",
        ),
        (
            ["council", "form", "{riverside}", "--name", "N", "--reason", "R"],
            "422: Riverside Depot is a base",
        ),
        (["council", "sign-formation", "{district}", "nope"], "the proposal must be a UUID"),
        (["council", "withdraw-formation", "{district}", "{district}", "--yes"], "404: No such proposal"),
        (["council", "formations", "nope"], "the council must be a UUID"),
    ],
)
def test_council_formation_refusals_exit_2_with_one_line(cli, cast, capsys, argv, message):
    ids = {"district": str(cast.district.uuid), "riverside": str(cast.riverside.uuid)}
    assert cli(cast.erin, *(arg.format(**ids) for arg in argv)) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err
