"""Reads of the constitution: the version in force, its history and its amendments."""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from councils.constitution.models import Amendment, ConstitutionVersion
from councils.core.errors import NotFoundError
from councils.core.rules.constitution import DEFAULTS_VERSION, Constitution, content_hash
from councils.federation import queries as federation_queries
from councils.federation.models import Council, Federation


def current_version(*, federation: Federation | int) -> ConstitutionVersion | None:
    """The version in force, or None while the federation has adopted none."""
    federation_id = federation if isinstance(federation, int) else federation.id
    return ConstitutionVersion.objects.filter(federation_id=federation_id).order_by("-version").first()


def constitution_for(*, federation: Federation | int) -> Constitution:
    """The rules every decision in `federation` applies: the version in force, else the shipped defaults.

    This is the one answer for every app. Until a federation adopts a constitution,
    the defaults of `councils.core.rules.constitution` apply as version 0, and the
    decisions taken under them say so; nothing waits for a constitution, and
    nothing claims a version that was never adopted.
    """
    version = current_version(federation=federation)
    return Constitution.from_adopted(version.document) if version is not None else Constitution()


def hash_in_force(*, federation: Federation | int) -> str:
    """The hash of the version in force as its adoption recorded it; the defaults' while none is adopted.

    A version keeps the hash of the text its members adopted: rendering it again through today's
    settings would add those introduced since (unset for it) and change the hash, so that an amendment
    could no longer show it replaced exactly the version adopted.
    """
    version = current_version(federation=federation)
    return version.content_hash if version is not None else content_hash(Constitution().to_document())


def list_versions(*, federation: Federation) -> QuerySet[ConstitutionVersion]:
    return ConstitutionVersion.objects.filter(federation=federation).order_by("version")


def get_version(*, federation: Federation, version: int) -> ConstitutionVersion:
    try:
        return ConstitutionVersion.objects.get(federation=federation, version=version)
    except ConstitutionVersion.DoesNotExist:
        raise NotFoundError(f"There is no version {version} of this constitution.") from None


def version_document(*, federation: Federation, version: int) -> dict[str, Any]:
    """The document of version `version`; 0 is the shipped defaults an amendment may start from."""
    if version == DEFAULTS_VERSION:
        return Constitution().to_document()
    document: dict[str, Any] = get_version(federation=federation, version=version).document
    return document


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
    except (Federation.DoesNotExist, ValueError, TypeError, ValidationError):
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
    """Federations whose constitution the viewer may read: their own, and those with a public top council.

    One query when read, the two kinds of federation being subqueries of it.
    """
    own = federation_queries.federations_of(user=viewer).values("id")
    public = Council.objects.filter(parent__isnull=True, visibility=Council.Visibility.PUBLIC).values(
        "federation_id"
    )
    return Federation.objects.filter(Q(id__in=own) | Q(id__in=public)).order_by("name")


def access_amendment(*, viewer: Any, amendment_uuid: uuid_lib.UUID | str) -> Amendment:
    try:
        amendment = Amendment.objects.select_related("federation", "council").get(uuid=amendment_uuid)
    except (Amendment.DoesNotExist, ValueError, TypeError, ValidationError):
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
