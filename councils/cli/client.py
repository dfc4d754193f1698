"""HTTP client for the API: server address, stored token, problem+json errors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from councils.cli.output import BAD_USAGE, CHECK_FAILED, CliError

DEFAULT_SERVER = "http://127.0.0.1:8000"


def default_server() -> str:
    return os.environ.get("COUNCILS_SERVER") or DEFAULT_SERVER


def _credentials_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "councils" / "credentials.json"


def _read_credentials(path: Path) -> dict[str, str]:
    """The stored tokens by server; a damaged file counts as empty (logging in again rewrites it)."""
    try:
        stored = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    except OSError as exc:
        raise CliError(f"cannot read your stored tokens in {path}: {exc.strerror}") from None
    return stored if isinstance(stored, dict) else {}


def load_token(server: str) -> str | None:
    token = _read_credentials(_credentials_path()).get(server.rstrip("/"))
    return token if isinstance(token, str) else None


def save_token(server: str, token: str | None) -> Path:
    path = _credentials_path()
    stored = _read_credentials(path)
    if token is None:
        stored.pop(server.rstrip("/"), None)
    else:
        stored[server.rstrip("/")] = token
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(stored, indent=2))
    except OSError as exc:
        raise CliError(f"cannot store your token in {path}: {exc.strerror}") from None
    return path


def _site_root(server: str) -> str:
    """Check --server before any request, so that a typo is bad usage (exit 2), not an unreachable server."""
    try:
        parts = urlsplit(server)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:
        valid = False
    if not valid:
        raise CliError(f"--server takes a site root such as {DEFAULT_SERVER}; got {server!r}")
    # The API's own address is the likeliest slip: name the root it belongs to, which every command adds
    # /api/v1 to, rather than let the server answer for /api/v1/api/v1/….
    root, api, _ = server.partition("/api/v1")
    if api:
        raise CliError(f"--server takes the site root, without /api/v1: {root}; got {server!r}")
    return server.rstrip("/")


class Api:
    """A small client of /api/v1 that turns problem+json into CliError."""

    def __init__(self, server: str, *, token: str | None = None, timeout: float = 30.0) -> None:
        self.server = _site_root(server)
        token = token or os.environ.get("COUNCILS_TOKEN") or load_token(self.server)
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(base_url=self.server + "/api/v1", headers=headers, timeout=timeout)

    def request(self, method: str, path: str, *, raw: bool = False, **kwargs: Any) -> Any:
        """Send one request; a refusal (4xx) is bad input (exit 2), a server failure exits 1.

        The answer is parsed JSON, or text for text/plain, or with `raw` the body's bytes; anything
        else (a web page from a server that is not Councils) is an error.
        """
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise CliError(f"cannot reach {self.server}: {exc}", code=CHECK_FAILED) from None
        kind = response.headers.get("content-type", "").partition(";")[0].strip().lower()
        if response.status_code >= 400:
            raise self._refusal(response, kind)
        if raw:
            return response.content
        if not response.content:
            return None
        if kind.endswith("json"):
            try:
                return response.json()
            except ValueError:
                raise CliError(f"{self.server} answered with malformed JSON", code=CHECK_FAILED) from None
        if kind == "text/plain":
            return response.text
        raise CliError(
            f"{self.server} answered with {kind or 'no content type'}, not as a Councils server does: "
            "is --server its site root?",
            code=CHECK_FAILED,
        )

    def _refusal(self, response: httpx.Response, kind: str) -> CliError:
        """One line from a problem+json refusal; a page from something else says only its status."""
        detail, problem_code = "", None
        if kind.endswith("json"):
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                detail = str(body.get("detail") or body.get("title") or "")
                problem_code = body.get("code")
        elif kind == "text/plain":
            detail = response.text.strip().partition("\n")[0][:200]
        if not detail:
            detail = response.reason_phrase or "refused"
            if kind != "text/plain" and not kind.endswith("json"):
                detail += f" (is {self.server} the site root of a Councils server?)"
        if response.status_code == 401 and problem_code in (None, "unauthenticated"):
            detail += " (run `councils login` first)"
        return CliError(
            f"{response.status_code}: {detail}",
            code=BAD_USAGE if response.status_code < 500 else CHECK_FAILED,
            status=response.status_code,
            problem=problem_code,
        )

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=body, **kwargs)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def get_all(self, path: str, **params: Any) -> list[Any]:
        """Follow ?page= until every item of a list endpoint is read."""
        items: list[Any] = []
        page = 1
        while True:
            body = self.get(path, page=page, **params)
            items.extend(body["items"])
            if not body["items"] or len(items) >= body["count"]:
                return items
            page += 1
