"""A stream's methods: GET follows it, HEAD gives GET's headers alone, OPTIONS names them, others get 405."""

from __future__ import annotations

import pytest

from councils.federation.models import Council
from tests.live.support import answer, follow, session

pytestmark = pytest.mark.django_db(transaction=True)

STREAM_HEADERS = {
    b"content-type": b"text/event-stream",
    b"cache-control": b"no-cache",
    b"x-accel-buffering": b"no",
}


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_head_answers_as_get_without_the_stream(cast):
    path = f"/live/council-{cast.riverside.uuid}"
    assert follow(path, session(cast, cast.erin))[0] == 200
    # It ends at once: a monitor asking whether the stream is there holds no subscription open.
    assert answer(path, "HEAD", session(cast, cast.erin)) == (200, STREAM_HEADERS, b"")


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_head_keeps_a_hidden_stream_as_hidden_as_get(cast):
    path = f"/live/council-{cast.riverside.uuid}"
    status, headers, body = answer(path, "GET", session(cast, cast.dave))
    assert (status, body) == (404, b"No such stream.")
    assert answer(path, "HEAD", session(cast, cast.dave)) == (404, headers, b"")
    assert headers[b"content-length"] == b"%d" % len(body)


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
@pytest.mark.parametrize("who", ["member", "outsider"])
def test_options_names_the_methods_and_others_are_405_for_anyone(cast, who):
    # As on the API, the method is answered before the object is looked at, so it tells nothing of it.
    cookie = session(cast, cast.erin if who == "member" else cast.dave)
    path = f"/live/council-{cast.riverside.uuid}"
    assert answer(path, "OPTIONS", cookie) == (204, {b"allow": b"GET, HEAD, OPTIONS"}, b"")
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        status, headers, body = answer(path, method, cookie)
        assert (status, headers[b"allow"], body) == (
            405,
            b"GET, HEAD, OPTIONS",
            b"A stream is read with GET.",
        )


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "POST"])
def test_a_malformed_channel_is_404_whatever_the_method(db, method):
    status, _, body = answer("/live/Not a channel", method)
    assert (status, body) == (404, b"" if method == "HEAD" else b"No such stream.")
