"""What the settings test shares: the person's profile and notification preferences read
through the API (what the browser's saves must leave there), a section of /settings by its
heading, the saved status line; the rest (a person signed up through the API and signed in in
the browser, axe, the width check) is community_support's."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from community_support import (
    SIGNED_OUT_REFRESH,
    expect,
    main_fits,
    person,
    serious_violations,
    sign_in_again,
)

# tests/e2e's helpers (on the path: conftest.py loads tests/e2e's conftest).
from e2e_orgs import call, ok  # type: ignore[import-not-found]
from playwright.sync_api import Locator, Page

__all__ = [
    "SIGNED_OUT_REFRESH",
    "applied",
    "expect",
    "main_fits",
    "me",
    "me_status",
    "person",
    "preferences",
    "read_json",
    "saved",
    "section",
    "serious_violations",
    "sign_in_again",
]

# identity's fields that change by themselves (a save stamps updated_at).
VOLATILE = frozenset({"updated_at"})


def me(curl: Any, system: Any, login: dict[str, Any]) -> dict[str, Any]:
    """GET /users/me with ``login``'s token, without the fields that change by themselves."""
    profile = ok(curl, "GET", f"{system.gateway.url}/users/me", login)
    return {k: v for k, v in profile.items() if k not in VOLATILE}


def me_status(curl: Any, system: Any, login: dict[str, Any]) -> int:
    """The status GET /users/me answers ``login``'s token."""
    return int(call(curl, "GET", f"{system.gateway.url}/users/me", login).status)


def preferences(curl: Any, system: Any, login: dict[str, Any]) -> dict[str, Any]:
    """The notifier's GET /notifications/preferences with ``login``'s token."""
    answer: dict[str, Any] = ok(
        curl, "GET", f"{system.gateway.url}/notifications/preferences", login
    )
    return answer


def applied(before: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``before`` with ``changes``; a ``kinds`` change merges channel by channel."""
    after = copy.deepcopy(before)
    for key, value in changes.items():
        if key == "kinds":
            for kind, channels in value.items():
                after["kinds"][kind].update(channels)
        else:
            after[key] = value
    return after


def section(page: Page, title: str) -> Locator:
    """A section of /settings: the region its h2 names."""
    return page.get_by_role("region", name=title, exact=True)


def saved(where: Locator, text: str = "Saved.") -> None:
    """The section's status line says it saved."""
    expect(where.get_by_role("status")).to_have_text(text)


def read_json(path: Path | str) -> Any:
    """A downloaded file's JSON."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
