"""Every refusal the domain can raise has a title of its own in problem+json, never "Error"."""

from __future__ import annotations

import importlib
import pkgutil

import councils
from councils.api.problems import _TITLES
from councils.core.errors import DomainError


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_domain_error_status_has_a_title() -> None:
    for module in pkgutil.walk_packages(councils.__path__, "councils."):
        if module.name.endswith(".errors"):
            importlib.import_module(module.name)
    statuses = {error.status: error.__name__ for error in _subclasses(DomainError)}
    assert 410 in statuses  # the invitations' refusals are among those walked
    untitled = {status: name for status, name in statuses.items() if status not in _TITLES}
    assert not untitled, f"add a title to councils/api/problems.py for {untitled}"
