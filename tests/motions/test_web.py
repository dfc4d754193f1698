from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from councils.federation.models import Council
from councils.motions import actions
from councils.motions.models import Motion, NamedBallot, Vote
from councils.record.models import Entry
from councils.record.sequencer import sequence_pending
from tests.motions.conftest import LATER, NOW
from tests.record.links import indexes, linked, recorded


def test_council_page_lists_motions_and_offers_tabling(cast, motion):
    page = cast.client(cast.bob).get(f"/councils/{cast.riverside.uuid}/")
    assert page.status_code == 200
    assert "Safety reps" in page.content.decode() and "Table a motion" in page.content.decode()
    assert (
        "Table a motion"
        not in cast.client(cast.carol).get(f"/councils/{cast.riverside.uuid}/").content.decode()
    )


def test_member_tables_motion_with_form(cast):
    client = cast.client(cast.bob)
    url = f"/motions/council/{cast.riverside.uuid}/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Canteen", "text": "Open a canteen.", "seconds_required": 1})
    motion = Motion.objects.get(title="Canteen")
    assert response.status_code == 302 and response["Location"] == f"/motions/{motion.uuid}/"


def test_seconders_hint_is_read_out_with_its_field_also_beside_an_error(cast):
    url = f"/motions/council/{cast.riverside.uuid}/new/"
    client = cast.client(cast.bob)
    for page in (
        client.get(url).content.decode(),
        client.post(
            url, {"title": "Canteen", "text": "Open a canteen.", "seconds_required": 99}
        ).content.decode(),
    ):
        field = re.search(r'<input type="number" name="seconds_required"[^>]*>', page)
        assert field is not None
        described = re.search(r'aria-describedby="([^"]*)"', field[0])
        assert described is not None
        for said in described[1].split():
            assert f'id="{said}"' in page
        hint = re.search(rf'<p class="hint" id="({"|".join(described[1].split())})">([^<]*)</p>', page)
        assert hint is not None and "must second it" in hint[2]


def test_invalid_form_is_422_with_errors(cast):
    response = cast.client(cast.bob).post(
        f"/motions/council/{cast.riverside.uuid}/new/", {"title": "", "text": "", "seconds_required": 1}
    )
    assert response.status_code == 422 and "field-error" in response.content.decode()


def test_more_seconders_than_the_council_has_is_said_beside_the_form_keeping_the_text(cast):
    response = cast.client(cast.bob).post(
        f"/motions/council/{cast.riverside.uuid}/new/",
        {"title": "Canteen", "text": "Open a canteen.", "seconds_required": 40},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert (
        '<div class="error" role="alert" tabindex="-1" autofocus>'
        "<p>Riverside Depot has too few other voters to give 40 seconders." in page
    )
    assert 'value="Canteen"' in page and "Open a canteen.</textarea>" in page
    assert not Motion.objects.filter(title="Canteen").exists()


def test_anonymous_is_sent_to_login_and_observer_refused(cast, motion):
    response = cast.client(None).get(f"/motions/council/{cast.riverside.uuid}/new/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert cast.client(cast.carol).get(f"/motions/council/{cast.riverside.uuid}/new/").status_code == 403
    assert cast.client(cast.carol).post(f"/motions/{motion.uuid}/amend/", {"text": "x"}).status_code == 403


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_hidden_council_motion_is_404_for_outsider(cast, motion):
    assert cast.client(cast.dave).get(f"/motions/{motion.uuid}/").status_code == 404
    assert cast.client(cast.dave).post(f"/motions/{motion.uuid}/second/").status_code == 404


def test_wrong_method_is_405(cast, motion):
    assert cast.client(cast.bob).get(f"/motions/{motion.uuid}/second/").status_code == 405


def test_vote_by_plain_form_then_close_shows_result(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    bob = cast.client(cast.bob)
    page = bob.get(f"/motions/{motion.uuid}/").content.decode()
    assert 'name="choice" value="yes"' in page and f"/live/vote-{vote.uuid}" in page
    response = bob.post(f"/motions/votes/{vote.uuid}/cast/", {"choice": "yes"})
    assert response.status_code == 302
    assert NamedBallot.objects.get(vote=vote, voter=cast.bob).choice == "yes"
    assert "Close the vote" not in bob.get(f"/motions/{motion.uuid}/").content.decode()
    alice = cast.client(cast.alice)
    # A vote with no closing time ends when the chair closes it: the chair is told what that does.
    assert (
        '<p class="hint" id="vote-close-hint">Closing counts the vote at once: nobody can vote after that'
    ) in alice.get(f"/motions/{motion.uuid}/").content.decode()
    assert alice.post(f"/motions/votes/{vote.uuid}/close/").status_code == 302
    page = alice.get(f"/motions/{motion.uuid}/").content.decode()
    assert "Adopted" in page and "Roll call" in page
    roll = alice.get(f"/motions/votes/{vote.uuid}/ballots/").content.decode()
    assert "Bob Novak" in roll


def test_htmx_cast_returns_the_vote_box_only(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    response = cast.client(cast.bob).post(
        f"/motions/votes/{vote.uuid}/cast/", {"choice": "no"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="vote-box"')
    assert "Your receipt" in body and "cannot be changed once cast" in body
    assert "<html" not in body


def test_secret_receipt_is_shown_once_with_how_to_use_it(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    bob = cast.client(cast.bob)
    url = f"/motions/votes/{vote.uuid}/cast/"
    boxed = bob.post(url, {"choice": "no"}, headers={"HX-Request": "true"}).content.decode()
    receipt = re.search(r'<code class="receipt">([^<]+)</code>', boxed).group(1)
    erin = cast.client(cast.erin)
    page = erin.post(url, {"choice": "yes"}, follow=True).content.decode()
    for body in (boxed, page):
        assert "it is shown only this once" in body
        assert f'<a href="/motions/votes/{vote.uuid}/ballots/">published ballots</a>' in body
        assert "proves your ballot was counted as you cast it" in body
    assert receipt not in bob.get(f"/motions/{motion.uuid}/").content.decode()
    assert "shown only this once" not in erin.get(f"/motions/{motion.uuid}/").content.decode()


def test_secret_ballot_page_warns_and_shows_turnout_only(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    actions.cast_vote(actor=cast.erin, vote=vote, choice="yes", now=NOW)
    page = cast.client(cast.bob).get(f"/motions/{motion.uuid}/").content.decode()
    assert "cannot be changed once cast" in page and "fewer than 25 voters" in page
    assert 'data-count="turnout">1<' in page and 'data-count="yes"' not in page


def test_invalid_choice_is_refused_with_422(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    assert (
        cast.client(cast.bob).post(f"/motions/votes/{vote.uuid}/cast/", {"choice": "maybe"}).status_code
        == 422
    )


def test_amendment_page_shows_word_diff(cast, motion):
    client = cast.client(cast.frank)
    response = client.post(f"/motions/{motion.uuid}/amend/", {"text": "Elect three safety reps."})
    amendment = Motion.objects.get(kind="amendment")
    assert response["Location"] == f"/motions/{amendment.uuid}/"
    page = client.get(f"/motions/{amendment.uuid}/").content.decode()
    changed = re.compile(r"<del>.*two.*</del><ins>.*three.*</ins>")
    assert changed.search(page)
    assert changed.search(client.get(f"/motions/{motion.uuid}/").content.decode())


def test_amendment_says_what_it_changes_without_the_strike_through(cast, motion):
    """Read as text, as a screen reader does, a replaced word does not run into its replacement."""
    cast.client(cast.frank).post(f"/motions/{motion.uuid}/amend/", {"text": "Elect three safety reps."})
    amendment = Motion.objects.get(kind="amendment")
    page = cast.client(cast.bob).get(f"/motions/{amendment.uuid}/").content.decode()
    shown = re.search(r'<div class="motion-text"[^>]*>(.*?)</div>', page, re.S)
    assert shown is not None
    assert re.sub(r"<[^>]+>", "", shown[1]) == "Elect (deleted: two) (inserted: three) safety reps."


def test_an_amendment_that_changes_nothing_is_refused_beside_its_text(cast, motion):
    response = cast.client(cast.frank).post(
        f"/motions/{motion.uuid}/amend/", {"text": "Elect two safety reps."}
    )
    page = response.content.decode()
    assert response.status_code == 422 and "The amendment does not change the text." in page
    assert 'class="field invalid"' in page and "Elect two safety reps.</textarea>" in page
    assert not Motion.objects.filter(kind="amendment").exists()


def test_an_amendment_that_lapsed_with_its_motion_says_so_not_withdrawn(cast, motion):
    amendment = actions.propose_amendment(actor=cast.frank, motion=motion, text="Elect three.", now=NOW)
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    client = cast.client(cast.bob)
    own = client.get(f"/motions/{amendment.uuid}/").content.decode()
    assert '<small class="state" id="motion-state">Lapsed with its motion</small>' in own
    listed = client.get(f"/motions/{motion.uuid}/").content.decode()
    assert '<small class="state">Lapsed with its motion</small>' in listed and "Withdrawn" not in listed
    # The record's pages name the end the entry records, from its reason.
    sequence_pending(now=LATER)
    record = client.get("/record/", {"event": "motion.withdrawn"}).content.decode()
    assert (
        '<td data-label="Entry">Amendment lapsed with its motion '
        "<small><code>motion.withdrawn</code></small></td>" in record
    )
    assert "Motion withdrawn" not in record


def test_amendment_diff_escapes_html(cast, motion):
    actions.propose_amendment(actor=cast.frank, motion=motion, text="<script>x</script> reps", now=NOW)
    page = cast.client(cast.bob).get(f"/motions/{motion.uuid}/").content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


def test_officer_opens_vote_and_forwards(cast, motion):
    alice = cast.client(cast.alice)
    response = alice.post(
        f"/motions/{motion.uuid}/open-vote/", {"method": "named", "threshold": "simple", "allow_change": "on"}
    )
    assert response.status_code == 302
    vote = motion.votes.get()
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    assert alice.post(f"/motions/{motion.uuid}/forward/").status_code == 302
    incoming = Motion.objects.get(forwarded_from=motion)
    page = cast.client(cast.bob).get(f"/motions/{incoming.uuid}/").content.decode()
    assert "Incoming from" in page and "Riverside Depot" in page and "1 for, 0 against" in page


def test_the_chair_is_sent_to_a_seconded_amendment_before_its_motion(cast, motion):
    amendment = actions.propose_amendment(
        actor=cast.frank, motion=motion, text="Elect three.", title="Three reps", now=NOW, seconds_required=0
    )
    alice = cast.client(cast.alice)
    page = alice.get(f"/motions/{motion.uuid}/").content.decode()
    assert "A seconded amendment awaits its vote: put it to the vote before this motion" in page
    assert f'<li><a href="/motions/{amendment.uuid}/">Three reps</a></li>' in page
    assert 'name="quorum"' not in page
    response = alice.post(f"/motions/{motion.uuid}/open-vote/", {"method": "named", "threshold": "simple"})
    assert response.status_code == 409
    assert "The seconded amendment “Three reps” awaits its vote" in response.content.decode()
    assert not Vote.objects.filter(motion=motion).exists()
    # The amendment's own page offers its vote.
    assert 'name="quorum"' in alice.get(f"/motions/{amendment.uuid}/").content.decode()


def test_open_vote_form_errors_are_422(cast, motion):
    response = cast.client(cast.alice).post(
        f"/motions/{motion.uuid}/open-vote/", {"method": "lottery", "quorum": "0"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    select = re.search(r'<select[^>]*name="method"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in select and 'aria-describedby="id_method_error"' in select
    assert '<div id="id_method_error"><p class="field-error">Select a valid choice.' in page
    assert 'aria-describedby="id_quorum_helptext id_quorum_error"' in page and 'id="id_quorum_error"' in page


def test_a_quorum_the_rules_refuse_is_said_beside_the_form_that_keeps_the_choices(cast, motion):
    response = cast.client(cast.alice).post(
        f"/motions/{motion.uuid}/open-vote/", {"method": "named", "threshold": "two_thirds", "quorum": "50"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        '<div class="error" role="alert" tabindex="-1" autofocus id="open-vote-error">'
        "<p>The quorum must be between 1 and the 4 members entitled to vote.</p></div>"
    ) in page
    assert '<option value="two_thirds" selected>' in page and 'name="quorum" value="50"' in page
    assert 'max="4"' in re.search(r'<input[^>]*name="quorum"[^>]*>', page).group(0)
    assert not Vote.objects.filter(motion=motion).exists()


def test_open_vote_form_says_what_an_empty_quorum_means(cast, motion):
    page = cast.client(cast.alice).get(f"/motions/{motion.uuid}/").content.decode()
    assert 'aria-describedby="id_quorum_helptext"' in page
    assert '<p class="hint" id="id_quorum_helptext">' in page
    assert "Leave it empty for no quorum: the vote decides however few members take part." in page


def test_open_vote_form_caps_the_quorum_at_the_electorate(cast, motion):
    page = cast.client(cast.alice).get(f"/motions/{motion.uuid}/").content.decode()
    box = re.search(r'<input[^>]*name="quorum"[^>]*>', page).group(0)
    assert 'max="4"' in box and 'min="1"' in box
    assert "At most 4: the council has 4 members with a vote." in page
    assert 'name="quorum"' not in cast.client(cast.bob).get(f"/motions/{motion.uuid}/").content.decode()


def test_home_lists_open_votes_for_the_member(cast, motion):
    actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    page = cast.client(cast.bob).get("/").content.decode()
    assert "Open votes" in page and "Safety reps" in page and "your vote is awaited" in page


def test_web_and_api_write_identical_vote_entries(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    cast.client(cast.bob).post(f"/motions/votes/{vote.uuid}/cast/", {"choice": "yes"})
    cast.api(cast.erin).post(
        f"/api/v1/motions/votes/{vote.uuid}/cast",
        json.dumps({"choice": "yes"}),
        content_type="application/json",
    )
    web, api = (json.loads(bytes(e.data)) for e in Entry.objects.filter(event="vote.cast").order_by("id"))
    assert set(web) == set(api) and set(web["payload"]) == set(api["payload"])
    assert web["payload"]["choice"] == api["payload"]["choice"] == "yes"


def test_motion_page_queries_do_not_grow_with_amendments(cast, motion, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client(cast.bob)
    actions.propose_amendment(actor=cast.frank, motion=motion, text="Elect 9 safety reps.", now=NOW)
    client.get(f"/motions/{motion.uuid}/")
    with CaptureQueriesContext(connection) as before:
        client.get(f"/motions/{motion.uuid}/")
    for i in range(8):
        actions.propose_amendment(actor=cast.frank, motion=motion, text=f"Elect {i} safety reps.", now=NOW)
    with django_assert_max_num_queries(len(before)):
        page = client.get(f"/motions/{motion.uuid}/").content.decode()
    assert page.count('two<span class="visually-hidden">)</span></del>') == 9


def test_council_page_motion_list_costs_one_query(cast, django_assert_max_num_queries):
    client = cast.client(cast.bob)
    url = f"/councils/{cast.riverside.uuid}/"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(10):
        actions.table_motion(actor=cast.bob, council=cast.riverside, title=f"M{i}", text="X", now=NOW)
    with CaptureQueriesContext(connection) as after:
        assert "M9" in client.get(url).content.decode()
    assert len(after) == len(before)


def test_the_close_button_waits_for_the_closing_time_unless_everyone_has_voted(cast, motion, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    vote = actions.open_vote(
        actor=cast.alice,
        motion=motion,
        now=timezone.now(),
        method="named",
        closes_at=timezone.now() + timedelta(days=1),
    )
    alice = cast.client(cast.alice)
    page = alice.get(f"/motions/{motion.uuid}/").content.decode()
    # No button the rules would refuse: the officer is told when the vote can be closed instead.
    assert "Close the vote" not in page
    assert re.search(
        r'<p class="hint" id="vote-close-wait" data-electorate="4">The vote closes by itself at [^<]+ UTC '
        r"and is counted then\. It can be closed and counted earlier only once everyone entitled to vote "
        r"has voted\.</p>",
        page,
    )
    # At the closing time the close is allowed; so it is before, once everyone entitled has voted.
    with monkeypatch.context() as clock:
        clock.setattr(timezone, "now", lambda: vote.closes_at)
        page = alice.get(f"/motions/{motion.uuid}/").content.decode()
    assert 'id="close-vote"' in page and "vote-close-wait" not in page
    for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
        actions.cast_vote(actor=voter, vote=vote, choice="yes", now=timezone.now())
    page = alice.get(f"/motions/{motion.uuid}/").content.decode()
    assert 'id="close-vote"' in page and "vote-close-wait" not in page


def test_choices_are_shown_in_words_not_codes(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    bob = cast.client(cast.bob)
    page = bob.post(f"/motions/votes/{vote.uuid}/cast/", {"choice": "no"}, follow=True).content.decode()
    assert "Your vote is recorded: No." in page and "You voted: No." in page
    box = bob.post(
        f"/motions/votes/{vote.uuid}/cast/", {"choice": "abstain"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Your vote is recorded: Abstain." in box
    closed = cast.client(cast.alice).post(f"/motions/votes/{vote.uuid}/close/", follow=True).content.decode()
    assert "The vote is closed: rejected." in closed
    roll = bob.get(f"/motions/votes/{vote.uuid}/ballots/").content.decode()
    assert "<td>Bob Novak</td><td>Abstain</td>" in roll


def test_published_secret_ballots_show_choices_in_words(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    receipt = actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    page = cast.client(cast.bob).get(f"/motions/votes/{vote.uuid}/ballots/").content.decode()
    assert f"<td><code>{receipt.receipt}</code></td><td>Yes</td>" in page


def test_an_observer_is_told_why_there_is_no_ballot(cast, motion):
    actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    page = cast.client(cast.carol).get(f"/motions/{motion.uuid}/").content.decode()
    assert "You are not in this vote's electorate" in page and 'name="choice"' not in page
    assert (
        "not in this vote's electorate"
        not in cast.client(cast.bob).get(f"/motions/{motion.uuid}/").content.decode()
    )


def test_the_page_follows_the_council_until_the_vote_opens_and_the_vote_after(cast, motion):
    """Awaiting a vote or seconders, the page reloads on the council's motions.changed; once the vote
    is open it follows the vote's tally instead, and once decided nothing."""
    channel = f"/live/council-{cast.riverside.uuid}"
    follows = f'<div id="motion" data-live="{channel}" data-live-reload="motions.changed">'
    url = f"/motions/{motion.uuid}/"
    page = cast.client(cast.bob).get(url).content.decode()
    assert follows in page and "web/live-parts.js" in page and "web/live-vote.js" not in page
    assert 'role="alert" hidden data-live-notice="motions.changed"' in page
    draft = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Lockers", text="New lockers.", now=NOW
    )
    assert follows in cast.client(cast.bob).get(f"/motions/{draft.uuid}/").content.decode()
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    page = cast.client(cast.bob).get(url).content.decode()
    assert follows not in page and "web/live-parts.js" not in page and "data-live-notice" not in page
    assert f'data-live="/live/vote-{vote.uuid}"' in page and "web/live-vote.js" in page
    actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    page = cast.client(cast.bob).get(url).content.decode()
    assert "data-live=" not in page and "web/live-parts.js" not in page and "web/live-vote.js" not in page


def test_the_change_of_vote_box_belongs_to_a_named_vote_and_is_ignored_for_a_secret_one(cast, motion):
    client = cast.client(cast.alice)
    page = client.get(f"/motions/{motion.uuid}/").content.decode()
    # Shown by the style sheet only while a named vote is chosen.
    field = re.search(r'<div class="field" data-method="named">\s*<label><input type="checkbox"[^>]*>', page)
    assert field and 'name="allow_change"' in field.group(0), page
    assert "A secret ballot cannot be changed once cast." in page
    css = Path(finders.find("web/councils.css")).read_text()
    assert '[data-method="named"] { display: none; }' in css
    # Without that style the box may come ticked with a secret ballot: the vote still cannot be changed.
    response = client.post(
        f"/motions/{motion.uuid}/open-vote/",
        {"method": "secret", "threshold": "simple", "allow_change": "on"},
    )
    assert response.status_code == 302 and motion.votes.get().allow_change is False


def test_a_decided_motion_links_the_record_entries_that_decided_it(cast, motion):
    bob, alice = cast.client(cast.bob), cast.client(cast.alice)
    url = f"/motions/{motion.uuid}/"
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    assert "In the public record" not in bob.get(url).content.decode()
    actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    # Committed but not yet given its place in the log: said, not linked.
    page = bob.get(url).content.decode()
    assert "In the public record" in page
    assert "being added to the record" in recorded(page) and "/record/entries/" not in recorded(page)
    sequence_pending(now=LATER)
    page = bob.get(url).content.decode()
    assert "being added to the record" not in page
    [closed] = linked(bob, page)
    assert closed["event"] == "vote.closed" and closed["motion"] == str(motion.uuid)
    assert closed["vote"] == str(vote.uuid) and closed["result"]["outcome"] == "adopted"
    assert alice.post(f"{url}forward/").status_code == 302
    sequence_pending(now=LATER)
    entries = linked(bob, bob.get(url).content.decode())
    assert [(e["event"], e["motion"]) for e in entries] == [
        ("vote.closed", str(motion.uuid)),
        ("motion.forwarded", str(motion.uuid)),
    ]
    # The motion it became in the council above is not decided yet: none of these is its entry.
    incoming = Motion.objects.get(forwarded_from=motion)
    assert "In the public record" not in bob.get(f"/motions/{incoming.uuid}/").content.decode()


def test_only_the_vote_that_decided_a_motion_is_linked_not_one_without_quorum(cast, motion):
    bob = cast.client(cast.bob)
    url = f"/motions/{motion.uuid}/"
    inquorate = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named", quorum=3)
    actions.cast_vote(actor=cast.bob, vote=inquorate, choice="no", now=NOW)
    actions.close_vote(actor=cast.alice, vote=inquorate, now=NOW)
    sequence_pending(now=NOW)
    # Without quorum nothing was decided: the page links no entry.
    assert "In the public record" not in bob.get(url).content.decode()
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=LATER, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=LATER)
    actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    sequence_pending(now=LATER)
    [closed] = linked(bob, bob.get(url).content.decode())
    assert closed["vote"] == str(vote.uuid) and closed["result"]["outcome"] == "rejected"


def test_a_withdrawn_motion_and_its_lapsed_amendment_link_the_entries_that_ended_them(cast, motion):
    amendment = actions.propose_amendment(actor=cast.frank, motion=motion, text="Elect three.", now=NOW)
    # A vote without quorum decided nothing: the withdrawal after it is what ended the motion.
    inquorate = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named", quorum=3)
    actions.cast_vote(actor=cast.bob, vote=inquorate, choice="no", now=NOW)
    actions.close_vote(actor=cast.alice, vote=inquorate, now=NOW)
    bob = cast.client(cast.bob)
    assert bob.post(f"/motions/{motion.uuid}/withdraw/").status_code == 302
    page = bob.get(f"/motions/{motion.uuid}/").content.decode()
    assert "being added to the record" in recorded(page) and "/record/entries/" not in recorded(page)
    sequence_pending(now=LATER)
    page = bob.get(f"/motions/{motion.uuid}/").content.decode()
    [withdrawn] = linked(bob, page)
    assert withdrawn == {"event": "motion.withdrawn", "motion": str(motion.uuid), "reason": "withdrawn"}
    assert '<small class="muted">Motion withdrawn</small>' in recorded(page)
    page = bob.get(f"/motions/{amendment.uuid}/").content.decode()
    [lapsed] = linked(bob, page)
    assert lapsed == {"event": "motion.withdrawn", "motion": str(amendment.uuid), "reason": "lapsed"}
    assert '<small class="muted">Amendment lapsed with its motion</small>' in recorded(page)
    # Each entry's own page and the record's list say which end it records.
    [index] = indexes(page)
    entry = bob.get(f"/record/entries/{index}/").content.decode()
    assert "Amendment lapsed with its motion <small><code>motion.withdrawn</code></small></h1>" in entry
    listing = bob.get(f"/record/councils/{cast.riverside.uuid}/", {"event": "motion"}).content.decode()
    assert (
        '<td data-label="Entry">Motion withdrawn <small><code>motion.withdrawn</code></small></td>' in listing
    )
    assert (
        '<td data-label="Entry">Amendment lapsed with its motion '
        "<small><code>motion.withdrawn</code></small></td>" in listing
    )
    assert "Motion withdrawn or lapsed" not in listing


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_the_record_entry_of_a_hidden_councils_motion_is_linked_only_for_who_may_read_it(cast, motion):
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    sequence_pending(now=NOW)
    [closed] = indexes(cast.client(cast.bob).get(f"/motions/{motion.uuid}/").content.decode())
    dave = cast.client(cast.dave)
    assert dave.get(f"/motions/{motion.uuid}/").status_code == 404
    assert dave.get(f"/record/entries/{closed}/").status_code == 404
    assert cast.client(cast.bob).get(f"/record/entries/{closed}/").status_code == 200


def test_while_an_amendment_is_voted_on_the_chair_is_sent_to_it_not_offered_another_vote(cast, motion):
    amendment = actions.propose_amendment(
        actor=cast.frank, motion=motion, text="Elect three.", title="Three reps", now=NOW, seconds_required=0
    )
    other = actions.propose_amendment(
        actor=cast.erin, motion=motion, text="Elect four.", title="Four reps", now=NOW, seconds_required=0
    )
    actions.open_vote(actor=cast.alice, motion=amendment, now=NOW, method="named")
    alice = cast.client(cast.alice)
    for page in (f"/motions/{motion.uuid}/", f"/motions/{other.uuid}/"):
        html = alice.get(page).content.decode()
        assert (
            f'<a href="/motions/{amendment.uuid}/">Three reps</a> is being voted on: '
            "close its vote before putting this one to the vote." in html
        )
        assert 'name="quorum"' not in html


def test_an_adopted_amendment_heads_its_text_as_adopted_not_if_adopted(cast, motion):
    amendment = actions.propose_amendment(
        actor=cast.frank, motion=motion, text="Elect three.", now=NOW, seconds_required=0
    )
    client = cast.client(cast.bob)
    assert "<h2>Text if adopted</h2>" in client.get(f"/motions/{amendment.uuid}/").content.decode()
    vote = actions.open_vote(actor=cast.alice, motion=amendment, now=NOW, method="named")
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    actions.close_vote(actor=cast.alice, vote=vote, now=LATER)
    page = client.get(f"/motions/{amendment.uuid}/").content.decode()
    assert "<h2>Text as adopted</h2>" in page and "Text if adopted" not in page


def test_seconding_an_amendment_says_amendment_not_motion(cast, motion):
    amendment = actions.propose_amendment(actor=cast.frank, motion=motion, text="Elect three.", now=NOW)
    bob = cast.client(cast.bob)
    page = bob.get(f"/motions/{amendment.uuid}/").content.decode()
    assert ">Second this amendment</button>" in page and "Second this motion" not in page
    seconded = bob.post(f"/motions/{amendment.uuid}/second/", follow=True).content.decode()
    assert "You seconded the amendment." in seconded and "You seconded the motion." not in seconded
