"""Jumo's own Facebook Page in a Facebook sandbox (``jumo_facebook.sandbox``), for notifier.

notifier posts "Ann joined Jumo" to Jumo's Page with ``JUMO_PAGE_ID`` and ``JUMO_PAGE_TOKEN``.
Against the real Facebook an operator gets that token once; against the sandbox the local stack
and the end-to-end system make it themselves, the way the real one gives it: a test user "Jumo"
who manages a Page "Jumo" (the sandbox's control API, ``POST /__sandbox/test-users`` and
``POST /__sandbox/pages``), and the Page token from ``GET /<version>/me/accounts`` with that
person's token and its ``appsecret_proof``.

The sandbox keeps everything in memory: a restarted sandbox knows neither the user nor the Page.
``provision_page`` keeps what it made in a record file; while the sandbox still answers
``/me/accounts`` for the recorded person with the recorded Page, that Page is used again;
otherwise a new person and Page are made (the Page with the recorded id, so ``JUMO_PAGE_ID``
stays the same across sandbox restarts; the token is new).

From a shell: ``python -m jumo_devstack.jumo_page`` (docker-compose's notifier reads the two
lines it prints).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# What a person who manages a Page grants an app that posts to it.
PAGE_PERMISSIONS = ("pages_show_list", "pages_manage_posts", "pages_read_engagement")


@dataclass(frozen=True)
class SandboxPage:
    """A sandbox Page, its Page token, and the test user who manages it (with their token)."""

    page_id: str
    page_token: str
    owner_id: str
    owner_token: str

    def env(self) -> dict[str, str]:
        """``JUMO_PAGE_ID`` and ``JUMO_PAGE_TOKEN``, as notifier reads them."""
        return {"JUMO_PAGE_ID": self.page_id, "JUMO_PAGE_TOKEN": self.page_token}


class SandboxPageError(RuntimeError):
    """The sandbox refused to make the Page or its token; the message says what it answered."""


def _call(url: str, body: dict[str, Any] | None = None) -> Any:
    """GET (or POST ``body`` as JSON) and the JSON answer; HTTPError on a non-2xx."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data)  # noqa: S310 (our own sandbox's URL)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def appsecret_proof(app_secret: str, token: str) -> str:
    """Facebook's ``appsecret_proof``: HMAC-SHA256 of the token keyed with the app secret."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def page_token_from_accounts(
    graph_url: str, version: str, app_secret: str, user_token: str, page_id: str
) -> str | None:
    """The Page token ``GET /me/accounts`` gives this person for ``page_id``; None when the
    sandbox does not know the token or the person does not manage that Page."""
    query = urllib.parse.urlencode(
        {"access_token": user_token, "appsecret_proof": appsecret_proof(app_secret, user_token)}
    )
    try:
        answer = _call(f"{graph_url.rstrip('/')}/{version}/me/accounts?{query}")
    except urllib.error.HTTPError:
        return None  # an unknown or dead token: Facebook's error 190
    for account in answer.get("data", []):
        if account.get("id") == page_id and account.get("access_token"):
            return str(account["access_token"])
    return None


def _read(record: Path | None) -> SandboxPage | None:
    if record is None:
        return None
    try:
        return SandboxPage(**json.loads(record.read_text()))
    except (OSError, ValueError, TypeError):
        return None  # none yet, or a damaged file: make a new Page


def _write(record: Path, page: SandboxPage) -> None:
    record.parent.mkdir(parents=True, exist_ok=True)
    part = record.with_suffix(".part")
    part.write_text(json.dumps(asdict(page)) + "\n")
    part.chmod(0o600)
    part.replace(record)


def provision_page(
    graph_url: str,
    app_secret: str,
    record: Path | None = None,
    name: str = "Jumo",
    version: str = "v26.0",
) -> SandboxPage:
    """A Page ``name`` managed by a test user ``name`` in the sandbox at ``graph_url``: the one
    in ``record`` while the sandbox still knows it, else a new one (written to ``record``)."""
    saved = _read(record)
    if saved is not None:
        token = page_token_from_accounts(
            graph_url, version, app_secret, saved.owner_token, saved.page_id
        )
        if token is not None:
            return saved if token == saved.page_token else _keep(record, saved, token)
    base = graph_url.rstrip("/")
    try:
        user = _call(
            f"{base}/__sandbox/test-users", {"name": name, "permissions": list(PAGE_PERMISSIONS)}
        )
        wanted = {"owner_id": user["id"], "name": name}
        page = _call(f"{base}/__sandbox/pages", wanted | ({"id": saved.page_id} if saved else {}))
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")
        raise SandboxPageError(f"the sandbox at {base} answered {error.code}: {detail}") from error
    token = page_token_from_accounts(
        graph_url, version, app_secret, user["access_token"], page["id"]
    )
    if token is None:
        raise SandboxPageError(f"/{version}/me/accounts at {base} does not list Page {page['id']}")
    made = SandboxPage(str(page["id"]), token, str(user["id"]), str(user["access_token"]))
    if record is not None:
        _write(record, made)
    return made


def _keep(record: Path | None, saved: SandboxPage, token: str) -> SandboxPage:
    page = SandboxPage(saved.page_id, token, saved.owner_id, saved.owner_token)
    if record is not None:
        _write(record, page)
    return page
