"""The security headers Django does not send: Content-Security-Policy and Permissions-Policy.

Members may open the site on a computer or network run by a hostile employer or
state. The policy lets a page run only the site's own scripts and styles, so
text that slipped past escaping cannot run; it sends nothing to other origins,
lets no other site frame a page, and gives no page the camera, microphone,
location or other device features. Referrer-Policy, Cross-Origin-Opener-Policy
and X-Content-Type-Options come from Django's settings (config/settings.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Nothing inline: templates keep scripts and styles in static files (tests/web/test_security_headers.py
# scans them). The live tallies' EventSource connects to the same origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Device and tracking features no page needs; the browser refuses them to every frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Add the Content-Security-Policy to every HTML response and the Permissions-Policy to every response.

    JSON, CSV and record documents are never rendered as pages, so they need no
    CSP. A view that set its own policy keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
