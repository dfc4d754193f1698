"""Reads of the constitution: the version in force, its history and its amendments."""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from django.db.models import QuerySet

from councils.constitution.errors import NoConstitutionError
from councils.constitution.models import Amendment, ConstitutionVersion
from councils.core.errors import NotFoundError
from councils.core.rules.constitution import Constitution
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Federation


def get_current_version(*, federation: Federation | int) -> ConstitutionVersion:
    """The version in force; raises NoConstitutionError for a federation that has none yet."""
    federation_id = federation if isinstance(federation, int) else federation.id
    version = ConstitutionVersion.objects.filter(federation_id=federation_id).order_by("-version").first()
    if version is None:
        raise NoConstitutionError("This federation has not adopted a constitution yet.")
    return version


def current_constitution(federation: Federation | int) -> Constitution:
    """The rules in force for `federation`, as the pure dataclass every decision reads."""
    return Constitution.from_document(get_current_version(federation=federation).document)


def constitution_in_force(*, federation: Federation | int, purpose: str) -> Constitution:
    """The rules a decision applies; refuses clearly when the federation has adopted none yet."""
    from councils.core.errors import ConflictError

    try:
        return current_constitution(federation)
    except NoConstitutionError:
        raise ConflictError(
            f"This federation has not adopted a constitution yet, so {purpose} cannot be decided."
        ) from None


def list_versions(*, federation: Federation) -> QuerySet[ConstitutionVersion]:
    return ConstitutionVersion.objects.filter(federation=federation).order_by("version")


def get_version(*, federation: Federation, version: int) -> ConstitutionVersion:
    try:
        return ConstitutionVersion.objects.get(federation=federation, version=version)
    except ConstitutionVersion.DoesNotExist:
        raise NotFoundError(f"There is no version {version} of this constitution.") from None


def top_council(*, federation: Federation | int) -> Council:
    """The council with no parent: the only body that may change the constitution."""
    federation_id = federation if isinstance(federation, int) else federation.id
    council = (
        Council.objects.filter(federation_id=federation_id, parent__isnull=True)
        .order_by("created_at", "id")
        .first()
    )
    if council is None:
        raise NotFoundError("This federation has no top council yet.")
    return council


def list_amendments(*, federation: Federation) -> QuerySet[Amendment]:
    return (
        Amendment.objects.filter(federation=federation)
        .select_related("council")
        .order_by("-proposed_at", "-id")
    )


def visible_federation(*, viewer: Any, federation_uuid: uuid_lib.UUID | str) -> Federation:
    """The federation, when the viewer belongs to it or its top council is public; else NotFoundError."""
    try:
        federation = Federation.objects.get(uuid=federation_uuid)
    except (Federation.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("No such federation.") from None
    if can_view_constitution(viewer=viewer, federation=federation):
        return federation
    raise NotFoundError("No such federation.")


def can_view_constitution(*, viewer: Any, federation: Federation) -> bool:
    """The constitution is shown to every member; a public top council makes it public too."""
    if federation_queries.federations_of(user=viewer).filter(id=federation.id).exists():
        return True
    return Council.objects.filter(
        federation=federation, parent__isnull=True, visibility=Council.Visibility.PUBLIC
    ).exists()


def federations_for(*, viewer: Any) -> QuerySet[Federation]:
    """Federations whose constitution the viewer may read: their own, and those with a public top council."""
    own = federation_queries.federations_of(user=viewer).values_list("id", flat=True)
    public = Council.objects.filter(parent__isnull=True, visibility=Council.Visibility.PUBLIC).values_list(
        "federation_id", flat=True
    )
    return Federation.objects.filter(id__in=[*own, *public]).order_by("name")


def access_amendment(*, viewer: Any, amendment_uuid: uuid_lib.UUID | str) -> Amendment:
    try:
        amendment = Amendment.objects.select_related("federation", "council").get(uuid=amendment_uuid)
    except (Amendment.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("No such amendment.") from None
    if not can_view_constitution(viewer=viewer, federation=amendment.federation):
        raise NotFoundError("No such amendment.")
    return amendment


def federation_for(*, viewer: Any, federation_uuid: uuid_lib.UUID | str | None) -> Federation:
    """The federation named, or the only one the viewer may read; a clear error when that is ambiguous."""
    from councils.core.errors import InvalidInputError

    if federation_uuid:
        return visible_federation(viewer=viewer, federation_uuid=federation_uuid)
    candidates = list(federations_for(viewer=viewer)[:2])
    if not candidates:
        raise NotFoundError("No federation whose constitution you may read.")
    if len(candidates) > 1:
        raise InvalidInputError("Say which federation with ?federation=<uuid>.")
    return candidates[0]
