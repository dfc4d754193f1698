"""Domain errors: each has a stable machine-readable `code` and a human message."""

from __future__ import annotations


class DomainError(Exception):
    """A request that the rules refuse; interfaces turn it into a clear error."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFoundError(DomainError):
    """Missing or hidden: the same answer, so hidden things cannot be probed."""

    code = "not_found"
    status = 404


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    status = 403


class ConflictError(DomainError):
    """The request clashes with the current state (already voted, closed, ...)."""

    code = "conflict"
    status = 409


class InvalidInputError(DomainError):
    code = "invalid_input"
    status = 422
