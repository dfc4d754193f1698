from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from councils.accounts import ratelimit, totp
from councils.accounts import tokens as account_tokens
from councils.accounts.queries import acting_user
from councils.api.pagination import PageNumber
from councils.api.problems import problem
from councils.api.schemas import Strict
from councils.core.errors import InvalidInputError
from councils.digests import actions as digest_actions
from councils.digests import queries as digest_queries

router = Router(tags=["auth"])


class TokenIn(Strict):
    username: str
    password: str
    otp: str | None = Field(
        None,
        description="The current authenticator code, for accounts with two-factor authentication.",
    )
    name: str = Field("api", max_length=100, description="What the token is for, shown in the token list.")


class TokenOut(Schema):
    token: str


class MeOut(Schema):
    uuid: str
    username: str
    name: str
    has_totp: bool
    digest_frequency: Literal["daily", "weekly", "never"] = Field(
        description="How often the e-mail digest of your councils comes."
    )
    digest_sent_at: datetime | None = Field(description="When the last digest was e-mailed to you.")


class MeIn(Strict):
    digest_frequency: Literal["daily", "weekly", "never"] = Field(
        description="How often the e-mail digest of your councils should come."
    )


class ApiTokenOut(Schema):
    uuid: UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(description="The token itself: shown only this once.")


class ApiTokenIn(Strict):
    name: str = Field(min_length=1, max_length=100)


def _refused(request: HttpRequest, address: str, username: str, *, code: str, detail: str) -> HttpResponse:
    ratelimit.record_failure(username=username, address=address)
    return problem(request, status=401, title="Authentication required", detail=detail, code=code)


@router.post("/token", auth=None, response={200: TokenOut}, operation_id="auth_token")
def create_token(request: HttpRequest, body: TokenIn) -> HttpResponse | dict[str, str]:
    """Exchange a username and password (and a code, with two-factor authentication) for a bearer token."""
    address = ratelimit.client_address(request.META)
    wait = ratelimit.retry_after(username=body.username, address=address)
    if wait:
        response = problem(
            request,
            status=429,
            title="Too many requests",
            detail=f"Too many failed logins; try again in {wait} seconds.",
            code="login_throttled",
        )
        response["Retry-After"] = str(wait)
        return response
    user = authenticate(request, username=body.username, password=body.password)
    if user is None:
        return _refused(
            request, address, body.username, code="bad_credentials", detail="Wrong username or password."
        )
    if user.has_totp:
        if not body.otp:
            # Not a failure: the client learns that it must ask for the code.
            return problem(
                request,
                status=401,
                title="Authentication required",
                detail='This account uses two-factor authentication: send the current code as "otp".',
                code="otp_required",
            )
        if not totp.verify_user(user=user, code=body.otp):
            return _refused(
                request, address, body.username, code="bad_otp", detail="The two-factor code is not right."
            )
    raw = account_tokens.issue_token(user=user, name=body.name.strip() or "api", now=timezone.now())
    return {"token": raw}


@router.delete("/token", response={204: None}, operation_id="auth_token_revoke")
def revoke_current_token(request: HttpRequest) -> Status[None]:
    """Revoke the bearer token this request is sent with: logging out of the command line."""
    token = getattr(request, "api_token", None)
    if token is None:
        raise InvalidInputError("Send the token to revoke as the bearer token of this request.")
    account_tokens.revoke_token(user=acting_user(request), token_uuid=token.uuid, now=timezone.now())
    return Status(204, None)


def _me(user: Any) -> dict[str, Any]:
    digest = digest_queries.preference_of(user=user)
    return {
        "uuid": str(user.uuid),
        "username": user.username,
        "name": user.name,
        "has_totp": user.has_totp,
        "digest_frequency": digest.frequency,
        "digest_sent_at": digest.sent_at,
    }


@router.get("/me", response=MeOut, operation_id="auth_me")
def me(request: HttpRequest) -> dict[str, Any]:
    """The account the request is authenticated as, with its digest preference."""
    return _me(acting_user(request))


@router.patch("/me", response=MeOut, operation_id="auth_me_update")
def update_me(request: HttpRequest, body: MeIn) -> dict[str, Any]:
    """Change my preferences: how often the e-mail digest comes (daily, weekly or never)."""
    user = acting_user(request)
    digest_actions.set_digest_frequency(actor=user, frequency=body.digest_frequency)
    return _me(user)


@router.get("/tokens", response=list[ApiTokenOut], operation_id="tokens_list")
@paginate(PageNumber)
def list_tokens(request: HttpRequest) -> Any:
    """My API tokens that still work, newest first."""
    return account_tokens.list_tokens(user=acting_user(request))


@router.post("/tokens", response={201: ApiTokenCreatedOut}, operation_id="tokens_create")
def create_named_token(request: HttpRequest, body: ApiTokenIn) -> Status[dict[str, Any]]:
    """Make a new token for a script or machine; the token is in this answer only."""
    token, raw = account_tokens.create_token(user=acting_user(request), name=body.name, now=timezone.now())
    return Status(
        201,
        {
            "uuid": token.uuid,
            "name": token.name,
            "created_at": token.created_at,
            "last_used_at": None,
            "token": raw,
        },
    )


@router.delete("/tokens/{token_id}", response={204: None}, operation_id="tokens_revoke")
def revoke_token(request: HttpRequest, token_id: UUID) -> Status[None]:
    """Revoke one of my tokens; it stops working at once."""
    account_tokens.revoke_token(user=acting_user(request), token_uuid=token_id, now=timezone.now())
    return Status(204, None)
