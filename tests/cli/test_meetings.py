"""Running a meeting and certifying an election with `councils`, against a real server."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from councils.elections.models import Election
from councils.meetings.models import Meeting

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.constitution(meeting_notice_hours=0),
    pytest.mark.usefixtures("rules"),
]


def later(monkeypatch, delta: timedelta) -> None:
    """Move the clock the server and the actions read."""
    moment = timezone.now() + delta
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_chair_runs_a_meeting_from_the_terminal(councils, cast, monkeypatch):
    starts_at = (timezone.now() + timedelta(hours=1)).isoformat()
    code, out, _ = councils(
        cast.alice,
        "meetings",
        "schedule",
        "--council",
        str(cast.riverside.uuid),
        "--title",
        "March meeting",
        "--starts-at",
        starts_at,
        "--place",
        "Canteen",
        "--json",
    )
    assert code == 0
    meeting = json.loads(out)
    assert (meeting["status"], meeting["title"]) == ("scheduled", "March meeting")
    uuid = meeting["uuid"]
    code, out, _ = councils(cast.alice, "meetings", "add-item", uuid, "--kind", "other", "--title", "AOB")
    assert code == 0 and out.startswith("Item 1 added: AOB (")
    code, out, _ = councils(
        cast.alice, "meetings", "add-item", uuid, "--kind", "report", "--title", "Treasurer", "--json"
    )
    treasurer = json.loads(out)
    aob = Meeting.objects.get(uuid=uuid).items.get(title="AOB")
    code, out, _ = councils(cast.alice, "meetings", "reorder", uuid, treasurer["uuid"], str(aob.uuid))
    assert code == 0 and "1. Treasurer [report, pending]" in out and "2. AOB [other, pending]" in out
    code, _, err = councils(cast.bob, "meetings", "add-item", uuid, "--kind", "other", "--title", "Mine")
    assert code == 2 and err.startswith("councils: 403: ")
    code, _, err = councils(cast.alice, "meetings", "open", uuid)
    assert code == 2 and "cannot open before then" in err

    later(monkeypatch, timedelta(hours=2))
    code, out, _ = councils(cast.alice, "meetings", "open", uuid)
    assert code == 0 and out.startswith("Opened.\nMarch meeting (Riverside Depot)")
    code, out, _ = councils(cast.alice, "meetings", "attend", uuid)
    assert code == 0 and "You are marked present." in out and "1 present" in out
    people = [str(u.uuid) for u in (cast.bob, cast.erin, cast.frank)]
    code, out, _ = councils(cast.alice, "meetings", "attend", uuid, *people, "--json")
    assert code == 0 and json.loads(out)["attendance"] == 4
    code, out, _ = councils(cast.alice, "meetings", "next-item", uuid)
    assert code == 0 and " >1. Treasurer [report, current]" in out
    code, out, _ = councils(cast.erin, "meetings", "speak", uuid)
    assert code == 0 and out.startswith("Erin Walsh is on the speakers' list (")
    code, out, _ = councils(cast.frank, "meetings", "speak", uuid, "--item", treasurer["uuid"], "--json")
    assert code == 0 and json.loads(out)["status"] == "waiting"
    code, out, _ = councils(cast.frank, "meetings", "leave-list", uuid)
    assert code == 0 and out == "Frank Costa is off the speakers' list.\n"
    code, _, err = councils(cast.frank, "meetings", "leave-list", uuid)
    assert code == 2 and err == "councils: you are not waiting to speak in this meeting\n"
    code, _, err = councils(cast.carol, "meetings", "speak", uuid)
    assert code == 2 and err.startswith("councils: 403: ")
    code, out, _ = councils(cast.alice, "meetings", "floor", uuid)
    assert code == 0 and out == "Erin Walsh has the floor on Treasurer; 0 waiting.\n"

    # Closing cannot be undone: with no terminal to ask on it needs --yes, and a "no" changes nothing.
    code, out, err = councils(cast.alice, "meetings", "close", uuid)
    assert (code, out) == (2, "")
    assert (
        err
        == "councils: closing a meeting cannot be undone: pass --yes to do it without a terminal to ask on\n"
    )
    code, out, err = councils(cast.alice, "meetings", "close", uuid, typed="n\n")
    assert (code, out) == (1, "")
    assert err == (
        "Close the meeting 'March meeting' of Riverside Depot? Items not finished (2) go to the next "
        "meeting. A closed meeting cannot be opened again. [y/N] councils: not confirmed: nothing was done\n"
    )
    assert Meeting.objects.get(uuid=uuid).status == "open"
    code, out, _ = councils(cast.alice, "meetings", "close", uuid, typed="y\n")
    assert code == 0 and out.startswith("Closed.\n")
    assert Meeting.objects.get(uuid=uuid).status == "closed"

    code, out, err = councils(cast.alice, "meetings", "approve-minutes", uuid, "--json")
    assert code == 2 and json.loads(out) == {"error": {"message": err[len("councils: ") : -1], "exit": 2}}
    assert "approving minutes cannot be undone: pass --yes" in err
    code, out, _ = councils(cast.alice, "meetings", "approve-minutes", uuid, "--yes", "--json")
    minutes = json.loads(out)
    assert code == 0 and minutes["approved"] and minutes["minutes_hash"]
    assert Meeting.objects.get(uuid=uuid).minutes_approved_at is not None
    code, _, err = councils(cast.alice, "meetings", "approve-minutes", uuid, "--yes")
    assert code == 2 and err == "councils: 409: These minutes are already approved and frozen.\n"


def test_an_election_officer_calls_runs_and_certifies_an_election(councils, cast):
    council = str(cast.riverside.uuid)
    code, out, _ = councils(
        cast.alice, "elections", "call", "--council", council, "--kind", "delegates", "--json"
    )
    election = json.loads(out)
    assert code == 0 and election["status"] == "nominating"
    uuid = election["uuid"]
    code, _, err = councils(cast.bob, "elections", "call", "--council", council, "--kind", "office")
    assert code == 2 and err.startswith("councils: 403: ")
    for user in (cast.bob, cast.erin):
        assert councils(user, "elections", "nominate", uuid)[0] == 0
    code, out, _ = councils(cast.alice, "elections", "nominate", uuid, "--candidate", str(cast.frank.uuid))
    assert code == 0 and out == "Nominated Frank Costa: awaiting the candidate's acceptance.\n"
    frank = Election.objects.get(uuid=uuid).candidacies.get(candidate=cast.frank)
    code, out, _ = councils(cast.frank, "elections", "accept", uuid, str(frank.uuid))
    assert code == 0 and out == "Frank Costa accepted the nomination and stands.\n"
    code, out, err = councils(cast.frank, "elections", "withdraw", uuid, str(frank.uuid), typed="yes\n")
    assert code == 0 and out == "Frank Costa no longer stands.\n"
    assert err.startswith(f"Withdraw the nomination in {election['title']!r} in Riverside Depot? ")

    closes_at = (timezone.now() + timedelta(hours=1)).isoformat()
    assert councils(cast.alice, "elections", "open", uuid, "--closes-at", closes_at)[0] == 0
    for user in (cast.alice, cast.bob, cast.erin, cast.frank):
        code, _, _ = councils(user, "elections", "ballot", uuid, "--rank", "Erin Walsh,Bob Novak", "-y")
        assert code == 0
    code, out, _ = councils(cast.alice, "elections", "close", uuid, "--yes")
    assert code == 0 and out.startswith("Closed and counted: 4 ballots.")

    code, out, err = councils(cast.alice, "elections", "certify", uuid, "--json")
    assert code == 2 and json.loads(out)["error"]["exit"] == 2
    assert err.startswith("councils: certifying an election cannot be undone: pass --yes")
    code, _, err = councils(cast.bob, "elections", "certify", uuid, "--yes")
    assert code == 2 and err.startswith("councils: 403: ")
    assert Election.objects.get(uuid=uuid).status == "closed"
    code, out, err = councils(cast.alice, "elections", "certify", uuid, typed="y\n")
    assert err.startswith(
        f"Certify the result of {election['title']!r} in Riverside Depot, "
        "which elected Erin Walsh, Bob Novak? "
    )
    assert (
        code == 0 and out == "Certified: Bob Novak, Erin Walsh elected; they take their seats or offices.\n"
    )
    assert Election.objects.get(uuid=uuid).status == "certified"
    code, out, _ = councils(cast.carol, "elections", "results", uuid, "--json")
    assert code == 0 and json.loads(out)["status"] == "certified"
