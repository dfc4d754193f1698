"""The web shell: home, council page, error pages, health check."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from councils.federation import actions as fa
from councils.federation.models import Council
from councils.record.sequencer import SUMMARY_CACHE
from tests.conftest import NOW, make_user
from tests.personas import WEB, check, check_wrong_method
from tests.record.support import verify_genuine


def test_home_for_anonymous_invites_to_log_in(cast):
    response = cast.client(None).get("/")
    assert response.status_code == 200
    assert b'href="/login/"' in response.content
    assert b'class="skip" href="#main"' in response.content
    assert b'<main id="main"' in response.content
    # Like the rest of the menu for members, no "My councils" that would only lead back here.
    assert b"My councils" not in response.content
    assert b"My councils" in cast.client(cast.bob).get("/").content


def test_home_lists_my_councils_with_my_roles(cast):
    response = cast.client(cast.bob).get("/")
    text = response.content.decode()
    assert "Riverside Depot" in text and "Eastside District" in text
    assert "Delegate of Riverside Depot" in text
    assert "Harbour Works" not in text
    alice = cast.client(cast.alice).get("/").content.decode()
    assert "Chair" in alice


def test_home_for_someone_in_no_council(cast):
    loner = make_user("loner", "Lone Person")
    response = cast.client(loner).get("/")
    assert b"You do not take part in any council yet." in response.content


def test_council_page_shows_officers_delegates_and_councils_below(cast):
    text = cast.client(cast.bob).get(f"/councils/{cast.district.uuid}/").content.decode()
    assert "Delegates sitting here" in text and "Bob Novak" in text
    assert "Riverside Depot" in text and "Harbour Works" in text  # councils below
    assert "Delegates to Metro City" in text
    riverside = cast.client(cast.bob).get(f"/councils/{cast.riverside.uuid}/").content.decode()
    assert "Alice Adeyemi" in riverside and "Chair" in riverside
    assert "Delegates to Eastside District" in riverside


@pytest.mark.delegate_term(datetime(2027, 7, 31, 12, 0, tzinfo=UTC))
@pytest.mark.chair_term(datetime(2027, 7, 31, 12, 0, tzinfo=UTC))
def test_council_page_says_when_each_term_ends(cast):
    riverside = cast.client(cast.bob).get(f"/councils/{cast.riverside.uuid}/").content.decode()
    assert "Chair · term ends July 31, 2027" in riverside
    assert "· term ends July 31, 2027</small></li>" in riverside.split("Delegates to Eastside District")[1]
    # The terms are the record's own: verifying it finds nothing amiss.
    assert verify_genuine().problems == []


@pytest.mark.visibility(district=Council.Visibility.PUBLIC)
def test_delegates_councils_are_linked_only_for_who_may_open_them(cast):
    election = cast.reelect_bob().uuid
    url = f"/councils/{cast.district.uuid}/"
    link = f'<a href="/councils/{cast.riverside.uuid}/">Riverside Depot</a>'
    credentials = f'<a href="/elections/{election}/results/">credentials: election result</a>'
    member = cast.client(cast.dave).get(url).content.decode()
    assert link in member and credentials in member
    # An anonymous visitor of a public council reads where its delegates come from, with no link to a 404.
    anonymous = cast.client(None).get(url).content.decode()
    assert "Bob Novak <small>for Riverside Depot</small>" in anonymous
    assert f"/councils/{cast.riverside.uuid}/" not in anonymous and str(election) not in anonymous


def test_members_are_listed_only_for_participants(cast):
    url = f"/councils/{cast.riverside.uuid}/"
    assert b"Erin Walsh" in cast.client(cast.carol).get(url).content
    outsider = cast.client(cast.dave).get(url)
    assert outsider.status_code == 200 and b"Erin Walsh" not in outsider.content


def test_members_who_share_a_name_are_told_apart_on_the_council_page(cast):
    fa.add_founding_member(actor=None, council=cast.riverside, user=make_user("erin2", "Erin Walsh"), now=NOW)
    page = cast.client(cast.bob).get(f"/councils/{cast.riverside.uuid}/").content.decode()
    assert "<li>Erin Walsh (erin)</li>" in page and "<li>Erin Walsh (erin2)</li>" in page
    assert "<li>Frank Costa</li>" in page


def test_only_officers_see_the_invite_button(cast):
    url = f"/councils/{cast.riverside.uuid}/"
    invite = f"/councils/{cast.riverside.uuid}/invite/".encode()
    assert invite in cast.client(cast.alice).get(url).content
    assert invite not in cast.client(cast.bob).get(url).content
    assert invite not in cast.client(cast.carol).get(url).content


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 404), ("outsider", 404), ("observer", 200), ("member", 200), ("officer", 200)],
)
@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_personas_council_only_council_page(cast, persona, expected):
    check(cast, persona, WEB, "get", f"/councils/{cast.riverside.uuid}/", None, expected)


@pytest.mark.visibility(national=Council.Visibility.PUBLIC)
def test_public_council_is_visible_without_login(cast):
    check(cast, "anonymous", WEB, "get", f"/councils/{cast.national.uuid}/", None, 200)
    assert b"National Congress" in cast.client(None).get("/").content
    # A visitor may neither apply nor follow admissions here: no empty Admissions panel.
    assert b"Admissions" not in cast.client(None).get(f"/councils/{cast.national.uuid}/").content


def test_council_page_wrong_method(cast):
    check_wrong_method(cast, WEB, f"/councils/{cast.riverside.uuid}/", "post")


def _queries(client: Client, url: str) -> int:
    # The footer's checkpoint summary is kept for a few seconds: every count starts without it.
    SUMMARY_CACHE.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_council_page_queries_do_not_grow_with_members(cast):
    client = cast.client(cast.alice)
    url = f"/councils/{cast.riverside.uuid}/"
    _queries(client, url)  # warm the session and caches
    before = _queries(client, url)
    for i in range(15):
        fa.add_founding_member(actor=None, council=cast.riverside, user=make_user(f"m{i}", f"M {i}"), now=NOW)
    assert _queries(client, url) == before
    assert before <= 30


def test_home_queries_do_not_grow_with_councils(cast):
    client = cast.client(cast.alice)
    _queries(client, "/")
    before = _queries(client, "/")
    for i in range(5):
        council = fa.create_council(
            actor=None,
            federation=cast.federation,
            name=f"Extra {i}",
            kind="workplace",
            parent=cast.district,
            is_base=True,
            now=NOW,
        )
        fa.appoint_founding_officer(actor=None, council=council, user=cast.alice, role="secretary", now=NOW)
    assert _queries(client, "/") == before


def test_unknown_page_is_a_styled_404(cast):
    response = cast.client(cast.bob).get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"councils.css" in response.content


def test_refused_action_is_a_styled_403(cast):
    response = cast.client(cast.bob).get(f"/councils/{cast.riverside.uuid}/invite/")
    assert response.status_code == 403
    assert b"councils.css" in response.content and b'role="alert"' in response.content


def test_error_templates_render(cast, rf):
    from django.core.exceptions import PermissionDenied
    from django.views import defaults

    request = rf.get("/x/")
    request.user = cast.bob
    forbidden = defaults.permission_denied(request, PermissionDenied("Not for you."))
    assert forbidden.status_code == 403 and b"Not for you." in forbidden.content
    crashed = defaults.server_error(request)
    assert crashed.status_code == 500
    assert b"Something went wrong" in crashed.content and b"/static/web/councils.css" in crashed.content


def test_csrf_failure_page(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.bob)
    response = client.post("/account/tokens/", {"name": "x"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content


def test_stylesheet_has_focus_styles_and_no_external_resources():
    from pathlib import Path

    import councils.web

    css = (Path(councils.web.__file__).parent / "static" / "web" / "councils.css").read_text()
    assert ":focus-visible" in css and ".skip:focus" in css
    assert "http://" not in css and "https://" not in css and "@import" not in css


def test_healthz_reports_the_database(client, db):
    from councils import __version__

    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["version"] == __version__
    assert client.post("/healthz").status_code == 405


def test_healthz_reports_an_unreachable_database(client, db, monkeypatch):
    from councils.web import health

    class Broken:
        def cursor(self):
            raise RuntimeError("down")

    monkeypatch.setattr(health, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_pages_name_their_icon_so_browsers_do_not_ask_for_a_missing_one(cast):
    page = cast.client(None).get("/").content.decode()
    assert 'rel="icon" href="/static/web/favicon.svg' in page


def test_home_wrong_method(cast):
    check_wrong_method(cast, WEB, "/", "post")


def test_a_refused_action_links_back_to_the_page_it_came_from_without_javascript(cast):
    from councils.meetings import actions as meeting_actions

    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="Later",
        starts_at=NOW + timedelta(days=3),
        place="Canteen",
        now=NOW,
    )
    client = cast.client(cast.alice)
    page = f"http://testserver/meetings/{meeting.uuid}/"
    # Not open yet: taking an item is refused.
    refused = client.post(f"/meetings/{meeting.uuid}/next/", headers={"Referer": page})
    assert refused.status_code == 409
    assert f'<a class="button" href="{page}">Back to the page</a>'.encode() in refused.content
    assert b"javascript:" not in refused.content
    for elsewhere in ("https://evil.example/", "javascript:alert(1)", ""):
        refused = client.post(f"/meetings/{meeting.uuid}/next/", headers={"Referer": elsewhere})
        assert refused.status_code == 409 and b"Back to the page" not in refused.content
        assert b'<a href="/">Home</a>' in refused.content


def _dangling_descriptions(html: str) -> list[str]:
    """The ids that aria-describedby attributes name but no element on the page carries."""
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    named = {i for group in re.findall(r'aria-describedby="([^"]*)"', html) for i in group.split()}
    return sorted(named - ids)


def test_refused_forms_describe_their_fields_by_elements_on_the_page(cast):
    from councils.motions import actions as motion_actions

    alice = cast.client(cast.alice)
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two.", now=NOW
    )
    refused = [
        alice.post(f"/motions/council/{cast.riverside.uuid}/new/", {"title": "", "seconds_required": "x"}),
        alice.post(f"/motions/{motion.uuid}/amend/", {"text": ""}),
        alice.post(f"/membership/council/{cast.riverside.uuid}/charges/", {}),
        alice.post(f"/meetings/schedule/{cast.riverside.uuid}/", {"title": ""}),
        alice.post(f"/elections/call/{cast.riverside.uuid}/", {"kind": "delegates", "seats": "two"}),
    ]
    for response in refused:
        html = response.content.decode()
        assert response.status_code == 422 and "aria-describedby" in html
        assert _dangling_descriptions(html) == [], response.request["PATH_INFO"]


def test_every_date_and_time_shown_names_its_zone():
    """Times are kept and shown in UTC; a member in another zone must not misread when a poll closes."""
    from pathlib import Path

    import councils

    root = Path(councils.__file__).parent
    bare = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("templates/**/*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for _ in re.finditer(r'\|date:"DATETIME_FORMAT" \}\}(?! UTC)', line)
    ]
    assert bare == []


def test_static_files_stream_asynchronously_under_asgi():
    """The ASGI server gets a static file without Django consuming a synchronous iterator (and warning)."""
    import warnings

    from asgiref.sync import async_to_sync

    from tests.asgi import fetch

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start, body = async_to_sync(fetch)("/static/web/councils.css")
    assert start["status"] == 200, body[:3000]
    assert b"--" in body  # the stylesheet's custom properties
    assert not [w for w in caught if "synchronous iterators" in str(w.message)]


def test_the_icon_is_where_browsers_look_for_it(cast):
    """A browser showing the plain-text checkpoint asks for /favicon.ico: the icon, not a 404 in the log."""
    from tests.web.test_methods import assert_answered_like_get

    assert_answered_like_get(Client(), "/favicon.ico", 301)
    icon = Client().get("/favicon.ico")
    assert icon["Location"].endswith("web/favicon.svg")
    assert Client().get(icon["Location"]).status_code == 200
    assert Client().post("/favicon.ico").status_code == 405
