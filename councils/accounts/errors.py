"""Refusals specific to accounts, each with a stable code."""

from __future__ import annotations

from councils.core.errors import ConflictError, DomainError, InvalidInputError


class InvitationExpiredError(DomainError):
    code = "invitation_expired"
    status = 410


class InvitationUsedError(ConflictError):
    code = "invitation_used"


class InvitationRevokedError(DomainError):
    code = "invitation_revoked"
    status = 410


class BadSecondFactorError(InvalidInputError):
    code = "bad_otp"
