"""EMAIL_URL → Django's e-mail settings (a pure parser, and the settings that use it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from councils.ops.email_url import CONSOLE_BACKEND, SMTP_BACKEND, EmailUrlError, parse_email_url
from tests.ops.sites import REPO


def test_smtp_tls_url_gives_every_setting() -> None:
    assert parse_email_url("smtp+tls://branch%40example.org:s%3Acret@mail.example.org:2525") == {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "branch@example.org",
        "EMAIL_HOST_PASSWORD": "s:cret",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }


@pytest.mark.parametrize(
    ("url", "port", "tls", "ssl"),
    [
        ("smtp://relay.internal", 25, False, False),
        ("smtp+tls://relay.internal", 587, True, False),
        ("submission://relay.internal", 587, True, False),
        ("smtps://relay.internal", 465, False, True),
        ("smtp+ssl://relay.internal", 465, False, True),
    ],
)
def test_scheme_sets_default_port_and_encryption(url: str, port: int, tls: bool, ssl: bool) -> None:
    parsed = parse_email_url(url)
    assert (parsed["EMAIL_PORT"], parsed["EMAIL_USE_TLS"], parsed["EMAIL_USE_SSL"]) == (port, tls, ssl)
    assert parsed["EMAIL_HOST_USER"] == parsed["EMAIL_HOST_PASSWORD"] == ""


def test_from_query_sets_the_sender() -> None:
    parsed = parse_email_url("smtp://relay.internal?from=Branch%20Secretary%20%3Csec%40example.org%3E")
    assert parsed["DEFAULT_FROM_EMAIL"] == "Branch Secretary <sec@example.org>"


def test_console_url_keeps_mail_on_standard_output() -> None:
    assert parse_email_url("console://") == {"EMAIL_BACKEND": CONSOLE_BACKEND}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.org", "scheme 'http' is not one of"),
        ("mail.example.org:25", "is not one of"),
        ("smtp://user:pw@:25", "names no host"),
        ("smtp://mail.example.org:99999", "port that is not a number"),
        ("smtp://mail.example.org:abc", "port that is not a number"),
    ],
)
def test_bad_url_says_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(EmailUrlError, match=message):
        parse_email_url(url)


def _settings_with(**env: str) -> dict[str, object]:
    names = [
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
    ]
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {names!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=REPO,
        env={**clean, "DJANGO_SETTINGS_MODULE": "councils.config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout))


def test_settings_read_email_url_over_the_smtp_variables() -> None:
    loaded = _settings_with(
        EMAIL_URL="smtp+tls://u:p@mail.example.org?from=sec%40example.org", EMAIL_HOST="ignored.example.org"
    )
    assert loaded == {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "u",
        "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "sec@example.org",
    }


def test_settings_send_through_smtp_once_email_host_is_set() -> None:
    loaded = _settings_with(EMAIL_HOST="mail.example.org", EMAIL_PORT="587", EMAIL_USE_TLS="1")
    assert loaded["EMAIL_BACKEND"] == SMTP_BACKEND
    assert (loaded["EMAIL_HOST"], loaded["EMAIL_PORT"], loaded["EMAIL_USE_TLS"]) == (
        "mail.example.org",
        587,
        True,
    )
    assert _settings_with()["EMAIL_BACKEND"] == CONSOLE_BACKEND
