"""Every request body refuses fields it does not know, so nothing is silently ignored."""

from __future__ import annotations

import uuid

import pytest

from councils.api.urls import api


def request_bodies() -> list[tuple[str, str, str]]:
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is None:
                continue
            schema = body["content"]["application/json"]["schema"]
            # An optional body is published as anyOf [the schema, null].
            refs = [s["$ref"] for s in schema.get("anyOf", [schema]) if "$ref" in s]
            assert len(refs) == 1, f"{method} {path} has one body schema"
            name = refs[0].rsplit("/", 1)[-1]
            found.append((f"{method.upper()} {path}", name, components[name].get("additionalProperties")))
    return found


def test_every_request_body_refuses_unknown_fields():
    bodies = request_bodies()
    assert len(bodies) > 40, "the walk found the API's request bodies"
    lenient = [(endpoint, name) for endpoint, name, extra in bodies if extra is not False]
    assert lenient == []


@pytest.mark.django_db
def test_an_unknown_field_is_a_clear_422(client):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "alice", "password": "x", "on_behalf_of": "bob"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert "on_behalf_of" in response.content.decode()


@pytest.mark.django_db
def test_a_bad_field_is_named_as_the_caller_wrote_it(client):
    response = client.post("/api/v1/auth/token", {"username": 7}, content_type="application/json")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("username: ") and "password: Field required" in detail
    locations = [e["loc"] for e in response.json()["errors"]]
    assert sorted(locations) == [["body", "password"], ["body", "username"]]


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_located_at_the_body(client):
    response = client.post("/api/v1/auth/token", "[]", content_type="application/json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["loc"] for e in errors] == [["body"]] and errors[0]["msg"] == "send a JSON object"
    assert response.json()["detail"] == "body: send a JSON object"


@pytest.mark.parametrize("body", ["[]", '"str"', "1", '{"all": true}', "not json"])
def test_a_write_that_takes_no_body_refuses_one(cast, body):
    response = cast.api(cast.bob).post(
        "/api/v1/mandates/notifications/read", body, content_type="application/json"
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"
    assert [e["loc"] for e in response.json()["errors"]] == [["body"]]
    assert response.json()["detail"] == "body: this request takes no body: send none, or {}"


@pytest.mark.parametrize("body", ["", "{}", " { } "])
def test_a_write_that_takes_no_body_accepts_none_or_an_empty_object(cast, body):
    response = cast.api(cast.bob).post(
        "/api/v1/mandates/notifications/read", body, content_type="application/json"
    )
    assert response.status_code == 200 and response.json() == {"marked": 0}


@pytest.mark.parametrize(
    "path", ["/api/v1/mandates/recalls/{}/signatures", "/api/v1/petitions/{}/signatures"]
)
def test_a_write_with_an_optional_body_refuses_one_that_is_not_an_object(cast, path):
    response = cast.api(cast.bob).post(path.format(uuid.uuid4()), "[]", content_type="application/json")
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"


def test_a_write_that_takes_no_body_takes_an_empty_form_but_no_filled_one(cast):
    client = cast.api(cast.bob)
    assert client.post("/api/v1/mandates/notifications/read").status_code == 200
    refused = client.post("/api/v1/mandates/notifications/read", {"all": "1"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["body"]
