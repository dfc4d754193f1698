"""What every page view shares: turning domain errors into pages, reading a date and time from a form,
serving the parts of a live page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import wraps
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from councils.core.errors import DomainError, InvalidInputError, NotFoundError


def domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render a refused action as a page that says why, with the status the API would give."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError:
            raise Http404 from None
        except DomainError as exc:
            if request.headers.get("HX-Request"):
                # Sent by htmx from a page: say why on that page, at its top, keeping the status.
                response = render(request, "web/_refusal.html", {"message": exc.message}, status=exc.status)
                response["HX-Retarget"], response["HX-Reswap"] = "#refusal", "innerHTML show:top"
            else:
                context = {"message": exc.message, "back": _page_before(request)}
                response = render(request, "web/refused.html", context, status=exc.status)
            patch_vary_headers(response, ["HX-Request"])
            return response

    return wrapper


def _page_before(request: HttpRequest) -> str | None:
    """The page of this site the refused form was sent from, to go back to without JavaScript."""
    referer = request.headers.get("Referer")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if safe and referer != request.build_absolute_uri() else None


def live_page(
    request: HttpRequest,
    template: str,
    *,
    parts: Sequence[str],
    context: Callable[[str | None], dict[str, Any]],
) -> HttpResponse:
    """The page, or to htmx the one live part `?part=` names (the first of `parts` by default).

    `context(part)` gives what to show: for the whole page when `part` is None, else only what
    that part needs, since everyone following the page fetches it at once. An unknown part is refused with the
    parts there are.
    """
    if not request.headers.get("HX-Request"):
        response = render(request, template, context(None))
    else:
        part = request.GET.get("part", parts[0])
        if part not in parts:
            raise InvalidInputError(
                _("No such part of this page: choose one of %(parts)s.") % {"parts": ", ".join(parts)}
            )
        response = render(request, f"{template}#{part}", context(part))
    # The page and its parts share the address.
    patch_vary_headers(response, ["HX-Request"])
    return response


def parse_moment(value: str) -> datetime:
    """A date and time from a form field (a datetime-local input), in the site's time zone unless it says."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(_("Give the date and time as YYYY-MM-DD HH:MM.")) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def form_uuid(value: str | None) -> UUID | None:
    """The UUID a form field names, or None when it is empty or names none (a stale or altered form).

    A lookup by a value that is no UUID would fail in the database layer; read as naming nothing, it
    gets the refusal the view gives for something not found.
    """
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
