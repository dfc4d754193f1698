"""HTTP client for the API: server address, stored token, problem+json errors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx

from councils.cli.output import BAD_USAGE, CHECK_FAILED, CliError

DEFAULT_SERVER = "http://127.0.0.1:8000"


def default_server() -> str:
    return os.environ.get("COUNCILS_SERVER") or DEFAULT_SERVER


def _credentials_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "councils" / "credentials.json"


def load_token(server: str) -> str | None:
    path = _credentials_path()
    if not path.exists():
        return None
    try:
        stored = json.loads(path.read_text())
    except json.JSONDecodeError:
        return None
    token = stored.get(server.rstrip("/"))
    return token if isinstance(token, str) else None


def save_token(server: str, token: str | None) -> Path:
    path = _credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    stored: dict[str, str] = {}
    if path.exists():
        try:
            stored = json.loads(path.read_text())
        except json.JSONDecodeError:
            stored = {}
    if token is None:
        stored.pop(server.rstrip("/"), None)
    else:
        stored[server.rstrip("/")] = token
    path.touch(mode=0o600)
    path.write_text(json.dumps(stored, indent=2))
    return path


class Api:
    """A small client of /api/v1 that turns problem+json into CliError."""

    def __init__(self, server: str, *, token: str | None = None, timeout: float = 30.0) -> None:
        self.server = server.rstrip("/")
        token = token or os.environ.get("COUNCILS_TOKEN") or load_token(self.server)
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(base_url=self.server + "/api/v1", headers=headers, timeout=timeout)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request; a refusal (4xx) is bad input (exit 2), a server failure exits 1."""
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise CliError(f"cannot reach {self.server}: {exc}", code=CHECK_FAILED) from None
        if response.status_code >= 400:
            problem_code = None
            try:
                body = response.json()
                detail = body.get("detail") or body.get("title") or response.reason_phrase
                problem_code = body.get("code")
            except (ValueError, AttributeError):
                detail = response.text[:200] or response.reason_phrase
            if response.status_code == 401 and problem_code in (None, "unauthenticated"):
                detail += " (run `councils login` first)"
            raise CliError(
                f"{response.status_code}: {detail}",
                code=BAD_USAGE if response.status_code < 500 else CHECK_FAILED,
                status=response.status_code,
                problem=problem_code,
            )
        if not response.content:
            return None
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.text

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
