"""What the organization area's browser tests share: people signed up through the API (to set
things up and check the outcome, as tests/e2e does with curl) and signed in in the browser,
organizations verified by a moderator, opportunities published, axe, screenshots at both sizes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from browser_support import DESKTOP, PHONE
from browser_support import serious_violations as serious_violations  # shared by every area's tests

# tests/e2e's helpers (on the path: conftest.py loads tests/e2e's conftest).
from e2e_orgs import call, eventually, make_moderator, ok  # type: ignore[import-not-found]
from e2e_people import (  # type: ignore[import-not-found]
    assert_login,
    create_test_user,
    refresh,
    sign_up,
)

# How long to wait for what travels by the bus (events reach the other services): generous,
# since make test runs every module on one loaded system.
SLOW = 60.0
HQ = {"city": "Lyon", "country": "FR", "lat": 45.764, "lng": 4.8357}


def person(curl: Any, system: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Facebook test user signed up through the API: (the sandbox user for the browser's
    sign-in, the API login to set things up and check with)."""
    user = create_test_user(curl, system, installed=False)
    login = assert_login(sign_up(curl, system, user), user, created=True)
    return user, login


def moderator(curl: Any, system: Any, infra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A person the operator made a moderator; the API login renewed so it carries the role
    (a browser signing in afterwards gets it too)."""
    user, login = person(curl, system)
    make_moderator(system, infra, login["user"]["id"])
    return user, refresh(curl, system, login["refresh_token"]).json()


def known_to_orgs(curl: Any, system: Any, login: Any, user_id: str) -> None:
    """Wait until orgs has heard of ``user_id`` (identity's user.created travels by the bus):
    only a person orgs knows can be invited."""
    url = f"{system.gateway.url}/users/{user_id}/causes"
    known = lambda: call(curl, "GET", url, login).status != 404 or None  # noqa: E731
    eventually(known, f"orgs knowing {user_id}", SLOW)


def draft_org(curl: Any, system: Any, owner: Any, name: str) -> Any:
    """An organization ``owner`` created through the API (a draft)."""
    return ok(curl, "POST", f"{system.gateway.url}/orgs", owner, {
        "name": name, "mission": "Meals for every student in Lyon, cooked together.",
        "causes": ["clean-water"], "hq": HQ,
    })  # fmt: skip


def verified_org(curl: Any, system: Any, owner: Any, mod: Any, name: str) -> Any:
    """An organization of ``owner``, submitted and verified by ``mod`` through the API."""
    org = draft_org(curl, system, owner, name)
    ok(curl, "POST", f"{system.gateway.url}/orgs/{org['id']}/submit", owner)
    return ok(curl, "POST", f"{system.gateway.url}/orgs/{org['id']}/verify", mod)


def in_(delta: timedelta) -> str:
    """A time that far from now, as a JSON body carries it."""
    return (datetime.now(UTC).replace(microsecond=0) + delta).isoformat()


def publish(curl: Any, system: Any, owner: Any, org: Any, title: str, **fields: Any) -> Any:
    """A published one-off opportunity of ``org`` (one three-hour slot in five days)."""
    start = timedelta(days=5)
    body: dict[str, Any] = {
        "title": title, "description": "Sort, pack and hand out the week's food parcels.",
        "causes": ["clean-water"], "time_zone": "Europe/Paris", "publish": True,
        "commitment": {"kind": "one_off", "slots": [
            {"starts_at": in_(start), "ends_at": in_(start + timedelta(hours=3)), "places": 3},
        ]},
        "place": {"city": "Lyon", "country": "FR"},
        **fields,
    }  # fmt: skip
    return ok(curl, "POST", f"{system.gateway.url}/orgs/{org['id']}/opportunities", owner, body)


def check_page(opened: Any, name: str) -> None:
    """The page as it is: no serious axe violation, nothing wider than a phone, and a
    screenshot at a phone's and a desktop's size (``organization-<name>-phone|desktop``)."""
    page = opened.page
    assert serious_violations(page) == [], name
    page.set_viewport_size(PHONE)
    # The area's own content (the shared header is the shell's).
    width = page.evaluate("document.getElementById('main').scrollWidth")
    assert width <= PHONE["width"], f"{name}'s content is {width}px wide on a phone"
    opened.screenshot(f"organization-{name}-phone")
    page.set_viewport_size(DESKTOP)
    opened.screenshot(f"organization-{name}-desktop")


def sign_in_again(opened: Any, user: dict[str, Any], path: str) -> None:
    """Sign in in the browser a person who signed up through the API (``person``): Facebook
    knows the app is authorized and sends the browser straight back, with no consent dialog."""
    opened.page.goto(user["login_url"])
    opened.open(path)
    opened.page.get_by_role("link", name="Continue with Facebook").click()
    opened.page.wait_for_url(opened.url(path), timeout=60_000)


# Before signing in, the app's silent refresh finds no cookie: identity answers 401.
SIGNED_OUT = ((401, "/auth/refresh"),)


def import_unclaimed(system: Any, infra: Any, folder: Path, name: str) -> None:
    """An organization imported by the operator's CSV import: verified, with no owner."""
    csv = folder / "organizations.csv"
    csv.write_text(
        "external_id,name,mission,causes,city,country,lat,lng\n"
        f"browser-{name.lower().replace(' ', '-')},{name},Bikes repaired for free.,"
        "clean-water,Lyon,FR,45.76,4.83\n",
        encoding="utf-8",
    )
    env = {**os.environ, "MONGO_URL": infra.mongo_url, "MONGO_DATABASE": system.plan.orgs_database}
    done = subprocess.run(
        [sys.executable, "-m", "jumo_orgs", "import", str(csv)],
        env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
