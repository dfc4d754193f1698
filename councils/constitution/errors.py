"""Errors of the constitution app, each with a stable code."""

from __future__ import annotations

from councils.core.errors import ConflictError


class AmendmentRefusedError(ConflictError):
    """An amendment that the constitution's own rules do not allow."""

    code = "amendment_refused"
