from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema

from councils.accounts import ratelimit
from councils.accounts.tokens import issue_token
from councils.api.problems import problem

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class MeOut(Schema):
    uuid: str
    username: str
    name: str


@router.post("/token", auth=None, response={200: TokenOut}, operation_id="auth_token")
def create_token(request: HttpRequest, body: TokenIn) -> HttpResponse | dict[str, str]:
    """Exchange a username and password for a bearer token (shown once)."""
    address = ratelimit.client_address(request.META)
    wait = ratelimit.retry_after(username=body.username, address=address)
    if wait:
        response = problem(
            request,
            status=429,
            title="Too many requests",
            detail="Too many failed logins; wait and try again.",
            code="login_throttled",
        )
        response["Retry-After"] = str(wait)
        return response
    user = authenticate(request, username=body.username, password=body.password)
    if user is None:
        ratelimit.record_failure(username=body.username, address=address)
        return problem(
            request,
            status=401,
            title="Authentication required",
            detail="Wrong username or password.",
            code="bad_credentials",
        )
    return {"token": issue_token(user=user, name="api", now=timezone.now())}  # type: ignore[arg-type]


@router.get("/me", response=MeOut, operation_id="auth_me")
def me(request: HttpRequest) -> dict[str, str]:
    """The account the request is authenticated as."""
    user = request.user
    return {"uuid": str(user.uuid), "username": user.username, "name": user.name}  # type: ignore[union-attr]
