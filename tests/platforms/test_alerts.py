"""A platform's document reaches the members of the councils it is sent to, and names nobody in it."""

from __future__ import annotations

import pytest

from councils.federation.queries import list_voters
from councils.mandates.models import Notification
from councils.platforms import actions
from tests.membership.support import NOW, adopt
from tests.personas import API, LOGIN, WEB, check


@pytest.fixture
def platform(cast):
    """Rank and File: bob founded it and erin joined; alice, frank, carol and dave are not in it."""
    adopt(cast)
    found = actions.found_platform(
        actor=cast.bob, federation=cast.federation, name="Rank and File", statement="Power.", now=NOW
    )
    actions.join_platform(actor=cast.erin, platform=found, now=NOW)
    return found


def _publish(cast, platform, *, author, councils, title="Night shift safety"):
    return actions.publish_document(
        actor=author, platform=platform, title=title, body="Our proposal.", councils=councils, now=NOW
    )


def _alerted(document):
    return {n.user for n in Notification.objects.filter(subject_uuid=document.uuid)}


def test_every_member_of_the_councils_concerned_is_alerted_and_nobody_else(
    cast, platform, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = _publish(cast, platform, author=cast.erin, councils=[cast.riverside])
    # Riverside's members with a vote, platform members (bob, erin) and others (alice, frank) alike;
    # not carol (an observer), not dave (another council).
    assert (
        _alerted(document)
        == set(list_voters(council=cast.riverside))
        == {
            cast.alice,
            cast.bob,
            cast.erin,
            cast.frank,
        }
    )
    alerts = Notification.objects.filter(subject_uuid=document.uuid)
    assert {(n.kind, n.council) for n in alerts} == {("platform_document", cast.riverside)}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in _alerted(document))
    assert all(len(m.to) == 1 for m in mailoutbox)
    assert mailoutbox[0].subject == "Rank and File: Night shift safety"


def test_the_alert_does_not_say_who_wrote_it_or_who_belongs(
    cast, platform, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        by_erin = _publish(cast, platform, author=cast.erin, councils=[cast.riverside])
        by_bob = _publish(cast, platform, author=cast.bob, councils=[cast.riverside])
    first = {(n.user, n.message) for n in Notification.objects.filter(subject_uuid=by_erin.uuid)}
    second = {(n.user, n.message) for n in Notification.objects.filter(subject_uuid=by_bob.uuid)}
    # Who wrote it changes nothing in who is alerted or in what they read.
    assert first == second
    texts = [n.message for n in Notification.objects.all()] + [m.body + m.subject for m in mailoutbox]
    for text in texts:
        assert "Rank and File" in text
        for person in (cast.bob, cast.erin):
            assert person.name not in text and person.username not in text and str(person.uuid) not in text


def test_a_member_of_several_councils_concerned_is_alerted_once(cast, platform):
    # bob is a member of Riverside and its delegate in Eastside District; dave is in Harbour Works.
    document = _publish(cast, platform, author=cast.erin, councils=[cast.district, cast.harbour])
    assert _alerted(document) == {cast.bob, cast.dave}
    document = _publish(cast, platform, author=cast.erin, councils=[cast.riverside, cast.district])
    assert Notification.objects.filter(subject_uuid=document.uuid, user=cast.bob).count() == 1
    assert _alerted(document) == {cast.alice, cast.bob, cast.erin, cast.frank}


def test_a_refused_publication_alerts_nobody(cast, platform):
    from councils.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        _publish(cast, platform, author=cast.alice, councils=[cast.riverside])
    assert not Notification.objects.exists()


def test_the_alert_leads_to_the_document_through_the_api(cast, platform):
    document = _publish(cast, platform, author=cast.erin, councils=[cast.harbour])
    [alert] = check(cast, "outsider", API, "get", "/api/v1/mandates/notifications").json()["items"]
    assert (alert["kind"], alert["subject"]) == ("platform_document", str(document.uuid))
    url = f"/api/v1/platforms/documents/{document.uuid}"
    body = check(cast, "outsider", API, "get", url, expected=200).json()
    assert (body["title"], body["platform"]) == ("Night shift safety", str(platform.uuid))
    check(cast, "member", API, "get", url, expected=200)  # bob, a member of the platform
    check(cast, "officer", API, "get", url, expected=404)  # alice: not sent to Riverside
    check(cast, "anonymous", API, "get", url, expected=401)
    assert check(cast, "officer", API, "get", "/api/v1/mandates/notifications").json()["count"] == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", LOGIN), ("outsider", 404), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_read_the_document_page(cast, platform, persona, status):
    document = _publish(cast, platform, author=cast.bob, councils=[cast.riverside])
    response = check(cast, persona, WEB, "get", f"/platforms/documents/{document.uuid}/", expected=status)
    if status == 200:
        assert "Our proposal." in response.content.decode()


def test_the_alerts_page_links_to_the_document(cast, platform):
    document = _publish(cast, platform, author=cast.erin, councils=[cast.riverside])
    page = check(cast, "officer", WEB, "get", "/mandates/notifications/", expected=200).content.decode()
    assert "The platform Rank and File published “Night shift safety”" in page
    assert f"/platforms/documents/{document.uuid}/" in page
