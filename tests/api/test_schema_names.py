"""The OpenAPI document describes every endpoint with the endpoint's own schemas.

django-ninja names OpenAPI components after the schema classes and keeps one
component per name, so two classes called alike would publish one router's
shape for another router's endpoint. Schema names are therefore unique across
`councils.api`, and every request and response schema in the published
document is checked against the one the endpoint declares.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections import defaultdict
from types import ModuleType
from typing import Any

import pytest
from ninja import Router
from ninja.openapi.schema import REF_TEMPLATE
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel

import councils.api
from councils.api.urls import api

REF_PREFIX = REF_TEMPLATE.removesuffix("{model}")


def api_modules() -> list[ModuleType]:
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(councils.api.__path__, prefix="councils.api.")
    ]


def subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    pending = [cls]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                pending.append(sub)
    return found


def api_schema_classes() -> list[type[BaseModel]]:
    api_modules()
    return [cls for cls in subclasses(BaseModel) if cls.__module__.startswith("councils.api.")]


def operations() -> list[Operation]:
    routers = [
        module.router for module in api_modules() if isinstance(getattr(module, "router", None), Router)
    ]
    return [
        operation
        for router in routers
        if isinstance(router, Router)
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if operation.include_in_schema
    ]


def inline(schema: Any, definitions: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """The schema with every `$ref` replaced by the definition it names."""
    if isinstance(schema, list):
        return [inline(item, definitions, seen) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(REF_PREFIX):
        name = ref.removeprefix(REF_PREFIX)
        assert name in definitions, f"{ref} names no schema"
        if name in seen:  # a recursive schema: its shape is known by now
            return {"$ref": name}
        rest = {key: value for key, value in schema.items() if key != "$ref"}
        return inline({**definitions[name], **rest}, definitions, (*seen, name))
    return {key: inline(value, definitions, seen) for key, value in schema.items()}


def declared(model: type[BaseModel], *, mode: Any, by_alias: Any = True) -> Any:
    """The schema of an endpoint's own model, made alone, where no other class can take its name."""
    schema = model.model_json_schema(
        ref_template=REF_TEMPLATE, by_alias=by_alias, schema_generator=NinjaGenerateJsonSchema, mode=mode
    )
    definitions = schema.pop("$defs", {})
    # django-ninja wraps the body or the response in a model of one field and publishes that field.
    (field,) = schema["properties"].values()
    return inline(field, definitions)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    # As served: through JSON, so status codes are strings.
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))


def published_operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        details["operationId"]: details
        for path in document["paths"].values()
        for details in path.values()
        if isinstance(details, dict) and "operationId" in details
    }


def test_schema_class_names_are_unique_across_the_api():
    where: defaultdict[str, list[str]] = defaultdict(list)
    for cls in api_schema_classes():
        where[cls.__name__].append(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(places) for name, places in where.items() if len(places) > 1}
    assert not shared, (
        f"Schema classes share a name (rename them or define one in councils.api.schemas): {shared}"
    )


def test_the_walk_finds_the_routers_schemas():
    names = {cls.__name__ for cls in api_schema_classes()}
    # Router schemas, the shared ones and the classes nested in the paginator.
    assert {"VoteCastOut", "ElectionCastOut", "Strict", "Ref", "Input", "Output"} <= names


def test_every_response_is_published_with_its_declared_schema(document):
    published = published_operations(document)
    components = document["components"]["schemas"]
    wrong = []
    for operation in operations():
        responses = published[operation.operation_id]["responses"]
        for status, model in operation.response_models.items():
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                continue
            schema = responses[str(status)]["content"][api.renderer.media_type]["schema"]
            if inline(schema, components) != declared(
                model, mode="serialization", by_alias=operation.by_alias
            ):
                wrong.append(f"{operation.operation_id} {status}")
    assert {operation.operation_id for operation in operations()} == set(published)
    assert not wrong, f"Responses published with another endpoint's schema: {wrong}"


def test_every_request_body_is_published_with_its_declared_schema(document):
    published = published_operations(document)
    components = document["components"]["schemas"]
    checked, wrong = [], []
    for operation in operations():
        body_models = [m for m in operation.models if m.__ninja_param_source__ == "body"]
        if not body_models:
            continue
        (model,) = body_models
        schema = published[operation.operation_id]["requestBody"]["content"]["application/json"]["schema"]
        if inline(schema, components) != declared(model, mode="validation"):
            wrong.append(operation.operation_id)
        checked.append(operation.operation_id)
    assert "motions_open_vote" in checked and "constitution_amendment_open_vote" in checked
    assert not wrong, f"Request bodies published with another endpoint's schema: {wrong}"
