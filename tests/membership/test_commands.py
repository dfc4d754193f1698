from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from councils.constitution.queries import constitution_for
from councils.core.rules.terms import add_months
from councils.federation.models import Council, Federation, Membership, Office
from councils.mandates.rules import check_term
from councils.motions import actions as motion_actions
from councils.record.models import Entry
from tests.membership.support import NOW

TOML = """
[federation]
name = "Tram Workers"

[[councils]]
name = "Tram Congress"
type = "national"
visibility = "public"

[[councils]]
name = "North Depot"
type = "workplace"
parent = "Tram Congress"

[[councils]]
name = "South Depot"
parent = "Tram Congress"

[[officers]]
council = "North Depot"
role = "chair"
username = "nadia"
email = "nadia@example.org"
display_name = "Nadia N"

[constitution]
sponsors_required = 3
admission_surge_share = 0.2
"""


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def founded(db, tmp_path):
    path = tmp_path / "constitution.toml"
    path.write_text(TOML)
    _run("init_federation", "--from-file", str(path))
    return Federation.objects.get(name="Tram Workers")


def test_init_from_file_founds_everything_through_actions(founded):
    assert set(Council.objects.filter(federation=founded).values_list("name", flat=True)) == {
        "Tram Congress",
        "North Depot",
        "South Depot",
    }
    assert Council.objects.get(name="South Depot").is_base
    assert Office.objects.get(user__username="nadia").role == "chair"
    rules = constitution_for(federation=founded)
    assert rules.sponsors_required == 3
    assert str(rules.admission_surge_share) == "0.2"
    events = list(Entry.objects.values_list("event", flat=True))
    assert events[0] == "federation.founded"
    assert "constitution.adopted" in events


def test_bad_file_reports_every_problem_and_creates_nothing(db, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        TOML.replace(
            'parent = "Tram Congress"\n\n[[councils]]\nname = "South Depot"',
            'parent = "Nowhere"\n\n[[councils]]\nname = "South Depot"',
        )
        .replace("sponsors_required = 3", "sponsors_required = -1")
        .replace('role = "chair"', 'role = "king"')
    )
    with pytest.raises(CommandError) as error:
        _run("init_federation", "--from-file", str(path))
    message = str(error.value)
    assert "'Nowhere' is not in the file" in message
    assert "unknown role 'king'" in message
    assert "sponsors_required" in message
    assert not Federation.objects.exists()
    with pytest.raises(CommandError, match="not valid TOML"):
        path.write_text("[federation")
        _run("init_federation", "--from-file", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        _run("init_federation", "--from-file", str(tmp_path / "missing.toml"))


def test_interactive_init(db, monkeypatch):
    answers = iter(["Bakers", "Bakers' Congress", "Oven One, Oven Two", "olga", "olga@example.org"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    _run("init_federation")
    federation = Federation.objects.get(name="Bakers")
    assert Council.objects.filter(federation=federation, is_base=True).count() == 2
    assert constitution_for(federation=federation).version == 1
    # The first chair serves the default term of the constitution, from the founding.
    chair = Office.objects.get(user__username="olga")
    assert (chair.started_at, chair.term_ends_at) == (NOW, add_months(NOW, 12))


def test_founding_officers_serve_the_term_the_founding_constitution_sets(db, tmp_path, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    path = tmp_path / "constitution.toml"
    path.write_text(
        TOML.replace("[constitution]\n", "[constitution]\nterm_months = 6\n")
        + '\n[[officers]]\ncouncil = "Tram Congress"\nrole = "secretary"\nusername = "omar"\n'
    )
    _run("init_federation", "--from-file", str(path))
    offices = Office.objects.filter(council__federation__name="Tram Workers")
    assert {(o.user.username, o.role, o.term_ends_at) for o in offices} == {
        ("nadia", "chair", add_months(NOW, 6)),
        ("omar", "secretary", add_months(NOW, 6)),
    }
    check_term(offices[0].council, NOW, offices[0].term_ends_at)


CSV_OK = (
    "username,email,display_name,council\n"
    "nadia,nadia@example.org,Nadia N,North Depot\n"
    "omar,omar@example.org,Omar O,South Depot\n"
)


def test_import_members_enrols_founding_members(founded, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(CSV_OK)
    assert "2 rows are good" in _run("import_members", str(path), "--dry-run")
    assert not Membership.objects.exists()
    assert "Enrolled 2" in _run("import_members", str(path))
    assert Membership.objects.get(user__username="nadia").status == "full"
    assert Entry.objects.filter(event="member.founding_enrolled").count() == 2


def test_import_reports_every_bad_row_with_its_line_and_writes_nothing(founded, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(
        "username,email,display_name,council\n"
        "good,good@example.org,Good,North Depot\n"
        "bad name,not-an-email,X,North Depot\n"
        "zoe,zoe@example.org,Zoe,Tram Congress\n"
        "good,good2@example.org,Dup,Nowhere\n"
    )
    for extra in (["--dry-run"], []):
        with pytest.raises(CommandError) as error:
            _run("import_members", str(path), *extra)
        message = str(error.value)
        assert "Line 3: 'bad name' is not a valid username" in message
        assert "Line 3: 'not-an-email' is not a valid e-mail address" in message
        assert "Line 4: 'Tram Congress' is not a base council" in message
        assert "Line 5: 'good' already appears on line 2" in message
        assert "Line 5: no council called 'Nowhere'" in message
        assert "Line 2" not in message
    assert not Membership.objects.exists()
    path.write_text("name,mail\n")
    with pytest.raises(CommandError, match="header must be exactly username,email,display_name,council"):
        _run("import_members", str(path))


def test_import_is_refused_after_the_first_vote(founded, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(CSV_OK)
    _run("import_members", str(path))
    north = Council.objects.get(name="North Depot")
    motion = motion_actions.table_motion(
        actor=None, council=north, title="First", text="First vote.", now=NOW
    )
    motion_actions.open_vote(actor=None, motion=motion, now=NOW)
    path.write_text("username,email,display_name,council\npia,pia@example.org,Pia,North Depot\n")
    with pytest.raises(
        CommandError, match=r"founding imports are closed\. New members now join through admission"
    ):
        _run("import_members", str(path))
    assert not Membership.objects.filter(user__username="pia").exists()
