"""problem+json (RFC 9457) for every API error, from one place."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from pydantic import ConfigDict
from pydantic.json_schema import SkipJsonSchema

from councils.api.auth import SAFE_METHODS, InvalidTokenError
from councils.core.errors import DomainError

PROBLEM = "application/problem+json"
API_PREFIX = "/api/"
logger = logging.getLogger("councils.api")


class FieldError(Schema):
    """One invalid part of a request."""

    model_config = ConfigDict(extra="forbid")

    loc: list[str] = Field(description='Where: `["body", "title"]`, `["query", "page"]`, ...')
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="The kind of error, e.g. `missing`, `string_too_long`.")


class Problem(Schema):
    """An error (RFC 9457 problem details): the body of every API answer with a status of 400 or more."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="Names the kind of problem: `/api/v1/problems/<code, or the status>`.")
    title: str = Field(description="The status in words.")
    status: int = Field(description="The HTTP status.")
    # Absent rather than null when there is nothing to say.
    detail: str | SkipJsonSchema[None] = Field(None, description="What went wrong, for people.")
    code: str | SkipJsonSchema[None] = Field(
        None, description="What went wrong, for programs: `not_found`, `validation_error`, `vote_closed`, ..."
    )
    errors: list[FieldError] | SkipJsonSchema[None] = Field(
        None, description="With `validation_error`: every invalid part of the request."
    )


def problem(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    detail: str = "",
    code: str = "",
    errors: list[FieldError] | None = None,
) -> HttpResponse:
    body = Problem(
        type=f"/api/v1/problems/{code or status}",
        title=title,
        status=status,
        detail=detail or None,
        code=code or None,
        errors=errors,
    )
    content = json.dumps(body.model_dump(exclude_none=True))
    response = HttpResponse(content, status=status, content_type=PROBLEM)
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
    410: "Gone",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
}


# What a write that takes no body says of one sent all the same.
NO_BODY = "this request takes no body: send none, or {}"


class UnsupportedMediaTypeError(ValueError):
    """A request body sent as something other than JSON."""


class JsonParser(Parser):
    """Read request bodies as JSON, and only bodies that say they are JSON (or say nothing)."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = request.content_type or ""
        if content_type and content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaTypeError(content_type)
        return super().parse_body(request)


def _takes_a_body(operation: Any) -> bool:
    return any(getattr(model, "__ninja_param_source__", None) == "body" for model in operation.models)


def _empty_body(request: HttpRequest) -> bool:
    """Whether the request came with no body, an empty JSON object or an empty form.

    Whatever cannot be read as one of those (too large, a form with too many fields or
    a broken multipart boundary, JSON nested too deep) is a body all the same.
    """
    try:
        forms = {"multipart/form-data", "application/x-www-form-urlencoded"}
        if request.method == "POST" and request.content_type in forms:
            # Read as a form, as the CSRF check may already have read it: its stream is read once.
            # With no length there is nothing to parse, not even a boundary. (Django reads
            # forms of POSTs only: the body of any other method is judged as sent.)
            nothing = request.META.get("CONTENT_LENGTH", "0") in {"", "0"}
            return nothing or (not request.POST and not request.FILES)
        return not request.body.strip() or bool(json.loads(request.body) == {})
    except (SuspiciousOperation, MultiPartParserError, ValueError, RecursionError):
        return False


def refuse_unexpected_body(view: Callable[..., Any]) -> Callable[..., Any]:
    """Make a write that takes no body refuse one with 422: it accepts none, or the empty object `{}`."""
    operation = getattr(view, "_ninja_operation", None)
    if operation is None or _takes_a_body(operation) or set(operation.methods) <= SAFE_METHODS:
        return view

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not _empty_body(request):
            raise ValidationError([{"loc": ("body",), "msg": NO_BODY, "type": "no_body_expected"}])
        return view(request, *args, **kwargs)

    return checked


def install(api: NinjaAPI) -> None:
    """Register the exception handlers that turn every error into problem+json.

    Also make each write that takes no body refuse one (`refuse_unexpected_body`).
    """
    api.add_decorator(refuse_unexpected_body)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem(
            request,
            status=exc.status,
            title=_TITLES.get(exc.status, "Error"),
            detail=exc.message,
            code=exc.code,
        )

    def _where(loc: list[str]) -> list[str]:
        """Where the error is, as the caller wrote it: a body field without the name of the parameter."""
        return ["body", *loc[2:]] if loc[:1] == ["body"] else loc

    def _field(loc: list[str]) -> str:
        """The field at fault, dotted: a body field named alone, the body itself as `body`."""
        return ".".join(loc[1:] if loc[:1] == ["body"] and len(loc) > 1 else loc)

    def _message(loc: list[str], msg: str) -> str:
        # The body as a whole is missing or not an object: say what to send, not how ninja holds it.
        return "send a JSON object" if loc == ["body"] and msg != NO_BODY else msg

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem(
            request,
            status=413,
            title=_TITLES[413],
            detail=f"The request body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes "
            "this server accepts.",
            code="body_too_large",
        )

    @api.exception_handler(TooManyFieldsSent)
    def too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
        return problem(
            request,
            status=400,
            title=_TITLES[400],
            detail=f"The request has more than the {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} query parameters "
            "this server accepts.",
            code="too_many_fields",
        )

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = []
        for e in exc.errors:
            loc = _where([str(p) for p in e.get("loc", ())])
            errors.append(FieldError(loc=loc, msg=_message(loc, e.get("msg", "")), type=e.get("type", "")))
        return problem(
            request,
            status=422,
            title=_TITLES[422],
            detail="; ".join(f"{_field(e.loc)}: {e.msg}" for e in errors),
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

    @api.exception_handler(InvalidTokenError)
    def invalid_token(request: HttpRequest, exc: InvalidTokenError) -> HttpResponse:
        response = problem(
            request,
            status=401,
            title=_TITLES[401],
            detail="The bearer token does not work: it was revoked or mistyped, or its account was closed. "
            "Log in again.",
            code="invalid_token",
        )
        response["WWW-Authenticate"] = 'Bearer realm="councils", error="invalid_token"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Ninja answers a body its parser failed on with a bare 400; the cause says what was wrong.
        cause = exc.__cause__
        if isinstance(cause, UnsupportedMediaTypeError):
            return problem(
                request,
                status=415,
                title=_TITLES[415],
                detail=f"Send the request body as JSON with Content-Type: application/json, not {cause}.",
                code="unsupported_media_type",
            )
        if isinstance(cause, ValueError | RecursionError):  # bad JSON, bad UTF-8, nesting too deep
            return problem(
                request,
                status=400,
                title=_TITLES[400],
                detail=f"The request body is not valid JSON: {cause}.",
                code="invalid_json",
            )
        return problem(
            request, status=exc.status_code, title=_TITLES.get(exc.status_code, "Error"), detail=str(exc)
        )


def method_not_allowed(request: HttpRequest, *, allow: str) -> HttpResponse:
    """405 for a method the path does not take; `allow` lists those it does, as its Allow header will."""
    return problem(
        request,
        status=405,
        title=_TITLES[405],
        detail=f"{request.method} is not allowed here; use {allow}.",
        code="method_not_allowed",
    )


@csrf_exempt  # it changes nothing, and a CSRF refusal would be the site's HTML page
def unknown_endpoint(request: HttpRequest) -> HttpResponse:
    """Any path under /api/ that no endpoint takes: answered here, never by the site's HTML page."""
    return problem(
        request,
        status=404,
        title=_TITLES[404],
        detail=f"There is no API endpoint at {request.path}; see /api/v1/docs.",
        code="not_found",
    )


def _host_allowed(request: HttpRequest) -> bool:
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


# Headers that describe the body replaced, not the answer: the problem document sets its own.
_BODY_HEADERS = frozenset({"content-type", "content-length", "content-security-policy"})


class ProblemMiddleware:
    """Turn the errors Django and ninja answer outside the API's handlers into problem+json.

    Crashes (500) and a Host the site does not answer for (400, refused by the middleware
    that first reads it) would otherwise come back as HTML or plain text. It runs first
    (settings.MIDDLEWARE), so it sees every answer; the document it sends keeps the headers
    the other middleware gave the answer it replaces (security headers, Cache-Control,
    Vary, cookies).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith((PROBLEM, "application/json")):
            return response
        status = response.status_code
        if status == 400 and not _host_allowed(request):
            converted = problem(
                request,
                status=400,
                title=_TITLES[400],
                detail="The request's Host header names a host this server does not answer for.",
                code="disallowed_host",
            )
        else:
            converted = problem(request, status=status, title=_TITLES.get(status, "Error"))
        for header, value in response.items():
            if header.lower() not in _BODY_HEADERS:
                converted[header] = value
        converted.cookies = response.cookies
        return converted

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX) or isinstance(exception, Http404):
            return None
        logger.error("API request failed: %s %s", request.method, request.path, exc_info=exception)
        return problem(
            request,
            status=500,
            title="Server error",
            detail="The server failed to answer; the error is logged.",
            code="server_error",
        )
