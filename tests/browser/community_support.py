"""What the community area's browser tests share: an organization verified through the API,
its news, opportunity and event; a volunteer whose hours it recorded (apply, accept, check in,
hours: what makes the "volunteered here" badge and the record); a person signed up through
the API (to set things up and check) and signed in in the browser; axe-core."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

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

LYON = {"address": "20 quai Claude Bernard", "city": "Lyon", "lat": 45.7485, "lng": 4.8365}
# Before signing in, the app's silent refresh finds no cookie: identity answers 401.
SIGNED_OUT_REFRESH = ((401, "/auth/refresh"),)

# A longer wait than Playwright's 5 s (our own instance: the shared one's options would change
# every module's): two cores are shared with other runs, and answers through the bus lag.
expect = type(playwright_expect)()
expect.set_options(timeout=15_000)


def in_(delta: timedelta) -> str:
    """A time that far from now, as a JSON body carries it."""
    return (datetime.now(UTC).replace(microsecond=0) + delta).isoformat()


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


def opportunity(curl: Any, system: Any, owner: Any, org: Any, title: str) -> Any:
    """A published one-off opportunity whose shift starts in 30 minutes (check-in opens an
    hour before a shift, so its volunteers can be checked in now), five places."""
    start = timedelta(minutes=30)
    slot = {"starts_at": in_(start), "ends_at": in_(start + timedelta(hours=3)), "places": 5}
    return ok(curl, "POST", f"{system.gateway.url}/orgs/{org['id']}/opportunities", owner, {
        "title": title, "description": "Gloves, bags and coffee provided.",
        "causes": ["clean-water"], "skills_wanted": [], "skills_required": [],
        "commitment": {"kind": "one_off", "slots": [slot]}, "time_zone": "Europe/Paris",
        "place": {**LYON, "country": "FR"}, "publish": True,
    })  # fmt: skip


def event(curl: Any, system: Any, owner: Any, org: Any, title: str, capacity: int = 30) -> Any:
    """A calendar event of ``org`` tomorrow, an hour long, in Lyon."""
    return ok(curl, "POST", f"{system.gateway.url}/orgs/{org['id']}/events", owner, {
        "title": title, "description": "Coffee and the plan for Saturday.",
        "starts_at": in_(timedelta(days=1)), "ends_at": in_(timedelta(days=1, hours=1)),
        "time_zone": "Europe/Paris", "place": LYON, "capacity": capacity,
    })  # fmt: skip


def volunteered(curl: Any, system: Any, owner: Any, opp: Any, volunteer: Any, hours: float) -> Any:
    """``volunteer`` applied, was accepted and checked in, and the organization recorded
    ``hours``: the check-in with its hours."""
    gw = system.gateway.url
    slot = opp["slots"][0]["id"]
    applications = f"{gw}/opportunities/{opp['id']}/applications"
    applied = ok(curl, "POST", applications, volunteer, {"slot_id": slot})
    ok(curl, "POST", f"{gw}/applications/{applied['id']}/accept", owner)
    check_ins = f"{gw}/opportunities/{opp['id']}/check-ins"
    checked = ok(curl, "POST", check_ins, owner, {"application_id": applied["id"]})
    return ok(curl, "PUT", f"{check_ins}/{checked['id']}/hours", owner, {"hours": hours})


def person(curl: Any, system: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Facebook test user signed up through the API: (the sandbox user for the browser's
    sign-in, the API login to set things up and check with)."""
    user = create_test_user(curl, system, installed=False)
    login = assert_login(sign_up(curl, system, user), user, created=True)
    return user, login


def sign_in_again(opened: Any, user: dict[str, Any], path: str) -> None:
    """Sign in in the browser a person who already signed up (``person``): Facebook knows the
    app is authorized and sends the browser straight back, with no consent dialog."""
    opened.page.goto(user["login_url"])
    opened.open(path)
    opened.page.get_by_role("link", name="Continue with Facebook").click()
    opened.page.wait_for_url(opened.url(path), timeout=60_000)
