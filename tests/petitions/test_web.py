from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from councils.federation.models import Council
from councils.meetings.actions import schedule_meeting
from councils.petitions import actions
from councils.petitions.models import AgendaPetition, ForcedAgendaItem
from councils.record.models import Sequence
from councils.record.sequencer import sequence_pending
from tests.membership.support import adopt
from tests.record.links import indexes, linked, recorded


def start(cast):
    return actions.start_agenda_petition(
        actor=cast.erin,
        council=cast.riverside,
        title="Heat in the depot",
        text="Discuss the heat.",
        now=timezone.now(),
    )


def test_member_starts_a_petition_through_the_form(cast, rules):
    client = cast.client(cast.erin)
    page = client.get(f"/petitions/councils/{cast.riverside.uuid}/")
    assert page.status_code == 200 and "Petition for an agenda item" in page.content.decode()
    assert (
        client.post(f"/petitions/councils/{cast.riverside.uuid}/", {"title": "", "text": ""}).status_code
        == 422
    )
    done = client.post(f"/petitions/councils/{cast.riverside.uuid}/", {"title": "Heat", "text": "Too hot."})
    petition = AgendaPetition.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/petitions/{petition.uuid}/"


def test_anonymous_post_is_sent_to_log_in_and_observer_refused(cast, rules):
    anonymous = cast.client(None).post(
        f"/petitions/councils/{cast.riverside.uuid}/", {"title": "x", "text": "y"}
    )
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    observer = cast.client(cast.carol).post(
        f"/petitions/councils/{cast.riverside.uuid}/", {"title": "x", "text": "y"}
    )
    assert observer.status_code == 403
    assert not AgendaPetition.objects.exists()


def test_signing_forces_the_item_and_the_page_offers_only_a_vote(cast, rules):
    petition = start(cast)
    client = cast.client(cast.frank)
    page = client.get(f"/petitions/{petition.uuid}/").content.decode()
    assert "When enough members sign, the item goes onto the council's next meeting's agenda" in page
    # An observer learns why there is nothing to sign, rather than finding no button.
    observer = cast.client(cast.carol).get(f"/petitions/{petition.uuid}/").content.decode()
    assert "Only the members who had a vote in this council when the petition started may sign" in observer
    assert "Sign this petition" not in observer
    assert client.get(f"/petitions/{petition.uuid}/sign/").status_code == 405
    signed = client.post(f"/petitions/{petition.uuid}/sign/", follow=True).content.decode()
    assert "Your signature reached the threshold: the item is on the council&#x27;s agenda." in signed
    item = ForcedAgendaItem.objects.get()
    page = cast.client(cast.alice).get(f"/petitions/{petition.uuid}/").content.decode()
    assert "The chair cannot remove, merge or postpone it" in page
    assert "Forced onto the council's agenda. Due on the next meeting&#x27;s agenda." in page
    moved = cast.client(cast.alice).post(f"/petitions/items/{item.uuid}/change-motion/", {"change": "remove"})
    assert moved.status_code == 302 and moved["Location"].startswith("/motions/")
    item.refresh_from_db()
    assert item.status == "pending"
    council_page = cast.client(cast.erin).get(f"/councils/{cast.riverside.uuid}/").content.decode()
    assert "Items members forced onto the next agenda" in council_page


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_outsider_gets_404_on_a_hidden_council(cast, rules):
    petition = start(cast)
    assert cast.client(cast.dave).get(f"/petitions/{petition.uuid}/").status_code == 404
    assert cast.client(cast.dave).get(f"/petitions/councils/{cast.riverside.uuid}/").status_code == 404
    # Nor do the entries its members' page links to open for him.
    sequence_pending()
    page = cast.client(cast.bob).get(f"/petitions/{petition.uuid}/").content.decode()
    [index] = indexes(page)
    assert cast.client(cast.dave).get(f"/record/entries/{index}/").status_code == 404


def test_the_page_links_the_petitions_start_and_forced_item_in_the_record_not_who_signed(cast, rules):
    petition = start(cast)
    url = f"/petitions/{petition.uuid}/"
    # A member of another council of the federation reads its record, as he reads the petition.
    dave = cast.client(cast.dave)
    assert "being added to the record" in recorded(dave.get(url).content.decode())
    sequence_pending()
    [started] = linked(dave, dave.get(url).content.decode())
    assert started["event"] == "agenda.petition_started" and started["petition"] == str(petition.uuid)
    actions.sign_agenda_petition(actor=cast.frank, petition=petition, now=timezone.now())
    sequence_pending()
    page = dave.get(url).content.decode()
    # On the agenda, it no longer collects signatures.
    assert "Signatures close" not in page
    assert [(e["event"], e["petition"]) for e in linked(dave, page)] == [
        ("agenda.petition_started", str(petition.uuid)),
        ("agenda.item_forced", str(petition.uuid)),
    ]
    assert '<small class="muted">Agenda item forced by petition</small>' in recorded(page)
    # Each signature's entry names its signer: the page counts them and links none.
    signed = Sequence.objects.filter(entry__event="agenda.petition_signed").values_list("index", flat=True)
    assert len(signed) == 2
    assert all(f'href="/record/entries/{index}/"' not in page for index in signed)


def test_the_page_says_when_signatures_close_and_then_that_they_closed(cast, rules):
    petition = start(cast)
    bob = cast.client(cast.bob)
    when = f"{date_format(petition.expires_at, 'DATETIME_FORMAT')} UTC"
    assert (
        f"<dt>Signatures close</dt><dd>{when}</dd>"
        in bob.get(f"/petitions/{petition.uuid}/").content.decode()
    )
    actions.expire_agenda_petitions(now=petition.expires_at)
    page = bob.get(f"/petitions/{petition.uuid}/").content.decode()
    assert f"<dt>Signatures closed</dt><dd>{when}</dd>" in page and "Signatures close<" not in page


def test_an_expired_petition_links_the_entry_that_closed_it(cast, rules):
    petition = start(cast)
    actions.expire_agenda_petitions(now=petition.expires_at)
    sequence_pending()
    bob = cast.client(cast.bob)
    entries = linked(bob, bob.get(f"/petitions/{petition.uuid}/").content.decode())
    assert [e["event"] for e in entries] == ["agenda.petition_started", "agenda.petition_expired"]
    assert entries[1] == {"event": "agenda.petition_expired", "petition": str(petition.uuid), "signatures": 1}


def test_report_back_is_listed_with_the_forced_items_and_only_a_vote_moves_it(cast, rules):
    from councils.mandates.models import ReportDue
    from tests.mandates.flows import hold_district_meeting

    hold_district_meeting(cast)
    report = ReportDue.objects.get()
    item = ForcedAgendaItem.objects.get(report=report)
    erin = cast.client(cast.erin)
    page = erin.get(f"/petitions/councils/{cast.riverside.uuid}/").content.decode()
    assert f'href="/mandates/reports/{report.uuid}/"' in page
    assert "a delegate's report back, by Bob Novak" in page
    bad = erin.post(f"/petitions/items/{item.uuid}/change-motion/", {"change": "shred"})
    assert bad.status_code == 302 and bad["Location"] == f"/mandates/reports/{report.uuid}/"
    moved = erin.post(f"/petitions/items/{item.uuid}/change-motion/", {"change": "postpone"})
    assert moved.status_code == 302 and moved["Location"].startswith("/motions/")
    # Placed on the council's next meeting, the item links it from the report's page.
    meeting = schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=timezone.now() + timedelta(days=7),
        place="Canteen",
        now=timezone.now(),
    )
    page = erin.get(f"/mandates/reports/{report.uuid}/").content.decode()
    # Named and dated, so that members know which meeting to come to.
    when = date_format(meeting.starts_at, "DATETIME_FORMAT")
    assert f"On a meeting&#x27;s agenda: General meeting, {when} UTC." in page
    assert f'<a href="/meetings/{meeting.uuid}/">Go to the meeting</a>' in page
    council_page = erin.get(f"/councils/{cast.riverside.uuid}/").content.decode()
    # Listed among the reports owed, not among the items members forced.
    assert "Reports owed by our delegates" in council_page
    assert "Items members forced onto the next agenda" not in council_page


@pytest.mark.constitution(agenda_petition_share=Decimal("0.75"))
def test_a_signature_short_of_the_threshold_says_only_that_it_counted(cast, rules):
    petition = start(cast)
    assert petition.threshold == 3
    signed = cast.client(cast.frank).post(f"/petitions/{petition.uuid}/sign/", follow=True).content.decode()
    assert "You signed the petition." in signed and "reached the threshold" not in signed
    assert not ForcedAgendaItem.objects.exists()


def test_the_page_says_which_version_of_the_constitution_set_its_thresholds(cast):
    version = adopt(cast).version
    petition = start(cast)
    assert petition.constitution_version == version
    page = cast.client(cast.erin).get(f"/petitions/{petition.uuid}/").content.decode()
    link = f'<a href="/constitution/?federation={cast.federation.uuid}#version-{version}">'
    assert f"{link}Version {version} of the constitution</a>, the one in force when it began" in page
    assert "Constitution applied" not in page
    history = cast.client(cast.erin).get(f"/constitution/?federation={cast.federation.uuid}").content.decode()
    assert f'<li id="version-{version}">' in history
