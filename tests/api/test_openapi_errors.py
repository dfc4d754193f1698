"""The OpenAPI document declares the errors each operation really answers.

For every published operation, a representative bad request of each kind it
can get (no login, a body that is not JSON, too large or not sent as JSON, invalid input,
a body sent to a write that takes none, an unknown thing, a session write without its
CSRF token) is sent, and its
answer must be declared for the operation and be the published `Problem`.
The persona matrix (tests/personas.py) checks the domain's own refusals the
same way.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from councils.api.problems import PROBLEM, Problem
from councils.api.urls import api
from tests.personas import assert_declared

DOCUMENT = api.get_openapi_schema(path_prefix="/api/v1")
OPERATIONS = {
    operation["operationId"]: (method, path, operation)
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
}
UNKNOWN_NUMBER = 999_999
FIELD_LIMIT = 3
# Sent to a write that takes no body: a multipart body without its boundary, a form with more
# fields than the server parses and JSON nested deeper than it can read.
UNREADABLE_BODIES = [
    ("--x\r\n", "multipart/form-data"),
    ("&".join(f"f{n}=1" for n in range(FIELD_LIMIT + 1)), "application/x-www-form-urlencoded"),
    ("[" * 100_000, "application/json"),
]
NOT_A_NUMBER_NOR_A_UUID = "x"


def kinds(schema: dict[str, Any]) -> set[str]:
    """The types and formats a parameter's schema allows."""
    options = schema.get("anyOf", [schema])
    return {option.get("format") or option.get("type", "") for option in options}


def checked(parameter: dict[str, Any]) -> bool:
    """Whether the schema refuses a parameter of "x"."""
    return bool(kinds(parameter["schema"]) & {"uuid", "integer", "boolean"})


def url(path: str, operation: dict[str, Any], *, bad: str = "") -> tuple[str, dict[str, str]]:
    """The operation's URL for unknown things, and its required query; the parameter `bad` as "x"."""
    query = {}
    for parameter in operation["parameters"]:
        name, where = parameter["name"], parameter["in"]
        if name == bad:
            value = NOT_A_NUMBER_NOR_A_UUID
        elif "integer" in kinds(parameter["schema"]):
            value = str(UNKNOWN_NUMBER)
        else:
            value = str(uuid.uuid4())
        if where == "path":
            path = path.replace(f"{{{name}}}", value)
        elif where == "query" and (parameter.get("required") or name == bad):
            query[name] = value
    return path, query


def send(client: Client, method: str, path: str, query: dict[str, str], body: str, content_type: str) -> Any:
    if method == "get":
        return client.get(path, query)
    if query:
        path += "?" + "&".join(f"{name}={value}" for name, value in query.items())
    return getattr(client, method)(path, body, content_type=content_type)


def assert_problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.content
    assert_declared(response)
    assert response["Content-Type"] == PROBLEM
    assert Problem.model_validate_json(response.content, strict=True).status == status


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_bad_requests_get_a_declared_problem(cast, settings, operation_id):
    method, path, operation = OPERATIONS[operation_id]
    has_body = "requestBody" in operation
    target, query = url(path, operation)
    alice = cast.api(cast.alice)

    anonymous = send(Client(), method, target, query, "{}", "application/json")
    if "security" in operation:
        assert_problem(anonymous, 401)
        if method != "get":
            session = Client(enforce_csrf_checks=True)
            session.force_login(cast.alice)
            assert_problem(send(session, method, target, query, "{}", "application/json"), 403)
    else:
        assert anonymous.status_code != 401 or operation_id == "auth_token"
        assert_declared(anonymous)

    if has_body:
        assert_problem(send(alice, method, target, query, '{"', "application/json"), 400)
        assert_problem(send(alice, method, target, query, "{}", "text/plain"), 415)
        assert_problem(send(alice, method, target, query, "[]", "application/json"), 422)
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
        assert_problem(send(alice, method, target, query, '{"padding": "..."}', "application/json"), 413)
    elif method != "get":
        assert_problem(send(alice, method, target, query, "[]", "application/json"), 422)
        # Bodies that cannot be read at all are bodies all the same.
        settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = FIELD_LIMIT
        for body, content_type in UNREADABLE_BODIES:
            assert_problem(send(alice, method, target, query, body, content_type), 422)

    parameter = next((p for p in operation["parameters"] if checked(p)), None)
    if parameter is not None:
        bad_target, bad_query = url(path, operation, bad=parameter["name"])
        assert_problem(send(alice, method, bad_target, bad_query, "{}", "application/json"), 422)

    if "{" in path and not has_body:
        assert_problem(send(alice, method, target, query, "", "application/json"), 404)
        # No body at all is no body, whatever the Content-Type says, a multipart one without its boundary too.
        assert_problem(send(alice, method, target, query, "", "multipart/form-data"), 404)

    if any(p["in"] == "query" for p in operation["parameters"]):
        settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = FIELD_LIMIT
        crowd = {f"extra{n}": "1" for n in range(FIELD_LIMIT + 1)}
        assert_problem(send(alice, method, target, {**query, **crowd}, "{}", "application/json"), 400)


def test_the_walk_finds_every_kind_of_bad_request():
    operations = [operation for _method, _path, operation in OPERATIONS.values()]
    assert len(operations) > 100
    assert sum("security" in operation for operation in operations) > 50
    assert sum("requestBody" in operation for operation in operations) > 40
    assert sum(any(checked(p) for p in operation["parameters"]) for operation in operations) > 80
