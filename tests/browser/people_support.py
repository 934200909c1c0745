"""What the people area's browser tests share: people signed up through the API with a name
and a profile of their choosing (identity's PATCH /users/me), made Facebook friends in the
sandbox (what /users/me/suggestions reads at their next login), and identity's lists read
back as ids (what the browser's clicks must have left there)."""

from __future__ import annotations

from typing import Any

from community_support import person

# tests/e2e's helpers (on the path: conftest.py loads tests/e2e's conftest).
from e2e_orgs import ok  # type: ignore[import-not-found]
from e2e_people import befriend, facebook_token  # type: ignore[import-not-found]


def named_person(
    curl: Any, system: Any, name: str, **profile: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``community_support.person`` named ``name``, its profile patched with ``profile``
    (bio, skills, visibility, …): (the sandbox user, the API login with ``user`` updated)."""
    user, login = person(curl, system)
    changed = ok(
        curl, "PATCH", f"{system.gateway.url}/users/me", login, {"display_name": name, **profile}
    )
    assert changed["display_name"] == name
    return user, {**login, "user": changed}


def facebook_friends(curl: Any, system: Any, one: dict[str, Any], other: dict[str, Any]) -> None:
    """``one`` asks, ``other`` confirms (sandbox users who signed up: the app is installed)."""
    for asker, asked in ((one, other), (other, one)):
        token = facebook_token(curl, system, asker["id"])
        befriend(curl, system, asker["id"], asked["id"], token)


def ids(curl: Any, system: Any, login: dict[str, Any], path: str) -> list[str]:
    """The ids of a list of identity's (``/users/me/following``, …), first page, newest first."""
    answer = ok(curl, "GET", f"{system.gateway.url}{path}", login)
    return [item["id"] for item in answer["items"]]
