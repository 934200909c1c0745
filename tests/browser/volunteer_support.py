"""What the volunteer area's browser tests share: an organization verified and its
opportunities published through the API (tests/e2e's helpers, as people do with curl), a
person both signed up through the API (to set things up) and signed in in the browser, axe."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from browser_support import main_fits as main_fits
from browser_support import serious_violations as serious_violations  # shared by every area's tests

# tests/e2e's helpers (on the path: conftest.py loads tests/e2e's conftest).
from e2e_orgs import make_moderator, newcomer, ok  # type: ignore[import-not-found]
from e2e_people import (  # type: ignore[import-not-found]
    assert_login,
    create_test_user,
    refresh,
    sign_up,
)
from playwright.sync_api import expect as playwright_expect

LYON = {
    "address": "20 quai Claude Bernard",
    "city": "Lyon",
    "country": "FR",
    "lat": 45.7485,
    "lng": 4.8365,
}
T = TypeVar("T")

# Playwright's expect with a longer wait than its 5 s, for these tests only (an instance of our
# own: the shared one's options would change every module's): the machine's two cores are
# shared with other runs, and an answer through the bus can take longer there.
expect = type(playwright_expect)()
expect.set_options(timeout=15_000)


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    """``probe()`` once it returns something (events travel through the bus meanwhile)."""
    deadline = time.monotonic() + timeout
    while (found := probe()) is None:
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)
    return found


def in_(delta: timedelta) -> str:
    """A time that far from now, as a JSON body carries it."""
    return (datetime.now(UTC).replace(microsecond=0) + delta).isoformat()


def one_off(days: int, places: int = 3) -> dict[str, Any]:
    """A one-off commitment: one three-hour shift in ``days`` days."""
    start = timedelta(days=days)
    slot = {"starts_at": in_(start), "ends_at": in_(start + timedelta(hours=3)), "places": places}
    return {"kind": "one_off", "slots": [slot]}


def verified_org(curl: Any, other_curl: Any, system: Any, infra: Any, name: str) -> tuple[Any, Any]:
    """An organization of a newcomer (its owner's login and the org), verified by a moderator."""
    gw = system.gateway.url
    owner, mo = newcomer(curl, system), newcomer(other_curl, system)
    make_moderator(system, infra, mo["user"]["id"])
    mo = refresh(other_curl, system, mo["refresh_token"]).json()  # now with the role
    org = ok(curl, "POST", f"{gw}/orgs", owner, {
        "name": name, "mission": "Keep the Rhône's banks clean, one Saturday at a time.",
        "causes": ["clean-water"],
        "hq": {"city": "Lyon", "country": "FR", "lat": 45.764, "lng": 4.8357},
    })  # fmt: skip
    ok(curl, "POST", f"{gw}/orgs/{org['id']}/submit", owner)
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/verify", mo)
    return owner, org


def publish(curl: Any, system: Any, owner: Any, org: Any, **fields: Any) -> Any:
    """A published opportunity of ``org``: on site in Lyon unless ``remote``; ``fields`` win."""
    body: dict[str, Any] = {
        "description": "Gloves, bags and coffee provided. Come as you are.",
        "causes": ["clean-water"], "skills_wanted": [], "skills_required": [],
        "commitment": one_off(5), "time_zone": "Europe/Paris", "place": LYON, "publish": True,
        **fields,
    }  # fmt: skip
    if body.get("remote"):
        body["place"] = None
    return ok(curl, "POST", f"{system.gateway.url}/orgs/{org['id']}/opportunities", owner, body)


def person(curl: Any, system: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Facebook test user signed up through the API: (the sandbox user for the browser's
    sign-in, the API login to set things up with)."""
    user = create_test_user(curl, system, installed=False)
    login = assert_login(sign_up(curl, system, user), user, created=True)
    return user, login


def found(curl: Any, system: Any, login: Any, query: str, opp_id: str) -> bool:
    """Whether GET /opportunities?<query> lists ``opp_id`` (search is fed by events)."""
    items = ok(curl, "GET", f"{system.gateway.url}/opportunities?{query}&limit=100", login)["items"]
    return any(item["id"] == opp_id for item in items)


def sign_in_again(opened: Any, user: dict[str, Any], path: str) -> None:
    """Sign in in the browser a person who already signed up (``person``): Facebook knows the
    app is authorized and sends the browser straight back, with no consent dialog."""
    opened.page.goto(user["login_url"])
    opened.open(path)
    opened.page.get_by_role("link", name="Continue with Facebook").click()
    opened.page.wait_for_url(opened.url(path), timeout=60_000)


# Before signing in, the app's silent refresh finds no cookie: identity answers 401.
SIGNED_OUT_REFRESH = ((401, "/auth/refresh"),)
