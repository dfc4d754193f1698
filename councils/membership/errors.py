"""Errors of admission and due process, each with a stable code."""

from __future__ import annotations

from councils.core.errors import ConflictError


class DueProcessError(ConflictError):
    """An attempt to take away a member's rights outside charges, hearing and vote."""

    code = "due_process_required"


class AdmissionRefusedError(ConflictError):
    code = "admission_refused"
