"""Parse EMAIL_URL (smtp://user:pass@host:port, smtp+tls://…, smtp+ssl://…) into Django's e-mail settings.

Pure: no Django, no I/O, so settings.py can import it before Django starts.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
SCHEMES = {
    "smtp": (False, False, 25),
    "smtp+tls": (True, False, 587),
    "submission": (True, False, 587),
    "smtps": (False, True, 465),
    "smtp+ssl": (False, True, 465),
}


class EmailUrlError(ValueError):
    """EMAIL_URL cannot be understood; the message says what to write instead."""


def parse_email_url(url: str) -> dict[str, object]:
    """Return EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS/SSL.

    `console://` keeps mail on standard output (for trying a deployment out).
    A `?from=` query sets DEFAULT_FROM_EMAIL.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE_BACKEND}
    if scheme not in SCHEMES:
        raise EmailUrlError(
            f"EMAIL_URL scheme {parts.scheme!r} is not one of {', '.join(sorted(SCHEMES))} or console "
            "(for example smtp+tls://user:password@mail.example.org:587)"
        )
    use_tls, use_ssl, default_port = SCHEMES[scheme]
    if not parts.hostname:
        raise EmailUrlError("EMAIL_URL names no host (for example smtp+tls://user:password@mail.example.org)")
    try:
        port = parts.port or default_port
    except ValueError:
        raise EmailUrlError("EMAIL_URL has a port that is not a number from 1 to 65535") from None
    settings: dict[str, object] = {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }
    query = parse_qs(parts.query)
    if "from" in query:
        settings["DEFAULT_FROM_EMAIL"] = query["from"][-1]
    return settings
