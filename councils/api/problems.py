"""problem+json (RFC 9457) for every API error, from one place."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from councils.core.errors import DomainError

PROBLEM = "application/problem+json"


def problem(
    request: HttpRequest, *, status: int, title: str, detail: str = "", code: str = "", **extra: Any
) -> HttpResponse:
    import json

    body: dict[str, Any] = {"type": f"/api/v1/problems/{code or status}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if code:
        body["code"] = code
    body.update(extra)
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="councils"'
    return response


_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid input",
    429: "Too many requests",
}


def install(api: NinjaAPI) -> None:
    """Register the exception handlers that turn every error into problem+json."""

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem(
            request,
            status=exc.status,
            title=_TITLES.get(exc.status, "Error"),
            detail=exc.message,
            code=exc.code,
        )

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors
        ]
        return problem(
            request,
            status=422,
            title=_TITLES[422],
            detail="; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors),
            code="validation_error",
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(
            request,
            status=401,
            title=_TITLES[401],
            detail="Log in or send a bearer token.",
            code="unauthenticated",
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(
            request, status=exc.status_code, title=_TITLES.get(exc.status_code, "Error"), detail=str(exc)
        )
