"""Bad input gets a clear problem+json answer, never a server error."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from councils.api.urls import api
from councils.petitions import actions as petition_actions
from tests.membership.support import adopt, make_national_body

PROBLEM = "application/problem+json"
PAST_ANY_INTEGER = 2**64 + 1  # beyond a 64-bit database integer, and odd: a proof for it needs a lone leaf


def assert_problem(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    for word in words:
        assert word in body["detail"]
    return body


def council_lists() -> list[str]:
    """Every paginated list that needs at most a council to name it."""
    found = []
    for path, operations in api.get_openapi_schema(path_prefix="/api/v1")["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        names = {p["name"] for p in parameters}
        path_names = {p["name"] for p in parameters if p["in"] == "path"}
        if "page" in names and path_names <= {"council_id"}:
            found.append(path)
    return found


def test_the_walk_finds_the_lists():
    assert len(council_lists()) > 20


@pytest.mark.parametrize("path", council_lists())
def test_a_page_past_the_end_is_empty(cast, path):
    client = cast.api(cast.alice)
    url = path.replace("{council_id}", str(cast.riverside.uuid))
    council = {"council": str(cast.riverside.uuid)} if "{council_id}" not in path else {}
    response = client.get(url, {**council, "page": PAST_ANY_INTEGER})
    assert response.status_code == 200, response.content
    assert response.json()["items"] == []
    assert_problem(client.get(url, {**council, "page": 0}), 422, "query.page: ", "greater than or equal to 1")


@pytest.mark.parametrize(
    "path, params, name",
    [
        ("proof/inclusion", {"index": 0, "size": PAST_ANY_INTEGER}, "size"),
        ("proof/consistency", {"old": 1, "new": PAST_ANY_INTEGER}, "new"),
        ("proof/consistency", {"old": PAST_ANY_INTEGER, "new": PAST_ANY_INTEGER}, "new"),
        ("entries", {"start": PAST_ANY_INTEGER - 1, "end": PAST_ANY_INTEGER}, "end"),
    ],
)
def test_record_sizes_past_any_integer_are_beyond_the_log(cast, client, path, params, name):
    response = client.get(f"/api/v1/record/{path}", params)
    assert_problem(response, 422, f"{name}={PAST_ANY_INTEGER} is beyond the log's size")


@pytest.mark.parametrize(
    "path, params, name, least",
    [
        ("entries", {"start": -1, "end": 5}, "start", 0),
        ("entries", {"start": 0, "end": 0}, "end", 1),
        ("proof/inclusion", {"index": -1, "size": 5}, "index", 0),
        ("proof/inclusion", {"index": 0, "size": 0}, "size", 1),
        ("proof/consistency", {"old": -1, "new": 5}, "old", 0),
        ("proof/consistency", {"old": 0, "new": -1}, "new", 0),
    ],
)
def test_record_positions_below_their_least_are_named(client, path, params, name, least):
    # The published schema says each parameter's least value, and the answer names the one below it.
    response = client.get(f"/api/v1/record/{path}", params)
    body = assert_problem(response, 422, f"query.{name}: ", f"greater than or equal to {least}")
    assert [error["loc"] for error in body["errors"]] == [["query", name]]


def post(client, path, body):
    return client.post(f"/api/v1/{path}", body, content_type="application/json")


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("motions", {"title": "Canteen\x00prices", "text": "Lower them."}, "title"),
        ("motions", {"title": "Canteen prices", "text": "Lower\x00them."}, "text"),
        ("platforms", {"name": "Rank\x00and file", "statement": "Us."}, "name"),
        ("auth/tokens", {"name": "laptop\x00"}, "name"),
    ],
)
def test_a_nul_character_is_refused(cast, path, body, field):
    # PostgreSQL cannot store NUL in text; it must not reach the database.
    if path == "motions":
        body = {"council": str(cast.riverside.uuid), **body}
    response = post(cast.api(cast.alice), path, body)
    assert_problem(response, 422, f"{field}: ", "NUL character")


NAIVE = "2027-01-01T00:00:00"
AFTER_9999 = "9999-12-31T23:59:59-14:00"
BEFORE_1 = "0001-01-01T00:00:00+14:00"
OFFICE = {"kind": "office", "role": "chair"}
MEETING = {"title": "General", "place": "Canteen"}


@pytest.mark.parametrize(
    "path, body, field, words",
    [
        ("elections", {**OFFICE, "term_ends_at": NAIVE}, "term_ends_at", "offset from UTC"),
        ("elections", {**OFFICE, "term_ends_at": AFTER_9999}, "term_ends_at", "out of range"),
        ("meetings", {**MEETING, "starts_at": AFTER_9999}, "starts_at", "out of range"),
        ("meetings", {**MEETING, "starts_at": BEFORE_1}, "starts_at", "out of range"),
    ],
)
def test_a_time_the_database_cannot_hold_is_refused(cast, path, body, field, words):
    response = post(cast.api(cast.alice), path, {"council": str(cast.riverside.uuid), **body})
    assert_problem(response, 422, f"{field}: ", words)


@pytest.mark.parametrize("raw", ["[]", '"text"', "null", "7", ""])
def test_a_body_that_is_not_an_object_is_named_as_the_body(cast, raw):
    response = cast.api(cast.alice).post("/api/v1/auth/tokens", raw, content_type="application/json")
    body = assert_problem(response, 422)
    assert body["detail"] == "body: send a JSON object"


@pytest.mark.parametrize("raw", ['{"name": ', b"\xff\xfe\x00", "[" * 100_000])
def test_a_body_that_is_not_json_is_a_clear_400(cast, raw):
    response = cast.api(cast.alice).post("/api/v1/auth/tokens", raw, content_type="application/json")
    body = assert_problem(response, 400, "The request body is not valid JSON")
    assert body["code"] == "invalid_json"


def test_a_body_past_the_upload_limit_is_413(cast, settings):
    text = "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    client = cast.api(cast.alice)
    response = post(client, "motions", {"council": str(cast.riverside.uuid), "title": "Long", "text": text})
    body = assert_problem(response, 413, f"larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes")
    assert body["code"] == "body_too_large"
    assert not cast.riverside.motions.filter(title="Long").exists()


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
)
def test_a_body_sent_as_something_else_than_json_is_415(cast, content_type):
    client = cast.api(cast.alice)
    response = client.post("/api/v1/auth/tokens", '{"name": "laptop"}', content_type=content_type)
    body = assert_problem(response, 415, "Content-Type: application/json", content_type)
    assert body["code"] == "unsupported_media_type"


def test_json_with_a_charset_or_a_json_suffix_is_read(cast):
    client = cast.api(cast.alice)
    for content_type in ["application/json; charset=utf-8", "application/merge-patch+json"]:
        response = client.post("/api/v1/auth/tokens", '{"name": "laptop"}', content_type=content_type)
        assert response.status_code == 201, response.content


CSRF_SECRET = "k" * 32


def csrf_session(cast):
    """A logged-in web session holding a CSRF cookie, so its writes look for the token in the form too."""
    session = Client(enforce_csrf_checks=True)
    session.force_login(cast.alice)
    session.cookies["csrftoken"] = CSRF_SECRET
    return session


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("--x\r\nnot a form", "multipart/form-data"),
        ("&".join(f"f{n}=1" for n in range(3)), "application/x-www-form-urlencoded"),
    ],
)
def test_a_session_write_whose_form_cannot_be_read_fails_the_csrf_check(cast, settings, body, content_type):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    path = f"/api/v1/motions/{uuid.uuid4()}/second"
    response = csrf_session(cast).post(path, body, content_type=content_type)
    assert_problem(response, 403, "CSRF check failed")


def test_a_session_write_with_an_empty_form_and_its_token_is_a_write_without_a_body(cast):
    # The CSRF check reads the form from the request's stream; whether a body was sent is judged from that.
    session = csrf_session(cast)
    response = session.post(f"/api/v1/motions/{uuid.uuid4()}/second", headers={"X-CSRFToken": CSRF_SECRET})
    assert_problem(response, 404)
    response = session.post(
        f"/api/v1/motions/{uuid.uuid4()}/second", {"field": "1"}, headers={"X-CSRFToken": CSRF_SECRET}
    )
    assert_problem(response, 422, "this request takes no body")


def test_a_delete_with_a_form_body_is_refused(cast):
    client = cast.api(cast.alice)
    token = client.post("/api/v1/auth/tokens", {"name": "spare"}, content_type="application/json")
    path = f"/api/v1/auth/tokens/{token.json()['uuid']}"
    # Django parses the forms of POSTs only: the body of a DELETE is judged as it was sent.
    assert_problem(client.delete(path, "name=x", content_type="application/x-www-form-urlencoded"), 422)
    assert client.delete(path, "", content_type="application/x-www-form-urlencoded").status_code == 204


def test_too_many_query_parameters_are_a_clear_400(cast, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    response = cast.api(cast.alice).get("/api/v1/councils", {"page": 1, "a": 1, "b": 2})
    body = assert_problem(response, 400, "more than the 2 query parameters")
    assert body["code"] == "too_many_fields"


@pytest.mark.parametrize(
    ("path", "where"),
    [("/api/v1/councils/%FF%FE", "path.council_id: "), ("/api/v1/councils?page=%FF%FE", "query.page: ")],
)
def test_percent_encoded_bytes_that_are_not_utf8_are_named(cast, path, where):
    assert_problem(cast.api(cast.alice).get(path), 422, where)


def test_a_bearer_token_with_bytes_outside_ascii_does_not_work(db):
    response = Client(headers={"Authorization": "Bearer cnl_\xff\xfe"}).get("/api/v1/councils")
    assert assert_problem(response, 401)["code"] == "invalid_token"


def test_a_constitution_version_past_any_integer_is_missing(cast):
    response = cast.api(cast.alice).get(f"/api/v1/constitution/versions/{PAST_ANY_INTEGER}")
    assert_problem(response, 404, f"no version {PAST_ANY_INTEGER}")


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_an_idempotency_key_of_the_wrong_length_is_named(cast, key):
    path = f"/api/v1/motions/votes/{uuid.uuid4()}/cast"
    response = cast.api(cast.bob).post(
        path, {"choice": "yes"}, content_type="application/json", headers={"Idempotency-Key": key}
    )
    body = assert_problem(response, 422, "header.Idempotency-Key: ")
    assert [error["loc"] for error in body["errors"]] == [["header", "Idempotency-Key"]]


@pytest.mark.parametrize(
    "title, words",
    [("T" * 201, "title: String should have at most 200 characters"), ("  ", "The title is missing.")],
)
def test_a_meeting_title_out_of_bounds_is_named_plainly(cast, title, words):
    body = {"council": str(cast.riverside.uuid), **MEETING, "starts_at": "2027-01-01T00:00:00Z"}
    body["title"] = title
    assert_problem(post(cast.api(cast.alice), "meetings", body), 422, words)


@pytest.mark.parametrize(
    "title, words",
    [("T" * 201, "title: String should have at most 200 characters"), ("", "The item title is missing.")],
)
def test_an_agenda_item_title_out_of_bounds_is_named_plainly(cast, title, words):
    client = cast.api(cast.alice)
    body = {"council": str(cast.riverside.uuid), **MEETING, "starts_at": "2027-01-01T00:00:00Z"}
    meeting = post(client, "meetings", body).json()["uuid"]
    response = post(client, f"meetings/{meeting}/items", {"kind": "other", "title": title})
    assert_problem(response, 422, words)


@pytest.mark.parametrize("minutes", [2**70, 10**12])
def test_a_poll_length_past_any_time_span_is_refused(cast, minutes):
    adopt(cast)
    make_national_body(cast)
    body = {"changes": {"election_poll_min_minutes": minutes}}
    response = post(cast.api(cast.alice), "constitution/amendments", body)
    assert_problem(response, 422, "election_poll_min_minutes must be shorter than election_poll_max_days")


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("title", "T" * 201, "title: String should have at most 200 characters"),
        ("title", "", "title: String should have at least 1 character"),
        ("text", "T" * (petition_actions.MAX_TEXT + 1), "text: String should have at most 20000 characters"),
    ],
)
def test_a_petition_past_the_limits_its_schema_publishes_is_named_plainly(cast, field, value, words):
    published = api.get_openapi_schema(path_prefix="/api/v1")["components"]["schemas"]["PetitionIn"]
    assert published["properties"]["title"]["maxLength"] == 200
    assert published["properties"]["text"]["maxLength"] == petition_actions.MAX_TEXT
    body = {"council": str(cast.riverside.uuid), "title": "A strike fund", "text": "Raise one.", field: value}
    problem = assert_problem(post(cast.api(cast.erin), "petitions", body), 422, words)
    assert [error["loc"] for error in problem["errors"]] == [["body", field]]
    assert post(cast.api(cast.erin), "petitions", {**body, field: value[:200] or "T"}).status_code == 201
