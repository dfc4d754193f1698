from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from councils.elections import actions
from councils.elections.models import Election, Participation
from councils.federation.models import Council, Membership
from councils.membership import actions as membership_actions
from councils.record.sequencer import sequence_pending
from tests.record.links import linked

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def election(cast):
    return actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)


def voting(cast, election):
    candidates = [
        actions.nominate(actor=u, election=election, candidate=u, now=NOW)
        for u in (cast.bob, cast.erin, cast.frank)
    ]
    # Opened now, so ballots cast through the pages fall within the poll.
    opened = timezone.now()
    actions.open_voting(
        actor=cast.alice, election=election, closes_at=opened + timedelta(hours=1), now=opened
    )
    return candidates


def test_member_sees_election_and_nominate_form(cast, election):
    response = cast.client(cast.bob).get(f"/elections/{election.uuid}/")
    assert response.status_code == 200
    assert b'name="candidate"' in response.content and election.title.encode() in response.content


def test_anonymous_is_sent_to_login_on_writes_and_404_on_hidden(cast, election):
    client = cast.client(None)
    assert client.get(f"/elections/{election.uuid}/").status_code == 404
    response = client.post(f"/elections/{election.uuid}/nominate/")
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_outsider_gets_404_on_hidden_council(cast, election):
    assert cast.client(cast.dave).get(f"/elections/{election.uuid}/").status_code == 404
    assert cast.client(cast.alice).get(f"/elections/{uuid.uuid4()}/").status_code == 404


def test_observer_gets_403_on_writes(cast, election):
    client = cast.client(cast.carol)
    assert (
        client.post(f"/elections/{election.uuid}/nominate/", {"candidate": str(cast.carol.uuid)}).status_code
        == 403
    )
    closes_at = (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/elections/{election.uuid}/open/", {"closes_at": closes_at}).status_code == 403
    assert client.get(f"/elections/call/{cast.riverside.uuid}/").status_code == 403


def test_a_nomination_naming_no_uuid_is_refused_not_taken_as_oneself(cast, election):
    response = cast.client(cast.bob).post(f"/elections/{election.uuid}/nominate/", {"candidate": "garbage"})
    assert response.status_code == 422 and b"Choose a voter of this council to nominate." in response.content
    assert not election.candidacies.exists()


def test_wrong_method_is_405(cast, election):
    assert cast.client(cast.alice).get(f"/elections/{election.uuid}/open/").status_code == 405
    assert cast.client(cast.alice).post(f"/elections/{election.uuid}/").status_code == 405


def test_call_form_shows_errors(cast):
    client = cast.client(cast.alice)
    assert client.get(f"/elections/call/{cast.riverside.uuid}/").status_code == 200
    response = client.post(f"/elections/call/{cast.riverside.uuid}/", {"kind": "delegates", "seats": "9"})
    assert response.status_code == 422 and b"may elect 2" in response.content
    page = response.content.decode()
    assert '<div class="error" role="alert" tabindex="-1" autofocus id="form-error">' in page
    assert 'id="seats" name="seats" aria-describedby="seats-hint form-error"' in page
    response = client.post(f"/elections/call/{cast.riverside.uuid}/", {"kind": "delegates", "seats": "two"})
    assert response.status_code == 422 and b"Seats must be a whole number." in response.content
    assert b"term&#x27;s end" not in response.content


def test_a_term_the_constitution_refuses_is_said_beside_the_call_form(cast):
    response = cast.client(cast.alice).post(
        f"/elections/call/{cast.riverside.uuid}/",
        {"kind": "office", "role": "treasurer", "title": "Our treasurer", "term_ends_on": "9999-12-31"},
    )
    page = response.content.decode()
    assert response.status_code == 422 and 'id="form-error"' in page
    assert "every office is held for a term of at most" in page
    # What was entered is kept.
    assert 'value="Our treasurer"' in page and 'value="9999-12-31"' in page
    assert not Election.objects.filter(title="Our treasurer").exists()


def test_the_call_form_shows_what_each_field_left_alone_gives(cast):
    """Sent as it loads, the form calls the election it shows: nothing is chosen out of sight."""
    url = f"/elections/call/{cast.riverside.uuid}/"
    form = cast.client(cast.alice).get(url).content.decode()
    assert 'name="kind" value="delegates" checked>' in form
    assert "Leave empty for the delegates the parent council apportions" in form
    assert "Left empty, the term is the constitution's: 12 months from the count's certification." in form
    assert '<option value="">Default: Scottish STV for several seats, plurality for one</option>' in form


def test_a_call_that_says_nothing_is_refused_and_calls_nothing(cast):
    response = cast.client(cast.alice).post(f"/elections/call/{cast.riverside.uuid}/", {})
    assert response.status_code == 422
    assert b"An election is of delegates or of an officer." in response.content
    assert not Election.objects.exists()


def test_nominee_accepts_through_the_page(cast, election):
    cast.client(cast.frank).post(f"/elections/{election.uuid}/nominate/", {"candidate": str(cast.erin.uuid)})
    candidacy = election.candidacies.get()
    assert not candidacy.is_standing
    erin = cast.client(cast.erin)
    response = erin.post(f"/elections/{election.uuid}/nominations/{candidacy.uuid}/accept/", follow=True)
    assert response.redirect_chain == [(f"/elections/{election.uuid}/", 302)]
    assert "You accepted the nomination: you stand in this election." in response.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.is_standing
    response = erin.post(f"/elections/{election.uuid}/nominations/{candidacy.uuid}/withdraw/", follow=True)
    assert "You withdrew from this election." in response.content.decode()


def test_nominee_declines_through_the_page(cast, election):
    cast.client(cast.frank).post(f"/elections/{election.uuid}/nominate/", {"candidate": str(cast.erin.uuid)})
    candidacy = election.candidacies.get()
    url = f"/elections/{election.uuid}/nominations/{candidacy.uuid}/withdraw/"
    response = cast.client(cast.erin).post(url, follow=True)
    assert "You declined the nomination." in response.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.withdrawn_at is not None


def test_ranked_ballot_form_works_without_javascript(cast, election):
    bob, erin, _frank = voting(cast, election)
    page = cast.client(cast.erin).get(f"/elections/{election.uuid}/")
    assert b'name="rank_1"' in page.content and b'name="rank_3"' in page.content
    client = cast.client(cast.erin)
    response = client.post(
        f"/elections/{election.uuid}/ballot/", {"rank_1": str(erin.uuid), "rank_2": str(erin.uuid)}
    )
    assert response.status_code == 422 and b"only once" in response.content
    page = response.content.decode()
    assert '<div class="error" role="alert" tabindex="-1" autofocus id="ballot-error">' in page
    assert '<select id="rank_1" name="rank_1" aria-invalid="true" aria-describedby="ballot-error">' in page
    # A gap is not guessed away: the voter fixes it, with their marks kept.
    for marks, gap in (
        ({"rank_1": "", "rank_2": str(bob.uuid)}, 1),
        ({"rank_1": str(erin.uuid), "rank_3": str(bob.uuid)}, 2),
    ):
        response = client.post(f"/elections/{election.uuid}/ballot/", {"rank_2": "", **marks})
        assert response.status_code == 422
        assert f"preference {gap} is empty".encode() in response.content
        assert f'<option value="{bob.uuid}" selected'.encode() in response.content
    marks = {"rank_1": str(erin.uuid), "rank_2": str(bob.uuid), "rank_3": ""}
    # First the voter sees their ballot in words, with nothing cast yet.
    review = client.post(f"/elections/{election.uuid}/ballot/", marks).content.decode()
    assert re.search(
        r'<ol class="ballot-review" id="ballot-review"><li>Erin Walsh</li><li>Bob Novak</li></ol>', review
    )
    assert f'<input type="hidden" name="rank_1" value="{erin.uuid}">' in review
    assert 'name="rank_3"' not in review and not Participation.objects.filter(election=election).exists()
    # Changing their mind takes them back to the ballot, marks kept.
    back = client.post(f"/elections/{election.uuid}/ballot/", {**marks, "change": "1"})
    assert back.status_code == 200 and f'<option value="{bob.uuid}" selected'.encode() in back.content
    response = client.post(f"/elections/{election.uuid}/ballot/", {**marks, "confirm": "1"})
    assert response.status_code == 302
    page = client.get(f"/elections/{election.uuid}/")
    assert b"cannot be changed" in page.content and b'name="rank_1"' not in page.content
    # Reviewing again after casting is refused, as casting again would be.
    again = client.post(f"/elections/{election.uuid}/ballot/", marks)
    assert again.status_code == 409 and b"You have already voted in this election." in again.content
    assert Participation.objects.filter(election=election).count() == 1


def _part(client, election, part=None):
    query = f"?part={part}" if part else ""
    return client.get(f"/elections/{election.uuid}/{query}", headers={"HX-Request": "true"})


def test_the_page_follows_the_elections_stream_until_certified(cast, election):
    url = f"/elections/{election.uuid}/"
    reloads = "election.opened election.closed election.failed election.recounted election.certified"
    refetch = 'hx-get="{url}?part={part}" hx-trigger="live-refresh"'
    page = cast.client(cast.bob).get(url).content.decode()
    assert f'data-live="/live/election-{election.uuid}" data-live-reload="{reloads}"' in page
    assert "web/live-parts.js" in page
    assert (
        f'data-live-on="candidates.changed slates.changed" {refetch.format(url=url, part="candidates")}'
        in page
    )
    # Each state change the page reloads for has a notice to show instead while a form is being filled in.
    for notice in (
        "election.opened",
        "election.closed election.failed",
        "election.recounted election.certified",
    ):
        assert f'role="alert" hidden data-live-notice="{notice}"' in page
    # The turnout and the officer's close button follow the ballots only while the poll is open.
    assert 'data-live-on="turnout"' not in page
    bob, _erin, _frank = voting(cast, election)
    page = cast.client(cast.alice).get(url).content.decode()
    assert f'data-live-on="turnout" {refetch.format(url=url, part="turnout")}' in page
    assert f'<div id="closing" data-live-on="turnout" {refetch.format(url=url, part="closing")}' in page
    assert "every 10s" not in page
    for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
        actions.cast_ballot(actor=voter, election=election, ranking=[str(bob.uuid)], now=timezone.now())
    actions.close_election(actor=cast.alice, election=election, now=timezone.now())
    assert "data-live" in cast.client(cast.bob).get(url).content.decode()
    actions.certify_election(actor=cast.alice, election=election, now=timezone.now())
    page = cast.client(cast.bob).get(url).content.decode()
    assert "data-live" not in page and "live-parts.js" not in page and "hx-trigger" not in page
    assert "Bob Novak" in page and "Turnout" in page


def test_each_live_part_answers_htmx_with_that_part_only(cast, election):
    bob, _erin, _frank = voting(cast, election)
    actions.cast_ballot(actor=cast.erin, election=election, ranking=[str(bob.uuid)], now=timezone.now())
    erin = cast.client(cast.erin)

    for response in (_part(erin, election, "turnout"), _part(erin, election)):
        text = response.content.decode()
        assert response.status_code == 200 and text.lstrip().startswith('<span id="turnout"')
        # A secret ballot: the part gives how many voted, never who.
        assert ">1 / 4</span>" in text and "Erin" not in text and "<dt>" not in text
        assert "<html" not in text and "HX-Request" in response["Vary"]

    candidates = _part(erin, election, "candidates").content.decode()
    assert candidates.lstrip().startswith('<section id="candidate-list"')
    assert all(name in candidates for name in ("Bob Novak", "Erin Walsh", "Frank Costa"))
    assert (
        "<html" not in candidates and 'name="rank_1"' not in candidates and 'id="turnout"' not in candidates
    )

    # The close button is offered once everyone has voted (till then, when it can be closed); others
    # get an empty part.
    closing = _part(cast.client(cast.alice), election, "closing").content.decode()
    assert closing.lstrip().startswith('<div id="closing"') and "Close voting and count" not in closing
    assert 'id="close-election"' not in closing and 'name="rank_1"' not in closing
    assert "earlier only once every elector has voted: 1 of 4 so far." in closing
    assert "Close voting and count" not in _part(erin, election, "closing").content.decode()
    for voter in (cast.alice, cast.bob, cast.frank):
        actions.cast_ballot(actor=voter, election=election, ranking=[str(bob.uuid)], now=timezone.now())
    closing = _part(cast.client(cast.alice), election, "closing").content.decode()
    assert 'id="close-election">Close voting and count' in closing and 'id="close-wait"' not in closing
    assert ">4 / 4</span>" in _part(erin, election, "turnout").content.decode()

    # Without htmx the same address is the whole page, ballot and all.
    whole = cast.client(cast.carol).get(f"/elections/{election.uuid}/?part=turnout").content.decode()
    assert "<html" in whole and 'id="candidate-list"' in whole and 'id="ballot"' in whole


def test_the_candidate_list_part_shows_a_nomination_and_its_acceptance(cast, election):
    actions.nominate(actor=cast.frank, election=election, candidate=cast.erin, now=NOW)
    candidacy = election.candidacies.get()
    text = _part(cast.client(cast.bob), election, "candidates").content.decode()
    assert "Erin Walsh" in text and "nominated by Frank Costa, not yet accepted" in text
    # The nominee is offered her answer in the part too, as on the whole page.
    assert "Accept nomination" in _part(cast.client(cast.erin), election, "candidates").content.decode()
    actions.accept_nomination(actor=cast.erin, candidacy=candidacy, now=NOW)
    text = _part(cast.client(cast.bob), election, "candidates").content.decode()
    assert "Erin Walsh" in text and "not yet accepted" not in text


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_a_live_part_is_shown_only_to_who_may_see_the_election(cast, election):
    voting(cast, election)
    for part in ("turnout", "candidates", "closing"):
        assert _part(cast.client(cast.dave), election, part).status_code == 404
        assert _part(cast.client(None), election, part).status_code == 404
        assert _part(cast.client(cast.carol), election, part).status_code == 200


def test_an_unknown_part_of_the_election_page_is_refused_with_the_parts_there_are(cast, election):
    refused = _part(cast.client(cast.bob), election, "ballot")
    assert refused.status_code == 422
    assert (
        "No such part of this page: choose one of turnout, candidates, closing." in refused.content.decode()
    )


def test_results_page_csv_and_blt(cast, election):
    bob, erin, frank = voting(cast, election)
    for voter, first in [(cast.alice, bob), (cast.bob, bob), (cast.erin, erin), (cast.frank, erin)]:
        actions.cast_ballot(
            actor=voter, election=election, ranking=[str(first.uuid), str(frank.uuid)], now=NOW
        )
    client = cast.client(cast.alice)
    assert client.post(f"/elections/{election.uuid}/close/").status_code == 302
    # Closed, the poll says when it closed, no longer when it closes.
    detail = client.get(f"/elections/{election.uuid}/").content.decode()
    assert re.search(r'<dt>Poll closed</dt><dd id="poll-closed">[^<]+ UTC</dd>', detail)
    assert "Poll closes" not in detail and "closed early only" not in detail
    page = client.get(f"/elections/{election.uuid}/results/")
    assert page.status_code == 200
    assert b"Every stage of the count" in page.content and b"Bob Novak" in page.content
    assert b'class="bar"' in page.content
    csv = client.get(f"/elections/{election.uuid}/stages.csv")
    assert csv.status_code == 200 and csv.content.startswith(b"stage,action")
    blt = client.get(f"/elections/{election.uuid}/ballots.blt")
    assert blt.status_code == 200 and blt.content.startswith(b"3 2\n")
    assert client.post(f"/elections/{election.uuid}/certify/").status_code == 302
    assert Election.objects.get(pk=election.pk).status == "certified"


def test_each_step_of_running_an_election_says_what_it_did(cast):
    client = cast.client(cast.alice)
    called = client.post(f"/elections/call/{cast.riverside.uuid}/", {"kind": "delegates"}, follow=True)
    assert "The election is called and nominations are open" in called.content.decode()
    election = Election.objects.get(council=cast.riverside, status="nominating")
    bob, _erin = (
        actions.nominate(actor=u, election=election, candidate=u, now=NOW) for u in (cast.bob, cast.erin)
    )
    closes_at = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    opened = client.post(f"/elections/{election.uuid}/open/", {"closes_at": closes_at}, follow=True)
    assert "Nominations are closed and voting is open." in opened.content.decode()
    for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
        actions.cast_ballot(actor=voter, election=election, ranking=[str(bob.uuid)], now=timezone.now())
    closed = client.post(f"/elections/{election.uuid}/close/", follow=True)
    page = closed.content.decode()
    assert closed.redirect_chain[-1][0] == f"/elections/{election.uuid}/results/"
    assert "The poll is closed and the ballots are counted." in page
    assert f'<a href="/elections/{election.uuid}/#run">certify the result' in page
    # Only who runs the election is sent to certify it.
    assert 'id="certify-next"' not in cast.client(cast.bob).get(closed.redirect_chain[-1][0]).content.decode()
    certified = client.post(f"/elections/{election.uuid}/certify/", follow=True).content.decode()
    assert "The result is certified and the elected take up their seats." in certified
    assert 'id="certify-next"' not in certified


def test_blt_before_close_is_refused(cast, election):
    assert cast.client(cast.alice).get(f"/elections/{election.uuid}/ballots.blt").status_code == 409


def test_results_page_shows_transfers_between_stages(cast, election):
    bob, erin, frank = voting(cast, election)
    b, e, f = (str(c.uuid) for c in (bob, erin, frank))
    # Quota 2: bob elected at stage 1 with a surplus of 1 that goes to frank.
    for voter, ranking in [(cast.alice, [b, f]), (cast.bob, [b, f]), (cast.erin, [b, f]), (cast.frank, [e])]:
        actions.cast_ballot(actor=voter, election=election, ranking=ranking, now=NOW)
    actions.close_election(actor=cast.alice, election=election, now=NOW)
    page = cast.client(cast.bob).get(f"/elections/{election.uuid}/results/")
    assert page.status_code == 200
    assert b"transferred at this stage" in page.content and b"Transfer value" in page.content
    # Stage explanations name people, not the candidacy UUIDs the count ran on.
    for candidacy in election.candidacies.all():
        assert str(candidacy.uuid).encode() not in page.content.split(b"Check the count yourself")[0]


def test_call_form_sets_the_term(cast):
    client = cast.client(cast.alice)
    url = f"/elections/call/{cast.riverside.uuid}/"
    response = client.post(url, {"kind": "office", "role": "treasurer", "term_ends_on": "2027-02-28"})
    assert response.status_code == 302
    election = Election.objects.get(role="treasurer")
    assert election.term_ends_at.isoformat() == "2027-02-28T23:59:59+00:00"
    response = client.post(url, {"kind": "office", "role": "treasurer", "term_ends_on": "soon"})
    assert response.status_code == 422
    assert b"The term&#x27;s end must be a date (YYYY-MM-DD)." in response.content
    assert b"Seats must" not in response.content


def test_pages_say_who_was_withdrawn_at_certification_and_show_the_recount(cast, election):
    bob, erin, frank = voting(cast, election)
    b, e, f = (str(c.uuid) for c in (bob, erin, frank))
    for voter, ranking in [
        (cast.alice, [b, e]),
        (cast.bob, [b, f]),
        (cast.erin, [e, b]),
        (cast.frank, [e, f]),
    ]:
        actions.cast_ballot(actor=voter, election=election, ranking=ranking, now=NOW)
    actions.close_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=1))
    membership_actions.leave_membership(
        actor=cast.erin, membership=Membership.objects.get(user=cast.erin), now=NOW + timedelta(hours=2)
    )
    client = cast.client(cast.alice)
    assert b"Recounted at certification" not in client.get(f"/elections/{election.uuid}/").content
    assert client.post(f"/elections/{election.uuid}/certify/").status_code == 302
    page = client.get(f"/elections/{election.uuid}/").content.decode()
    assert "Recounted at certification" in page
    assert "no longer had a vote in Riverside Depot when the result was certified" in page
    assert "Erin Walsh, withdrawn" in page and "withdrawn at certification" in page
    results = client.get(f"/elections/{election.uuid}/results/").content.decode()
    assert "Recounted at certification" in results
    assert "Elected, in order of election: <strong>Bob Novak, Frank" in results


def test_the_open_form_tells_the_poll_lengths_of_the_constitution_in_force(cast, election):
    from tests.membership.support import adopt

    adopt(cast, version=1, election_poll_min_minutes=90, election_poll_max_days=7)
    page = cast.client(cast.alice).get(f"/elections/{election.uuid}/").content.decode()
    assert "At least 90 minutes and at most 7 days from now, as the constitution sets." in page


def test_chair_opens_the_poll_with_its_closing_time_and_the_page_shows_it(cast, election, monkeypatch):
    actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    client = cast.client(cast.alice)
    page = client.get(f"/elections/{election.uuid}/")
    assert b'name="closes_at"' in page.content and b"At least 15 minutes" in page.content
    assert client.post(f"/elections/{election.uuid}/open/").status_code == 422
    soon = (timezone.now() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/elections/{election.uuid}/open/", {"closes_at": soon})
    assert response.status_code == 422 and b"at least 15 minutes" in response.content
    page = response.content.decode()
    assert '<p class="error" role="alert" tabindex="-1" autofocus id="open-error">' in page
    assert 'aria-describedby="closes_at-hint open-error" aria-invalid="true"' in page
    closes_at = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    response = client.post(
        f"/elections/{election.uuid}/open/", {"closes_at": closes_at.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    election.refresh_from_db()
    assert election.status == "voting" and election.closes_at == closes_at
    page = client.get(f"/elections/{election.uuid}/")
    assert b"Poll closes" in page.content and b"closed early only once everyone has voted" in page.content
    assert b'id="close-election"' not in page.content
    assert re.search(
        rb'id="close-wait">The poll closes by itself at [^<]+ UTC and is counted then', page.content
    )
    assert (
        b"UTC and is counted then. It can be closed and counted earlier only once every elector has voted: "
        b"0 of 4 so far."
    ) in page.content
    response = client.post(f"/elections/{election.uuid}/close/")
    assert response.status_code == 409 and b"stays open until its closing time" in response.content
    monkeypatch.setattr(timezone, "now", lambda: closes_at)
    page = client.get(f"/elections/{election.uuid}/")
    assert (
        b'id="close-election">Close voting and count' in page.content
        and b'id="close-wait"' not in page.content
    )
    assert b"the poll may be closed and counted" in page.content


@pytest.mark.parametrize(
    ("by_election", "says"),
    [
        (
            False,
            b"sitting delegates keep their seats until a new election is certified, and never past the end",
        ),
        (True, b"if nobody does, the rules call it again themselves 14 days after this failure"),
    ],
)
def test_a_failed_election_says_nobody_was_elected_and_who_calls_the_next(cast, by_election, says):
    election = actions.call_election(
        actor=cast.alice,
        council=cast.riverside,
        kind="delegates",
        seats=1,
        is_by_election=by_election,
        now=NOW,
    )
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(hours=1), now=NOW)
    client = cast.client(cast.alice)
    response = client.post(f"/elections/{election.uuid}/close/", follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == f"/elections/{election.uuid}/"
    page = response.content
    assert b"Failed: no ballots were cast" in page
    assert b"No ballots were cast: nobody was elected. The council may call a new election." in page
    assert says in page and f"/elections/call/{cast.riverside.uuid}/".encode() in page
    assert b'name="rank_1"' not in page and b"Close voting and count" not in page
    member_page = cast.client(cast.erin).get(f"/elections/{election.uuid}/").content
    assert b"nobody was elected" in member_page and b"Call a new election" not in member_page
    council_page = client.get(f"/councils/{cast.riverside.uuid}/").content
    assert b'badge rejected">Failed: no ballots were cast' in council_page


def test_counting_methods_are_named_in_words(cast, election):
    form = cast.client(cast.alice).get(f"/elections/call/{cast.riverside.uuid}/").content.decode()
    assert '<option value="scottish-stv">Scottish STV</option>' in form
    assert '<option value="meek">Meek STV</option>' in form
    page = cast.client(cast.bob).get(f"/elections/{election.uuid}/").content.decode()
    assert "<dd>Scottish STV</dd>" in page


def test_a_refused_ballot_names_the_candidate_and_keeps_the_preferences(cast, election):
    bob, erin, _frank = voting(cast, election)
    response = cast.client(cast.erin).post(
        f"/elections/{election.uuid}/ballot/",
        {"rank_1": str(erin.uuid), "rank_2": str(bob.uuid), "rank_3": str(erin.uuid)},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "A candidate may be marked only once: Erin Walsh." in page and str(erin.uuid) + "." not in page
    assert f'<option value="{bob.uuid}" selected>Bob Novak</option>' in page.split('id="rank_2"')[1]


def test_a_refused_closing_time_is_explained_on_the_election_page(cast, election):
    actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    soon = (timezone.now() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    response = cast.client(cast.alice).post(f"/elections/{election.uuid}/open/", {"closes_at": soon})
    page = response.content.decode()
    assert response.status_code == 422 and "at least 15 minutes" in page
    assert "Run the election" in page and f'value="{soon}"' in page


def test_voters_who_share_a_name_are_told_apart_in_the_nominate_form(cast, election):
    from councils.federation import actions as federation_actions
    from tests.conftest import make_user

    namesake = make_user("erin2", "Erin Walsh")
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=namesake, now=NOW)
    page = cast.client(cast.bob).get(f"/elections/{election.uuid}/").content.decode()
    assert f'<option value="{cast.erin.uuid}">Erin Walsh (erin)</option>' in page
    assert f'<option value="{namesake.uuid}">Erin Walsh (erin2)</option>' in page
    assert f'<option value="{cast.frank.uuid}">Frank Costa</option>' in page
    assert f'<option value="{cast.bob.uuid}" selected>Bob Novak (myself)</option>' in page


def test_a_voter_left_to_nominate_is_told_apart_from_a_namesake_already_nominated(cast, election):
    from councils.federation import actions as federation_actions
    from tests.conftest import make_user

    namesake = make_user("erin2", "Erin Walsh")
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=namesake, now=NOW)
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    page = cast.client(cast.bob).get(f"/elections/{election.uuid}/").content.decode()
    assert f'<option value="{namesake.uuid}">Erin Walsh (erin2)</option>' in page
    assert f'<option value="{cast.erin.uuid}">' not in page


def test_a_ballot_for_one_seat_by_plurality_takes_one_mark_and_several_seats_take_ticks(cast):
    one = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", seats=1, method="plurality", now=NOW
    )
    voting(cast, one)
    page = cast.client(cast.erin).get(f"/elections/{one.uuid}/").content.decode()
    assert page.count('type="radio" id="approve_') == 3 and 'type="checkbox" id="approve_' not in page
    two = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", seats=2, method="plurality", now=NOW
    )
    voting(cast, two)
    page = cast.client(cast.erin).get(f"/elections/{two.uuid}/").content.decode()
    assert page.count('type="checkbox" id="approve_') == 3 and 'type="radio" id="approve_' not in page


def test_candidates_who_share_a_name_are_told_apart_on_the_ballot_for_participants_only(cast, election):
    from councils.federation import actions as federation_actions
    from tests.conftest import make_user

    namesake = make_user("erin2", "Erin Walsh")
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=namesake, now=NOW)
    actions.nominate(actor=namesake, election=election, candidate=namesake, now=NOW)
    voting(cast, election)
    page = cast.client(cast.frank).get(f"/elections/{election.uuid}/").content.decode()
    for who in ("erin", "erin2"):  # in the list of candidates and on the ballot
        assert f"<li>Erin Walsh ({who})" in page and f">Erin Walsh ({who})</option>" in page
    assert "Bob Novak (" not in page
    assert "Erin Walsh (erin" in _part(cast.client(cast.frank), election, "candidates").content.decode()
    # Someone who is not in the council, which the whole federation sees, reads only the names, as its
    # member list is not theirs to see.
    outside = cast.client(cast.dave).get(f"/elections/{election.uuid}/").content.decode()
    assert outside.count("Erin Walsh") == 2 and "(erin" not in outside


def _home_line(client, election) -> str:
    page = client.get("/").content.decode()
    line = re.search(rf'<li><a href="/elections/{election.uuid}/">[^<]*</a> <small>(.*?)</small></li>', page)
    assert line is not None
    return line.group(1)


def test_the_home_page_says_whose_ballot_an_open_election_awaits(cast, election):
    """As it does for open votes: each voter sees whether their ballot is still awaited."""
    assert _home_line(cast.client(cast.bob), election) == "Riverside Depot · Nominations open"
    bob, _erin, _frank = voting(cast, election)
    awaited = "Riverside Depot · Voting open · <strong>your ballot is awaited</strong>"
    assert _home_line(cast.client(cast.bob), election) == awaited
    actions.cast_ballot(actor=cast.bob, election=election, ranking=[str(bob.uuid)], now=timezone.now())
    assert _home_line(cast.client(cast.bob), election) == "Riverside Depot · Voting open · you have voted"
    assert _home_line(cast.client(cast.erin), election) == awaited
    # The observer follows the council but has no ballot to cast.
    assert _home_line(cast.client(cast.carol), election) == "Riverside Depot · Voting open"


def test_the_home_page_tells_whoever_was_nominated_to_answer(cast, election):
    asked = "Riverside Depot · Nominations open · <strong>you are nominated: accept or decline</strong>"
    frank = actions.nominate(actor=cast.alice, election=election, candidate=cast.frank, now=NOW)
    erin = actions.nominate(actor=cast.alice, election=election, candidate=cast.erin, now=NOW)
    actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    assert _home_line(cast.client(cast.frank), election) == asked
    assert _home_line(cast.client(cast.erin), election) == asked
    # Standing by their own nomination, Bob has nothing to answer.
    assert _home_line(cast.client(cast.bob), election) == "Riverside Depot · Nominations open"
    actions.accept_nomination(actor=cast.frank, candidacy=frank, now=NOW)
    actions.withdraw_candidacy(actor=cast.erin, candidacy=erin, now=NOW)
    for answered in (cast.frank, cast.erin):
        assert _home_line(cast.client(answered), election) == "Riverside Depot · Nominations open"


def _recorded_entries(client, election) -> list[dict]:
    """The entries the election page links to in the record, as recorded."""
    return linked(client, client.get(f"/elections/{election.uuid}/").content.decode())


def test_a_counted_and_certified_election_links_its_record_entries(cast, election):
    bob = cast.client(cast.bob)
    url = f"/elections/{election.uuid}/"
    candidate, _erin, _frank = voting(cast, election)
    for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
        actions.cast_ballot(actor=voter, election=election, ranking=[str(candidate.uuid)], now=timezone.now())
    assert "In the public record" not in bob.get(url).content.decode()
    actions.close_election(actor=cast.alice, election=election, now=timezone.now())
    # Committed but not yet given its place in the log: said, not linked.
    page = bob.get(url).content.decode()
    assert "being added to the record" in page and not _recorded_entries(bob, election)
    sequence_pending()
    [closed] = _recorded_entries(bob, election)
    assert closed["event"] == "election.closed" and closed["election"] == str(election.uuid)
    assert str(candidate.uuid) in closed["elected"]
    actions.certify_election(actor=cast.alice, election=election, now=timezone.now())
    sequence_pending()
    entries = _recorded_entries(bob, election)
    assert [(e["event"], e["election"]) for e in entries] == [
        ("election.closed", str(election.uuid)),
        ("election.certified", str(election.uuid)),
    ]
    assert "being added to the record" not in bob.get(url).content.decode()


def test_a_nomination_left_unanswered_when_voting_opened_is_not_called_withdrawn(cast, election):
    actions.nominate(actor=cast.bob, election=election, candidate=cast.alice, now=NOW)
    voting(cast, election)
    page = cast.client(cast.bob).get(f"/elections/{election.uuid}/").content.decode()
    assert "not on the ballot: the nomination was not accepted before voting opened" in page
    assert "<small>withdrawn</small>" not in page


def test_the_last_stage_lists_the_most_votes_first_and_a_tie_by_name(cast, election):
    # The count numbers candidates by candidacy UUID: the first of them gets no vote.
    none, tied, also_tied = sorted(voting(cast, election), key=lambda c: str(c.uuid))
    ballots = [(cast.alice, tied), (cast.bob, also_tied), (cast.erin, tied), (cast.frank, also_tied)]
    for voter, first in ballots:
        actions.cast_ballot(actor=voter, election=election, ranking=[str(first.uuid)], now=NOW)
    actions.close_election(actor=cast.alice, election=election, now=NOW)
    page = cast.client(cast.bob).get(f"/elections/{election.uuid}/results/").content.decode()
    chart = page.split('id="chart"')[1].split("</table>")[0]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', chart)
    elected = sorted(c.candidate.name for c in (tied, also_tied))
    assert rows == [(elected[0], "2.00000"), (elected[1], "2.00000"), (none.candidate.name, "0.00000")]
    # Both reached the quota at once: no surplus was transferred, no row of empty transfer values.
    assert "Transfer value" not in page


def test_no_turnout_is_shown_before_voting_opens(cast, election):
    """During nominations nobody can vote yet: "Turnout 0" would read as an election nobody voted in."""
    url = f"/elections/{election.uuid}/"
    assert "Turnout" not in cast.client(cast.alice).get(url).content.decode()
    voting(cast, election)
    assert "<dt>Turnout</dt>" in cast.client(cast.alice).get(url).content.decode()
