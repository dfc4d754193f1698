"""The methods every API path answers: HEAD as GET without the body, OPTIONS, and 405 naming them.

ninja dispatches a path's operations by method and refuses any other with a bare
405 that lists only the operations' methods. Here every path that answers GET
answers HEAD through the same operation (the same checks, status and headers,
Content-Length among them, with no body), every path answers OPTIONS with 204
and `Allow`, and a method it does not take gets the 405 problem with `Allow`
(RFC 9110 §15.5.6). `ProblemAPI` gives this dispatch to every path of the API,
and to the OpenAPI document and its docs page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from ninja.operation import Operation, PathView

from councils.api.problems import method_not_allowed

View = Callable[..., HttpResponseBase]


def allowed_methods(methods: Iterable[str]) -> tuple[str, ...]:
    """What a path whose operations take `methods` answers: those, HEAD with GET, and OPTIONS."""
    answered = {*methods, "OPTIONS"}
    if "GET" in answered:
        answered.add("HEAD")
    return tuple(sorted(answered))


def answer_methods(view: View, *, allowed: tuple[str, ...]) -> View:
    """Answer OPTIONS and the methods `view` does not take here; strip the body `view` gives to HEAD."""
    allow = ", ".join(allowed)

    @functools.wraps(view)
    def answered(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "OPTIONS":
            response: HttpResponseBase = HttpResponse(status=204)
            del response["Content-Type"]  # there is no content to type
        elif request.method not in allowed:
            response = method_not_allowed(request, allow=allow)
        else:
            response = view(request, *args, **kwargs)
            if request.method == "HEAD":
                _remove_body(response)
            return response
        response["Allow"] = allow
        return response

    # Refusing a method changes nothing, and a CSRF refusal would hide the 405; the views it
    # lets through check CSRF themselves (ninja's authentication) or change nothing (the documents).
    return csrf_exempt(answered)


def get_only(view: View) -> View:
    """Answer GET with `view`, and HEAD, OPTIONS and 405 as every path of the API does."""
    return answer_methods(view, allowed=allowed_methods(["GET"]))


def _remove_body(response: HttpResponseBase) -> None:
    """Drop the body and keep the length GET would have sent (servers drop it too; the length they keep)."""
    if isinstance(response, HttpResponse):
        response["Content-Length"] = str(len(response.content))
        response.content = b""


class MethodsPathView(PathView):
    """A path's operations, with HEAD run by its GET operation and the other methods of `answer_methods`."""

    def get_view(self) -> View:
        methods = (method for operation in self.operations for method in operation.methods)
        return answer_methods(super().get_view(), allowed=allowed_methods(methods))

    def _find_operation(self, request: HttpRequest) -> Operation | None:
        method = "GET" if request.method == "HEAD" else request.method
        return next((operation for operation in self.operations if method in operation.methods), None)
