"""What every page view shares: turning domain errors into pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from councils.core.errors import DomainError, NotFoundError


def domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render a refused action as a page that says why, with the status the API would give."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError:
            raise Http404 from None
        except DomainError as exc:
            return render(request, "web/refused.html", {"message": exc.message}, status=exc.status)

    return wrapper
