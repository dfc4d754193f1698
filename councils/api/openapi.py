"""The published OpenAPI document, with the errors each operation can answer.

django-ninja publishes the answers a route declares: its successes. Every error
is problem+json (`councils/api/problems.py`); `ProblemAPI` adds them to the
document, to each operation the statuses it can really give:

- 400 (not JSON), 413 (too large) and 415 (not sent as JSON) when it takes a
  request body, and 400 (too many) when it takes query parameters;
- 422 when it takes input the schema checks (a body, path or query parameters),
  and for every write: one that takes no body refuses one
  (`problems.refuse_unexpected_body`);
- 401 when it needs a login, and 403 when it is a write that needs one (the
  session's CSRF check);
- every status its own code gives: the `DomainError` classes (each with its
  status) that the view and the functions of `councils` it names, followed to
  the end, raise, and the statuses they answer with `problem(status=...)`,
  read from their source.
"""

from __future__ import annotations

import ast
import copy
import functools
import importlib
import inspect
import textwrap
from collections.abc import Callable
from http.client import responses
from types import FunctionType, MethodType, ModuleType
from typing import Any

from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.router import BoundRouter
from ninja.schema import NinjaGenerateJsonSchema

from councils.api.auth import SAFE_METHODS
from councils.api.methods import MethodsPathView
from councils.api.problems import PROBLEM, Problem, problem, unknown_endpoint
from councils.core.errors import DomainError

DESCRIPTIONS = {
    400: "The request body is not valid JSON (`invalid_json`), or the request has more query parameters "
    "than the server accepts (`too_many_fields`).",
    401: "Not authenticated: no login or bearer token, or the credentials sent are wrong.",
    403: "Not allowed: the rules refuse it, or a write with the session came without its CSRF token.",
    404: "Not found, or not visible to you.",
    409: "The current state refuses it: already done, closed, not yet open, ...",
    413: "The request body is larger than the server accepts (`body_too_large`).",
    415: "The request body was not sent as JSON (`unsupported_media_type`).",
    422: "Invalid input (`validation_error` names each invalid part, with `errors`).",
    429: "Too many failed logins: try again after `Retry-After` seconds.",
}
HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": '`Bearer realm="councils"`.'}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
}


class ProblemAPI(NinjaAPI):
    """The API, publishing the problem+json errors of every operation.

    The document is built once for each path prefix: seconds of CPU that every visit to the docs
    would spend again, for a document that only a new release changes. Each caller gets a copy of
    its own to change. Each path answers HEAD, OPTIONS and the methods it does not take as
    `councils.api.methods` says; the document lists only the operations.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[str, OpenAPISchema] = {}

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        *urls, _root = super()._get_urls()
        # ninja's root answers a bare 404, behind the CSRF check for writes: it is no endpoint either.
        return [*urls, path("", unknown_endpoint, name="api-root")]

    def _get_bound_routers(self) -> list[BoundRouter]:
        routers = super()._get_bound_routers()
        for router in routers:
            for path_view in router.path_operations.values():
                # ninja makes a plain PathView for each path, with no hook for its dispatch.
                path_view.__class__ = MethodsPathView
        return routers

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        if path_prefix not in self._schemas:
            self._schemas[path_prefix] = self._build_openapi_schema(path_prefix)
        built = self._schemas[path_prefix]
        schema = copy.copy(built)  # The same document class and attributes, sharing its contents ...
        schema.update(copy.deepcopy(dict(built)))  # ... which are then replaced by copies.
        return schema

    def _build_openapi_schema(self, path_prefix: str) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        views = {
            operation.operation_id: operation.view_func
            for _prefix, router in self._routers
            for path_view in router.path_operations.values()
            for operation in path_view.operations
        }
        for methods in schema["paths"].values():
            for method, operation in methods.items():
                view = views[operation["operationId"]]
                for status in error_statuses(method, operation, view):
                    operation["responses"][status] = problem_response(status)
        definition = Problem.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
        )
        schema["components"]["schemas"].update({**definition.pop("$defs"), "Problem": definition})
        return schema


def problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS.get(status, responses.get(status, "Error")),
        "content": {PROBLEM: {"schema": {"$ref": REF_TEMPLATE.format(model="Problem")}}},
    }
    if status in HEADERS:
        response["headers"] = HEADERS[status]
    return response


def error_statuses(method: str, operation: dict[str, Any], view: Callable[..., Any]) -> list[int]:
    """The error statuses the operation can answer, from its published shape and its code."""
    found = set(answered(view))
    if "requestBody" in operation:
        found |= {400, 413, 415, 422}
    if operation["parameters"]:
        found.add(422)
    if any(parameter["in"] == "query" for parameter in operation["parameters"]):
        found.add(400)
    if "security" in operation:
        found.add(401)
        if method.upper() not in SAFE_METHODS:
            found.add(403)
    if method.upper() not in SAFE_METHODS:
        found.add(422)
    return sorted(found)


@functools.cache
def answered(view: Callable[..., Any]) -> frozenset[int]:
    """The error statuses `view` and every function of `councils` it names, to the end, raise or answer."""
    statuses: set[int] = set()
    seen: set[FunctionType] = set()
    pending = [_function(view)]
    while pending:
        function = pending.pop()
        if function is None or function in seen:
            continue
        seen.add(function)
        own, named = _read(function)
        statuses |= own
        pending.extend(named)
    return frozenset(statuses)


def _function(value: Any) -> FunctionType | None:
    """The plain function of `councils` behind `value` (through decorators and bound methods), if any."""
    if isinstance(value, MethodType):
        value = value.__func__
    if callable(value):
        value = inspect.unwrap(value)
    if isinstance(value, FunctionType) and value.__module__.startswith("councils."):
        return value
    return None


@functools.cache
def _read(function: FunctionType) -> tuple[frozenset[int], tuple[FunctionType | None, ...]]:
    """The statuses `function`'s own code gives, and the functions it names."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return frozenset(), ()
    local = _local_names(tree.body[0])
    names = {name: value for name, value in function.__globals__.items() if name not in local}
    names.update(_imported(tree))
    statuses: set[int] = set()
    named = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute):
            named.append(_function(_resolve(node, names)))
        if not isinstance(node, ast.Call):
            continue
        called = _resolve(node.func, names)
        if isinstance(called, type) and issubclass(called, DomainError):
            statuses.add(called.status)
        elif called is problem:
            for keyword in node.keywords:
                given = keyword.value.value if isinstance(keyword.value, ast.Constant) else None
                if keyword.arg == "status" and isinstance(given, int):
                    statuses.add(given)
    return frozenset(statuses), tuple(named)


def _local_names(function: ast.AST) -> set[str]:
    """The names `function` (and what it nests) binds itself, which hide the module's names."""
    local = set()
    for node in ast.walk(function):
        if isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            local.add(node.id)
        elif (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.ExceptHandler)
            and node is not function
            and node.name
        ):
            local.add(node.name)
    return local


def _imported(tree: ast.AST) -> dict[str, Any]:
    """What the imports inside a function (made there to break import cycles) bind."""
    names: dict[str, Any] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            module = importlib.import_module(node.module)
            for alias in node.names:
                names[alias.asname or alias.name] = getattr(module, alias.name, None)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.name if alias.asname else alias.name.partition(".")[0]
                names[alias.asname or bound] = importlib.import_module(bound)
    return names


def _resolve(node: ast.expr, names: dict[str, Any]) -> Any:
    """What a name or a dotted name of modules and classes stands for in a module, if it can be known."""
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, names)
        if isinstance(owner, ModuleType | type):
            return getattr(owner, node.attr, None)
    return None
