"""Every `access_*` query answers a malformed or unknown key as it answers a hidden object: not found."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import councils
from councils.core.errors import NotFoundError


def access_queries():
    found = []
    for module_info in pkgutil.iter_modules(councils.__path__):
        try:
            module = importlib.import_module(f"councils.{module_info.name}.queries")
        except ModuleNotFoundError:
            continue
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("access_") and function.__module__ == module.__name__:
                key = next(p for p in inspect.signature(function).parameters if p != "viewer")
                found.append(pytest.param(function, key, id=f"{module_info.name}.{name}"))
    return found


QUERIES = access_queries()


def test_the_access_queries_are_all_found():
    assert len(QUERIES) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "key"), QUERIES)
@pytest.mark.parametrize("value", ["not-a-uuid", "", "00000000-0000-0000-0000-000000000000", None])
def test_a_malformed_or_unknown_key_is_not_found(query, key, value):
    with pytest.raises(NotFoundError):
        query(viewer=None, **{key: value})
