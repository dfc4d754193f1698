"""OPTIONS on a page: 204 and `Allow` naming the methods it takes, as every path of the API answers it.

Each page names its methods (`require_safe`, `require_http_methods`), checked before anything else the
view does, so any method it does not take, OPTIONS among them, is 405 with `Allow` before the view
looks at the viewer or the object. Here that refusal of OPTIONS becomes the answer to it, and every 405
names OPTIONS too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from councils.api.methods import allowed_methods


class OptionsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code != 405 or not response.has_header("Allow"):
            return response
        allow = ", ".join(allowed_methods(method.strip() for method in response["Allow"].split(",")))
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            del response["Content-Type"]  # there is no content to type
        response["Allow"] = allow
        return response
