"""Keep what a signed-in caller is shown out of shared caches and off the browser's disk."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivateResponseMiddleware:
    """Mark every response to a signed-in caller (session or bearer token) private and not to be stored.

    Such a page may hold a ballot receipt, a member list or a case file; a proxy
    or a shared computer's browser cache must not keep it for the next person.
    A view that set its own Cache-Control (a public record document) keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        signed_in = "HTTP_AUTHORIZATION" in request.META or request.user.is_authenticated
        if signed_in and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
